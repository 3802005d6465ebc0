/* libFuzzer target: the whole compile, from a profile's bytes to the BPF
 * program autoseccomp installs, for one fixed host, as the command runs it. */
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pipeline.h"

static struct as_pipeline pipeline;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct as_source source = {.kind = AS_SOURCE_FILE, .name = "fuzz", .text = (const char *)data, .len = size,
				   .fd = -1};
	struct as_error err;

	if (size == 0 || size > 65536)
		return 0;
	/* amd64, Docker's default capabilities and a known kernel: rules with
	 * includes and excludes are decided, not refused. */
	pipeline.host = (struct as_host){.arch_name = "amd64", .native_arch = SCMP_ARCH_X86_64,
					 .permitted = 0xa80425fbull, .effective = 0xa80425fbull,
					 .kernel_known = true, .kernel_major = 6, .kernel_minor = 1,
					 .kernel_release = "6.1.0-fuzz"};
	as_pipeline_optimized(&source, &pipeline, &err);
	return 0;
}
