#include "sha256.h"

#include <string.h>

/* The first 32 bits of the fractional parts of the cube roots of the first
 * 64 primes, and of the square roots of the first 8 (FIPS 180-4, 4.2.2 and 5.3.3). */
static const uint32_t round_constants[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t initial_state[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static uint32_t rotate_right(uint32_t x, unsigned int n)
{
	return x >> n | x << (32 - n);
}

#define BIG_SIGMA0(x) (rotate_right(x, 2) ^ rotate_right(x, 13) ^ rotate_right(x, 22))
#define BIG_SIGMA1(x) (rotate_right(x, 6) ^ rotate_right(x, 11) ^ rotate_right(x, 25))
#define SMALL_SIGMA0(x) (rotate_right(x, 7) ^ rotate_right(x, 18) ^ ((x) >> 3))
#define SMALL_SIGMA1(x) (rotate_right(x, 17) ^ rotate_right(x, 19) ^ ((x) >> 10))

static void compress(uint32_t state[8], const unsigned char block[64])
{
	uint32_t w[64], a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5],
			g = state[6], h = state[7];

	for (unsigned int t = 0; t < 16; t++)
		w[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 | (uint32_t)block[4 * t + 2] << 8 |
		       block[4 * t + 3];
	for (unsigned int t = 16; t < 64; t++)
		w[t] = w[t - 16] + SMALL_SIGMA0(w[t - 15]) + w[t - 7] + SMALL_SIGMA1(w[t - 2]);
	for (unsigned int t = 0; t < 64; t++) {
		uint32_t t1 = h + BIG_SIGMA1(e) + ((e & f) ^ (~e & g)) + round_constants[t] + w[t];
		uint32_t t2 = BIG_SIGMA0(a) + ((a & b) ^ (a & c) ^ (b & c));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
	state[4] += e;
	state[5] += f;
	state[6] += g;
	state[7] += h;
}

void as_sha256_init(struct as_sha256 *ctx)
{
	memcpy(ctx->state, initial_state, sizeof(initial_state));
	ctx->length = 0;
	ctx->used = 0;
}

void as_sha256_update(struct as_sha256 *ctx, const void *data, size_t len)
{
	const unsigned char *bytes = data;

	ctx->length += len;
	while (ctx->used == 0 && len >= sizeof(ctx->block)) {
		compress(ctx->state, bytes);
		bytes += sizeof(ctx->block);
		len -= sizeof(ctx->block);
	}
	while (len > 0) {
		size_t n = sizeof(ctx->block) - ctx->used < len ? sizeof(ctx->block) - ctx->used : len;
		memcpy(ctx->block + ctx->used, bytes, n);
		ctx->used += n;
		bytes += n;
		len -= n;
		if (ctx->used == sizeof(ctx->block)) {
			compress(ctx->state, ctx->block);
			ctx->used = 0;
		}
	}
}

void as_sha256_final(struct as_sha256 *ctx, unsigned char digest[AS_SHA256_SIZE])
{
	uint64_t bits = ctx->length * 8;
	unsigned char pad = 0x80, length[8];

	/* A one bit, zeros up to 56 bytes into a block, then the length in bits. */
	as_sha256_update(ctx, &pad, 1);
	pad = 0;
	while (ctx->used != 56)
		as_sha256_update(ctx, &pad, 1);
	for (unsigned int i = 0; i < 8; i++)
		length[i] = (unsigned char)(bits >> (56 - 8 * i));
	as_sha256_update(ctx, length, 8);
	for (unsigned int i = 0; i < 8; i++) {
		digest[4 * i] = (unsigned char)(ctx->state[i] >> 24);
		digest[4 * i + 1] = (unsigned char)(ctx->state[i] >> 16);
		digest[4 * i + 2] = (unsigned char)(ctx->state[i] >> 8);
		digest[4 * i + 3] = (unsigned char)ctx->state[i];
	}
}
