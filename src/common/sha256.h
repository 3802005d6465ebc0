/* SHA-256 (FIPS 180-4), for the compiled-profile cache's keys and checksums. */
#ifndef AS_SHA256_H
#define AS_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AS_SHA256_SIZE 32

struct as_sha256 {
	void (*compress)(uint32_t state[8], const unsigned char *blocks, size_t count);
	uint32_t state[8];
	uint64_t length; /* bytes hashed so far */
	unsigned char block[64];
	size_t used;
};

/* Whether the CPU's SHA extensions do the hashing here. */
bool as_sha256_accelerated(void);

void as_sha256_init(struct as_sha256 *ctx);
void as_sha256_update(struct as_sha256 *ctx, const void *data, size_t len);
void as_sha256_final(struct as_sha256 *ctx, unsigned char digest[AS_SHA256_SIZE]);

#endif
