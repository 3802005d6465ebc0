#include "marker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "install.h"

#define MARKER_LEN (3 * AS_PROBE_COUNT)

/* The answers as hexadecimal, without stdio, whose first use would fault in
 * pages of the C library's code. */
static void format_marker(const struct as_probe *probe, char buf[MARKER_LEN + 1])
{
	char *p = buf;

	for (unsigned int i = 0; i < AS_PROBE_COUNT; i++)
		p = as_hex(probe->answers[i], 3, p);
	*p = '\0';
}

static bool inherited_marker_is(const struct as_probe *probe)
{
	const char *inherited = secure_getenv(AS_MARKER_VARIABLE);
	char marker[MARKER_LEN + 1];

	if (inherited == NULL)
		return false;
	format_marker(probe, marker);
	return strcmp(inherited, marker) == 0;
}

/* The child asks the kernel only when the marker names what it would
 * install: a filter it does not know may kill calls to unknown numbers, and
 * a forged marker then kills it before main, which fails closed. */
static bool proven_in_force(const struct as_probe *probe, bool answers, bool trust_marker)
{
	return trust_marker && answers && inherited_marker_is(probe) && as_probe_in_force(probe);
}

bool as_marker_in_force(const struct as_program *program, const struct as_host *host, bool trust_marker)
{
	struct as_probe probe;
	bool answers = as_probe_expected(program, host->native_arch, &probe);

	return proven_in_force(&probe, answers, trust_marker);
}

int as_marker_install(const struct as_program *program, const struct as_host *host, bool trust_marker,
		      struct as_marker *marker, struct as_environ *env, struct as_error *err)
{
	struct as_environ_change change;
	struct as_probe probe;
	bool answers = as_probe_expected(program, host->native_arch, &probe);
	int r;

	if (proven_in_force(&probe, answers, trust_marker))
		return 0;
	if (answers) {
		format_marker(&probe, marker->entry + sizeof(AS_MARKER_VARIABLE));
		if (as_environ_put(env, marker->entry, &change) < 0)
			return as_error_set(err, -errno, AS_NO_POSITION, "cannot set %s: %s", AS_MARKER_VARIABLE,
					    strerror(errno));
	}
	r = as_install(program, host, err);
	if (r < 0 && answers)
		as_environ_undo(env, &change);
	return r;
}
