/* A smaller program with exactly the decisions of libseccomp's: the
 * syscall-number dispatch rebuilt as a balanced range tree, with short
 * chains of JEQs for single numbers among neighbours that decide alike, the
 * argument checks copied as they are.  The kernel's cost to attach a filter grows
 * with its length, so every start pays for libseccomp's size. */
#ifndef AS_OPTIMIZE_H
#define AS_OPTIMIZE_H

#include <stdbool.h>

#include "program.h"

/* Rewrite BPF in place when the rewrite is shorter, and return true.  Leave
 * it as it is and return false when it is not, or when the program has a
 * shape this rewrite does not prove: the input is always a correct answer.
 * The audit architecture FIRST_ARCH, the host's own, gets the shortest path.
 * *REWRITE_LEN is set to the rewrite's length, or to 0 when none could be
 * built: the input's shape changes it only through the argument checks it
 * copies. */
bool as_optimize(struct as_bpf *bpf, uint32_t first_arch, unsigned int *rewrite_len);

#endif
