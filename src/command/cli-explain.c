/* explain: what the filter decides for a syscall, or for every one, and
 * which part of the profile decided it (cli.h). */
#include <errno.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "json.h"
#include "explain.h"
#include "syscalls.h"

static const char *decided_by_word(const struct as_decision *d)
{
	static const char *const words[] = {"stub", "rule", "default", "merged", "bad-arch"};

	return words[d->by];
}

/* Whether D hands the call to the seccomp agent. */
static bool notifies(const struct as_cli_profile *p, const struct as_decision *d)
{
	return (d->verdict.action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF &&
	       (p->pipeline.bpf.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER);
}

static void print_json_decision(const struct as_cli_profile *p, const struct as_entry *entry, int nr, const char *name, const struct as_decision *d)
{
	uint32_t data = d->verdict.action & SECCOMP_RET_DATA;
	const char *action = as_action_name(d->verdict.action);
	size_t line = 0, column = 0;

	as_error_position(p->source.text, p->source.len, d->pos, &line, &column);
	printf("{\"arch\": \"%s\", \"nr\": %d, \"name\": \"%s\", \"action\": \"%s\", \"data\": %u, "
	       "\"decided_by\": \"%s\", \"line\": %zu, \"column\": %zu, \"conditional\": %s",
	       entry->name, nr, name, action, data, decided_by_word(d), d->by == AS_BY_RULE || d->by == AS_BY_DEFAULT ? line : 0,
	       d->by == AS_BY_RULE || d->by == AS_BY_DEFAULT ? column : 0, d->conditional ? "true" : "false");
	if (notifies(p, d)) {
		const struct as_listener *l = &p->pipeline.bpf.listener;
		char path[6 * AS_LISTENER_PATH_MAX];
		size_t len = as_json_escape(l->path, l->path_len, path, sizeof(path));
		printf(", \"listener_path\": \"%.*s\"", (int)len, path);
	}
	printf("}");
}

static void print_decision(const struct as_cli_options *opts, const struct as_cli_profile *p,
			   const struct as_entry *entry, int nr, const char *name, const struct as_decision *d)
{
	char action[64], by[PATH_MAX + 64];

	if (opts->json) {
		print_json_decision(p, entry, nr, name, d);
		return;
	}
	as_action_format(d->verdict.action, action, sizeof(action));
	as_decision_describe(d, p->source.name, p->source.text, p->source.len, by, sizeof(by));
	printf("%-7s %10d  %-24s %-28s %s%s", entry->name, nr, name, action, by,
	       d->conditional ? " (depends on arguments)" : "");
	if (notifies(p, d))
		printf(", to the agent at %.*s", (int)p->pipeline.bpf.listener.path_len, p->pipeline.bpf.listener.path);
	printf("\n");
}

static int parse_number(const char *word, uint64_t *ret)
{
	char *end;

	errno = 0;
	*ret = word[0] == '-' ? (uint64_t)strtoll(word, &end, 0) : strtoull(word, &end, 0);
	return errno == 0 && end != word && *end == '\0' ? 0 : -1;
}

/* The syscall number WORD names on ENTRY: a name, or a number (an x32 number
 * gets the x32 bit if it lacks it). */
static int syscall_number(const struct as_entry *entry, const char *word, int *ret)
{
	uint64_t number;

	if (parse_number(word, &number) == 0) {
		*ret = (int)number;
		if (entry->arch == SCMP_ARCH_X32 && number < 0x40000000u)
			*ret = (int)(number | 0x40000000u);
		return 0;
	}
	*ret = as_syscall_number(entry->arch, word);
	return *ret >= 0 ? 0 : -1;
}

static int explain_one(const struct as_cli_options *opts, const struct as_cli_profile *p,
		       const struct as_entry *entry)
{
	uint64_t args[6] = {0};
	struct as_decision d;
	struct as_error err;
	char *name;
	int nr;

	if (syscall_number(entry, opts->words[0], &nr) < 0)
		return as_cli_usage_error("no syscall %s on this architecture", opts->words[0]);
	if (opts->word_count > 7)
		return as_cli_usage_error("%s: a syscall has at most 6 arguments", opts->words[0]);
	for (int i = 1; i < opts->word_count; i++)
		if (parse_number(opts->words[i], &args[i - 1]) < 0)
			return as_cli_usage_error("argument %s is not a number", opts->words[i]);
	if (as_explain(&p->pipeline.bpf, &p->pipeline.resolved, &p->pipeline.host, entry, nr, args, &d, &err) < 0) {
		as_cli_report(p, &err);
		return EXIT_FAILURE;
	}
	name = as_syscall_name(entry->arch, nr);
	print_decision(opts, p, entry, nr, name ? name : "?", &d);
	if (opts->json)
		putchar('\n');
	free(name);
	return 0;
}

/* The decision, with all arguments 0, for every syscall ENTRY has a name for. */
static int explain_table(const struct as_cli_options *opts, const struct as_cli_profile *p,
			 const struct as_entry *entry, bool *first)
{
	static const uint64_t zero[6];
	uint32_t base = entry->arch == SCMP_ARCH_X32 ? 0x40000000u : 0;

	for (int n = 0; n < 1024; n++) {
		int nr = (int)(base + (uint32_t)n);
		char *name = as_syscall_name(entry->arch, nr);
		struct as_decision d;
		struct as_error err;
		if (name == NULL)
			continue;
		if (as_explain(&p->pipeline.bpf, &p->pipeline.resolved, &p->pipeline.host, entry, nr, zero, &d, &err) < 0) {
			free(name);
			as_cli_report(p, &err);
			return EXIT_FAILURE;
		}
		if (opts->json)
			printf("%s\n  ", *first ? "" : ",");
		*first = false;
		print_decision(opts, p, entry, nr, name, &d);
		free(name);
	}
	return 0;
}

int as_cli_explain(const struct as_cli_options *opts, struct as_cli_profile *p)
{
	struct as_entry entries[AS_RESOLVED_MAX_ARCHES + 1], chosen;
	unsigned int count;
	bool first = true;
	int r = as_cli_load(opts, false, p);

	if (r != 0)
		return r;
	if (opts->arch != NULL && as_entry_by_name(opts->arch, &chosen) < 0)
		return as_cli_usage_error("unknown architecture %s", opts->arch);
	if (opts->words != NULL) {
		if (opts->arch == NULL)
			as_entry_by_arch(p->pipeline.host.native_arch, &chosen);
		return explain_one(opts, p, &chosen);
	}
	count = opts->arch ? 1 : as_entries_of(&p->pipeline.resolved, &p->pipeline.host, entries, AS_RESOLVED_MAX_ARCHES + 1);
	if (opts->arch)
		entries[0] = chosen;
	if (opts->json)
		printf("[");
	for (unsigned int i = 0; i < count && r == 0; i++)
		r = explain_table(opts, p, &entries[i], &first);
	if (opts->json)
		printf("\n]\n");
	return r;
}

