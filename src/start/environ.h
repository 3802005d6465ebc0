/* Changes to the environment a process leaves its children, which inherit
 * it with the filter: the marker (marker.h), and a relative SECCOMP_PROFILE
 * made absolute.  Written without the heap, before main. */
#ifndef AS_ENVIRON_H
#define AS_ENVIRON_H

#define AS_PROFILE_VARIABLE "SECCOMP_PROFILE"

/* Copies of environ's pointer array, for a variable that is new: setenv
 * would allocate.  The common size fits in less than a page beside the
 * marker's entry, so a driver that keeps them in initialised static storage
 * dirties no page of its own for them: that page is one the loader writes
 * at every start.  A longer environment goes to a larger copy in scratch
 * memory, mapped the first time one is needed; so does the absolute
 * profile's entry.  Owned by the driver, which serialises the calls. */
#define AS_ENVIRON_COMMON 440
#define AS_ENVIRON_MAX 8192

struct as_environ {
	char *environment[AS_ENVIRON_COMMON];
	char **long_environment;
	char *profile_entry; /* SECCOMP_PROFILE=, made absolute */
};

/* One change to environ, to undo if the filter is not installed after all. */
struct as_environ_change {
	char **array; /* environ before the change */
	char **slot;  /* the entry replaced, if one was */
	char *entry;  /* what it held */
	char *added;  /* the entry added, if none was replaced */
};

/* ENTRY, a "NAME=value" the caller keeps, in place of NAME's entry, or
 * added.  Fails, with errno, only where the environment is too long for the
 * memory set aside for it. */
int as_environ_put(struct as_environ *env, char *entry, struct as_environ_change *ret);

/* Put CHANGE back as it was. */
void as_environ_undo(const struct as_environ *env, const struct as_environ_change *change);

/* The entry that makes SECCOMP_PROFILE the absolute path of RELATIVE, joined
 * to the working directory now, to put in the environment later with
 * as_environ_set_profile.  Fails with -ENAMETOOLONG, or getcwd's error. */
int as_environ_absolute_profile(struct as_environ *env, const char *relative);

/* Put the entry as_environ_absolute_profile made in place of SECCOMP_PROFILE. */
void as_environ_set_profile(const struct as_environ *env);

#endif
