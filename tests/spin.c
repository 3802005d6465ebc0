/* A container process that makes no system call once it is executed, for
 * reading back the filter runc installs under a profile that allows hardly
 * more than execve.  Built without the C library, which would make calls of
 * its own at start. */
void _start(void)
{
	for (;;)
		__asm__ volatile("pause");
}
