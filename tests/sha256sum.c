/* Prints the SHA-256 of standard input, fed in chunks of argv[1] bytes, so
 * the tests can hold the in-tree hash to Python's; on standard error, which
 * code computed it. */
#include <stdio.h>
#include <stdlib.h>

#include "sha256.h"

int main(int argc, char **argv)
{
	static unsigned char data[1 << 22];
	size_t len = fread(data, 1, sizeof(data), stdin), step = argc > 1 ? strtoul(argv[1], NULL, 0) : len;
	unsigned char digest[AS_SHA256_SIZE];
	struct as_sha256 ctx;

	as_sha256_init(&ctx);
	for (size_t i = 0; i < len; i += step ? step : 1)
		as_sha256_update(&ctx, data + i, len - i < step ? len - i : step);
	as_sha256_final(&ctx, digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		printf("%02x", digest[i]);
	printf("\n");
	fprintf(stderr, "%s\n", as_sha256_accelerated() ? "sha-ni" : "portable");
	return 0;
}
