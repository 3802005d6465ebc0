#include "resolve.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "names.h"

/* The kernel's maximum errno: libseccomp refuses larger ones. */
#define MAX_ERRNO 4095

static bool has_capability(const struct as_profile *profile, const struct as_host *host,
			   const struct as_strings *caps, unsigned int k)
{
	struct as_str name = as_profile_string(profile, caps, k);
	const struct as_name *cap = as_name_find(&as_capability_names, name.ptr, name.len);

	return cap != NULL && (host->permitted >> cap->value & 1);
}

static bool lists_arch(const struct as_profile *profile, const struct as_host *host, const struct as_strings *arches)
{
	for (unsigned int k = 0; k < arches->count; k++) {
		struct as_str name = as_profile_string(profile, arches, k);
		if (name.len == strlen(host->arch_name) && memcmp(name.ptr, host->arch_name, name.len) == 0)
			return true;
	}
	return false;
}

static int kernel_at_least(const struct as_condition *cond, const struct as_host *host, bool *ret,
			   struct as_error *err)
{
	if (!host->kernel_known)
		return as_error_set(err, -EINVAL, cond->pos, "cannot read the running kernel's version for minKernel");
	*ret = host->kernel_major > cond->min_kernel.major ||
	       (host->kernel_major == cond->min_kernel.major && host->kernel_minor >= cond->min_kernel.minor);
	return 0;
}

/* Docker keeps a rule when none of its excludes holds and all its includes do:
 * excluded by any listed capability held, included only if all are held. */
static int rule_applies(const struct as_profile *profile, const struct as_rule *rule, const struct as_host *host,
			bool *ret, struct as_error *err)
{
	const struct as_condition *ex = &rule->excludes, *in = &rule->includes;
	bool newer = false;
	int r;

	*ret = false;
	if (ex->arches.count > 0 && lists_arch(profile, host, &ex->arches))
		return 0;
	for (unsigned int k = 0; k < ex->caps.count; k++)
		if (has_capability(profile, host, &ex->caps, k))
			return 0;
	if (ex->min_kernel.present && ((r = kernel_at_least(ex, host, &newer, err)) < 0 || newer))
		return r < 0 ? r : 0;
	if (in->arches.count > 0 && !lists_arch(profile, host, &in->arches))
		return 0;
	for (unsigned int k = 0; k < in->caps.count; k++)
		if (!has_capability(profile, host, &in->caps, k))
			return 0;
	if (in->min_kernel.present && ((r = kernel_at_least(in, host, &newer, err)) < 0 || !newer))
		return r < 0 ? r : 0;
	*ret = true;
	return 0;
}

static bool takes_errno(uint64_t action)
{
	return action == SCMP_ACT_ERRNO(0) || action == SCMP_ACT_TRACE(0);
}

uint32_t as_resolved_action(const struct as_profile *profile, const struct as_rule *rule)
{
	const struct as_choice *action = rule ? &rule->action : &profile->default_action;
	const struct as_number *errno_ret = rule ? &rule->errno_value : &profile->default_errno_value;

	/* runc's default errno for ERRNO and TRACE is EPERM, and it ignores errnoRet on other actions. */
	if (!takes_errno(action->value))
		return (uint32_t)action->value;
	return (uint32_t)action->value | (uint32_t)(errno_ret->present ? errno_ret->value : EPERM);
}

static int check_action(const struct as_choice *action, const struct as_number *errno_ret, bool is_default,
			struct as_error *err)
{
	if (action->value == SCMP_ACT_NOTIFY)
		return as_error_set(err, -EINVAL, action->pos,
				    is_default ? "SCMP_ACT_NOTIFY cannot be used as default action"
					       : "SCMP_ACT_NOTIFY is not supported: autoseccomp has no seccomp agent "
						 "to hand the listener to");
	if (takes_errno(action->value) && errno_ret->present && errno_ret->value > MAX_ERRNO)
		return as_error_set(err, -EINVAL, errno_ret->pos, "errno %llu is out of range (at most %d)",
				    (unsigned long long)errno_ret->value, MAX_ERRNO);
	return 0;
}

static int resolve_rules(const struct as_profile *profile, const struct as_host *host, struct as_resolved *ret,
			 struct as_error *err)
{
	ret->rule_count = 0;
	for (unsigned int i = 0; i < profile->rule_count; i++) {
		const struct as_rule *rule = &profile->rules[i];
		bool applies;
		int r = rule_applies(profile, rule, host, &applies, err);
		if (r < 0)
			return r;
		if (!applies)
			continue;
		r = check_action(&rule->action, &rule->errno_value, false, err);
		if (r < 0)
			return r;
		ret->rules[ret->rule_count++] = (uint16_t)i;
	}
	return 0;
}

static int add_arch(struct as_resolved *ret, const struct as_choice *arch, struct as_error *err)
{
	if (arch->value == 0)
		return as_error_set(err, -EINVAL, arch->pos, "architecture not supported by libseccomp %u.%u.%u",
				    SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
	if (ret->arch_count == AS_RESOLVED_MAX_ARCHES)
		return as_error_set(err, -E2BIG, arch->pos, "too many architectures (at most %d)",
				    AS_RESOLVED_MAX_ARCHES);
	ret->arches[ret->arch_count++] = (uint32_t)arch->value;
	return 0;
}

static int add_arch_list(const struct as_profile *profile, const struct as_strings *list, struct as_resolved *ret,
			 struct as_error *err)
{
	for (unsigned int k = 0; k < list->count; k++) {
		struct as_str name = as_profile_string(profile, list, k);
		const struct as_name *arch = as_name_find(&as_arch_names, name.ptr, name.len);
		struct as_choice choice = {true, arch->value, name.pos, name};
		int r = add_arch(ret, &choice, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* "architectures" as written, or the first archMap entry for this host. */
static int resolve_arches(const struct as_profile *profile, const struct as_host *host, struct as_resolved *ret,
			  struct as_error *err)
{
	ret->arch_count = 0;
	if (profile->architectures.count > 0)
		return add_arch_list(profile, &profile->architectures, ret, err);
	for (unsigned int i = 0; i < profile->arch_map_count; i++) {
		const struct as_arch_map_entry *entry = &profile->arch_map[i];
		int r;
		if (!entry->architecture.present || entry->architecture.value != host->native_arch)
			continue;
		r = add_arch(ret, &entry->architecture, err);
		return r < 0 ? r : add_arch_list(profile, &entry->sub_architectures, ret, err);
	}
	return 0;
}

static int resolve_flags(const struct as_profile *profile, struct as_resolved *ret, struct as_error *err)
{
	unsigned int api = seccomp_api_get();

	/* Docker drops an empty list on its way to runc, so empty and absent both
	 * get runc's default. */
	ret->flags = profile->flags.count == 0 && api >= 4 ? SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0;
	for (unsigned int k = 0; k < profile->flags.count; k++) {
		struct as_str name = as_profile_string(profile, &profile->flags, k);
		const struct as_name *flag = as_name_find(&as_flag_names, name.ptr, name.len);
		unsigned int needs = flag->value == SECCOMP_FILTER_FLAG_LOG		 ? 3
				     : flag->value == SECCOMP_FILTER_FLAG_SPEC_ALLOW ? 4
				     : flag->value != 0				 ? 7
										 : 0;
		if (api < needs)
			return as_error_set(err, -EINVAL, name.pos, "flag %.*s is not supported by libseccomp %u.%u.%u",
					    (int)name.len, name.ptr, SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
		ret->flags |= (uint32_t)flag->value;
	}
	return 0;
}

int as_resolve(const struct as_profile *profile, const struct as_host *host, struct as_resolved *ret,
	       struct as_error *err)
{
	int r;

	ret->profile = profile;
	r = check_action(&profile->default_action, &profile->default_errno_value, true, err);
	if (r < 0)
		return r;
	ret->default_action = as_resolved_action(profile, NULL);
	r = resolve_arches(profile, host, ret, err);
	if (r < 0)
		return r;
	r = resolve_flags(profile, ret, err);
	if (r < 0)
		return r;
	return resolve_rules(profile, host, ret, err);
}
