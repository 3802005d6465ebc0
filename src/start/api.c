/* The public API: the only definitions the library exports. */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "apply.h"
#include "autoseccomp.h"

#define AUTOSECCOMP_API __attribute__((visibility("default")))

/* Only the codes the header documents leave the library. */
static int filter_code(int r)
{
	switch (r) {
	case 0:
	case -EINVAL:
	case -ENOENT:
	case -EACCES:
	case -EISDIR:
	case -EFBIG:
	case -E2BIG:
	case -EBUSY:
	case -EPERM:
	case -ESRCH:
	case -ENOSYS:
	case -ECONNREFUSED:
		return r;
	default:
		return -EINVAL;
	}
}

/* A child forked while another thread of the program applied a filter
 * has no such thread, and would be told -EBUSY at every call.  Registered
 * by the first call: the constructor's start, before main, needs none. */
static void watch_forks(void)
{
	pthread_atfork(NULL, NULL, as_apply_forked);
}

AUTOSECCOMP_API int autoseccomp_apply(const char *profile, char *errbuf, size_t errlen)
{
	static pthread_once_t forks_watched = PTHREAD_ONCE_INIT;
	struct as_builtin builtin;
	struct as_apply_options options = {.spec = profile, .builtin = &builtin, .trust_marker = true};
	struct as_error err;
	int r;

	pthread_once(&forks_watched, watch_forks);
	r = as_builtin_profile(&builtin, NULL, &err);
	if (r == 0)
		r = as_apply(&options, &err);
	/* The filter is in force and its listener still open: with it, the
	 * program could answer its own notifications.  No return is safe. */
	if (r == -ENOTRECOVERABLE)
		as_fail(&err);
	if (errbuf != NULL && errlen > 0 && r < 0)
		as_error_format(&err, errbuf, errlen);
	else if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	return filter_code(r);
}

AUTOSECCOMP_API const char *autoseccomp_version(void)
{
	return AUTOSECCOMP_VERSION;
}
