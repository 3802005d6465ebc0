/* FNV-1a, 64 bits: a fast checksum for telling data apart, where no one is
 * trying to make two inputs collide (the marker, the cache's damage check).
 * Keys an adversary could aim at use SHA-256 instead. */
#ifndef AS_FNV_H
#define AS_FNV_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t as_fnv1a64(const void *data, size_t len)
{
	const unsigned char *bytes = data;
	uint64_t hash = 0xcbf29ce484222325u;

	for (size_t i = 0; i < len; i++)
		hash = (hash ^ bytes[i]) * 0x100000001b3u;
	return hash;
}

#endif
