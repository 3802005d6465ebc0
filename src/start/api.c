/* The public API: the only definitions the library exports. */
#include <errno.h>
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

AUTOSECCOMP_API int autoseccomp_apply(const char *profile, char *errbuf, size_t errlen)
{
	struct as_builtin builtin;
	struct as_apply_options options = {.spec = profile, .builtin = &builtin, .trust_marker = true};
	struct as_error err;
	int r = as_builtin_profile(&builtin, NULL, &err);

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
