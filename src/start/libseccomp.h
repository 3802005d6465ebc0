/* How the stages reach libseccomp, chosen by the Makefile: the shared
 * object loads it only when it compiles a profile (libseccomp-lazy.c), so
 * that a start from the precompiled table or the cache does not pay for
 * loading it; the archive and the command link it (libseccomp-linked.c). */
#ifndef AS_LIBSECCOMP_H
#define AS_LIBSECCOMP_H

#include "error.h"

/* Make libseccomp's functions callable before the first of them is. */
int as_libseccomp_load(struct as_error *err);

#endif
