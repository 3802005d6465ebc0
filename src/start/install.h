/* Stage 6: install.  One seccomp(2) call puts the program in force on every
 * thread of the process. */
#ifndef AS_INSTALL_H
#define AS_INSTALL_H

#include "error.h"
#include "host.h"
#include "probe.h"
#include "program.h"

/* How a start tells that the kernel has its program once seccomp(2) said
 * so: a filter in force may answer that call in the kernel's place
 * (SCMP_ACT_ERRNO with errnoRet 0 fakes success), and nothing would be
 * installed.  The kernel is asked by the probe (probe.h) where no filter,
 * or only autoseccomp's, was in force before; else by the count of filters
 * in force, which must have gone up by one; where neither can be asked,
 * seccomp(2)'s word is taken. */
struct as_install_proof {
	const struct as_probe *probe; /* PROGRAM's answers, where asking them is safe; else NULL */
	long filters_before;          /* else the count before, from as_filters_in_force; -1 unknown */
};

/* Set no_new_privs unless HOST holds CAP_SYS_ADMIN, then install PROGRAM
 * with TSYNC, and check with PROOF (where not NULL) that the kernel has it:
 * -EPERM where it does not.  A program with a listener (program.h)
 * connects to its agent, or starts its supervisor (supervisor.h), first,
 * and hands the listener over after (agent.h): a failure to hand it over
 * is reported after the filter is in force, with -ECONNREFUSED, and one
 * that leaves the listener, or what seccomp(2) called it, possibly the
 * process's with -ENOTRECOVERABLE.  Allocates nothing. */
int as_install(const struct as_program *program, const struct as_host *host, const struct as_install_proof *proof,
	       struct as_error *err);

/* How many filters are in force on this thread, as the kernel tells in
 * /proc/thread-self/status; -1 where it does not (no /proc, an older
 * kernel). */
long as_filters_in_force(void);

#endif
