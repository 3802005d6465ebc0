/* The probe: a question only the kernel can answer, whether a given program
 * is in force.  No unprivileged interface reads a filter back, so every
 * program built here answers for itself: at a few syscall numbers no kernel
 * defines, on the host's own architecture, it fails the call with errnos
 * drawn from a SHA-256 of the rest of the program and its flags.  Whoever
 * can set an environment variable cannot make the kernel answer them; only a
 * process that installs a filter built to answer them can, and that process
 * could run anything in the child's place anyway. */
#ifndef AS_PROBE_H
#define AS_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "program.h"

/* Above every architecture's table (mips n32's ends near 6500, ARM's
 * private calls at 0xf0005), below x32's bit 30, and away from the numbers
 * verify.h compares programs at. */
#define AS_PROBE_FIRST_NR 0x3fa50000u
#define AS_PROBE_COUNT 6

/* What the program returns at the probe numbers until as_probe_seal: an
 * action the kernel does not define, which it would treat as a kill, so a
 * program left unsealed fails closed.  libseccomp never returns it. */
#define AS_PROBE_TAG 0x00060000u

/* The errnos a program answers with: 11 bits of the hash each, above every
 * errno the kernel returns (its restart codes end near 530) and at most
 * MAX_ERRNO, which the kernel caps SECCOMP_RET_ERRNO's data at. */
#define AS_PROBE_ANSWER_BASE 0x800u
#define AS_PROBE_ANSWER_MASK 0x7ffu

struct as_probe {
	uint16_t answers[AS_PROBE_COUNT];
};

/* Replace the tags in BPF by its answers, once BPF is final: a rewrite
 * after this would change what they stand for. */
void as_probe_seal(struct as_bpf *bpf);

/* An auditing program's answer for its plain program's ANSWER (an errno, as
 * above): each differs, so that a start that asks for the profile enforced
 * never takes a filter that audits it, which denies nothing, for its own.
 * A reporting program answers as its plain one: it decides alike. */
uint32_t as_probe_audit_answer(uint32_t answer);

/* What PROGRAM answers at the probe numbers for NATIVE_ARCH (the host's
 * libseccomp token), computed from the program itself; false when it does
 * not answer them all (an x32 host, a program built before the probe
 * existed), and then nothing proves it in force. */
bool as_probe_expected(const struct as_program *program, uint32_t native_arch, struct as_probe *ret);

/* Whether the kernel answers every probe call of this thread with
 * EXPECTED: a program that answers so is in force, and no filter installed
 * after it answers differently.  Only safe where the filters in force are
 * known not to kill on unknown numbers: a filter that does kills the
 * caller. */
bool as_probe_in_force(const struct as_probe *expected);

#endif
