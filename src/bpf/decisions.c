#include "decisions.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

#define NO_SLOT UINT16_MAX

static void add_break(struct as_decisions *d, uint64_t value)
{
	if (value < UINT32_MAX + 1ull && d->break_count < AS_MAX_BREAKS)
		d->breaks[d->break_count++] = (uint32_t)value;
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Breakpoints: every compared constant and its successor, and the 2^30
 * boundaries a single-bit JSET of a syscall number can tell apart. */
static int collect_breaks(struct as_decisions *d)
{
	d->break_count = 0;
	add_break(d, 0);
	for (uint64_t b = 1ull << 30; b < (1ull << 32); b += 1ull << 30)
		add_break(d, b);
	for (unsigned int pc = 0; pc < d->in->len; pc++) {
		const struct sock_filter *in = &d->in->insns[pc];
		if (BPF_CLASS(in->code) != BPF_JMP || BPF_OP(in->code) == BPF_JA)
			continue;
		add_break(d, in->k);
		add_break(d, (uint64_t)in->k + 1);
	}
	if (d->break_count >= AS_MAX_BREAKS)
		return -E2BIG;
	qsort(d->breaks, d->break_count, sizeof(d->breaks[0]), compare_u32);
	unsigned int n = 0;
	for (unsigned int i = 0; i < d->break_count; i++)
		if (n == 0 || d->breaks[i] != d->breaks[n - 1])
			d->breaks[n++] = d->breaks[i];
	d->break_count = n;
	return 0;
}

/* Whether every value of IV takes the same branch: -1 when they differ. */
static int branch(const struct sock_filter *in, struct as_interval iv)
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

static bool same_leaf(struct as_leaf a, struct as_leaf b)
{
	return a.kind == b.kind && a.value == b.value;
}

void as_decisions_add_range(struct as_range *ranges, unsigned int *count, uint32_t start, struct as_leaf leaf)
{
	if (*count > 0 && same_leaf(ranges[*count - 1].leaf, leaf))
		return;
	ranges[(*count)++] = (struct as_range){start, leaf};
}

static struct as_interval piece(const struct as_decisions *d, unsigned int i)
{
	return (struct as_interval){d->breaks[i], i + 1 < d->break_count ? d->breaks[i + 1] : 1ull << 32};
}

/* The index of the piece that starts at VALUE, which must be a breakpoint;
 * the piece count for 2^32. */
static int piece_at(const struct as_decisions *d, uint64_t value, unsigned int *ret)
{
	uint32_t key = (uint32_t)value;
	const uint32_t *found;

	if (value > UINT32_MAX) {
		*ret = d->break_count;
		return 0;
	}
	found = bsearch(&key, d->breaks, d->break_count, sizeof(d->breaks[0]), compare_u32);
	if (found == NULL)
		return -EINVAL;
	*ret = (unsigned int)(found - d->breaks);
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
static int split_live(struct as_decisions *d, const struct sock_filter *in, uint64_t *taken)
{
	unsigned int from, to = d->break_count;
	int r;

	switch (BPF_OP(in->code)) {
	case BPF_JEQ:
		r = piece_at(d, in->k, &from);
		to = from + 1;
		break;
	case BPF_JGT:
		r = piece_at(d, (uint64_t)in->k + 1, &from);
		break;
	case BPF_JGE:
		r = piece_at(d, in->k, &from);
		break;
	default:
		/* JSET, piece by piece: rare, and exact only where branch() says so. */
		r = 0;
		from = to = 0;
		memset(taken, 0, d->words * sizeof(taken[0]));
		for (unsigned int i = 0; i < d->break_count && r == 0; i++) {
			int t = (d->live[i / 64] >> (i % 64)) & 1 ? branch(in, piece(d, i)) : 0;
			if (t < 0)
				r = -EINVAL;
			taken[i / 64] |= (uint64_t)(t > 0) << (i % 64);
		}
	}
	if (r < 0)
		return r;
	for (unsigned int w = 0; w < d->words; w++) {
		if (from < to)
			taken[w] = d->live[w] & range_bits(w, from, to);
		d->live[w] &= ~taken[w];
	}
	return 0;
}

static bool set_empty(const struct as_decisions *d, const uint64_t *set)
{
	for (unsigned int w = 0; w < d->words; w++)
		if (set[w] != 0)
			return false;
	return true;
}

/* Adds SET to the pieces on their way to pc TO. */
static int send(struct as_decisions *d, unsigned int to, const uint64_t *set, enum as_accumulator acc)
{
	struct as_pending *p;

	if (to >= d->in->len)
		return -EINVAL;
	if (set_empty(d, set))
		return 0;
	if (d->slot_of[to] == NO_SLOT) {
		if (d->free_count == 0)
			return -E2BIG;
		d->slot_of[to] = d->free_slots[--d->free_count];
		p = &d->pending[d->slot_of[to]];
		memcpy(p->bits, set, d->words * sizeof(set[0]));
		p->acc = acc;
		return 0;
	}
	p = &d->pending[d->slot_of[to]];
	/* Paths that meet must agree on what the accumulator holds. */
	if (p->acc != acc)
		return -EINVAL;
	for (unsigned int w = 0; w < d->words; w++)
		p->bits[w] |= set[w];
	return 0;
}

/* Every live piece ends in LEAF. */
static void end_live(struct as_decisions *d, struct as_leaf leaf)
{
	for (unsigned int w = 0; w < d->words; w++)
		for (uint64_t bits = d->live[w]; bits != 0; bits &= bits - 1)
			d->leaf_of[w * 64 + (unsigned int)__builtin_ctzll(bits)] = leaf;
}

/* The pieces that reach pc PC, taken into d->live. */
static bool take_pending(struct as_decisions *d, unsigned int pc, enum as_accumulator *acc)
{
	uint16_t slot = d->slot_of[pc];

	if (slot == NO_SLOT)
		return false;
	memcpy(d->live, d->pending[slot].bits, d->words * sizeof(d->live[0]));
	*acc = d->pending[slot].acc;
	d->slot_of[pc] = NO_SLOT;
	d->free_slots[d->free_count++] = slot;
	return true;
}

static int flow_step(struct as_decisions *d, unsigned int pc, enum as_accumulator acc, enum as_accumulator over,
		     struct as_interval other)
{
	const struct sock_filter *in = &d->in->insns[pc];
	uint64_t taken[AS_SET_WORDS];
	int r, t;

	switch (BPF_CLASS(in->code)) {
	case BPF_RET:
		if (BPF_RVAL(in->code) != BPF_K)
			return -EINVAL;
		end_live(d, (struct as_leaf){AS_LEAF_RET, in->k});
		return 0;
	case BPF_LD:
		if (BPF_MODE(in->code) != BPF_ABS || BPF_SIZE(in->code) != BPF_W)
			return -EINVAL;
		if (in->k >= AS_OFF_ARGS && in->k < sizeof(struct seccomp_data)) {
			end_live(d, (struct as_leaf){AS_LEAF_SUB, pc});
			return 0;
		}
		if (in->k != AS_OFF_NR && in->k != AS_OFF_ARCH)
			return -EINVAL;
		return send(d, pc + 1, d->live, in->k == AS_OFF_NR ? AS_ACC_NR : AS_ACC_ARCH);
	case BPF_JMP:
		if (BPF_OP(in->code) == BPF_JA)
			return send(d, pc + 1 + in->k, d->live, acc);
		if (BPF_SRC(in->code) != BPF_K || acc == AS_ACC_NONE)
			return -EINVAL;
		if (acc == over) {
			r = split_live(d, in, taken);
			if (r == 0)
				r = send(d, pc + 1 + in->jt, taken, acc);
			return r < 0 ? r : send(d, pc + 1 + in->jf, d->live, acc);
		}
		t = branch(in, other);
		if (t >= 0)
			return send(d, pc + 1 + (t ? in->jt : in->jf), d->live, acc);
		/* The architectures for which the syscall number decides. */
		if (over != AS_ACC_ARCH)
			return -EINVAL;
		end_live(d, (struct as_leaf){AS_LEAF_SECTION, 0});
		return 0;
	default:
		return -EINVAL;
	}
}

/* The leaf of every piece of one word of the input, the architecture or
 * the syscall number (OVER), with the other word in OTHER, into d->leaf_of.
 * All pieces walk the program at once, as sets split at each comparison:
 * one pass over it, whatever its shape.  Jumps only go forward, so every
 * set is complete when its instruction comes. */
static int flow(struct as_decisions *d, enum as_accumulator over, struct as_interval other)
{
	enum as_accumulator acc = AS_ACC_NONE;
	int r;

	d->words = (d->break_count + 63) / 64;
	d->free_count = 0;
	for (unsigned int i = AS_MAX_PENDING; i-- > 0;)
		d->free_slots[d->free_count++] = (uint16_t)i;
	memset(d->slot_of, 0xff, d->in->len * sizeof(d->slot_of[0]));
	for (unsigned int i = 0; i < d->break_count; i++)
		d->leaf_of[i] = (struct as_leaf){AS_LEAF_NONE, 0};
	for (unsigned int w = 0; w < d->words; w++)
		d->live[w] = range_bits(w, 0, d->break_count);
	r = send(d, 0, d->live, AS_ACC_NONE);
	for (unsigned int pc = 0; r == 0 && pc < d->in->len; pc++)
		if (take_pending(d, pc, &acc))
			r = flow_step(d, pc, acc, over, other);
	for (unsigned int i = 0; r == 0 && i < d->break_count; i++)
		if (d->leaf_of[i].kind == AS_LEAF_NONE)
			r = -EINVAL;
	return r;
}

static int split_nr(struct as_decisions *d, struct as_interval arch, unsigned int section)
{
	int r = flow(d, AS_ACC_NR, arch);

	d->nr_range_count[section] = 0;
	for (unsigned int i = 0; r == 0 && i < d->break_count; i++)
		as_decisions_add_range(d->nr_ranges[section], &d->nr_range_count[section], d->breaks[i], d->leaf_of[i]);
	return r;
}

static int split_arch(struct as_decisions *d)
{
	static const struct as_interval every_nr = {0, 1ull << 32};
	struct as_leaf *leaf_of = d->leaf_of;
	int r = flow(d, AS_ACC_ARCH, every_nr);

	d->arch_range_count = d->section_count = 0;
	for (unsigned int i = 0; r == 0 && i < d->break_count; i++) {
		struct as_interval arch = piece(d, i);
		struct as_leaf leaf = leaf_of[i];
		if (leaf.kind == AS_LEAF_SECTION) {
			/* The syscall number decides: this arch gets a tree of its own. */
			if (d->section_count == AS_MAX_SECTIONS || arch.hi - arch.lo != 1)
				return -E2BIG;
			leaf.value = d->section_count;
			d->section_arch[d->section_count++] = (uint32_t)arch.lo;
		}
		as_decisions_add_range(d->arch_ranges, &d->arch_range_count, arch.lo, leaf);
	}
	for (unsigned int s = 0; r == 0 && s < d->section_count; s++)
		r = split_nr(d, (struct as_interval){d->section_arch[s], d->section_arch[s] + 1ull}, s);
	return r;
}

int as_decisions_read(const struct as_bpf *in, struct as_decisions *d)
{
	int r;

	/* The counters alone: see struct as_decisions. */
	d->in = in;
	d->break_count = d->arch_range_count = d->section_count = 0;
	memset(d->nr_range_count, 0, sizeof(d->nr_range_count));
	r = collect_breaks(d);
	return r < 0 ? r : split_arch(d);
}

int as_decisions_reach(const struct as_bpf *program, uint32_t entry, bool *reached)
{
	memset(reached, 0, program->len * sizeof(*reached));
	reached[entry] = true;
	for (unsigned int pc = entry; pc < program->len; pc++) {
		const struct sock_filter *in = &program->insns[pc];
		if (!reached[pc])
			continue;
		switch (BPF_CLASS(in->code)) {
		case BPF_LD:
			if (BPF_MODE(in->code) != BPF_ABS || in->k < AS_OFF_ARGS || in->k >= sizeof(struct seccomp_data))
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

