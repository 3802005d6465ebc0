/* check, compile, dump and exec, and what every command does to load a
 * profile (cli.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "autoseccomp.h"
#include "cleanup.h"
#include "cli.h"
#include "disasm.h"
#include "explain.h"
#include "names.h"
#include "profile.h"
#include "readback.h"

/* ERR, located in the profile being read where no stage below did. */
void as_cli_report(const struct as_cli_profile *p, struct as_error *err)
{
	char line[1024];

	if (err->source == NULL)
		as_error_locate(err, p->source.name, p->source.text, p->source.len);
	as_error_format(err, line, sizeof(line));
	fprintf(stderr, "%s\n", line);
}

/* The host the profile is resolved for: this one, with what the options
 * say instead.  Returns 0, or the exit status, the error reported. */
static int host_for(const struct as_cli_options *opts, struct as_cli_profile *p)
{
	struct as_host *host = &p->pipeline.host;
	struct as_error err;

	if (as_host_detect(host, &err) < 0) {
		as_cli_report(p, &err);
		return EXIT_FAILURE;
	}
	if (opts->caps != NULL) {
		if (as_capability_set_parse(opts->caps, &host->permitted, &err) < 0)
			return as_cli_usage_error("%s", err.message);
		host->effective = host->permitted;
	}
	if (opts->kernel != NULL) {
		char extra;
		if (sscanf(opts->kernel, "%u.%u%c", &host->kernel_major, &host->kernel_minor, &extra) != 2)
			return as_cli_usage_error("--kernel takes MAJOR.MINOR, not %s", opts->kernel);
		host->kernel_known = true;
	}
	return 0;
}

/* P's source and its bytes, from standard input, the built-in profile or a
 * file.  Returns 0, or the exit status, the error reported. */
static int read_source(const struct as_cli_options *opts, struct as_cli_profile *p)
{
	struct as_builtin builtin;
	struct as_error err;
	int r;

	p->source = AS_SOURCE_NAMED(opts->profile);
	r = host_for(opts, p);
	if (r != 0)
		return r;
	if (strcmp(opts->profile, "-") == 0)
		r = as_source_read(STDIN_FILENO, "-", p->text, sizeof(p->text), &p->source, &err);
	else if ((r = as_builtin_profile(&builtin, NULL, &err)) == 0)
		r = as_source_open(strcmp(opts->profile, "builtin") == 0 ? NULL : opts->profile, &builtin,
				   &p->source, &err);
	if (r == 0)
		r = as_source_text(&p->source, p->text, &err);
	if (r == 0 && p->source.kind == AS_SOURCE_UNCONFINED)
		return as_cli_usage_error("%s is not a profile (exec takes it)", opts->profile);
	if (r < 0)
		as_cli_report(p, &err);
	return r < 0 ? EXIT_FAILURE : 0;
}

/* The stages from P's bytes to its BPF program. */
static int compile_source(bool installed, struct as_cli_profile *p)
{
	struct as_error err;
	int r = installed ? as_pipeline_optimized(&p->source, &p->pipeline, &err)
			  : as_pipeline_compile(&p->source, &p->pipeline, &err);

	if (r < 0)
		as_cli_report(p, &err);
	return r < 0 ? EXIT_FAILURE : 0;
}

/* Runs the stages up to the BPF program (cli.h). */
int as_cli_load(const struct as_cli_options *opts, bool installed, struct as_cli_profile *p)
{
	int r = read_source(opts, p);

	return r != 0 ? r : compile_source(installed, p);
}

int as_cli_load_text(const struct as_cli_options *opts, const char *name, const char *text, struct as_cli_profile *p)
{
	struct as_error err;
	int r;

	p->source = AS_SOURCE_NAMED(name);
	p->source.kind = AS_SOURCE_FILE;
	p->source.text = text;
	p->source.len = strlen(text);
	r = host_for(opts, p);
	if (r != 0)
		return r;
	if (as_pipeline_optimized(&p->source, &p->pipeline, &err) < 0) {
		as_cli_report(p, &err);
		return EXIT_FAILURE;
	}
	return 0;
}

__attribute__((format(printf, 3, 4))) static void warn(const struct as_cli_profile *p, unsigned int pos, const char *fmt, ...)
{
	size_t line, column;
	va_list ap;

	as_error_position(p->source.text, p->source.len, pos, &line, &column);
	fprintf(stderr, "autoseccomp: %s:%zu:%zu: warning: ", p->source.name, line, column);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The warning for a rule resolve left out, naming the condition that did it. */
static void warn_dropped(const struct as_cli_profile *p, const struct as_rule *rule, const struct as_resolved_drop *d)
{
	const struct as_host *host = &p->pipeline.host;
	const struct as_kernel_version *in = &rule->includes.min_kernel, *ex = &rule->excludes.min_kernel;
	const char *lead = "rule dropped on this host:";
	int len = (int)d->name_len;

	switch (d->why) {
	case AS_DROP_EXCLUDED_ARCH:
		warn(p, rule->pos, "%s excludes.arches names %s", lead, host->arch_name);
		break;
	case AS_DROP_EXCLUDED_CAP:
		warn(p, rule->pos, "%s excludes.caps names %.*s, which is held", lead, len, d->name);
		break;
	case AS_DROP_EXCLUDED_KERNEL:
		warn(p, rule->pos, "%s excludes.minKernel is %u.%u, and the kernel is %u.%u", lead, ex->major, ex->minor,
		     host->kernel_major, host->kernel_minor);
		break;
	case AS_DROP_NOT_INCLUDED_ARCH:
		warn(p, rule->pos, "%s includes.arches does not name %s", lead, host->arch_name);
		break;
	case AS_DROP_NOT_INCLUDED_CAP:
		warn(p, rule->pos, "%s includes.caps names %.*s, which is not held", lead, len, d->name);
		break;
	case AS_DROP_NOT_INCLUDED_KERNEL:
		warn(p, rule->pos, "%s includes.minKernel is %u.%u, and the kernel is %u.%u", lead, in->major, in->minor,
		     host->kernel_major, host->kernel_minor);
		break;
	}
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
static bool denied_natively(const struct as_cli_profile *p, const char *name, struct as_decision *d)
{
	static const uint64_t zero[6];
	struct as_entry native;
	struct as_error err;
	int nr;

	if (as_entry_by_arch(p->pipeline.host.native_arch, &native) < 0 ||
	    (nr = seccomp_syscall_resolve_name_arch(native.arch, name)) < 0 ||
	    as_explain(&p->pipeline.bpf, &p->pipeline.resolved, &p->pipeline.host, &native, nr, zero, d, &err) < 0)
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

static void warn_vital_denied(const struct as_cli_profile *p)
{
	for (size_t i = 0; i < sizeof(vital_syscalls) / sizeof(vital_syscalls[0]); i++) {
		struct as_decision d;
		char action[64];
		if (!denied_natively(p, vital_syscalls[i].name, &d))
			continue;
		as_action_format(d.verdict.action, action, sizeof(action));
		warn(p, d.pos, "%s is denied (%s): %s", vital_syscalls[i].name, action, vital_syscalls[i].consequence);
	}
}

/* The summary: what applies, and the size of the program the library would
 * install beside libseccomp's, which runc installs. */
static int report_sizes(struct as_cli_profile *p)
{
	unsigned int kept = p->pipeline.resolved.rule_count, rules = p->pipeline.profile.rule_count;
	unsigned int as_runc = p->pipeline.bpf.len;
	struct as_error err;

	if (as_pipeline_reoptimized(&p->pipeline, &err) < 0) {
		as_cli_report(p, &err);
		return EXIT_FAILURE;
	}
	printf("%s: loads: %u of %u rules apply, %u instructions installed (%u as runc builds them)\n",
	       p->source.name, kept, rules, p->pipeline.bpf.len, as_runc);
	if (p->pipeline.bpf.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		printf("%s: SCMP_ACT_NOTIFY: the listener goes to the seccomp agent at %.*s\n", p->source.name,
		       (int)p->pipeline.bpf.listener.path_len, p->pipeline.bpf.listener.path);
	return 0;
}

int as_cli_check(const struct as_cli_options *opts, struct as_cli_profile *p)
{
	const struct as_profile *profile = &p->pipeline.profile;
	int r = as_cli_load(opts, false, p);

	if (r != 0 || opts->quiet)
		return r;
	const struct as_resolved_drop *drop = p->pipeline.resolved.drops;
	const struct as_resolved_drop *drops_end = drop + p->pipeline.resolved.drop_count;

	for (unsigned int i = 0; i < profile->rule_count; i++) {
		const struct as_rule *rule = &profile->rules[i];
		/* Drops come in the profile's order. */
		if (drop < drops_end && drop->index == i) {
			warn_dropped(p, rule, drop++);
			continue;
		}
		for (unsigned int k = 0; k < rule->names.count; k++) {
			struct as_str name = as_profile_string(profile, &rule->names, k);
			char cname[64];
			if (!as_str_to_cstr(name, cname, sizeof(cname)) ||
			    seccomp_syscall_resolve_name(cname) == __NR_SCMP_ERROR)
				warn(p, name.pos, "unknown syscall \"%.*s\" skipped: this libseccomp does not know it",
				     (int)(name.len > 64 ? 64 : name.len), name.ptr);
		}
	}
	warn_vital_denied(p);
	return report_sizes(p);
}

/* A service that runs as another user, without root's capabilities, reads
 * a root-owned profile's program only from the system cache, and no start
 * of root's, which holds every capability, stores one under its key: root
 * stores it here, for the capabilities the service will have. */
static int compile_install(const struct as_cli_options *opts, struct as_cli_profile *p)
{
	struct as_cache cache;
	int r;

	if (opts->output != NULL || opts->plain)
		return as_cli_usage_error("%s --install takes neither -o nor --plain", "compile");
	if (strcmp(opts->profile, "builtin") == 0 || strcmp(opts->profile, "-") == 0)
		return as_cli_usage_error("%s --install caches a profile file, not %s", "compile", opts->profile);
	/* Its entry is found by starts on this kernel, under this kernel's key. */
	if (opts->kernel != NULL)
		return as_cli_usage_error("%s --install compiles for this kernel, and takes no --kernel", "compile");
	if (geteuid() != 0) {
		fprintf(stderr, "autoseccomp: %s: only root writes the system cache\n", opts->profile);
		return EXIT_FAILURE;
	}
	r = as_cli_load(opts, true, p);
	if (r != 0)
		return r;
	as_cache_open_system(&cache, &p->source, &p->cache_entry);
	r = as_cache_store(&cache, &p->source, &p->pipeline.host, &p->pipeline.bpf);
	if (r < 0) {
		fprintf(stderr, "autoseccomp: %s: cannot store in the system cache: %s\n", opts->profile, strerror(-r));
		return EXIT_FAILURE;
	}
	printf("%s: stored in the system cache\n", opts->profile);
	return 0;
}

bool as_cli_writes_stdout(const struct as_cli_options *opts)
{
	return opts->output == NULL || strcmp(opts->output, "-") == 0;
}

const char *as_cli_output_name(const struct as_cli_options *opts)
{
	return as_cli_writes_stdout(opts) ? "standard output" : opts->output;
}

int as_cli_cannot_write(const char *name)
{
	fprintf(stderr, "autoseccomp: %s: cannot write: %s\n", name, strerror(errno));
	return EXIT_FAILURE;
}

int as_cli_compile(const struct as_cli_options *opts, struct as_cli_profile *p)
{
	bool to_stdout = as_cli_writes_stdout(opts);
	_cleanup_close_ int file = -1;
	size_t size;
	int fd, r;

	if (opts->install)
		return compile_install(opts, p);
	/* A program is binary: on a terminal it would only garble the screen. */
	if (to_stdout && isatty(STDOUT_FILENO))
		return as_cli_usage_error("%s writes a binary program: give -o FILE, or redirect", "compile");
	r = as_cli_load(opts, !opts->plain, p);
	if (r != 0)
		return r;
	fd = to_stdout ? STDOUT_FILENO : (file = open(opts->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
	size = p->pipeline.bpf.len * sizeof(p->pipeline.bpf.insns[0]);
	if (fd < 0 || write(fd, p->pipeline.bpf.insns, size) != (ssize_t)size)
		return as_cli_cannot_write(as_cli_output_name(opts));
	return 0;
}

/* The built-in profile's JSON, as the library would read it: Docker's
 * default, or the one a program embeds, which this command does not. */
int as_cli_show(const struct as_cli_options *opts, struct as_cli_profile *p)
{
	struct as_builtin builtin;
	struct as_error err;

	if (strcmp(opts->profile, "builtin") != 0)
		return as_cli_usage_error("%s shows only builtin, not %s", "show", opts->profile);
	if (as_builtin_profile(&builtin, NULL, &err) < 0) {
		as_cli_report(p, &err);
		return EXIT_FAILURE;
	}
	if (fwrite(builtin.text, 1, builtin.len, stdout) != builtin.len || fflush(stdout) != 0)
		return as_cli_cannot_write("standard output");
	return 0;
}

static void dump_filter(const struct as_bpf *bpf, unsigned int index)
{
	printf("; filter %u%s, %u instructions\n", index, index == 0 ? " (the most recent)" : "", bpf->len);
	as_disassemble(stdout, bpf);
}

/* What a process's filters are, as the kernel holds them. */
static int dump_process(const struct as_cli_options *opts, struct as_cli_profile *p)
{
	struct as_error err;
	char name[32];
	char *end;
	long pid;

	errno = 0;
	pid = strtol(opts->pid, &end, 10);
	if (errno != 0 || end == opts->pid || *end != '\0' || pid <= 0 || (pid_t)pid != pid)
		return as_cli_usage_error("--pid takes a process ID, not %s", opts->pid);
	if (as_readback_process((pid_t)pid, &p->pipeline.bpf, dump_filter, &err) < 0) {
		snprintf(name, sizeof(name), "process %ld", pid);
		as_error_locate(&err, name, NULL, 0);
		as_cli_report(p, &err);
		return EXIT_FAILURE;
	}
	return 0;
}

static bool names_a_program(const char *path)
{
	size_t len = strlen(path);

	return len > 4 && strcmp(path + len - 4, ".bpf") == 0;
}

static void write_embedding(FILE *out, const struct as_cli_options *opts, const struct as_source *source)
{
	const unsigned char *bytes = (const unsigned char *)source->text;

	fprintf(out, "/* Generated by autoseccomp embed from %s: do not edit.  Link with\n"
		     " * libautoseccomp.a (see AUTOSECCOMP_EMBED_PROFILE(3)). */\n"
		     "#include <autoseccomp.h>\n\nstatic const unsigned char profile[%zu] = {", source->name, source->len);
	for (size_t i = 0; i < source->len; i++)
		fprintf(out, "%s0x%02x,", i % 12 == 0 ? "\n\t" : " ", bytes[i]);
	fprintf(out, "\n};\n\nconst struct autoseccomp_embedded_profile autoseccomp_embedded_profile = {\n"
		     "\tAUTOSECCOMP_EMBED_ABI, %s, (const char *)profile, sizeof(profile)};\n"
		     "AUTOSECCOMP_LINK_CONSTRUCTOR;\n",
		opts->locked ? "AUTOSECCOMP_EMBED_LOCKED" : "0");
}

/* A C source that embeds the profile's bytes as they are, as numbers: a
 * string literal would have to escape them, and a byte lost or changed
 * there would be a different profile.  The profile must load first. */
int as_cli_embed(const struct as_cli_options *opts, struct as_cli_profile *p)
{
	bool to_stdout = as_cli_writes_stdout(opts);
	FILE *out = stdout;
	int r = as_cli_load(opts, true, p);

	if (r != 0)
		return r;
	if (!to_stdout && (out = fopen(opts->output, "we")) == NULL)
		return as_cli_cannot_write(opts->output);
	write_embedding(out, opts, &p->source);
	r = ferror(out) ? EOF : 0;
	if ((to_stdout ? fflush(out) : fclose(out)) != 0 || r != 0)
		return as_cli_cannot_write(as_cli_output_name(opts));
	return 0;
}

/* A program compile wrote: named so, or, on standard input, bytes that no
 * profile has.  An instruction's 16-bit code is below 256, so one of its
 * first two bytes is NUL, which JSON text never holds. */
static bool holds_a_program(const struct as_cli_options *opts, const struct as_source *source)
{
	if (strcmp(opts->profile, "-") != 0)
		return names_a_program(opts->profile);
	return memchr(source->text, '\0', source->len < 2 ? source->len : 2) != NULL;
}

int as_cli_dump(const struct as_cli_options *opts, struct as_cli_profile *p)
{
	struct as_error err;
	int r;

	if (opts->pid != NULL)
		return dump_process(opts, p);
	r = read_source(opts, p);
	if (r == 0 && !holds_a_program(opts, &p->source))
		r = compile_source(!opts->plain, p);
	else if (r == 0 && as_readback_bytes(p->source.text, p->source.len, &p->pipeline.bpf, &err) < 0) {
		as_error_locate(&err, p->source.name, NULL, 0);
		as_cli_report(p, &err);
		r = EXIT_FAILURE;
	}
	if (r == 0)
		as_disassemble(stdout, &p->pipeline.bpf);
	return r;
}

struct exec_vetting {
	const struct as_cli_options *opts;
	struct as_cli_profile *p;
};

/* Which part of the profile denies execve on HOST, as explain and the
 * reports name it, into BUF; empty where the profile no longer compiles.
 * Only a refusal asks, so a start pays nothing for it: the program vetted
 * may have come from the cache, with no profile read. */
static void execve_denied_by(const struct exec_vetting *v, const struct as_host *host, int nr, char *buf, size_t len)
{
	static const uint64_t no_args[6];
	struct as_entry entry;
	struct as_decision d;
	struct as_error err;

	buf[0] = '\0';
	if (read_source(v->opts, v->p) != 0)
		return;
	v->p->pipeline.host = *host;
	if (compile_source(false, v->p) == 0 && as_entry_by_arch(host->native_arch, &entry) == 0 &&
	    as_explain(&v->p->pipeline.bpf, &v->p->pipeline.resolved, host, &entry, nr, no_args, &d, &err) == 0)
		as_decision_describe(&d, v->p->source.name, v->p->source.text, v->p->source.len, buf, len);
}

/* A filter that denies execve would leave autoseccomp under it with its
 * command unrun, and with nothing it can rely on to say so or even to exit:
 * a profile that denies everything denies write and exit_group too.  So the
 * program is read before it is installed, from the cache as often as not,
 * and a denial that no argument changes refuses it. */
static int vet_execve(const struct as_program *program, const struct as_host *host, void *context,
		      struct as_error *err)
{
	const struct exec_vetting *v = context;
	struct seccomp_data data = {.nr = seccomp_syscall_resolve_name_arch(host->native_arch, "execve"),
				    .arch = host->native_arch};
	struct as_verdict verdict;
	char action[64], by[PATH_MAX + 64];

	if (data.nr < 0 || as_eval(program->insns, program->len, &data, &verdict, err) < 0)
		return data.nr < 0 ? 0 : err->code;
	if (verdict.first_arg_pc < program->len || !refuses(verdict.action))
		return 0;
	as_action_format(verdict.action, action, sizeof(action));
	execve_denied_by(v, host, data.nr, by, sizeof(by));
	return as_error_set(err, -ENOEXEC, AS_NO_POSITION, "execve is denied (%s%s%s): cannot execute %s", action,
			    by[0] ? ", " : "", by, v->opts->words[0]);
}

int as_cli_exec(const struct as_cli_options *opts, struct as_cli_profile *p)
{
	struct exec_vetting vetting = {opts, p};
	struct as_builtin builtin;
	struct as_apply_options apply = {
		.spec = opts->profile,
		.builtin = &builtin,
		.trust_marker = true,
		.vet = vet_execve,
		.vet_context = &vetting,
		.limit_caps = opts->caps != NULL,
		.report = opts->report,
		.audit = opts->audit,
	};
	struct as_error err;
	int r;

	/* The command's standard input is its own: a profile read from it
	 * would leave it an input already consumed. */
	if (opts->profile != NULL && strcmp(opts->profile, "-") == 0) {
		as_cli_usage_error("exec reads its profile from a file, not from standard input");
		return AUTOSECCOMP_EXIT_FAILURE;
	}
	if (apply.limit_caps && as_capability_set_parse(opts->caps, &apply.caps, &err) < 0) {
		as_cli_usage_error("%s", err.message);
		return AUTOSECCOMP_EXIT_FAILURE;
	}
	r = as_builtin_profile(&builtin, NULL, &err);
	if (r == 0)
		r = as_apply(&apply, &err);
	if (r < 0) {
		as_cli_report(p, &err);
		return r == -ENOEXEC ? AS_EXIT_CANNOT_EXECUTE : AUTOSECCOMP_EXIT_FAILURE;
	}
	execvp(opts->words[0], opts->words);
	fprintf(stderr, "autoseccomp: %s: %s\n", opts->words[0], strerror(errno));
	return errno == ENOENT ? AS_EXIT_NOT_FOUND : AS_EXIT_CANNOT_EXECUTE;
}

