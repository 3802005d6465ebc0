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

/* What an entry is for: the profile's bytes and everything its program
 * depends on (capabilities, kernel, architecture, the library's version and
 * build, libseccomp's version), hashed. */
struct as_cache_key {
	unsigned char digest[AS_SHA256_SIZE];
};

/* SOURCE's key on HOST; false when its bytes cannot all be read, which
 * leaves no key to look up or store under.  A file not read yet is read
 * where it is, through a page-sized buffer. */
bool as_cache_key_of(const struct as_source *source, const struct as_host *host, struct as_cache_key *ret);

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
 * - The owner is that of the open profile (fstat), not of a path read again.
 * - A directory must be the required owner's and writable by no one else,
 *   so no one else can add, rename or hard-link anything into it (one
 *   swapped in by whoever owns its parent must pass the same check); an entry
 *   must be that owner's too, a regular file, opened without following a
 *   link.  A file of root's that is not an entry fails the magic, key and
 *   checksum checks; an entry of root's moved or linked elsewhere carries
 *   its own key, and root's entries are only ever root's own compiles.
 * - Secure-execution processes, and AUTOSECCOMP_CACHE=off, use no cache. */
struct as_cache {
	int dir;           /* -1 when there is no usable cache */
	uid_t owner;       /* of the directory and of every entry trusted in it */
	mode_t entry_mode; /* of the entries this process stores; 0: it stores none */
	union as_cache_entry *entry; /* the caller's, to read and build entries in */
};

#define AS_CACHE_NONE ((struct as_cache){.dir = -1})

/* The cache that may serve SOURCE (a file, open), its directory opened and
 * checked, working in BUFFER; one with no directory (dir -1) when there is
 * none (turned off, no home, a directory that fails a check,
 * secure-execution mode). */
struct as_cache as_cache_open(const struct as_source *source, union as_cache_entry *buffer);

/* Root's system cache, whatever this process's own cache would be, to fill
 * for other users' starts (autoseccomp compile --install); none for anyone
 * but root. */
struct as_cache as_cache_open_system(const struct as_source *source, union as_cache_entry *buffer);

void as_cache_close(struct as_cache *cache);

#define _cleanup_cache_ __attribute__((cleanup(as_cache_close)))

/* The program stored under KEY, if there is one that passes every check,
 * in place in the cache's entry buffer: valid until the next load or store. */
bool as_cache_load(const struct as_cache *cache, const struct as_cache_key *key, struct as_program *ret);

/* Store BPF under KEY, atomically, where this process may: 0, or a negative
 * errno (-EPERM where it may not store), which a start ignores. */
int as_cache_store(const struct as_cache *cache, const struct as_cache_key *key, const struct as_bpf *bpf);

#endif
