#include "disasm.h"

#include <linux/audit.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>

#include "explain.h"
#include "syscalls.h"

#define X32_SYSCALL_BIT 0x40000000u

/* What the accumulator holds, for naming the constants compared with it. */
struct disassembly {
	uint32_t loaded; /* offset of the last word loaded from seccomp_data */
	struct as_entry entry;
	bool has_entry;
	uint32_t section[BPF_MAXINSNS]; /* the architecture whose check jumps here, or 0 */
};

static void annotate(FILE *out, struct disassembly *state, const struct sock_filter *in, unsigned int pc)
{
	struct as_entry entry;
	char *name;

	if (BPF_CLASS(in->code) == BPF_LD && BPF_MODE(in->code) == BPF_ABS) {
		state->loaded = in->k;
		if (in->k == 0)
			fprintf(out, "  ; nr");
		else if (in->k == 4)
			fprintf(out, "  ; arch");
		else if (in->k >= 16)
			fprintf(out, "  ; args[%u] %s", (in->k - 16) / 8, (in->k - 16) % 8 ? "high" : "low");
		return;
	}
	if (BPF_CLASS(in->code) != BPF_JMP || BPF_OP(in->code) == BPF_JA || BPF_SRC(in->code) != BPF_K)
		return;
	if (state->loaded == 4) {
		uint32_t arch = in->k == AUDIT_ARCH_X86_64 ? SCMP_ARCH_X86_64 : in->k;
		/* The code for an architecture starts where its check jumps. */
		if (as_entry_by_arch(arch, &entry) == 0) {
			if (BPF_OP(in->code) == BPF_JEQ && pc + 1 + in->jt < BPF_MAXINSNS)
				state->section[pc + 1 + in->jt] = arch;
			fprintf(out, "  ; %s", entry.name);
		}
		return;
	}
	if (state->loaded != 0 || !state->has_entry || BPF_OP(in->code) == BPF_JSET)
		return;
	entry = state->entry;
	if (entry.audit_arch == AUDIT_ARCH_X86_64 && (in->k & X32_SYSCALL_BIT))
		as_entry_by_arch(SCMP_ARCH_X32, &entry);
	name = as_syscall_name(entry.arch, (int)in->k);
	if (name != NULL)
		fprintf(out, "  ; %s", name);
	free(name);
}

static const char *jump_mnemonic(uint16_t code)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ: return "jeq";
	case BPF_JGT: return "jgt";
	case BPF_JGE: return "jge";
	case BPF_JSET: return "jset";
	default: return "ja";
	}
}

static void disassemble_one(FILE *out, const struct sock_filter *in, unsigned int pc)
{
	char action[64];

	switch (BPF_CLASS(in->code)) {
	case BPF_LD:
		if (BPF_MODE(in->code) == BPF_ABS)
			fprintf(out, "%5u: ld [%u]", pc, in->k);
		else
			fprintf(out, "%5u: ld #0x%x (code 0x%02x)", pc, in->k, in->code);
		break;
	case BPF_JMP:
		if (BPF_OP(in->code) == BPF_JA)
			fprintf(out, "%5u: ja %u", pc, pc + 1 + in->k);
		else
			fprintf(out, "%5u: %s #0x%x jt %u jf %u", pc, jump_mnemonic(in->code), in->k, pc + 1 + in->jt,
				pc + 1 + in->jf);
		break;
	case BPF_RET:
		as_action_format(in->k, action, sizeof(action));
		fprintf(out, "%5u: ret %s", pc, BPF_RVAL(in->code) == BPF_A ? "A" : action);
		break;
	case BPF_ALU:
		/* libseccomp masks arguments for SCMP_CMP_MASKED_EQ, and uses no
		 * other arithmetic. */
		if (BPF_OP(in->code) == BPF_AND && BPF_SRC(in->code) == BPF_K) {
			fprintf(out, "%5u: and #0x%x", pc, in->k);
			break;
		}
		__attribute__((fallthrough));
	default:
		fprintf(out, "%5u: code 0x%02x jt %u jf %u k 0x%x", pc, in->code, in->jt, in->jf, in->k);
		break;
	}
}

void as_disassemble(FILE *out, const struct as_bpf *bpf)
{
	struct disassembly state = {.loaded = UINT32_MAX};
	for (unsigned int pc = 0; pc < bpf->len; pc++) {
		if (state.section[pc] != 0)
			state.has_entry = as_entry_by_arch(state.section[pc], &state.entry) == 0;
		if (pc == 0 && bpf->stub_len > 0)
			fprintf(out, "; runc's ENOSYS stub\n");
		if (pc == bpf->stub_len && bpf->stub_len > 0)
			fprintf(out, "; libseccomp's filter\n");
		disassemble_one(out, &bpf->insns[pc], pc);
		annotate(out, &state, &bpf->insns[pc], pc);
		fputc('\n', out);
	}
}
