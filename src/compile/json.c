#include "json.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The whole parser lives in this file, static, so that no jsmn symbol can
 * clash with a host program's own copy. */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

/* jsmn writes tokens through its own type into the caller's as_token array. */
_Static_assert(sizeof(jsmntok_t) == sizeof(struct as_token), "token size");
_Static_assert(offsetof(jsmntok_t, start) == offsetof(struct as_token, start), "token start");
_Static_assert(offsetof(jsmntok_t, end) == offsetof(struct as_token, end), "token end");
_Static_assert(offsetof(jsmntok_t, size) == offsetof(struct as_token, size), "token size field");
_Static_assert((int)JSMN_STRING == (int)AS_TOKEN_STRING && (int)JSMN_PRIMITIVE == (int)AS_TOKEN_PRIMITIVE &&
		       (int)JSMN_OBJECT == (int)AS_TOKEN_OBJECT && (int)JSMN_ARRAY == (int)AS_TOKEN_ARRAY,
	       "token types");

/* Go's decoder refuses nesting deeper than this, and so Docker does. */
#define MAX_DEPTH 10000

/* jsmn checks neither the commas and colons between values nor what
 * follows the first one, so a grammar check of RFC 8259 runs first: with
 * it, "a":1 "b":2 is an error, not two members, and jsmn only splits text
 * known to be JSON.  One pass, no recursion: open containers are a stack
 * of bits, set for an object. */
struct grammar {
	const char *s;
	size_t len, i;
	unsigned int depth;
	unsigned char objects[MAX_DEPTH / 8 + 1];
	struct as_error *err;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A byte that would make the word before it a longer, malformed one. */
static bool continues_word(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '+' ||
	       c == '-' || c == '_';
}

static void skip_space(struct grammar *g)
{
	while (g->i < g->len && is_space(g->s[g->i]))
		g->i++;
}

static int fail(struct grammar *g, size_t at, const char *message)
{
	if (at >= g->len)
		return as_error_set(g->err, -EINVAL, g->len, "unexpected end of profile");
	return as_error_set(g->err, -EINVAL, at, "%s", message);
}

/* A word that is no JSON value, quoted whole in the message. */
static int bad_value(struct grammar *g, size_t start)
{
	size_t end = start;

	while (end < g->len && end - start < 32 && !is_space(g->s[end]) && strchr(",:]}\"", g->s[end]) == NULL)
		end++;
	if (end == g->len && end - start < 32)
		return fail(g, g->len, NULL);
	return as_error_set(g->err, -EINVAL, start, "invalid JSON value \"%.*s\"", (int)(end - start), g->s + start);
}

static int string(struct grammar *g)
{
	const char *s = g->s;

	for (g->i++; g->i < g->len; g->i++) {
		if (s[g->i] == '"') {
			g->i++;
			return 0;
		}
		if ((unsigned char)s[g->i] < 0x20)
			return fail(g, g->i, "control character in a JSON string");
		if (s[g->i] != '\\')
			continue;
		if (++g->i >= g->len)
			break;
		if (s[g->i] == 'u') {
			for (int k = 1; k <= 4; k++)
				if (g->i + k < g->len && !is_hex(s[g->i + k]))
					return fail(g, g->i - 1, "invalid \\u escape in a JSON string");
			g->i += 4;
		} else if (strchr("\"\\/bfnrt", s[g->i]) == NULL || s[g->i] == '\0') {
			return fail(g, g->i - 1, "invalid escape sequence in a JSON string");
		}
	}
	return fail(g, g->len, NULL);
}

static size_t digits(const struct grammar *g, size_t i)
{
	while (i < g->len && is_digit(g->s[i]))
		i++;
	return i;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, then a delimiter. */
static int number(struct grammar *g)
{
	size_t start = g->i, i = g->i, next;

	if (g->s[i] == '-')
		i++;
	if (i >= g->len || !is_digit(g->s[i]))
		return bad_value(g, start);
	i = g->s[i] == '0' ? i + 1 : digits(g, i);
	if (i < g->len && g->s[i] == '.') {
		next = digits(g, i + 1);
		if (next == i + 1)
			return bad_value(g, start);
		i = next;
	}
	if (i < g->len && (g->s[i] == 'e' || g->s[i] == 'E')) {
		i++;
		if (i < g->len && (g->s[i] == '+' || g->s[i] == '-'))
			i++;
		next = digits(g, i);
		if (next == i)
			return bad_value(g, start);
		i = next;
	}
	if (i < g->len && continues_word(g->s[i]))
		return bad_value(g, start);
	g->i = i;
	return 0;
}

static int literal(struct grammar *g)
{
	static const char *const words[] = {"true", "false", "null"};

	for (size_t k = 0; k < 3; k++) {
		size_t n = strlen(words[k]);
		size_t after = g->i + n;
		if (g->len - g->i >= n && memcmp(g->s + g->i, words[k], n) == 0 &&
		    (after == g->len || !continues_word(g->s[after]))) {
			g->i = after;
			return 0;
		}
	}
	return bad_value(g, g->i);
}

static int open_container(struct grammar *g, bool object)
{
	if (++g->depth > MAX_DEPTH)
		return as_error_set(g->err, -EINVAL, g->i, "nesting is deeper than %d levels", MAX_DEPTH);
	if (object)
		g->objects[g->depth / 8] |= (unsigned char)(1u << g->depth % 8);
	else
		g->objects[g->depth / 8] &= (unsigned char)~(1u << g->depth % 8);
	g->i++;
	return 0;
}

static bool in_object(const struct grammar *g)
{
	return g->objects[g->depth / 8] >> g->depth % 8 & 1;
}

/* A member's key and its colon; the value follows. */
static int key(struct grammar *g)
{
	int r;

	skip_space(g);
	if (g->i >= g->len || g->s[g->i] != '"')
		return fail(g, g->i, "invalid JSON: expected a string key");
	r = string(g);
	if (r < 0)
		return r;
	skip_space(g);
	if (g->i >= g->len || g->s[g->i] != ':')
		return fail(g, g->i, "invalid JSON: expected ':' after an object key");
	g->i++;
	return 0;
}

/* One value at the current byte, opening a container or reading a scalar;
 * sets *OPENED when the value continues in the container it opened. */
static int value(struct grammar *g, bool *opened)
{
	char c;
	int r;

	skip_space(g);
	*opened = false;
	if (g->i >= g->len)
		return fail(g, g->len, NULL);
	c = g->s[g->i];
	if (c == '{' || c == '[') {
		r = open_container(g, c == '{');
		if (r < 0)
			return r;
		skip_space(g);
		if (g->i < g->len && g->s[g->i] == (c == '{' ? '}' : ']')) {
			g->i++;
			g->depth--;
			return 0;
		}
		*opened = true;
		return c == '{' ? key(g) : 0;
	}
	if (c == '"')
		return string(g);
	if (c == '-' || is_digit(c))
		return number(g);
	if (c == 't' || c == 'f' || c == 'n')
		return literal(g);
	return fail(g, g->i, "invalid JSON: expected a value");
}

/* After a value inside a container: a comma and the next one, or the
 * container's end.  Returns 1 when a value follows. */
static int next(struct grammar *g)
{
	char close = in_object(g) ? '}' : ']';
	size_t comma;
	int r;

	skip_space(g);
	if (g->i < g->len && g->s[g->i] == close) {
		g->i++;
		g->depth--;
		return 0;
	}
	if (g->i >= g->len || g->s[g->i] != ',')
		return fail(g, g->i, in_object(g) ? "invalid JSON: expected ',' or '}' after an object member"
						  : "invalid JSON: expected ',' or ']' after an array element");
	comma = g->i++;
	skip_space(g);
	if (g->i < g->len && g->s[g->i] == close)
		return fail(g, comma, "invalid JSON: trailing comma");
	if (in_object(g)) {
		r = key(g);
		if (r < 0)
			return r;
	}
	return 1;
}

static int check_grammar(const char *text, size_t len, struct as_error *err)
{
	struct grammar g = {.s = text, .len = len, .err = err};
	bool opened;
	int r;

	skip_space(&g);
	if (g.i == len)
		return as_error_set(err, -EINVAL, 0, "profile is empty");
	r = value(&g, &opened);
	while (r >= 0 && g.depth > 0) {
		r = opened ? 1 : next(&g);
		if (r > 0)
			r = value(&g, &opened);
	}
	if (r < 0)
		return r;
	skip_space(&g);
	if (g.i < len)
		return as_error_set(err, -EINVAL, g.i, "unexpected data after the profile");
	return 0;
}

int as_json_parse(const char *text, size_t len, struct as_token *tokens, unsigned int capacity,
		  struct as_json *ret, struct as_error *err)
{
	jsmn_parser parser;
	int n;

	if (check_grammar(text, len, err) < 0)
		return err->code;
	jsmn_init(&parser);
	n = jsmn_parse(&parser, text, len, (jsmntok_t *)tokens, capacity);
	if (n == JSMN_ERROR_NOMEM)
		return as_error_set(err, -E2BIG, parser.pos, "profile is too large (more than %u JSON tokens)",
				    capacity);
	/* Text that passed the grammar check is one complete value. */
	if (n <= 0)
		return as_error_set(err, -EINVAL, parser.pos, "invalid JSON");
	*ret = (struct as_json){.text = text, .len = len, .tokens = tokens, .count = (unsigned int)n};
	return 0;
}

unsigned int as_json_skip(const struct as_json *json, unsigned int token)
{
	unsigned int pending = 1;

	/* Every token's size counts its direct children, so walking forward while
	 * children remain visits exactly the subtree, with no recursion however
	 * deep the nesting. */
	while (pending > 0 && token < json->count) {
		pending += (unsigned int)json->tokens[token].size;
		pending--;
		token++;
	}
	return token;
}

bool as_json_string_is_plain(const char *raw, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (raw[i] == '\\' || (unsigned char)raw[i] >= 0x80)
			return false;
	return true;
}

#define REPLACEMENT 0xfffdu

static size_t put_utf8(uint32_t c, char *out, size_t at, size_t cap)
{
	unsigned char b[4];
	size_t n;

	if (c < 0x80) {
		b[0] = (unsigned char)c, n = 1;
	} else if (c < 0x800) {
		b[0] = (unsigned char)(0xc0 | c >> 6), b[1] = (unsigned char)(0x80 | (c & 0x3f)), n = 2;
	} else if (c < 0x10000) {
		b[0] = (unsigned char)(0xe0 | c >> 12), b[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (c & 0x3f)), n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | c >> 18), b[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f)), b[3] = (unsigned char)(0x80 | (c & 0x3f)), n = 4;
	}
	for (size_t k = 0; k < n; k++)
		if (at + k < cap)
			out[at + k] = (char)b[k];
	return n;
}

/* The length of the well-formed UTF-8 sequence at S, or 0: no overlong
 * forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, lo = s[0] == 0xe0 ? 0xa0 : 0x80, hi = s[0] == 0xed ? 0x9f : 0xbf;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, lo = s[0] == 0xf0 ? 0x90 : 0x80, hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if (s[k] < 0x80 || s[k] > 0xbf)
			return 0;
	return n;
}

static uint32_t hex4(const char *s)
{
	uint32_t v = 0;

	for (int k = 0; k < 4; k++)
		v = v << 4 | (uint32_t)(is_digit(s[k]) ? s[k] - '0' : (s[k] | 0x20) - 'a' + 10);
	return v;
}

/* \uXXXX at RAW[I], joined with a following low surrogate as Go joins
 * them; *USED is how many bytes it took. */
static uint32_t escaped_code_point(const char *raw, size_t len, size_t i, size_t *used)
{
	uint32_t c = hex4(raw + i + 2), low;

	*used = 6;
	if (c < 0xd800 || c > 0xdfff)
		return c;
	if (c <= 0xdbff && i + 12 <= len && raw[i + 6] == '\\' && raw[i + 7] == 'u') {
		low = hex4(raw + i + 8);
		if (low >= 0xdc00 && low <= 0xdfff) {
			*used = 12;
			return 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
		}
	}
	return REPLACEMENT;
}

size_t as_json_unescape(const char *raw, size_t len, char *out, size_t cap)
{
	static const char plain[] = "\"\\/bfnrt", meant[] = "\"\\/\b\f\n\r\t";
	size_t at = 0, used;

	for (size_t i = 0; i < len; i += used) {
		unsigned char c = (unsigned char)raw[i];
		used = 1;
		if (c == '\\' && raw[i + 1] == 'u') {
			at += put_utf8(escaped_code_point(raw, len, i, &used), out, at, cap);
		} else if (c == '\\') {
			at += put_utf8((unsigned char)meant[strchr(plain, raw[i + 1]) - plain], out, at, cap);
			used = 2;
		} else if (c >= 0x80 && (used = utf8_sequence((const unsigned char *)raw + i, len - i)) == 0) {
			at += put_utf8(REPLACEMENT, out, at, cap);
			used = 1;
		} else {
			for (size_t k = 0; k < used; k++, at++)
				if (at < cap)
					out[at] = raw[i + k];
		}
	}
	return at;
}

size_t as_json_escape(const char *s, size_t len, char *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	size_t at = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char seq[6] = {'\\', (char)c};
		size_t n = 2;
		if (c < 0x20) {
			memcpy(seq + 1, "u00", 3);
			seq[4] = digits[c >> 4];
			seq[5] = digits[c & 15];
			n = 6;
		} else if (c != '"' && c != '\\') {
			seq[0] = (char)c;
			n = 1;
		}
		for (size_t k = 0; k < n; k++, at++)
			if (at < cap)
				out[at] = seq[k];
	}
	return at;
}
