/* The host a filter is built for: what Docker's per-host decisions read
 * (architecture, capabilities, kernel), and what the cache and the
 * precompiled table key their programs by. */
#ifndef AS_HOST_H
#define AS_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct as_host {
	const char *arch_name; /* Docker's name for the build's architecture: "amd64" */
	uint32_t native_arch;  /* its libseccomp token */
	uint64_t permitted;    /* capability sets, bit N for capability N */
	uint64_t effective;
	bool kernel_known;
	unsigned int kernel_major, kernel_minor;
	char kernel_release[65]; /* uname's, whole: the cache's keys hold it; "" if unknown */
};

/* Read the running process's architecture, capabilities and kernel. */
int as_host_detect(struct as_host *ret, struct as_error *err);

#endif
