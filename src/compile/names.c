#include "names.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#define TABLE(table_name, what_name, array) \
	const struct as_name_table table_name = {what_name, array, sizeof(array) / sizeof(array[0])}

/* runc's action table; SCMP_ACT_KILL is the thread-killing action, as in runc. */
static const struct as_name actions[] = {
	{"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD},
	{"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
	{"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
	{"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
	{"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0)},
	{"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0)},
	{"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
	{"SCMP_ACT_LOG", SCMP_ACT_LOG},
	{"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
};
TABLE(as_action_names, "action", actions);

static const struct as_name operators[] = {
	{"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
	{"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
	{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};
TABLE(as_operator_names, "operator", operators);

/* runc's architecture table.  An architecture this libseccomp predates is
 * still a valid name, with token 0: choosing it is an error later. */
#ifndef SCMP_ARCH_RISCV64
#define SCMP_ARCH_RISCV64 0
#endif
#ifndef SCMP_ARCH_LOONGARCH64
#define SCMP_ARCH_LOONGARCH64 0
#endif
static const struct as_name arches[] = {
	{"SCMP_ARCH_X86", SCMP_ARCH_X86},
	{"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
	{"SCMP_ARCH_X32", SCMP_ARCH_X32},
	{"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
	{"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
	{"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
	{"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
	{"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
	{"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
	{"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
	{"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
	{"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
	{"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
	{"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
	{"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
	{"SCMP_ARCH_S390", SCMP_ARCH_S390},
	{"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
	{"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
};
TABLE(as_arch_names, "architecture", arches);

/* TSYNC is accepted and has no bit of its own: the filter is always
 * synchronised to every thread. */
static const struct as_name flags[] = {
	{"SECCOMP_FILTER_FLAG_TSYNC", 0},
	{"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	{"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1u << 5},
};
TABLE(as_flag_names, "flag", flags);

static const struct as_name capabilities[] = {
	{"CAP_CHOWN", 0},
	{"CAP_DAC_OVERRIDE", 1},
	{"CAP_DAC_READ_SEARCH", 2},
	{"CAP_FOWNER", 3},
	{"CAP_FSETID", 4},
	{"CAP_KILL", 5},
	{"CAP_SETGID", 6},
	{"CAP_SETUID", 7},
	{"CAP_SETPCAP", 8},
	{"CAP_LINUX_IMMUTABLE", 9},
	{"CAP_NET_BIND_SERVICE", 10},
	{"CAP_NET_BROADCAST", 11},
	{"CAP_NET_ADMIN", 12},
	{"CAP_NET_RAW", 13},
	{"CAP_IPC_LOCK", 14},
	{"CAP_IPC_OWNER", 15},
	{"CAP_SYS_MODULE", 16},
	{"CAP_SYS_RAWIO", 17},
	{"CAP_SYS_CHROOT", 18},
	{"CAP_SYS_PTRACE", 19},
	{"CAP_SYS_PACCT", 20},
	{"CAP_SYS_ADMIN", 21},
	{"CAP_SYS_BOOT", 22},
	{"CAP_SYS_NICE", 23},
	{"CAP_SYS_RESOURCE", 24},
	{"CAP_SYS_TIME", 25},
	{"CAP_SYS_TTY_CONFIG", 26},
	{"CAP_MKNOD", 27},
	{"CAP_LEASE", 28},
	{"CAP_AUDIT_WRITE", 29},
	{"CAP_AUDIT_CONTROL", 30},
	{"CAP_SETFCAP", 31},
	{"CAP_MAC_OVERRIDE", 32},
	{"CAP_MAC_ADMIN", 33},
	{"CAP_SYSLOG", 34},
	{"CAP_WAKE_ALARM", 35},
	{"CAP_BLOCK_SUSPEND", 36},
	{"CAP_AUDIT_READ", 37},
	{"CAP_PERFMON", 38},
	{"CAP_BPF", 39},
	{"CAP_CHECKPOINT_RESTORE", 40},
};
TABLE(as_capability_names, "capability", capabilities);

/* Docker's default capabilities (moby daemon/pkg/oci/caps/defaults.go):
 * what a container has unless told otherwise. */
static const struct as_name docker_capabilities[] = {
	{"CAP_CHOWN", CAP_CHOWN},
	{"CAP_DAC_OVERRIDE", CAP_DAC_OVERRIDE},
	{"CAP_FSETID", CAP_FSETID},
	{"CAP_FOWNER", CAP_FOWNER},
	{"CAP_MKNOD", CAP_MKNOD},
	{"CAP_NET_RAW", CAP_NET_RAW},
	{"CAP_SETGID", CAP_SETGID},
	{"CAP_SETUID", CAP_SETUID},
	{"CAP_SETFCAP", CAP_SETFCAP},
	{"CAP_SETPCAP", CAP_SETPCAP},
	{"CAP_NET_BIND_SERVICE", CAP_NET_BIND_SERVICE},
	{"CAP_SYS_CHROOT", CAP_SYS_CHROOT},
	{"CAP_KILL", CAP_KILL},
	{"CAP_AUDIT_WRITE", CAP_AUDIT_WRITE},
};
TABLE(as_docker_capability_names, "capability", docker_capabilities);

/* Podman's errno names; where two names share a number, the first is the one shown. */
static const struct as_name errnos[] = {
	{"EPERM", EPERM}, {"ENOENT", ENOENT}, {"ESRCH", ESRCH}, {"EINTR", EINTR}, {"EIO", EIO}, {"ENXIO", ENXIO},
	{"E2BIG", E2BIG}, {"ENOEXEC", ENOEXEC}, {"EBADF", EBADF}, {"ECHILD", ECHILD}, {"EAGAIN", EAGAIN},
	{"ENOMEM", ENOMEM}, {"EACCES", EACCES}, {"EFAULT", EFAULT}, {"ENOTBLK", ENOTBLK}, {"EBUSY", EBUSY},
	{"EEXIST", EEXIST}, {"EXDEV", EXDEV}, {"ENODEV", ENODEV}, {"ENOTDIR", ENOTDIR}, {"EISDIR", EISDIR},
	{"EINVAL", EINVAL}, {"ENFILE", ENFILE}, {"EMFILE", EMFILE}, {"ENOTTY", ENOTTY}, {"ETXTBSY", ETXTBSY},
	{"EFBIG", EFBIG}, {"ENOSPC", ENOSPC}, {"ESPIPE", ESPIPE}, {"EROFS", EROFS}, {"EMLINK", EMLINK},
	{"EPIPE", EPIPE}, {"EDOM", EDOM}, {"ERANGE", ERANGE}, {"EDEADLK", EDEADLK}, {"ENAMETOOLONG", ENAMETOOLONG},
	{"ENOLCK", ENOLCK}, {"ENOSYS", ENOSYS}, {"ENOTEMPTY", ENOTEMPTY}, {"ELOOP", ELOOP},
	{"EWOULDBLOCK", EWOULDBLOCK}, {"ENOMSG", ENOMSG}, {"EIDRM", EIDRM}, {"ECHRNG", ECHRNG},
	{"EL2NSYNC", EL2NSYNC}, {"EL3HLT", EL3HLT}, {"EL3RST", EL3RST}, {"ELNRNG", ELNRNG}, {"EUNATCH", EUNATCH},
	{"ENOCSI", ENOCSI}, {"EL2HLT", EL2HLT}, {"EBADE", EBADE}, {"EBADR", EBADR}, {"EXFULL", EXFULL},
	{"ENOANO", ENOANO}, {"EBADRQC", EBADRQC}, {"EBADSLT", EBADSLT}, {"EDEADLOCK", EDEADLOCK},
	{"EBFONT", EBFONT}, {"ENOSTR", ENOSTR}, {"ENODATA", ENODATA}, {"ETIME", ETIME}, {"ENOSR", ENOSR},
	{"ENONET", ENONET}, {"ENOPKG", ENOPKG}, {"EREMOTE", EREMOTE}, {"ENOLINK", ENOLINK}, {"EADV", EADV},
	{"ESRMNT", ESRMNT}, {"ECOMM", ECOMM}, {"EPROTO", EPROTO}, {"EMULTIHOP", EMULTIHOP}, {"EDOTDOT", EDOTDOT},
	{"EBADMSG", EBADMSG}, {"EOVERFLOW", EOVERFLOW}, {"ENOTUNIQ", ENOTUNIQ}, {"EBADFD", EBADFD},
	{"EREMCHG", EREMCHG}, {"ELIBACC", ELIBACC}, {"ELIBBAD", ELIBBAD}, {"ELIBSCN", ELIBSCN},
	{"ELIBMAX", ELIBMAX}, {"ELIBEXEC", ELIBEXEC}, {"EILSEQ", EILSEQ}, {"ERESTART", ERESTART},
	{"ESTRPIPE", ESTRPIPE}, {"EUSERS", EUSERS}, {"ENOTSOCK", ENOTSOCK}, {"EDESTADDRREQ", EDESTADDRREQ},
	{"EMSGSIZE", EMSGSIZE}, {"EPROTOTYPE", EPROTOTYPE}, {"ENOPROTOOPT", ENOPROTOOPT},
	{"EPROTONOSUPPORT", EPROTONOSUPPORT}, {"ESOCKTNOSUPPORT", ESOCKTNOSUPPORT}, {"EOPNOTSUPP", EOPNOTSUPP},
	{"ENOTSUP", ENOTSUP}, {"EPFNOSUPPORT", EPFNOSUPPORT}, {"EAFNOSUPPORT", EAFNOSUPPORT},
	{"EADDRINUSE", EADDRINUSE}, {"EADDRNOTAVAIL", EADDRNOTAVAIL}, {"ENETDOWN", ENETDOWN},
	{"ENETUNREACH", ENETUNREACH}, {"ENETRESET", ENETRESET}, {"ECONNABORTED", ECONNABORTED},
	{"ECONNRESET", ECONNRESET}, {"ENOBUFS", ENOBUFS}, {"EISCONN", EISCONN}, {"ENOTCONN", ENOTCONN},
	{"ESHUTDOWN", ESHUTDOWN}, {"ETOOMANYREFS", ETOOMANYREFS}, {"ETIMEDOUT", ETIMEDOUT},
	{"ECONNREFUSED", ECONNREFUSED}, {"EHOSTDOWN", EHOSTDOWN}, {"EHOSTUNREACH", EHOSTUNREACH},
	{"EALREADY", EALREADY}, {"EINPROGRESS", EINPROGRESS}, {"ESTALE", ESTALE}, {"EUCLEAN", EUCLEAN},
	{"ENOTNAM", ENOTNAM}, {"ENAVAIL", ENAVAIL}, {"EISNAM", EISNAM}, {"EREMOTEIO", EREMOTEIO},
	{"EDQUOT", EDQUOT}, {"ENOMEDIUM", ENOMEDIUM}, {"EMEDIUMTYPE", EMEDIUMTYPE}, {"ECANCELED", ECANCELED},
	{"ENOKEY", ENOKEY}, {"EKEYEXPIRED", EKEYEXPIRED}, {"EKEYREVOKED", EKEYREVOKED},
	{"EKEYREJECTED", EKEYREJECTED}, {"EOWNERDEAD", EOWNERDEAD}, {"ENOTRECOVERABLE", ENOTRECOVERABLE},
	{"ERFKILL", ERFKILL}, {"EHWPOISON", EHWPOISON},
};
TABLE(as_errno_names, "errno", errnos);

const struct as_name *as_name_find(const struct as_name_table *table, const char *s, size_t len)
{
	for (size_t i = 0; i < table->count; i++) {
		const char *name = table->names[i].name;
		if (strlen(name) == len && memcmp(name, s, len) == 0)
			return &table->names[i];
	}
	return NULL;
}

const struct as_name *as_name_of_value(const struct as_name_table *table, uint64_t value)
{
	for (size_t i = 0; i < table->count; i++)
		if (table->names[i].value == value)
			return &table->names[i];
	return NULL;
}

int as_name_lookup(const struct as_name_table *table, const char *s, size_t len, size_t offset,
		   const struct as_name **ret, struct as_error *err)
{
	const struct as_name *found = as_name_find(table, s, len);
	char expected[240] = "";
	size_t used = 0;

	if (found != NULL) {
		*ret = found;
		return 0;
	}
	/* Long tables are cut at a whole name, so the message stays one short line. */
	for (size_t i = 0; i < table->count; i++) {
		const char *name = table->names[i].name;
		if (used + strlen(name) + sizeof(", , ...") > sizeof(expected)) {
			snprintf(expected + used, sizeof(expected) - used, ", ...");
			break;
		}
		used += (size_t)snprintf(expected + used, sizeof(expected) - used, "%s%s", i ? ", " : "", name);
	}
	return as_error_set(err, -EINVAL, offset, "unknown %s \"%.*s\" (expected one of %s)", table->what,
			    (int)(len > 64 ? 64 : len), s, expected);
}

static void add_table(const struct as_name_table *table, uint64_t *set)
{
	for (size_t i = 0; i < table->count; i++)
		*set |= 1ull << table->names[i].value;
}

static int add_capabilities(const char *s, size_t len, uint64_t *set, struct as_error *err)
{
	const struct as_name *cap;

	if (len == strlen("all") && memcmp(s, "all", len) == 0) {
		add_table(&as_capability_names, set);
		return 0;
	}
	if (len == strlen("docker") && memcmp(s, "docker", len) == 0) {
		add_table(&as_docker_capability_names, set);
		return 0;
	}
	cap = as_name_find(&as_capability_names, s, len);
	if (cap == NULL)
		return as_error_set(err, -EINVAL, AS_NO_POSITION,
				    "unknown capability %.*s (a set is none, or all, docker and CAP_ names joined by commas)",
				    (int)len, s);
	*set |= 1ull << cap->value;
	return 0;
}

int as_capability_set_parse(const char *spec, uint64_t *ret, struct as_error *err)
{
	uint64_t set = 0;

	if (strcmp(spec, "none") == 0 || spec[0] == '\0') {
		*ret = 0;
		return 0;
	}
	for (const char *s = spec;; s++) {
		size_t len = strcspn(s, ",");
		int r = add_capabilities(s, len, &set, err);
		if (r < 0)
			return r;
		s += len;
		if (*s == '\0')
			break;
	}
	*ret = set;
	return 0;
}
