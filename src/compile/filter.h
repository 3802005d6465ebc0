/* Stage 5: the BPF program.  libseccomp compiles the resolved rules;
 * runc's ENOSYS stub goes in front. */
#ifndef AS_FILTER_H
#define AS_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "program.h"
#include "resolve.h"

/* The shape of libseccomp's program.  Both shapes make the same decisions
 * (the tests compare them at every point); they differ in what they cost.
 * AS_BPF_AS_RUNC is what runc and crun install: a binary tree over the
 * syscall numbers above 32 rules.  AS_BPF_LINEAR tests one number after
 * another and is generated in about two thirds of the time: the rewrite
 * (optimize.h) reads it, and keeps nothing of its shape. */
enum as_bpf_shape { AS_BPF_AS_RUNC, AS_BPF_LINEAR };

/* Whether the two shapes differ for RESOLVED: runc asks for the tree only
 * above 32 rules. */
bool as_bpf_shapes_differ(const struct as_resolved *resolved);

/* libseccomp's filter for RESOLVED on HOST, its rules added, to export in
 * one shape or both: the rules are a quarter to a third of a compile of
 * Docker's profile, and the same for either shape.  Both stay the caller's, and in
 * place, until as_bpf_filter_close, which releases what libseccomp
 * allocated.  A profile that expands to more than libseccomp compiles in
 * good time is refused first, with -E2BIG at the rule that crosses the
 * bound. */
struct as_bpf_filter {
	const struct as_resolved *resolved;
	const struct as_host *host;
	void *ctx; /* libseccomp's scmp_filter_ctx */
};

int as_bpf_filter_open(const struct as_resolved *resolved, const struct as_host *host, struct as_bpf_filter *ret,
		       struct as_error *err);

/* FILTER's program in SHAPE, runc's ENOSYS stub first, into RET.  On error
 * RET is left partly written. */
int as_bpf_export(const struct as_bpf_filter *filter, enum as_bpf_shape shape, struct as_bpf *ret,
		  struct as_error *err);

/* Releases FILTER's libseccomp state; a filter zeroed or closed is left as
 * it is. */
void as_bpf_filter_close(struct as_bpf_filter *filter);

#define _cleanup_bpf_filter_ __attribute__((cleanup(as_bpf_filter_close)))

/* All three in one, for a caller that wants one shape. */
int as_bpf_compile(const struct as_resolved *resolved, const struct as_host *host, enum as_bpf_shape shape,
		   struct as_bpf *ret, struct as_error *err);

#endif
