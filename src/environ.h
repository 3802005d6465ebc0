/* What a process that installed a filter leaves in its environment for its
 * children, which inherit it with the filter: the marker, and a relative
 * SECCOMP_PROFILE made absolute.  Written without the heap, before main. */
#ifndef AS_ENVIRON_H
#define AS_ENVIRON_H

#include <stdbool.h>

#include "probe.h"

/* The variable that tells a child which program its parent installed: a
 * hint of what to ask the kernel (probe.h), never a proof. */
#define AS_MARKER_VARIABLE "AUTOSECCOMP_FILTER"

#define AS_PROFILE_VARIABLE "SECCOMP_PROFILE"

/* One change to environ, to undo if the filter is not installed after all. */
struct as_environ_change {
	char **array; /* environ before the change */
	char **slot;  /* the entry replaced, if one was */
	char *entry;  /* what it held */
	char *added;  /* the entry added, if none was replaced */
};

/* Whether the inherited marker names PROBE's answers. */
bool as_environ_marker_is(const struct as_probe *probe);

/* Set the marker to PROBE's answers.  Fails, with errno, only where the
 * environment is too long for the memory set aside for it. */
int as_environ_set_marker(const struct as_probe *probe, struct as_environ_change *ret);

/* Put CHANGE back as it was. */
void as_environ_undo(const struct as_environ_change *change);

/* The entry that makes SECCOMP_PROFILE the absolute path of RELATIVE, joined
 * to the working directory now, to put in the environment later with
 * as_environ_set_profile.  Fails with -ENAMETOOLONG, or getcwd's error. */
int as_environ_absolute_profile(const char *relative);

/* Put the entry as_environ_absolute_profile made in place of SECCOMP_PROFILE. */
void as_environ_set_profile(void);

#endif
