/* Makes a few system calls and says what the kernel answered.  Run it plainly,
 * then under autoseccomp, to see what Docker's default policy denies:
 *
 *   build/examples/show-denied
 *   LD_PRELOAD=$PWD/build/libautoseccomp.so build/examples/show-denied */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void show(const char *call, long ret)
{
	printf("%-40s %s\n", call, ret < 0 ? strerror(errno) : "allowed");
}

int main(void)
{
	show("getpid()", syscall(SYS_getpid));
	show("uname()", syscall(SYS_uname, &(char[512]){0}));
	/* Keys are not namespaced: Docker denies the keyring calls to everyone. */
	show("add_key(\"user\", ...)", syscall(SYS_add_key, "user", "autoseccomp-demo", "x", 1, -2 /* session */));
	show("keyctl(KEYCTL_GET_KEYRING_ID)", syscall(SYS_keyctl, 0, -3, 0));
	/* New namespaces need CAP_SYS_ADMIN under Docker's policy. */
	show("unshare(CLONE_NEWUSER)", syscall(SYS_unshare, CLONE_NEWUSER));
	/* clone3 gets ENOSYS, so libc falls back to clone, whose flags can be checked. */
	show("clone3()", syscall(435, NULL, 0));
	show("syscall 1000 (newer than the profile)", syscall(1000));
	return 0;
}
