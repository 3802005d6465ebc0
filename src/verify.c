#include "verify.h"

#include <errno.h>
#include <linux/audit.h>
#include <stdbool.h>
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

struct halves {
	uint32_t lows[6][AS_VERIFY_MAX_VALUES], highs[6][AS_VERIFY_MAX_VALUES];
	unsigned int nlow[6], nhigh[6];
};

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
static void collect(const struct as_bpf *prog, struct halves *h)
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

void as_points_build(const struct as_bpf *a, const struct as_bpf *b, struct as_points *ret)
{
	static struct halves h;

	memset(&h, 0, sizeof(h));
	memset(ret->count, 0, sizeof(ret->count));
	collect(a, &h);
	if (b != NULL)
		collect(b, &h);
	for (unsigned int i = 0; i < 6; i++) {
		add_value(ret, i, 0);
		add_value(ret, i, 0xffffffffu);
		add_value(ret, i, UINT64_MAX);
		for (unsigned int l = 0; l < h.nlow[i]; l++) {
			add_value(ret, i, h.lows[i][l]);
			add_value(ret, i, (uint64_t)0xffffffffu << 32 | h.lows[i][l]);
			for (unsigned int k = 0; k < h.nhigh[i]; k++)
				add_value(ret, i, (uint64_t)h.highs[i][k] << 32 | h.lows[i][l]);
		}
	}
	build_vectors(ret);
}

int as_points_for_each(const struct as_points *points, int (*fn)(const struct as_point *, void *), void *ctx)
{
	static const int special_numbers[] = {-1, 0x3fffffff};
	static const uint32_t entries[] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_X86_64 | 1, AUDIT_ARCH_I386};

	for (unsigned int a = 0; a < 3; a++) {
		bool x32 = entries[a] == (AUDIT_ARCH_X86_64 | 1);
		for (int k = -2; k < 1024; k++) {
			struct as_point p = {x32 ? AUDIT_ARCH_X86_64 : entries[a], k < 0 ? special_numbers[k + 2] : k, {0}};
			if (x32)
				p.nr = (int)((uint32_t)p.nr | X32_BIT);
			for (unsigned int v = 0; v < points->vector_count; v++) {
				int r;
				memcpy(p.args, points->vectors[v], sizeof(p.args));
				/* The i386 entry passes 32-bit arguments, zero-extended. */
				if (entries[a] == AUDIT_ARCH_I386)
					for (unsigned int i = 0; i < 6; i++)
						p.args[i] &= 0xffffffffu;
				r = fn(&p, ctx);
				if (r != 0)
					return r;
			}
		}
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
