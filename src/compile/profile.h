/* Stage 3: the profile view.  Docker's format read from the tokens, checked
 * as Docker's decoder and runc check it; strings point into the profile's
 * bytes and every element keeps its position for messages. */
#ifndef AS_PROFILE_H
#define AS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "json.h"
#include "source.h"

#define AS_PROFILE_MAX_RULES 2048
#define AS_PROFILE_MAX_ARGS 2048
#define AS_PROFILE_MAX_ARCH_MAP 64
/* Decoding never makes a string more than three times longer: a byte of
 * malformed UTF-8 becomes U+FFFD. */
#define AS_PROFILE_MAX_DECODED (3 * AS_SOURCE_MAX_BYTES)

/* A string of the profile as Go's decoder reads it, not NUL-terminated: in
 * the profile's bytes when they mean themselves, else decoded. */
struct as_str {
	const char *ptr; /* NULL when absent */
	unsigned int len;
	unsigned int pos; /* byte offset of its opening quote */
};

/* A JSON array of strings: as_profile.strings[first .. first + count - 1].
 * CAPACITY and STORED keep the array as Go's decoder keeps a slice, which a
 * repeated key decodes into again in place (profile.c). */
struct as_strings {
	unsigned int first;
	unsigned int count;
	unsigned int pos;
	unsigned int capacity; /* Go's cap() of the slice */
	unsigned int stored;   /* elements kept at FIRST: COUNT and those past it up to CAPACITY */
};

struct as_number {
	bool present;
	uint64_t value;
	unsigned int pos;
};

/* A name found in one of the tables of names.h, looked up once the whole
 * profile is decoded: only the last of repeated keys is a choice.  An empty
 * string is no choice, as in Go, where it is the zero value. */
struct as_choice {
	bool present;
	uint64_t value; /* AS_CHOICE_UNKNOWN for a name the table lacks, where that is checked later */
	unsigned int pos;
	struct as_str name; /* as written, decoded */
};

/* A rule's action or operator that names nothing known: Docker hands runc
 * only the rules it keeps, so such a name fails the profile only in a rule
 * this host keeps (as_choice_known). */
#define AS_CHOICE_UNKNOWN UINT64_MAX

struct as_name_table;

/* 0 where CHOICE names an entry of TABLE; else the error as_name_lookup
 * gives, in ERR. */
int as_choice_known(const struct as_name_table *table, const struct as_choice *choice, struct as_error *err);

/* Docker's "MAJOR.MINOR"; "" reads as 0.0, which every kernel satisfies. */
struct as_kernel_version {
	bool present;
	unsigned int major, minor;
};

/* Docker's *Filter: PRESENT once an object was decoded into it. */
struct as_condition {
	bool present;
	struct as_strings caps;
	struct as_strings arches;
	struct as_kernel_version min_kernel;
	unsigned int pos;
};

/* A rule's argument conditions: as_profile.args[first .. first + count - 1],
 * kept as a slice as struct as_strings is. */
struct as_arg_range {
	unsigned int first, count;
	unsigned int capacity, stored;
};

struct as_arg {
	struct as_number index;
	struct as_number value;
	struct as_number value_two;
	struct as_choice op;
	unsigned int pos;
};

struct as_rule {
	struct as_strings names; /* "names", or the legacy "name" as one element */
	struct as_str name;      /* the legacy "name"; "" is none */
	struct as_choice action;
	struct as_number errno_ret;   /* "errnoRet" */
	struct as_str errno_name;     /* Podman's "errno", a number or a name; "" is none */
	struct as_number errno_value; /* what the rule returns: "errno" where given, else "errnoRet" */
	struct as_arg_range args;
	struct as_condition includes, excludes;
	unsigned int pos;
};

struct as_arch_map_entry {
	struct as_choice architecture;
	struct as_strings sub_architectures;
	unsigned int pos;
};

struct as_profile {
	const struct as_json *json;
	struct as_choice default_action;
	struct as_number default_errno_ret;   /* "defaultErrnoRet" */
	struct as_str default_errno_name;     /* Podman's "defaultErrno", a number or a name; "" is none */
	struct as_number default_errno_value; /* "defaultErrno" where given, else "defaultErrnoRet" */
	struct as_strings architectures;
	struct as_strings flags;
	struct as_str listener_path;
	struct as_str listener_metadata;
	/* The arrays of objects, each of them a slice as struct as_strings is,
	 * kept at the start of its table. */
	struct as_arch_map_entry arch_map[AS_PROFILE_MAX_ARCH_MAP];
	unsigned int arch_map_count, arch_map_capacity, arch_map_stored;
	struct as_rule rules[AS_PROFILE_MAX_RULES];
	unsigned int rule_count, rule_capacity, rule_stored;
	struct as_arg args[AS_PROFILE_MAX_ARGS];
	unsigned int arg_count;
	struct as_str strings[AS_JSON_MAX_TOKENS];
	unsigned int string_count;
	/* The strings that do not mean their bytes, decoded; mapped memory
	 * untouched until a profile has one. */
	char decoded[AS_PROFILE_MAX_DECODED];
	size_t decoded_len;
};

/* Read the profile in JSON into RET.  On error RET is left partly written. */
int as_profile_parse(const struct as_json *json, struct as_profile *ret, struct as_error *err);

/* STR as a C string in BUF, as C reads it: up to its first NUL, which is
 * where Go's C.CString, and so libseccomp under runc, ends a name.  False
 * when that does not fit, which for a syscall name means it cannot be one. */
bool as_str_to_cstr(struct as_str str, char *buf, size_t size);

/* Element K of the string array LIST. */
struct as_str as_profile_string(const struct as_profile *profile, const struct as_strings *list, unsigned int k);

#endif
