/* The whole pipeline, from a SECCOMP_PROFILE value to a filter in force,
 * shared by the constructor and autoseccomp_apply. */
#ifndef AS_APPLY_H
#define AS_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

struct as_error;
struct as_host;
struct as_program;

struct as_apply_options {
	const char *spec;               /* SECCOMP_PROFILE's value, or NULL */
	const struct as_builtin *builtin;
	bool trust_marker;              /* may skip a filter the kernel shows in force (marker.h) */
	bool spec_in_environment;       /* SPEC is SECCOMP_PROFILE's: a relative path is made absolute there */
	/* When LIMIT_CAPS, the profile's capability conditions see CAPS (a
	 * mask, names.h) intersected with the permitted set: AUTOSECCOMP_CAPS
	 * or exec's --caps can only take capabilities away. */
	bool limit_caps;
	uint64_t caps;
	/* When not NULL, shown the program before it is installed, with
	 * VET_CONTEXT: a negative errno, with ERR's message, refuses it and
	 * installs nothing. */
	int (*vet)(const struct as_program *program, const struct as_host *host, void *context, struct as_error *err);
	void *vet_context;
	/* Report and audit modes (supervisor.h): REPORT names where denials are
	 * reported, NULL for none; AUDIT lets them run, and reports them to
	 * REPORT or, without one, to standard error. */
	const char *report;
	bool audit;
};

/* Install what OPTIONS names.  On failure returns a negative errno, with
 * ERR located in the profile; nothing has been installed. */
int as_apply(const struct as_apply_options *options, struct as_error *err);

/* In a child just forked: no thread of its own is applying, whatever thread
 * of its parent was; for a pthread_atfork child handler. */
void as_apply_forked(void);

/* Report ERR on standard error, in one line, and end the process with
 * AUTOSECCOMP_EXIT_FAILURE before the program can run unconfined. */
_Noreturn void as_fail(const struct as_error *err);

#endif
