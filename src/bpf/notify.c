#include "notify.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <string.h>

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
	if (ret != in)
		memcpy(ret, in, offsetof(struct as_bpf, insns) + in->len * sizeof(in->insns[0]));
	for (unsigned int pc = 0; pc < ret->len; pc++) {
		struct sock_filter *insn = &ret->insns[pc];
		if (BPF_CLASS(insn->code) != BPF_RET)
			continue;
		if (BPF_RVAL(insn->code) != BPF_K)
			return as_error_set(err, -EINVAL, AS_NO_POSITION,
					    "the program returns a computed action at %u, which cannot be diverted", pc);
		if (as_notify_diverts(mode, insn->k) && !answers[pc])
			insn->k = SECCOMP_RET_USER_NOTIF;
	}
	ret->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	memset(&ret->listener, 0, sizeof(ret->listener));
	return 0;
}
