#include "host.h"

#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "decimal.h"

/* Docker's name for the architecture it was built for (Go's GOARCH, mapped as
 * moby's profiles do), which includes.arches and excludes.arches compare with. */
#if defined(__x86_64__) && defined(__ILP32__)
#define HOST_ARCH_NAME "x32"
#define HOST_ARCH SCMP_ARCH_X32
#elif defined(__x86_64__)
#define HOST_ARCH_NAME "amd64"
#define HOST_ARCH SCMP_ARCH_X86_64
#elif defined(__i386__)
#define HOST_ARCH_NAME "x86"
#define HOST_ARCH SCMP_ARCH_X86
#elif defined(__aarch64__)
#define HOST_ARCH_NAME "arm64"
#define HOST_ARCH SCMP_ARCH_AARCH64
#elif defined(__arm__)
#define HOST_ARCH_NAME "arm"
#define HOST_ARCH SCMP_ARCH_ARM
#elif defined(__s390x__)
#define HOST_ARCH_NAME "s390x"
#define HOST_ARCH SCMP_ARCH_S390X
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_ARCH_NAME "ppc64le"
#define HOST_ARCH SCMP_ARCH_PPC64LE
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_ARCH_NAME "riscv64"
#define HOST_ARCH SCMP_ARCH_RISCV64
#else
#error "autoseccomp does not know Docker's name for this architecture"
#endif

static int read_capabilities(struct as_host *host, struct as_error *err)
{
	struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &header, data) < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot read capabilities: %s", strerror(errno));
	host->permitted = (uint64_t)data[1].permitted << 32 | data[0].permitted;
	host->effective = (uint64_t)data[1].effective << 32 | data[0].effective;
	return 0;
}

static size_t digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/* Docker reads the release as "%d.%d": two decimals, then anything. */
static bool read_release(const char *release, unsigned int *major, unsigned int *minor)
{
	size_t major_len = digits(release), minor_len;
	uint64_t a, b;

	if (release[major_len] != '.')
		return false;
	minor_len = digits(release + major_len + 1);
	if (as_parse_decimal(release, major_len, UINT_MAX, &a) < 0 ||
	    as_parse_decimal(release + major_len + 1, minor_len, UINT_MAX, &b) < 0)
		return false;
	*major = (unsigned int)a;
	*minor = (unsigned int)b;
	return true;
}

int as_host_detect(struct as_host *ret, struct as_error *err)
{
	struct as_host host = {.arch_name = HOST_ARCH_NAME, .native_arch = HOST_ARCH};
	struct utsname uts;
	int r;

	r = read_capabilities(&host, err);
	if (r < 0)
		return r;
	/* Docker reads the release as "%d.%d"; one it cannot read is an error only
	 * where a rule asks for a minimum kernel. */
	if (uname(&uts) == 0 && strlen(uts.release) < sizeof(host.kernel_release)) {
		memcpy(host.kernel_release, uts.release, strlen(uts.release) + 1);
		host.kernel_known = read_release(uts.release, &host.kernel_major, &host.kernel_minor);
	}
	*ret = host;
	return 0;
}
