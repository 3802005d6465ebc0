/* The cache of compiled profiles: a later start of the same profile, on the
 * same host state, reads its program instead of compiling it.  A cache can
 * never weaken a filter: any doubt about an entry means compiling afresh. */
#ifndef AS_CACHE_H
#define AS_CACHE_H

#include <stdbool.h>

#include "bpf.h"
#include "resolve.h"
#include "sha256.h"
#include "source.h"

/* What an entry is for: the profile's bytes and everything its program
 * depends on (capabilities, kernel, architecture, library and libseccomp
 * versions), hashed. */
struct as_cache_key {
	unsigned char digest[AS_SHA256_SIZE];
};

/* SOURCE's key on HOST; false when its bytes cannot all be read, which
 * leaves no key to look up or store under.  A file not read yet is read
 * where it is, through a page-sized buffer. */
bool as_cache_key_of(const struct as_source *source, const struct as_host *host, struct as_cache_key *ret);

/* The cache directory, opened and checked: owned by this user, writable by
 * no one else.  Returns a descriptor, or -1 when there is no usable cache
 * (turned off with AUTOSECCOMP_CACHE=off, no home, a directory that fails a
 * check, secure-execution mode). */
int as_cache_open(void);

/* The program stored under KEY, if there is one that passes every check,
 * in place in the cache's buffer: valid until the next load or store. */
bool as_cache_load(int dir, const struct as_cache_key *key, struct as_program *ret);

/* Store BPF under KEY, atomically; failures are ignored. */
void as_cache_store(int dir, const struct as_cache_key *key, const struct as_bpf *bpf);

#endif
