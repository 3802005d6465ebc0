/* The same program with its profile locked: SECCOMP_PROFILE is ignored, so
 * whoever starts it can neither replace the profile nor turn it off. */
#include <autoseccomp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

AUTOSECCOMP_EMBED_PROFILE("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			  "{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 100}]}",
			  AUTOSECCOMP_EMBED_LOCKED);

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp/autoseccomp-example";

	if (mkdir(dir, 0700) < 0)
		printf("mkdir %s: %s\n", dir, strerror(errno));
	else
		printf("mkdir %s: allowed\n", dir);
	return 0;
}
