/* Prints what autoseccomp's first stages read from a profile file (the JSON
 * stage, then the profile view: what `autoseccomp check` runs first) as one
 * line of canonical JSON, the same form tests/go-decode/main.go prints for
 * Go's reading, so that test_12_go_decoder.py compares the two byte for
 * byte: {"ok":true,"profile":{...}}, or {"ok":false,"error":"..."}. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "json.h"
#include "profile.h"
#include "source.h"

static char text[AS_SOURCE_MAX_BYTES];
static struct as_token tokens[AS_JSON_MAX_TOKENS];
static struct as_profile profile;

/* Every byte outside printable ASCII, and the quote and backslash, as
 * \u00XX of the byte, as the Go program writes them. */
static void print_bytes(const char *s, size_t len)
{
	putchar('"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_str(struct as_str str)
{
	print_bytes(str.ptr, str.ptr ? str.len : 0);
}

/* A nil slice and an empty one print alike, as in the Go program. */
static void print_strings(const struct as_strings *list)
{
	putchar('[');
	for (unsigned int k = 0; k < list->count; k++) {
		if (k > 0)
			putchar(',');
		print_str(as_profile_string(&profile, list, k));
	}
	putchar(']');
}

static void print_number(const struct as_number *n)
{
	if (n->present)
		printf("%" PRIu64, n->value);
	else
		fputs("null", stdout);
}

static void print_condition(const struct as_condition *cond)
{
	fputs("{\"caps\":", stdout);
	print_strings(&cond->caps);
	fputs(",\"arches\":", stdout);
	print_strings(&cond->arches);
	fputs(",\"minKernel\":", stdout);
	if (cond->min_kernel.present)
		printf("\"%u.%u\"", cond->min_kernel.major, cond->min_kernel.minor);
	else
		fputs("null", stdout);
	putchar('}');
}

static void print_rule(const struct as_rule *rule)
{
	static const struct as_strings none;

	fputs("{\"name\":", stdout);
	print_str(rule->name);
	/* The view reads a legacy name as "names", which Docker's check left empty. */
	fputs(",\"names\":", stdout);
	print_strings(rule->name.len > 0 ? &none : &rule->names);
	fputs(",\"action\":", stdout);
	print_str(rule->action.name);
	fputs(",\"errnoRet\":", stdout);
	print_number(&rule->errno_ret);
	fputs(",\"errno\":", stdout);
	print_str(rule->errno_name);
	fputs(",\"args\":[", stdout);
	for (unsigned int k = 0; k < rule->args.count; k++) {
		const struct as_arg *arg = &profile.args[rule->args.first + k];
		printf("%s{\"index\":%" PRIu64 ",\"value\":%" PRIu64 ",\"valueTwo\":%" PRIu64 ",\"op\":", k ? "," : "",
		       arg->index.value, arg->value.value, arg->value_two.value);
		print_str(arg->op.name);
		putchar('}');
	}
	fputs("],\"includes\":", stdout);
	print_condition(&rule->includes);
	fputs(",\"excludes\":", stdout);
	print_condition(&rule->excludes);
	putchar('}');
}

static void print_profile(void)
{
	fputs("{\"defaultAction\":", stdout);
	print_str(profile.default_action.name);
	fputs(",\"defaultErrnoRet\":", stdout);
	print_number(&profile.default_errno_ret);
	fputs(",\"defaultErrno\":", stdout);
	print_str(profile.default_errno_name);
	fputs(",\"architectures\":", stdout);
	print_strings(&profile.architectures);
	fputs(",\"archMap\":[", stdout);
	for (unsigned int k = 0; k < profile.arch_map_count; k++) {
		fputs(k ? ",{\"architecture\":" : "{\"architecture\":", stdout);
		print_str(profile.arch_map[k].architecture.name);
		fputs(",\"subArchitectures\":", stdout);
		print_strings(&profile.arch_map[k].sub_architectures);
		putchar('}');
	}
	fputs("],\"syscalls\":[", stdout);
	for (unsigned int k = 0; k < profile.rule_count; k++) {
		if (k > 0)
			putchar(',');
		print_rule(&profile.rules[k]);
	}
	fputs("],\"flags\":", stdout);
	print_strings(&profile.flags);
	fputs(",\"listenerPath\":", stdout);
	print_str(profile.listener_path);
	fputs(",\"listenerMetadata\":", stdout);
	print_str(profile.listener_metadata);
	putchar('}');
}

int main(int argc, char **argv)
{
	struct as_source source;
	struct as_json json;
	struct as_error err = {0};
	char message[1024];
	int fd, r;

	if (argc != 2) {
		fprintf(stderr, "usage: profile-decode PROFILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	/* An empty file is refused here, as the command refuses it. */
	source = (struct as_source){.text = text};
	r = as_source_read(fd, argv[1], text, sizeof(text), &source, &err);
	if (r == 0)
		r = as_json_parse(source.text, source.len, tokens, AS_JSON_MAX_TOKENS, &json, &err);
	if (r == 0)
		r = as_profile_parse(&json, &profile, &err);
	if (r < 0) {
		as_error_locate(&err, argv[1], source.text, source.len);
		as_error_format(&err, message, sizeof(message));
		fputs("{\"ok\":false,\"error\":", stdout);
		print_bytes(message, strlen(message));
		puts("}");
		return 0;
	}
	fputs("{\"ok\":true,\"profile\":", stdout);
	print_profile();
	puts("}");
	return 0;
}
