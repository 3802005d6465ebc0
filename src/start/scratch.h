/* Working memory for the paths that compile a profile or read the cache:
 * mapped the first time it is needed and kept for the life of the process,
 * never from the heap.  In .bss, its 1.6 MB would cost every process that
 * loads the library a mapping more (for the part of .bss beyond the file),
 * a built-in start that needs none of it included. */
#ifndef AS_SCRATCH_H
#define AS_SCRATCH_H

#include <stddef.h>

/* SIZE new zeroed bytes, or NULL with errno set.  Callers keep what they
 * get for next time, and hold what serialises their use of it. */
void *as_scratch(size_t size);

#endif
