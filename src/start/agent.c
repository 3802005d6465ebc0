#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "json.h"

/* The version of runtime-spec whose ContainerProcessState this follows. */
#define OCI_VERSION "1.1.0"

/* Outside a container there is no container ID and no bundle: the ID names
 * the process that installed the filter, whose descendants share it, and the
 * bundle is empty (src/README.md, "SCMP_ACT_NOTIFY"). */
size_t as_agent_message(const struct as_listener *listener, pid_t pid, char *buf, size_t size)
{
	size_t at = (size_t)snprintf(buf, size, "{\"ociVersion\":\"" OCI_VERSION "\",\"fds\":[\"seccompFd\"],\"pid\":%d",
				     (int)pid);

	if (listener->metadata_len > 0 && at < size) {
		at += (size_t)snprintf(buf + at, size - at, ",\"metadata\":\"");
		if (at < size)
			at += as_json_escape(listener->metadata, listener->metadata_len, buf + at, size - at);
		if (at < size)
			buf[at++] = '"';
	}
	if (at < size)
		at += (size_t)snprintf(buf + at, size - at,
				       ",\"state\":{\"ociVersion\":\"" OCI_VERSION "\",\"id\":\"autoseccomp-%d\","
				       "\"status\":\"running\",\"pid\":%d,\"bundle\":\"\"}}",
				       (int)pid, (int)pid);
	return at;
}

static void path_shown(const struct as_listener *listener, char buf[AS_LISTENER_PATH_MAX + 1])
{
	memcpy(buf, listener->path, listener->path_len);
	buf[listener->path_len] = '\0';
}

int as_agent_connect(const struct as_listener *listener, pid_t pid, struct as_agent *ret, struct as_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char path[AS_LISTENER_PATH_MAX + 1];
	int fd;

	_Static_assert(sizeof(addr.sun_path) == AS_LISTENER_PATH_MAX, "a listenerPath fits sun_path");
	path_shown(listener, path);
	ret->sock = -1;
	ret->len = as_agent_message(listener, pid, ret->message, sizeof(ret->message));
	/* Resolve bounds the metadata so that this cannot happen. */
	if (ret->len >= sizeof(ret->message))
		return as_error_set(err, -E2BIG, AS_NO_POSITION, "the message to the seccomp agent is too long");
	memcpy(addr.sun_path, listener->path, listener->path_len);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot make a socket for the seccomp agent: %s",
				    strerror(errno));
	if (connect(fd, (struct sockaddr *)&addr, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + listener->path_len)) <
	    0) {
		int e = errno;
		close(fd);
		return as_error_set(err, -ECONNREFUSED, AS_NO_POSITION, "cannot connect to the seccomp agent at %s: %s",
				    path, strerror(e));
	}
	ret->sock = fd;
	return 0;
}

int as_agent_hand_over(struct as_agent *agent, int listener_fd, bool replace, struct as_error *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = {0};
	struct iovec iov = {agent->message, agent->len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	ssize_t n;
	int r = 0;

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &listener_fd, sizeof(int));
	/* No SIGPIPE from an agent that has gone: the start fails instead. */
	do
		n = sendmsg(agent->sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		r = as_error_set(err, -ECONNREFUSED, AS_NO_POSITION,
				 "cannot send the listener to the seccomp agent: %s", strerror(errno));
	else if ((size_t)n != agent->len)
		r = as_error_set(err, -ECONNREFUSED, AS_NO_POSITION, "the seccomp agent took %zd of the %zu bytes sent",
				 n, agent->len);
	/* Kept open, the listener would let the program answer its own
	 * notifications: a close that fails, or a replacement not made, fails
	 * the start. */
	if (replace && dup3(agent->sock, listener_fd, O_CLOEXEC) != listener_fd)
		return as_error_set(err, -ENOTRECOVERABLE, AS_NO_POSITION, "cannot close the listener: %s",
				    strerror(errno));
	if (close(listener_fd) < 0 && errno != EINTR)
		r = as_error_set(err, -ENOTRECOVERABLE, AS_NO_POSITION, "cannot close the listener: %s",
				 strerror(errno));
	return r;
}

void as_agent_close(struct as_agent *agent)
{
	if (agent->sock >= 0)
		close(agent->sock);
	agent->sock = -1;
}

int as_agent_receive(int conn)
{
	char message[AS_AGENT_MESSAGE_SIZE];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {message, sizeof(message)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *cmsg;
	int fd = -1;

	if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) <= 0 || (cmsg = CMSG_FIRSTHDR(&msg)) == NULL ||
	    cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
	return fd;
}
