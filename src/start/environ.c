#include "environ.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scratch.h"

static char **slot_of(const char *entry)
{
	size_t len = strchrnul(entry, '=') - entry + 1;

	for (char **e = environ; e != NULL && *e != NULL; e++)
		if (strncmp(*e, entry, len) == 0)
			return e;
	return NULL;
}

int as_environ_put(struct as_environ *env, char *entry, struct as_environ_change *ret)
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
	if (count + 2 > AS_ENVIRON_MAX)
		return putenv(entry);
	if (count + 2 > AS_ENVIRON_COMMON && env->long_environment == NULL &&
	    (env->long_environment = as_scratch(AS_ENVIRON_MAX * sizeof(char *))) == NULL)
		return -1;
	copy = count + 2 <= AS_ENVIRON_COMMON ? env->environment : env->long_environment;
	/* A second apply may find environ in the copy already. */
	memmove(copy, environ, count * sizeof(environ[0]));
	copy[count] = entry;
	copy[count + 1] = NULL;
	environ = copy;
	return 0;
}

void as_environ_undo(const struct as_environ *env, const struct as_environ_change *change)
{
	char **e = environ;

	if (change->slot != NULL) {
		*change->slot = change->entry;
		return;
	}
	if (environ == env->environment || environ == env->long_environment) {
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

int as_environ_absolute_profile(struct as_environ *env, const char *relative)
{
	static const char name[] = AS_PROFILE_VARIABLE "=";
	size_t len = strlen(relative), cwd_len;
	char *path;

	if (env->profile_entry == NULL && (env->profile_entry = as_scratch(sizeof(name) + PATH_MAX)) == NULL)
		return -errno;
	memcpy(env->profile_entry, name, sizeof(name) - 1);
	path = env->profile_entry + sizeof(name) - 1;
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

void as_environ_set_profile(const struct as_environ *env)
{
	char **slot = slot_of(env->profile_entry);

	/* Where the variable has gone, there is nothing to correct. */
	if (slot != NULL)
		*slot = env->profile_entry;
}
