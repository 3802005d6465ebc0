/* Counts the heap allocations a process makes before main.  Preloaded
 * before the library under test, it wraps malloc and friends and prints the
 * count from its constructor, which runs after that library's. */
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

/* glibc's own entry points, so the wrappers need no dlsym (which allocates). */
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);

static unsigned long allocations;

__attribute__((visibility("default"))) void *malloc(size_t size)
{
	allocations++;
	return __libc_malloc(size);
}

__attribute__((visibility("default"))) void *calloc(size_t n, size_t size)
{
	allocations++;
	return __libc_calloc(n, size);
}

__attribute__((visibility("default"))) void *realloc(void *p, size_t size)
{
	allocations++;
	return __libc_realloc(p, size);
}

/* Preloaded libraries' constructors run in reverse order of LD_PRELOAD:
 * listed first, this one runs last, after the library under test. */
__attribute__((constructor)) static void report(void)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "allocations %lu\n", allocations);

	(void)!write(STDERR_FILENO, line, (size_t)n);
}
