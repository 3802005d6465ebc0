#include "resolve.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "names.h"
#include "profile.h"
#include "program.h"

_Static_assert(AS_RESOLVED_MAX_RULES >= AS_PROFILE_MAX_RULES && AS_RESOLVED_MAX_CONDITIONS >= AS_PROFILE_MAX_ARGS &&
		       AS_RESOLVED_MAX_NAMES >= AS_JSON_MAX_TOKENS,
	       "a kept rule, name or condition for every one of the view's");

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

/* Records why a rule is left out; returns 0, as rule_applies does. */
static int dropped(struct as_resolved_drop *why, int reason, unsigned int pos, struct as_str name)
{
	why->why = reason;
	why->pos = pos;
	why->name = name.ptr;
	why->name_len = name.len;
	return 0;
}

/* Docker keeps a rule when none of its excludes holds and all its includes do:
 * excluded by any listed capability held, included only if all are held.
 * A rule left out says why in WHY. */
static int rule_applies(const struct as_profile *profile, const struct as_rule *rule, const struct as_host *host,
			bool *ret, struct as_resolved_drop *why, struct as_error *err)
{
	const struct as_condition *ex = &rule->excludes, *in = &rule->includes;
	const struct as_str none = {0};
	bool newer = false;
	int r;

	*ret = false;
	if (ex->arches.count > 0 && lists_arch(profile, host, &ex->arches))
		return dropped(why, AS_DROP_EXCLUDED_ARCH, ex->arches.pos, none);
	for (unsigned int k = 0; k < ex->caps.count; k++)
		if (has_capability(profile, host, &ex->caps, k))
			return dropped(why, AS_DROP_EXCLUDED_CAP, ex->caps.pos, as_profile_string(profile, &ex->caps, k));
	if (ex->min_kernel.present && ((r = kernel_at_least(ex, host, &newer, err)) < 0 || newer))
		return r < 0 ? r : dropped(why, AS_DROP_EXCLUDED_KERNEL, ex->pos, none);
	if (in->arches.count > 0 && !lists_arch(profile, host, &in->arches))
		return dropped(why, AS_DROP_NOT_INCLUDED_ARCH, in->arches.pos, none);
	for (unsigned int k = 0; k < in->caps.count; k++)
		if (!has_capability(profile, host, &in->caps, k))
			return dropped(why, AS_DROP_NOT_INCLUDED_CAP, in->caps.pos,
				       as_profile_string(profile, &in->caps, k));
	if (in->min_kernel.present && ((r = kernel_at_least(in, host, &newer, err)) < 0 || !newer))
		return r < 0 ? r : dropped(why, AS_DROP_NOT_INCLUDED_KERNEL, in->pos, none);
	*ret = true;
	return 0;
}

static bool takes_errno(uint64_t action)
{
	return action == SCMP_ACT_ERRNO(0) || action == SCMP_ACT_TRACE(0);
}

/* The data an errnoRet gives an action: runc makes it an int16, and
 * libseccomp keeps its 16 bits, so 65537 is 1, and so is it here. */
static uint32_t action_data(const struct as_number *errno_ret)
{
	return (uint32_t)((errno_ret->present ? errno_ret->value : EPERM) & 0xffff);
}

/* The libseccomp action of RULE, or of the profile's default for NULL, with its errno. */
static uint32_t action_of(const struct as_profile *profile, const struct as_rule *rule)
{
	const struct as_choice *action = rule ? &rule->action : &profile->default_action;
	const struct as_number *errno_ret = rule ? &rule->errno_value : &profile->default_errno_value;

	/* runc's default errno for ERRNO and TRACE is EPERM, and it ignores errnoRet on other actions. */
	if (!takes_errno(action->value))
		return (uint32_t)action->value;
	return (uint32_t)action->value | action_data(errno_ret);
}

/* libseccomp refuses an errno beyond the kernel's MAX_ERRNO; a tracer's
 * message may be any of the 16 bits. */
static int check_action(const struct as_choice *action, const struct as_number *errno_ret, bool is_default,
			struct as_error *err)
{
	if (action->value == SCMP_ACT_NOTIFY && is_default)
		return as_error_set(err, -EINVAL, action->pos, "SCMP_ACT_NOTIFY cannot be used as default action");
	if (action->value == SCMP_ACT_ERRNO(0) && errno_ret->present && action_data(errno_ret) > MAX_ERRNO)
		return as_error_set(err, -EINVAL, errno_ret->pos, "errno %llu is out of range (at most %d)",
				    (unsigned long long)errno_ret->value, MAX_ERRNO);
	return 0;
}

/* Unreachable while the view's slices do not overlap, which the tables
 * being sized as the view's are meant for. */
static int too_many(unsigned int pos, struct as_error *err)
{
	return as_error_set(err, -E2BIG, pos, "profile has too many elements");
}

static int add_names(const struct as_profile *profile, const struct as_rule *rule, struct as_resolved_rule *kept,
		     struct as_resolved *ret, struct as_error *err)
{
	if (AS_RESOLVED_MAX_NAMES - ret->name_count < rule->names.count)
		return too_many(rule->pos, err);
	kept->first_name = ret->name_count;
	kept->name_count = rule->names.count;
	for (unsigned int k = 0; k < rule->names.count; k++) {
		struct as_str name = as_profile_string(profile, &rule->names, k);
		char *cstr = ret->text + ret->text_len;
		bool fits = as_str_to_cstr(name, cstr, AS_RESOLVED_NAME_SIZE);
		ret->names[ret->name_count++] = (struct as_resolved_name){fits ? cstr : NULL, name.len, name.pos};
		ret->text_len += fits ? strlen(cstr) + 1 : 0;
	}
	return 0;
}

/* Whether two of ARGS compare one argument (indexes out of range aside):
 * libseccomp refuses that in one rule, so runc then makes every condition a
 * rule of its own, and they are ORed, conditions on other indexes included. */
static bool repeats_an_index(const struct as_arg *args, unsigned int count)
{
	unsigned int seen = 0;

	for (unsigned int i = 0; i < count; i++) {
		uint64_t index = args[i].index.value;
		if (index > 5)
			continue;
		if ((seen >> index) & 1)
			return true;
		seen |= 1u << index;
	}
	return false;
}

static int add_conditions(const struct as_profile *profile, const struct as_rule *rule,
			  struct as_resolved_rule *kept, struct as_resolved *ret, struct as_error *err)
{
	const struct as_arg *args = &profile->args[rule->args.first];
	unsigned int count = rule->args.count;
	bool ors = repeats_an_index(args, count);

	if (AS_RESOLVED_MAX_CONDITIONS - ret->condition_count < count)
		return too_many(rule->pos, err);
	kept->first_set = ret->set_count;
	kept->set_count = ors ? count : 1;
	kept->condition_count = count;
	for (unsigned int i = 0; i < kept->set_count; i++)
		ret->sets[ret->set_count++] = (struct as_resolved_set){ret->condition_count + i, ors ? 1 : count};
	for (unsigned int i = 0; i < count; i++)
		ret->conditions[ret->condition_count++] = (struct as_resolved_condition){
			args[i].index.value, (uint32_t)args[i].op.value, args[i].value.value, args[i].value_two.value,
			args[i].index.pos};
	return 0;
}

/* Calls the agent could not be asked about: runc writes to its parent
 * after the filter is in force, and autoseccomp sends the listener to the
 * agent with sendmsg.  Notified before the agent holds the listener, either
 * would wait for ever.  Names are compared as libseccomp reads them. */
static int check_notified_names(const struct as_resolved *ret, const struct as_resolved_rule *kept,
				struct as_error *err)
{
	static const char *const refused[] = {"write", "sendmsg"};

	for (unsigned int k = kept->first_name; k < kept->first_name + kept->name_count; k++)
		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
			if (ret->names[k].cstr != NULL && strcmp(ret->names[k].cstr, refused[i]) == 0)
				return as_error_set(err, -EINVAL, ret->names[k].pos,
						    "SCMP_ACT_NOTIFY cannot apply to %s: %s", refused[i],
						    i == 0 ? "runc refuses it, as the agent could not be told"
							   : "autoseccomp hands the listener to the agent with it");
	return 0;
}

static int keep_rule(const struct as_profile *profile, unsigned int index, struct as_resolved *ret,
		     struct as_error *err)
{
	const struct as_rule *rule = &profile->rules[index];
	struct as_resolved_rule *kept = &ret->rules[ret->rule_count];
	int r = as_choice_known(&as_action_names, &rule->action, err);

	for (unsigned int k = 0; r == 0 && k < rule->args.count; k++)
		r = as_choice_known(&as_operator_names, &profile->args[rule->args.first + k].op, err);
	if (r == 0)
		r = check_action(&rule->action, &rule->errno_value, false, err);
	if (r < 0)
		return r;
	*kept = (struct as_resolved_rule){.action = action_of(profile, rule), .index = index, .pos = rule->pos};
	r = add_names(profile, rule, kept, ret, err);
	if (r == 0 && kept->action == SCMP_ACT_NOTIFY)
		r = check_notified_names(ret, kept, err);
	if (r == 0)
		r = add_conditions(profile, rule, kept, ret, err);
	if (r == 0)
		ret->rule_count++;
	return r;
}

static int resolve_rules(const struct as_profile *profile, const struct as_host *host, struct as_resolved *ret,
			 struct as_error *err)
{
	ret->rule_count = ret->name_count = ret->set_count = ret->condition_count = ret->drop_count = 0;
	ret->text_len = 0;
	for (unsigned int i = 0; i < profile->rule_count; i++) {
		struct as_resolved_drop *why = &ret->drops[ret->drop_count];
		bool applies;
		int r = rule_applies(profile, &profile->rules[i], host, &applies, why, err);
		if (r == 0 && applies)
			r = keep_rule(profile, i, ret, err);
		if (r < 0)
			return r;
		if (!applies) {
			why->index = i;
			ret->drop_count++;
		}
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
		const struct as_name *arch;
		int r = as_name_lookup(&as_arch_names, name.ptr, name.len, name.pos, &arch, err);
		if (r == 0)
			r = add_arch(ret, &(struct as_choice){true, arch->value, name.pos, name}, err);
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

/* The libseccomp API level that first takes FLAG. */
static unsigned int api_taking(uint64_t flag)
{
	return flag == SECCOMP_FILTER_FLAG_LOG ? 3 : flag == SECCOMP_FILTER_FLAG_SPEC_ALLOW ? 4 : flag != 0 ? 7 : 0;
}

static int resolve_flags(const struct as_profile *profile, struct as_resolved *ret, struct as_error *err)
{
	unsigned int api = seccomp_api_get();

	/* Docker drops an empty list on its way to runc, so empty and absent both
	 * get runc's default. */
	ret->flags = profile->flags.count == 0 && api >= 4 ? SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0;
	for (unsigned int k = 0; k < profile->flags.count; k++) {
		struct as_str name = as_profile_string(profile, &profile->flags, k);
		const struct as_name *flag;
		int r = as_name_lookup(&as_flag_names, name.ptr, name.len, name.pos, &flag, err);
		if (r < 0)
			return r;
		if (api < api_taking(flag->value))
			return as_error_set(err, -EINVAL, name.pos, "flag %.*s is not supported by libseccomp %u.%u.%u",
					    (int)name.len, name.ptr, SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
		ret->flags |= (uint32_t)flag->value;
	}
	return 0;
}

/* The first kept rule that answers SCMP_ACT_NOTIFY, or NULL.  runc asks for
 * a listener for any such rule, even one whose names libseccomp skips. */
static const struct as_resolved_rule *first_notify_rule(const struct as_resolved *ret)
{
	for (unsigned int i = 0; i < ret->rule_count; i++)
		if (ret->rules[i].action == SCMP_ACT_NOTIFY)
			return &ret->rules[i];
	return NULL;
}

/* With a rule that notifies, the filter is loaded with a new listener that
 * goes to the agent at listenerPath; without one, listenerPath and
 * listenerMetadata are ignored, as runc ignores them.  A path is refused
 * where no agent could be reached through it, and an abstract name
 * ("@...", which Go's dialer would take) because any process in the network
 * namespace may bind it and so decide the notified calls. */
static int resolve_listener(const struct as_profile *profile, struct as_resolved *ret, struct as_error *err)
{
	const struct as_resolved_rule *notify = first_notify_rule(ret);
	struct as_str path = profile->listener_path, metadata = profile->listener_metadata;

	ret->listener_path = ret->listener_metadata = NULL;
	ret->listener_path_len = ret->listener_metadata_len = 0;
	if (notify == NULL)
		return 0;
	if (seccomp_api_get() < 6)
		return as_error_set(err, -EOPNOTSUPP, notify->pos,
				    "SCMP_ACT_NOTIFY needs libseccomp API level 6 (libseccomp 2.5, Linux 5.7), "
				    "this host has %u",
				    seccomp_api_get());
	if (path.len == 0)
		return as_error_set(err, -EINVAL, path.ptr != NULL ? path.pos : notify->pos,
				    "SCMP_ACT_NOTIFY needs a listenerPath, the seccomp agent's socket");
	if (path.len > AS_LISTENER_PATH_MAX)
		return as_error_set(err, -ENAMETOOLONG, path.pos, "listenerPath is longer than a socket path (%d bytes)",
				    AS_LISTENER_PATH_MAX);
	if (memchr(path.ptr, '\0', path.len) != NULL)
		return as_error_set(err, -EINVAL, path.pos, "listenerPath contains a NUL byte");
	if (path.ptr[0] == '@')
		return as_error_set(err, -EINVAL, path.pos,
				    "listenerPath names an abstract socket, which any process may bind: give a path");
	if (as_json_escape(metadata.ptr, metadata.len, NULL, 0) > AS_LISTENER_METADATA_MAX)
		return as_error_set(err, -E2BIG, metadata.pos, "listenerMetadata is longer than %d bytes in JSON",
				    AS_LISTENER_METADATA_MAX);
	ret->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	ret->listener_path = path.ptr;
	ret->listener_path_len = path.len;
	ret->listener_metadata = metadata.ptr;
	ret->listener_metadata_len = metadata.len;
	return 0;
}

int as_resolve(const struct as_profile *profile, const struct as_host *host, struct as_resolved *ret,
	       struct as_error *err)
{
	int r;

	r = check_action(&profile->default_action, &profile->default_errno_value, true, err);
	if (r < 0)
		return r;
	ret->default_action = action_of(profile, NULL);
	ret->default_pos = profile->default_action.pos;
	r = resolve_arches(profile, host, ret, err);
	if (r < 0)
		return r;
	r = resolve_flags(profile, ret, err);
	if (r < 0)
		return r;
	r = resolve_rules(profile, host, ret, err);
	if (r < 0)
		return r;
	return resolve_listener(profile, ret, err);
}
