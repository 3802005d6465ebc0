/* Stage 1: where the profile comes from (SECCOMP_PROFILE, the built-in
 * profile, a file) and its bytes, read without the heap.  A source is closed
 * with as_source_close whatever its kind, once it has been initialised with
 * AS_SOURCE_NAMED or opened. */
#ifndef AS_SOURCE_H
#define AS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "error.h"

/* Larger files are refused rather than parsed: Docker's own profile is 20 KiB. */
#define AS_SOURCE_MAX_BYTES (1024 * 1024)

enum as_source_kind {
	AS_SOURCE_UNCONFINED, /* install nothing */
	AS_SOURCE_BUILTIN,    /* compiled into the library or the program */
	AS_SOURCE_FILE,       /* a path */
};

struct as_source {
	enum as_source_kind kind;
	const char *name; /* for messages: the path, or "builtin" */
	const char *text; /* NULL for a file until as_source_text */
	size_t len;
	int fd; /* a file's once its bytes are needed (as_source_read_open); -1 before, and for the others */
	/* A file's status: from its path, then from the file opened.  And when
	 * it was opened, which is before any of its bytes were read: what the
	 * cache needs to tell whether the status names these bytes (cache.h). */
	struct stat st;
	bool st_synced; /* the path's status was asked of the filesystem, not of a client's cache of it */
	struct timespec opened_at;
};

/* The built-in profile: Docker's default, or the one a program embedded. */
struct as_builtin {
	const char *text;
	size_t len;
	bool precompiled; /* Docker's default, compiled at build time for common hosts */
};

/* The built-in profile: the one the program embedded, else Docker's default
 * compiled into the library (builtin.c).  *LOCKED, when not NULL, tells
 * whether the program locked it.  Fails, with ERR, for an embedded profile
 * of an unknown layout. */
int as_builtin_profile(struct as_builtin *ret, bool *locked, struct as_error *err);

/* Decide what SPEC (a SECCOMP_PROFILE value, NULL when unset) names: for
 * BUILTIN its bytes, for a path the file's status and size, refused when it
 * is not a regular file or has a size no profile has.  Nothing is opened:
 * a start that finds the file's program in the cache by its status reads
 * none of it.  RET is written only on success. */
int as_source_open(const char *spec, const struct as_builtin *builtin, struct as_source *ret,
		   struct as_error *err);

/* Open a file's bytes for reading, where they are not yet: the file must be
 * the one the path named when the source was opened.  Nothing to do for the
 * other kinds. */
int as_source_read_open(struct as_source *source, struct as_error *err);

/* A file's bytes, read into BUF, the caller's: a start that finds its
 * program in the cache by the bytes only hashes them (cache.h), through a
 * small buffer.  Opens the file where need be; nothing to do for the other
 * kinds. */
int as_source_text(struct as_source *source, char buf[AS_SOURCE_MAX_BYTES], struct as_error *err);

/* LEN bytes of SOURCE's file, opened, from OFFSET into BUF: 0, -errno, or
 * -EIO where the file ends before them. */
int as_source_pread(const struct as_source *source, void *buf, size_t len, size_t offset);

/* Read a profile from FD (standard input for the command-line tool) into
 * BUF, at most CAPACITY bytes; NAME is what messages call it. */
int as_source_read(int fd, const char *name, char *buf, size_t capacity, struct as_source *ret,
		   struct as_error *err);

/* A source that is not open yet, which messages call NAME. */
#define AS_SOURCE_NAMED(source_name) ((struct as_source){.name = (source_name), .fd = -1})

void as_source_close(struct as_source *source);

#endif
