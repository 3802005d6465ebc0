/* libFuzzer target: the whole compile, from a profile's bytes to the BPF
 * program autoseccomp installs, for one fixed host, as the command runs it;
 * and for a program with a listener, the message its agent would get. */
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "agent.h"
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
	if (as_pipeline_optimized(&source, &pipeline, &err) == 0 &&
	    (pipeline.bpf.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)) {
		/* Resolve's bound must keep every message within what runc's
		 * agent reads, for the largest pid the kernel gives. */
		char message[AS_AGENT_MESSAGE_SIZE];
		if (as_agent_message(&pipeline.bpf.listener, 4194304, message, sizeof(message)) >= sizeof(message))
			__builtin_trap();
	}
	return 0;
}
