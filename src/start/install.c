#include "install.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CAP_SYS_ADMIN_BIT 21

int as_install(const struct as_program *program, const struct as_host *host, struct as_error *err)
{
	struct sock_fprog prog = {(unsigned short)program->len, (struct sock_filter *)program->insns};
	long r;

	/* The kernel lets only a process with CAP_SYS_ADMIN, or with
	 * no_new_privs, install a filter. */
	if (!(host->effective >> CAP_SYS_ADMIN_BIT & 1) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot set no_new_privs: %s", strerror(errno));
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC | program->flags, &prog);
	if (r < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot install the filter: %s", strerror(errno));
	if (r > 0)
		return as_error_set(err, -ESRCH, AS_NO_POSITION,
				    "cannot install the filter: thread %ld has a seccomp filter or no_new_privs state "
				    "the other threads do not share",
				    r);
	return 0;
}
