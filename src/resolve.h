/* Stage 4: resolved rules.  Docker's per-host decisions applied to the view:
 * which architectures the filter covers, which rules survive includes and
 * excludes on this host, and the flags the filter is loaded with. */
#ifndef AS_RESOLVE_H
#define AS_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "host.h"
#include "profile.h"

#define AS_RESOLVED_MAX_ARCHES 32

struct as_resolved {
	const struct as_profile *profile;
	uint32_t default_action; /* libseccomp action, errno included */
	uint32_t arches[AS_RESOLVED_MAX_ARCHES];
	unsigned int arch_count;
	uint32_t flags; /* SECCOMP_FILTER_FLAG_*, TSYNC excluded */
	uint16_t rules[AS_PROFILE_MAX_RULES]; /* indexes of the rules kept, in order */
	unsigned int rule_count;
};

/* Apply HOST to PROFILE.  On error RET is left partly written. */
int as_resolve(const struct as_profile *profile, const struct as_host *host, struct as_resolved *ret,
	       struct as_error *err);

/* The libseccomp action of RULE, with its errno. */
uint32_t as_resolved_action(const struct as_profile *profile, const struct as_rule *rule);

#endif
