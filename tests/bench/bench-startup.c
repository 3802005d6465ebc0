/* Start-up benchmark: times several commands in alternation, so that the
 * machine's drift falls on all of them alike and a row can be compared with
 * its base run by run.
 *
 *   bench-startup RUNS COMMAND [';;' COMMAND...]
 *   COMMAND: [VAR=VALUE...] PROGRAM [ARG...]
 *
 * Round I starts every command once, in an order shuffled afresh each round
 * (from a fixed seed, so runs repeat): a fixed order would have each command
 * follow the same neighbour, and pay for its leftovers (work the kernel
 * defers past a process's exit) every time.  In a VALUE, "{run}" stands for I, to give each run a fresh
 * directory.  The commands get this program's environment and their
 * assignments, which this program itself does not run under (a preload
 * given to it would confine the harness); their output is discarded.
 *
 * Prints one line per command: the median count of pages the command
 * faulted in (minor faults: on a virtual machine each costs microseconds,
 * and unlike time the count repeats), then the wall time of each run in
 * microseconds, in round order. */
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_COMMANDS 32
#define MAX_ENVIRONMENT 512

struct command {
	char **assignments, **argv;
	int assignment_count;
	double *times, *faults;
};

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

static char *with_run(const char *assignment, int run)
{
	const char *mark = strstr(assignment, "{run}");
	char *out;

	if (mark == NULL)
		return strdup(assignment);
	if (asprintf(&out, "%.*s%d%s", (int)(mark - assignment), assignment, run, mark + 5) < 0)
		return NULL;
	return out;
}

/* This environment with the command's assignments in place of the
 * variables they name. */
static char **environment_for(const struct command *c, int run, char **storage)
{
	int n = 0;

	for (char **e = environ; *e != NULL && n < MAX_ENVIRONMENT - c->assignment_count - 1; e++) {
		bool replaced = false;
		for (int k = 0; k < c->assignment_count; k++) {
			size_t len = (size_t)(strchr(c->assignments[k], '=') - c->assignments[k]) + 1;
			replaced |= strncmp(*e, c->assignments[k], len) == 0;
		}
		if (!replaced)
			storage[n++] = *e;
	}
	for (int k = 0; k < c->assignment_count; k++)
		storage[n++] = with_run(c->assignments[k], run);
	storage[n] = NULL;
	return storage;
}

static int run_once(struct command *c, int run, posix_spawn_file_actions_t *actions)
{
	static char *storage[MAX_ENVIRONMENT];
	char **envp = environment_for(c, run, storage);
	int count = 0;
	struct rusage usage;
	double start = now_us();
	pid_t pid;
	int status;

	while (envp[count] != NULL)
		count++;
	if (posix_spawn(&pid, c->argv[0], actions, NULL, c->argv, envp) != 0 ||
	    wait4(pid, &status, 0, &usage) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench-startup: %s failed\n", c->argv[0]);
		return -1;
	}
	c->times[run] = now_us() - start;
	c->faults[run] = (double)usage.ru_minflt;
	for (int k = count - c->assignment_count; k < count; k++)
		free(envp[k]);
	return 0;
}

int main(int argc, char **argv)
{
	struct command commands[MAX_COMMANDS];
	posix_spawn_file_actions_t actions;
	int runs = argc > 2 ? atoi(argv[1]) : 0, n = 0;

	if (runs <= 0) {
		fprintf(stderr, "usage: bench-startup RUNS COMMAND [';;' COMMAND...]\n");
		return 2;
	}
	for (int i = 2; i < argc && n < MAX_COMMANDS; n++) {
		struct command *c = &commands[n];
		c->assignments = argv + i;
		for (c->assignment_count = 0; i < argc && strchr(argv[i], '=') != NULL && argv[i][0] != '/'; i++)
			c->assignment_count++;
		c->argv = argv + i;
		while (i < argc && strcmp(argv[i], ";;") != 0)
			i++;
		if (c->argv == argv + i)
			return 2;
		argv[i < argc ? i++ : i] = NULL;
		c->times = calloc((size_t)runs, sizeof(double));
		c->faults = calloc((size_t)runs, sizeof(double));
	}
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
	uint64_t seed = 0x9e3779b97f4a7c15u;
	int order[MAX_COMMANDS];

	for (int k = 0; k < n; k++)
		order[k] = k;
	for (int run = 0; run < runs; run++) {
		for (int k = n - 1; k > 0; k--) {
			int j, t;
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17; /* xorshift64 */
			j = (int)(seed % (uint64_t)(k + 1));
			t = order[k], order[k] = order[j], order[j] = t;
		}
		for (int k = 0; k < n; k++)
			if (run_once(&commands[order[k]], run, &actions) < 0)
				return 1;
	}
	for (int k = 0; k < n; k++) {
		qsort(commands[k].faults, (size_t)runs, sizeof(double), compare);
		printf("%.0f", commands[k].faults[runs / 2]);
		for (int run = 0; run < runs; run++)
			printf(" %.1f", commands[k].times[run]);
		printf("\n");
	}
	return 0;
}
