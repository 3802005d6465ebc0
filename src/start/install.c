#include "install.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent.h"
#include "cleanup.h"
#include "decimal.h"
#include "supervisor.h"

#define CAP_SYS_ADMIN_BIT 21

/* THREAD is 0 where the kernel does not say which thread it is. */
static int unsynchronised(long thread, struct as_error *err)
{
	char which[32] = "a thread";

	if (thread > 0)
		snprintf(which, sizeof(which), "thread %ld", thread);
	return as_error_set(err, -ESRCH, AS_NO_POSITION,
			    "cannot install the filter: %s has a seccomp filter or no_new_privs state the other "
			    "threads do not share",
			    which);
}

static int refused(int e, struct as_error *err)
{
	if (e == EBUSY)
		return as_error_set(err, -EBUSY, AS_NO_POSITION,
				    "cannot install the filter: a filter in force already has a listener (a seccomp "
				    "agent's, or report or audit mode's), and the kernel allows one");
	return as_error_set(err, -e, AS_NO_POSITION, "cannot install the filter: %s", strerror(e));
}

/* no_new_privs where the kernel needs it, then the filter: the kernel's
 * answer (a listener's descriptor, a thread's id, or 0), or an error. */
static long install_filter(const struct as_program *program, unsigned long flags, const struct as_host *host,
			   struct as_error *err)
{
	struct sock_fprog prog = {(unsigned short)program->len, (struct sock_filter *)program->insns};
	long r;

	/* The kernel lets only a process with CAP_SYS_ADMIN, or with
	 * no_new_privs, install a filter. */
	if (!(host->effective >> CAP_SYS_ADMIN_BIT & 1) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot set no_new_privs: %s", strerror(errno));
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	/* Before 5.19 the kernel refuses WAIT_KILLABLE_RECV; without it a
	 * signal may end a diverted call with EINTR, as it did before. */
	if (r < 0 && errno == EINVAL && (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV))
		r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags & ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
			    &prog);
	if (r < 0 && errno == ESRCH)
		return unsynchronised(0, err);
	if (r < 0)
		return refused(errno, err);
	return r;
}

/* The count on the line "Seccomp_filters:\t" in what FD reads, read whole
 * a buffer at a time: a status may be longer than any buffer, as the line
 * of a process with thousands of supplementary groups is.  -1 where no
 * line has it (a kernel before 5.9). */
static long filters_field(int fd, char *buf, size_t size)
{
	static const char field[] = "Seccomp_filters:\t";
	size_t held = 0;
	bool in_long_line = false;
	ssize_t n;

	while ((n = read(fd, buf + held, size - held)) > 0 || (n < 0 && errno == EINTR)) {
		char *line = buf, *end = buf + held + (n > 0 ? n : 0), *newline;
		uint64_t count;

		while ((newline = memchr(line, '\n', (size_t)(end - line))) != NULL) {
			if (!in_long_line && (size_t)(newline - line) > sizeof(field) - 1 &&
			    memcmp(line, field, sizeof(field) - 1) == 0)
				return as_parse_decimal(line + sizeof(field) - 1,
							(size_t)(newline - line) - (sizeof(field) - 1), LONG_MAX,
							&count) < 0
					       ? -1
					       : (long)count;
			in_long_line = false;
			line = newline + 1;
		}
		held = (size_t)(end - line);
		/* A line longer than the buffer is not the one sought: the
		 * rest of it is passed over. */
		if (held == size) {
			in_long_line = true;
			held = 0;
		}
		memmove(buf, line, held);
	}
	return -1;
}

/* Not inlined: its buffer would push every start's install onto a page of
 * stack it does not otherwise touch. */
__attribute__((noinline)) long as_filters_in_force(void)
{
	/* The thread's own: the process's is its main thread's, which another
	 * thread's filters, or a main thread gone, would leave behind. */
	_cleanup_close_ int fd = open("/proc/thread-self/status", O_RDONLY | O_CLOEXEC);
	char buf[4096];

	return fd < 0 ? -1 : filters_field(fd, buf, sizeof(buf));
}

/* Whether the kernel has the program seccomp(2) said it installed.  Where
 * it cannot be asked (a filter of another origin in force, and no /proc),
 * its word is taken: the probe could be killed, and refusing would stop
 * every child of a confined process where /proc is not mounted. */
static bool installed(const struct as_install_proof *proof)
{
	long after;

	if (proof->probe != NULL)
		return as_probe_in_force(proof->probe);
	if (proof->filters_before < 0 || (after = as_filters_in_force()) < 0)
		return true;
	return after == proof->filters_before + 1;
}

static int not_installed(struct as_error *err)
{
	return as_error_set(err, -EPERM, AS_NO_POSITION,
			    "cannot install the filter: the kernel does not have it, though seccomp(2) said so (a "
			    "filter in force answers that call itself)");
}

/* The hand-over's socket, renumbered out of the way: a diverted program
 * lets sendmsg on that number through unseen for good (notify.h), and the
 * program's own files take the lowest numbers free.  Not past 1023: a
 * higher number would grow the process's table of files to match. */
static int out_of_the_way(int sock)
{
	struct rlimit limit;
	int high;

	if (getrlimit(RLIMIT_NOFILE, &limit) < 0 || limit.rlim_cur < 2)
		return sock;
	high = fcntl(sock, F_DUPFD_CLOEXEC, (int)(limit.rlim_cur < 1024 ? limit.rlim_cur - 1 : 1023));
	if (high < 0)
		return sock;
	close(sock);
	return high;
}

/* The agent is connected, or the supervisor started, before the filter,
 * which may deny what that takes, and handed the listener after.  In a
 * frame of its own, not inlined: the agent's message takes a page of
 * stack, which every start would otherwise push its install onto. */
__attribute__((noinline)) static int install_with_listener(const struct as_program *program,
							   const struct as_host *host,
							   const struct as_install_proof *proof, struct as_error *err)
{
	_cleanup_agent_ struct as_agent agent = AS_AGENT_NONE;
	long r;

	r = program->supervision != NULL ? as_supervisor_start(program->supervision, &agent, err)
					 : as_agent_connect(program->listener, getpid(), &agent, err);
	if (r < 0)
		return (int)r;
	if (program->handoff != NULL) {
		agent.sock = out_of_the_way(agent.sock);
		program->handoff->k = (uint32_t)agent.sock;
		/* The hand-over ends with dup3 (agent.h), which only a filter in
		 * force could refuse: asked with one descriptor twice, which the
		 * kernel itself refuses with EINVAL, it tells before the install. */
		if (dup3(agent.sock, agent.sock, O_CLOEXEC) == 0 || errno != EINVAL)
			return as_error_set(err, -EBUSY, AS_NO_POSITION,
					    "a filter in force refuses dup3, with which the listener is put out of "
					    "the program's reach");
	}
	/* The kernel returns the listener's descriptor, so a thread that
	 * cannot be synchronised is reported as ESRCH, unnamed. */
	r = install_filter(program, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH | program->flags,
			   host, err);
	if (r < 0)
		return (int)r;
	/* What seccomp(2) returned is no listener unless the kernel has the
	 * program, and may be one of the process's own descriptors: touched
	 * by neither the hand-over nor a close. */
	if (proof != NULL && !installed(proof)) {
		not_installed(err);
		err->code = -ENOTRECOVERABLE;
		return err->code;
	}
	return as_agent_hand_over(&agent, (int)r, program->handoff != NULL, err);
}

int as_install(const struct as_program *program, const struct as_host *host, const struct as_install_proof *proof,
	       struct as_error *err)
{
	long r;

	if (program->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		return install_with_listener(program, host, proof, err);
	r = install_filter(program, SECCOMP_FILTER_FLAG_TSYNC | program->flags, host, err);
	if (r < 0)
		return (int)r;
	if (r > 0)
		return unsynchronised(r, err);
	return proof != NULL && !installed(proof) ? not_installed(err) : 0;
}
