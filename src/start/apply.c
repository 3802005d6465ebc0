#include "apply.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autoseccomp.h"
#include "cache.h"
#include "environ.h"
#include "marker.h"
#include "pipeline.h"
#include "precompiled.h"
#include "scratch.h"
#include "workspace.h"

/* No heap before the filter, so none to release after it: a profile is
 * compiled in scratch memory, mapped when one first is.  The built-in one is
 * installed from the precompiled table.  The marker and environ's copy are
 * in .data (environ.h). */
static struct as_workspace *workspace;

static struct {
	struct as_marker marker;
	struct as_environ environ;
} for_children = {.marker = AS_MARKER_INIT};

static atomic_flag busy = ATOMIC_FLAG_INIT;

static struct as_workspace *mapped_workspace(struct as_error *err)
{
	if (workspace == NULL && (workspace = as_scratch(sizeof(*workspace))) == NULL)
		as_error_set(err, -errno, AS_NO_POSITION, "cannot map memory to compile in: %s", strerror(errno));
	return workspace;
}

/* The program for SOURCE on HOST: precompiled, cached, or compiled now.  A
 * cached one may be read into NEAR, the caller's, which must outlive it. */
static int program_for(const struct as_apply_options *options, struct as_source *source,
		       const struct as_host *host, union as_cache_near_entry *near, struct as_program *ret,
		       struct as_error *err)
{
	struct as_workspace *ws;
	struct as_cache cache;
	int r;

	if (source->kind == AS_SOURCE_BUILTIN && options->builtin->precompiled && as_precompiled_find(host, ret))
		return 0;
	/* The workspace is mapped only where it is used: a start that finds its
	 * program in the cache makes one system call less. */
	as_cache_open(&cache, source, near, NULL);
	if (as_cache_load(&cache, source, host, ret))
		return 0;
	if ((ws = mapped_workspace(err)) == NULL)
		return err->code;
	cache.entry = &ws->cache_entry;
	if (cache.too_large && as_cache_load(&cache, source, host, ret))
		return 0;
	r = as_source_text(source, ws->text, err);
	if (r < 0)
		return r;
	ws->pipeline.host = *host;
	r = as_pipeline_optimized(source, &ws->pipeline, err);
	if (r == 0)
		as_cache_store(&cache, source, host, &ws->pipeline.bpf);
	*ret = as_bpf_program(&ws->pipeline.bpf);
	return r;
}

static bool supervised(const struct as_apply_options *options)
{
	return options->report != NULL || options->audit;
}

/* The program of report or audit mode: compiled now, as the supervisor
 * names the rule behind each decision, with the denials diverted to it.
 * Neither the precompiled table nor the cache holds what it needs. */
static int supervised_program_for(const struct as_apply_options *options, struct as_source *source,
				  const struct as_host *host, struct as_program *ret, struct as_error *err)
{
	struct as_workspace *ws = mapped_workspace(err);
	enum as_notify_mode mode = options->audit ? AS_NOTIFY_AUDIT : AS_NOTIFY_REPORT;
	int r;

	if (ws == NULL)
		return err->code;
	r = as_source_text(source, ws->text, err);
	if (r < 0)
		return r;
	ws->pipeline.host = *host;
	/* Decisions are named from the program as runc has it built, which
	 * explain reads too: the one installed decides alike, and its stub may
	 * be folded into its tree. */
	r = as_pipeline_compile(source, &ws->pipeline, err);
	if (r == 0) {
		ws->explained = ws->pipeline.bpf;
		r = as_pipeline_reoptimized(&ws->pipeline, err);
	}
	if (r == 0 && mode == AS_NOTIFY_REPORT && !as_notify_handoff_allowed(&ws->pipeline.bpf, host->native_arch))
		r = as_error_set(err, -EBUSY, AS_NO_POSITION,
				 "report mode hands the listener to its supervisor with sendmsg and dup3, which the "
				 "profile does not allow for every call");
	if (r == 0)
		r = as_notify_denials(&ws->pipeline.bpf, host->native_arch, mode, &ws->diverted, err);
	if (r < 0)
		return r;
	ws->supervision = (struct as_supervision){mode,
						  options->report ? options->report : "stderr",
						  &ws->explained,
						  &ws->pipeline.resolved,
						  &ws->pipeline.host,
						  source->name,
						  source->text,
						  source->len};
	*ret = as_bpf_program(&ws->diverted);
	ret->listener = NULL;
	ret->supervision = &ws->supervision;
	ret->handoff = &ws->diverted.insns[ws->diverted.handoff_pc];
	return 0;
}

static void write_stderr(const char *line);

/* Report and audit need the one listener a process may have, and a filter
 * that outranks none of the program's denials: where the profile's agent, or
 * a filter in force, stands in the way (WHY), the profile is enforced as
 * without them, and the loss of its reports is said, on standard error and
 * where they would have gone, not left silent. */
static void warn(const struct as_apply_options *options, const struct as_source *source, const char *what,
		 const char *so)
{
	struct as_error warning;
	char line[sizeof(warning.message) + 256];

	as_error_set(&warning, 0, AS_NO_POSITION, "warning: %.300s: %s", what, so);
	as_error_locate(&warning, source->name, NULL, 0);
	as_error_format(&warning, line, sizeof(line));
	write_stderr(line);
	if (options->report != NULL)
		as_report_note(options->report, line);
}

static void warn_unsupervised(const struct as_apply_options *options, const struct as_source *source,
			      const char *why)
{
	warn(options, source, why,
	     options->audit ? "the profile is enforced, not audited"
			    : "the profile is enforced, and its denials are not reported");
}

static void unsupervised(const struct as_apply_options *options, const struct as_source *source,
			 const struct as_error *why, struct as_program *program)
{
	warn_unsupervised(options, source, why->message);
	*program = as_bpf_program(&workspace->pipeline.bpf);
}

/* A relative SECCOMP_PROFILE names the file it named when the first
 * process read it: a child that has changed directory, and inherits the
 * variable, must find the same file, not another or none. */
static bool relative_in_environment(const struct as_apply_options *options, const struct as_source *source)
{
	return options->spec_in_environment && source->kind == AS_SOURCE_FILE && options->spec[0] != '/';
}

/* Where the absolute path cannot be made, no child could be sure to read
 * the same file: the start fails, as for a file it cannot read. */
static int absolute_for_children(const char *relative, struct as_error *err)
{
	int r = as_environ_absolute_profile(&for_children.environ, relative);

	if (r < 0)
		return as_error_set(err, r, AS_NO_POSITION, "cannot make the path absolute for the children: %s",
				    strerror(-r));
	return 0;
}

/* A report or audit start: the diverted program in PROGRAM, or, where the
 * chain in force serves (*IN_FORCE), nothing more to install.  A child
 * finds its parent's reporting filter in force as it would the plain one,
 * which answers the probe alike, and then compiles nothing more; an
 * auditing one answers otherwise, so no child that asks for the profile
 * enforced takes it for its own.  Under the profile enforced, nothing could
 * be reported or audited: the filter in force denies before any
 * notification. */
static int supervised_start(const struct as_apply_options *options, struct as_source *source,
			    const struct as_host *host, struct as_program *program, bool *in_force,
			    struct as_error *err)
{
	enum as_marker_form form = as_marker_in_force(program, host, options->trust_marker);
	int r;

	*in_force = form == (options->audit ? AS_MARKER_AUDITING : AS_MARKER_REPORTING);
	if (!*in_force && (form == AS_MARKER_PLAIN || (options->audit && form == AS_MARKER_REPORTING))) {
		warn_unsupervised(options, source,
				  options->audit ? "the profile is in force already, enforced"
						 : "the profile is in force already, without a supervisor");
		*in_force = true;
	}
	if (*in_force)
		return 0;
	r = supervised_program_for(options, source, host, program, err);
	if (r == -EBUSY) {
		unsupervised(options, source, err, program);
		r = 0;
	}
	return r;
}

/* The program for SOURCE on HOST, installed: the rest of a start once the
 * source and the host are known. */
static int apply_program(const struct as_apply_options *options, struct as_source *source,
			 const struct as_host *host, union as_cache_near_entry *near, struct as_error *err)
{
	struct as_program program;
	bool in_force = false, filtered_before = false;
	int r;

	r = program_for(options, source, host, near, &program, err);
	if (r == 0 && supervised(options))
		r = supervised_start(options, source, host, &program, &in_force, err);
	if (r == 0 && options->vet != NULL)
		r = options->vet(&program, host, options->vet_context, err);
	/* The text outlives the source: it is the workspace's, or built in. */
	if (r < 0)
		as_error_locate(err, source->name, source->text, source->len);
	as_source_close(source);
	if (r < 0 || in_force)
		return r;
	r = as_marker_install(&program, host, options->trust_marker, &for_children.marker, &for_children.environ,
			      &filtered_before, err);
	if (r == -EBUSY && program.supervision != NULL) {
		unsupervised(options, source, err, &program);
		r = as_marker_install(&program, host, options->trust_marker, &for_children.marker,
				      &for_children.environ, NULL, err);
	}
	/* A filter in force before the diverted one outranks its notifications
	 * wherever it denies with an errno too: those calls get its answer, not
	 * the profile's, and no supervisor sees them. */
	if (r == 0 && filtered_before && program.supervision != NULL)
		warn(options, source, "a filter was in force already",
		     options->audit ? "the calls it denies are denied, and not audited"
				    : "the calls it denies too get its answer, and are not reported");
	if (r < 0)
		as_error_locate(err, source->name, NULL, 0);
	return r;
}

/* A start from a file keeps room on its stack for the entry the cache may
 * hold, in a frame of its own: in the caller's, it would push every start's
 * deeper frames, the built-in profile's too, onto a page of stack they do
 * not otherwise touch.  Not inlined, for that reason. */
__attribute__((noinline)) static int apply_file_program(const struct as_apply_options *options,
							struct as_source *source, const struct as_host *host,
							struct as_error *err)
{
	union as_cache_near_entry near;

	return apply_program(options, source, host, &near, err);
}

static int apply_locked(const struct as_apply_options *options, struct as_error *err)
{
	/* Until the source is open, messages name what was asked for. */
	struct as_source source = AS_SOURCE_NAMED(options->spec ? options->spec : "builtin");
	struct as_host host;
	int r;

	r = as_source_open(options->spec, options->builtin, &source, err);
	if (r == 0 && source.kind == AS_SOURCE_UNCONFINED)
		return 0;
	if (r == 0 && relative_in_environment(options, &source))
		r = absolute_for_children(options->spec, err);
	if (r == 0)
		r = as_host_detect(&host, err);
	/* A root service has every capability, and Docker's profile then
	 * allows what no default container may call (mount, unshare, bpf, ...):
	 * a container's set makes the conditions see that set.  The program
	 * differs, and so do its cache key and its marker. */
	if (r == 0 && options->limit_caps) {
		host.permitted &= options->caps;
		host.effective &= options->caps;
	}
	if (r == 0 && options->report != NULL)
		r = as_report_destination_check(options->report, err);
	if (r < 0) {
		as_error_locate(err, source.name, source.text, source.len);
		as_source_close(&source);
		return r;
	}
	r = source.kind == AS_SOURCE_FILE ? apply_file_program(options, &source, &host, err)
					  : apply_program(options, &source, &host, NULL, err);
	if (r == 0 && relative_in_environment(options, &source))
		as_environ_set_profile(&for_children.environ);
	return r;
}

int as_apply(const struct as_apply_options *options, struct as_error *err)
{
	int r;

	if (atomic_flag_test_and_set(&busy))
		return as_error_set(err, -EBUSY, AS_NO_POSITION, "another thread is applying a filter");
	r = apply_locked(options, err);
	atomic_flag_clear(&busy);
	return r;
}

void as_apply_forked(void)
{
	atomic_flag_clear(&busy);
}

/* write(2), not stdio: the host's streams are not ours to flush. */
static void write_stderr(const char *line)
{
	size_t len = strlen(line);

	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, line, len);
		if (n <= 0)
			break;
		line += n;
		len -= (size_t)n;
	}
	(void)!write(STDERR_FILENO, "\n", 1);
}

void as_fail(const struct as_error *err)
{
	char line[1024];

	as_error_format(err, line, sizeof(line));
	write_stderr(line);
	_exit(AUTOSECCOMP_EXIT_FAILURE);
}
