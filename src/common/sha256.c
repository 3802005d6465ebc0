#include "sha256.h"

#include <string.h>

/* AS_SHA256_PORTABLE builds only the portable code, so the tests can hold
 * both to the same answers. */
#if defined(__x86_64__) && !defined(AS_SHA256_PORTABLE) && __has_include(<sys/platform/x86.h>)
#define AS_SHA256_SHA_NI 1
#include <immintrin.h>
#include <sys/platform/x86.h>
#else
#define AS_SHA256_SHA_NI 0
#endif

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

static void compress_block(uint32_t state[8], const unsigned char block[64])
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

static void compress_portable(uint32_t state[8], const unsigned char *blocks, size_t count)
{
	for (; count > 0; count--, blocks += 64)
		compress_block(state, blocks);
}

#if AS_SHA256_SHA_NI
/* The x86 SHA extensions: two rounds per instruction, the state held as
 * ABEF and CDGH in two vectors.  Hashing Docker's 20 KB profile is the
 * cached start-up's largest cost after the kernel's: they cut it from 70 us
 * to 14 here. */
__attribute__((target("sha,sse4.1,ssse3"))) static void compress_sha_ni(uint32_t state[8],
									  const unsigned char *blocks, size_t count)
{
	const __m128i big_endian = _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
	__m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
	__m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
	__m128i cdab = _mm_shuffle_epi32(dcba, 0xb1), efgh = _mm_shuffle_epi32(hgfe, 0x1b);
	__m128i abef = _mm_alignr_epi8(cdab, efgh, 8), cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);

	for (; count > 0; count--, blocks += 64) {
		__m128i abef_in = abef, cdgh_in = cdgh, w[4];

		for (int i = 0; i < 4; i++)
			w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 16 * i)), big_endian);
		/* Sixteen groups of four rounds; w[g % 4] holds the group's words,
		 * and is refilled with those of group g + 4 once used. */
		for (int g = 0; g < 16; g++) {
			__m128i wk = _mm_add_epi32(w[g % 4], _mm_loadu_si128((const __m128i *)&round_constants[4 * g]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));
			if (g < 12) {
				__m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(w[g % 4], w[(g + 1) % 4]),
							  _mm_alignr_epi8(w[(g + 3) % 4], w[(g + 2) % 4], 4));
				w[g % 4] = _mm_sha256msg2_epu32(t, w[(g + 3) % 4]);
			}
		}
		abef = _mm_add_epi32(abef, abef_in);
		cdgh = _mm_add_epi32(cdgh, cdgh_in);
	}
	__m128i feba = _mm_shuffle_epi32(abef, 0x1b), dchg = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xf0));
	_mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}
#endif

/* glibc has read the CPU's features already; asking it costs no cpuid,
 * which a virtual machine traps at some microseconds a time. */
bool as_sha256_accelerated(void)
{
#if AS_SHA256_SHA_NI
	return CPU_FEATURE_ACTIVE(SHA) && CPU_FEATURE_ACTIVE(SSE4_1) && CPU_FEATURE_ACTIVE(SSSE3);
#else
	return false;
#endif
}

static void (*compressor(void))(uint32_t *, const unsigned char *, size_t)
{
#if AS_SHA256_SHA_NI
	if (as_sha256_accelerated())
		return compress_sha_ni;
#endif
	return compress_portable;
}

void as_sha256_init(struct as_sha256 *ctx)
{
	memcpy(ctx->state, initial_state, sizeof(initial_state));
	ctx->compress = compressor();
	ctx->length = 0;
	ctx->used = 0;
}

void as_sha256_update(struct as_sha256 *ctx, const void *data, size_t len)
{
	const unsigned char *bytes = data;

	ctx->length += len;
	if (ctx->used == 0 && len >= sizeof(ctx->block)) {
		size_t blocks = len / sizeof(ctx->block);
		ctx->compress(ctx->state, bytes, blocks);
		bytes += blocks * sizeof(ctx->block);
		len -= blocks * sizeof(ctx->block);
	}
	while (len > 0) {
		size_t n = sizeof(ctx->block) - ctx->used < len ? sizeof(ctx->block) - ctx->used : len;
		memcpy(ctx->block + ctx->used, bytes, n);
		ctx->used += n;
		bytes += n;
		len -= n;
		if (ctx->used == sizeof(ctx->block)) {
			ctx->compress(ctx->state, ctx->block, 1);
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
