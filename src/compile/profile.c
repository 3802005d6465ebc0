#include "profile.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "decimal.h"
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

/* A Go string field: null leaves it as it was. */
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

/* Go's decoder decodes an array into a slice in place, whatever the slice
 * held: element K starts as element K was while K is below the slice's
 * capacity, so that a null element, or an object's missing members, leave
 * it so; past the capacity the slice grows into new, zeroed storage, by
 * half its capacity and at least to 4.  An empty array leaves a new slice
 * of capacity 0, null a nil one.  This matters only for a repeated key,
 * which Docker reads in turn, each occurrence into what the one before
 * left.  A slice lives in a table that only grows: it keeps STORED elements
 * at FIRST, and moves to the table's end when it needs more. */
struct slice {
	unsigned int *first, *count, *capacity, *stored;
};

#define SLICE(s) ((struct slice){&(s)->first, &(s)->count, &(s)->capacity, &(s)->stored})

static unsigned int grown_capacity(unsigned int capacity, unsigned int n)
{
	while (capacity < n)
		capacity = capacity + capacity / 2 < 4 ? 4 : capacity + capacity / 2;
	return capacity;
}

/* A list stored again where a repeated key makes it longer leaves its
 * earlier copy in the table, which counts towards LIMIT too: Go's decoder
 * may bring those elements back, as a later key makes the list longer still. */
static int too_many(struct parser *p, unsigned int tok, unsigned int limit)
{
	return as_error_set(p->err, -E2BIG, token_pos(p, tok),
			    "profile has too many elements: at most %u of this kind (a list that a repeated key "
			    "made longer counts again)",
			    limit);
}

/* Makes room for N elements of SIZE bytes in SLICE, a slice of TABLE whose
 * first USED of LIMIT elements are taken; the elements it adds are zero. */
static int place_slice(struct parser *p, unsigned int tok, struct slice s, unsigned int n, void *table,
		       size_t size, unsigned int *used, unsigned int limit)
{
	char *base = table;

	if (n == 0 || n <= *s.stored) {
		if (n == 0 && *s.first + *s.stored == *used)
			*used = *s.first;
		if (n == 0)
			*s.first = *used, *s.stored = 0;
		*s.count = n;
		*s.capacity = n == 0 ? 0 : *s.capacity;
		return 0;
	}
	if (*s.first + *s.stored != *used || *s.stored == 0) {
		if (limit - *used < *s.stored)
			return too_many(p, tok, limit);
		memmove(base + (size_t)*used * size, base + (size_t)*s.first * size, (size_t)*s.stored * size);
		*s.first = *used;
		*used += *s.stored;
	}
	if (limit - *used < n - *s.stored)
		return too_many(p, tok, limit);
	memset(base + (size_t)*used * size, 0, (size_t)(n - *s.stored) * size);
	*used += n - *s.stored;
	*s.stored = n;
	*s.count = n;
	*s.capacity = grown_capacity(*s.capacity, n);
	return 0;
}

/* A []string: a null element leaves its string as it was, "" in new storage. */
static int read_strings(struct parser *p, unsigned int tok, void *out)
{
	struct as_profile *profile = p->profile;
	struct as_strings *list = out;
	unsigned int count;
	int r;

	list->pos = token_pos(p, tok);
	if (is_null(p, tok))
		return place_slice(p, tok, SLICE(list), 0, profile->strings, sizeof(profile->strings[0]),
				   &profile->string_count, AS_JSON_MAX_TOKENS);
	r = expect(p, tok, AS_TOKEN_ARRAY, "an array of strings");
	if (r < 0)
		return r;
	count = (unsigned int)token(p, tok)->size;
	r = place_slice(p, tok, SLICE(list), count, profile->strings, sizeof(profile->strings[0]),
			&profile->string_count, AS_JSON_MAX_TOKENS);
	/* Strings have no children: the elements are the tokens that follow. */
	for (unsigned int k = 0; r == 0 && k < count; k++) {
		struct as_str *element = &profile->strings[list->first + k];
		if (element->ptr == NULL)
			*element = (struct as_str){"", 0, token_pos(p, tok + 1 + k)};
		r = read_string(p, tok + 1 + k, element);
	}
	return r;
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

/* A Go string naming a choice; looked up by finish_choice. */
static int read_choice(struct parser *p, unsigned int tok, void *out)
{
	return read_string(p, tok, &((struct as_choice *)out)->name);
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

/* A *KernelVersion with its own decoder: null sets it to nil; "" leaves a
 * version already there as it was, as Docker's decoder returns early. */
static int read_min_kernel(struct parser *p, unsigned int tok, void *out)
{
	struct as_kernel_version *version = out;
	struct as_str str;
	const char *text, *dot;
	unsigned int len, major = 0, minor = 0;
	int r;

	if (is_null(p, tok)) {
		*version = (struct as_kernel_version){0};
		return 0;
	}
	r = read_str(p, tok, "a kernel version string", &str);
	if (r < 0)
		return r;
	text = str.ptr, len = str.len;
	if (len == 0) {
		version->present = true;
		return 0;
	}
	dot = memchr(text, '.', len);
	if (dot == NULL || parse_kernel_part(text, (size_t)(dot - text), &major) < 0 ||
	    parse_kernel_part(dot + 1, len - (size_t)(dot + 1 - text), &minor) < 0 || (major == 0 && minor == 0))
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

/* A *Filter: null sets it to nil; an object is decoded into the one already
 * there, or a new one. */
static int read_condition(struct parser *p, unsigned int tok, void *out)
{
	struct as_condition *cond = out;

	if (is_null(p, tok) || !cond->present)
		*cond = (struct as_condition){.pos = token_pos(p, tok)};
	if (is_null(p, tok))
		return 0;
	cond->present = true;
	cond->pos = token_pos(p, tok);
	return read_object(p, tok, condition_fields, sizeof(condition_fields) / sizeof(condition_fields[0]), cond);
}

static const struct field arg_fields[] = {
	{"index", offsetof(struct as_arg, index), read_number},
	{"value", offsetof(struct as_arg, value), read_number},
	{"valueTwo", offsetof(struct as_arg, value_two), read_number},
	{"op", offsetof(struct as_arg, op), read_choice},
};

/* Reads the array at TOK into SLICE of TABLE with READ_ONE for each element,
 * which must be an object or null, and is read into the table's element at
 * the index READ_ONE is given. */
static int read_array_of_objects(struct parser *p, unsigned int tok, struct slice s, void *table, size_t size,
				 unsigned int *used, unsigned int limit,
				 int (*read_one)(struct parser *, unsigned int, unsigned int))
{
	unsigned int n, at = tok + 1;
	int r;

	if (is_null(p, tok))
		return place_slice(p, tok, s, 0, table, size, used, limit);
	r = expect(p, tok, AS_TOKEN_ARRAY, "an array");
	if (r < 0)
		return r;
	n = (unsigned int)token(p, tok)->size;
	r = place_slice(p, tok, s, n, table, size, used, limit);
	for (unsigned int k = 0; r == 0 && k < n; k++) {
		r = is_null(p, at) ? 0 : expect(p, at, AS_TOKEN_OBJECT, "an object");
		if (r == 0)
			r = read_one(p, at, *s.first + k);
		at = as_json_skip(p->json, at);
	}
	return r;
}

/* runtime-spec's []LinuxSeccompArg: a null element leaves the argument as
 * it was. */
static int read_one_arg(struct parser *p, unsigned int tok, unsigned int k)
{
	struct as_arg *arg = &p->profile->args[k];

	if (arg->pos == 0)
		arg->pos = token_pos(p, tok);
	if (is_null(p, tok))
		return 0;
	arg->pos = token_pos(p, tok);
	return read_object(p, tok, arg_fields, sizeof(arg_fields) / sizeof(arg_fields[0]), arg);
}

static int read_args(struct parser *p, unsigned int tok, void *out)
{
	struct as_profile *profile = p->profile;

	return read_array_of_objects(p, tok, SLICE((struct as_arg_range *)out), profile->args,
				     sizeof(profile->args[0]), &profile->arg_count, AS_PROFILE_MAX_ARGS, read_one_arg);
}

static const struct field rule_fields[] = {
	{"names", offsetof(struct as_rule, names), read_strings},
	{"name", offsetof(struct as_rule, name), read_string},
	{"action", offsetof(struct as_rule, action), read_choice},
	{"errnoRet", offsetof(struct as_rule, errno_ret), read_optional_number},
	{"errno", offsetof(struct as_rule, errno_name), read_string},
	{"args", offsetof(struct as_rule, args), read_args},
	{"includes", offsetof(struct as_rule, includes), read_condition},
	{"excludes", offsetof(struct as_rule, excludes), read_condition},
	{"comment", 0, read_comment},
};

/* Docker's []*Syscall: a null element sets the pointer to nil, which the
 * daemon then fails on (here: a rule with no action), and an object into
 * nil is decoded into a new, empty rule. */
static int read_one_rule(struct parser *p, unsigned int tok, unsigned int k)
{
	struct as_rule *rule = &p->profile->rules[k];

	if (is_null(p, tok) || rule->pos == 0)
		*rule = (struct as_rule){.pos = token_pos(p, tok)};
	if (is_null(p, tok))
		return 0;
	rule->pos = token_pos(p, tok);
	return read_object(p, tok, rule_fields, sizeof(rule_fields) / sizeof(rule_fields[0]), rule);
}

static int read_rules(struct parser *p, unsigned int tok, void *out)
{
	struct as_profile *profile = p->profile;
	unsigned int first = 0, used = profile->rule_stored;
	struct slice s = {&first, out, &profile->rule_capacity, &profile->rule_stored};

	/* The only slice in its table, so always at its start. */
	return read_array_of_objects(p, tok, s, profile->rules, sizeof(profile->rules[0]), &used,
				     AS_PROFILE_MAX_RULES, read_one_rule);
}

static const struct field arch_map_fields[] = {
	{"architecture", offsetof(struct as_arch_map_entry, architecture), read_choice},
	{"subArchitectures", offsetof(struct as_arch_map_entry, sub_architectures), read_strings},
};

static int read_one_arch_map_entry(struct parser *p, unsigned int tok, unsigned int k)
{
	struct as_arch_map_entry *entry = &p->profile->arch_map[k];

	if (is_null(p, tok))
		return 0;
	entry->pos = token_pos(p, tok);
	return read_object(p, tok, arch_map_fields, sizeof(arch_map_fields) / sizeof(arch_map_fields[0]), entry);
}

static int read_arch_map(struct parser *p, unsigned int tok, void *out)
{
	struct as_profile *profile = p->profile;
	unsigned int first = 0, used = profile->arch_map_stored;
	struct slice s = {&first, out, &profile->arch_map_capacity, &profile->arch_map_stored};

	return read_array_of_objects(p, tok, s, profile->arch_map, sizeof(profile->arch_map[0]), &used,
				     AS_PROFILE_MAX_ARCH_MAP, read_one_arch_map_entry);
}

static const struct field profile_fields[] = {
	{"defaultAction", offsetof(struct as_profile, default_action), read_choice},
	{"defaultErrnoRet", offsetof(struct as_profile, default_errno_ret), read_optional_number},
	{"defaultErrno", offsetof(struct as_profile, default_errno_name), read_string},
	{"architectures", offsetof(struct as_profile, architectures), read_strings},
	{"archMap", offsetof(struct as_profile, arch_map_count), read_arch_map},
	{"syscalls", offsetof(struct as_profile, rule_count), read_rules},
	{"flags", offsetof(struct as_profile, flags), read_strings},
	{"listenerPath", offsetof(struct as_profile, listener_path), read_string},
	{"listenerMetadata", offsetof(struct as_profile, listener_metadata), read_string},
};

/* Once decoded, the names are looked up, as runc looks up what Docker
 * passes on: only the last of repeated keys counts. */
static int finish_choice(struct parser *p, const struct as_name_table *table, struct as_choice *choice)
{
	const struct as_name *found;
	int r;

	choice->present = choice->name.len > 0;
	if (!choice->present)
		return 0;
	choice->pos = choice->name.pos;
	r = as_name_lookup(table, choice->name.ptr, choice->name.len, choice->name.pos, &found, p->err);
	if (r == 0)
		choice->value = found->value;
	return r;
}

/* As finish_choice, but a name TABLE lacks is left for as_choice_known. */
static void finish_choice_later(const struct as_name_table *table, struct as_choice *choice)
{
	const struct as_name *found;
	struct as_error unknown;

	choice->present = choice->name.len > 0;
	choice->pos = choice->name.pos;
	choice->value = AS_CHOICE_UNKNOWN;
	if (choice->present &&
	    as_name_lookup(table, choice->name.ptr, choice->name.len, choice->name.pos, &found, &unknown) == 0)
		choice->value = found->value;
}

int as_choice_known(const struct as_name_table *table, const struct as_choice *choice, struct as_error *err)
{
	const struct as_name *unused;

	if (choice->value != AS_CHOICE_UNKNOWN)
		return 0;
	return as_name_lookup(table, choice->name.ptr, choice->name.len, choice->name.pos, &unused, err);
}

static int finish_choices(struct parser *p, const struct as_name_table *table, const struct as_strings *list)
{
	const struct as_name *unused;
	int r = 0;

	for (unsigned int k = 0; r == 0 && k < list->count; k++) {
		struct as_str name = as_profile_string(p->profile, list, k);
		r = as_name_lookup(table, name.ptr, name.len, name.pos, &unused, p->err);
	}
	return r;
}

/* Podman's errno strings, a decimal number or a name such as "ENOSYS",
 * override the number where given. */
static int finish_errno(struct parser *p, const struct as_str *name, const struct as_number *number,
			struct as_number *ret)
{
	const struct as_name *found;
	uint64_t value;
	int r;

	*ret = *number;
	if (name->len == 0)
		return 0;
	/* A number too large for any errno is left for the range check to refuse. */
	r = as_parse_decimal(name->ptr, name->len, UINT64_MAX, &value);
	if (r == -ERANGE)
		value = UINT64_MAX;
	if (r == -EINVAL) {
		r = as_name_lookup(&as_errno_names, name->ptr, name->len, name->pos, &found, p->err);
		if (r < 0)
			return r;
		value = found->value;
	}
	*ret = (struct as_number){true, value, name->pos};
	return 0;
}

static int finish_args(struct parser *p, const struct as_rule *rule)
{
	int r = 0;

	for (unsigned int k = 0; r == 0 && k < rule->args.count; k++) {
		struct as_arg *arg = &p->profile->args[rule->args.first + k];
		finish_choice_later(&as_operator_names, &arg->op);
		if (!arg->op.present)
			r = as_error_set(p->err, -EINVAL, arg->pos, "argument has no \"op\"");
	}
	return r;
}

/* The legacy single "name" becomes a list of one, so that it reads as
 * "names"; an empty name is no name, as in Docker. */
static int finish_legacy_name(struct parser *p, struct as_rule *rule)
{
	struct as_profile *profile = p->profile;

	/* check_profile has refused a rule with both. */
	if (rule->name.len == 0)
		return 0;
	if (profile->string_count == AS_JSON_MAX_TOKENS)
		return as_error_set(p->err, -E2BIG, rule->name.pos, "profile has too many strings");
	profile->strings[profile->string_count] = rule->name;
	rule->names = (struct as_strings){profile->string_count++, 1, rule->name.pos, 1, 1};
	return 0;
}

static int finish_rule(struct parser *p, struct as_rule *rule)
{
	int r = finish_legacy_name(p, rule);

	finish_choice_later(&as_action_names, &rule->action);
	if (r == 0 && !rule->action.present)
		r = as_error_set(p->err, -EINVAL, rule->pos, "rule has no \"action\"");
	if (r == 0)
		r = finish_errno(p, &rule->errno_name, &rule->errno_ret, &rule->errno_value);
	if (r == 0)
		r = finish_args(p, rule);
	return r;
}

static int finish_profile(struct parser *p)
{
	struct as_profile *profile = p->profile;
	int r = finish_choice(p, &as_action_names, &profile->default_action);

	if (r == 0)
		r = finish_errno(p, &profile->default_errno_name, &profile->default_errno_ret,
				 &profile->default_errno_value);
	if (r == 0)
		r = finish_choices(p, &as_arch_names, &profile->architectures);
	if (r == 0)
		r = finish_choices(p, &as_flag_names, &profile->flags);
	/* Docker reads only the archMap entry of its own architecture: another
	 * entry may name architectures this libseccomp does not know (value 0,
	 * which no host has), and the sub-architectures are checked where
	 * resolve takes the entry. */
	for (unsigned int k = 0; r == 0 && k < profile->arch_map_count; k++) {
		struct as_choice *arch = &profile->arch_map[k].architecture;
		const struct as_name *found;
		struct as_error unknown;
		arch->present = arch->name.len > 0;
		arch->pos = arch->name.pos;
		if (arch->present && as_name_lookup(&as_arch_names, arch->name.ptr, arch->name.len, arch->pos, &found,
						    &unknown) == 0)
			arch->value = found->value;
	}
	for (unsigned int k = 0; r == 0 && k < profile->rule_count; k++)
		r = finish_rule(p, &profile->rules[k]);
	return r;
}

static int check_profile(struct parser *p)
{
	const struct as_profile *profile = p->profile;

	/* Docker treats these as "no filter at all"; a security tool that is
	 * asked for a filter refuses rather than run the program unconfined. */
	if (profile->default_action.name.len == 0 && profile->rule_count == 0)
		return as_error_set(p->err, -EINVAL, token_pos(p, 0),
				    "profile has no defaultAction and no syscalls, which Docker runs unconfined "
				    "(to run unconfined, set SECCOMP_PROFILE=unconfined)");
	if (profile->architectures.count > 0 && profile->arch_map_count > 0)
		return as_error_set(p->err, -EINVAL, profile->architectures.pos,
				    "both 'architectures' and 'archMap' are specified (use either 'architectures' "
				    "or 'archMap')");
	for (unsigned int k = 0; k < profile->rule_count; k++)
		if (profile->rules[k].name.len > 0 && profile->rules[k].names.count > 0)
			return as_error_set(p->err, -EINVAL, profile->rules[k].name.pos,
					    "rule has both \"name\" and \"names\" (use either 'name' or 'names')");
	return 0;
}

int as_profile_parse(const struct as_json *json, struct as_profile *ret, struct as_error *err)
{
	struct parser p = {json, ret, err};
	int r;

	memset(ret, 0, offsetof(struct as_profile, arch_map));
	ret->json = json;
	ret->arch_map_count = ret->arch_map_capacity = ret->arch_map_stored = 0;
	ret->rule_count = ret->rule_capacity = ret->rule_stored = 0;
	ret->arg_count = ret->string_count = 0;
	ret->decoded_len = 0;
	if (is_null(&p, 0))
		return as_error_set(err, -EINVAL, 0,
				    "profile is null, which Docker runs unconfined "
				    "(to run unconfined, set SECCOMP_PROFILE=unconfined)");
	r = read_object(&p, 0, profile_fields, sizeof(profile_fields) / sizeof(profile_fields[0]), ret);
	if (r == 0)
		r = check_profile(&p);
	if (r == 0)
		r = finish_profile(&p);
	if (r == 0 && !ret->default_action.present)
		r = as_error_set(err, -EINVAL, token_pos(&p, 0), "profile has no \"defaultAction\"");
	return r;
}

bool as_str_to_cstr(struct as_str str, char *buf, size_t size)
{
	const char *nul = memchr(str.ptr, '\0', str.len);
	size_t len = nul != NULL ? (size_t)(nul - str.ptr) : str.len;

	if (len >= size)
		return false;
	memcpy(buf, str.ptr, len);
	buf[len] = '\0';
	return true;
}

struct as_str as_profile_string(const struct as_profile *profile, const struct as_strings *list, unsigned int k)
{
	return profile->strings[list->first + k];
}
