/* The marker: what a process that installed a filter tells its children,
 * which inherit the filter and the environment together, so that a child
 * does not stack a second copy of the same filter.  The variable names the
 * program's answers to the probe (probe.h): a hint of what to ask the
 * kernel, never a proof. */
#ifndef AS_MARKER_H
#define AS_MARKER_H

#include <stdbool.h>

#include "environ.h"
#include "error.h"
#include "host.h"
#include "probe.h"
#include "program.h"

#define AS_MARKER_VARIABLE "AUTOSECCOMP_FILTER"

/* What ends the marker of a filter whose denials a supervisor names (report
 * or audit mode): a hint for a child that asks for reports, whose probe
 * cannot tell a reporting filter from the plain one, which decide alike. */
#define AS_MARKER_REPORTS ":r"

/* The most digits of the count a marker ends with. */
#define AS_MARKER_COUNT_DIGITS 4

/* The entry put in the environment: three hexadecimal digits an answer,
 * then ':' and how many filters it vouches for (the chain after the
 * install, where every filter in it is autoseccomp's; else 0, and the
 * children do not ask the kernel).  Its name is written at build time,
 * which keeps the whole in initialised static storage where a driver keeps
 * it (environ.h). */
struct as_marker {
	char entry[sizeof(AS_MARKER_VARIABLE) + 3 * AS_PROBE_COUNT + 1 + AS_MARKER_COUNT_DIGITS + sizeof(AS_MARKER_REPORTS)];
};

#define AS_MARKER_INIT {.entry = AS_MARKER_VARIABLE "="}

/* Which form of PROGRAM is in force already, as the marker says and the
 * kernel confirms (only where TRUST_MARKER): the plain one, or its
 * reporting form, which answers the probe alike (only the marker's hint
 * tells them apart), or its auditing form (notify.h), which answers
 * otherwise. */
enum as_marker_form { AS_MARKER_NONE, AS_MARKER_PLAIN, AS_MARKER_REPORTING, AS_MARKER_AUDITING };

enum as_marker_form as_marker_in_force(const struct as_program *program, const struct as_host *host,
				       bool trust_marker);

/* Install PROGRAM on HOST and mark it in the environment, through MARKER
 * and ENV; when TRUST_MARKER, skip the install where the inherited marker
 * names PROGRAM's answers and the kernel gives them.  *FILTERED_BEFORE,
 * where not NULL, tells whether a filter was in force before.  On failure
 * the environment is as it was. */
int as_marker_install(const struct as_program *program, const struct as_host *host, bool trust_marker,
		      struct as_marker *marker, struct as_environ *env, bool *filtered_before, struct as_error *err);

#endif
