#include "eval.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct machine {
	uint32_t a, x;
	uint32_t mem[BPF_MEMWORDS];
	unsigned int first_arg_pc;
};

static int fault(struct as_error *err, unsigned int pc, const char *what)
{
	return as_error_set(err, -EINVAL, AS_NO_POSITION, "instruction %u: %s", pc, what);
}

/* seccomp programs read struct seccomp_data only in aligned 32-bit words. */
static int load_word(const struct seccomp_data *data, uint32_t offset, uint32_t *ret)
{
	uint32_t word;

	if (offset % 4 != 0 || offset + 4 > sizeof(*data))
		return -1;
	memcpy(&word, (const char *)data + offset, 4);
	*ret = word;
	return 0;
}

static int alu(struct machine *m, uint16_t code, uint32_t operand)
{
	switch (BPF_OP(code)) {
	case BPF_ADD: m->a += operand; break;
	case BPF_SUB: m->a -= operand; break;
	case BPF_MUL: m->a *= operand; break;
	case BPF_DIV:
		if (operand == 0)
			return -1;
		m->a /= operand;
		break;
	case BPF_MOD:
		if (operand == 0)
			return -1;
		m->a %= operand;
		break;
	case BPF_OR: m->a |= operand; break;
	case BPF_AND: m->a &= operand; break;
	case BPF_XOR: m->a ^= operand; break;
	case BPF_LSH: m->a = operand < 32 ? m->a << operand : 0; break;
	case BPF_RSH: m->a = operand < 32 ? m->a >> operand : 0; break;
	case BPF_NEG: m->a = -m->a; break;
	default: return -1;
	}
	return 0;
}

static int jump_taken(uint16_t code, uint32_t a, uint32_t operand, bool *ret)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ: *ret = a == operand; return 0;
	case BPF_JGT: *ret = a > operand; return 0;
	case BPF_JGE: *ret = a >= operand; return 0;
	case BPF_JSET: *ret = (a & operand) != 0; return 0;
	default: return -1;
	}
}

static int load(struct machine *m, const struct sock_filter *in, const struct seccomp_data *data, uint32_t *ret)
{
	switch (BPF_MODE(in->code)) {
	case BPF_ABS: return BPF_SIZE(in->code) == BPF_W ? load_word(data, in->k, ret) : -1;
	case BPF_IMM: *ret = in->k; return 0;
	case BPF_MEM:
		if (in->k >= BPF_MEMWORDS)
			return -1;
		*ret = m->mem[in->k];
		return 0;
	case BPF_LEN: *ret = sizeof(*data); return 0;
	default: return -1;
	}
}

/* Executes the instruction at *PC; sets *DONE with the returned value. */
static int step(struct machine *m, const struct sock_filter *insns, unsigned int len, unsigned int *pc,
		const struct seccomp_data *data, bool *done, uint32_t *action)
{
	const struct sock_filter *in = &insns[*pc];
	uint32_t operand = BPF_SRC(in->code) == BPF_X ? m->x : in->k;
	bool taken;

	switch (BPF_CLASS(in->code)) {
	case BPF_LD:
		if (BPF_MODE(in->code) == BPF_ABS && in->k >= offsetof(struct seccomp_data, args) && m->first_arg_pc == len)
			m->first_arg_pc = *pc;
		return load(m, in, data, &m->a);
	case BPF_LDX: return BPF_MODE(in->code) == BPF_ABS ? -1 : load(m, in, data, &m->x);
	case BPF_ST:
	case BPF_STX:
		if (in->k >= BPF_MEMWORDS)
			return -1;
		m->mem[in->k] = BPF_CLASS(in->code) == BPF_ST ? m->a : m->x;
		return 0;
	case BPF_ALU: return alu(m, in->code, operand);
	case BPF_JMP:
		if (BPF_OP(in->code) == BPF_JA) {
			if (in->k >= len - *pc - 1)
				return -1;
			*pc += in->k;
			return 0;
		}
		if (jump_taken(in->code, m->a, operand, &taken) < 0)
			return -1;
		*pc += taken ? in->jt : in->jf;
		return *pc + 1 < len ? 0 : -1;
	case BPF_RET:
		*action = BPF_RVAL(in->code) == BPF_A ? m->a : in->k;
		*done = true;
		return 0;
	case BPF_MISC:
		if (BPF_MISCOP(in->code) == BPF_TAX)
			m->x = m->a;
		else
			m->a = m->x;
		return 0;
	default: return -1;
	}
}

int as_eval(const struct sock_filter *insns, unsigned int len, const struct seccomp_data *data,
	    struct as_verdict *ret, struct as_error *err)
{
	struct machine m = {.first_arg_pc = len};
	bool done = false;
	uint32_t action = 0;
	unsigned int steps = 0;

	/* Jumps only go forward, so a program runs at most LEN instructions. */
	for (unsigned int pc = 0; pc < len; pc++) {
		unsigned int at = pc;
		steps++;
		if (step(&m, insns, len, &pc, data, &done, &action) < 0)
			return fault(err, at, "not a valid seccomp instruction here");
		if (done) {
			*ret = (struct as_verdict){action, at, steps, m.first_arg_pc};
			return 0;
		}
	}
	return fault(err, len, "the program ends without returning");
}
