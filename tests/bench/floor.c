/* The floor for any seccomp preload: a constructor that does nothing but
 * install a program it holds.  Built with FLOOR_NONE, it installs nothing
 * (the price of preloading anything); with FLOOR_ONE, one instruction that
 * allows everything (the price of having a filter at all); otherwise the
 * program the library installs for the built-in profile with every
 * capability, as the benchmarks run as root.  make bench sets autoseccomp's
 * start-up beside these: what it costs above the last is its own work. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(FLOOR_NONE) || defined(FLOOR_ONE)
static const struct sock_filter program[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
static const uint32_t program_flags = SECCOMP_FILTER_FLAG_SPEC_ALLOW;
#else
#include "precompiled.h"
#include "precompiled-default.h"
#define program precompiled_1
#define program_flags (precompiled[1].flags)
#endif

__attribute__((constructor)) static void install(void)
{
	struct sock_fprog prog = {sizeof(program) / sizeof(program[0]), (struct sock_filter *)program};

#ifdef FLOOR_NONE
	return;
#endif
	if (geteuid() != 0)
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC | program_flags, &prog) != 0)
		_exit(125);
}
