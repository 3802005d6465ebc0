#include "explain.h"

#include <ctype.h>
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

#define X32_SYSCALL_BIT 0x40000000u

static void entry_name(const char *table_name, char *buf, size_t len)
{
	const char *s = table_name + strlen("SCMP_ARCH_");
	size_t i = 0;

	for (; s[i] != '\0' && i + 1 < len; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[i] = '\0';
}

int as_entry_by_arch(uint32_t arch, struct as_entry *ret)
{
	static char names[32][24];
	const struct as_name *found = as_name_of_value(&as_arch_names, arch);
	size_t k;

	if (found == NULL || arch == 0)
		return -EINVAL;
	/* Names live as long as the table: one slot per table entry. */
	k = (size_t)(found - as_arch_names.names);
	entry_name(found->name, names[k], sizeof(names[k]));
	*ret = (struct as_entry){arch, arch == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : arch, names[k]};
	return 0;
}

int as_entry_by_name(const char *name, struct as_entry *ret)
{
	for (size_t i = 0; i < as_arch_names.count; i++) {
		char candidate[24];
		entry_name(as_arch_names.names[i].name, candidate, sizeof(candidate));
		if (strcmp(candidate, name) == 0)
			return as_entry_by_arch((uint32_t)as_arch_names.names[i].value, ret);
	}
	return -EINVAL;
}

unsigned int as_entries_of(const struct as_resolved *resolved, const struct as_host *host, struct as_entry *ret,
			   unsigned int capacity)
{
	unsigned int count = 0;

	for (int i = -1; i < (int)resolved->arch_count && count < capacity; i++) {
		uint32_t arch = i < 0 ? host->native_arch : resolved->arches[i];
		bool seen = false;
		for (unsigned int k = 0; k < count; k++)
			seen |= ret[k].arch == arch;
		if (!seen && as_entry_by_arch(arch, &ret[count]) == 0)
			count++;
	}
	return count;
}

static bool compare(const struct as_resolved_condition *cond, uint64_t value, bool narrow)
{
	uint64_t datum = cond->value, mask = narrow ? 0xffffffffu : UINT64_MAX;

	/* libseccomp compares only the low 32 bits on a 32-bit architecture. */
	value &= mask;
	switch (cond->op) {
	case SCMP_CMP_NE: return value != (datum & mask);
	case SCMP_CMP_LT: return value < (datum & mask);
	case SCMP_CMP_LE: return value <= (datum & mask);
	case SCMP_CMP_EQ: return value == (datum & mask);
	case SCMP_CMP_GE: return value >= (datum & mask);
	case SCMP_CMP_GT: return value > (datum & mask);
	default: return (value & datum & mask) == (cond->value_two & mask);
	}
}

static bool set_holds(const struct as_resolved *resolved, const struct as_resolved_set *set, const uint64_t args[6],
		      bool narrow)
{
	for (unsigned int i = 0; i < set->count; i++) {
		const struct as_resolved_condition *cond = &resolved->conditions[set->first + i];
		if (cond->index > 5 || !compare(cond, args[cond->index], narrow))
			return false;
	}
	return true;
}

static bool rule_matches(const struct as_resolved *resolved, const struct as_resolved_rule *rule,
			 const uint64_t args[6], bool narrow)
{
	for (unsigned int s = 0; s < rule->set_count; s++)
		if (set_holds(resolved, &resolved->sets[rule->first_set + s], args, narrow))
			return true;
	return false;
}

static bool names_syscall(const struct as_resolved *resolved, const struct as_resolved_rule *rule, uint32_t arch,
			  int nr)
{
	for (unsigned int k = 0; k < rule->name_count; k++) {
		const struct as_resolved_name *name = &resolved->names[rule->first_name + k];
		if (name->len > 0 && name->cstr != NULL && seccomp_syscall_resolve_name_arch(arch, name->cstr) == nr)
			return true;
	}
	return false;
}

/* The first kept rule for NR whose conditions hold and whose action is the
 * verdict's: the rule libseccomp kept for this call. */
static void attribute(const struct as_resolved *resolved, const struct as_entry *entry, int nr,
		      const uint64_t args[6], struct as_decision *d)
{
	bool narrow = entry->audit_arch == AUDIT_ARCH_I386 || !(entry->audit_arch & __AUDIT_ARCH_64BIT);

	d->by = d->verdict.action == resolved->default_action ? AS_BY_DEFAULT : AS_BY_MERGE;
	d->pos = resolved->default_pos;
	for (unsigned int i = 0; i < resolved->rule_count; i++) {
		const struct as_resolved_rule *rule = &resolved->rules[i];
		if (rule->action == resolved->default_action || !names_syscall(resolved, rule, entry->arch, nr))
			continue;
		d->conditional |= rule->condition_count > 0;
		if (d->by == AS_BY_RULE || rule->action != d->verdict.action || !rule_matches(resolved, rule, args, narrow))
			continue;
		d->by = AS_BY_RULE;
		d->pos = rule->pos;
	}
}

static bool covers(const struct as_resolved *resolved, const struct as_host *host, uint32_t arch)
{
	struct as_entry entries[AS_RESOLVED_MAX_ARCHES + 1];
	unsigned int count = as_entries_of(resolved, host, entries, AS_RESOLVED_MAX_ARCHES + 1);

	for (unsigned int i = 0; i < count; i++)
		if (entries[i].arch == arch)
			return true;
	return false;
}

int as_explain(const struct as_bpf *bpf, const struct as_resolved *resolved, const struct as_host *host,
	       const struct as_entry *entry, int nr, const uint64_t args[6], struct as_decision *ret,
	       struct as_error *err)
{
	struct seccomp_data data = {.nr = nr, .arch = entry->audit_arch};
	struct as_decision d = {0};
	int r;

	memcpy(data.args, args, sizeof(data.args));
	r = as_eval(bpf->insns, bpf->len, &data, &d.verdict, err);
	if (r < 0)
		return r;
	attribute(resolved, entry, nr, args, &d);
	if (d.verdict.ret_pc < bpf->stub_len)
		d.by = AS_BY_STUB;
	else if (!covers(resolved, host, entry->arch))
		d.by = AS_BY_BAD_ARCH;
	*ret = d;
	return 0;
}

static const struct as_name action_words[] = {
	{"SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS}, {"SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD},
	{"SCMP_ACT_TRAP", SECCOMP_RET_TRAP},		     {"SCMP_ACT_ERRNO", SECCOMP_RET_ERRNO},
	{"SCMP_ACT_NOTIFY", SECCOMP_RET_USER_NOTIF},	     {"SCMP_ACT_TRACE", SECCOMP_RET_TRACE},
	{"SCMP_ACT_LOG", SECCOMP_RET_LOG},		     {"SCMP_ACT_ALLOW", SECCOMP_RET_ALLOW},
};
static const struct as_name_table action_word_names = {"action", action_words,
						       sizeof(action_words) / sizeof(action_words[0])};

const char *as_action_name(uint32_t action)
{
	const struct as_name *kind = as_name_of_value(&action_word_names, action & SECCOMP_RET_ACTION_FULL);

	return kind ? kind->name : "unknown";
}

void as_action_format(uint32_t action, char *buf, size_t len)
{
	const struct as_name *kind = as_name_of_value(&action_word_names, action & SECCOMP_RET_ACTION_FULL);
	uint32_t data = action & SECCOMP_RET_DATA;
	const struct as_name *errno_name = as_name_of_value(&as_errno_names, data);

	if (kind == NULL)
		snprintf(buf, len, "0x%08x", action);
	else if (kind->value == SECCOMP_RET_ERRNO && errno_name != NULL)
		snprintf(buf, len, "%s(%s)", kind->name, errno_name->name);
	else if (kind->value == SECCOMP_RET_ERRNO || kind->value == SECCOMP_RET_TRACE || data != 0)
		snprintf(buf, len, "%s(%u)", kind->name, data);
	else
		snprintf(buf, len, "%s", kind->name);
}

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
	name = seccomp_syscall_resolve_num_arch(entry.arch, (int)in->k);
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
	static struct disassembly state;

	memset(&state, 0, sizeof(state));
	state.loaded = UINT32_MAX;
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
