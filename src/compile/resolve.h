/* Stage 4: resolved rules.  Docker's per-host decisions applied to the view:
 * which architectures the filter covers, which rules survive includes and
 * excludes on this host, and the flags the filter is loaded with.  What it
 * hands on is a list of its own, in the order libseccomp is given it, so the
 * later stages need neither the profile nor its JSON. */
#ifndef AS_RESOLVE_H
#define AS_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "host.h"

/* Sized as the profile view's own limits (profile.h) are. */
#define AS_RESOLVED_MAX_ARCHES 32
#define AS_RESOLVED_MAX_RULES 2048
#define AS_RESOLVED_MAX_CONDITIONS 2048
#define AS_RESOLVED_MAX_NAMES 16384
/* libseccomp knows no syscall name this long, with its NUL. */
#define AS_RESOLVED_NAME_SIZE 64

/* One argument comparison, as SCMP_CMP takes it. */
struct as_resolved_condition {
	uint64_t index; /* as written: above 5 is refused only where a rule is added for a name */
	uint32_t op;    /* enum scmp_compare */
	uint64_t value, value_two;
	unsigned int index_pos;
};

/* Conditions that hold together: as_resolved.conditions[first .. first + count - 1]. */
struct as_resolved_set {
	unsigned int first, count;
};

struct as_resolved_name {
	/* In as_resolved.text, as libseccomp is given it: a NUL within the name
	 * ends it early.  NULL where the name is too long to be a syscall's. */
	const char *cstr;
	unsigned int len; /* as written, decoded: 0 is the empty name runc refuses */
	unsigned int pos;
};

/* A rule kept on this host.  Its names each get a libseccomp rule per set,
 * the sets ORed: runc's reading of a rule that compares one argument twice,
 * whose conditions then each stand alone (SEMANTICS.md), and otherwise one
 * set of them all, none included. */
struct as_resolved_rule {
	uint32_t action;       /* libseccomp action, errno included */
	unsigned int index;    /* among the profile's rules */
	unsigned int pos;
	unsigned int first_name, name_count;
	unsigned int first_set, set_count;
	unsigned int condition_count;
};

/* Why a rule was left out on this host, for check's warnings: the
 * condition that decided, and the capability or architecture it names, as
 * written (in the profile's bytes, or decoded). */
struct as_resolved_drop {
	unsigned int index; /* among the profile's rules */
	unsigned int pos;
	enum {
		AS_DROP_EXCLUDED_ARCH,    /* excludes.arches names this host's */
		AS_DROP_EXCLUDED_CAP,     /* excludes.caps names one held */
		AS_DROP_EXCLUDED_KERNEL,  /* excludes.minKernel: this kernel is as new */
		AS_DROP_NOT_INCLUDED_ARCH, /* includes.arches does not name this host's */
		AS_DROP_NOT_INCLUDED_CAP, /* includes.caps names one not held */
		AS_DROP_NOT_INCLUDED_KERNEL, /* includes.minKernel: this kernel is older */
	} why;
	const char *name; /* the capability; NULL for the others */
	unsigned int name_len;
};

struct as_resolved {
	uint32_t default_action; /* libseccomp action, errno included */
	unsigned int default_pos;
	uint32_t arches[AS_RESOLVED_MAX_ARCHES];
	unsigned int arch_count;
	uint32_t flags; /* SECCOMP_FILTER_FLAG_*, TSYNC excluded */
	/* Where the listener goes, when a kept rule answers SCMP_ACT_NOTIFY
	 * (flags then has NEW_LISTENER; bounded as program.h's as_listener):
	 * decoded, in the profile's memory.  NULL otherwise. */
	const char *listener_path, *listener_metadata;
	unsigned int listener_path_len, listener_metadata_len;
	unsigned int rule_count, name_count, set_count, condition_count, drop_count;
	size_t text_len;
	/* In the profile's order; mapped memory untouched past what the profile uses. */
	struct as_resolved_rule rules[AS_RESOLVED_MAX_RULES];
	struct as_resolved_name names[AS_RESOLVED_MAX_NAMES];
	struct as_resolved_set sets[AS_RESOLVED_MAX_RULES + AS_RESOLVED_MAX_CONDITIONS];
	struct as_resolved_condition conditions[AS_RESOLVED_MAX_CONDITIONS];
	char text[AS_RESOLVED_MAX_NAMES * AS_RESOLVED_NAME_SIZE];
	struct as_resolved_drop drops[AS_RESOLVED_MAX_RULES];
};

struct as_profile;

/* Apply HOST to PROFILE.  On error RET is left partly written. */
int as_resolve(const struct as_profile *profile, const struct as_host *host, struct as_resolved *ret,
	       struct as_error *err);

#endif
