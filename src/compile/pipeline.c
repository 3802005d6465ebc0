#include "pipeline.h"

#include "libseccomp.h"
#include "probe.h"

static int resolve(const struct as_source *source, struct as_pipeline *pl, struct as_error *err)
{
	int r;

	r = as_libseccomp_load(err);
	if (r == 0)
		r = as_json_parse(source->text, source->len, pl->tokens, AS_JSON_MAX_TOKENS, &pl->json, err);
	if (r == 0)
		r = as_profile_parse(&pl->json, &pl->profile, err);
	if (r == 0)
		r = as_resolve(&pl->profile, &pl->host, &pl->resolved, err);
	return r;
}

int as_pipeline_compile(const struct as_source *source, struct as_pipeline *pl, struct as_error *err)
{
	int r = resolve(source, pl, err);

	if (r == 0)
		r = as_bpf_compile(&pl->resolved, &pl->host, AS_BPF_AS_RUNC, &pl->bpf, err);
	if (r == 0)
		as_probe_seal(&pl->bpf);
	return r;
}

/* Whether argument checks make the rewrite lose: each one costs it a jump
 * and returns of its own besides its place in the tree, where libseccomp's
 * program has it inline.  Of 300 random profiles in Docker's shapes, the 71
 * with checks on more than one name in six were all declined, and none of
 * their programs as runc has them built was longer than its rewrite (at one
 * in seven, two were: 464 instructions against 316, and 291 against 268).
 * Docker's and Podman's profiles check under one name in 50. */
static bool checks_dominate(const struct as_resolved *resolved)
{
	unsigned int checked = 0;

	for (unsigned int i = 0; i < resolved->rule_count; i++)
		checked += resolved->rules[i].condition_count > 0 ? resolved->rules[i].name_count : 0;
	return checked * 6 > resolved->name_count;
}

/* libseccomp's program in SHAPE, in PL->bpf, then its rewrite where that is
 * shorter: whether it was rewritten, in *RET_REWRITTEN.  *REWRITE_LEN, as
 * as_optimize sets it. */
static int export_rewritten(const struct as_bpf_filter *filter, enum as_bpf_shape shape, struct as_pipeline *pl,
			    unsigned int *rewrite_len, bool *ret_rewritten, struct as_error *err)
{
	int r = as_bpf_export(filter, shape, &pl->bpf, err);

	*ret_rewritten = r == 0 && as_optimize(&pl->bpf, pl->host.native_arch, &pl->optimizer, rewrite_len);
	return r;
}

/* The program to install, in PL->bpf, unsealed: the shortest of the
 * candidates, each deciding as libseccomp's program for runc does (the
 * rewrite proves itself against its input):
 *
 *   runc's tree           where argument checks dominate and the shapes
 *                         differ: the rewrite would lose, and nothing else
 *                         is built, so such a profile's first start costs
 *                         what runc's compile does;
 *   the linear rewritten  otherwise, first: the rewrite of the linear
 *                         program, when it is shorter than that;
 *   the linear program    declined, where it is runc's own program;
 *   runc's tree           declined, where the shapes differ: in the shape
 *                         that costs the kernel least to attach and to run,
 *   or its rewrite        which the rewrite may still beat; tried only when
 *                         the linear one's rewrite was shorter than the tree.
 *
 * Each is built only when those before it lost: a start exports and
 * rewrites at most twice. */
static int optimized(struct as_pipeline *pl, struct as_error *err)
{
	_cleanup_bpf_filter_ struct as_bpf_filter filter = {0};
	unsigned int rewrite_len = 0;
	bool shapes_differ, rewritten = false;
	int r = as_bpf_filter_open(&pl->resolved, &pl->host, &filter, err);

	if (r < 0)
		return r;
	shapes_differ = as_bpf_shapes_differ(&pl->resolved);
	if (checks_dominate(&pl->resolved) && shapes_differ)
		return as_bpf_export(&filter, AS_BPF_AS_RUNC, &pl->bpf, err);
	r = export_rewritten(&filter, AS_BPF_LINEAR, pl, &rewrite_len, &rewritten, err);
	if (r < 0 || rewritten || !shapes_differ)
		return r;
	r = as_bpf_export(&filter, AS_BPF_AS_RUNC, &pl->bpf, err);
	if (r == 0 && rewrite_len > 0 && rewrite_len < pl->bpf.len)
		as_optimize(&pl->bpf, pl->host.native_arch, &pl->optimizer, &rewrite_len);
	return r;
}

int as_pipeline_optimized(const struct as_source *source, struct as_pipeline *pl, struct as_error *err)
{
	int r = resolve(source, pl, err);

	return r < 0 ? r : as_pipeline_reoptimized(pl, err);
}

int as_pipeline_reoptimized(struct as_pipeline *pl, struct as_error *err)
{
	int r = optimized(pl, err);

	if (r == 0)
		as_probe_seal(&pl->bpf);
	return r;
}
