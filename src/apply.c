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
#include "fnv.h"
#include "hex.h"
#include "install.h"
#include "pipeline.h"
#include "precompiled.h"
#include "scratch.h"

/* No heap before the filter, so none to release after it: a profile is
 * compiled in scratch memory, mapped when one first is.  The built-in one is
 * installed from the precompiled table. */
static struct as_pipeline *workspace;

/* The marker goes into the environment without the heap: its entry and,
 * when the variable is new, a copy of the environment's pointer array live in
 * static storage, next to the flag that guards them and the workspace.  The
 * entry's name is written here, not at run time, which puts all three in
 * .data, and they fit in less than a page: beside data the loader writes at
 * every start (__dso_handle's relocation, the C library's own), a start-up
 * dirties no page of its own for them.  An environment too long for that
 * copy goes to a larger one, in scratch memory; setenv would allocate. */
#define MARKER_LEN (16 + 1 + 8 + 1 + 4)
#define COMMON_ENVIRONMENT 440
#define MAX_ENVIRONMENT 8192

static struct {
	atomic_flag busy;
	char marker_entry[sizeof(AS_MARKER_VARIABLE) + MARKER_LEN + 1];
	char *environment[COMMON_ENVIRONMENT];
} state = {.busy = ATOMIC_FLAG_INIT, .marker_entry = AS_MARKER_VARIABLE "="};

static char **long_environment;

/* A name for the program, so a child can tell its parent's filter from
 * another; FNV-1a is enough for telling apart, and the marker is trusted no
 * further than the environment it comes from.  Formatted without stdio,
 * whose first use would fault in pages of the C library's code. */
static void fingerprint(const struct as_program *program, char buf[MARKER_LEN + 1])
{
	uint64_t hash = as_fnv1a64(program->insns, program->len * sizeof(program->insns[0]));
	char *p = buf;

	p = as_hex(hash, 16, p);
	*p++ = '.';
	p = as_hex(program->flags, 8, p);
	*p++ = '.';
	p = as_hex(program->len, 4, p);
	*p = '\0';
}

static bool marker_in_force(const char *marker)
{
	const char *inherited = secure_getenv(AS_MARKER_VARIABLE);

	return inherited != NULL && strcmp(inherited, marker) == 0 && as_install_filter_in_force();
}

struct environment_change {
	char **array; /* the environment's array before the change */
	char **slot;    /* the entry replaced, if one was */
	char *entry;
};

static char **marker_slot(void)
{
	size_t len = strlen(AS_MARKER_VARIABLE);

	for (char **e = environ; e != NULL && *e != NULL; e++)
		if (strncmp(*e, AS_MARKER_VARIABLE, len) == 0 && (*e)[len] == '=')
			return e;
	return NULL;
}

static int set_marker(const char *marker, struct environment_change *change)
{
	char **slot = marker_slot(), **copy;
	size_t count = 0;

	memcpy(state.marker_entry + sizeof(AS_MARKER_VARIABLE), marker, MARKER_LEN + 1);
	*change = (struct environment_change){environ, slot, slot ? *slot : NULL};
	if (slot != NULL) {
		*slot = state.marker_entry;
		return 0;
	}
	while (environ != NULL && environ[count] != NULL)
		count++;
	if (count + 2 > MAX_ENVIRONMENT)
		return setenv(AS_MARKER_VARIABLE, marker, 1);
	if (count + 2 > COMMON_ENVIRONMENT && long_environment == NULL &&
	    (long_environment = as_scratch(MAX_ENVIRONMENT * sizeof(char *))) == NULL)
		return -1;
	copy = count + 2 <= COMMON_ENVIRONMENT ? state.environment : long_environment;
	memcpy(copy, environ, count * sizeof(environ[0]));
	copy[count] = state.marker_entry;
	copy[count + 1] = NULL;
	environ = copy;
	return 0;
}

static void undo_marker(const struct environment_change *change)
{
	if (change->slot != NULL)
		*change->slot = change->entry;
	environ = change->array;
}

static int install_marked(const struct as_program *program, const struct as_host *host, bool trust_marker,
			  struct as_error *err)
{
	struct environment_change change;
	char marker[MARKER_LEN + 1];
	int r;

	fingerprint(program, marker);
	if (trust_marker && marker_in_force(marker))
		return 0;
	if (set_marker(marker, &change) < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot set %s: %s", AS_MARKER_VARIABLE,
				    strerror(errno));
	r = as_install(program, host, err);
	if (r < 0)
		undo_marker(&change);
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
	if (r == 0)
		r = as_host_detect(&host, &err);
	if (r == 0)
		r = program_for(options, &source, &host, &program, &err);
	if (r < 0)
		as_error_format(&err, source.name, source.text, source.len, message, message_len);
	as_source_close(&source);
	if (r < 0)
		return r;
	r = install_marked(&program, &host, options->trust_marker, &err);
	if (r < 0)
		as_error_format(&err, source.name, NULL, 0, message, message_len);
	return r;
}

int as_apply(const struct as_apply_options *options, char *message, size_t message_len)
{
	int r;

	if (atomic_flag_test_and_set(&state.busy)) {
		snprintf(message, message_len, "autoseccomp: another thread is applying a filter");
		return -EBUSY;
	}
	r = apply_locked(options, message, message_len);
	atomic_flag_clear(&state.busy);
	return r;
}
