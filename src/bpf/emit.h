/* Hand-built BPF: instructions appended to a caller-owned array, jumps to
 * named labels, and one pass at the end that turns every label into an
 * offset.  The ENOSYS stub (filter.c) and the rewrite (optimize.c) are both
 * written through it.  BPF jumps only forward, so a label is always bound
 * after the jumps to it. */
#ifndef AS_EMIT_H
#define AS_EMIT_H

#include <linux/filter.h>
#include <stdint.h>

/* A jump's target, as as_emit_jump takes it: a label, or a plain offset
 * (0 is the next instruction) for targets the caller knows. */
#define AS_EMIT_LABEL_BIT (1u << 31)
#define AS_EMIT_TO(label) (AS_EMIT_LABEL_BIT | (label))

enum as_emit_branch { AS_EMIT_JT, AS_EMIT_JF, AS_EMIT_K };

/* A branch of the instruction at AT that goes to LABEL once resolved. */
struct as_emit_ref {
	unsigned int at, label;
	enum as_emit_branch branch;
};

/* Three caller-owned arrays and how far each is used.  ERROR holds the
 * first failure (a negative errno), after which nothing more is written:
 * callers may emit a whole program and look once, at as_emit_resolve. */
struct as_emitter {
	struct sock_filter *insns;
	unsigned int len, capacity;
	unsigned int *label_at; /* where each label is bound, or AS_EMIT_UNBOUND */
	unsigned int label_count, label_capacity;
	struct as_emit_ref *refs;
	unsigned int ref_count, ref_capacity;
	int error;
};

#define AS_EMIT_UNBOUND UINT32_MAX

/* An emitter writing into INSNS (CAPACITY instructions, at most
 * BPF_MAXINSNS), with the arrays LABELS and REFS, whose sizes it takes. */
#define AS_EMITTER(insns_, capacity_, labels_, refs_)                                                         \
	((struct as_emitter){.insns = (insns_), .capacity = (capacity_), .label_at = (labels_),               \
			     .label_capacity = sizeof(labels_) / sizeof((labels_)[0]), .refs = (refs_),       \
			     .ref_capacity = sizeof(refs_) / sizeof((refs_)[0])})

/* Append INSN: 0, or -E2BIG once the program is full. */
int as_emit(struct as_emitter *e, struct sock_filter insn);

/* Append the conditional jump CODE on K, to JT and JF (AS_EMIT_TO(label) or
 * an offset), or, for BPF_JA, to JT alone. */
int as_emit_jump(struct as_emitter *e, uint16_t code, uint32_t k, unsigned int jt, unsigned int jf);

/* Make BRANCH of the instruction already at AT go to LABEL. */
int as_emit_refer(struct as_emitter *e, unsigned int at, enum as_emit_branch branch, unsigned int label);

/* COUNT new labels, unbound, numbered from the value returned; callers
 * with named labels take them all at once, first. */
unsigned int as_emit_labels(struct as_emitter *e, unsigned int count);

/* Bind LABEL to the next instruction to be appended. */
void as_emit_bind(struct as_emitter *e, unsigned int label);

/* Patch every jump to its label: 0, the first error met while emitting, or
 * -EINVAL for a label never bound or bound behind a jump to it, -E2BIG for
 * a conditional jump further than its 8-bit offset reaches. */
int as_emit_resolve(struct as_emitter *e);

#endif
