#include "optimize.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <string.h>

#include "emit.h"

static bool is_ret(const struct as_range *r)
{
	return r->leaf.kind == AS_LEAF_RET;
}

/* The distinct values the subtree's returning leaves return. */
static unsigned int island_size(const struct as_range *ranges, unsigned int lo, unsigned int hi)
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

static unsigned int chain_exceptions(const struct as_range *ranges, unsigned int lo, unsigned int hi)
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
static unsigned int compact_size(const struct as_range *ranges, unsigned int lo, unsigned int hi)
{
	unsigned int mid = lo + (hi - lo) / 2, exceptions;

	if (hi - lo == 1)
		return !is_ret(&ranges[lo]);
	exceptions = chain_exceptions(ranges, lo, hi);
	if (exceptions > 0)
		return exceptions;
	return 1 + compact_size(ranges, lo, mid) + compact_size(ranges, mid, hi);
}

static bool fits_compact(const struct as_range *ranges, unsigned int lo, unsigned int hi)
{
	return compact_size(ranges, lo, hi) + island_size(ranges, lo, hi) <= AS_COMPACT_LIMIT;
}

static unsigned int tree_size(const struct as_range *ranges, unsigned int lo, unsigned int hi)
{
	unsigned int mid, left;

	if (fits_compact(ranges, lo, hi))
		return compact_size(ranges, lo, hi) + island_size(ranges, lo, hi);
	mid = lo + (hi - lo) / 2;
	left = tree_size(ranges, lo, mid);
	/* A left subtree out of a conditional jump's reach gets a JA over it. */
	return 1 + (left > 255) + left + tree_size(ranges, mid, hi);
}

/* The index of the argument check entered at pc ENTRY of the input, taken
 * on its first use. */
static int sub_index(struct as_optimizer *o, uint32_t entry, unsigned int *ret)
{
	for (unsigned int i = 0; i < o->sub_count; i++)
		if (o->subs[i] == entry) {
			*ret = i;
			return 0;
		}
	if (o->sub_count == AS_MAX_SUBS)
		return -E2BIG;
	o->subs[o->sub_count] = entry;
	o->sub_label[o->sub_count] = as_emit_labels(&o->e, 1);
	*ret = o->sub_count++;
	return 0;
}

static int emit_leaf(struct as_optimizer *o, struct as_leaf leaf, bool in_section)
{
	unsigned int label;

	if (leaf.kind == AS_LEAF_RET)
		return as_emit(&o->e, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, leaf.value));
	/* Sections hang off the arch tree, argument checks off the nr trees. */
	if ((leaf.kind == AS_LEAF_SECTION) == in_section)
		return -EINVAL;
	if (leaf.kind == AS_LEAF_SECTION) {
		label = o->section_label[leaf.value];
	} else {
		int r = sub_index(o, leaf.value, &label);
		if (r < 0)
			return r;
		label = o->sub_label[label];
	}
	return as_emit_jump(&o->e, BPF_JMP | BPF_JA, 0, AS_EMIT_TO(label), 0);
}

/* The label of VALUE's return in ISLAND, taken on its first use. */
static unsigned int island_label(struct as_optimizer *o, struct as_island *island, uint32_t value)
{
	for (unsigned int i = 0; i < island->count; i++)
		if (island->value[i] == value)
			return island->label[i];
	island->value[island->count] = value;
	island->label[island->count] = as_emit_labels(&o->e, 1);
	return island->label[island->count++];
}

/* BRANCH of the instruction at AT returns VALUE, from ISLAND. */
static int refer(struct as_optimizer *o, struct as_island *island, unsigned int at, enum as_emit_branch branch,
		 uint32_t value)
{
	return as_emit_refer(&o->e, at, branch, island_label(o, island, value));
}

/* One JEQ an exception, each jumping to its value in the island, the last
 * one's other branch to the background's. */
static int emit_chain(struct as_optimizer *o, const struct as_range *ranges, unsigned int lo, unsigned int hi,
		      struct as_island *island)
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
static int emit_compact(struct as_optimizer *o, const struct as_range *ranges, unsigned int lo, unsigned int hi,
			bool in_section, struct as_island *island)
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

static int emit_island(struct as_optimizer *o, const struct as_island *island)
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
static int emit_tree(struct as_optimizer *o, const struct as_range *ranges, unsigned int lo, unsigned int hi,
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
static void drop_unreached(struct as_optimizer *o, unsigned int start)
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

/* Copy the check at ENTRY, keeping only what it reaches: jumps only get
 * shorter, so every offset still fits. */
static int copy_sub(struct as_optimizer *o, uint32_t entry)
{
	bool *reached = o->reached;
	unsigned int *new_pc = o->new_pc, start = o->e.len;
	int r = as_decisions_reach(o->decisions.in, entry, reached);

	for (unsigned int pc = entry; r == 0 && pc < o->decisions.in->len; pc++)
		if (reached[pc]) {
			new_pc[pc] = o->e.len;
			r = as_emit(&o->e, o->decisions.in->insns[pc]);
		}
	for (unsigned int pc = entry; r == 0 && pc < o->decisions.in->len; pc++) {
		struct sock_filter *out = &o->out[new_pc[pc]];
		if (!reached[pc] || BPF_CLASS(out->code) != BPF_JMP)
			continue;
		if (BPF_OP(out->code) == BPF_JA) {
			out->k = new_pc[pc + 1 + o->decisions.in->insns[pc].k] - new_pc[pc] - 1;
			continue;
		}
		out->jt = (uint8_t)(new_pc[pc + 1 + o->decisions.in->insns[pc].jt] - new_pc[pc] - 1);
		out->jf = (uint8_t)(new_pc[pc + 1 + o->decisions.in->insns[pc].jf] - new_pc[pc] - 1);
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

static int emit_section(struct as_optimizer *o, unsigned int s)
{
	const struct as_range *ranges = o->decisions.nr_ranges[s];
	unsigned int count = o->decisions.nr_range_count[s], index;
	int r = 0;

	/* The checks are copied in the order their numbers first come. */
	for (unsigned int i = 0; r == 0 && i < count; i++)
		if (ranges[i].leaf.kind == AS_LEAF_SUB)
			r = sub_index(o, ranges[i].leaf.value, &index);
	as_emit_bind(&o->e, o->section_label[s]);
	if (r == 0)
		r = as_emit(&o->e, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, AS_OFF_NR));
	return r < 0 ? r : emit_tree(o, ranges, 0, count, true);
}

/* FIRST_ARCH's section, if it has one: the range of that one value. */
static unsigned int first_section(const struct as_optimizer *o, uint32_t first_arch, unsigned int *range)
{
	for (unsigned int i = 0; i < o->decisions.arch_range_count; i++) {
		const struct as_range *r = &o->decisions.arch_ranges[i];
		uint64_t end = i + 1 < o->decisions.arch_range_count ? o->decisions.arch_ranges[i + 1].start : 1ull << 32;
		if (r->start == first_arch && end == first_arch + 1ull && r->leaf.kind == AS_LEAF_SECTION) {
			*range = i;
			return r->leaf.value;
		}
	}
	return AS_MAX_SECTIONS;
}

/* The host's own architecture is tested first, with its section right
 * behind the test: nearly every syscall a process makes takes that path,
 * two instructions to the number's tree instead of a search over the
 * architectures.  The others go through the search, in which the first
 * architecture's value now falls in its neighbour's range: jumps only go
 * forward, and that value never gets there. */
static int build(struct as_optimizer *o, uint32_t first_arch)
{
	unsigned int first_range = 0, skip = as_emit_labels(&o->e, 1);
	unsigned int first = first_section(o, first_arch, &first_range);
	struct as_range *others = o->others;
	unsigned int other_count = 0;
	int r = as_emit(&o->e, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, AS_OFF_ARCH));

	for (unsigned int s = 0; s < o->decisions.section_count; s++)
		o->section_label[s] = as_emit_labels(&o->e, 1);
	if (r == 0 && first < AS_MAX_SECTIONS) {
		r = as_emit_jump(&o->e, BPF_JMP | BPF_JEQ | BPF_K, first_arch, 1, 0);
		if (r == 0)
			r = as_emit_jump(&o->e, BPF_JMP | BPF_JA, 0, AS_EMIT_TO(skip), 0);
		if (r == 0)
			r = emit_section(o, first);
		as_emit_bind(&o->e, skip);
	}
	for (unsigned int i = 0; i < o->decisions.arch_range_count; i++)
		as_decisions_add_range(others, &other_count, o->decisions.arch_ranges[i].start,
			  first < AS_MAX_SECTIONS && i == first_range && other_count > 0 ? others[other_count - 1].leaf
								   : o->decisions.arch_ranges[i].leaf);
	if (r == 0)
		r = emit_tree(o, others, 0, other_count, false);
	for (unsigned int s = 0; r == 0 && s < o->decisions.section_count; s++)
		if (s != first)
			r = emit_section(o, s);
	for (unsigned int i = 0; r == 0 && i < o->sub_count; i++) {
		as_emit_bind(&o->e, o->sub_label[i]);
		r = copy_sub(o, o->subs[i]);
	}
	return r < 0 ? r : as_emit_resolve(&o->e);
}

bool as_optimize(struct as_bpf *bpf, uint32_t first_arch, struct as_optimizer *o, unsigned int *rewrite_len)
{
	/* Any shape not proven here keeps libseccomp's program, which is
	 * right.  The counters alone are reset: clearing all 600 KB would
	 * fault in every page of it, 1.6 ms on a virtual machine, where the
	 * arrays are written only as far as they are used. */
	*rewrite_len = 0;
	o->sub_count = 0;
	o->e = AS_EMITTER(o->out, BPF_MAXINSNS, o->labels, o->refs);
	if (as_decisions_read(bpf, &o->decisions) < 0 || build(o, first_arch) < 0)
		return false;
	*rewrite_len = o->e.len;
	if (o->e.len >= bpf->len || !as_decisions_check(&o->decisions, o->out, o->e.len, o->reached))
		return false;
	memcpy(bpf->insns, o->out, o->e.len * sizeof(o->out[0]));
	bpf->len = o->e.len;
	bpf->stub_len = 0;
	return true;
}
