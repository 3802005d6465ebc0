/* Per-syscall benchmark: nanoseconds per call of an always-allowed syscall
 * (getppid), an argument-checked one (personality(0xffffffff), which only
 * reads the persona) and one Docker's profile denies (keyctl).
 *
 *   bench-syscall [allow1 | args2] [chain N]
 *   bench-syscall interrupted
 *
 * allow1 installs a one-instruction allow-everything filter first, which the
 * kernel's cache answers without running it; args2 one that reads an
 * argument, then allows, which the kernel must run at every call, as any
 * filter that checks arguments: the floor for an argument-checked syscall.
 * chain N
 * re-executes this program N times before measuring, so that an inherited
 * preload runs N more times.  Prints "getppid NS personality NS denied NS".
 *
 * interrupted makes the denied call under a timer signal every 50 us, whose
 * handler has no SA_RESTART, and prints "interrupted N": how many calls in
 * 10,000 ended with EINTR, which a filter's errno never gives, though a
 * listener's wait may. */
#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CALLS 50000
#define ROUNDS 5

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median over ROUNDS of the mean cost of one call. */
static double measure(long nr, long arg0, long arg1)
{
	double rounds[ROUNDS];

	for (int r = 0; r < ROUNDS; r++) {
		double start = now_ns();
		for (int i = 0; i < CALLS; i++)
			syscall(nr, arg0, arg1, 0, 0, 0);
		rounds[r] = (now_ns() - start) / CALLS;
	}
	qsort(rounds, ROUNDS, sizeof(rounds[0]), compare);
	return rounds[ROUNDS / 2];
}

static void install_allow_all(bool read_argument)
{
	struct sock_filter insns[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
				      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_fprog prog = {read_argument ? 2 : 1, read_argument ? insns : insns + 1};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		perror("bench-syscall: seccomp");
		exit(1);
	}
}

static void on_timer(int sig)
{
	(void)sig;
}

static int interrupted(void)
{
	struct sigaction sa = {.sa_handler = on_timer};
	struct itimerval every = {{0, 50}, {0, 50}};
	const int calls = 10000;
	int eintr = 0;

	if (sigaction(SIGALRM, &sa, NULL) < 0 || setitimer(ITIMER_REAL, &every, NULL) < 0) {
		perror("bench-syscall: timer");
		return 1;
	}
	for (int i = 0; i < calls; i++)
		if (syscall(SYS_keyctl, 0, -3, 0, 0, 0) < 0 && errno == EINTR)
			eintr++;
	printf("interrupted %d\n", eintr);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "interrupted") == 0)
		return interrupted();
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "allow1") == 0 || strcmp(argv[i], "args2") == 0)
			install_allow_all(argv[i][0] == 'a' && argv[i][1] == 'r');
		if (strcmp(argv[i], "chain") == 0 && i + 1 < argc && atoi(argv[i + 1]) > 0) {
			char left[16];
			snprintf(left, sizeof(left), "%d", atoi(argv[i + 1]) - 1);
			execl("/proc/self/exe", argv[0], "chain", left, (char *)NULL);
			perror("bench-syscall: exec");
			return 1;
		}
	}
	printf("getppid %.1f personality %.1f denied %.1f\n", measure(SYS_getppid, 0, 0),
	       measure(SYS_personality, 0xffffffff, 0), measure(SYS_keyctl, 0, -3));
	return 0;
}
