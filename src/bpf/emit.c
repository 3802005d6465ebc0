#include "emit.h"

#include <errno.h>
#include <stdbool.h>

static int fail(struct as_emitter *e, int code)
{
	if (e->error == 0)
		e->error = code;
	return e->error;
}

int as_emit(struct as_emitter *e, struct sock_filter insn)
{
	if (e->error != 0)
		return e->error;
	if (e->len == e->capacity || e->len == BPF_MAXINSNS)
		return fail(e, -E2BIG);
	e->insns[e->len++] = insn;
	return 0;
}

int as_emit_refer(struct as_emitter *e, unsigned int at, enum as_emit_branch branch, unsigned int label)
{
	if (e->error != 0)
		return e->error;
	if (e->ref_count == e->ref_capacity)
		return fail(e, -E2BIG);
	if (label >= e->label_count || at >= e->len)
		return fail(e, -EINVAL);
	e->refs[e->ref_count++] = (struct as_emit_ref){at, label, branch};
	return 0;
}

/* TARGET's offset from AT, or 0 with a reference noted for a label.  An
 * offset given as a number is checked as a label's is: a conditional jump
 * reaches 255 instructions at most. */
static uint32_t target(struct as_emitter *e, unsigned int at, enum as_emit_branch branch, unsigned int to)
{
	if (!(to & AS_EMIT_LABEL_BIT) && branch != AS_EMIT_K && to > 255) {
		fail(e, -E2BIG);
		return 0;
	}
	if (!(to & AS_EMIT_LABEL_BIT))
		return to;
	as_emit_refer(e, at, branch, to & ~AS_EMIT_LABEL_BIT);
	return 0;
}

int as_emit_jump(struct as_emitter *e, uint16_t code, uint32_t k, unsigned int jt, unsigned int jf)
{
	bool always = BPF_OP(code) == BPF_JA;
	unsigned int at = e->len;
	int r = as_emit(e, (struct sock_filter)BPF_STMT(code, k));

	if (r < 0)
		return r;
	if (always) {
		e->insns[at].k = target(e, at, AS_EMIT_K, jt);
		return e->error;
	}
	e->insns[at].jt = (uint8_t)target(e, at, AS_EMIT_JT, jt);
	e->insns[at].jf = (uint8_t)target(e, at, AS_EMIT_JF, jf);
	return e->error;
}

unsigned int as_emit_labels(struct as_emitter *e, unsigned int count)
{
	unsigned int first = e->label_count;

	if (count > e->label_capacity - e->label_count) {
		fail(e, -E2BIG);
		return first;
	}
	for (unsigned int i = 0; i < count; i++)
		e->label_at[e->label_count++] = AS_EMIT_UNBOUND;
	return first;
}

void as_emit_bind(struct as_emitter *e, unsigned int label)
{
	if (label >= e->label_count || e->label_at[label] != AS_EMIT_UNBOUND)
		fail(e, -EINVAL);
	else
		e->label_at[label] = e->len;
}

int as_emit_resolve(struct as_emitter *e)
{
	for (unsigned int i = 0; i < e->ref_count && e->error == 0; i++) {
		const struct as_emit_ref *ref = &e->refs[i];
		unsigned int to = e->label_at[ref->label];
		struct sock_filter *insn = &e->insns[ref->at];
		uint32_t offset = to - ref->at - 1;
		if (to == AS_EMIT_UNBOUND || to <= ref->at)
			return fail(e, -EINVAL);
		if (ref->branch == AS_EMIT_K)
			insn->k = offset;
		else if (offset > 255)
			return fail(e, -E2BIG);
		else if (ref->branch == AS_EMIT_JT)
			insn->jt = (uint8_t)offset;
		else
			insn->jf = (uint8_t)offset;
	}
	return e->error;
}
