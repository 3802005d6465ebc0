/* libFuzzer target: the JSON stage and the profile view on any bytes, and
 * the same bytes as a capability set (AUTOSECCOMP_CAPS, exec --caps).
 * Besides what ASan and UBSan catch, it checks that jsmn agrees with the
 * grammar check: text the grammar accepts is one value, whose first token
 * spans all of it and whose subtree holds every token; and that a set read
 * names only capabilities the table knows. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json.h"
#include "names.h"
#include "profile.h"

static struct as_token tokens[AS_JSON_MAX_TOKENS];
static struct as_profile profile;
static char decoded[3 * 65536];

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void check_tokens(const char *text, size_t len, const struct as_json *json)
{
	size_t first = 0, last = len;
	const struct as_token *top = &json->tokens[0];

	while (first < len && is_space(text[first]))
		first++;
	while (last > first && is_space(text[last - 1]))
		last--;
	if (top->type == AS_TOKEN_STRING ? (size_t)top->start != first + 1 || (size_t)top->end != last - 1
					 : (size_t)top->start != first || (size_t)top->end != last)
		abort();
	if (as_json_skip(json, 0) != json->count)
		abort();
	for (unsigned int i = 0; i < json->count; i++) {
		const struct as_token *t = &json->tokens[i];
		if (t->start < 0 || t->end < t->start || (size_t)t->end > len)
			abort();
		if (t->type == AS_TOKEN_STRING &&
		    as_json_unescape(text + t->start, (size_t)(t->end - t->start), decoded, sizeof(decoded)) >
			    3 * (size_t)(t->end - t->start))
			abort();
	}
}

/* The bytes up to the first NUL, as the environment would hand them over. */
static void check_capability_set(const uint8_t *data, size_t size)
{
	static char spec[4096];
	uint64_t set, known = 0;
	struct as_error err;
	size_t len = strnlen((const char *)data, size < sizeof(spec) ? size : sizeof(spec) - 1);

	memcpy(spec, data, len);
	spec[len] = '\0';
	if (as_capability_set_parse(spec, &set, &err) < 0)
		return;
	for (size_t i = 0; i < as_capability_names.count; i++)
		known |= 1ull << as_capability_names.names[i].value;
	if ((set & ~known) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct as_json json;
	struct as_error err;

	if (size == 0 || size > 65536)
		return 0;
	check_capability_set(data, size);
	if (as_json_parse(text, size, tokens, AS_JSON_MAX_TOKENS, &json, &err) < 0)
		return 0;
	if (json.count == 0)
		abort();
	check_tokens(text, size, &json);
	as_profile_parse(&json, &profile, &err);
	return 0;
}
