/* The autoseccomp command's entry: the command line read, and the command
 * it names run (cli.h). */
#include <seccomp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "autoseccomp.h"
#include "cli.h"

static const char usage_text[] =
	"usage: autoseccomp check PROFILE [--caps SET] [--kernel X.Y] [--quiet]\n"
	"       autoseccomp explain PROFILE [SYSCALL [ARG...]] [--caps SET] [--arch ARCH] [--kernel X.Y] [--json]\n"
	"       autoseccomp compile PROFILE [-o FILE] [--caps SET] [--kernel X.Y] [--plain]\n"
	"       autoseccomp compile PROFILE --install [--caps SET]\n"
	"       autoseccomp dump PROFILE [--caps SET] [--kernel X.Y] [--plain]\n"
	"       autoseccomp dump FILE.bpf | --pid PID\n"
	"       autoseccomp exec [PROFILE] [--caps SET] [--report DEST] [--audit] -- COMMAND [ARG...]\n"
	"       autoseccomp record [-o FILE] [--base PROFILE] [--append] [--caps SET] -- COMMAND [ARG...]\n"
	"       autoseccomp show builtin\n"
	"       autoseccomp embed PROFILE [--locked] [-o FILE.c]\n"
	"       autoseccomp --help | --version\n"
	"\n"
	"PROFILE is a path, 'builtin' (Docker's default policy) or '-' (standard input);\n"
	"for exec it takes SECCOMP_PROFILE's values, 'unconfined' included, and not '-'.\n"
	"SET is none, or all, docker (Docker's default 14) and CAP_ names joined by commas;\n"
	"by default this process's permitted capabilities; for exec, at most those.\n"
	"ARCH is x86_64, x86 or x32.  FILE '-', or no -o: standard output, not a terminal.\n"
	"--quiet: no warnings and no summary; the exit status tells.\n"
	"--install (root): store the program in the system cache, for other users' starts.\n"
	"--plain: libseccomp's program with runc's ENOSYS stub, not the smaller equivalent one installed.\n"
	"--report: name every call the profile denies, on DEST: stderr, syslog or an absolute path.\n"
	"--audit: deny nothing, and report what the profile would deny (to stderr without --report).\n"
	"--base: record only what PROFILE does not allow, and write PROFILE with a rule for it.\n"
	"--append: add this run to the profile -o names, which an earlier run wrote.\n";

int as_cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "autoseccomp: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_text);
	return AS_EXIT_USAGE;
}

static int take_value(int argc, char **argv, int *i, const char **ret)
{
	const char *eq = strchr(argv[*i], '=');

	if (eq != NULL) {
		*ret = eq + 1;
		return 0;
	}
	if (*i + 1 >= argc)
		return -1;
	*ret = argv[++*i];
	return 0;
}

/* An option, and where in struct as_cli_options it goes. */
struct option_field {
	const char *name;
	size_t offset;
};

/* A command: what runs it, the options it takes (each between spaces), and
 * whether words follow its PROFILE (explain's syscall and arguments). */
struct command {
	const char *name;
	int (*run)(const struct as_cli_options *, struct as_cli_profile *);
	const char *options;
	bool words;
};

static bool takes_option(const struct command *command, const char *option)
{
	size_t n = strlen(option);

	for (const char *at = strstr(command->options, option); at != NULL; at = strstr(at + 1, option))
		if (at[-1] == ' ' && at[n] == ' ')
			return true;
	return strcmp(option, "--help") == 0 || strcmp(option, "-h") == 0;
}

static int parse_option(int argc, char **argv, int *i, const struct command *command, struct as_cli_options *opts)
{
	static const struct option_field valued[] = {
		{"--caps", offsetof(struct as_cli_options, caps)},	{"--arch", offsetof(struct as_cli_options, arch)},
		{"--kernel", offsetof(struct as_cli_options, kernel)}, {"-o", offsetof(struct as_cli_options, output)},
		{"--output", offsetof(struct as_cli_options, output)}, {"--pid", offsetof(struct as_cli_options, pid)},
		{"--report", offsetof(struct as_cli_options, report)}, {"--base", offsetof(struct as_cli_options, base)},
	};

	static const struct option_field flags[] = {
		{"--json", offsetof(struct as_cli_options, json)},   {"--plain", offsetof(struct as_cli_options, plain)},
		{"--quiet", offsetof(struct as_cli_options, quiet)}, {"-q", offsetof(struct as_cli_options, quiet)},
		{"--help", offsetof(struct as_cli_options, help)},   {"-h", offsetof(struct as_cli_options, help)},
		{"--install", offsetof(struct as_cli_options, install)}, {"--locked", offsetof(struct as_cli_options, locked)},
		{"--audit", offsetof(struct as_cli_options, audit)}, {"--append", offsetof(struct as_cli_options, append)},
	};

	for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
		if (strcmp(argv[*i], flags[k].name) != 0)
			continue;
		if (!takes_option(command, flags[k].name))
			return as_cli_usage_error("%s takes no %s", command->name, flags[k].name);
		*(bool *)((char *)opts + flags[k].offset) = true;
		return 0;
	}
	for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
		size_t n = strlen(valued[k].name);
		if (strncmp(argv[*i], valued[k].name, n) != 0 || (argv[*i][n] != '\0' && argv[*i][n] != '='))
			continue;
		/* An option another command takes would be ignored here, and
		 * exec would run its command under another profile than meant. */
		if (!takes_option(command, valued[k].name))
			return as_cli_usage_error("%s takes no %s", command->name, valued[k].name);
		if (take_value(argc, argv, i, (const char **)((char *)opts + valued[k].offset)) < 0)
			return as_cli_usage_error("%s needs a value", valued[k].name);
		return 0;
	}
	return as_cli_usage_error("unknown option %s", argv[*i]);
}

static int parse_args(int argc, char **argv, const struct command *command, struct as_cli_options *opts)
{
	/* exec and record run a command, after "--". */
	bool exec = command->run == as_cli_exec || command->run == as_cli_record;
	int positional = 0;

	for (int i = 2; i < argc; i++) {
		if (exec && strcmp(argv[i], "--") == 0) {
			opts->words = argv + i + 1;
			opts->word_count = argc - i - 1;
			if (command->run == as_cli_record && opts->profile != NULL)
				return as_cli_usage_error("record takes no PROFILE: give --base PROFILE");
			return opts->word_count > 0 ? 0 : as_cli_usage_error("%s needs a command after --", opts->command);
		}
		/* A syscall argument may be negative: only PROFILE and options before it are options. */
		if (argv[i][0] == '-' && argv[i][1] != '\0' && !(positional > 1 && argv[i][1] >= '0' && argv[i][1] <= '9')) {
			int r = parse_option(argc, argv, &i, command, opts);
			if (r != 0)
				return r;
			continue;
		}
		if (positional++ == 0) {
			opts->profile = argv[i];
			continue;
		}
		/* A second profile, before exec's "--", would be dropped. */
		if (!command->words && !opts->help)
			return as_cli_usage_error("%s takes one PROFILE, and %s is another", command->name, argv[i]);
		if (opts->words == NULL)
			opts->words = argv + i;
		/* Syscall words are consecutive; options may only follow them. */
		opts->word_count = (int)(argv + i - opts->words) + 1;
	}
	if (opts->help)
		return 0;
	if (exec)
		return as_cli_usage_error("%s needs -- COMMAND", opts->command);
	if (opts->pid != NULL)
		return opts->profile == NULL && command->run == as_cli_dump
			       ? 0
			       : as_cli_usage_error("--pid is for dump, and takes no PROFILE");
	return opts->profile != NULL ? 0 : as_cli_usage_error("%s needs a PROFILE", opts->command);
}

int main(int argc, char **argv)
{
	static const struct command commands[] = {
		{"check", as_cli_check, " --caps --kernel --quiet -q ", false},
		{"explain", as_cli_explain, " --caps --arch --kernel --json ", true},
		{"compile", as_cli_compile, " -o --output --caps --kernel --plain --install ", false},
		{"dump", as_cli_dump, " --caps --kernel --plain --pid ", false},
		{"exec", as_cli_exec, " --caps --report --audit ", false},
		{"show", as_cli_show, " ", false},
		{"embed", as_cli_embed, " --locked -o --output ", false},
		{"record", as_cli_record, " -o --output --base --append --caps ", false},
	};
	static struct as_cli_profile profile;
	struct as_cli_options opts = {0};
	int r;

	if (argc < 2)
		return as_cli_usage_error("%s", "a command is needed");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("autoseccomp %s (libseccomp %u.%u.%u)\n", AUTOSECCOMP_VERSION, SCMP_VER_MAJOR, SCMP_VER_MINOR,
		       SCMP_VER_MICRO);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		opts.command = commands[i].name;
		r = parse_args(argc, argv, &commands[i], &opts);
		if (opts.help) {
			fputs(usage_text, stdout);
			return 0;
		}
		/* exec's own failures use 125, as env(1) does, so that no status of
		 * the command it runs can be mistaken for them. */
		if (r != 0 && commands[i].run == as_cli_exec)
			return AUTOSECCOMP_EXIT_FAILURE;
		if (r != 0)
			return r;
		r = commands[i].run(&opts, &profile);
		/* What a command printed is its result: a status of 0 says all of
		 * it was written. */
		if (r == 0 && (fflush(stdout) != 0 || ferror(stdout)))
			r = as_cli_cannot_write("standard output");
		return r;
	}
	return as_cli_usage_error("unknown command %s", argv[1]);
}
