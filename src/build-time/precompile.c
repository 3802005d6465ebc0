/* Build tool: compiles profiles/default.json for each capability state the
 * library ships precompiled, and writes them as a C header.
 *
 *   precompile PROFILE.json > precompiled.h
 *
 * A state is the set of capabilities, among those the profile names, that a
 * process holds; the kernel is taken to be new enough for every minKernel the
 * profile names, and the library checks that at run time. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "pipeline.h"
#include "verify.h"

static struct as_pipeline pipeline;
static char text[AS_SOURCE_MAX_BYTES];

/* The capabilities the profile's includes and excludes name, as a mask. */
static uint64_t named_caps(const struct as_profile *profile)
{
	uint64_t mask = 0;

	for (unsigned int i = 0; i < profile->rule_count; i++) {
		const struct as_strings *lists[] = {&profile->rules[i].includes.caps, &profile->rules[i].excludes.caps};
		for (unsigned int l = 0; l < 2; l++)
			for (unsigned int k = 0; k < lists[l]->count; k++) {
				struct as_str name = as_profile_string(profile, lists[l], k);
				const struct as_name *cap = as_name_find(&as_capability_names, name.ptr, name.len);
				if (cap != NULL)
					mask |= 1ull << cap->value;
			}
	}
	return mask;
}

/* The newest kernel any minKernel asks for. */
static void newest_kernel(const struct as_profile *profile, unsigned int *major, unsigned int *minor)
{
	*major = *minor = 0;
	for (unsigned int i = 0; i < profile->rule_count; i++) {
		const struct as_kernel_version *v[] = {&profile->rules[i].includes.min_kernel,
							&profile->rules[i].excludes.min_kernel};
		for (unsigned int k = 0; k < 2; k++)
			if (v[k]->present && (v[k]->major > *major || (v[k]->major == *major && v[k]->minor > *minor)))
				*major = v[k]->major, *minor = v[k]->minor;
	}
}

/* The build ships the program autoseccomp installs only with the proof that
 * it decides as libseccomp's program for runc does, at every point. */
static int compile_proven(const struct as_source *source, struct as_error *err)
{
	static struct as_bpf as_runc;
	static struct as_points points;
	unsigned long count;
	long mismatches;
	int r;

	r = as_pipeline_compile(source, &pipeline, err);
	if (r < 0)
		return r;
	as_runc = pipeline.bpf;
	r = as_pipeline_optimized(source, &pipeline, err);
	if (r < 0)
		return r;
	as_points_build(&as_runc, &pipeline.bpf, &points);
	mismatches = as_verify_equal(&as_runc, &pipeline.bpf, &points, &count);
	if (mismatches != 0)
		return as_error_set(err, -EINVAL, AS_NO_POSITION,
				    "the optimized program differs from libseccomp's at %ld of %lu points", mismatches,
				    count);
	printf("/* %u instructions, %u as libseccomp built them for runc; equal at all %lu points compared. */\n",
	       pipeline.bpf.len, as_runc.len, count);
	return 0;
}

static int compile_state(const struct as_source *source, uint64_t caps, unsigned int index, struct as_error *err)
{
	int r;

	pipeline.host.permitted = pipeline.host.effective = caps;
	r = compile_proven(source, err);
	if (r < 0)
		return r;
	printf("static const struct sock_filter precompiled_%u[] = {\n", index);
	for (unsigned int i = 0; i < pipeline.bpf.len; i++) {
		const struct sock_filter *in = &pipeline.bpf.insns[i];
		printf("\t{0x%04x, %u, %u, 0x%08x},\n", in->code, in->jt, in->jf, in->k);
	}
	printf("};\n\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct as_builtin none;
	struct as_source source;
	struct as_error err;
	uint64_t mask;
	unsigned int major, minor;

	if (argc != 2) {
		fprintf(stderr, "usage: precompile PROFILE.json\n");
		return 2;
	}
	if (as_source_open(argv[1], &none, &source, &err) < 0 || as_source_text(&source, text, &err) < 0 ||
	    as_host_detect(&pipeline.host, &err) < 0 || as_pipeline_compile(&source, &pipeline, &err) < 0)
		goto fail;
	/* The table holds programs only: the agent a listener goes to is read
	 * from the profile at run time, so such a profile is compiled then. */
	if (pipeline.bpf.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		fprintf(stderr, "precompile: %s: a built-in profile cannot use SCMP_ACT_NOTIFY\n", argv[1]);
		return 1;
	}
	mask = named_caps(&pipeline.profile);
	newest_kernel(&pipeline.profile, &major, &minor);
	pipeline.host.kernel_known = true;
	pipeline.host.kernel_major = major;
	pipeline.host.kernel_minor = minor;
	printf("/* Generated from %s by precompile: do not edit. */\n\n", argv[1]);
	/* The two states of every process outside a container: no capabilities,
	 * and root's full set. */
	if (compile_state(&source, 0, 0, &err) < 0 || compile_state(&source, mask, 1, &err) < 0)
		goto fail;
	printf("static const uint64_t precompiled_caps_mask = 0x%llxull;\n", (unsigned long long)mask);
	printf("static const unsigned int precompiled_kernel_major = %u, precompiled_kernel_minor = %u;\n", major,
	       minor);
	printf("static const struct precompiled precompiled[] = {\n"
	       "\t{0, 0x%x, precompiled_0, sizeof(precompiled_0) / sizeof(precompiled_0[0])},\n"
	       "\t{0x%llxull, 0x%x, precompiled_1, sizeof(precompiled_1) / sizeof(precompiled_1[0])},\n};\n",
	       pipeline.bpf.flags, (unsigned long long)mask, pipeline.bpf.flags);
	return 0;
fail:
	fprintf(stderr, "precompile: %s: %s\n", argv[1], err.message);
	return 1;
}
