/* A preload that does with a profile what runc and crun do: compile it with
 * libseccomp at every start and install libseccomp's program, with runc's
 * ENOSYS stub; no rewrite, no cache.  make bench sets autoseccomp's first
 * start of a profile beside it.  The profile is named by PEER_PROFILE. */
#include <stdlib.h>
#include <unistd.h>

#include "install.h"
#include "pipeline.h"

static struct as_pipeline pipeline;
static char text[AS_SOURCE_MAX_BYTES];

__attribute__((constructor)) static void install(void)
{
	struct as_builtin none = {0};
	struct as_source source;
	struct as_program program;
	struct as_error err;

	if (as_source_open(getenv("PEER_PROFILE"), &none, &source, &err) < 0 || as_source_text(&source, text, &err) < 0 ||
	    as_host_detect(&pipeline.host, &err) < 0 || as_pipeline_compile(&source, &pipeline, &err) < 0)
		_exit(125);
	program = as_bpf_program(&pipeline.bpf);
	if (as_install(&program, &pipeline.host, NULL, &err) < 0)
		_exit(125);
}
