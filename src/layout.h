/* Where the compile path's large buffers go.  In .bss, the library's 1.5 MB
 * of workspaces would sit between the small data every start-up touches (in
 * a static program, the C library's own), spreading that over more pages
 * and page tables, each a fault.  x86-64's .lbss, which the linker places
 * after every .bss, keeps them out of the way. */
#ifndef AS_LAYOUT_H
#define AS_LAYOUT_H

#if defined(__x86_64__)
#define AS_LARGE_BSS __attribute__((section(".lbss")))
#else
#define AS_LARGE_BSS
#endif

#endif
