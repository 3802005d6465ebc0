/* Stage 6: install.  One seccomp(2) call puts the program in force on every
 * thread of the process. */
#ifndef AS_INSTALL_H
#define AS_INSTALL_H

#include "error.h"
#include "host.h"
#include "program.h"

/* Set no_new_privs unless HOST holds CAP_SYS_ADMIN, then install PROGRAM
 * with TSYNC.  A program with a listener (program.h) connects to its agent,
 * or starts its supervisor (supervisor.h), first, and hands the listener
 * over after (agent.h): a failure to hand it
 * over is reported after the filter is in force, with -ECONNREFUSED, and
 * -ENOTRECOVERABLE where the process could not close it.  Allocates
 * nothing. */
int as_install(const struct as_program *program, const struct as_host *host, struct as_error *err);

#endif
