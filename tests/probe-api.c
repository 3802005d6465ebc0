/* Calls autoseccomp_apply with argv[1] (or NULL), prints its result and
 * message, then tries mkdir argv[2] and prints the errno. */
#include <autoseccomp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	char message[512] = "unchanged";
	int r = autoseccomp_apply(argc > 1 && strcmp(argv[1], "NULL") != 0 ? argv[1] : NULL, message, sizeof(message));

	printf("apply=%d message=%s\n", r, message);
	if (argc > 2) {
		int m = mkdir(argv[2], 0700);
		printf("mkdir ret=%d errno=%d\n", m, m < 0 ? errno : 0);
	}
	printf("version=%s\n", autoseccomp_version());
	return 0;
}
