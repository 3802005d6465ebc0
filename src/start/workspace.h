/* The memory one start works in, owned by the driver that runs the stages
 * and handed down to each: the stages keep nothing of their own between
 * calls, so what one call leaves can reach the next only through here.
 * Large: a driver maps it (scratch.h) or keeps it in .bss, and a start
 * touches only the pages it uses. */
#ifndef AS_WORKSPACE_H
#define AS_WORKSPACE_H

#include "cache.h"
#include "pipeline.h"
#include "source.h"
#include "supervisor.h"

struct as_workspace {
	char text[AS_SOURCE_MAX_BYTES];    /* a profile file's bytes (source.h) */
	union as_cache_entry cache_entry;  /* an entry read or built (cache.h) */
	struct as_pipeline pipeline;       /* the stages, from bytes to a program */
	/* Report and audit modes: the pipeline's program with its denials
	 * diverted, and the program as runc has it built, which its supervisor
	 * decides them from. */
	struct as_bpf diverted, explained;
	struct as_supervision supervision;
};

#endif
