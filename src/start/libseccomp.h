/* How the stages reach libseccomp, chosen by the Makefile: the shared
 * object loads it only when it compiles a profile (libseccomp-lazy.c), so
 * that a start from the precompiled table or the cache does not pay for
 * loading it; the archive and the command link it (libseccomp-linked.c). */
#ifndef AS_LIBSECCOMP_H
#define AS_LIBSECCOMP_H

#include <stdbool.h>
#include <sys/stat.h>

#include "error.h"

/* Make libseccomp's functions callable before the first of them is. */
int as_libseccomp_load(struct as_error *err);

/* The status of the file libseccomp is loaded from, or will be, for the
 * cache's key: a libseccomp upgraded under this library may know syscall
 * names the one it was built with did not, and compile a profile
 * otherwise.  False where that file cannot be told: then no cache serves. */
bool as_libseccomp_file(struct stat *ret);

#endif
