#include "notify.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>

#include "eval.h"
#include "probe.h"

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

/* Ahead of the program: the call that hands the listener over, sendmsg on
 * the native architecture on the socket install connects first, whose fd
 * install writes in at HANDOFF_FD_PC.  Diverted, it would wait for the
 * listener it is sending. */
enum { HANDOFF_LEN = 7, HANDOFF_FD_PC = 5 };

static void write_handoff_prefix(struct sock_filter *out, uint32_t native_arch)
{
	/* args[0]'s low half: x86 is little-endian. */
	const struct sock_filter insns[HANDOFF_LEN] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendmsg, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, native_arch, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AS_HANDOFF_UNSET, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	memcpy(out, insns, sizeof(insns));
}

bool as_notify_handoff_allowed(const struct as_bpf *in, uint32_t native_arch)
{
	struct seccomp_data data = {.nr = __NR_sendmsg, .arch = native_arch};
	struct as_verdict verdict;
	struct as_error err;
	uint32_t kind;

	if (as_eval(in->insns, in->len, &data, &verdict, &err) < 0 || verdict.first_arg_pc < in->len)
		return false;
	kind = verdict.action & SECCOMP_RET_ACTION_FULL;
	return kind == SECCOMP_RET_ALLOW || kind == SECCOMP_RET_LOG;
}

int as_notify_denials(const struct as_bpf *in, uint32_t native_arch, enum as_notify_mode mode, struct as_bpf *ret,
		      struct as_error *err)
{
	bool answers[BPF_MAXINSNS];
	int r;

	if (in->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		return as_error_set(err, -EBUSY, AS_NO_POSITION,
				    "the profile hands its listener to a seccomp agent (SCMP_ACT_NOTIFY), and a "
				    "process has one listener: it cannot be reported on or audited");
	r = probe_answers(in, native_arch, answers, err);
	if (r < 0)
		return r;
	if (in->len + HANDOFF_LEN > BPF_MAXINSNS)
		return as_error_set(err, -E2BIG, AS_NO_POSITION, "the program is too long to divert its denials");
	memcpy(ret, in, offsetof(struct as_bpf, insns));
	write_handoff_prefix(ret->insns, native_arch);
	memcpy(ret->insns + HANDOFF_LEN, in->insns, in->len * sizeof(in->insns[0]));
	ret->len = in->len + HANDOFF_LEN;
	ret->stub_len = in->stub_len + HANDOFF_LEN;
	ret->handoff_pc = HANDOFF_FD_PC;
	for (unsigned int pc = HANDOFF_LEN; pc < ret->len; pc++) {
		struct sock_filter *insn = &ret->insns[pc];
		if (BPF_CLASS(insn->code) != BPF_RET)
			continue;
		if (BPF_RVAL(insn->code) != BPF_K)
			return as_error_set(err, -EINVAL, AS_NO_POSITION,
					    "the program returns a computed action at %u, which cannot be diverted", pc);
		if (as_notify_diverts(mode, insn->k) && !answers[pc - HANDOFF_LEN])
			insn->k = SECCOMP_RET_USER_NOTIF;
	}
	ret->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	memset(&ret->listener, 0, sizeof(ret->listener));
	return 0;
}
