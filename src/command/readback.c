#include "readback.h"

#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int as_readback_bytes(const void *bytes, size_t len, struct as_bpf *ret, struct as_error *err)
{
	if (len > sizeof(ret->insns))
		return as_error_set(err, -EFBIG, AS_NO_POSITION, "longer than %d instructions", BPF_MAXINSNS);
	if (len == 0 || len % sizeof(ret->insns[0]) != 0)
		return as_error_set(err, -EINVAL, AS_NO_POSITION, "not a BPF program: %zu bytes, not a multiple of 8",
				    len);
	memcpy(ret->insns, bytes, len);
	ret->len = (unsigned int)(len / sizeof(ret->insns[0]));
	ret->stub_len = 0;
	ret->flags = 0;
	return 0;
}

/* PTRACE_SEIZE sends no SIGSTOP, so the process sees nothing of the read
 * once detached.  A signal that arrived before the interrupt is handed back
 * on detach. */
static int interrupt(pid_t pid, int *pending, struct as_error *err)
{
	int status;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot attach: %s", strerror(errno));
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0) {
		int r = -errno;
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
		return as_error_set(err, r, AS_NO_POSITION, "cannot interrupt: %s", strerror(-r));
	}
	while (waitpid(pid, &status, __WALL) < 0)
		if (errno != EINTR)
			return as_error_set(err, -errno, AS_NO_POSITION, "cannot wait: %s", strerror(errno));
	if (!WIFSTOPPED(status))
		return as_error_set(err, -ESRCH, AS_NO_POSITION, "the process exited");
	*pending = (status >> 16) == 0 ? WSTOPSIG(status) : 0;
	return 0;
}

static int filter_error(int e, struct as_error *err)
{
	if (e == EINVAL)
		return as_error_set(err, -EINVAL, AS_NO_POSITION, "the process has no seccomp filter");
	if (e == EMEDIUMTYPE)
		return as_error_set(err, -e, AS_NO_POSITION, "this command runs under a seccomp filter: the kernel refuses");
	if (e == EACCES || e == EPERM)
		return as_error_set(err, -e, AS_NO_POSITION, "not permitted: reading a filter needs CAP_SYS_ADMIN");
	return as_error_set(err, -e, AS_NO_POSITION, "cannot read a filter: %s", strerror(e));
}

static int read_filters(pid_t pid, struct as_bpf *bpf, void (*each)(const struct as_bpf *, unsigned int),
			struct as_error *err)
{
	for (unsigned long index = 0;; index++) {
		long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)index, NULL);
		if (n < 0 && errno == ENOENT && index > 0)
			return 0;
		if (n < 0)
			return filter_error(errno, err);
		if (n > BPF_MAXINSNS)
			return as_error_set(err, -EFBIG, AS_NO_POSITION, "filter %lu is longer than %d instructions", index,
					    BPF_MAXINSNS);
		if (ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)index, bpf->insns) != n)
			return filter_error(errno, err);
		bpf->len = (unsigned int)n;
		bpf->stub_len = 0;
		bpf->flags = 0;
		each(bpf, (unsigned int)index);
	}
}

int as_readback_process(pid_t pid, struct as_bpf *bpf, void (*each)(const struct as_bpf *, unsigned int),
			struct as_error *err)
{
	int pending = 0;
	int r = interrupt(pid, &pending, err);

	if (r < 0)
		return r;
	r = read_filters(pid, bpf, each, err);
	ptrace(PTRACE_DETACH, pid, NULL, (void *)(long)pending);
	return r;
}
