/* fork-during-apply PROFILE: a thread calls autoseccomp_apply(PROFILE), and
 * the main thread forks while that call is under way, held where it reads
 * PROFILE's status (statx, which this program defines over the C
 * library's).  The child then applies the built-in profile itself and tries
 * keyctl, which that profile denies; it prints "child apply=R keyctl=E",
 * R autoseccomp_apply's result and E keyctl's errno. */
#include <autoseccomp.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *held_path;
static int entered[2], released[2];
static volatile int forked;

/* Visible, so that the library's call comes here (the build hides symbols). */
__attribute__((visibility("default"))) int statx(int dir, const char *path, int flags, unsigned int mask,
						struct statx *buf)
{
	char byte = 0;

	if (!forked && held_path != NULL && strcmp(path, held_path) == 0) {
		(void)!write(entered[1], &byte, 1);
		(void)!read(released[0], &byte, 1);
	}
	return (int)syscall(SYS_statx, dir, path, flags, mask, buf);
}

static void *apply_held(void *profile)
{
	char message[512];

	autoseccomp_apply(profile, message, sizeof(message));
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t thread;
	char byte = 0, message[512];
	int status;
	pid_t child;

	if (argc != 2 || pipe(entered) < 0 || pipe(released) < 0)
		return 2;
	held_path = argv[1];
	if (pthread_create(&thread, NULL, apply_held, argv[1]) != 0 || read(entered[0], &byte, 1) != 1)
		return 2;
	child = fork();
	if (child == 0) {
		int r;
		long k;
		forked = 1;
		r = autoseccomp_apply(NULL, message, sizeof(message));
		k = syscall(SYS_keyctl, 0, -3, 0, 0, 0);
		printf("child apply=%d keyctl=%d\n", r, k < 0 ? errno : 0);
		fflush(stdout);
		_exit(0);
	}
	if (child < 0 || waitpid(child, &status, 0) < 0)
		return 2;
	(void)!write(released[1], &byte, 1);
	pthread_join(thread, NULL);
	return 0;
}
