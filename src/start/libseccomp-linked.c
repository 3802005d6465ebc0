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

/* The file seccomp_init is in: the shared libseccomp the loader found, or,
 * linked statically, the program, whose libseccomp is the one the build's
 * headers describe. */
bool as_libseccomp_file(struct stat *ret)
{
	Dl_info info;

	return dladdr((void *)seccomp_init, &info) != 0 && info.dli_fname != NULL && stat(info.dli_fname, ret) == 0;
}
