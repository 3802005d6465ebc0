/* Scope-bound release of resources, so early returns cannot leak them. */
#ifndef AS_CLEANUP_H
#define AS_CLEANUP_H

#include <unistd.h>

static inline void as_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

#define _cleanup_close_ __attribute__((cleanup(as_closep)))

/* Hand a descriptor out of a _cleanup_close_ scope. */
#define TAKE_FD(fd)                   \
	({                            \
		int taken_fd_ = (fd); \
		(fd) = -1;            \
		taken_fd_;            \
	})

#endif
