/* The stages in a row, from a profile's bytes to its BPF program, shared by
 * the library, the command and the build's precompiler. */
#ifndef AS_PIPELINE_H
#define AS_PIPELINE_H

#include "filter.h"
#include "error.h"
#include "json.h"
#include "optimize.h"
#include "profile.h"
#include "resolve.h"
#include "source.h"

/* Everything one profile goes through on its way to a BPF program.  Large:
 * callers keep it in static storage or scratch memory (scratch.h), so no
 * heap is needed before a filter. */
struct as_pipeline {
	struct as_token tokens[AS_JSON_MAX_TOKENS];
	struct as_json json;
	struct as_profile profile;
	struct as_host host;
	struct as_resolved resolved;
	struct as_bpf bpf;
	struct as_optimizer optimizer; /* the rewrite's working memory */
};

/* Run the stages from SOURCE's bytes to PIPELINE->bpf, for the host the
 * caller put in PIPELINE->host: libseccomp's program as runc has it built,
 * with the probe's answers in its stub (probe.h).  Both entries return
 * programs sealed: nothing may change one after. */
int as_pipeline_compile(const struct as_source *source, struct as_pipeline *pipeline, struct as_error *err);

/* The same, to the program autoseccomp installs: libseccomp's linear program
 * rewritten (optimize.h).  Where the rewrite is not shorter than that, the
 * program as runc has it built, or its rewrite if that is shorter. */
int as_pipeline_optimized(const struct as_source *source, struct as_pipeline *pipeline, struct as_error *err);

/* The program autoseccomp installs, in place of the one as_pipeline_compile
 * left in PIPELINE->bpf, from what that already read and resolved: for
 * whoever needs both programs of one profile. */
int as_pipeline_reoptimized(struct as_pipeline *pipeline, struct as_error *err);

#endif
