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
_Static_assert(MARKER_COUNT_MAX < 10000u && AS_MARKER_COUNT_DIGITS == 4, "the marker's count fits its digits");

/* The answers as hexadecimal, without stdio, whose first use would fault in
 * pages of the C library's code. */
static void format_marker(const struct as_probe *probe, char buf[MARKER_LEN + 1])
{
	char *p = buf;

	for (unsigned int i = 0; i < AS_PROBE_COUNT; i++)
		p = as_hex(probe->answers[i], 3, p);
	*p = '\0';
}

/* What the inherited marker says of the chain in force. */
struct inherited {
	char answers[MARKER_LEN + 1]; /* of the filter it was set for */
	unsigned int vouched;          /* filters in force when it was set, every one autoseccomp's */
	bool reported;                 /* ends in AS_MARKER_REPORTS */
};

/* The inherited marker, read only where TRUST_MARKER.  Only where it
 * vouches for every filter in force (IN_FORCE, as as_filters_in_force
 * counts them) is a probe safe to make: a filter it does not know may kill
 * calls to unknown numbers, as systemd's SystemCallFilter= and most
 * sandboxes do, and would kill the child before main. */
static bool inherited_chain(bool trust_marker, long in_force, struct inherited *ret)
{
	const char *inherited = trust_marker ? secure_getenv(AS_MARKER_VARIABLE) : NULL;
	const char *digits;
	size_t digits_len;
	uint64_t count;

	if (inherited == NULL || strlen(inherited) <= MARKER_LEN + 1 || inherited[MARKER_LEN] != ':')
		return false;
	digits = inherited + MARKER_LEN + 1;
	digits_len = strcspn(digits, ":");
	ret->reported = strcmp(digits + digits_len, AS_MARKER_REPORTS) == 0;
	if ((digits[digits_len] != '\0' && !ret->reported) ||
	    as_parse_decimal(digits, digits_len, MARKER_COUNT_MAX, &count) < 0 || count == 0)
		return false;
	memcpy(ret->answers, inherited, MARKER_LEN);
	ret->answers[MARKER_LEN] = '\0';
	ret->vouched = (unsigned int)count;
	return in_force == (long)count;
}

/* Whether CHAIN, which vouches for every filter in force, names PROBE's
 * program and the kernel answers as it does.  A forged marker under a
 * single filter that kills unknown numbers still kills the child before
 * main, which fails closed. */
static bool proven_in_force(const struct as_probe *probe, const struct inherited *chain)
{
	char mine[MARKER_LEN + 1];

	format_marker(probe, mine);
	return strcmp(chain->answers, mine) == 0 && as_probe_in_force(probe);
}

enum as_marker_form as_marker_in_force(const struct as_program *program, const struct as_host *host,
				       bool trust_marker)
{
	struct as_probe plain, audited;
	struct inherited chain;

	/* The count is read only where a marker was inherited. */
	if (!as_probe_expected(program, host->native_arch, &plain) || !trust_marker ||
	    secure_getenv(AS_MARKER_VARIABLE) == NULL || !inherited_chain(trust_marker, as_filters_in_force(), &chain))
		return AS_MARKER_NONE;
	if (proven_in_force(&plain, &chain))
		return chain.reported ? AS_MARKER_REPORTING : AS_MARKER_PLAIN;
	audited = plain;
	for (unsigned int i = 0; i < AS_PROBE_COUNT; i++)
		audited.answers[i] = (uint16_t)as_probe_audit_answer(plain.answers[i]);
	return proven_in_force(&audited, &chain) ? AS_MARKER_AUDITING : AS_MARKER_NONE;
}

int as_marker_install(const struct as_program *program, const struct as_host *host, bool trust_marker,
		      struct as_marker *marker, struct as_environ *env, bool *filtered_before, struct as_error *err)
{
	struct as_environ_change change;
	struct as_probe probe;
	struct inherited chain;
	bool answers = as_probe_expected(program, host->native_arch, &probe);
	/* Read once, for whether to ask the kernel and for what the new marker
	 * vouches for: no filter in force (a first start asks nothing), or a
	 * chain the inherited marker vouches for.  A filter in force may answer
	 * prctl as it answers seccomp: the probe then still finds it out. */
	bool none_before = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0;
	long before = none_before && answers ? 0 : as_filters_in_force();
	bool chain_safe = answers && !none_before && inherited_chain(trust_marker, before, &chain);
	struct as_install_proof proof = {answers && (none_before || chain_safe) ? &probe : NULL, before};
	int r;

	if (filtered_before != NULL)
		*filtered_before = !none_before;

	if (chain_safe && proven_in_force(&probe, &chain))
		return 0;
	if (answers) {
		char *entry = marker->entry + sizeof(AS_MARKER_VARIABLE);
		/* The chain after this install, where every filter in it is
		 * autoseccomp's; else 0, and the children install their own
		 * filter rather than ask. */
		unsigned int vouched = 0;

		if (none_before)
			vouched = 1;
		else if (chain_safe && chain.vouched < MARKER_COUNT_MAX)
			vouched = chain.vouched + 1;
		format_marker(&probe, entry);
		entry[MARKER_LEN] = ':';
		strcpy(as_format_decimal(vouched, entry + MARKER_LEN + 1),
		       program->supervision != NULL ? AS_MARKER_REPORTS : "");
		if (as_environ_put(env, marker->entry, &change) < 0)
			return as_error_set(err, -errno, AS_NO_POSITION, "cannot set %s: %s", AS_MARKER_VARIABLE,
					    strerror(errno));
	}
	r = as_install(program, host, &proof, err);
	if (r < 0 && answers)
		as_environ_undo(env, &change);
	return r;
}
