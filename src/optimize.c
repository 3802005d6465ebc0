#include "optimize.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "eval.h"
#include "scratch.h"

/* The input is read as a function of (arch, nr) until it first loads an
 * argument.  Both 32-bit words are cut into pieces at every constant the
 * program compares with (and the one after it), so no comparison can tell two
 * values of a piece apart; the flow checks that this holds, and the rewrite
 * is abandoned the moment it does not.  What the program does once it loads
 * an argument is copied verbatim. */

#define MAX_BREAKS 4096
#define MAX_SECTIONS 8
#define MAX_SUBS 256
#define SET_WORDS (MAX_BREAKS / 64)
#define MAX_PENDING 128
#define NO_SLOT UINT16_MAX

enum { OFF_NR = 0, OFF_ARCH = 4, OFF_ARGS = 16 };

struct interval {
	uint64_t lo, hi; /* [lo, hi) */
};

/* Where a piece's path ends: a return value, the first argument load, or,
 * for an architecture, a comparison of the syscall number. */
struct leaf {
	enum { LEAF_NONE, LEAF_RET, LEAF_SUB, LEAF_SECTION } kind;
	uint32_t value; /* the returned value, the load's pc, or the section's index */
};

enum accumulator { ACC_NONE, ACC_ARCH, ACC_NR };

/* Pieces on their way to one instruction, a bit each, and what the
 * accumulator holds there. */
struct pending {
	uint64_t bits[SET_WORDS];
	enum accumulator acc;
};

struct range {
	uint32_t start;
	struct leaf leaf;
};

/* A subtree at most this long (returns included) is emitted compact: its
 * leaves that return share one instruction per value, placed right after it,
 * within reach of every conditional jump in it. */
#define COMPACT_LIMIT 240

/* The values a compact subtree's jumps return, in the order first jumped
 * to, each with the label of its return in the island. */
struct island {
	uint32_t value[COMPACT_LIMIT];
	unsigned int label[COMPACT_LIMIT];
	unsigned int count;
};

/* Labels: a right subtree's start or an island's return per jump at most,
 * and one per section and per argument check. */
#define MAX_LABELS (2 * BPF_MAXINSNS + MAX_SECTIONS + MAX_SUBS)

struct optimizer {
	const struct as_bpf *in;
	uint32_t breaks[MAX_BREAKS];
	unsigned int break_count;
	struct range nr_ranges[MAX_SECTIONS][MAX_BREAKS];
	unsigned int nr_range_count[MAX_SECTIONS];
	struct range arch_ranges[MAX_BREAKS];
	unsigned int arch_range_count, section_count;
	uint32_t section_arch[MAX_SECTIONS];
	uint32_t subs[MAX_SUBS]; /* entry pcs of the argument checks, in the input */
	unsigned int sub_count;
	unsigned int section_label[MAX_SECTIONS], sub_label[MAX_SUBS];
	struct as_emitter e; /* writing out */
	struct sock_filter out[BPF_MAXINSNS];
	unsigned int labels[MAX_LABELS];
	struct as_emit_ref refs[2 * BPF_MAXINSNS];
	/* Working arrays of single steps. */
	bool reached[BPF_MAXINSNS];
	unsigned int new_pc[BPF_MAXINSNS];
	struct island island;
	struct range others[MAX_BREAKS];
	/* The flow. */
	struct leaf leaf_of[MAX_BREAKS];
	uint16_t slot_of[BPF_MAXINSNS];
	uint16_t free_slots[MAX_PENDING];
	unsigned int free_count, words;
	uint64_t live[SET_WORDS];
	struct pending pending[MAX_PENDING];
};

static void add_break(struct optimizer *o, uint64_t value)
{
	if (value < UINT32_MAX + 1ull && o->break_count < MAX_BREAKS)
		o->breaks[o->break_count++] = (uint32_t)value;
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Breakpoints: every compared constant and its successor, and the 2^30
 * boundaries a single-bit JSET of a syscall number can tell apart. */
static int collect_breaks(struct optimizer *o)
{
	o->break_count = 0;
	add_break(o, 0);
	for (uint64_t b = 1ull << 30; b < (1ull << 32); b += 1ull << 30)
		add_break(o, b);
	for (unsigned int pc = 0; pc < o->in->len; pc++) {
		const struct sock_filter *in = &o->in->insns[pc];
		if (BPF_CLASS(in->code) != BPF_JMP || BPF_OP(in->code) == BPF_JA)
			continue;
		add_break(o, in->k);
		add_break(o, (uint64_t)in->k + 1);
	}
	if (o->break_count >= MAX_BREAKS)
		return -E2BIG;
	qsort(o->breaks, o->break_count, sizeof(o->breaks[0]), compare_u32);
	unsigned int n = 0;
	for (unsigned int i = 0; i < o->break_count; i++)
		if (n == 0 || o->breaks[i] != o->breaks[n - 1])
			o->breaks[n++] = o->breaks[i];
	o->break_count = n;
	return 0;
}

/* Whether every value of IV takes the same branch: -1 when they differ. */
static int branch(const struct sock_filter *in, struct interval iv)
{
	uint64_t k = in->k, last = iv.hi - 1;

	switch (BPF_OP(in->code)) {
	case BPF_JEQ:
		if (iv.lo == k && last == k)
			return 1;
		return (k < iv.lo || k > last) ? 0 : -1;
	case BPF_JGT:
		return iv.lo > k ? 1 : last <= k ? 0 : -1;
	case BPF_JGE:
		return iv.lo >= k ? 1 : last < k ? 0 : -1;
	case BPF_JSET:
		/* Exact only for one bit at 2^30 or above, whose blocks the
		 * breakpoints align with. */
		if (k < (1u << 30) || (k & (k - 1)) != 0 || (iv.lo & k) != ((last) & k))
			return -1;
		return (iv.lo & k) != 0;
	default:
		return -1;
	}
}

static bool same_leaf(struct leaf a, struct leaf b)
{
	return a.kind == b.kind && a.value == b.value;
}

/* Appends [START, ...) with LEAF, merging it into the previous range. */
static void add_range(struct range *ranges, unsigned int *count, uint32_t start, struct leaf leaf)
{
	if (*count > 0 && same_leaf(ranges[*count - 1].leaf, leaf))
		return;
	ranges[(*count)++] = (struct range){start, leaf};
}

static struct interval piece(const struct optimizer *o, unsigned int i)
{
	return (struct interval){o->breaks[i], i + 1 < o->break_count ? o->breaks[i + 1] : 1ull << 32};
}

/* The index of the piece that starts at VALUE, which must be a breakpoint;
 * the piece count for 2^32. */
static int piece_at(const struct optimizer *o, uint64_t value, unsigned int *ret)
{
	uint32_t key = (uint32_t)value;
	const uint32_t *found;

	if (value > UINT32_MAX) {
		*ret = o->break_count;
		return 0;
	}
	found = bsearch(&key, o->breaks, o->break_count, sizeof(o->breaks[0]), compare_u32);
	if (found == NULL)
		return -EINVAL;
	*ret = (unsigned int)(found - o->breaks);
	return 0;
}

/* The bits of word W of a set that stand for pieces FROM to TO - 1. */
static uint64_t range_bits(unsigned int w, unsigned int from, unsigned int to)
{
	unsigned int lo = from > w * 64 ? from - w * 64 : 0, hi = to > w * 64 ? to - w * 64 : 0;

	if (hi > 64)
		hi = 64;
	if (lo >= hi)
		return 0;
	return (hi == 64 ? ~0ull : (1ull << hi) - 1) & ~((1ull << lo) - 1);
}

/* Moves the pieces of the live set that take the jump IN to TAKEN. */
static int split_live(struct optimizer *o, const struct sock_filter *in, uint64_t *taken)
{
	unsigned int from, to = o->break_count;
	int r;

	switch (BPF_OP(in->code)) {
	case BPF_JEQ:
		r = piece_at(o, in->k, &from);
		to = from + 1;
		break;
	case BPF_JGT:
		r = piece_at(o, (uint64_t)in->k + 1, &from);
		break;
	case BPF_JGE:
		r = piece_at(o, in->k, &from);
		break;
	default:
		/* JSET, piece by piece: rare, and exact only where branch() says so. */
		r = 0;
		from = to = 0;
		memset(taken, 0, o->words * sizeof(taken[0]));
		for (unsigned int i = 0; i < o->break_count && r == 0; i++) {
			int t = (o->live[i / 64] >> (i % 64)) & 1 ? branch(in, piece(o, i)) : 0;
			if (t < 0)
				r = -EINVAL;
			taken[i / 64] |= (uint64_t)(t > 0) << (i % 64);
		}
	}
	if (r < 0)
		return r;
	for (unsigned int w = 0; w < o->words; w++) {
		if (from < to)
			taken[w] = o->live[w] & range_bits(w, from, to);
		o->live[w] &= ~taken[w];
	}
	return 0;
}

static bool set_empty(const struct optimizer *o, const uint64_t *set)
{
	for (unsigned int w = 0; w < o->words; w++)
		if (set[w] != 0)
			return false;
	return true;
}

/* Adds SET to the pieces on their way to pc TO. */
static int send(struct optimizer *o, unsigned int to, const uint64_t *set, enum accumulator acc)
{
	struct pending *p;

	if (to >= o->in->len)
		return -EINVAL;
	if (set_empty(o, set))
		return 0;
	if (o->slot_of[to] == NO_SLOT) {
		if (o->free_count == 0)
			return -E2BIG;
		o->slot_of[to] = o->free_slots[--o->free_count];
		p = &o->pending[o->slot_of[to]];
		memcpy(p->bits, set, o->words * sizeof(set[0]));
		p->acc = acc;
		return 0;
	}
	p = &o->pending[o->slot_of[to]];
	/* Paths that meet must agree on what the accumulator holds. */
	if (p->acc != acc)
		return -EINVAL;
	for (unsigned int w = 0; w < o->words; w++)
		p->bits[w] |= set[w];
	return 0;
}

/* Every live piece ends in LEAF. */
static void end_live(struct optimizer *o, struct leaf leaf)
{
	for (unsigned int w = 0; w < o->words; w++)
		for (uint64_t bits = o->live[w]; bits != 0; bits &= bits - 1)
			o->leaf_of[w * 64 + (unsigned int)__builtin_ctzll(bits)] = leaf;
}

/* The pieces that reach pc PC, taken into o->live. */
static bool take_pending(struct optimizer *o, unsigned int pc, enum accumulator *acc)
{
	uint16_t slot = o->slot_of[pc];

	if (slot == NO_SLOT)
		return false;
	memcpy(o->live, o->pending[slot].bits, o->words * sizeof(o->live[0]));
	*acc = o->pending[slot].acc;
	o->slot_of[pc] = NO_SLOT;
	o->free_slots[o->free_count++] = slot;
	return true;
}

static int flow_step(struct optimizer *o, unsigned int pc, enum accumulator acc, enum accumulator over,
		     struct interval other)
{
	const struct sock_filter *in = &o->in->insns[pc];
	uint64_t taken[SET_WORDS];
	int r, t;

	switch (BPF_CLASS(in->code)) {
	case BPF_RET:
		if (BPF_RVAL(in->code) != BPF_K)
			return -EINVAL;
		end_live(o, (struct leaf){LEAF_RET, in->k});
		return 0;
	case BPF_LD:
		if (BPF_MODE(in->code) != BPF_ABS || BPF_SIZE(in->code) != BPF_W)
			return -EINVAL;
		if (in->k >= OFF_ARGS && in->k < sizeof(struct seccomp_data)) {
			end_live(o, (struct leaf){LEAF_SUB, pc});
			return 0;
		}
		if (in->k != OFF_NR && in->k != OFF_ARCH)
			return -EINVAL;
		return send(o, pc + 1, o->live, in->k == OFF_NR ? ACC_NR : ACC_ARCH);
	case BPF_JMP:
		if (BPF_OP(in->code) == BPF_JA)
			return send(o, pc + 1 + in->k, o->live, acc);
		if (BPF_SRC(in->code) != BPF_K || acc == ACC_NONE)
			return -EINVAL;
		if (acc == over) {
			r = split_live(o, in, taken);
			if (r == 0)
				r = send(o, pc + 1 + in->jt, taken, acc);
			return r < 0 ? r : send(o, pc + 1 + in->jf, o->live, acc);
		}
		t = branch(in, other);
		if (t >= 0)
			return send(o, pc + 1 + (t ? in->jt : in->jf), o->live, acc);
		/* The architectures for which the syscall number decides. */
		if (over != ACC_ARCH)
			return -EINVAL;
		end_live(o, (struct leaf){LEAF_SECTION, 0});
		return 0;
	default:
		return -EINVAL;
	}
}

/* The leaf of every piece of one word of the input, the architecture or
 * the syscall number (OVER), with the other word in OTHER, into o->leaf_of.
 * All pieces walk the program at once, as sets split at each comparison:
 * one pass over it, whatever its shape.  Jumps only go forward, so every
 * set is complete when its instruction comes. */
static int flow(struct optimizer *o, enum accumulator over, struct interval other)
{
	enum accumulator acc = ACC_NONE;
	int r;

	o->words = (o->break_count + 63) / 64;
	o->free_count = 0;
	for (unsigned int i = MAX_PENDING; i-- > 0;)
		o->free_slots[o->free_count++] = (uint16_t)i;
	memset(o->slot_of, 0xff, o->in->len * sizeof(o->slot_of[0]));
	for (unsigned int i = 0; i < o->break_count; i++)
		o->leaf_of[i] = (struct leaf){LEAF_NONE, 0};
	for (unsigned int w = 0; w < o->words; w++)
		o->live[w] = range_bits(w, 0, o->break_count);
	r = send(o, 0, o->live, ACC_NONE);
	for (unsigned int pc = 0; r == 0 && pc < o->in->len; pc++)
		if (take_pending(o, pc, &acc))
			r = flow_step(o, pc, acc, over, other);
	for (unsigned int i = 0; r == 0 && i < o->break_count; i++)
		if (o->leaf_of[i].kind == LEAF_NONE)
			r = -EINVAL;
	return r;
}

static int split_nr(struct optimizer *o, struct interval arch, unsigned int section)
{
	int r = flow(o, ACC_NR, arch);

	o->nr_range_count[section] = 0;
	for (unsigned int i = 0; r == 0 && i < o->break_count; i++)
		add_range(o->nr_ranges[section], &o->nr_range_count[section], o->breaks[i], o->leaf_of[i]);
	return r;
}

static int split_arch(struct optimizer *o)
{
	static const struct interval every_nr = {0, 1ull << 32};
	struct leaf *leaf_of = o->leaf_of;
	int r = flow(o, ACC_ARCH, every_nr);

	o->arch_range_count = o->section_count = 0;
	for (unsigned int i = 0; r == 0 && i < o->break_count; i++) {
		struct interval arch = piece(o, i);
		struct leaf leaf = leaf_of[i];
		if (leaf.kind == LEAF_SECTION) {
			/* The syscall number decides: this arch gets a tree of its own. */
			if (o->section_count == MAX_SECTIONS || arch.hi - arch.lo != 1)
				return -E2BIG;
			leaf.value = o->section_count;
			o->section_arch[o->section_count++] = (uint32_t)arch.lo;
		}
		add_range(o->arch_ranges, &o->arch_range_count, arch.lo, leaf);
	}
	for (unsigned int s = 0; r == 0 && s < o->section_count; s++)
		r = split_nr(o, (struct interval){o->section_arch[s], o->section_arch[s] + 1ull}, s);
	return r;
}

static bool is_ret(const struct range *r)
{
	return r->leaf.kind == LEAF_RET;
}

/* The distinct values the subtree's returning leaves return. */
static unsigned int island_size(const struct range *ranges, unsigned int lo, unsigned int hi)
{
	unsigned int n = 0;

	for (unsigned int i = lo; i < hi; i++) {
		bool seen = false;
		for (unsigned int k = lo; k < i && !seen; k++)
			seen = is_ret(&ranges[k]) && ranges[k].leaf.value == ranges[i].leaf.value;
		n += is_ret(&ranges[i]) && !seen;
	}
	return n;
}

/* A chain: ranges that all return one value, but for single numbers that
 * return others.  Each exception then costs one JEQ, where a search costs
 * two nodes; at most CHAIN_LIMIT of them, to keep paths short.  The
 * number of exceptions, or 0 when LO..HI-1 is no chain. */
#define CHAIN_LIMIT 4

static unsigned int chain_exceptions(const struct range *ranges, unsigned int lo, unsigned int hi)
{
	uint32_t background = ranges[hi - 1].leaf.value;
	unsigned int exceptions = 0;

	/* The last range's width is not known here: it is the background. */
	if (hi - lo < 3 || !is_ret(&ranges[hi - 1]))
		return 0;
	for (unsigned int i = lo; i < hi - 1; i++) {
		if (!is_ret(&ranges[i]))
			return 0;
		if (ranges[i].leaf.value == background)
			continue;
		if (ranges[i + 1].start != ranges[i].start + 1 || ++exceptions > CHAIN_LIMIT)
			return 0;
	}
	return exceptions;
}

/* Length without the island: returning leaves cost nothing, being jumps. */
static unsigned int compact_size(const struct range *ranges, unsigned int lo, unsigned int hi)
{
	unsigned int mid = lo + (hi - lo) / 2, exceptions;

	if (hi - lo == 1)
		return !is_ret(&ranges[lo]);
	exceptions = chain_exceptions(ranges, lo, hi);
	if (exceptions > 0)
		return exceptions;
	return 1 + compact_size(ranges, lo, mid) + compact_size(ranges, mid, hi);
}

static bool fits_compact(const struct range *ranges, unsigned int lo, unsigned int hi)
{
	return compact_size(ranges, lo, hi) + island_size(ranges, lo, hi) <= COMPACT_LIMIT;
}

static unsigned int tree_size(const struct range *ranges, unsigned int lo, unsigned int hi)
{
	unsigned int mid, left;

	if (fits_compact(ranges, lo, hi))
		return compact_size(ranges, lo, hi) + island_size(ranges, lo, hi);
	mid = lo + (hi - lo) / 2;
	left = tree_size(ranges, lo, mid);
	/* A left subtree out of a conditional jump's reach gets a JA over it. */
	return 1 + (left > 255) + left + tree_size(ranges, mid, hi);
}

static int emit_leaf(struct optimizer *o, struct leaf leaf, bool in_section)
{
	unsigned int label;

	if (leaf.kind == LEAF_RET)
		return as_emit(&o->e, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, leaf.value));
	/* Sections hang off the arch tree, argument checks off the nr trees. */
	if ((leaf.kind == LEAF_SECTION) == in_section)
		return -EINVAL;
	label = leaf.kind == LEAF_SECTION ? o->section_label[leaf.value] : o->sub_label[leaf.value];
	return as_emit_jump(&o->e, BPF_JMP | BPF_JA, 0, AS_EMIT_TO(label), 0);
}

/* The label of VALUE's return in ISLAND, taken on its first use. */
static unsigned int island_label(struct optimizer *o, struct island *island, uint32_t value)
{
	for (unsigned int i = 0; i < island->count; i++)
		if (island->value[i] == value)
			return island->label[i];
	island->value[island->count] = value;
	island->label[island->count] = as_emit_labels(&o->e, 1);
	return island->label[island->count++];
}

/* BRANCH of the instruction at AT returns VALUE, from ISLAND. */
static int refer(struct optimizer *o, struct island *island, unsigned int at, enum as_emit_branch branch,
		 uint32_t value)
{
	return as_emit_refer(&o->e, at, branch, island_label(o, island, value));
}

/* One JEQ an exception, each jumping to its value in the island, the last
 * one's other branch to the background's. */
static int emit_chain(struct optimizer *o, const struct range *ranges, unsigned int lo, unsigned int hi,
		      struct island *island)
{
	uint32_t background = ranges[hi - 1].leaf.value;
	int r = 0;

	for (unsigned int i = lo; i < hi - 1 && r == 0; i++) {
		if (ranges[i].leaf.value == background)
			continue;
		r = as_emit_jump(&o->e, BPF_JMP | BPF_JEQ | BPF_K, ranges[i].start,
				 AS_EMIT_TO(island_label(o, island, ranges[i].leaf.value)), 0);
	}
	return r < 0 ? r : refer(o, island, o->e.len - 1, AS_EMIT_JF, background);
}

/* Children that return are jumped to in the island; the others follow the
 * node, left first, as in the plain tree. */
static int emit_compact(struct optimizer *o, const struct range *ranges, unsigned int lo, unsigned int hi,
			bool in_section, struct island *island)
{
	unsigned int mid = lo + (hi - lo) / 2, node = o->e.len, right;
	bool left_returns = mid - lo == 1 && is_ret(&ranges[lo]), right_returns = hi - mid == 1 && is_ret(&ranges[mid]);
	int r;

	if (hi - lo == 1)
		return emit_leaf(o, ranges[lo].leaf, in_section);
	if (chain_exceptions(ranges, lo, hi) > 0)
		return emit_chain(o, ranges, lo, hi, island);
	r = as_emit(&o->e, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ranges[mid].start, 0, 0));
	if (r == 0 && left_returns)
		r = refer(o, island, node, AS_EMIT_JF, ranges[lo].leaf.value);
	else if (r == 0)
		r = emit_compact(o, ranges, lo, mid, in_section, island);
	if (r == 0 && right_returns)
		return refer(o, island, node, AS_EMIT_JT, ranges[mid].leaf.value);
	right = as_emit_labels(&o->e, 1);
	if (r == 0)
		r = as_emit_refer(&o->e, node, AS_EMIT_JT, right);
	as_emit_bind(&o->e, right);
	return r < 0 ? r : emit_compact(o, ranges, mid, hi, in_section, island);
}

static int emit_island(struct optimizer *o, const struct island *island)
{
	int r = 0;

	for (unsigned int i = 0; i < island->count && r == 0; i++) {
		as_emit_bind(&o->e, island->label[i]);
		r = as_emit(&o->e, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, island->value[i]));
	}
	return r;
}

/* A balanced binary search over the ranges' starts: each node sends values
 * at or above its middle start right, the rest on to its left subtree. */
static int emit_tree(struct optimizer *o, const struct range *ranges, unsigned int lo, unsigned int hi,
		     bool in_section)
{
	unsigned int mid, right;
	int r;

	if (hi - lo > 1 && fits_compact(ranges, lo, hi)) {
		o->island.count = 0;
		r = emit_compact(o, ranges, lo, hi, in_section, &o->island);
		return r < 0 ? r : emit_island(o, &o->island);
	}
	if (hi - lo == 1)
		return emit_leaf(o, ranges[lo].leaf, in_section);
	mid = lo + (hi - lo) / 2;
	right = as_emit_labels(&o->e, 1);
	/* A left subtree out of a conditional jump's reach gets a JA over it. */
	if (tree_size(ranges, lo, mid) > 255) {
		r = as_emit_jump(&o->e, BPF_JMP | BPF_JGE | BPF_K, ranges[mid].start, 0, 1);
		if (r == 0)
			r = as_emit_jump(&o->e, BPF_JMP | BPF_JA, 0, AS_EMIT_TO(right), 0);
	} else {
		r = as_emit_jump(&o->e, BPF_JMP | BPF_JGE | BPF_K, ranges[mid].start, AS_EMIT_TO(right), 0);
	}
	if (r == 0)
		r = emit_tree(o, ranges, lo, mid, in_section);
	as_emit_bind(&o->e, right);
	return r < 0 ? r : emit_tree(o, ranges, mid, hi, in_section);
}

/* The argument check entered at pc ENTRY, as the set of instructions it can
 * reach, marked in o->reached; it must read nothing but arguments. */
static int reach(struct optimizer *o, uint32_t entry)
{
	bool *reached = o->reached;

	memset(reached, 0, o->in->len * sizeof(*reached));
	reached[entry] = true;
	for (unsigned int pc = entry; pc < o->in->len; pc++) {
		const struct sock_filter *in = &o->in->insns[pc];
		if (!reached[pc])
			continue;
		switch (BPF_CLASS(in->code)) {
		case BPF_LD:
			if (BPF_MODE(in->code) != BPF_ABS || in->k < OFF_ARGS || in->k >= sizeof(struct seccomp_data))
				return -EINVAL;
			reached[pc + 1] = true;
			break;
		case BPF_ALU:
			if (BPF_SRC(in->code) != BPF_K)
				return -EINVAL;
			reached[pc + 1] = true;
			break;
		case BPF_JMP:
			if (BPF_OP(in->code) == BPF_JA) {
				reached[pc + 1 + in->k] = true;
				break;
			}
			if (BPF_SRC(in->code) != BPF_K)
				return -EINVAL;
			reached[pc + 1 + in->jt] = reached[pc + 1 + in->jf] = true;
			break;
		case BPF_RET:
			if (BPF_RVAL(in->code) != BPF_K)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/* Copy the check at ENTRY, keeping only what it reaches: jumps only get
 * shorter, so every offset still fits. */
/* The offset of a conditional jump at AT in the output, past the JA it
 * lands on where the jump reaches that far: libseccomp's linear programs
 * route some branches through one, which would cost the path a step. */
static uint8_t past_ja(const struct sock_filter *out, unsigned int at, uint8_t offset)
{
	const struct sock_filter *to = &out[at + 1 + offset];

	if (to->code == (BPF_JMP | BPF_JA) && offset + 1u + to->k <= 255)
		return (uint8_t)(offset + 1 + to->k);
	return offset;
}

/* Drops what the copy from START on no longer reaches, once its jumps go
 * past the JAs they landed on; every jump in it is forward and stays in it,
 * and its offsets only get shorter.  The copy's working arrays, done with,
 * hold the marks and the new places. */
static void drop_unreached(struct optimizer *o, unsigned int start)
{
	bool *live = o->reached;
	unsigned int *new_at = o->new_pc, kept = start;

	memset(live + start, 0, (o->e.len - start) * sizeof(*live));
	live[start] = true;
	for (unsigned int at = start; at < o->e.len; at++) {
		const struct sock_filter *out = &o->out[at];
		unsigned int to[2] = {at + 1, at + 1};
		if (!live[at] || BPF_CLASS(out->code) == BPF_RET)
			continue;
		if (BPF_CLASS(out->code) == BPF_JMP && BPF_OP(out->code) == BPF_JA)
			to[0] = to[1] = at + 1 + out->k;
		else if (BPF_CLASS(out->code) == BPF_JMP)
			to[0] += out->jt, to[1] += out->jf;
		for (unsigned int i = 0; i < 2; i++)
			if (to[i] < o->e.len)
				live[to[i]] = true;
	}
	for (unsigned int at = start; at < o->e.len; at++)
		if (live[at])
			new_at[at] = kept++;
	for (unsigned int at = start; at < o->e.len; at++) {
		struct sock_filter *out = &o->out[at];
		if (!live[at])
			continue;
		if (BPF_CLASS(out->code) == BPF_JMP && BPF_OP(out->code) == BPF_JA) {
			out->k = new_at[at + 1 + out->k] - new_at[at] - 1;
		} else if (BPF_CLASS(out->code) == BPF_JMP) {
			out->jt = (uint8_t)(new_at[at + 1 + out->jt] - new_at[at] - 1);
			out->jf = (uint8_t)(new_at[at + 1 + out->jf] - new_at[at] - 1);
		}
		o->out[new_at[at]] = *out;
	}
	o->e.len = kept;
}

static int copy_sub(struct optimizer *o, uint32_t entry)
{
	bool *reached = o->reached;
	unsigned int *new_pc = o->new_pc, start = o->e.len;
	int r = reach(o, entry);

	for (unsigned int pc = entry; r == 0 && pc < o->in->len; pc++)
		if (reached[pc]) {
			new_pc[pc] = o->e.len;
			r = as_emit(&o->e, o->in->insns[pc]);
		}
	for (unsigned int pc = entry; r == 0 && pc < o->in->len; pc++) {
		struct sock_filter *out = &o->out[new_pc[pc]];
		if (!reached[pc] || BPF_CLASS(out->code) != BPF_JMP)
			continue;
		if (BPF_OP(out->code) == BPF_JA) {
			out->k = new_pc[pc + 1 + o->in->insns[pc].k] - new_pc[pc] - 1;
			continue;
		}
		out->jt = (uint8_t)(new_pc[pc + 1 + o->in->insns[pc].jt] - new_pc[pc] - 1);
		out->jf = (uint8_t)(new_pc[pc + 1 + o->in->insns[pc].jf] - new_pc[pc] - 1);
	}
	for (unsigned int at = start; r == 0 && at < o->e.len; at++) {
		struct sock_filter *out = &o->out[at];
		if (BPF_CLASS(out->code) != BPF_JMP || BPF_OP(out->code) == BPF_JA)
			continue;
		out->jt = past_ja(o->out, at, out->jt);
		out->jf = past_ja(o->out, at, out->jf);
	}
	if (r == 0)
		drop_unreached(o, start);
	return r;
}

static int sub_index(struct optimizer *o, uint32_t entry, uint32_t *ret)
{
	for (unsigned int i = 0; i < o->sub_count; i++)
		if (o->subs[i] == entry) {
			*ret = i;
			return 0;
		}
	if (o->sub_count == MAX_SUBS)
		return -E2BIG;
	o->subs[o->sub_count] = entry;
	o->sub_label[o->sub_count] = as_emit_labels(&o->e, 1);
	*ret = o->sub_count++;
	return 0;
}

static int emit_section(struct optimizer *o, unsigned int s)
{
	int r = 0;

	for (unsigned int i = 0; r == 0 && i < o->nr_range_count[s]; i++)
		if (o->nr_ranges[s][i].leaf.kind == LEAF_SUB)
			r = sub_index(o, o->nr_ranges[s][i].leaf.value, &o->nr_ranges[s][i].leaf.value);
	as_emit_bind(&o->e, o->section_label[s]);
	if (r == 0)
		r = as_emit(&o->e, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_NR));
	return r < 0 ? r : emit_tree(o, o->nr_ranges[s], 0, o->nr_range_count[s], true);
}

/* FIRST_ARCH's section, if it has one: the range of that one value. */
static unsigned int first_section(const struct optimizer *o, uint32_t first_arch, unsigned int *range)
{
	for (unsigned int i = 0; i < o->arch_range_count; i++) {
		const struct range *r = &o->arch_ranges[i];
		uint64_t end = i + 1 < o->arch_range_count ? o->arch_ranges[i + 1].start : 1ull << 32;
		if (r->start == first_arch && end == first_arch + 1ull && r->leaf.kind == LEAF_SECTION) {
			*range = i;
			return r->leaf.value;
		}
	}
	return MAX_SECTIONS;
}

/* The host's own architecture is tested first, with its section right
 * behind the test: nearly every syscall a process makes takes that path,
 * two instructions to the number's tree instead of a search over the
 * architectures.  The others go through the search, in which the first
 * architecture's value now falls in its neighbour's range: jumps only go
 * forward, and that value never gets there. */
static int build(struct optimizer *o, uint32_t first_arch)
{
	unsigned int first_range = 0, skip = as_emit_labels(&o->e, 1);
	unsigned int first = first_section(o, first_arch, &first_range);
	struct range *others = o->others;
	unsigned int other_count = 0;
	int r = as_emit(&o->e, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_ARCH));

	for (unsigned int s = 0; s < o->section_count; s++)
		o->section_label[s] = as_emit_labels(&o->e, 1);
	if (r == 0 && first < MAX_SECTIONS) {
		r = as_emit_jump(&o->e, BPF_JMP | BPF_JEQ | BPF_K, first_arch, 1, 0);
		if (r == 0)
			r = as_emit_jump(&o->e, BPF_JMP | BPF_JA, 0, AS_EMIT_TO(skip), 0);
		if (r == 0)
			r = emit_section(o, first);
		as_emit_bind(&o->e, skip);
	}
	for (unsigned int i = 0; i < o->arch_range_count; i++)
		add_range(others, &other_count, o->arch_ranges[i].start,
			  first < MAX_SECTIONS && i == first_range && other_count > 0 ? others[other_count - 1].leaf
								   : o->arch_ranges[i].leaf);
	if (r == 0)
		r = emit_tree(o, others, 0, other_count, false);
	for (unsigned int s = 0; r == 0 && s < o->section_count; s++)
		if (s != first)
			r = emit_section(o, s);
	for (unsigned int i = 0; r == 0 && i < o->sub_count; i++) {
		as_emit_bind(&o->e, o->sub_label[i]);
		r = copy_sub(o, o->subs[i]);
	}
	return r < 0 ? r : as_emit_resolve(&o->e);
}

/* Whether the input, run from pc FROM, and the rewrite decide alike at
 * (ARCH, NR, ARGS). */
static bool same_at(const struct optimizer *o, unsigned int from, uint32_t arch, uint32_t nr, const uint64_t args[6])
{
	struct seccomp_data data = {.nr = (int)nr, .arch = arch};
	struct as_verdict before, after;
	struct as_error err;

	memcpy(data.args, args, sizeof(data.args));
	return as_eval(o->in->insns + from, o->in->len - from, &data, &before, &err) == 0 &&
	       as_eval(o->out, o->e.len, &data, &after, &err) == 0 && before.action == after.action;
}

/* An argument check, copied, against the input: at every value it compares
 * an argument with and its neighbours, one argument at a time.  The input's
 * path to the check reads no argument and writes nothing but the
 * accumulator, which the check's first load overwrites: once a run from the
 * start shows that the path leads to ENTRY, the input is run from there. */
static bool same_checks(struct optimizer *o, uint32_t arch, uint32_t nr, uint32_t entry)
{
	struct seccomp_data data = {.nr = (int)nr, .arch = arch};
	bool *reached = o->reached;
	uint64_t args[6] = {0};
	struct as_verdict v;
	struct as_error err;

	if (as_eval(o->in->insns, o->in->len, &data, &v, &err) < 0 || v.first_arg_pc != entry || reach(o, entry) < 0)
		return false;
	for (unsigned int pc = entry; pc < o->in->len; pc++) {
		const struct sock_filter *in = &o->in->insns[pc];
		if (!reached[pc] || BPF_CLASS(in->code) != BPF_JMP || BPF_OP(in->code) == BPF_JA)
			continue;
		for (unsigned int i = 0; i < 6; i++)
			for (int delta = -1; delta <= 1; delta++) {
				args[i] = (uint32_t)(in->k + (uint32_t)delta);
				if (!same_at(o, entry, arch, nr, args))
					return false;
				args[i] |= (uint64_t)args[i] << 32;
				if (!same_at(o, entry, arch, nr, args))
					return false;
				args[i] = 0;
			}
	}
	return true;
}

/* The rewrite against the input, once built: it compares the syscall number
 * with ranges' starts only (a chain's JEQ on a single-number range is one),
 * so it decides each range as it decides its start.  The start of every
 * range of every tree is checked, and the argument checks at their
 * constants.  The analysis was exact; this catches a fault in the emission. */
static bool check_rewrite(struct optimizer *o)
{
	static const uint64_t zero[6];

	for (unsigned int i = 0; i < o->arch_range_count; i++)
		if (!same_at(o, 0, o->arch_ranges[i].start, 0, zero))
			return false;
	for (unsigned int s = 0; s < o->section_count; s++)
		for (unsigned int i = 0; i < o->nr_range_count[s]; i++) {
			const struct range *r = &o->nr_ranges[s][i];
			if (!same_at(o, 0, o->section_arch[s], r->start, zero))
				return false;
			if (r->leaf.kind == LEAF_SUB &&
			    !same_checks(o, o->section_arch[s], r->start, o->subs[r->leaf.value]))
				return false;
		}
	return true;
}

bool as_optimize(struct as_bpf *bpf, uint32_t first_arch, unsigned int *rewrite_len)
{
	static struct optimizer *o;

	/* Any shape not proven here, or no memory to prove it in, keeps
	 * libseccomp's program, which is right. */
	*rewrite_len = 0;
	if (o == NULL && (o = as_scratch(sizeof(*o))) == NULL)
		return false;
	/* The counters alone: clearing all 600 KB would fault in every page of
	 * it, 1.6 ms on a virtual machine, where the arrays are written only
	 * as far as they are used. */
	o->in = bpf;
	o->break_count = o->arch_range_count = o->section_count = o->sub_count = 0;
	o->e = AS_EMITTER(o->out, BPF_MAXINSNS, o->labels, o->refs);
	memset(o->nr_range_count, 0, sizeof(o->nr_range_count));
	if (collect_breaks(o) < 0 || split_arch(o) < 0 || build(o, first_arch) < 0)
		return false;
	*rewrite_len = o->e.len;
	if (o->e.len >= bpf->len || !check_rewrite(o))
		return false;
	memcpy(bpf->insns, o->out, o->e.len * sizeof(o->out[0]));
	bpf->len = o->e.len;
	bpf->stub_len = 0;
	return true;
}
