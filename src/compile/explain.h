/* What a compiled filter decides, told in the profile's terms: the verdict
 * for one system call, found by evaluating the BPF program, and the rule of
 * the profile that produced it.  Used by the command-line tool, and by the
 * supervisor that reports denials (start/supervisor.c). */
#ifndef AS_EXPLAIN_H
#define AS_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "filter.h"
#include "error.h"
#include "eval.h"
#include "resolve.h"

#define AS_ENTRY_NAME_SIZE 24

/* One system call entry of an x86_64 kernel, or of another architecture. */
struct as_entry {
	uint32_t arch;       /* libseccomp token: SCMP_ARCH_X86_64, SCMP_ARCH_X32, ... */
	uint32_t audit_arch; /* what seccomp_data.arch holds for it */
	char name[AS_ENTRY_NAME_SIZE]; /* "x86_64", "x86", "x32", ... */
};

/* The entry named NAME ("x86_64", "x86", "x32", "aarch64", ...) or with
 * libseccomp token ARCH. */
int as_entry_by_name(const char *name, struct as_entry *ret);
int as_entry_by_arch(uint32_t arch, struct as_entry *ret);

/* Every entry the filter covers: the native one, then the profile's. */
unsigned int as_entries_of(const struct as_resolved *resolved, const struct as_host *host,
			   struct as_entry *ret, unsigned int capacity);

struct as_decision {
	struct as_verdict verdict;
	enum { AS_BY_STUB, AS_BY_RULE, AS_BY_DEFAULT, AS_BY_MERGE, AS_BY_BAD_ARCH } by;
	unsigned int pos;  /* where in the profile, for AS_BY_RULE and AS_BY_DEFAULT */
	bool conditional;  /* some rule for this syscall compares arguments */
};

/* Evaluate syscall NR with ARGS through ENTRY and say why; HOST tells which
 * architectures the filter covers. */
int as_explain(const struct as_bpf *bpf, const struct as_resolved *resolved, const struct as_host *host,
	       const struct as_entry *entry, int nr, const uint64_t args[6], struct as_decision *ret,
	       struct as_error *err);

/* Which part of the profile made decision D, in words: "rule at
 * SOURCE_NAME:LINE:COLUMN", "ENOSYS stub (...)" and the like; TEXT is the
 * profile's bytes, to find the line in. */
void as_decision_describe(const struct as_decision *d, const char *source_name, const char *text, size_t text_len,
			  char *buf, size_t len);

/* "SCMP_ACT_ERRNO" and the like, for a SECCOMP_RET_* value, its data aside. */
const char *as_action_name(uint32_t action);

/* "SCMP_ACT_ERRNO(EPERM)" and the like, for a SECCOMP_RET_* value. */
void as_action_format(uint32_t action, char *buf, size_t len);


#endif
