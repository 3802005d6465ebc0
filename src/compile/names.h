/* Name tables: the strings a profile may use for actions, operators,
 * architectures, flags and capabilities, and what each one means. */
#ifndef AS_NAMES_H
#define AS_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Names are held in place, not pointed to: a table of pointers would need
 * a relocation per entry, and a page of the shared object written at every
 * load.  The longest name, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, has 38
 * characters. */
#define AS_NAME_MAX 40

struct as_name {
	char name[AS_NAME_MAX];
	uint64_t value;
};

struct as_name_table {
	const char *what; /* for messages: "action", "operator", ... */
	const struct as_name *names;
	size_t count;
};

/* The entry named exactly S (LEN bytes), or NULL. */
const struct as_name *as_name_find(const struct as_name_table *table, const char *s, size_t len);

/* Like as_name_find, but an unknown name is an error at OFFSET that lists
 * the names the table knows. */
int as_name_lookup(const struct as_name_table *table, const char *s, size_t len, size_t offset,
		   const struct as_name **ret, struct as_error *err);

/* The entry whose value is VALUE, or NULL. */
const struct as_name *as_name_of_value(const struct as_name_table *table, uint64_t value);

extern const struct as_name_table as_action_names;     /* value: libseccomp action, errno 0 */
extern const struct as_name_table as_operator_names;   /* value: enum scmp_compare */
extern const struct as_name_table as_arch_names;       /* value: libseccomp arch token, 0 if unsupported */
extern const struct as_name_table as_flag_names;       /* value: SECCOMP_FILTER_FLAG_* */
extern const struct as_name_table as_capability_names; /* value: capability number */
extern const struct as_name_table as_docker_capability_names; /* Docker's default set, as above */
extern const struct as_name_table as_errno_names;      /* value: errno */

/* A set of capabilities as the command's --caps and AUTOSECCOMP_CAPS write
 * it: "none" (or nothing), or "all", "docker" (Docker's default set) and
 * CAP_ names, joined by commas, into a mask of capability numbers. */
int as_capability_set_parse(const char *spec, uint64_t *ret, struct as_error *err);

#endif
