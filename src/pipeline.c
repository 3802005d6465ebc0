#include "pipeline.h"

__attribute__((weak)) int as_libseccomp_load(struct as_error *err)
{
	(void)err;
	return 0;
}

int as_pipeline_compile(const struct as_source *source, struct as_pipeline *pl, struct as_error *err)
{
	int r;

	r = as_libseccomp_load(err);
	if (r == 0)
		r = as_json_parse(source->text, source->len, pl->tokens, AS_JSON_MAX_TOKENS, &pl->json, err);
	if (r == 0)
		r = as_profile_parse(&pl->json, &pl->profile, err);
	if (r == 0)
		r = as_resolve(&pl->profile, &pl->host, &pl->resolved, err);
	if (r == 0)
		r = as_bpf_compile(&pl->resolved, &pl->host, &pl->bpf, err);
	return r;
}
