#include "verify.h"

#include <errno.h>
#include <linux/audit.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "eval.h"

#define X32_BIT 0x40000000u

static void add_value(struct as_points *p, unsigned int index, uint64_t value)
{
	for (unsigned int i = 0; i < p->count[index]; i++)
		if (p->values[index][i] == value)
			return;
	if (p->count[index] < AS_VERIFY_MAX_VALUES)
		p->values[index][p->count[index]++] = value;
}

static void add_half(uint32_t *set, unsigned int *n, uint32_t v)
{
	for (unsigned int i = 0; i < *n; i++)
		if (set[i] == v)
			return;
	if (*n < AS_VERIFY_MAX_VALUES)
		set[(*n)++] = v;
}

/* Every constant compared with an argument word, as its low or high half,
 * with its neighbours, so each side of every comparison is visited. */
static void collect(const struct as_bpf *prog, struct as_halves *h)
{
	uint32_t loaded = 0;

	for (unsigned int pc = 0; pc < prog->len; pc++) {
		const struct sock_filter *in = &prog->insns[pc];
		unsigned int index;
		bool high;
		if (BPF_CLASS(in->code) == BPF_LD && BPF_MODE(in->code) == BPF_ABS)
			loaded = in->k;
		if (BPF_CLASS(in->code) != BPF_JMP || BPF_OP(in->code) == BPF_JA || loaded < 16 || loaded >= 64)
			continue;
		index = (loaded - 16) / 8;
		high = (loaded - 16) % 8 != 0;
		for (int delta = -1; delta <= 1; delta++)
			add_half(high ? h->highs[index] : h->lows[index], high ? &h->nhigh[index] : &h->nlow[index],
				 in->k + (uint32_t)delta);
	}
}

/* The argument vectors: all zero; each index through its values alone; and,
 * where the product is small enough, every combination of the indices that
 * have constants, so conditions ANDed across indices are covered too. */
static void build_vectors(struct as_points *p)
{
	unsigned int n = 1, product = 1;

	memset(p->vectors[0], 0, sizeof(p->vectors[0]));
	for (unsigned int i = 0; i < 6; i++)
		for (unsigned int v = 0; v < p->count[i] && n < AS_VERIFY_MAX_VECTORS; v++) {
			memset(p->vectors[n], 0, sizeof(p->vectors[n]));
			p->vectors[n++][i] = p->values[i][v];
		}
	for (unsigned int i = 0; i < 6; i++)
		if (p->count[i] > 3)
			product *= p->count[i];
	if (product > 1 && n + product <= AS_VERIFY_MAX_VECTORS)
		for (unsigned int k = 0; k < product; k++, n++) {
			unsigned int rest = k;
			memset(p->vectors[n], 0, sizeof(p->vectors[n]));
			for (unsigned int i = 0; i < 6; i++) {
				if (p->count[i] <= 3)
					continue;
				p->vectors[n][i] = p->values[i][rest % p->count[i]];
				rest /= p->count[i];
			}
		}
	p->vector_count = n;
}

/* Whether PC compares the word of seccomp_data the program last loaded from
 * offset OFFSET, tracked in *LOADED. */
static bool compares(const struct sock_filter *in, uint32_t *loaded, uint32_t offset)
{
	if (BPF_CLASS(in->code) == BPF_LD && BPF_MODE(in->code) == BPF_ABS)
		*loaded = in->k;
	return BPF_CLASS(in->code) == BPF_JMP && BPF_OP(in->code) != BPF_JA && BPF_SRC(in->code) == BPF_K &&
	       *loaded == offset;
}

/* Whether PROG, from its start, compares the architecture with a JGE on
 * VALUE: two of them, on A and A + 1, single A out in a search. */
static bool bounds_arch(const struct as_bpf *prog, uint32_t value)
{
	uint32_t loaded = UINT32_MAX;

	for (unsigned int pc = 0; pc < prog->len; pc++)
		if (compares(&prog->insns[pc], &loaded, offsetof(struct seccomp_data, arch)) &&
		    BPF_OP(prog->insns[pc].code) == BPF_JGE && prog->insns[pc].k == value)
			return true;
	return false;
}

static void add_arch(struct as_points *p, uint32_t arch)
{
	for (unsigned int i = 0; i < p->arch_count; i++)
		if (p->arches[i] == arch)
			return;
	if (p->arch_count < AS_VERIFY_MAX_ARCHES)
		p->arches[p->arch_count++] = arch;
}

/* The architectures PROG tests: the values it compares the audit
 * architecture with for equality (libseccomp's programs and the stub do so
 * for each), and those its search singles out, as the rewrite's does. */
static void collect_arches(const struct as_bpf *prog, struct as_points *p)
{
	uint32_t loaded = UINT32_MAX;

	for (unsigned int pc = 0; pc < prog->len; pc++) {
		const struct sock_filter *in = &prog->insns[pc];
		if (!compares(in, &loaded, offsetof(struct seccomp_data, arch)))
			continue;
		if (BPF_OP(in->code) == BPF_JEQ ||
		    (BPF_OP(in->code) == BPF_JGE && in->k != UINT32_MAX && bounds_arch(prog, in->k + 1)))
			add_arch(p, in->k);
	}
}

void as_points_build(const struct as_bpf *a, const struct as_bpf *b, struct as_points *ret)
{
	struct as_halves *h = &ret->halves;

	memset(h, 0, sizeof(*h));
	memset(ret->count, 0, sizeof(ret->count));
	ret->arch_count = 0;
	collect(a, h);
	collect_arches(a, ret);
	if (b != NULL) {
		collect(b, h);
		collect_arches(b, ret);
	}
	for (unsigned int i = 0; i < 6; i++) {
		add_value(ret, i, 0);
		add_value(ret, i, 0xffffffffu);
		add_value(ret, i, UINT64_MAX);
		for (unsigned int l = 0; l < h->nlow[i]; l++) {
			add_value(ret, i, h->lows[i][l]);
			add_value(ret, i, (uint64_t)0xffffffffu << 32 | h->lows[i][l]);
			for (unsigned int k = 0; k < h->nhigh[i]; k++)
				add_value(ret, i, (uint64_t)h->highs[i][k] << 32 | h->lows[i][l]);
		}
	}
	build_vectors(ret);
}

/* The entries of every architecture tested: x86_64's twice, the second
 * time with the x32 bit in the number; a program that tests none is the
 * same on any, and is run with no architecture. */
static unsigned int entries_of(const struct as_points *points, uint32_t arches[2 * AS_VERIFY_MAX_ARCHES],
			       bool x32[2 * AS_VERIFY_MAX_ARCHES])
{
	unsigned int n = 0;

	for (unsigned int a = 0; a < points->arch_count; a++) {
		arches[n] = points->arches[a], x32[n++] = false;
		if (points->arches[a] == AUDIT_ARCH_X86_64)
			arches[n] = AUDIT_ARCH_X86_64, x32[n++] = true;
	}
	if (n == 0)
		arches[n] = 0, x32[n++] = false;
	return n;
}

static int for_each_vector(const struct as_points *points, struct as_point *p,
			   int (*fn)(const struct as_point *, void *), void *ctx)
{
	for (unsigned int v = 0; v < points->vector_count; v++) {
		int r;
		memcpy(p->args, points->vectors[v], sizeof(p->args));
		/* A 32-bit entry passes 32-bit arguments, zero-extended. */
		if (p->arch != 0 && !(p->arch & __AUDIT_ARCH_64BIT))
			for (unsigned int i = 0; i < 6; i++)
				p->args[i] &= 0xffffffffu;
		r = fn(p, ctx);
		if (r != 0)
			return r;
	}
	return 0;
}

int as_points_for_each(const struct as_points *points, int (*fn)(const struct as_point *, void *), void *ctx)
{
	static const int special_numbers[] = {-1, 0x3fffffff};
	uint32_t arches[2 * AS_VERIFY_MAX_ARCHES];
	bool x32[2 * AS_VERIFY_MAX_ARCHES];
	unsigned int count = entries_of(points, arches, x32);

	for (unsigned int a = 0; a < count; a++)
		for (int k = -2; k < 1024; k++) {
			struct as_point p = {arches[a], k < 0 ? special_numbers[k + 2] : k, {0}};
			int r;
			if (x32[a])
				p.nr = (int)((uint32_t)p.nr | X32_BIT);
			r = for_each_vector(points, &p, fn, ctx);
			if (r != 0)
				return r;
		}
	return 0;
}

struct comparison {
	const struct as_bpf *a, *b;
	unsigned long points, mismatches;
};

static int compare_point(const struct as_point *p, void *ctx)
{
	struct comparison *c = ctx;
	struct seccomp_data data = {.nr = p->nr, .arch = p->arch};
	struct as_verdict va, vb;
	struct as_error err;

	memcpy(data.args, p->args, sizeof(data.args));
	if (as_eval(c->a->insns, c->a->len, &data, &va, &err) < 0 || as_eval(c->b->insns, c->b->len, &data, &vb, &err) < 0)
		return -EINVAL;
	c->points++;
	c->mismatches += va.action != vb.action;
	return 0;
}

long as_verify_equal(const struct as_bpf *a, const struct as_bpf *b, const struct as_points *points,
		     unsigned long *ret_points)
{
	struct comparison c = {a, b, 0, 0};
	int r = as_points_for_each(points, compare_point, &c);

	*ret_points = c.points;
	return r < 0 ? r : (long)c.mismatches;
}
