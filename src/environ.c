#include "environ.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hex.h"
#include "scratch.h"

/* The marker goes into the environment without the heap: its entry and,
 * when the variable is new, a copy of the environment's pointer array live in
 * static storage.  The entry's name is written here, not at run time, which
 * puts both in .data, and they fit in less than a page: beside data the
 * loader writes at every start (__dso_handle's relocation, the C library's
 * own), a start-up dirties no page of its own for them.  An environment too
 * long for that copy goes to a larger one, in scratch memory; setenv would
 * allocate.  The callers serialise (apply.h). */
#define MARKER_LEN (3 * AS_PROBE_COUNT)
#define COMMON_ENVIRONMENT 440
#define MAX_ENVIRONMENT 8192

static struct {
	char marker_entry[sizeof(AS_MARKER_VARIABLE) + MARKER_LEN + 1];
	char *environment[COMMON_ENVIRONMENT];
} state = {.marker_entry = AS_MARKER_VARIABLE "="};

static char **long_environment;

/* A relative profile's entry, made absolute: only starts that name one map it. */
static char *profile_entry;

/* The answers as hexadecimal, three digits each, without stdio, whose first
 * use would fault in pages of the C library's code. */
static void format_marker(const struct as_probe *probe, char buf[MARKER_LEN + 1])
{
	char *p = buf;

	for (unsigned int i = 0; i < AS_PROBE_COUNT; i++)
		p = as_hex(probe->answers[i], 3, p);
	*p = '\0';
}

bool as_environ_marker_is(const struct as_probe *probe)
{
	const char *inherited = secure_getenv(AS_MARKER_VARIABLE);
	char marker[MARKER_LEN + 1];

	if (inherited == NULL)
		return false;
	format_marker(probe, marker);
	return strcmp(inherited, marker) == 0;
}

static char **slot_of(const char *entry)
{
	size_t len = strchrnul(entry, '=') - entry + 1;

	for (char **e = environ; e != NULL && *e != NULL; e++)
		if (strncmp(*e, entry, len) == 0)
			return e;
	return NULL;
}

/* ENTRY, a "NAME=value" the caller keeps, in place of NAME's entry, or added. */
static int put(char *entry, struct as_environ_change *ret)
{
	char **slot = slot_of(entry), **copy;
	size_t count = 0;

	*ret = (struct as_environ_change){environ, slot, slot ? *slot : NULL, slot ? NULL : entry};
	if (slot != NULL) {
		*slot = entry;
		return 0;
	}
	while (environ != NULL && environ[count] != NULL)
		count++;
	if (count + 2 > MAX_ENVIRONMENT)
		return putenv(entry);
	if (count + 2 > COMMON_ENVIRONMENT && long_environment == NULL &&
	    (long_environment = as_scratch(MAX_ENVIRONMENT * sizeof(char *))) == NULL)
		return -1;
	copy = count + 2 <= COMMON_ENVIRONMENT ? state.environment : long_environment;
	/* A second apply may find environ in the copy already. */
	memmove(copy, environ, count * sizeof(environ[0]));
	copy[count] = entry;
	copy[count + 1] = NULL;
	environ = copy;
	return 0;
}

int as_environ_set_marker(const struct as_probe *probe, struct as_environ_change *ret)
{
	format_marker(probe, state.marker_entry + sizeof(AS_MARKER_VARIABLE));
	return put(state.marker_entry, ret);
}

void as_environ_undo(const struct as_environ_change *change)
{
	char **e = environ;

	if (change->slot != NULL) {
		*change->slot = change->entry;
		return;
	}
	if (environ == state.environment || environ == long_environment) {
		environ = change->array;
		return;
	}
	/* putenv's array is the C library's own, and may have replaced the one
	 * before: the entry leaves it as unsetenv would take it out. */
	while (e != NULL && *e != NULL && *e != change->added)
		e++;
	for (; e != NULL && *e != NULL; e++)
		e[0] = e[1];
}

int as_environ_absolute_profile(const char *relative)
{
	static const char name[] = AS_PROFILE_VARIABLE "=";
	size_t len = strlen(relative), cwd_len;
	char *path;

	if (profile_entry == NULL && (profile_entry = as_scratch(sizeof(name) + PATH_MAX)) == NULL)
		return -errno;
	memcpy(profile_entry, name, sizeof(name) - 1);
	path = profile_entry + sizeof(name) - 1;
	if (getcwd(path, PATH_MAX) == NULL)
		return -errno;
	/* Linux reports a directory outside the process's root as
	 * "(unreachable)/...", which names no file. */
	if (path[0] != '/')
		return -ENOENT;
	cwd_len = strcmp(path, "/") == 0 ? 0 : strlen(path);
	/* Any longer, and the path would open nothing. */
	if (cwd_len + 1 + len + 1 > PATH_MAX)
		return -ENAMETOOLONG;
	path[cwd_len] = '/';
	memcpy(path + cwd_len + 1, relative, len + 1);
	return 0;
}

void as_environ_set_profile(void)
{
	char **slot = slot_of(profile_entry);

	/* Where the variable has gone, there is nothing to correct. */
	if (slot != NULL)
		*slot = profile_entry;
}
