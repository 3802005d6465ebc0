#include "explain.h"

#include <ctype.h>
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "syscalls.h"

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
	const struct as_name *found = as_name_of_value(&as_arch_names, arch);

	if (found == NULL || arch == 0)
		return -EINVAL;
	*ret = (struct as_entry){arch, as_syscall_audit_arch(arch), ""};
	entry_name(found->name, ret->name, sizeof(ret->name));
	return 0;
}

int as_entry_by_name(const char *name, struct as_entry *ret)
{
	for (size_t i = 0; i < as_arch_names.count; i++) {
		char candidate[AS_ENTRY_NAME_SIZE];
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

void as_decision_describe(const struct as_decision *d, const char *source_name, const char *text, size_t text_len,
			   char *buf, size_t len)
{
	size_t line = 0, column = 0;

	as_error_position(text, text_len, d->pos, &line, &column);
	switch (d->by) {
	case AS_BY_STUB:
		snprintf(buf, len, "ENOSYS stub (newer than every syscall the profile names)");
		break;
	case AS_BY_BAD_ARCH:
		snprintf(buf, len, "architecture not in the filter (libseccomp's bad-architecture action)");
		break;
	case AS_BY_RULE:
		snprintf(buf, len, "rule at %s:%zu:%zu", source_name, line, column);
		break;
	case AS_BY_DEFAULT:
		snprintf(buf, len, "default action at %s:%zu:%zu", source_name, line, column);
		break;
	default:
		snprintf(buf, len, "rules libseccomp merged");
	}
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
