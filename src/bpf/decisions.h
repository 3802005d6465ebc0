/* The analysis of the rewrite (optimize.h): libseccomp's program read as a
 * decision table.  The program is read as a function of (arch, nr) until it
 * first loads an argument.  Both 32-bit words are cut into pieces at every
 * constant the program compares with (and the one after it), so no
 * comparison can tell two values of a piece apart; the flow checks that this
 * holds, and the rewrite is abandoned the moment it does not.  What the
 * program does once it loads an argument is left to the rewrite to copy. */
#ifndef AS_DECISIONS_H
#define AS_DECISIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "program.h"

#define AS_MAX_BREAKS 4096
#define AS_MAX_SECTIONS 8
#define AS_SET_WORDS (AS_MAX_BREAKS / 64)
#define AS_MAX_PENDING 128

enum { AS_OFF_NR = 0, AS_OFF_ARCH = 4, AS_OFF_ARGS = 16 };

struct as_interval {
	uint64_t lo, hi; /* [lo, hi) */
};

/* Where a piece's path ends: a return value, the first argument load, or,
 * for an architecture, a comparison of the syscall number. */
struct as_leaf {
	enum { AS_LEAF_NONE, AS_LEAF_RET, AS_LEAF_SUB, AS_LEAF_SECTION } kind;
	uint32_t value; /* the returned value, the load's pc, or the section's index */
};

enum as_accumulator { AS_ACC_NONE, AS_ACC_ARCH, AS_ACC_NR };

/* Pieces on their way to one instruction, a bit each, and what the
 * accumulator holds there. */
struct as_pending {
	uint64_t bits[AS_SET_WORDS];
	enum as_accumulator acc;
};

struct as_range {
	uint32_t start;
	struct as_leaf leaf;
};

/* The decisions of one program: per architecture, the ranges of the
 * audit architecture's values; per section (an architecture for which the syscall
 * number decides), the ranges of the number.  A range ends in a return, an
 * argument check (the pc of its first load) or, for an architecture, its
 * section.  Large: it lives in the caller's workspace, and only the
 * counters are cleared, so pages past what a program uses stay untouched. */
struct as_decisions {
	const struct as_bpf *in;
	uint32_t breaks[AS_MAX_BREAKS];
	unsigned int break_count;
	struct as_range nr_ranges[AS_MAX_SECTIONS][AS_MAX_BREAKS];
	unsigned int nr_range_count[AS_MAX_SECTIONS];
	struct as_range arch_ranges[AS_MAX_BREAKS];
	unsigned int arch_range_count, section_count;
	uint32_t section_arch[AS_MAX_SECTIONS];
	/* The flow's working memory. */
	struct as_leaf leaf_of[AS_MAX_BREAKS];
	uint16_t slot_of[BPF_MAXINSNS];
	uint16_t free_slots[AS_MAX_PENDING];
	unsigned int free_count, words;
	uint64_t live[AS_SET_WORDS];
	struct as_pending pending[AS_MAX_PENDING];
};

/* Read IN into RET: 0, or a negative errno for a shape this analysis does
 * not prove. */
int as_decisions_read(const struct as_bpf *in, struct as_decisions *ret);

/* Appends [START, ...) with LEAF, merging it into the previous range. */
void as_decisions_add_range(struct as_range *ranges, unsigned int *count, uint32_t start, struct as_leaf leaf);

/* The argument check of PROGRAM entered at pc ENTRY, as the set of instructions
 * it can reach, marked in REACHED (PROGRAM->len entries); it must read nothing
 * but arguments. */
int as_decisions_reach(const struct as_bpf *program, uint32_t entry, bool *reached);

/* Whether OUT, LEN instructions, decides as D's input does: at the start of
 * every range (OUT compares the syscall number with ranges' starts only, so
 * it decides each range as it decides its start), and in the argument
 * checks at their constants.  REACHED is working memory of BPF_MAXINSNS.
 * The analysis was exact; this catches a fault in the emission. */
bool as_decisions_check(const struct as_decisions *d, const struct sock_filter *out, unsigned int len, bool *reached);

#endif
