/* Syscall names and numbers for explain, dump and reports: libseccomp's table, then the
 * calls the kernel gained after the libseccomp autoseccomp was built with
 * (Debian 12's 2.5.4 knows none of mseal, listmount, ...), so that explain and
 * dump can name what a profile for a newer kernel lists. */
#ifndef AS_SYSCALLS_H
#define AS_SYSCALLS_H

#include <linux/seccomp.h>
#include <stdint.h>

/* The bit x32's numbers carry: x32 shares x86_64's audit architecture. */
#define AS_X32_SYSCALL_BIT 0x40000000u

/* The libseccomp token of the entry a call came through: its audit
 * architecture, which is the token, except for x32. */
uint32_t as_syscall_arch(const struct seccomp_data *data);

/* What seccomp_data.arch holds for a call through the entry with libseccomp
 * token ARCH: the reverse of as_syscall_arch. */
uint32_t as_syscall_audit_arch(uint32_t arch);

/* The number of NAME on ARCH (a libseccomp token), or a negative value. */
int as_syscall_number(uint32_t arch, const char *name);

/* The name of NR on ARCH, to free(3), or NULL. */
char *as_syscall_name(uint32_t arch, int nr);

#endif
