#include "json.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
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

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* jsmn stops after the first complete value; anything but white space after it
 * is trailing garbage that Go's decoder rejects. */
static int check_trailing(const char *text, size_t len, size_t from, struct as_error *err)
{
	for (size_t i = from; i < len; i++) {
		if (text[i] == '\0' && i + 1 == len)
			break;
		if (!is_space(text[i]))
			return as_error_set(err, -EINVAL, i, "unexpected data after the profile");
	}
	return 0;
}

static bool is_literal(const char *s, size_t len, const char *literal)
{
	return len == strlen(literal) && memcmp(s, literal, len) == 0;
}

static size_t skip_digits(const char *s, size_t i, size_t len)
{
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool is_number(const char *s, size_t len)
{
	size_t i = 0, digits;

	if (i < len && s[i] == '-')
		i++;
	if (i >= len || s[i] < '0' || s[i] > '9' || (s[i] == '0' && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9'))
		return false;
	i = skip_digits(s, i, len);
	if (i < len && s[i] == '.') {
		digits = skip_digits(s, i + 1, len);
		if (digits == i + 1)
			return false;
		i = digits;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		digits = skip_digits(s, i, len);
		if (digits == i)
			return false;
		i = digits;
	}
	return i == len;
}

/* jsmn accepts any run of characters as a primitive and raw control bytes in
 * strings; Go's decoder, which Docker uses, accepts neither. */
static int check_token(const char *text, const struct as_token *tok, struct as_error *err)
{
	const char *s = text + tok->start;
	size_t len = (size_t)(tok->end - tok->start);

	if (tok->type == AS_TOKEN_PRIMITIVE && !is_literal(s, len, "true") && !is_literal(s, len, "false") &&
	    !is_literal(s, len, "null") && !is_number(s, len))
		return as_error_set(err, -EINVAL, (size_t)tok->start, "invalid JSON value \"%.*s\"",
				    (int)(len > 32 ? 32 : len), s);
	if (tok->type == AS_TOKEN_STRING)
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)s[i] < 0x20)
				return as_error_set(err, -EINVAL, (size_t)tok->start + i,
						    "control character in a JSON string");
	return 0;
}

/* Go's decoder refuses nesting deeper than this, and so Docker does. */
#define MAX_DEPTH 10000

static int check_depth(const char *text, size_t len, struct as_error *err)
{
	bool in_string = false;
	unsigned int depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (++depth > MAX_DEPTH)
				return as_error_set(err, -EINVAL, i, "nesting is deeper than %d levels", MAX_DEPTH);
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return 0;
}

int as_json_parse(const char *text, size_t len, struct as_token *tokens, unsigned int capacity,
		  struct as_json *ret, struct as_error *err)
{
	jsmn_parser parser;
	size_t end;
	int n;

	if (check_depth(text, len, err) < 0)
		return err->code;
	jsmn_init(&parser);
	n = jsmn_parse(&parser, text, len, (jsmntok_t *)tokens, capacity);
	if (n == JSMN_ERROR_NOMEM)
		return as_error_set(err, -E2BIG, parser.pos, "profile is too large (more than %u JSON tokens)",
				    capacity);
	if (n == JSMN_ERROR_PART)
		return as_error_set(err, -EINVAL, len, "unexpected end of profile");
	if (n == JSMN_ERROR_INVAL)
		return as_error_set(err, -EINVAL, parser.pos, "invalid JSON");
	if (n == 0)
		return as_error_set(err, -EINVAL, 0, "profile is empty");
	/* A string's end excludes its closing quote. */
	end = (size_t)tokens[0].end + (tokens[0].type == AS_TOKEN_STRING);
	if (check_trailing(text, len, end, err) < 0)
		return err->code;
	for (int i = 0; i < n; i++)
		if (check_token(text, &tokens[i], err) < 0)
			return err->code;
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
