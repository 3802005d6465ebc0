/* A BPF program: one being built, in a fixed array, and one to install,
 * wherever its instructions live. */
#ifndef AS_PROGRAM_H
#define AS_PROGRAM_H

#include <linux/filter.h>
#include <stdint.h>

struct as_bpf {
	uint32_t flags; /* SECCOMP_FILTER_FLAG_* to load it with, TSYNC excluded */
	unsigned int len;
	unsigned int stub_len; /* the ENOSYS stub's instructions, first in insns */
	struct sock_filter insns[BPF_MAXINSNS];
};

/* A program to install, wherever its instructions live: in an as_bpf, in
 * the precompiled table, in a cache entry.  The start-up installs it from
 * where it is: every page a preloaded process writes costs it a fault. */
struct as_program {
	const struct sock_filter *insns;
	unsigned int len;
	uint32_t flags; /* as in as_bpf */
};

static inline struct as_program as_bpf_program(const struct as_bpf *bpf)
{
	return (struct as_program){bpf->insns, bpf->len, bpf->flags};
}

#endif
