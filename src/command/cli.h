/* The autoseccomp command: cli.c reads the command line and dispatches;
 * cli-commands.c runs check, compile, dump and exec; cli-explain.c runs
 * explain; cli-record.c runs record.  Each command returns its exit status. */
#ifndef AS_CLI_H
#define AS_CLI_H

#include <stdbool.h>

#include "cache.h"
#include "error.h"
#include "pipeline.h"
#include "source.h"

#define AS_EXIT_USAGE 2
#define AS_EXIT_CANNOT_EXECUTE 126
#define AS_EXIT_NOT_FOUND 127

struct as_cli_options {
	const char *command;
	const char *profile;
	const char *output;
	const char *caps;
	const char *arch;
	const char *kernel;
	const char *pid; /* dump: the process whose filters to read back */
	const char *report; /* exec: where denials are reported (supervisor.h) */
	const char *base;   /* record: the profile whose denials are recorded */
	bool json;
	bool plain; /* libseccomp's program with runc's stub, not the smaller one installed */
	bool quiet; /* check: no warnings, no summary; the status tells */
	bool help;  /* --help after the command: the usage, and nothing else */
	bool install; /* compile: into root's system cache, for other users' starts */
	bool locked;  /* embed: AUTOSECCOMP_EMBED_LOCKED */
	bool audit;   /* exec: deny nothing, report what would be denied */
	bool append;  /* record: add to the profile -o names */
	char **words; /* what follows PROFILE: a syscall and its arguments, or exec's command */
	int word_count;
};

/* The profile a command works on, and what the stages made of it: the
 * command's workspace, owned by main and handed to the command. */
struct as_cli_profile {
	/* The bytes, from standard input or the file: one more than a profile
	 * may have, to tell a longer input. */
	char text[AS_SOURCE_MAX_BYTES + 1];
	struct as_source source;
	struct as_pipeline pipeline;
	union as_cache_entry cache_entry;
};

/* Print the message and the usage; returns AS_EXIT_USAGE. */
__attribute__((format(printf, 1, 2))) int as_cli_usage_error(const char *fmt, ...);

/* Run the stages on OPTS->profile into P, up to the BPF program: the one
 * installed when INSTALLED, else libseccomp's with runc's stub.  Returns 0,
 * or the exit status, the error reported. */
int as_cli_load(const struct as_cli_options *opts, bool installed, struct as_cli_profile *p);

/* Where -o sends the output: standard output without it, or with "-". */
bool as_cli_writes_stdout(const struct as_cli_options *opts);
const char *as_cli_output_name(const struct as_cli_options *opts);

/* Report errno's failure to write NAME; returns the exit status. */
int as_cli_cannot_write(const char *name);

/* The same for the profile TEXT, called NAME, to the program installed. */
int as_cli_load_text(const struct as_cli_options *opts, const char *name, const char *text, struct as_cli_profile *p);

/* Print ERR on standard error, located in P's profile where no stage did. */
void as_cli_report(const struct as_cli_profile *p, struct as_error *err);

int as_cli_check(const struct as_cli_options *opts, struct as_cli_profile *p);
int as_cli_compile(const struct as_cli_options *opts, struct as_cli_profile *p);
int as_cli_dump(const struct as_cli_options *opts, struct as_cli_profile *p);
int as_cli_exec(const struct as_cli_options *opts, struct as_cli_profile *p);
int as_cli_explain(const struct as_cli_options *opts, struct as_cli_profile *p);
int as_cli_show(const struct as_cli_options *opts, struct as_cli_profile *p);
int as_cli_embed(const struct as_cli_options *opts, struct as_cli_profile *p);
int as_cli_record(const struct as_cli_options *opts, struct as_cli_profile *p);

#endif
