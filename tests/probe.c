/* The test suite's subject: a program that makes the system calls the tests
 * name and prints what the kernel answered, one line per call:
 *
 *   probe [OP ARGS...] [-- OP ARGS...]...
 *
 * An exec takes every word after it, so it comes last.
 * Every run prints "main" first, so a test can tell that main ran. */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
/* Secure-execution mode ignores ASAN_OPTIONS, and the leak checker cannot
 * trace a setuid process. */
const char *__asan_default_options(void);
__attribute__((visibility("default"))) const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

/* An argument: a number, or "@text" for a pointer to text. */
static uint64_t number(const char *s)
{
	if (s[0] == '@')
		return (uint64_t)(uintptr_t)(s + 1);
	return strtoull(s, NULL, 0);
}

static void report(const char *op, long ret, int err)
{
	printf("%s ret=%ld errno=%d\n", op, ret, ret < 0 ? err : 0);
	fflush(stdout);
}

static long raw_syscall(char **args, int n)
{
	uint64_t a[7] = {0};

	for (int i = 0; i < n && i < 7; i++)
		a[i] = number(args[i]);
	return syscall((long)a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
}

/* The i386 entry, from a 64-bit process: arguments are 32 bits wide. */
static long int80(char **args, int n)
{
	uint32_t a[6] = {0};
	long ret;

	for (int i = 0; i < n && i < 6; i++)
		a[i] = (uint32_t)number(args[i]);
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(a[0]), "b"(a[1]), "c"(a[2]), "d"(a[3]), "S"(a[4]), "D"(a[5])
			 : "memory", "r8", "r9", "r10", "r11");
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

/* A string at an address below 4 GiB, for the i386 entry's 32-bit pointers. */
static char *low_string(const char *s)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	snprintf(p, 4096, "%s", s);
	return p;
}

static void print_status(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Seccomp", 7) == 0 || strncmp(line, "NoNewPrivs", 10) == 0)
			fputs(line, stdout);
	fclose(f);
	fflush(stdout);
}

/* clone with FLAGS whose child exits at once; reports the parent's answer. */
static long clone_flags(uint64_t flags)
{
	long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid > 0 ? 0 : pid;
}

static long clone3_plain(void)
{
	uint64_t args[11] = {0};
	long pid;

	args[4] = SIGCHLD; /* exit_signal */
	pid = syscall(435 /* clone3 */, args, sizeof(args));
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid > 0 ? 0 : pid;
}

/* Re-executes this program COUNT more times, then prints its status. */
static void chain(const char *self, int count)
{
	char buf[16];

	if (count <= 0) {
		print_status("/proc/self/status");
		return;
	}
	snprintf(buf, sizeof(buf), "%d", count - 1);
	execl(self, self, "chain", buf, (char *)NULL);
	report("exec", -1, errno);
}

static int run_op(char **argv, int argc, const char *self)
{
	const char *op = argv[0];
	long r;

	errno = 0;
	if (strcmp(op, "syscall") == 0) {
		r = raw_syscall(argv + 1, argc - 1);
	} else if (strcmp(op, "i386") == 0 || strcmp(op, "x32") == 0) {
		/* An argument "@text" is passed as a pointer to a low copy of text. */
		char *copy[8] = {0};
		char nums[8][24];
		for (int i = 1; i < argc && i < 8; i++) {
			copy[i - 1] = argv[i];
			if (argv[i][0] == '@') {
				snprintf(nums[i - 1], sizeof(nums[0]), "%lu", (unsigned long)low_string(argv[i] + 1));
				copy[i - 1] = nums[i - 1];
			}
		}
		if (op[0] == 'x') {
			snprintf(nums[7], sizeof(nums[7]), "%lu", (unsigned long)(number(copy[0]) | 0x40000000u));
			copy[0] = nums[7];
			r = raw_syscall(copy, argc - 1);
		} else {
			r = int80(copy, argc - 1);
		}
	} else if (strcmp(op, "mkdir") == 0 && argc > 1) {
		r = syscall(SYS_mkdir, argv[1], 0700);
	} else if (strcmp(op, "clone") == 0 && argc > 1) {
		r = clone_flags(number(argv[1]));
	} else if (strcmp(op, "clone3") == 0) {
		r = clone3_plain();
	} else if (strcmp(op, "socket") == 0 && argc > 3) {
		r = syscall(SYS_socket, number(argv[1]), number(argv[2]), number(argv[3]));
	} else if (strcmp(op, "repeat") == 0 && argc > 2) {
		/* COUNT times syscall NR: the answer of the last. */
		long count = (long)number(argv[1]);
		r = 0;
		for (long i = 0; i < count; i++)
			r = raw_syscall(argv + 2, argc - 2);
	} else if (strcmp(op, "sweep") == 0 && argc > 2) {
		/* Each number from FIRST to LAST once: how many failed. */
		r = 0;
		for (uint64_t nr = number(argv[1]); nr <= number(argv[2]); nr++)
			r += syscall((long)nr, 0, 0, 0, 0, 0, 0) < 0;
	} else if (strcmp(op, "read-line") == 0) {
		/* Waits for a line on standard input. */
		char line[64];
		r = fgets(line, sizeof(line), stdin) != NULL ? 0 : -1;
	} else if (strcmp(op, "status") == 0) {
		print_status(argc > 1 ? argv[1] : "/proc/self/status");
		return 0;
	} else if (strcmp(op, "chain") == 0 && argc > 1) {
		chain(self, atoi(argv[1]));
		return 0;
	} else if (strcmp(op, "release-early-thread") == 0) {
		void (*release)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "early_thread_release");
		if (release == NULL) {
			fprintf(stderr, "probe: no early thread library\n");
			return 2;
		}
		release();
		return 0;
	} else if (strcmp(op, "listener") == 0) {
		/* A filter that allows everything, loaded with a listener of its own. */
		struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		struct sock_fprog prog = {1, &allow};
		r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	} else if (strcmp(op, "listeners") == 0) {
		/* How many of this process's descriptors are seccomp listeners. */
		char path[64], link[64];
		r = 0;
		for (int fd = 0; fd < 1024; fd++) {
			ssize_t n;
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			n = readlink(path, link, sizeof(link) - 1);
			if (n > 0) {
				link[n] = '\0';
				r += strstr(link, "seccomp notify") != NULL;
			}
		}
		errno = 0;
	} else if (strcmp(op, "exec") == 0 && argc > 1) {
		execv(argv[1], argv + 1);
		r = -1;
	} else {
		fprintf(stderr, "probe: unknown operation %s\n", op);
		return 2;
	}
	report(op, r, errno);
	return 0;
}

int main(int argc, char **argv)
{
	int start = 1;

	printf("main\n");
	fflush(stdout);
	for (int i = 1; i <= argc; i++) {
		/* exec takes the rest of the line, separators included. */
		if (i < argc && (strcmp(argv[i], "--") != 0 || strcmp(argv[start], "exec") == 0))
			continue;
		if (i > start) {
			char *saved = argv[i];
			int r;
			argv[i] = NULL;
			r = run_op(argv + start, i - start, argv[0]);
			argv[i] = saved;
			if (r != 0)
				return r;
		}
		start = i + 1;
	}
	return 0;
}
