/* A program that carries its own profile instead of Docker's default: linked
 * with libautoseccomp.a, it is confined before main, with no LD_PRELOAD.
 * SECCOMP_PROFILE still chooses another profile, or none. */
#include <autoseccomp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

AUTOSECCOMP_EMBED_PROFILE("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			  "{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 100}]}",
			  0);

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp/autoseccomp-example";

	if (mkdir(dir, 0700) < 0)
		printf("mkdir %s: %s\n", dir, strerror(errno));
	else
		printf("mkdir %s: allowed\n", dir);
	return 0;
}
