/* Errors as values: a code, the byte in the profile that caused it, and a
 * message in a fixed buffer, so that failing closed needs no heap.  A stage
 * sets one; the driver that knows which profile it was reading locates it;
 * the top formats it, once. */
#ifndef AS_ERROR_H
#define AS_ERROR_H

#include <stddef.h>

#define AS_NO_POSITION ((size_t)-1)

struct as_error {
	int code;           /* negative errno */
	size_t offset;      /* byte offset in the profile, or AS_NO_POSITION */
	const char *source; /* what messages call the profile; NULL until located */
	const char *text;   /* the profile's bytes, to turn OFFSET into a line; NULL when gone */
	size_t text_len;
	char message[512];
};

/* Fill ERR and return CODE (a negative errno), so that creating and returning
 * an error is one statement. */
__attribute__((format(printf, 4, 5))) int as_error_set(struct as_error *err, int code, size_t offset,
						       const char *fmt, ...);

/* The 1-based line and column of byte OFFSET of TEXT. */
void as_error_position(const char *text, size_t text_len, size_t offset, size_t *line, size_t *column);

/* Name the profile ERR is about: SOURCE, whose bytes are TEXT (NULL when
 * they are not at hand).  Both must outlive ERR. */
void as_error_locate(struct as_error *err, const char *source, const char *text, size_t text_len);

/* Write "autoseccomp: SOURCE[:LINE:COL]: MESSAGE" into BUF, turning the offset
 * into a line and column of the located text. */
void as_error_format(const struct as_error *err, char *buf, size_t buf_len);

#endif
