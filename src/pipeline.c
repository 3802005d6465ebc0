#include "pipeline.h"

#include "optimize.h"

__attribute__((weak)) int as_libseccomp_load(struct as_error *err)
{
	(void)err;
	return 0;
}

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

	return r < 0 ? r : as_bpf_compile(&pl->resolved, &pl->host, AS_BPF_AS_RUNC, &pl->bpf, err);
}

int as_pipeline_optimized(const struct as_source *source, struct as_pipeline *pl, struct as_error *err)
{
	_cleanup_bpf_filter_ struct as_bpf_filter filter = {0};
	unsigned int rewrite_len = 0;
	int r = resolve(source, pl, err);

	if (r == 0)
		r = as_bpf_filter_open(&pl->resolved, &pl->host, &filter, err);
	if (r == 0)
		r = as_bpf_export(&filter, AS_BPF_LINEAR, &pl->bpf, err);
	if (r < 0 || as_optimize(&pl->bpf, pl->host.native_arch, &rewrite_len) ||
	    !as_bpf_shapes_differ(&pl->resolved))
		return r;
	/* Declined: libseccomp's program in the shape that costs the kernel
	 * least to attach and to run, which the rewrite may still beat. */
	r = as_bpf_export(&filter, AS_BPF_AS_RUNC, &pl->bpf, err);
	if (r == 0 && rewrite_len > 0 && rewrite_len < pl->bpf.len)
		as_optimize(&pl->bpf, pl->host.native_arch, &rewrite_len);
	return r;
}
