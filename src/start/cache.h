/* The cache of compiled profiles: a later start of the same profile, on the
 * same host state, reads its program instead of compiling it.  A cache can
 * never weaken a filter: any doubt about an entry means compiling afresh. */
#ifndef AS_CACHE_H
#define AS_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "host.h"
#include "program.h"
#include "sha256.h"
#include "source.h"

/* What an entry is for, hashed: the profile, and everything its program
 * depends on besides (capabilities, kernel, architecture, the library's
 * version and build, libseccomp's version and the file it is loaded from).
 * The profile is named by its
 * bytes, or by the file's status (which file, its size, when it last
 * changed) where that tells its versions apart; a start that finds its
 * entry so reads none of the file. */
struct as_cache_key {
	unsigned char digest[AS_SHA256_SIZE];
};

/* An entry as stored: a header, the program, and a checksum of both.
 * Declared here only so that a caller can own the memory one is read into
 * or built in (loads and stores are serialised by the caller); its layout
 * is cache.c's. */
struct as_cache_entry_header {
	char magic[8];
	unsigned char key[AS_SHA256_SIZE];
	uint32_t flags, stub_len, len;
	uint32_t listener_size; /* of the listener's bytes after the program; 0 without one */
};

union as_cache_entry {
	unsigned char bytes[sizeof(struct as_cache_entry_header) + BPF_MAXINSNS * sizeof(struct sock_filter) +
			    sizeof(struct as_listener) + sizeof(uint64_t)];
	struct as_cache_entry_header header;
};

/* Room for the entry of a program of up to some 500 instructions (Docker's
 * profile compiles to 350 at most), which a start keeps on its stack, near
 * its top: there it lands in pages the process has touched already, where
 * reading it into fresh memory costs a page fault, on a virtual machine
 * as much as several system calls. */
union as_cache_near_entry {
	unsigned char bytes[4096];
	struct as_cache_entry_header header;
};

/* Who may write an entry decides whether a start may trust it: an entry
 * is trusted only where its writer could have changed the profile anyway.
 *
 * - Root (euid 0) trusts only root's directory and entries:
 *   $XDG_CACHE_HOME/autoseccomp where it is set, else the system directory
 *   (AS_SYSTEM_CACHE_DIR, the Makefile's CACHEDIR); never $HOME, which sudo
 *   may leave pointing at another user's.
 * - Another user trusts their own directory ($XDG_CACHE_HOME or
 *   $HOME/.cache) only for a profile they own: anything running as them,
 *   a confined program too, could rewrite that profile, so an entry it
 *   forges gains it nothing.  For a profile owned by anyone else only the
 *   system directory is read, and nothing is stored.
 * - Either's own directory serves a profile only where the kernel says
 *   this process could write the file (faccessat): not one that is
 *   immutable or on a read-only mount, which its owner cannot change, nor,
 *   in a user namespace, a file of a user the namespace does not map, which
 *   shows as the overflow uid, and whose root is no real root.  Root then
 *   uses the system directory, another user reads only that.
 * - The owner is that of the file the path names, and must still be once
 *   the file is opened, for a start that reads it.
 * - A directory must be the required owner's and writable by no one else,
 *   so no one else can add, rename or hard-link anything into it (one
 *   swapped in by whoever owns its parent must pass the same check); an entry
 *   must be that owner's too, a regular file, opened without following a
 *   link.  A file of root's that is not an entry fails the magic, key and
 *   checksum checks; an entry of root's moved or linked elsewhere carries
 *   its own key, and root's entries are only ever root's own compiles.
 * - A program is stored under the file's status only where the file last
 *   changed seconds before it was opened (a write then gets a status of its
 *   own), on a filesystem that keeps times finer than a millisecond; it is
 *   looked up only by a status asked of the filesystem itself (source.h).  The
 *   limits, as for make and git: a file written through a shared mapping may
 *   change without its times changing until the page is written back, and
 *   a write that stalls for seconds had its times set when it began; both
 *   take a writer of the profile, and leave a program compiled from an
 *   earlier version of it.  A filesystem written elsewhere, mounted at a
 *   device number another had, may carry any times (src/README.md).
 * - Secure-execution processes, and AUTOSECCOMP_CACHE=off, use no cache. */
struct as_cache {
	const char *base, *tail; /* the directory's path, in two parts; base NULL: no usable cache */
	uid_t owner;        /* of the directory and of every entry trusted in it */
	uid_t profile_owner; /* of the file the cache was chosen for */
	struct stat library; /* of the libseccomp that compiles, in every key (libseccomp.h) */
	mode_t dir_mode;    /* to make the directory with; 0: it is not made */
	mode_t entry_mode;  /* of the entries this process stores; 0: it stores none */
	int dir_checked;    /* 0 until looked at, then 1 where loads may read it, -1 where not */
	union as_cache_near_entry *near; /* the caller's, to read entries that fit in; may be NULL */
	union as_cache_entry *entry;      /* the caller's, to read the larger entries and build entries in;
					   * may be NULL until a load is too large for NEAR or a store */
	bool too_large;                   /* a load found an entry larger than NEAR, and no ENTRY */
};

/* The cache that may serve SOURCE (a file, not yet open), working in NEAR
 * and BUFFER; one with no directory (base NULL) when there is none (turned
 * off, no home, secure-execution mode).  Nothing is opened yet. */
void as_cache_open(struct as_cache *cache, const struct as_source *source, union as_cache_near_entry *near,
		   union as_cache_entry *buffer);

/* Root's system cache, whatever this process's own cache would be, to fill
 * for other users' starts (autoseccomp compile --install); none for anyone
 * but root. */
void as_cache_open_system(struct as_cache *cache, const struct as_source *source, union as_cache_entry *buffer);

/* The program for SOURCE on HOST, if the cache holds one that passes every
 * check, in place in one of the cache's buffers (valid until the next load
 * or store): looked up by the file's status, then, where it is not found
 * so, by the file's bytes, which opens SOURCE (as_source_read_open).  Where
 * an entry was found too large for the buffers given, too_large is set, and
 * a load again with the large buffer finds it. */
bool as_cache_load(struct as_cache *cache, struct as_source *source, const struct as_host *host,
		   struct as_program *ret);

/* Store BPF, compiled from SOURCE (its bytes read) on HOST, atomically,
 * where this process may: 0, or a negative errno (-EPERM where it may
 * not store), which a start ignores. */
int as_cache_store(const struct as_cache *cache, const struct as_source *source, const struct as_host *host,
		   const struct as_bpf *bpf);

#endif
