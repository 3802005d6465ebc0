/* Denials diverted to a listener: the program a filter in report or audit
 * mode installs.  It decides as the program it comes from at every point,
 * except that the calls that program keeps from running are handed to the
 * supervisor (SECCOMP_RET_USER_NOTIF), which answers them as the original
 * would (report) or lets them run (audit), and says so. */
#ifndef AS_NOTIFY_H
#define AS_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "program.h"

enum as_notify_mode {
	AS_NOTIFY_REPORT, /* errnos, the ENOSYS stub's included, go to the supervisor; kills and traps stay */
	AS_NOTIFY_AUDIT,  /* every return that keeps a call from running goes to the supervisor */
};

/* IN rewritten into RET: the same instructions, with the returns MODE
 * diverts made SECCOMP_RET_USER_NOTIF, and loaded with a new listener.
 * Ahead of them, the hand-off of the listener is let through: sendmsg on,
 * and dup3 of, the socket whose fd install writes at RET->handoff_pc
 * (program.h), and numbers out of the way of the program's own; and, in
 * report mode, on every entry where IN lets seccomp(2) run, a call that
 * asks for a new listener fails with EBUSY, as the kernel answers while the
 * supervisor lives, so that no listener of the program's outlives it.  The probe's
 * answers (probe.h) at NATIVE_ARCH (a libseccomp token) are no call's
 * decision: kept in report mode, where a child must find the same answers,
 * and changed in audit mode (as_probe_audit_answer).  A
 * program that already has a listener is refused, as one that returns its
 * accumulator (never built here), and, in report mode, one that decides
 * seccomp(2) by its arguments (-EBUSY, as for a listener in force). */
int as_notify_denials(const struct as_bpf *in, uint32_t native_arch, enum as_notify_mode mode, struct as_bpf *ret,
		      struct as_error *err);

/* Whether IN allows sendmsg and dup3 on NATIVE_ARCH whatever their
 * arguments: where it does not, letting the hand-off through would let
 * other calls through too, which report mode must not. */
bool as_notify_handoff_allowed(const struct as_bpf *in, uint32_t native_arch);

/* Whether MODE diverts ACTION (a SECCOMP_RET_* value, data included). */
bool as_notify_diverts(enum as_notify_mode mode, uint32_t action);

#endif
