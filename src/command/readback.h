/* Programs read back, for dump: from the bytes compile wrote, or from the
 * filters the kernel holds for a running process. */
#ifndef AS_READBACK_H
#define AS_READBACK_H

#include <sys/types.h>

#include "error.h"
#include "program.h"

/* The raw program in the LEN BYTES of a file compile wrote: 8 bytes an
 * instruction. */
int as_readback_bytes(const void *bytes, size_t len, struct as_bpf *ret, struct as_error *err);

/* Each filter of process PID, the most recent first, into BPF and then to
 * EACH with its index.  Needs CAP_SYS_ADMIN, and a caller under no seccomp
 * filter of its own; the process is interrupted while it is read, and sees
 * nothing of it afterwards. */
int as_readback_process(pid_t pid, struct as_bpf *bpf, void (*each)(const struct as_bpf *bpf, unsigned int index),
			struct as_error *err);

#endif
