/* Lowercase hexadecimal of a fixed width, without stdio: the start-up path
 * formats with it, and the cache names its entries with it. */
#ifndef AS_HEX_H
#define AS_HEX_H

#include <stdint.h>

/* Writes the low 4 * DIGITS bits of VALUE to OUT, no terminator; returns
 * the end. */
static inline char *as_hex(uint64_t value, unsigned int digits, char *out)
{
	for (unsigned int i = digits; i-- > 0; value >>= 4)
		out[i] = "0123456789abcdef"[value & 15];
	return out + digits;
}

#endif
