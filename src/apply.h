/* The whole pipeline, from a SECCOMP_PROFILE value to a filter in force,
 * shared by the constructor and autoseccomp_apply. */
#ifndef AS_APPLY_H
#define AS_APPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "source.h"

struct as_error;
struct as_host;
struct as_program;

struct as_apply_options {
	const char *spec;               /* SECCOMP_PROFILE's value, or NULL */
	const struct as_builtin *builtin;
	bool trust_marker;              /* may skip a filter the kernel shows in force (environ.h) */
	bool spec_in_environment;       /* SPEC is SECCOMP_PROFILE's: a relative path is made absolute there */
	/* When not NULL, shown the program before it is installed: a negative
	 * errno, with ERR's message, refuses it and installs nothing. */
	int (*vet)(const struct as_program *program, const struct as_host *host, struct as_error *err);
};

/* Install what OPTIONS names.  On failure, writes the one-line message into
 * MESSAGE and returns a negative errno; nothing has been installed. */
int as_apply(const struct as_apply_options *options, char *message, size_t message_len);

/* The built-in profile: the one the program embedded, else Docker's default
 * compiled into the library.  *LOCKED, when not NULL, tells whether the
 * program locked it.  Fails, with MESSAGE, for an embedded profile of an
 * unknown layout. */
int as_builtin_profile(struct as_builtin *ret, bool *locked, char *message, size_t message_len);

#endif
