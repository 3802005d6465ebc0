/* Read the seccomp filter the kernel holds for another process:
 *
 *   get-filter PID OUTFILE
 *
 * writes filter 0 (the most recently installed) of PID to OUTFILE as the raw
 * array of struct sock_filter, 8 bytes per instruction, exactly as the kernel
 * runs it.  The tests compare what runc installed in a container with what
 * autoseccomp builds.  Needs CAP_SYS_ADMIN, and must not itself run under a
 * seccomp filter (the kernel then refuses with EMEDIUMTYPE).
 *
 * Exit status: 0 written; 1 failure; 3 PID has more than one filter, so
 * filter 0 alone would not be what decides its system calls. */
#include <errno.h>
#include <linux/filter.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>

#define EXIT_MORE_FILTERS 3

static void fail(const char *what, int err)
{
	fprintf(stderr, "get-filter: %s: %s\n", what, strerror(err));
}

static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(s, &end, 10);
	if (errno || end == s || *end || value <= 0 || (pid_t)value != value)
		return -1;
	*pid = (pid_t)value;
	return 0;
}

/* PTRACE_SEIZE, unlike PTRACE_ATTACH, sends no SIGSTOP, so the tracee sees
 * nothing of us once we detach.  Returns the signal to hand back on detach:
 * if a real signal arrived before our interrupt, its delivery stop is what we
 * see, and swallowing it would change the tracee's behaviour. */
static int attach(pid_t pid, int *pending)
{
	int status;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0) {
		fail("PTRACE_SEIZE", errno);
		return -1;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0) {
		fail("PTRACE_INTERRUPT", errno);
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
		return -1;
	}
	while (waitpid(pid, &status, __WALL) < 0) {
		if (errno != EINTR) {
			fail("waitpid", errno);
			return -1;
		}
	}
	if (!WIFSTOPPED(status)) {
		fprintf(stderr, "get-filter: process %d exited before it could be read\n", (int)pid);
		return -1;
	}
	/* A nonzero event field marks our own interrupt or a group stop. */
	*pending = (status >> 16) == 0 ? WSTOPSIG(status) : 0;
	return 0;
}

static void detach(pid_t pid, int pending)
{
	if (ptrace(PTRACE_DETACH, pid, NULL, (void *)(long)pending) < 0)
		fail("PTRACE_DETACH", errno);
}

/* The kernel answers "how many instructions" when given no buffer. */
static long filter_length(pid_t pid, unsigned long index)
{
	return ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)index, NULL);
}

static const char *length_error(int err)
{
	switch (err) {
	case EINVAL:
		return "process has no seccomp filter";
	case EMEDIUMTYPE:
		return "get-filter itself runs under seccomp; the kernel refuses";
	case EACCES:
	case EPERM:
		return "not permitted (needs CAP_SYS_ADMIN)";
	default:
		return strerror(err);
	}
}

/* Fetches filter 0 while PID is stopped.  Returns its length, -1 on failure,
 * or -EXIT_MORE_FILTERS if an older filter also applies. */
static long fetch(pid_t pid, struct sock_filter **out)
{
	long n = filter_length(pid, 0);
	struct sock_filter *prog;

	if (n < 0) {
		fprintf(stderr, "get-filter: process %d: %s\n", (int)pid, length_error(errno));
		return -1;
	}
	if (filter_length(pid, 1) >= 0) {
		fprintf(stderr, "get-filter: process %d has more than one seccomp filter\n", (int)pid);
		return -EXIT_MORE_FILTERS;
	}
	if (errno != ENOENT) {
		fail("PTRACE_SECCOMP_GET_FILTER 1", errno);
		return -1;
	}
	prog = calloc((size_t)n, sizeof(*prog));
	if (!prog) {
		fail("calloc", errno);
		return -1;
	}
	/* Same stopped tracee, so the filter cannot have changed since. */
	if (ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)0UL, prog) != n) {
		fail("PTRACE_SECCOMP_GET_FILTER", errno);
		free(prog);
		return -1;
	}
	*out = prog;
	return n;
}

static int write_file(const char *path, const struct sock_filter *prog, long n)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		fprintf(stderr, "get-filter: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fwrite(prog, sizeof(*prog), (size_t)n, f) != (size_t)n || fflush(f) != 0) {
		fprintf(stderr, "get-filter: %s: %s\n", path, strerror(errno));
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "get-filter: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sock_filter *prog = NULL;
	int pending = 0;
	pid_t pid;
	long n;

	if (argc != 3 || parse_pid(argv[1], &pid) < 0) {
		fprintf(stderr, "get-filter: usage: get-filter PID OUTFILE\n");
		return EXIT_FAILURE;
	}
	if (attach(pid, &pending) < 0)
		return EXIT_FAILURE;
	n = fetch(pid, &prog);
	detach(pid, pending);
	if (n == -EXIT_MORE_FILTERS)
		return EXIT_MORE_FILTERS;
	if (n < 0)
		return EXIT_FAILURE;
	n = write_file(argv[2], prog, n) < 0 ? -1 : n;
	free(prog);
	return n < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
