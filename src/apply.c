#include "apply.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf.h"
#include "install.h"
#include "optimize.h"
#include "pipeline.h"
#include "precompiled.h"

/* No heap before the filter, so none to release after it. */
static struct as_pipeline workspace;
static atomic_flag workspace_busy = ATOMIC_FLAG_INIT;

/* A name for the program, so a child can tell its parent's filter from
 * another; FNV-1a is enough for telling apart, and the marker is trusted no
 * further than the environment it comes from. */
static void fingerprint(const struct as_bpf *bpf, char *buf, size_t size)
{
	const unsigned char *bytes = (const unsigned char *)bpf->insns;
	uint64_t hash = 0xcbf29ce484222325u;

	for (size_t i = 0; i < bpf->len * sizeof(bpf->insns[0]); i++)
		hash = (hash ^ bytes[i]) * 0x100000001b3u;
	snprintf(buf, size, "%016llx.%x.%u", (unsigned long long)hash, bpf->flags, bpf->len);
}

static bool marker_in_force(const char *marker)
{
	const char *inherited = secure_getenv(AS_MARKER_VARIABLE);

	return inherited != NULL && strcmp(inherited, marker) == 0 && as_install_filter_in_force();
}

static int install_marked(struct as_pipeline *ws, bool trust_marker, struct as_error *err)
{
	const char *previous = getenv(AS_MARKER_VARIABLE);
	char marker[64];
	int r;

	fingerprint(&ws->bpf, marker, sizeof(marker));
	if (trust_marker && marker_in_force(marker))
		return 0;
	/* setenv allocates, so it runs before the filter can deny the allocation. */
	if (setenv(AS_MARKER_VARIABLE, marker, 1) < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot set %s: %s", AS_MARKER_VARIABLE,
				    strerror(errno));
	r = as_install(&ws->bpf, &ws->host, err);
	if (r < 0 && previous != NULL)
		setenv(AS_MARKER_VARIABLE, previous, 1);
	else if (r < 0)
		unsetenv(AS_MARKER_VARIABLE);
	return r;
}

static int apply_locked(const struct as_apply_options *options, struct as_pipeline *ws, char *message,
			size_t message_len)
{
	/* Until the source is open, messages name what was asked for. */
	struct as_source source = {.name = options->spec ? options->spec : "builtin"};
	struct as_error err;
	int r;

	r = as_source_open(options->spec, options->builtin, &source, &err);
	if (r == 0 && source.kind == AS_SOURCE_UNCONFINED)
		return 0;
	if (r == 0)
		r = as_host_detect(&ws->host, &err);
	if (r == 0 && !(source.kind == AS_SOURCE_BUILTIN && options->builtin->precompiled &&
			as_precompiled_find(&ws->host, &ws->bpf))) {
		r = as_pipeline_compile(&source, ws, &err);
		if (r == 0)
			r = as_optimize(&ws->bpf);
	}
	if (r < 0)
		as_error_format(&err, source.name, source.text, source.len, message, message_len);
	as_source_close(&source);
	if (r < 0)
		return r;
	r = install_marked(ws, options->trust_marker, &err);
	if (r < 0)
		as_error_format(&err, source.name, NULL, 0, message, message_len);
	return r;
}

int as_apply(const struct as_apply_options *options, char *message, size_t message_len)
{
	int r;

	if (atomic_flag_test_and_set(&workspace_busy)) {
		snprintf(message, message_len, "autoseccomp: another thread is applying a filter");
		return -EBUSY;
	}
	r = apply_locked(options, &workspace, message, message_len);
	atomic_flag_clear(&workspace_busy);
	return r;
}
