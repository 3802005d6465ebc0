/* A smaller program with exactly the decisions of libseccomp's: the
 * syscall-number dispatch rebuilt as a balanced range tree, with short
 * chains of JEQs for single numbers among neighbours that decide alike, the
 * argument checks copied as they are.  The kernel's cost to attach a filter grows
 * with its length, so every start pays for libseccomp's size. */
#ifndef AS_OPTIMIZE_H
#define AS_OPTIMIZE_H

#include <stdbool.h>

#include "decisions.h"
#include "emit.h"
#include "program.h"

#define AS_MAX_SUBS 256

/* A subtree at most this long (returns included) is emitted compact: its
 * leaves that return share one instruction per value, placed right after it,
 * within reach of every conditional jump in it. */
#define AS_COMPACT_LIMIT 240

/* The values a compact subtree's jumps return, in the order first jumped
 * to, each with the label of its return in the island. */
struct as_island {
	uint32_t value[AS_COMPACT_LIMIT];
	unsigned int label[AS_COMPACT_LIMIT];
	unsigned int count;
};

/* Labels: a right subtree's start or an island's return per jump at most,
 * and one per section and per argument check. */
#define AS_MAX_LABELS (2 * BPF_MAXINSNS + AS_MAX_SECTIONS + AS_MAX_SUBS)

/* The rewrite's working memory, the caller's: about 600 KB, of which a
 * program writes only as much as it uses (in static storage or scratch
 * memory, the rest stays untouched). */
struct as_optimizer {
	struct as_decisions decisions; /* the input, read */
	uint32_t subs[AS_MAX_SUBS]; /* entry pcs of the argument checks, in the input */
	unsigned int sub_count;
	unsigned int section_label[AS_MAX_SECTIONS], sub_label[AS_MAX_SUBS];
	struct as_emitter e; /* writing out */
	struct sock_filter out[BPF_MAXINSNS];
	unsigned int labels[AS_MAX_LABELS];
	struct as_emit_ref refs[2 * BPF_MAXINSNS];
	/* Working arrays of single steps. */
	bool reached[BPF_MAXINSNS];
	unsigned int new_pc[BPF_MAXINSNS];
	struct as_island island;
	struct as_range others[AS_MAX_BREAKS];
};

/* Rewrite BPF in place when the rewrite is shorter, and return true.  Leave
 * it as it is and return false when it is not, or when the program has a
 * shape this rewrite does not prove: the input is always a correct answer.
 * The audit architecture FIRST_ARCH, the host's own, gets the shortest path.
 * *REWRITE_LEN is set to the rewrite's length, or to 0 when none could be
 * built: the input's shape changes it only through the argument checks it
 * copies.  WORK is the rewrite's memory, kept by the caller. */
bool as_optimize(struct as_bpf *bpf, uint32_t first_arch, struct as_optimizer *work, unsigned int *rewrite_len);

#endif
