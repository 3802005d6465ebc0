/* A BPF program: one being built, in a fixed array, and one to install,
 * wherever its instructions live. */
#ifndef AS_PROGRAM_H
#define AS_PROGRAM_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

/* sun_path's size: a socket path may fill it without a NUL. */
#define AS_LISTENER_PATH_MAX 108
/* listenerMetadata, as written into the message to the agent (JSON-escaped):
 * with the rest of the message it stays under the 4096 bytes runc's agent
 * reads in one go (start/agent.c). */
#define AS_LISTENER_METADATA_MAX 3072

/* Where a program whose rules answer SCMP_ACT_NOTIFY sends the listener the
 * kernel returns when it is installed: the seccomp agent's UNIX socket, and
 * what the agent is told besides (SEMANTICS in src/README.md).  Both
 * decoded, not NUL-terminated.  PATH_LEN and METADATA_LEN come first, so
 * that a copy may stop after the metadata in use (cache.c). */
struct as_listener {
	uint32_t path_len, metadata_len;
	char path[AS_LISTENER_PATH_MAX];
	char metadata[AS_LISTENER_METADATA_MAX];
};

struct as_bpf {
	uint32_t flags; /* SECCOMP_FILTER_FLAG_* to load it with, TSYNC excluded */
	unsigned int len;
	unsigned int stub_len; /* the ENOSYS stub's instructions, first in insns */
	/* Where the listener goes, when flags has SECCOMP_FILTER_FLAG_NEW_LISTENER. */
	struct as_listener listener;
	/* 0, or the instruction that compares the socket the listener is handed
	 * over on, which install fills in (bpf/notify.h). */
	unsigned int handoff_pc;
	struct sock_filter insns[BPF_MAXINSNS];
};

struct as_supervision;

/* A program to install, wherever its instructions live: in an as_bpf, in
 * the precompiled table, in a cache entry.  The start-up installs it from
 * where it is: every page a preloaded process writes costs it a fault. */
struct as_program {
	const struct sock_filter *insns;
	unsigned int len;
	uint32_t flags; /* as in as_bpf */
	/* Where the listener goes when flags has SECCOMP_FILTER_FLAG_NEW_LISTENER:
	 * the profile's agent, or the supervisor of report and audit modes
	 * (start/supervisor.h), which comes first.  Both NULL otherwise. */
	const struct as_listener *listener;
	const struct as_supervision *supervision;
	/* In a program whose denials go to the listener: where install writes
	 * the hand-off socket's descriptor, so that the hand-off itself is let
	 * through.  NULL otherwise. */
	struct sock_filter *handoff;
};

/* What the hand-off comparison holds until install fills it in: no fd. */
#define AS_HANDOFF_UNSET 0xffffffffu

static inline struct as_program as_bpf_program(const struct as_bpf *bpf)
{
	return (struct as_program){bpf->insns, bpf->len, bpf->flags,
				   bpf->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER ? &bpf->listener : NULL, NULL, NULL};
}

#endif
