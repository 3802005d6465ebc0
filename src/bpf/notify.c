#include "notify.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>

#include "eval.h"
#include "probe.h"
#include "syscalls.h"

bool as_notify_diverts(enum as_notify_mode mode, uint32_t action)
{
	uint32_t kind = action & SECCOMP_RET_ACTION_FULL;

	if (kind == SECCOMP_RET_ERRNO)
		return true;
	/* No answer from a listener can kill or trap as the kernel does, so in
	 * report mode the kernel keeps those. */
	return mode == AS_NOTIFY_AUDIT && (kind == SECCOMP_RET_KILL_PROCESS || kind == SECCOMP_RET_KILL_THREAD ||
					   kind == SECCOMP_RET_TRAP || kind == SECCOMP_RET_TRACE);
}

/* The instructions that return the probe's answers, which are errnos
 * too: found by asking, as the rewrite may have moved them out of the stub.
 * An answer can share its instruction with a call's decision only where a
 * profile returns that very errno, which then still denies, unreported. */
static int probe_answers(const struct as_bpf *bpf, uint32_t native_arch, bool answers[BPF_MAXINSNS],
			 struct as_error *err)
{
	struct seccomp_data data = {.arch = native_arch};
	struct as_verdict verdict;

	memset(answers, 0, BPF_MAXINSNS * sizeof(answers[0]));
	for (unsigned int i = 0; i < AS_PROBE_COUNT; i++) {
		data.nr = (int)(AS_PROBE_FIRST_NR + i);
		if (as_eval(bpf->insns, bpf->len, &data, &verdict, err) < 0)
			return err->code;
		if ((verdict.action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
			answers[verdict.ret_pc] = true;
	}
	return 0;
}

/* The low half of argument I: where it lies depends on the byte order. */
#define ARG_LOW(i) (offsetof(struct seccomp_data, args[i]) + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? 4 : 0))

/* Ahead of the program: the calls that hand the listener over, sendmsg on
 * the socket install connects first, and dup3 of that socket over the
 * listener (agent.h), on the native architecture; install writes the
 * socket's fd in at HANDOFF_FD_PC.  Diverted, the first would wait for the
 * listener it is sending. */
enum { HANDOFF_LEN = 8, HANDOFF_FD_PC = 6 };

static void write_handoff_prefix(struct sock_filter *out, uint32_t native_arch)
{
	const struct sock_filter insns[HANDOFF_LEN] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendmsg, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_dup3, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, native_arch, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LOW(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AS_HANDOFF_UNSET, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	memcpy(out, insns, sizeof(insns));
}

/* Then, in report mode, on every entry where the program lets seccomp(2)
 * run (or a tracer may), a call that asks for a new listener fails with
 * EBUSY.  While the supervisor holds
 * the listener the kernel answers so itself; a program that kills the
 * supervisor would otherwise be let install a listener of its own, and a
 * filter of its own that answers USER_NOTIF then ties with this one's, and
 * the newer filter's listener takes the call: every diverted denial.  Only
 * a call the kernel would refuse for another reason first (bad flags, a bad
 * program) gets EBUSY where it would get EINVAL or EFAULT. */
enum { GUARD_LEN = 7, MAX_GUARDS = 8 };

static void write_guard(struct sock_filter *out, uint32_t audit_arch, uint32_t nr)
{
	const struct sock_filter insns[GUARD_LEN] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, audit_arch, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LOW(1)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SECCOMP_FILTER_FLAG_NEW_LISTENER, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EBUSY),
	};
	memcpy(out, insns, sizeof(insns));
}

/* The entries a kernel may have, as libseccomp tokens: those IN does not
 * cover it kills, and get no guard. */
static const uint32_t guarded_arches[] = {
	SCMP_ARCH_X86_64, SCMP_ARCH_X86,     SCMP_ARCH_X32,	 SCMP_ARCH_AARCH64, SCMP_ARCH_ARM,
	SCMP_ARCH_PPC64LE, SCMP_ARCH_S390X, SCMP_ARCH_S390,	 SCMP_ARCH_RISCV64, SCMP_ARCH_MIPS64,
	SCMP_ARCH_MIPSEL64,
};

/* The guards IN needs, at OUT, which has room for MAX_GUARDS; how many.  A
 * program whose decision on seccomp(2) reads its arguments is refused: no
 * guard could keep its decisions and stop the listener both. */
static int write_guards(const struct as_bpf *in, struct sock_filter *out, unsigned int *ret, struct as_error *err)
{
	unsigned int count = 0;

	for (size_t i = 0; i < sizeof(guarded_arches) / sizeof(guarded_arches[0]); i++) {
		int nr = as_syscall_number(guarded_arches[i], "seccomp");
		struct seccomp_data data = {.nr = nr, .arch = as_syscall_audit_arch(guarded_arches[i]),
					    .args = {SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER}};
		struct as_verdict verdict;
		uint32_t kind;
		if (nr < 0)
			continue;
		if (as_eval(in->insns, in->len, &data, &verdict, err) < 0)
			return err->code;
		if (verdict.first_arg_pc < in->len)
			return as_error_set(err, -EBUSY, AS_NO_POSITION,
					    "the profile decides seccomp by its arguments, and a listener of the "
					    "program's own could then take the supervisor's calls");
		kind = verdict.action & SECCOMP_RET_ACTION_FULL;
		/* A tracer may let a traced call run. */
		if ((kind == SECCOMP_RET_ALLOW || kind == SECCOMP_RET_LOG || kind == SECCOMP_RET_TRACE) &&
		    count < MAX_GUARDS)
			write_guard(out + GUARD_LEN * count++, data.arch, (uint32_t)nr);
	}
	*ret = count;
	return 0;
}

/* Whether IN allows NR on NATIVE_ARCH whatever its arguments. */
static bool allows(const struct as_bpf *in, int nr, uint32_t native_arch)
{
	struct seccomp_data data = {.nr = nr, .arch = native_arch};
	struct as_verdict verdict;
	struct as_error err;
	uint32_t kind;

	if (as_eval(in->insns, in->len, &data, &verdict, &err) < 0 || verdict.first_arg_pc < in->len)
		return false;
	kind = verdict.action & SECCOMP_RET_ACTION_FULL;
	return kind == SECCOMP_RET_ALLOW || kind == SECCOMP_RET_LOG;
}

bool as_notify_handoff_allowed(const struct as_bpf *in, uint32_t native_arch)
{
	return allows(in, __NR_sendmsg, native_arch) && allows(in, __NR_dup3, native_arch);
}

int as_notify_denials(const struct as_bpf *in, uint32_t native_arch, enum as_notify_mode mode, struct as_bpf *ret,
		      struct as_error *err)
{
	bool answers[BPF_MAXINSNS];
	unsigned int guards = 0, prefix;
	int r;

	if (in->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		return as_error_set(err, -EBUSY, AS_NO_POSITION,
				    "the profile hands its listener to a seccomp agent (SCMP_ACT_NOTIFY), and a "
				    "process has one listener: it cannot be reported on or audited");
	r = probe_answers(in, native_arch, answers, err);
	if (r < 0)
		return r;
	if (in->len + HANDOFF_LEN + GUARD_LEN * MAX_GUARDS > BPF_MAXINSNS)
		return as_error_set(err, -E2BIG, AS_NO_POSITION, "the program is too long to divert its denials");
	memcpy(ret, in, offsetof(struct as_bpf, insns));
	write_handoff_prefix(ret->insns, native_arch);
	/* Audit and record deny nothing a listener of the program's could let through. */
	r = mode == AS_NOTIFY_REPORT ? write_guards(in, ret->insns + HANDOFF_LEN, &guards, err) : 0;
	if (r < 0)
		return r;
	prefix = HANDOFF_LEN + GUARD_LEN * guards;
	memcpy(ret->insns + prefix, in->insns, in->len * sizeof(in->insns[0]));
	ret->len = in->len + prefix;
	ret->stub_len = in->stub_len + prefix;
	ret->handoff_pc = HANDOFF_FD_PC;
	for (unsigned int pc = prefix; pc < ret->len; pc++) {
		struct sock_filter *insn = &ret->insns[pc];
		if (BPF_CLASS(insn->code) != BPF_RET)
			continue;
		if (BPF_RVAL(insn->code) != BPF_K)
			return as_error_set(err, -EINVAL, AS_NO_POSITION,
					    "the program returns a computed action at %u, which cannot be diverted", pc);
		if (answers[pc - prefix] && mode == AS_NOTIFY_AUDIT)
			insn->k = SECCOMP_RET_ERRNO | as_probe_audit_answer(insn->k & SECCOMP_RET_DATA);
		else if (as_notify_diverts(mode, insn->k) && !answers[pc - prefix])
			insn->k = SECCOMP_RET_USER_NOTIF;
	}
	/* Once the supervisor has taken a call, a signal waits for its answer
	 * rather than end the call with EINTR, which the profile never gives. */
	ret->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	memset(&ret->listener, 0, sizeof(ret->listener));
	return 0;
}
