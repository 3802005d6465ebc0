/* Attach benchmark: the time of the seccomp(2) call that installs a program,
 * measured in fresh children, median over RUNS.
 *
 *   bench-attach RUNS PROGRAM.bpf
 *
 * Prints "median MIN-MAX" in microseconds. */
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct sock_filter insns[BPF_MAXINSNS];

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double attach_once(unsigned short len)
{
	struct sock_fprog prog = {len, insns};
	struct timespec start, end;
	double us = -1;
	int fds[2];

	if (pipe(fds) < 0)
		return -1;
	if (fork() == 0) {
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		clock_gettime(CLOCK_MONOTONIC, &start);
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &end);
			us = (double)(end.tv_sec - start.tv_sec) * 1e6 + (double)(end.tv_nsec - start.tv_nsec) / 1e3;
		}
		(void)!write(fds[1], &us, sizeof(us));
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &us, sizeof(us)) != sizeof(us))
		us = -1;
	close(fds[0]);
	wait(NULL);
	return us;
}

int main(int argc, char **argv)
{
	int runs = argc == 3 ? atoi(argv[1]) : 0, fd;
	double *times;
	ssize_t n;

	if (runs <= 0 || (fd = open(argv[2], O_RDONLY)) < 0) {
		fprintf(stderr, "usage: bench-attach RUNS PROGRAM.bpf\n");
		return 2;
	}
	n = read(fd, insns, sizeof(insns));
	close(fd);
	times = calloc((size_t)runs, sizeof(*times));
	for (int i = 0; i < runs; i++)
		if ((times[i] = attach_once((unsigned short)(n / (ssize_t)sizeof(insns[0])))) < 0)
			return 1;
	qsort(times, (size_t)runs, sizeof(*times), compare);
	printf("%.1f %.1f %.1f\n", times[runs / 2], times[0], times[runs - 1]);
	return 0;
}
