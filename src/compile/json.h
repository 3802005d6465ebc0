/* Stage 2: JSON tokens.  jsmn splits the profile into tokens that point into
 * its bytes; the caller owns the token array. */
#ifndef AS_JSON_H
#define AS_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* A profile needing more tokens is refused: Docker's default needs about 500. */
#define AS_JSON_MAX_TOKENS 16384

enum as_token_type {
	AS_TOKEN_UNDEFINED = 0,
	AS_TOKEN_OBJECT = 1,
	AS_TOKEN_ARRAY = 2,
	AS_TOKEN_STRING = 3,
	AS_TOKEN_PRIMITIVE = 4, /* number, true, false or null */
};

/* Laid out as jsmn's token, which json.c checks at compile time. */
struct as_token {
	enum as_token_type type;
	int start; /* byte offset of the first byte (inside the quotes of a string) */
	int end;   /* byte offset after the last byte */
	int size;  /* children: members of an object, elements of an array, 1 for a key */
};

struct as_json {
	const char *text;
	size_t len;
	const struct as_token *tokens;
	unsigned int count;
};

/* Check that TEXT is one JSON value (RFC 8259, as Go's decoder reads it,
 * nothing but white space after it, at most 10,000 levels deep), then split
 * it into at most CAPACITY tokens in TOKENS.  RET is written only on
 * success; an error points at the offending byte. */
int as_json_parse(const char *text, size_t len, struct as_token *tokens, unsigned int capacity,
		  struct as_json *ret, struct as_error *err);

/* The index of the token after TOKEN and everything nested in it. */
unsigned int as_json_skip(const struct as_json *json, unsigned int token);

/* Whether a string token's LEN bytes at RAW mean themselves: no escape, no
 * byte outside ASCII. */
bool as_json_string_is_plain(const char *raw, size_t len);

/* The characters a string token's bytes stand for, as Go's decoder reads
 * them: escapes decoded, a surrogate pair joined into one character, a lone
 * surrogate and each byte of malformed UTF-8 replaced by U+FFFD.  Writes at
 * most CAP bytes to OUT and returns the decoded length, which is more than
 * CAP when it did not fit and never more than 3 * LEN. */
size_t as_json_unescape(const char *raw, size_t len, char *out, size_t cap);

/* The inside of a JSON string that decodes to the LEN bytes at S, which
 * must be UTF-8 (a decoded string is): a quote, a backslash and the
 * control characters escaped, every other byte as it is.  Writes at most CAP
 * bytes to OUT and returns the escaped length, as as_json_unescape does. */
size_t as_json_escape(const char *s, size_t len, char *out, size_t cap);

#endif
