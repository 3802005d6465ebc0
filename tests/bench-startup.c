/* Start-up benchmark: runs a command RUNS times and prints the median,
 * minimum and maximum wall time of one run, in microseconds, and the median
 * count of pages it faulted in (minor faults): on a virtual machine each
 * costs microseconds, and unlike time the count is repeatable.
 *
 *   bench-startup RUNS [VAR=VALUE...] COMMAND [ARG...]
 *
 * The command gets this program's environment and the assignments, which
 * this program itself does not run under (a preload given to it would
 * confine the harness, and the command would inherit its filter); its
 * output is discarded. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t actions;
	int runs = argc > 2 ? atoi(argv[1]) : 0, first = 2;
	double *times, *faults;

	if (runs <= 0) {
		fprintf(stderr, "usage: bench-startup RUNS [VAR=VALUE...] COMMAND [ARG...]\n");
		return 2;
	}
	while (first < argc && strchr(argv[first], '=') != NULL)
		putenv(argv[first++]);
	if (first == argc)
		return 2;
	times = calloc((size_t)runs, sizeof(*times));
	faults = calloc((size_t)runs, sizeof(*faults));
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
	for (int i = 0; i < runs; i++) {
		double start = now_us();
		struct rusage usage;
		pid_t pid;
		int status;
		if (posix_spawn(&pid, argv[first], &actions, NULL, argv + first, environ) != 0 ||
		    wait4(pid, &status, 0, &usage) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "bench-startup: %s failed\n", argv[first]);
			return 1;
		}
		times[i] = now_us() - start;
		faults[i] = (double)usage.ru_minflt;
	}
	qsort(times, (size_t)runs, sizeof(*times), compare);
	qsort(faults, (size_t)runs, sizeof(*faults), compare);
	printf("%.1f %.1f %.1f %.0f\n", times[runs / 2], times[0], times[runs - 1], faults[runs / 2]);
	return 0;
}
