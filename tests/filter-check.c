/* Decisions of seccomp programs, point by point.
 *
 *   filter-check compare A.bpf B.bpf   the evaluator's verdicts for A and B agree
 *   filter-check kernel A.bpf          the evaluator's verdicts for A are the kernel's
 *   filter-check stats A.bpf           A's length and its longest path over all points
 *   filter-check eval A.bpf ARCH NR [ARG...]   A's action at one point, as "action 0x..."
 *
 * A point is an (architecture, syscall number, argument vector): x86_64,
 * i386 and x32, numbers 0..1023, -1 and 0x3fffffff, and argument vectors
 * built from every constant either program compares an argument with.  Files
 * hold raw struct sock_filter arrays, as `autoseccomp compile` writes them.
 * Prints "points N mismatches M" and the first mismatches; exits 1 on any. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eval.h"
#include "verify.h"

#define RESULT_FD 1000

static int read_program(const char *path, struct as_bpf *ret)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, ret->insns, sizeof(ret->insns));
	close(fd);
	if (n <= 0 || n % (ssize_t)sizeof(struct sock_filter) != 0)
		return -1;
	ret->len = (unsigned int)(n / (ssize_t)sizeof(struct sock_filter));
	return 0;
}

static int verdict(const struct as_bpf *prog, const struct as_point *p, struct as_verdict *ret)
{
	struct seccomp_data data = {.nr = p->nr, .arch = p->arch};
	struct as_error err;

	memcpy(data.args, p->args, sizeof(data.args));
	if (as_eval(prog->insns, prog->len, &data, ret, &err) < 0) {
		fprintf(stderr, "filter-check: %s\n", err.message);
		return -1;
	}
	return 0;
}

struct tally {
	const struct as_bpf *a, *b;
	unsigned long points, mismatches;
	int *observed; /* kernel mode: errno per point */
};

static void print_point(const char *what, const struct as_point *p, uint32_t x, uint32_t y)
{
	fprintf(stderr, "mismatch arch=0x%x nr=0x%x args=%llx,%llx,%llx,%llx,%llx,%llx %s 0x%x vs 0x%x\n", p->arch,
		(unsigned int)p->nr, (unsigned long long)p->args[0], (unsigned long long)p->args[1],
		(unsigned long long)p->args[2], (unsigned long long)p->args[3], (unsigned long long)p->args[4],
		(unsigned long long)p->args[5], what, x, y);
}

static int stats_point(const struct as_point *p, void *ctx)
{
	struct tally *t = ctx;
	struct as_verdict v;

	if (verdict(t->a, p, &v) < 0)
		return -1;
	t->points++;
	if (v.steps > t->mismatches)
		t->mismatches = v.steps; /* reused: the longest path */
	return 0;
}

static int compare_point(const struct as_point *p, void *ctx)
{
	struct tally *t = ctx;
	struct as_verdict va, vb;

	if (verdict(t->a, p, &va) < 0 || verdict(t->b, p, &vb) < 0)
		return -1;
	t->points++;
	if (va.action != vb.action && t->mismatches++ < 10)
		print_point("actions", p, va.action, vb.action);
	return 0;
}

/* Every return instruction becomes its own errno, so a call tells which
 * return the kernel reached and no syscall ever runs.  Errnos 512-543 are
 * the kernel's restart codes, which must not reach user space, so they are skipped. */
static int errno_of_return(unsigned int pc)
{
	return (int)(pc < 511 ? pc + 1 : pc + 33);
}

/* x86_64's uretprobe and uprobe: since Linux 6.14 the kernel lets them
 * bypass seccomp, and a call from outside a probe trampoline gets SIGILL. */
#define NR_URETPROBE 335
#define NR_UPROBE 336

/* Kernel mode makes its calls through the x86_64 entry, the x32 bit
 * included (this process cannot reach the i386 entry where the kernel lacks
 * 32-bit emulation), and skips those its own escape hatch lets through and
 * those seccomp does not filter. */
static bool not_called(const struct as_point *p)
{
	return p->arch != AUDIT_ARCH_X86_64 || p->nr == SYS_exit_group ||
	       (p->nr == SYS_write && (uint32_t)p->args[0] == RESULT_FD) || p->nr == NR_URETPROBE || p->nr == NR_UPROBE;
}

static unsigned int build_marked(const struct as_bpf *prog, struct sock_filter *out)
{
	/* Let the child report and exit: write to RESULT_FD and exit_group
	 * through the x86_64 entry are allowed before the program under test. */
	const struct sock_filter escape[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 6),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_write, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RESULT_FD, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	unsigned int n = sizeof(escape) / sizeof(escape[0]);

	memcpy(out, escape, sizeof(escape));
	for (unsigned int pc = 0; pc < prog->len; pc++) {
		out[n + pc] = prog->insns[pc];
		if (BPF_CLASS(prog->insns[pc].code) == BPF_RET)
			out[n + pc] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
								   SECCOMP_RET_ERRNO | (uint32_t)errno_of_return(pc));
	}
	return n + prog->len;
}

struct child_run {
	int *results;
	unsigned long count;
};

static int call_point(const struct as_point *p, void *ctx)
{
	struct child_run *run = ctx;
	long r;

	if (not_called(p))
		return 0;
	errno = 0;
	r = syscall(p->nr, p->args[0], p->args[1], p->args[2], p->args[3], p->args[4], p->args[5]);
	run->results[run->count++] = r < 0 ? errno : 0;
	return 0;
}

/* In a child: install the marked program, make every call, send the errnos. */
static void run_child(const struct as_bpf *prog, const struct as_points *c, struct child_run *run)
{
	static struct sock_filter marked[BPF_MAXINSNS + 16];
	struct sock_fprog fprog = {(unsigned short)build_marked(prog, marked), marked};
	const char *bytes = (const char *)run->results;
	size_t left;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
		_exit(2);
	as_points_for_each(c, call_point, run);
	left = run->count * sizeof(int);
	while (left > 0) {
		ssize_t n = write(RESULT_FD, bytes, left);
		if (n <= 0)
			_exit(3);
		bytes += n;
		left -= (size_t)n;
	}
	_exit(0);
}

static int check_kernel_point(const struct as_point *p, void *ctx)
{
	struct tally *t = ctx;
	struct as_verdict v;
	int expected;

	if (not_called(p))
		return 0;
	if (verdict(t->a, p, &v) < 0)
		return -1;
	expected = errno_of_return(v.ret_pc);
	if (t->observed[t->points] != expected && t->mismatches++ < 10)
		print_point("errno (evaluator, kernel)", p, (uint32_t)expected, (uint32_t)t->observed[t->points]);
	t->points++;
	return 0;
}

static int count_point(const struct as_point *p, void *count)
{
	(void)p;
	++*(size_t *)count;
	return 0;
}

static int kernel(const struct as_bpf *prog, struct tally *t)
{
	static struct as_points c;
	struct child_run run = {0};
	int fds[2], status;
	size_t got = 0, points = 0, size;
	pid_t pid;

	if (prog->len > 4000) {
		fprintf(stderr, "filter-check: program too long to mark each return with an errno\n");
		return -1;
	}
	as_points_build(prog, NULL, &c);
	/* As many points as the programs' architectures make. */
	as_points_for_each(&c, count_point, &points);
	size = points * sizeof(int);
	run.results = malloc(size);
	t->observed = run.results;
	if (run.results == NULL || pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], RESULT_FD);
		close(fds[0]);
		run_child(prog, &c, &run);
	}
	close(fds[1]);
	for (ssize_t n; (n = read(fds[0], (char *)run.results + got, size - got)) > 0;)
		got += (size_t)n;
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "filter-check: the child failed (status 0x%x)\n", status);
		return -1;
	}
	if (as_points_for_each(&c, check_kernel_point, t) < 0 || t->points * sizeof(int) != got) {
		fprintf(stderr, "filter-check: the child reported %zu results, expected %lu\n", got / sizeof(int),
			t->points);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct as_bpf a, b;
	static struct as_points c;
	struct tally t = {&a, &b, 0, 0, NULL};
	int r;

	if (argc < 3 || read_program(argv[2], &a) < 0) {
		fprintf(stderr, "usage: filter-check compare A.bpf B.bpf | filter-check kernel A.bpf\n");
		return 2;
	}
	if (strcmp(argv[1], "compare") == 0) {
		if (argc != 4 || read_program(argv[3], &b) < 0) {
			fprintf(stderr, "filter-check: cannot read %s\n", argc > 3 ? argv[3] : "B");
			return 2;
		}
		as_points_build(&a, &b, &c);
		r = as_points_for_each(&c, compare_point, &t);
	} else if (strcmp(argv[1], "eval") == 0 && argc >= 5 && argc <= 11) {
		/* One point: eval A.bpf AUDIT_ARCH NR [ARG...]; prints the action. */
		struct seccomp_data data = {.arch = (uint32_t)strtoul(argv[3], NULL, 0),
					    .nr = (int)strtol(argv[4], NULL, 0)};
		struct as_verdict verdict;
		struct as_error err;
		for (int i = 5; i < argc; i++)
			data.args[i - 5] = strtoull(argv[i], NULL, 0);
		if (as_eval(a.insns, a.len, &data, &verdict, &err) < 0)
			return 2;
		printf("action 0x%08x\n", verdict.action);
		return 0;
	} else if (strcmp(argv[1], "stats") == 0) {
		as_points_build(&a, NULL, &c);
		r = as_points_for_each(&c, stats_point, &t);
		printf("instructions %u longest %lu\n", a.len, t.mismatches);
		return r != 0;
	} else {
		r = kernel(&a, &t);
	}
	printf("points %lu mismatches %lu\n", t.points, t.mismatches);
	return r != 0 || t.mismatches > 0 ? 1 : 0;
}
