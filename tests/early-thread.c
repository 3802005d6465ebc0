/* A library whose constructor starts a thread before autoseccomp's runs, as a
 * host program's own libraries may.  The thread notes whether it started
 * unconfined, then waits until the probe releases it to try EARLY_THREAD_DIR's
 * mkdir and report what the kernel answered. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t released_cond = PTHREAD_COND_INITIALIZER;
static int started, released;
static char seccomp_at_start[64] = "unknown";

static void read_seccomp(char *buf, size_t size)
{
	char line[128];
	FILE *f = fopen("/proc/thread-self/status", "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Seccomp:", 8) == 0)
			snprintf(buf, size, "%d", atoi(line + 8));
	fclose(f);
}

static void *run(void *unused)
{
	char now[64] = "unknown";
	const char *dir = getenv("EARLY_THREAD_DIR");
	long r;

	(void)unused;
	read_seccomp(seccomp_at_start, sizeof(seccomp_at_start));
	pthread_mutex_lock(&lock);
	started = 1;
	pthread_cond_broadcast(&released_cond);
	while (!released)
		pthread_cond_wait(&released_cond, &lock);
	pthread_mutex_unlock(&lock);
	read_seccomp(now, sizeof(now));
	r = syscall(SYS_mkdir, dir ? dir : "/nonexistent/early-thread", 0700);
	printf("early-thread started-seccomp=%s now-seccomp=%s mkdir ret=%ld errno=%d\n", seccomp_at_start, now, r,
	       r < 0 ? errno : 0);
	fflush(stdout);
	return NULL;
}

__attribute__((constructor)) static void start(void)
{
	/* The constructor returns only once the thread runs, so the thread
	 * exists, unconfined, before any later constructor. */
	if (pthread_create(&thread, NULL, run, NULL) != 0)
		abort();
	pthread_mutex_lock(&lock);
	while (!started)
		pthread_cond_wait(&released_cond, &lock);
	pthread_mutex_unlock(&lock);
}

/* Called by the probe, through dlsym, once main runs. */
__attribute__((visibility("default"))) void early_thread_release(void)
{
	pthread_mutex_lock(&lock);
	released = 1;
	pthread_cond_broadcast(&released_cond);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
}
