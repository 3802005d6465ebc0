#include "probe.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <unistd.h>

#include "eval.h"
#include "sha256.h"

static bool is_tag(const struct sock_filter *insn)
{
	return insn->code == (BPF_RET | BPF_K) && insn->k >= AS_PROBE_TAG && insn->k < AS_PROBE_TAG + AS_PROBE_COUNT;
}

void as_probe_seal(struct as_bpf *bpf)
{
	unsigned char digest[AS_SHA256_SIZE];
	struct as_sha256 ctx;

	/* The tags are hashed where the answers will be: what is hashed is
	 * the program in every other respect, the flags it is loaded with, and
	 * the agent its listener goes to, so that a child asking for another
	 * agent does not take the one in force for its own. */
	as_sha256_init(&ctx);
	as_sha256_update(&ctx, &bpf->flags, sizeof(bpf->flags));
	if (bpf->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		const struct as_listener *l = &bpf->listener;
		as_sha256_update(&ctx, &l->path_len, sizeof(l->path_len));
		as_sha256_update(&ctx, l->path, l->path_len);
		as_sha256_update(&ctx, &l->metadata_len, sizeof(l->metadata_len));
		as_sha256_update(&ctx, l->metadata, l->metadata_len);
	}
	as_sha256_update(&ctx, bpf->insns, bpf->len * sizeof(bpf->insns[0]));
	as_sha256_final(&ctx, digest);
	for (unsigned int pc = 0; pc < bpf->len; pc++) {
		struct sock_filter *insn = &bpf->insns[pc];
		unsigned int i = insn->k - AS_PROBE_TAG;
		if (!is_tag(insn))
			continue;
		insn->k = SECCOMP_RET_ERRNO | AS_PROBE_ANSWER_BASE |
			  ((unsigned int)(digest[2 * i] << 8 | digest[2 * i + 1]) & AS_PROBE_ANSWER_MASK);
	}
}

uint32_t as_probe_audit_answer(uint32_t answer)
{
	return AS_PROBE_ANSWER_BASE | ((answer ^ 0x5a5u) & AS_PROBE_ANSWER_MASK);
}

bool as_probe_expected(const struct as_program *program, uint32_t native_arch, struct as_probe *ret)
{
	struct seccomp_data data = {.arch = native_arch};
	struct as_verdict verdict;
	struct as_probe probe;
	struct as_error err;

	/* x32 shares x86_64's audit architecture: its stub has no probe. */
	if (native_arch == SCMP_ARCH_X32)
		return false;
	for (unsigned int i = 0; i < AS_PROBE_COUNT; i++) {
		uint32_t data_bits;
		data.nr = (int)(AS_PROBE_FIRST_NR + i);
		if (as_eval(program->insns, program->len, &data, &verdict, &err) < 0 ||
		    (verdict.action & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO)
			return false;
		data_bits = verdict.action & SECCOMP_RET_DATA;
		if ((data_bits & ~AS_PROBE_ANSWER_MASK) != AS_PROBE_ANSWER_BASE)
			return false;
		probe.answers[i] = (uint16_t)data_bits;
	}
	*ret = probe;
	return true;
}

bool as_probe_in_force(const struct as_probe *expected)
{
	int saved = errno;
	bool answered = true;

	for (unsigned int i = 0; i < AS_PROBE_COUNT && answered; i++) {
		errno = 0;
		answered = syscall((long)(AS_PROBE_FIRST_NR + i)) == -1 && errno == expected->answers[i];
	}
	errno = saved;
	return answered;
}
