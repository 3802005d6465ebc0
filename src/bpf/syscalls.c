#include "syscalls.h"

#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>


/* Since Linux 5.1 a new call takes the same number on every architecture.
 * uretprobe (x86_64's 335) is left out: the kernel runs it whatever the
 * filter says, so no profile decides it. */
static const struct {
	const char *name;
	int nr;
} newer[] = {
	{"statmount", 457},	    {"listmount", 458},	 {"lsm_get_self_attr", 459}, {"lsm_set_self_attr", 460},
	{"lsm_list_modules", 461}, {"mseal", 462},	 {"setxattrat", 463},	     {"getxattrat", 464},
	{"listxattrat", 465},	    {"removexattrat", 466},
};

static bool has(uint32_t arch)
{
	return arch == SCMP_ARCH_X86_64 || arch == SCMP_ARCH_X86 || arch == SCMP_ARCH_X32;
}

static int number_on(uint32_t arch, unsigned int i)
{
	return arch == SCMP_ARCH_X32 ? (int)((unsigned int)newer[i].nr | AS_X32_SYSCALL_BIT) : newer[i].nr;
}

uint32_t as_syscall_arch(const struct seccomp_data *data)
{
	return data->arch == SCMP_ARCH_X86_64 && ((uint32_t)data->nr & AS_X32_SYSCALL_BIT) ? SCMP_ARCH_X32 : data->arch;
}

uint32_t as_syscall_audit_arch(uint32_t arch)
{
	return arch == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : arch;
}

int as_syscall_number(uint32_t arch, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, name);

	for (unsigned int i = 0; nr < 0 && i < sizeof(newer) / sizeof(newer[0]); i++)
		if (strcmp(newer[i].name, name) == 0 && has(arch))
			nr = number_on(arch, i);
	return nr;
}

char *as_syscall_name(uint32_t arch, int nr)
{
	char *name = seccomp_syscall_resolve_num_arch(arch, nr);

	for (unsigned int i = 0; name == NULL && i < sizeof(newer) / sizeof(newer[0]); i++)
		if (number_on(arch, i) == nr && has(arch))
			name = strdup(newer[i].name);
	return name;
}
