#include "profile.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "names.h"

struct parser {
	const struct as_json *json;
	struct as_profile *profile;
	struct as_error *err;
};

/* Reads the value at token TOK into the field at OUT. */
typedef int (*field_reader)(struct parser *p, unsigned int tok, void *out);

struct field {
	const char *key;
	size_t offset;
	field_reader read;
};

static const struct as_token *token(const struct parser *p, unsigned int tok)
{
	return &p->json->tokens[tok];
}

static const char *token_text(const struct parser *p, unsigned int tok)
{
	return p->json->text + token(p, tok)->start;
}

static unsigned int token_len(const struct parser *p, unsigned int tok)
{
	return (unsigned int)(token(p, tok)->end - token(p, tok)->start);
}

/* Where a message about TOK points: a string's opening quote, else its first byte. */
static unsigned int token_pos(const struct parser *p, unsigned int tok)
{
	return (unsigned int)token(p, tok)->start - (token(p, tok)->type == AS_TOKEN_STRING);
}

static bool is_null(const struct parser *p, unsigned int tok)
{
	return token(p, tok)->type == AS_TOKEN_PRIMITIVE && token_text(p, tok)[0] == 'n';
}

static const char *type_name(const struct parser *p, unsigned int tok)
{
	switch (token(p, tok)->type) {
	case AS_TOKEN_OBJECT:
		return "an object";
	case AS_TOKEN_ARRAY:
		return "an array";
	case AS_TOKEN_STRING:
		return "a string";
	default:
		break;
	}
	switch (token_text(p, tok)[0]) {
	case 't':
	case 'f':
		return "a boolean";
	case 'n':
		return "null";
	default:
		return "a number";
	}
}

static int expect(struct parser *p, unsigned int tok, enum as_token_type type, const char *what)
{
	if (token(p, tok)->type == type)
		return 0;
	return as_error_set(p->err, -EINVAL, token_pos(p, tok), "expected %s, got %s", what, type_name(p, tok));
}

/* Go's decoder matches a key to a field without regard to case, Unicode's
 * simple folding included: of the characters outside ASCII, only the long s
 * and the Kelvin sign fold to a letter of a field's name. */
static bool folds_to(const char **key, const char *end, char letter)
{
	static const struct {
		char letter;
		const char *utf8;
	} folds[] = {{'s', "\xc5\xbf"}, {'k', "\xe2\x84\xaa"}};
	char lower = (char)(letter | 0x20);

	if ((unsigned char)**key < 0x80) {
		if ((char)(**key | 0x20) != lower || !((lower >= 'a' && lower <= 'z') || **key == letter))
			return false;
		++*key;
		return true;
	}
	for (size_t f = 0; f < sizeof(folds) / sizeof(folds[0]); f++) {
		size_t n = strlen(folds[f].utf8);
		if (folds[f].letter == lower && (size_t)(end - *key) >= n && memcmp(*key, folds[f].utf8, n) == 0) {
			*key += n;
			return true;
		}
	}
	return false;
}

static bool key_equals(const struct parser *p, unsigned int tok, const char *field)
{
	/* A key longer than this cannot fold to any field's name. */
	char buf[64];
	const char *key = token_text(p, tok), *end;
	size_t len = token_len(p, tok);

	if (!as_json_string_is_plain(key, len)) {
		len = as_json_unescape(key, len, buf, sizeof(buf));
		if (len > sizeof(buf))
			return false;
		key = buf;
	}
	end = key + len;
	for (; *field != '\0'; field++)
		if (key == end || !folds_to(&key, end, *field))
			return false;
	return key == end;
}

/* null leaves OUT as it was, as Go leaves a struct. */
static int read_object(struct parser *p, unsigned int tok, const struct field *fields, size_t n, void *out)
{
	unsigned int members, at = tok + 1;
	int r;

	if (is_null(p, tok))
		return 0;
	r = expect(p, tok, AS_TOKEN_OBJECT, "an object");
	if (r < 0)
		return r;
	members = (unsigned int)token(p, tok)->size;
	for (unsigned int m = 0; m < members; m++) {
		/* A repeated key is read again, so the last one wins, as in Go. */
		for (size_t f = 0; f < n; f++) {
			if (!key_equals(p, at, fields[f].key))
				continue;
			r = fields[f].read(p, at + 1, (char *)out + fields[f].offset);
			if (r < 0)
				return r;
			break;
		}
		at = as_json_skip(p->json, at + 1);
	}
	return 0;
}

/* The string at TOK as the characters it stands for: its own bytes where
 * they mean themselves, else decoded into the profile. */
static int read_str(struct parser *p, unsigned int tok, const char *what, struct as_str *out)
{
	struct as_profile *profile = p->profile;
	const char *raw = token_text(p, tok);
	size_t len = token_len(p, tok), room = sizeof(profile->decoded) - profile->decoded_len;
	int r = expect(p, tok, AS_TOKEN_STRING, what);

	if (r < 0)
		return r;
	if (as_json_string_is_plain(raw, len)) {
		*out = (struct as_str){raw, (unsigned int)len, token_pos(p, tok)};
		return 0;
	}
	len = as_json_unescape(raw, len, profile->decoded + profile->decoded_len, room);
	if (len > room)
		return as_error_set(p->err, -E2BIG, token_pos(p, tok), "profile is too large to decode");
	*out = (struct as_str){profile->decoded + profile->decoded_len, (unsigned int)len, token_pos(p, tok)};
	profile->decoded_len += len;
	return 0;
}

/* A string element of a list, kept in the profile's table of strings. */
static int add_string(struct parser *p, unsigned int tok, const char *what, unsigned int *index)
{
	struct as_profile *profile = p->profile;

	if (profile->string_count == AS_JSON_MAX_TOKENS)
		return as_error_set(p->err, -E2BIG, token_pos(p, tok), "profile has too many strings");
	*index = profile->string_count++;
	/* A null element reads as "", as Go reads it into a string. */
	if (is_null(p, tok)) {
		profile->strings[*index] = (struct as_str){"", 0, token_pos(p, tok)};
		return 0;
	}
	return read_str(p, tok, what, &profile->strings[*index]);
}

static int read_string(struct parser *p, unsigned int tok, void *out)
{
	if (is_null(p, tok))
		return 0;
	return read_str(p, tok, "a string", out);
}

/* Docker's "comment" is read for its type alone. */
static int read_comment(struct parser *p, unsigned int tok, void *out)
{
	struct as_str unused;

	(void)out;
	return read_string(p, tok, &unused);
}

/* The legacy single "name", kept as a list of one so that it reads as "names";
 * an empty name is no name, as in Docker. */
static int read_legacy_name(struct parser *p, unsigned int tok, void *out)
{
	struct as_strings *list = out;
	unsigned int index;
	int r;

	*list = (struct as_strings){.pos = token_pos(p, tok)};
	if (is_null(p, tok))
		return 0;
	r = add_string(p, tok, "a string", &index);
	if (r == 0 && p->profile->strings[index].len > 0)
		*list = (struct as_strings){index, 1, token_pos(p, tok)};
	return r;
}

static int read_strings(struct parser *p, unsigned int tok, void *out)
{
	struct as_strings *list = out;
	unsigned int count, first = p->profile->string_count, index;
	int r;

	*list = (struct as_strings){.pos = token_pos(p, tok)};
	if (is_null(p, tok))
		return 0;
	r = expect(p, tok, AS_TOKEN_ARRAY, "an array of strings");
	if (r < 0)
		return r;
	count = (unsigned int)token(p, tok)->size;
	/* Strings have no children: the elements are the tokens that follow. */
	for (unsigned int k = 0; k < count; k++) {
		r = add_string(p, tok + 1 + k, "a string", &index);
		if (r < 0)
			return r;
	}
	*list = (struct as_strings){first, count, token_pos(p, tok)};
	return 0;
}

int as_parse_decimal(const char *s, size_t len, uint64_t max, uint64_t *ret)
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

static int read_number(struct parser *p, unsigned int tok, void *out)
{
	struct as_number *number = out;
	const char *text = token_text(p, tok);
	unsigned int len = token_len(p, tok);
	uint64_t value = 0;
	int r;

	if (is_null(p, tok))
		return 0;
	r = expect(p, tok, AS_TOKEN_PRIMITIVE, "a number");
	if (r == 0 && (text[0] == 't' || text[0] == 'f'))
		r = as_error_set(p->err, -EINVAL, token_pos(p, tok), "expected a number, got a boolean");
	if (r < 0)
		return r;
	/* The JSON stage checked the number's syntax; Go's unsigned fields take
	 * only its plain integers. */
	r = as_parse_decimal(text, len, UINT64_MAX, &value);
	if (r == -EINVAL)
		return as_error_set(p->err, r, token_pos(p, tok), "expected a non-negative integer, got %.*s",
				    (int)(len > 32 ? 32 : len), text);
	if (r < 0)
		return as_error_set(p->err, r, token_pos(p, tok),
				    "number %.*s is out of range (at most 18446744073709551615)",
				    (int)(len > 32 ? 32 : len), text);
	*number = (struct as_number){true, value, token_pos(p, tok)};
	return 0;
}

/* A *uint in Docker's types: null sets it to nil. */
static int read_optional_number(struct parser *p, unsigned int tok, void *out)
{
	*(struct as_number *)out = (struct as_number){0};
	return read_number(p, tok, out);
}

/* Podman's errno strings: a decimal number or a name such as "ENOSYS". */
static int read_errno_name(struct parser *p, unsigned int tok, void *out)
{
	struct as_number *number = out;
	const struct as_name *found;
	struct as_str text;
	uint64_t value;
	int r;

	if (is_null(p, tok))
		return 0;
	r = read_str(p, tok, "a string", &text);
	if (r < 0)
		return r;
	/* A number too large for any errno is left for the range check to refuse. */
	r = as_parse_decimal(text.ptr, text.len, UINT64_MAX, &value);
	if (r == -ERANGE)
		value = UINT64_MAX;
	if (r == -EINVAL) {
		r = as_name_lookup(&as_errno_names, text.ptr, text.len, token_pos(p, tok), &found, p->err);
		if (r < 0)
			return r;
		value = found->value;
	}
	*number = (struct as_number){true, value, token_pos(p, tok)};
	return 0;
}

static int read_choice(struct parser *p, unsigned int tok, const struct as_name_table *table, struct as_choice *out)
{
	const struct as_name *found;
	struct as_str name;
	int r;

	if (is_null(p, tok))
		return 0;
	r = read_str(p, tok, "a string", &name);
	if (r < 0)
		return r;
	r = as_name_lookup(table, name.ptr, name.len, name.pos, &found, p->err);
	if (r < 0)
		return r;
	*out = (struct as_choice){true, found->value, token_pos(p, tok)};
	return 0;
}

static int read_action(struct parser *p, unsigned int tok, void *out)
{
	return read_choice(p, tok, &as_action_names, out);
}

static int read_operator(struct parser *p, unsigned int tok, void *out)
{
	return read_choice(p, tok, &as_operator_names, out);
}

static int read_arch(struct parser *p, unsigned int tok, void *out)
{
	return read_choice(p, tok, &as_arch_names, out);
}

static int read_choices(struct parser *p, unsigned int tok, const struct as_name_table *table, struct as_strings *out)
{
	const struct as_name *unused;
	int r = read_strings(p, tok, out);

	for (unsigned int k = 0; r == 0 && k < out->count; k++) {
		struct as_str name = as_profile_string(p->profile, out, k);
		r = as_name_lookup(table, name.ptr, name.len, name.pos, &unused, p->err);
	}
	return r;
}

static int read_arch_list(struct parser *p, unsigned int tok, void *out)
{
	return read_choices(p, tok, &as_arch_names, out);
}

static int read_flag_list(struct parser *p, unsigned int tok, void *out)
{
	return read_choices(p, tok, &as_flag_names, out);
}

/* Docker's kernel version: "MAJOR.MINOR", each part 0..255, not "0.0"; ""
 * means 0.0 and so always holds. */
static int parse_kernel_part(const char *s, size_t len, unsigned int *ret)
{
	uint64_t value;
	int r = as_parse_decimal(s, len, 255, &value);

	if (r == 0)
		*ret = (unsigned int)value;
	return r;
}

static int read_min_kernel(struct parser *p, unsigned int tok, void *out)
{
	struct as_kernel_version *version = out;
	struct as_str str;
	const char *text, *dot;
	unsigned int len, major = 0, minor = 0;
	int r;

	/* A pointer in Docker's type, which null sets to nil. */
	*version = (struct as_kernel_version){0};
	if (is_null(p, tok))
		return 0;
	r = read_str(p, tok, "a kernel version string", &str);
	if (r < 0)
		return r;
	text = str.ptr, len = str.len;
	dot = memchr(text, '.', len);
	if (len > 0 && (dot == NULL || parse_kernel_part(text, (size_t)(dot - text), &major) < 0 ||
			parse_kernel_part(dot + 1, len - (size_t)(dot + 1 - text), &minor) < 0 ||
			(major == 0 && minor == 0)))
		return as_error_set(p->err, -EINVAL, token_pos(p, tok),
				    "invalid kernel version \"%.*s\" (expected MAJOR.MINOR, such as \"4.8\")",
				    (int)(len > 32 ? 32 : len), text);
	*version = (struct as_kernel_version){true, major, minor};
	return 0;
}

static const struct field condition_fields[] = {
	{"caps", offsetof(struct as_condition, caps), read_strings},
	{"arches", offsetof(struct as_condition, arches), read_strings},
	{"minKernel", offsetof(struct as_condition, min_kernel), read_min_kernel},
};

static int read_condition(struct parser *p, unsigned int tok, void *out)
{
	struct as_condition *cond = out;

	*cond = (struct as_condition){.pos = token_pos(p, tok)};
	if (is_null(p, tok))
		return 0;
	return read_object(p, tok, condition_fields, sizeof(condition_fields) / sizeof(condition_fields[0]), cond);
}

static const struct field arg_fields[] = {
	{"index", offsetof(struct as_arg, index), read_number},
	{"value", offsetof(struct as_arg, value), read_number},
	{"valueTwo", offsetof(struct as_arg, value_two), read_number},
	{"op", offsetof(struct as_arg, op), read_operator},
};

/* Reads the array at TOK with READ_ONE for each element, which must be an
 * object or null; returns the number of elements in *COUNT. */
static int read_array_of_objects(struct parser *p, unsigned int tok, const char *what, unsigned int capacity,
				 unsigned int *count, int (*read_one)(struct parser *, unsigned int, unsigned int))
{
	unsigned int n, at = tok + 1;
	int r;

	*count = 0;
	if (is_null(p, tok))
		return 0;
	r = expect(p, tok, AS_TOKEN_ARRAY, "an array");
	if (r < 0)
		return r;
	n = (unsigned int)token(p, tok)->size;
	if (n > capacity)
		return as_error_set(p->err, -E2BIG, token_pos(p, tok), "too many %s (%u, at most %u)", what, n,
				    capacity);
	for (unsigned int k = 0; k < n; k++) {
		/* A null element is an empty one, as Go decodes it. */
		r = is_null(p, at) ? 0 : expect(p, at, AS_TOKEN_OBJECT, "an object");
		if (r < 0)
			return r;
		r = read_one(p, at, k);
		if (r < 0)
			return r;
		at = as_json_skip(p->json, at);
	}
	*count = n;
	return 0;
}

static int read_one_arg(struct parser *p, unsigned int tok, unsigned int k)
{
	struct as_arg *arg = &p->profile->args[p->profile->arg_count + k];
	int r;

	*arg = (struct as_arg){.pos = token_pos(p, tok)};
	r = read_object(p, tok, arg_fields, sizeof(arg_fields) / sizeof(arg_fields[0]), arg);
	if (r == 0 && !arg->op.present)
		r = as_error_set(p->err, -EINVAL, arg->pos, "argument has no \"op\"");
	return r;
}

static int read_args(struct parser *p, unsigned int tok, void *out)
{
	struct as_arg_range *range = out;
	unsigned int room = AS_PROFILE_MAX_ARGS - p->profile->arg_count, n;
	int r;

	r = read_array_of_objects(p, tok, "arguments in the profile", room, &n, read_one_arg);
	if (r < 0)
		return r;
	*range = (struct as_arg_range){p->profile->arg_count, n};
	p->profile->arg_count += n;
	return 0;
}

static const struct field rule_fields[] = {
	{"names", offsetof(struct as_rule, names), read_strings},
	{"name", offsetof(struct as_rule, name), read_legacy_name},
	{"action", offsetof(struct as_rule, action), read_action},
	{"errnoRet", offsetof(struct as_rule, errno_ret), read_optional_number},
	{"errno", offsetof(struct as_rule, errno_name), read_errno_name},
	{"args", offsetof(struct as_rule, args), read_args},
	{"includes", offsetof(struct as_rule, includes), read_condition},
	{"excludes", offsetof(struct as_rule, excludes), read_condition},
	{"comment", 0, read_comment},
};

static int read_one_rule(struct parser *p, unsigned int tok, unsigned int k)
{
	struct as_rule *rule = &p->profile->rules[k];
	int r;

	*rule = (struct as_rule){.pos = token_pos(p, tok)};
	r = read_object(p, tok, rule_fields, sizeof(rule_fields) / sizeof(rule_fields[0]), rule);
	if (r < 0)
		return r;
	if (rule->name.count > 0 && rule->names.count > 0)
		return as_error_set(p->err, -EINVAL, rule->name.pos,
				    "rule has both \"name\" and \"names\" (use either 'name' or 'names')");
	if (rule->name.count > 0)
		rule->names = rule->name;
	if (rule->errno_name.present)
		rule->errno_ret = rule->errno_name;
	if (!rule->action.present)
		return as_error_set(p->err, -EINVAL, rule->pos, "rule has no \"action\"");
	return 0;
}

static int read_rules(struct parser *p, unsigned int tok, void *out)
{
	return read_array_of_objects(p, tok, "rules", AS_PROFILE_MAX_RULES, out, read_one_rule);
}

static const struct field arch_map_fields[] = {
	{"architecture", offsetof(struct as_arch_map_entry, architecture), read_arch},
	{"subArchitectures", offsetof(struct as_arch_map_entry, sub_architectures), read_arch_list},
};

static int read_one_arch_map_entry(struct parser *p, unsigned int tok, unsigned int k)
{
	struct as_arch_map_entry *entry = &p->profile->arch_map[k];

	*entry = (struct as_arch_map_entry){.pos = token_pos(p, tok)};
	return read_object(p, tok, arch_map_fields, sizeof(arch_map_fields) / sizeof(arch_map_fields[0]), entry);
}

static int read_arch_map(struct parser *p, unsigned int tok, void *out)
{
	return read_array_of_objects(p, tok, "archMap entries", AS_PROFILE_MAX_ARCH_MAP, out,
				     read_one_arch_map_entry);
}

static const struct field profile_fields[] = {
	{"defaultAction", offsetof(struct as_profile, default_action), read_action},
	{"defaultErrnoRet", offsetof(struct as_profile, default_errno_ret), read_optional_number},
	{"defaultErrno", offsetof(struct as_profile, default_errno_name), read_errno_name},
	{"architectures", offsetof(struct as_profile, architectures), read_arch_list},
	{"archMap", offsetof(struct as_profile, arch_map_count), read_arch_map},
	{"syscalls", offsetof(struct as_profile, rule_count), read_rules},
	{"flags", offsetof(struct as_profile, flags), read_flag_list},
	{"listenerPath", offsetof(struct as_profile, listener_path), read_string},
	{"listenerMetadata", offsetof(struct as_profile, listener_metadata), read_string},
};

static int check_profile(struct parser *p)
{
	const struct as_profile *profile = p->profile;

	/* Docker treats these as "no filter at all"; a security tool that is
	 * asked for a filter refuses rather than run the program unconfined. */
	if (!profile->default_action.present && profile->rule_count == 0)
		return as_error_set(p->err, -EINVAL, token_pos(p, 0),
				    "profile has no defaultAction and no syscalls, which Docker runs unconfined "
				    "(to run unconfined, set SECCOMP_PROFILE=unconfined)");
	if (!profile->default_action.present)
		return as_error_set(p->err, -EINVAL, token_pos(p, 0), "profile has no \"defaultAction\"");
	if (profile->architectures.count > 0 && profile->arch_map_count > 0)
		return as_error_set(p->err, -EINVAL, profile->architectures.pos,
				    "both 'architectures' and 'archMap' are specified (use either 'architectures' "
				    "or 'archMap')");
	return 0;
}

int as_profile_parse(const struct as_json *json, struct as_profile *ret, struct as_error *err)
{
	struct parser p = {json, ret, err};
	int r;

	memset(ret, 0, offsetof(struct as_profile, arch_map));
	ret->json = json;
	ret->arch_map_count = ret->rule_count = ret->arg_count = ret->string_count = 0;
	ret->decoded_len = 0;
	if (is_null(&p, 0))
		return as_error_set(err, -EINVAL, 0,
				    "profile is null, which Docker runs unconfined "
				    "(to run unconfined, set SECCOMP_PROFILE=unconfined)");
	r = read_object(&p, 0, profile_fields, sizeof(profile_fields) / sizeof(profile_fields[0]), ret);
	if (r < 0)
		return r;
	if (ret->default_errno_name.present)
		ret->default_errno_ret = ret->default_errno_name;
	return check_profile(&p);
}

bool as_str_to_cstr(struct as_str str, char *buf, size_t size)
{
	if (str.len >= size)
		return false;
	memcpy(buf, str.ptr, str.len);
	buf[str.len] = '\0';
	return true;
}

struct as_str as_profile_string(const struct as_profile *profile, const struct as_strings *list, unsigned int k)
{
	return profile->strings[list->first + k];
}
