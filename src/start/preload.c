/* The constructor: what LD_PRELOAD or a link with libautoseccomp.a runs
 * before main.  It reads the environment, runs the pipeline, and on any
 * failure exits before the program can run unconfined. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "autoseccomp.h"
#include "names.h"

/* AUTOSECCOMP_MODE: "audit", or "enforce" as when it is unset or empty; a
 * value that is neither is refused rather than guessed at. */
static int parse_mode(const char *mode, bool *audit, struct as_error *err)
{
	*audit = mode != NULL && strcmp(mode, "audit") == 0;
	if (mode == NULL || mode[0] == '\0' || *audit || strcmp(mode, "enforce") == 0)
		return 0;
	as_error_set(err, -EINVAL, AS_NO_POSITION, "\"%s\": expected enforce or audit", mode);
	as_error_locate(err, "AUTOSECCOMP_MODE", NULL, 0);
	return err->code;
}

__attribute__((constructor)) static void autoseccomp_constructor(void)
{
	struct as_builtin builtin;
	struct as_apply_options options = {.builtin = &builtin};
	struct as_error err;
	const char *caps = NULL;
	bool locked;

	if (as_builtin_profile(&builtin, &locked, &err) < 0)
		as_fail(&err);
	/* A locked profile is applied whatever the environment says, and so is the
	 * built-in one in secure-execution mode, where secure_getenv reads nothing. */
	if (!locked) {
		options.spec = secure_getenv("SECCOMP_PROFILE");
		options.trust_marker = true;
		options.spec_in_environment = true;
		caps = secure_getenv("AUTOSECCOMP_CAPS");
		/* Audit mode denies nothing: like "unconfined", not for a locked
		 * profile.  Reports change no decision, so even a locked one
		 * may be reported on. */
		if (parse_mode(secure_getenv("AUTOSECCOMP_MODE"), &options.audit, &err) < 0)
			as_fail(&err);
	}
	options.report = secure_getenv("AUTOSECCOMP_REPORT");
	if (options.report != NULL && options.report[0] == '\0')
		options.report = NULL;
	/* Empty, as unset: it can only take capabilities away. */
	options.limit_caps = caps != NULL && caps[0] != '\0';
	if (options.limit_caps && as_capability_set_parse(caps, &options.caps, &err) < 0) {
		as_error_locate(&err, "AUTOSECCOMP_CAPS", NULL, 0);
		as_fail(&err);
	}
	if (as_apply(&options, &err) < 0)
		as_fail(&err);
}
