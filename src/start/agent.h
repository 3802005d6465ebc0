/* The hand-off to a seccomp agent.  A program whose rules answer
 * SCMP_ACT_NOTIFY is installed with a new listener, which goes to the agent
 * at the profile's listenerPath as runc sends it: one message on a UNIX
 * stream socket, runtime-spec's ContainerProcessState in JSON with the
 * listener in SCM_RIGHTS, named "seccompFd" in its "fds".  The agent then
 * decides the notified calls of this process and of every descendant. */
#ifndef AS_AGENT_H
#define AS_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "program.h"

/* runc's agent reads the message with one recvmsg into 4096 bytes, and
 * refuses one that fills them. */
#define AS_AGENT_MESSAGE_SIZE 4096

struct as_agent {
	int sock;
	size_t len;
	char message[AS_AGENT_MESSAGE_SIZE];
};

#define AS_AGENT_NONE ((struct as_agent){.sock = -1})

/* The message runc sends, with a state that describes process PID, in BUF;
 * returns its length, which is SIZE or more when it did not fit. */
size_t as_agent_message(const struct as_listener *listener, pid_t pid, char *buf, size_t size);

/* Connect to LISTENER's agent and write the message that will describe
 * process PID: before the filter is installed, as it may deny socket and
 * connect.  Fails, with nothing to close, when no agent listens. */
int as_agent_connect(const struct as_listener *listener, pid_t pid, struct as_agent *ret, struct as_error *err);

/* Send LISTENER_FD to the agent with the message, then close it: after the
 * filter is installed, with no call but sendmsg, close and (REPLACE) dup3,
 * which resolve keeps from being notified (sendmsg), the agent may decide
 * (close), or report mode requires the profile to allow (dup3).
 * The process must not keep the descriptor: with it, one thread could answer
 * another's notifications.  Where the filter lets it (REPLACE: a diverted
 * program, notify.h), the socket is first put in the listener's place with
 * dup3, which proves the listener gone: a filter in force may answer close
 * with a success it did not have, but dup3's answer is the descriptor,
 * which no errno is. */
int as_agent_hand_over(struct as_agent *agent, int listener_fd, bool replace, struct as_error *err);

void as_agent_close(struct as_agent *agent);

/* The agent's side, for autoseccomp's own agents (the supervisor, record):
 * the listener one message on CONN carries, or -1.  The message itself is
 * not read: they started the process it describes. */
int as_agent_receive(int conn);

#define _cleanup_agent_ __attribute__((cleanup(as_agent_close)))

#endif
