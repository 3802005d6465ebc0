/* probe-api PROFILE [PROFILE...] [DIR]: calls autoseccomp_apply with each
 * PROFILE in turn ("NULL" for NULL), printing each result and message, then
 * tries mkdir DIR and prints the errno.  With two arguments the second is DIR. */
#include <autoseccomp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	int profiles = argc > 2 ? argc - 2 : argc - 1;

	for (int i = 1; i <= profiles || i == 1; i++) {
		char message[512] = "unchanged";
		const char *profile = i < argc && strcmp(argv[i], "NULL") != 0 ? argv[i] : NULL;
		int r = autoseccomp_apply(profile, message, sizeof(message));
		printf("apply=%d message=%s\n", r, message);
	}
	if (argc > 2) {
		int m = mkdir(argv[argc - 1], 0700);
		printf("mkdir ret=%d errno=%d\n", m, m < 0 ? errno : 0);
	}
	printf("version=%s\n", autoseccomp_version());
	return 0;
}
