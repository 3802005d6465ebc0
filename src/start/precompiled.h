/* Built-in filters compiled when the library was built, one per capability
 * state that matters, so that the common start-up skips libseccomp. */
#ifndef AS_PRECOMPILED_H
#define AS_PRECOMPILED_H

#include <stdbool.h>

#include "host.h"
#include "program.h"

/* A row of the table src/precompile.c generates. */
struct precompiled {
	uint64_t caps; /* the capabilities held, among those the profile names */
	uint32_t flags;
	const struct sock_filter *insns;
	unsigned int len;
};

/* The program the library's default profile compiles to on HOST, if it was
 * compiled at build time for HOST's state, in place in the table; false
 * otherwise, and the caller compiles the embedded JSON. */
bool as_precompiled_find(const struct as_host *host, struct as_program *ret);

#endif
