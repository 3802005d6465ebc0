/* A minimal seccomp agent, speaking the protocol runc and autoseccomp use to
 * hand over a filter's listener: it listens on a UNIX socket, takes one
 * message per connection (runtime-spec's ContainerProcessState in JSON, with
 * the listener in SCM_RIGHTS), and then answers the calls that the profile's
 * SCMP_ACT_NOTIFY rules send it.
 *
 *   seccomp-agent [-l LOG] [-e NAME=ERRNO]... [-r NAME=VALUE]... SOCKET
 *
 * -e fails the call NAME with ERRNO (a number), -r returns VALUE from it
 * without running it, and any other notified call runs as if allowed
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE).  LOG receives each message, then one
 * line per call: "PID NAME -> ANSWER".  A profile to try it with:
 *
 *   {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/tmp/agent.sock",
 *    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}
 *
 *   seccomp-agent -e mkdir=13 -e mkdirat=13 /tmp/agent.sock &
 *   autoseccomp exec profile.json -- mkdir /tmp/x    # Permission denied
 *
 * An agent decides on the program's behalf, so only who may be trusted with
 * that may reach its socket: keep it in a directory only they can enter. */
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_RULES 32
#define MAX_LISTENERS 64
#define MESSAGE_SIZE 4096

struct rule {
	char name[64];
	int error;      /* an errno to fail with, or 0 */
	long long value; /* else what the call returns */
};

static struct rule rules[MAX_RULES];
static int rule_count;
static FILE *logfile;

static int add_rule(const char *spec, int is_error)
{
	const char *eq = strchr(spec, '=');
	struct rule *rule = &rules[rule_count];

	if (eq == NULL || eq == spec || (size_t)(eq - spec) >= sizeof(rule->name) || rule_count == MAX_RULES)
		return -1;
	memcpy(rule->name, spec, (size_t)(eq - spec));
	rule->name[eq - spec] = '\0';
	rule->error = is_error ? atoi(eq + 1) : 0;
	rule->value = is_error ? 0 : atoll(eq + 1);
	if (is_error && rule->error <= 0)
		return -1;
	rule_count++;
	return 0;
}

static const struct rule *rule_for(const char *name)
{
	for (int i = 0; i < rule_count; i++)
		if (strcmp(rules[i].name, name) == 0)
			return &rules[i];
	return NULL;
}

/* Bound aside and renamed into place once listening: whoever finds PATH
 * can connect. */
static int listen_on(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) + 5 >= sizeof(addr.sun_path))
		return -1;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s.new", path);
	unlink(addr.sun_path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 16) < 0 ||
	    rename(addr.sun_path, path) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One message, and the one descriptor it carries; -1 for anything else.
 * The JSON is only logged here: an agent that serves several programs
 * would read "pid", "metadata" and "state" from it. */
static int receive_listener(int conn)
{
	char message[MESSAGE_SIZE];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {message, sizeof(message) - 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *cmsg;
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	int fd;

	cmsg = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
	message[n] = '\0';
	if ((size_t)n >= sizeof(message) - 1 || strstr(message, "\"fds\":[\"seccompFd\"]") == NULL) {
		close(fd);
		return -1;
	}
	fprintf(logfile, "%s\n", message);
	return fd;
}

/* Answer one notification; false once the listener has no program left. */
static int answer(int fd, struct seccomp_notif *req, struct seccomp_notif_resp *resp)
{
	const struct rule *rule;
	char *name;
	int r;

	memset(req, 0, sizeof(*req));
	r = seccomp_notify_receive(fd, req);
	if (r == -ENOENT || r == -EINTR)
		return 1; /* the caller was interrupted or died */
	if (r < 0)
		return 0;
	name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
	rule = name != NULL ? rule_for(name) : NULL;
	memset(resp, 0, sizeof(*resp));
	resp->id = req->id;
	if (rule == NULL)
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (rule->error != 0)
		resp->error = -rule->error;
	else
		resp->val = rule->value;
	if (rule == NULL)
		fprintf(logfile, "%u %s -> continue\n", req->pid, name ? name : "?");
	else if (rule->error != 0)
		fprintf(logfile, "%u %s -> errno %d\n", req->pid, name, rule->error);
	else
		fprintf(logfile, "%u %s -> %lld\n", req->pid, name, rule->value);
	free(name);
	/* The caller may have gone, and its id been reused, since it was read. */
	if (seccomp_notify_id_valid(fd, req->id) == 0)
		seccomp_notify_respond(fd, resp);
	return 1;
}

int main(int argc, char **argv)
{
	struct pollfd fds[1 + MAX_LISTENERS];
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int opt, count = 1;

	logfile = stdout;
	while ((opt = getopt(argc, argv, "l:e:r:")) != -1) {
		if (opt == 'l' && (logfile = fopen(optarg, "a")) == NULL) {
			perror(optarg);
			return 1;
		}
		if ((opt == 'e' || opt == 'r') && add_rule(optarg, opt == 'e') < 0)
			opt = '?';
		if (opt == '?') {
			fprintf(stderr, "usage: seccomp-agent [-l LOG] [-e NAME=ERRNO]... [-r NAME=VALUE]... SOCKET\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: seccomp-agent [-l LOG] [-e NAME=ERRNO]... [-r NAME=VALUE]... SOCKET\n");
		return 2;
	}
	setvbuf(logfile, NULL, _IOLBF, 0);
	if (seccomp_notify_alloc(&req, &resp) < 0)
		return 1;
	fds[0] = (struct pollfd){.fd = listen_on(argv[optind]), .events = POLLIN};
	if (fds[0].fd < 0) {
		perror(argv[optind]);
		return 1;
	}
	for (;;) {
		if (poll(fds, (nfds_t)count, -1) < 0 && errno != EINTR)
			return 1;
		for (int i = count - 1; i > 0; i--) {
			/* POLLHUP: every process under the filter has gone. */
			if (fds[i].revents & POLLIN && answer(fds[i].fd, req, resp))
				continue;
			if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				close(fds[i].fd);
				fds[i] = fds[--count];
			}
		}
		if (fds[0].revents & POLLIN) {
			int conn = accept4(fds[0].fd, NULL, NULL, SOCK_CLOEXEC), fd = -1;
			if (conn >= 0)
				fd = receive_listener(conn);
			if (conn >= 0)
				close(conn);
			if (fd >= 0 && count < 1 + MAX_LISTENERS)
				fds[count++] = (struct pollfd){.fd = fd, .events = POLLIN};
			else if (fd >= 0)
				close(fd);
		}
	}
}
