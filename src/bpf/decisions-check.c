#include "decisions.h"

#include <string.h>

#include "eval.h"

/* The input, its decisions, and the program checked against them. */
struct check {
	const struct as_decisions *d;
	const struct sock_filter *out;
	unsigned int len;
	bool *reached;
};

/* Whether the input, run from pc FROM, and the rewrite decide alike at
 * (ARCH, NR, ARGS). */
static bool same_at(const struct check *c, unsigned int from, uint32_t arch, uint32_t nr, const uint64_t args[6])
{
	struct seccomp_data data = {.nr = (int)nr, .arch = arch};
	struct as_verdict before, after;
	struct as_error err;

	memcpy(data.args, args, sizeof(data.args));
	return as_eval(c->d->in->insns + from, c->d->in->len - from, &data, &before, &err) == 0 &&
	       as_eval(c->out, c->len, &data, &after, &err) == 0 && before.action == after.action;
}

/* An argument check, copied, against the input: at every value it compares
 * an argument with and its neighbours, one argument at a time.  The input's
 * path to the check reads no argument and writes nothing but the
 * accumulator, which the check's first load overwrites: once a run from the
 * start shows that the path leads to ENTRY, the input is run from there. */
static bool same_checks(const struct check *c, uint32_t arch, uint32_t nr, uint32_t entry)
{
	struct seccomp_data data = {.nr = (int)nr, .arch = arch};
	const struct as_bpf *input = c->d->in;
	bool *reached = c->reached;
	uint64_t args[6] = {0};
	struct as_verdict v;
	struct as_error err;

	if (as_eval(input->insns, input->len, &data, &v, &err) < 0 || v.first_arg_pc != entry ||
	    as_decisions_reach(input, entry, reached) < 0)
		return false;
	for (unsigned int pc = entry; pc < input->len; pc++) {
		const struct sock_filter *in = &input->insns[pc];
		if (!reached[pc] || BPF_CLASS(in->code) != BPF_JMP || BPF_OP(in->code) == BPF_JA)
			continue;
		for (unsigned int i = 0; i < 6; i++)
			for (int delta = -1; delta <= 1; delta++) {
				args[i] = (uint32_t)(in->k + (uint32_t)delta);
				if (!same_at(c, entry, arch, nr, args))
					return false;
				args[i] |= (uint64_t)args[i] << 32;
				if (!same_at(c, entry, arch, nr, args))
					return false;
				args[i] = 0;
			}
	}
	return true;
}

bool as_decisions_check(const struct as_decisions *d, const struct sock_filter *out, unsigned int len, bool *reached)
{
	static const uint64_t zero[6];
	const struct check c = {d, out, len, reached};

	for (unsigned int i = 0; i < d->arch_range_count; i++)
		if (!same_at(&c, 0, d->arch_ranges[i].start, 0, zero))
			return false;
	for (unsigned int s = 0; s < d->section_count; s++)
		for (unsigned int i = 0; i < d->nr_range_count[s]; i++) {
			const struct as_range *r = &d->nr_ranges[s][i];
			if (!same_at(&c, 0, d->section_arch[s], r->start, zero))
				return false;
			if (r->leaf.kind == AS_LEAF_SUB && !same_checks(&c, d->section_arch[s], r->start, r->leaf.value))
				return false;
		}
	return true;
}
