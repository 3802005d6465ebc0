/* The autoseccomp command: check, explain, compile, dump and exec a profile,
 * with the library's own stages. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "pipeline.h"
#include "autoseccomp.h"
#include "bpf.h"
#include "cleanup.h"
#include "explain.h"
#include "json.h"
#include "names.h"
#include "profile.h"
#include "resolve.h"
#include "source.h"

#define EXIT_USAGE 2
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127

static const char usage_text[] =
	"usage: autoseccomp check PROFILE [--caps SET] [--kernel X.Y]\n"
	"       autoseccomp explain PROFILE [SYSCALL [ARG...]] [--caps SET] [--arch ARCH] [--kernel X.Y] [--json]\n"
	"       autoseccomp compile PROFILE -o FILE [--caps SET] [--kernel X.Y] [--plain]\n"
	"       autoseccomp dump PROFILE [--caps SET] [--kernel X.Y] [--plain]\n"
	"       autoseccomp exec [PROFILE] -- COMMAND [ARG...]\n"
	"       autoseccomp --help | --version\n"
	"\n"
	"PROFILE is a path, 'builtin' (Docker's default policy) or '-' (standard input);\n"
	"for exec it takes SECCOMP_PROFILE's values, 'unconfined' included.\n"
	"SET is none, all, docker (Docker's default 14) or a list such as CAP_SYS_ADMIN,CAP_SYSLOG;\n"
	"by default this process's permitted capabilities.  ARCH is x86_64, x86 or x32.\n"
	"--plain: libseccomp's program with runc's ENOSYS stub, not the smaller equivalent one installed.\n";

/* Docker's default capabilities (moby daemon/pkg/oci/caps/defaults.go). */
static const char *const docker_caps[] = {
	"CAP_CHOWN",	"CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",		  "CAP_MKNOD",
	"CAP_NET_RAW",	"CAP_SETGID",	    "CAP_SETUID", "CAP_SETFCAP",	  "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
};

struct options {
	const char *command;
	const char *profile;
	const char *output;
	const char *caps;
	const char *arch;
	const char *kernel;
	bool json;
	bool plain; /* libseccomp's program with runc's stub, not the smaller one installed */
	char **words; /* what follows PROFILE: a syscall and its arguments, or exec's command */
	int word_count;
};

/* The profile's bytes: read from standard input, or from the file.  One
 * byte more than a profile may have, to tell a longer input. */
static char text[AS_SOURCE_MAX_BYTES + 1];
static struct as_source source;
static struct as_pipeline pipeline;

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "autoseccomp: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_text);
	return EXIT_USAGE;
}

static int take_value(int argc, char **argv, int *i, const char **ret)
{
	const char *eq = strchr(argv[*i], '=');

	if (eq != NULL) {
		*ret = eq + 1;
		return 0;
	}
	if (*i + 1 >= argc)
		return -1;
	*ret = argv[++*i];
	return 0;
}

static int parse_option(int argc, char **argv, int *i, struct options *opts)
{
	static const struct {
		const char *name;
		size_t offset;
	} valued[] = {
		{"--caps", offsetof(struct options, caps)},	{"--arch", offsetof(struct options, arch)},
		{"--kernel", offsetof(struct options, kernel)}, {"-o", offsetof(struct options, output)},
		{"--output", offsetof(struct options, output)},
	};

	if (strcmp(argv[*i], "--json") == 0 || strcmp(argv[*i], "--plain") == 0) {
		*(argv[*i][2] == 'j' ? &opts->json : &opts->plain) = true;
		return 0;
	}
	for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
		size_t n = strlen(valued[k].name);
		if (strncmp(argv[*i], valued[k].name, n) != 0 || (argv[*i][n] != '\0' && argv[*i][n] != '='))
			continue;
		if (take_value(argc, argv, i, (const char **)((char *)opts + valued[k].offset)) < 0)
			return usage_error("%s needs a value", valued[k].name);
		return 0;
	}
	return usage_error("unknown option %s", argv[*i]);
}

static int parse_args(int argc, char **argv, struct options *opts)
{
	bool exec = strcmp(opts->command, "exec") == 0;
	int positional = 0;

	for (int i = 2; i < argc; i++) {
		if (exec && strcmp(argv[i], "--") == 0) {
			opts->words = argv + i + 1;
			opts->word_count = argc - i - 1;
			return opts->word_count > 0 ? 0 : usage_error("%s needs a command after --", "exec");
		}
		/* A syscall argument may be negative: only PROFILE and options before it are options. */
		if (argv[i][0] == '-' && argv[i][1] != '\0' && !(positional > 1 && argv[i][1] >= '0' && argv[i][1] <= '9')) {
			int r = parse_option(argc, argv, &i, opts);
			if (r != 0)
				return r;
			continue;
		}
		if (positional++ == 0) {
			opts->profile = argv[i];
			continue;
		}
		if (opts->words == NULL)
			opts->words = argv + i;
		/* Syscall words are consecutive; options may only follow them. */
		opts->word_count = (int)(argv + i - opts->words) + 1;
	}
	if (exec)
		return usage_error("%s needs -- COMMAND", "exec");
	return opts->profile != NULL ? 0 : usage_error("%s needs a PROFILE", opts->command);
}

static int parse_caps(const char *spec, uint64_t *ret)
{
	char copy[1024];
	char *save = NULL;

	if (strcmp(spec, "none") == 0) {
		*ret = 0;
		return 0;
	}
	if (strcmp(spec, "all") == 0) {
		*ret = 0;
		for (size_t i = 0; i < as_capability_names.count; i++)
			*ret |= 1ull << as_capability_names.names[i].value;
		return 0;
	}
	if (strcmp(spec, "docker") == 0) {
		*ret = 0;
		for (size_t i = 0; i < sizeof(docker_caps) / sizeof(docker_caps[0]); i++)
			*ret |= 1ull << as_name_find(&as_capability_names, docker_caps[i], strlen(docker_caps[i]))->value;
		return 0;
	}
	snprintf(copy, sizeof(copy), "%s", spec);
	*ret = 0;
	for (char *name = strtok_r(copy, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save)) {
		const struct as_name *cap = as_name_find(&as_capability_names, name, strlen(name));
		if (cap == NULL)
			return usage_error("unknown capability %s", name);
		*ret |= 1ull << cap->value;
	}
	return 0;
}

/* The host the profile is resolved for: this one, with what the options say instead. */
static int host_for(const struct options *opts, struct as_host *host, struct as_error *err)
{
	int r = as_host_detect(host, err);

	if (r < 0)
		return r;
	if (opts->caps != NULL && (r = parse_caps(opts->caps, &host->permitted)) != 0)
		return r;
	if (opts->caps != NULL)
		host->effective = host->permitted;
	if (opts->kernel != NULL) {
		char extra;
		if (sscanf(opts->kernel, "%u.%u%c", &host->kernel_major, &host->kernel_minor, &extra) != 2)
			return usage_error("--kernel takes MAJOR.MINOR, not %s", opts->kernel);
		host->kernel_known = true;
	}
	return 0;
}

/* ERR, located in the profile being read where no stage below did. */
static void report(struct as_error *err)
{
	char line[1024];

	if (err->source == NULL)
		as_error_locate(err, source.name, source.text, source.len);
	as_error_format(err, line, sizeof(line));
	fprintf(stderr, "%s\n", line);
}

/* Runs the stages up to the BPF program: the one installed, or libseccomp's
 * with runc's stub.  Returns 0, or the exit status. */
static int load(const struct options *opts, bool installed)
{
	struct as_builtin builtin;
	struct as_error err;
	int r;

	source = AS_SOURCE_NAMED(opts->profile);
	r = host_for(opts, &pipeline.host, &err);
	if (r > 0)
		return r;
	if (r == 0 && strcmp(opts->profile, "-") == 0)
		r = as_source_read(STDIN_FILENO, "-", text, sizeof(text), &source, &err);
	else if (r == 0 && (r = as_builtin_profile(&builtin, NULL, &err)) == 0)
		r = as_source_open(strcmp(opts->profile, "builtin") == 0 ? NULL : opts->profile, &builtin,
				   &source, &err);
	if (r == 0)
		r = as_source_text(&source, text, &err);
	if (r == 0 && source.kind == AS_SOURCE_UNCONFINED)
		return usage_error("%s is not a profile (exec takes it)", opts->profile);
	if (r == 0)
		r = installed ? as_pipeline_optimized(&source, &pipeline, &err)
			      : as_pipeline_compile(&source, &pipeline, &err);
	if (r < 0)
		report(&err);
	return r < 0 ? EXIT_FAILURE : 0;
}

__attribute__((format(printf, 2, 3))) static void warn(unsigned int pos, const char *fmt, ...)
{
	size_t line, column;
	va_list ap;

	as_error_position(source.text, source.len, pos, &line, &column);
	fprintf(stderr, "autoseccomp: %s:%zu:%zu: warning: ", source.name, line, column);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool is_kept(unsigned int rule)
{
	for (unsigned int i = 0; i < pipeline.resolved.rule_count; i++)
		if (pipeline.resolved.rules[i].index == rule)
			return true;
	return false;
}

/* Whether ACTION keeps the call from running: an errno, a trap or a kill. */
static bool refuses(uint32_t action)
{
	uint32_t kind = action & SECCOMP_RET_ACTION_FULL;

	return kind == SECCOMP_RET_ERRNO || kind == SECCOMP_RET_TRAP || kind == SECCOMP_RET_KILL_THREAD ||
	       kind == SECCOMP_RET_KILL_PROCESS;
}

/* Whether the filter refuses syscall NAME on this host's own architecture,
 * whatever its arguments: D says how.  A decision that depends on the
 * arguments counts as allowed, since some calls get through. */
static bool denied_natively(const char *name, struct as_decision *d)
{
	static const uint64_t zero[6];
	struct as_entry native;
	struct as_error err;
	int nr;

	if (as_entry_by_arch(pipeline.host.native_arch, &native) < 0 ||
	    (nr = seccomp_syscall_resolve_name_arch(native.arch, name)) < 0 ||
	    as_explain(&pipeline.bpf, &pipeline.resolved, &pipeline.host, &native, nr, zero, d, &err) < 0)
		return false;
	return !d->conditional && refuses(d->verdict.action);
}

/* What almost every program needs to start, report and end: a profile that
 * denies one of them is seldom what its author meant.  brk is not here: the
 * C libraries' malloc falls back to mmap without it. */
static const struct {
	const char *name;
	const char *consequence;
} vital_syscalls[] = {
	{"execve", "no program can be started under it, by autoseccomp exec or by a confined program"},
	{"exit_group", "no process can exit with a status"},
	{"exit", "no thread can end"},
	{"write", "nothing can be written, not even an error message"},
	{"mmap", "a dynamically linked program cannot map its libraries"},
	{"rt_sigreturn", "no signal handler can return"},
};

static void warn_vital_denied(void)
{
	for (size_t i = 0; i < sizeof(vital_syscalls) / sizeof(vital_syscalls[0]); i++) {
		struct as_decision d;
		char action[64];
		if (!denied_natively(vital_syscalls[i].name, &d))
			continue;
		as_action_format(d.verdict.action, action, sizeof(action));
		warn(d.pos, "%s is denied (%s): %s", vital_syscalls[i].name, action, vital_syscalls[i].consequence);
	}
}

static int cmd_check(const struct options *opts)
{
	const struct as_profile *profile = &pipeline.profile;
	int r = load(opts, false);

	if (r != 0)
		return r;
	for (unsigned int i = 0; i < profile->rule_count; i++) {
		const struct as_rule *rule = &profile->rules[i];
		if (!is_kept(i)) {
			warn(rule->pos, "%s", "rule dropped on this host: its includes or excludes do not hold");
			continue;
		}
		for (unsigned int k = 0; k < rule->names.count; k++) {
			struct as_str name = as_profile_string(profile, &rule->names, k);
			char cname[64];
			if (!as_str_to_cstr(name, cname, sizeof(cname)) ||
			    seccomp_syscall_resolve_name(cname) == __NR_SCMP_ERROR)
				warn(name.pos, "unknown syscall \"%.*s\" skipped: this libseccomp does not know it",
				     (int)(name.len > 64 ? 64 : name.len), name.ptr);
		}
	}
	warn_vital_denied();
	printf("%s: loads: %u of %u rules apply, %u instructions\n", source.name,
	       pipeline.resolved.rule_count, profile->rule_count, pipeline.bpf.len);
	return 0;
}

static int cmd_compile(const struct options *opts)
{
	_cleanup_close_ int fd = -1;
	size_t size;
	int r;

	if (opts->output == NULL)
		return usage_error("%s needs -o FILE", "compile");
	r = load(opts, !opts->plain);
	if (r != 0)
		return r;
	fd = open(opts->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size = pipeline.bpf.len * sizeof(pipeline.bpf.insns[0]);
	if (fd < 0 || write(fd, pipeline.bpf.insns, size) != (ssize_t)size) {
		fprintf(stderr, "autoseccomp: %s: cannot write: %s\n", opts->output, strerror(errno));
		return EXIT_FAILURE;
	}
	return 0;
}

static int cmd_dump(const struct options *opts)
{
	int r = load(opts, !opts->plain);

	if (r == 0)
		as_disassemble(stdout, &pipeline.bpf);
	return r;
}

static void describe(const struct as_decision *d, char *buf, size_t len)
{
	size_t line = 0, column = 0;

	as_error_position(source.text, source.len, d->pos, &line, &column);
	switch (d->by) {
	case AS_BY_STUB:
		snprintf(buf, len, "ENOSYS stub (newer than every syscall the profile names)");
		break;
	case AS_BY_BAD_ARCH:
		snprintf(buf, len, "architecture not in the filter (libseccomp's bad-architecture action)");
		break;
	case AS_BY_RULE:
		snprintf(buf, len, "rule at %s:%zu:%zu", source.name, line, column);
		break;
	case AS_BY_DEFAULT:
		snprintf(buf, len, "default action at %s:%zu:%zu", source.name, line, column);
		break;
	default:
		snprintf(buf, len, "rules libseccomp merged");
	}
}

static const char *decided_by_word(const struct as_decision *d)
{
	static const char *const words[] = {"stub", "rule", "default", "merged", "bad-arch"};

	return words[d->by];
}

static void print_json_decision(const struct as_entry *entry, int nr, const char *name, const struct as_decision *d)
{
	uint32_t data = d->verdict.action & SECCOMP_RET_DATA;
	const char *action = as_action_name(d->verdict.action);
	size_t line = 0, column = 0;

	as_error_position(source.text, source.len, d->pos, &line, &column);
	printf("{\"arch\": \"%s\", \"nr\": %d, \"name\": \"%s\", \"action\": \"%s\", \"data\": %u, "
	       "\"decided_by\": \"%s\", \"line\": %zu, \"column\": %zu, \"conditional\": %s}",
	       entry->name, nr, name, action, data, decided_by_word(d), d->by == AS_BY_RULE || d->by == AS_BY_DEFAULT ? line : 0,
	       d->by == AS_BY_RULE || d->by == AS_BY_DEFAULT ? column : 0, d->conditional ? "true" : "false");
}

static void print_decision(const struct options *opts, const struct as_entry *entry, int nr, const char *name,
			   const struct as_decision *d)
{
	char action[64], by[PATH_MAX + 64];

	if (opts->json) {
		print_json_decision(entry, nr, name, d);
		return;
	}
	as_action_format(d->verdict.action, action, sizeof(action));
	describe(d, by, sizeof(by));
	printf("%-7s %10d  %-24s %-28s %s%s\n", entry->name, nr, name, action, by,
	       d->conditional ? " (depends on arguments)" : "");
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
	*ret = seccomp_syscall_resolve_name_arch(entry->arch, word);
	return *ret >= 0 ? 0 : -1;
}

static int explain_one(const struct options *opts, const struct as_entry *entry)
{
	uint64_t args[6] = {0};
	struct as_decision d;
	struct as_error err;
	char *name;
	int nr;

	if (syscall_number(entry, opts->words[0], &nr) < 0)
		return usage_error("no syscall %s on this architecture", opts->words[0]);
	if (opts->word_count > 7)
		return usage_error("%s: a syscall has at most 6 arguments", opts->words[0]);
	for (int i = 1; i < opts->word_count; i++)
		if (parse_number(opts->words[i], &args[i - 1]) < 0)
			return usage_error("argument %s is not a number", opts->words[i]);
	if (as_explain(&pipeline.bpf, &pipeline.resolved, &pipeline.host, entry, nr, args, &d, &err) < 0) {
		report(&err);
		return EXIT_FAILURE;
	}
	name = seccomp_syscall_resolve_num_arch(entry->arch, nr);
	print_decision(opts, entry, nr, name ? name : "?", &d);
	if (opts->json)
		putchar('\n');
	free(name);
	return 0;
}

/* The decision, with all arguments 0, for every syscall ENTRY has a name for. */
static int explain_table(const struct options *opts, const struct as_entry *entry, bool *first)
{
	static const uint64_t zero[6];
	uint32_t base = entry->arch == SCMP_ARCH_X32 ? 0x40000000u : 0;

	for (int n = 0; n < 1024; n++) {
		int nr = (int)(base + (uint32_t)n);
		char *name = seccomp_syscall_resolve_num_arch(entry->arch, nr);
		struct as_decision d;
		struct as_error err;
		if (name == NULL)
			continue;
		if (as_explain(&pipeline.bpf, &pipeline.resolved, &pipeline.host, entry, nr, zero, &d, &err) < 0) {
			free(name);
			report(&err);
			return EXIT_FAILURE;
		}
		if (opts->json)
			printf("%s\n  ", *first ? "" : ",");
		*first = false;
		print_decision(opts, entry, nr, name, &d);
		free(name);
	}
	return 0;
}

static int cmd_explain(const struct options *opts)
{
	struct as_entry entries[AS_RESOLVED_MAX_ARCHES + 1], chosen;
	unsigned int count;
	bool first = true;
	int r = load(opts, false);

	if (r != 0)
		return r;
	if (opts->arch != NULL && as_entry_by_name(opts->arch, &chosen) < 0)
		return usage_error("unknown architecture %s", opts->arch);
	if (opts->words != NULL) {
		if (opts->arch == NULL)
			as_entry_by_arch(pipeline.host.native_arch, &chosen);
		return explain_one(opts, &chosen);
	}
	count = opts->arch ? 1 : as_entries_of(&pipeline.resolved, &pipeline.host, entries, AS_RESOLVED_MAX_ARCHES + 1);
	if (opts->arch)
		entries[0] = chosen;
	if (opts->json)
		printf("[");
	for (unsigned int i = 0; i < count && r == 0; i++)
		r = explain_table(opts, &entries[i], &first);
	if (opts->json)
		printf("\n]\n");
	return r;
}

/* A filter that denies execve would leave autoseccomp under it with its
 * command unrun, and with nothing it can rely on to say so or even to exit:
 * a profile that denies everything denies write and exit_group too.  So the
 * program is read before it is installed, from the cache as often as not,
 * and a denial that no argument changes refuses it. */
static const char *exec_command;

static int vet_execve(const struct as_program *program, const struct as_host *host, struct as_error *err)
{
	struct seccomp_data data = {.nr = seccomp_syscall_resolve_name_arch(host->native_arch, "execve"),
				    .arch = host->native_arch};
	struct as_verdict verdict;
	char action[64];

	if (data.nr < 0 || as_eval(program->insns, program->len, &data, &verdict, err) < 0)
		return data.nr < 0 ? 0 : err->code;
	if (verdict.first_arg_pc < program->len || !refuses(verdict.action))
		return 0;
	as_action_format(verdict.action, action, sizeof(action));
	return as_error_set(err, -ENOEXEC, AS_NO_POSITION, "execve is denied (%s): cannot execute %s", action,
			    exec_command);
}

static int cmd_exec(const struct options *opts)
{
	struct as_builtin builtin;
	struct as_apply_options apply = {
		.spec = opts->profile, .builtin = &builtin, .trust_marker = true, .vet = vet_execve};
	struct as_error err;
	int r;

	exec_command = opts->words[0];
	r = as_builtin_profile(&builtin, NULL, &err);
	if (r == 0)
		r = as_apply(&apply, &err);
	if (r < 0) {
		report(&err);
		return r == -ENOEXEC ? EXIT_CANNOT_EXECUTE : AUTOSECCOMP_EXIT_FAILURE;
	}
	execvp(opts->words[0], opts->words);
	fprintf(stderr, "autoseccomp: %s: %s\n", opts->words[0], strerror(errno));
	return errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(const struct options *);
	} commands[] = {
		{"check", cmd_check}, {"explain", cmd_explain}, {"compile", cmd_compile},
		{"dump", cmd_dump},   {"exec", cmd_exec},
	};
	struct options opts = {0};
	int r;

	if (argc < 2)
		return usage_error("%s", "a command is needed");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("autoseccomp %s (libseccomp %u.%u.%u)\n", AUTOSECCOMP_VERSION, SCMP_VER_MAJOR, SCMP_VER_MINOR,
		       SCMP_VER_MICRO);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		opts.command = commands[i].name;
		r = parse_args(argc, argv, &opts);
		/* exec's own failures use 125, as env(1) does, so that no status of
		 * the command it runs can be mistaken for them. */
		if (r != 0 && commands[i].run == cmd_exec)
			return AUTOSECCOMP_EXIT_FAILURE;
		return r != 0 ? r : commands[i].run(&opts);
	}
	return usage_error("unknown command %s", argv[1]);
}
