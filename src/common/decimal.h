/* Plain decimals, as a profile writes numbers in names and as the kernel
 * writes its release: no sign, no spaces, no other base. */
#ifndef AS_DECIMAL_H
#define AS_DECIMAL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

/* A plain decimal of LEN digits, at most MAX: -EINVAL for anything but
 * digits (or none), -ERANGE above MAX. */
static inline int as_parse_decimal(const char *s, size_t len, uint64_t max, uint64_t *ret)
{
	uint64_t value = 0;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned int digit = (unsigned int)(s[i] - '0');
		if (digit > 9)
			return -EINVAL;
		if (value > (max - digit) / 10)
			return -ERANGE;
		value = value * 10 + digit;
	}
	*ret = value;
	return 0;
}

/* VALUE in plain decimal at BUF, without stdio, whose first use faults in
 * pages of the C library's code; returns the end, not terminated.  BUF
 * holds 20 digits at most. */
static inline char *as_format_decimal(uint64_t value, char *buf)
{
	char digits[20];
	size_t len = 0;

	do
		digits[len++] = (char)('0' + value % 10);
	while ((value /= 10) != 0);
	while (len > 0)
		*buf++ = digits[--len];
	return buf;
}

#endif
