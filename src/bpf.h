/* Stage 5: the BPF program.  libseccomp compiles the resolved rules as runc
 * has it do; runc's ENOSYS stub goes in front. */
#ifndef AS_BPF_H
#define AS_BPF_H

#include <linux/filter.h>
#include <stdint.h>

#include "error.h"
#include "resolve.h"

struct as_bpf {
	uint32_t flags; /* SECCOMP_FILTER_FLAG_* to load it with, TSYNC excluded */
	unsigned int len;
	unsigned int stub_len; /* the ENOSYS stub's instructions, first in insns */
	struct sock_filter insns[BPF_MAXINSNS];
};

/* Compile RESOLVED into RET.  Everything libseccomp allocated is released
 * before this returns.  On error RET is left partly written. */
int as_bpf_compile(const struct as_resolved *resolved, const struct as_host *host, struct as_bpf *ret,
		   struct as_error *err);

#endif
