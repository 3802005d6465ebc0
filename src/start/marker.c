#include "marker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cleanup.h"
#include "decimal.h"
#include "hex.h"
#include "install.h"

#define MARKER_LEN (3 * AS_PROBE_COUNT)
/* Filters a marker vouches for: at most this many, written in decimal. */
#define MARKER_COUNT_MAX 9999u

/* The answers as hexadecimal, without stdio, whose first use would fault in
 * pages of the C library's code. */
static void format_marker(const struct as_probe *probe, char buf[MARKER_LEN + 1])
{
	char *p = buf;

	for (unsigned int i = 0; i < AS_PROBE_COUNT; i++)
		p = as_hex(probe->answers[i], 3, p);
	*p = '\0';
}

/* The inherited marker: its answers in ANSWERS, and the count of filters it
 * vouches for, the whole chain when it was set, every one autoseccomp's,
 * which answer the probe numbers and kill none.  0 where it vouches for
 * none, or there is no marker of this form. */
static unsigned int inherited_marker(char answers[MARKER_LEN + 1])
{
	const char *inherited = secure_getenv(AS_MARKER_VARIABLE);
	uint64_t count;

	if (inherited == NULL || strlen(inherited) <= MARKER_LEN + 1 || inherited[MARKER_LEN] != ':' ||
	    as_parse_decimal(inherited + MARKER_LEN + 1, strlen(inherited + MARKER_LEN + 1), MARKER_COUNT_MAX, &count) < 0)
		return 0;
	memcpy(answers, inherited, MARKER_LEN);
	answers[MARKER_LEN] = '\0';
	return (unsigned int)count;
}

/* How many filters are in force, as the kernel tells in /proc/self/status;
 * -1 where it does not (no /proc, an older kernel).  Not inlined: its
 * buffer would push every start's install onto a page of stack it does not
 * otherwise touch, and only a child with a marker reads it. */
__attribute__((noinline)) static long filters_in_force(void)
{
	static const char field[] = "\nSeccomp_filters:\t";
	_cleanup_close_ int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	char buf[4096];
	const char *value;
	uint64_t count;
	ssize_t n;

	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	if ((value = strstr(buf, field)) == NULL)
		return -1;
	value += sizeof(field) - 1;
	/* The whole line: a status cut short by the buffer has no newline after it. */
	if (strchr(value, '\n') == NULL || as_parse_decimal(value, strcspn(value, "\n"), MARKER_COUNT_MAX, &count) < 0)
		return -1;
	return (long)count;
}

/* Whether a probe is safe to make: the inherited marker vouches for every
 * filter in force.  A filter it does not know may kill calls to unknown
 * numbers, as systemd's SystemCallFilter= and most sandboxes do, and would
 * kill the child before main. */
static bool probe_is_safe(unsigned int vouched)
{
	return vouched > 0 && filters_in_force() == (long)vouched;
}

/* The child asks the kernel only when the marker names what it would
 * install, and vouches for every filter in force.  A forged marker under a
 * single filter that kills unknown numbers still kills it before main,
 * which fails closed. */
static bool proven_in_force(const struct as_probe *probe, bool answers, bool trust_marker)
{
	char inherited[MARKER_LEN + 1], mine[MARKER_LEN + 1];
	unsigned int vouched;

	if (!trust_marker || !answers || (vouched = inherited_marker(inherited)) == 0)
		return false;
	format_marker(probe, mine);
	return strcmp(inherited, mine) == 0 && probe_is_safe(vouched) && as_probe_in_force(probe);
}

/* The count the marker set with this install vouches for: the chain after
 * it, where every filter in it is known to be autoseccomp's; else 0, and
 * this process's children install their own filter rather than ask. */
static unsigned int vouched_after_install(bool trust_marker)
{
	char inherited[MARKER_LEN + 1];
	unsigned int vouched;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0)
		return 1;
	if (!trust_marker || (vouched = inherited_marker(inherited)) == 0 || vouched >= MARKER_COUNT_MAX ||
	    !probe_is_safe(vouched))
		return 0;
	return vouched + 1;
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
		char *entry = marker->entry + sizeof(AS_MARKER_VARIABLE);
		format_marker(&probe, entry);
		entry[MARKER_LEN] = ':';
		*as_format_decimal(vouched_after_install(trust_marker), entry + MARKER_LEN + 1) = '\0';
		if (as_environ_put(env, marker->entry, &change) < 0)
			return as_error_set(err, -errno, AS_NO_POSITION, "cannot set %s: %s", AS_MARKER_VARIABLE,
					    strerror(errno));
	}
	r = as_install(program, host, err);
	if (r < 0 && answers)
		as_environ_undo(env, &change);
	return r;
}
