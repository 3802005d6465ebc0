/* libseccomp linked in: its functions are callable from the start. */
#include <dlfcn.h>
#include <seccomp.h>
#include <string.h>

#include "libseccomp.h"

int as_libseccomp_load(struct as_error *err)
{
	(void)err;
	return 0;
}

/* The file seccomp_init is in: the shared libseccomp the loader found, by
 * its path.  Linked statically, libseccomp is the one the build's headers
 * describe, which the key holds already: there dladdr finds no file, or
 * names the program as it was started, and the status is left empty. */
bool as_libseccomp_file(struct stat *ret)
{
	Dl_info info;

	if (dladdr((void *)seccomp_init, &info) != 0 && info.dli_fname != NULL && info.dli_fname[0] == '/' &&
	    strstr(info.dli_fname, "libseccomp") != NULL)
		return stat(info.dli_fname, ret) == 0;
	memset(ret, 0, sizeof(*ret));
	return true;
}
