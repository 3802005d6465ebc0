#include "apply.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf.h"
#include "cache.h"
#include "cleanup.h"
#include "environ.h"
#include "install.h"
#include "pipeline.h"
#include "precompiled.h"
#include "probe.h"
#include "scratch.h"

/* No heap before the filter, so none to release after it: a profile is
 * compiled in scratch memory, mapped when one first is.  The built-in one is
 * installed from the precompiled table. */
static struct as_pipeline *workspace;

static atomic_flag busy = ATOMIC_FLAG_INIT;

/* The marker names the program a process installed, and only so that a
 * child knows what to ask the kernel (probe.h): the child skips the install
 * when the kernel answers as that program does.  It asks only when the
 * marker names what it would install: a filter it does not know may kill
 * calls to unknown numbers, and a forged marker then kills it before main,
 * which fails closed. */
static int install_marked(const struct as_program *program, const struct as_host *host, bool trust_marker,
			  struct as_error *err)
{
	struct as_environ_change change;
	struct as_probe probe;
	bool answers = as_probe_expected(program, host->native_arch, &probe);
	int r;

	if (trust_marker && answers && as_environ_marker_is(&probe) && as_probe_in_force(&probe))
		return 0;
	if (answers && as_environ_set_marker(&probe, &change) < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot set %s: %s", AS_MARKER_VARIABLE,
				    strerror(errno));
	r = as_install(program, host, err);
	if (r < 0 && answers)
		as_environ_undo(&change);
	return r;
}

/* The program for SOURCE on HOST: precompiled, cached, or compiled now.  The
 * key a program is stored under is that of the bytes it was compiled from:
 * a file changed since it was first read gets another key. */
static int program_for(const struct as_apply_options *options, struct as_source *source,
		       const struct as_host *host, struct as_program *ret, struct as_error *err)
{
	struct as_pipeline *ws = workspace;
	_cleanup_cache_ struct as_cache cache = AS_CACHE_NONE;
	struct as_cache_key key;
	int r;

	if (source->kind == AS_SOURCE_BUILTIN && options->builtin->precompiled && as_precompiled_find(host, ret))
		return 0;
	if (source->kind == AS_SOURCE_FILE)
		cache = as_cache_open(source);
	if (cache.dir >= 0 && as_cache_key_of(source, host, &key) && as_cache_load(&cache, &key, ret))
		return 0;
	r = as_source_text(source, err);
	if (r < 0)
		return r;
	if (ws == NULL && (ws = workspace = as_scratch(sizeof(*ws))) == NULL)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot map memory to compile in: %s", strerror(errno));
	ws->host = *host;
	r = as_pipeline_optimized(source, ws, err);
	if (r == 0 && cache.dir >= 0 && as_cache_key_of(source, host, &key))
		as_cache_store(&cache, &key, &ws->bpf);
	*ret = as_bpf_program(&ws->bpf);
	return r;
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
	int r = as_environ_absolute_profile(relative);

	if (r < 0)
		return as_error_set(err, r, AS_NO_POSITION, "cannot make the path absolute for the children: %s",
				    strerror(-r));
	return 0;
}

static int apply_locked(const struct as_apply_options *options, char *message, size_t message_len)
{
	/* Until the source is open, messages name what was asked for. */
	struct as_source source = AS_SOURCE_NAMED(options->spec ? options->spec : "builtin");
	struct as_program program;
	struct as_host host;
	struct as_error err;
	int r;

	r = as_source_open(options->spec, options->builtin, &source, &err);
	if (r == 0 && source.kind == AS_SOURCE_UNCONFINED)
		return 0;
	if (r == 0 && relative_in_environment(options, &source))
		r = absolute_for_children(options->spec, &err);
	if (r == 0)
		r = as_host_detect(&host, &err);
	if (r == 0)
		r = program_for(options, &source, &host, &program, &err);
	if (r == 0 && options->vet != NULL)
		r = options->vet(&program, &host, &err);
	if (r < 0)
		as_error_format(&err, source.name, source.text, source.len, message, message_len);
	as_source_close(&source);
	if (r < 0)
		return r;
	r = install_marked(&program, &host, options->trust_marker, &err);
	if (r < 0)
		as_error_format(&err, source.name, NULL, 0, message, message_len);
	else if (relative_in_environment(options, &source))
		as_environ_set_profile();
	return r;
}

int as_apply(const struct as_apply_options *options, char *message, size_t message_len)
{
	int r;

	if (atomic_flag_test_and_set(&busy)) {
		snprintf(message, message_len, "autoseccomp: another thread is applying a filter");
		return -EBUSY;
	}
	r = apply_locked(options, message, message_len);
	atomic_flag_clear(&busy);
	return r;
}
