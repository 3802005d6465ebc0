/* autoseccomp: confine a program with a Docker-format seccomp profile.
 *
 * Preloaded (LD_PRELOAD=libautoseccomp.so) or linked in (libautoseccomp.a), the
 * library installs a filter before main runs, chosen by SECCOMP_PROFILE:
 * unset, empty or "builtin" for the built-in profile, "unconfined" for none, any
 * other value for the path of a Docker-format JSON profile.  Any failure prints
 * one line on stderr and exits with status AUTOSECCOMP_EXIT_FAILURE. */
#ifndef AUTOSECCOMP_H
#define AUTOSECCOMP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The exit status of a process whose filter could not be installed. */
#define AUTOSECCOMP_EXIT_FAILURE 125

/* The layout version of struct autoseccomp_embedded_profile. */
#define AUTOSECCOMP_EMBED_ABI 1

/* With this flag the embedded profile is always applied: SECCOMP_PROFILE is
 * ignored, so the environment can neither replace nor disable it. */
#define AUTOSECCOMP_EMBED_LOCKED 0x1u

/* A profile that a program links in to replace the built-in one.  Define it
 * with AUTOSECCOMP_EMBED_PROFILE; do not fill it by hand. */
struct autoseccomp_embedded_profile {
	unsigned int abi;  /* AUTOSECCOMP_EMBED_ABI */
	unsigned int flags; /* 0 or AUTOSECCOMP_EMBED_LOCKED */
	const char *json;  /* the profile's bytes, in Docker's JSON format */
	size_t len;        /* their length */
};

/* The name the library looks for.  Only a program that links the constructor
 * in (libautoseccomp.a) can define it; a preloaded library does not see it. */
extern const struct autoseccomp_embedded_profile autoseccomp_embedded_profile;

/* A reference to the library from the program, at file scope: a link then
 * takes the constructor in, from the archive, or keeps the shared object
 * where the linker drops what nothing refers to (--as-needed).  Without one,
 * a program that only embeds a profile would link, and run without it. */
#define AUTOSECCOMP_LINK_CONSTRUCTOR                                              \
	__attribute__((used)) static const char *(*const autoseccomp_constructor_link_)(void) = \
		autoseccomp_version

/* Replace the built-in profile with JSON_LITERAL, a string literal holding a
 * Docker-format profile; FLAGS is 0 or AUTOSECCOMP_EMBED_LOCKED.  Use once, at
 * file scope, in a program linked with libautoseccomp.a; it links the
 * constructor in (AUTOSECCOMP_LINK_CONSTRUCTOR). */
#define AUTOSECCOMP_EMBED_PROFILE(json_literal, embed_flags)                  \
	const struct autoseccomp_embedded_profile autoseccomp_embedded_profile = { \
		AUTOSECCOMP_EMBED_ABI, (embed_flags), (json_literal),               \
		sizeof(json_literal) - 1};                                          \
	AUTOSECCOMP_LINK_CONSTRUCTOR

/**
 * autoseccomp_apply - install a seccomp filter in the calling process
 * @profile: what to install, as SECCOMP_PROFILE names it: NULL, "" or
 *           "builtin" for the built-in profile, "unconfined" for nothing, any
 *           other string for the path of a Docker-format JSON profile
 * @errbuf:  where the one-line message of a failure is written, NUL-terminated
 *           and truncated to @errlen bytes; may be NULL when @errlen is 0
 * @errlen:  the size of @errbuf
 *
 * Parses and compiles the profile as Docker and runc would, sets no_new_privs
 * unless the caller holds CAP_SYS_ADMIN, and installs the filter on every
 * thread of the process.  Nothing is installed when the same filter is already
 * in force (the library's constructor and an inherited environment do that).
 *
 * Returns 0 when the filter is in force, or when @profile is "unconfined";
 * -EINVAL for a profile that cannot be parsed or compiled; -ENOENT, -EACCES,
 * -EISDIR or -EFBIG for a profile file that cannot be read; -E2BIG for a
 * profile or filter over the library's limits; -EBUSY when another thread is
 * applying a filter at the same time, or when a filter in force already has a
 * seccomp agent's listener; -EPERM, -ESRCH or -ENOSYS when the kernel refuses
 * the filter (-EPERM too where a filter in force answered seccomp(2) in the
 * kernel's place: the library asks the kernel after each install);
 * -ECONNREFUSED when a profile's SCMP_ACT_NOTIFY agent cannot be
 * reached, or did not take the listener.  On failure nothing has been
 * installed, except in that last case (autoseccomp_apply(3)).
 */
int autoseccomp_apply(const char *profile, char *errbuf, size_t errlen);

/**
 * autoseccomp_version - the library's version
 *
 * Returns a static string such as "0.1.0".
 */
const char *autoseccomp_version(void);

#ifdef __cplusplus
}
#endif

#endif
