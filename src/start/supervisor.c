#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "eval.h"
#include "explain.h"
#include "fnv.h"
#include "scratch.h"
#include "syscalls.h"

/* Linux 6.6: wake the caller on this CPU, where it waits for the answer;
 * older kernels refuse it, and answer as before. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1
#endif
/* Distinct denials named in full; later ones of a kind are counted. */
#define KINDS 1024
#define LINE_SIZE 512

int as_report_destination_check(const char *dest, struct as_error *err)
{
	if (strcmp(dest, "stderr") == 0 || strcmp(dest, "syslog") == 0 || dest[0] == '/')
		return 0;
	return as_error_set(err, -EINVAL, AS_NO_POSITION,
			    "AUTOSECCOMP_REPORT is \"%s\": expected stderr, syslog or an absolute path", dest);
}

/* The descriptor the lines go to: a copy of the first process's standard
 * error, or the file, appended to; -1 for syslog. */
static int open_destination(const char *dest, int *ret, struct as_error *err)
{
	*ret = -1;
	if (strcmp(dest, "syslog") == 0)
		return 0;
	if (strcmp(dest, "stderr") == 0)
		*ret = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	else
		*ret = open(dest, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (*ret < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot open the report destination %s: %s", dest,
				    strerror(errno));
	return 0;
}

void as_report_note(const char *dest, const char *line)
{
	int fd;

	/* In the program's own process: its descriptors are left as they were. */
	if (strcmp(dest, "syslog") == 0) {
		syslog(LOG_USER | LOG_WARNING, "%s", line);
		closelog();
		return;
	}
	if (dest[0] != '/' || (fd = open(dest, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600)) < 0)
		return;
	(void)!write(fd, line, strlen(line));
	(void)!write(fd, "\n", 1);
	close(fd);
}

/* One kind of denial: the same call, decided the same way. */
struct kind {
	uint64_t key;
	unsigned long count;
	char line[LINE_SIZE]; /* its first report, for the summary */
};

struct supervisor {
	const struct as_supervision *s;
	int out;
	struct kind kinds[KINDS];
	unsigned long unnamed; /* denials of kinds the table had no room for */
};

static void emit(const struct supervisor *sv, const char *line)
{
	size_t len = strlen(line);

	if (sv->out < 0) {
		syslog(LOG_WARNING, "%s", line);
		return;
	}
	char buf[LINE_SIZE + 32];
	len = (size_t)snprintf(buf, sizeof(buf), "autoseccomp: %s\n", line);
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	for (size_t done = 0; done < len;) {
		ssize_t n = write(sv->out, buf + done, len - done);
		if (n <= 0 && errno != EINTR)
			return;
		done += n > 0 ? (size_t)n : 0;
	}
}

/* The entry of the kind KEY, or NULL when the table is full. */
static struct kind *kind_of(struct supervisor *sv, uint64_t key, bool *is_new)
{
	for (unsigned int i = 0, at = (unsigned int)(key % KINDS); i < KINDS; i++, at = (at + 1) % KINDS) {
		struct kind *k = &sv->kinds[at];
		*is_new = k->count == 0;
		if (k->count == 0 || k->key == key) {
			k->key = key;
			return k;
		}
	}
	*is_new = false;
	return NULL;
}

static void read_comm(pid_t pid, char *buf, size_t size)
{
	char path[32];
	int fd;
	ssize_t n = -1;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	if (n <= 0)
		n = snprintf(buf, size, "?");
	else if (buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	/* The program names itself: it must not write lines of its own into
	 * the report, nor move a terminal's cursor. */
	for (ssize_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f || buf[i] == ' ')
			buf[i] = '?';
}

/* "keyctl(2) x86_64 nr 250 (0x0, 0xfffffffd, 0x0, ...) -> SCMP_ACT_ERRNO(EPERM), rule at x.json:12:5" */
static void describe(const struct supervisor *sv, const struct seccomp_data *data, const struct as_entry *entry,
		     const struct as_decision *d, char *buf, size_t size)
{
	const struct as_supervision *s = sv->s;
	char action[64], by[LINE_SIZE / 2], *name = as_syscall_name(entry->arch, data->nr);

	as_action_format(d->verdict.action, action, sizeof(action));
	as_decision_describe(d, s->source_name, s->text, s->text_len, by, sizeof(by));
	snprintf(buf, size, "%s%s %s nr %d (0x%llx, 0x%llx, 0x%llx, ...) -> %s%s, %s", name ? name : "unknown",
		 name ? "(2)" : "", entry->name, data->nr, (unsigned long long)data->args[0],
		 (unsigned long long)data->args[1], (unsigned long long)data->args[2],
		 s->mode == AS_NOTIFY_AUDIT ? "audit: would be " : "", action, by);
	free(name);
}

/* How the filter would have answered, without the diversion; a call the
 * supervisor cannot decide fails with ENOSYS, as with no supervisor.  The
 * caller waits only for the program's own answer: which rule gave it is
 * found for the first call of a kind, once the caller has its answer. */
static void answer(struct supervisor *sv, int listener, const struct seccomp_notif *req)
{
	const struct as_supervision *s = sv->s;
	struct seccomp_notif_resp resp = {.id = req->id, .error = -ENOSYS};
	struct as_verdict verdict;
	struct as_decision d;
	struct as_entry entry;
	struct as_error err;
	char line[LINE_SIZE + 64], comm[32];
	struct kind *k = NULL;
	bool is_new = false, decided;

	decided = as_eval(s->original->insns, s->original->len, &req->data, &verdict, &err) == 0 &&
		  as_notify_diverts(s->mode, verdict.action);
	if (decided && s->mode == AS_NOTIFY_AUDIT)
		resp = (struct seccomp_notif_resp){.id = req->id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
	else if (decided)
		resp.error = -(int)(verdict.action & SECCOMP_RET_DATA);
	if (decided) {
		uint64_t key[] = {req->data.arch, (uint32_t)req->data.nr, verdict.action, verdict.ret_pc};
		k = kind_of(sv, as_fnv1a64(key, sizeof(key)), &is_new);
	}
	/* Named while the caller waits, so that its name is still there. */
	if (is_new)
		read_comm((pid_t)req->pid, comm, sizeof(comm));
	ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	if (!decided) {
		snprintf(line, sizeof(line), "%u: syscall nr %d, arch 0x%x: cannot tell what the filter decides: ENOSYS",
			 req->pid, req->data.nr, req->data.arch);
		emit(sv, line);
	} else if (k == NULL) {
		sv->unnamed++;
	} else if (k->count++ == 0) {
		if (as_entry_by_arch(as_syscall_arch(&req->data), &entry) < 0 ||
		    as_explain(s->original, s->resolved, s->host, &entry, req->data.nr,
			       (const uint64_t *)req->data.args, &d, &err) < 0)
			snprintf(k->line, sizeof(k->line), "nr %d, arch 0x%x", req->data.nr, req->data.arch);
		else
			describe(sv, &req->data, &entry, &d, k->line, sizeof(k->line));
		snprintf(line, sizeof(line), "%u (%s): %s", req->pid, comm, k->line);
		emit(sv, line);
	}
}

/* At the end, how often each kind named once recurred. */
static void summarise(const struct supervisor *sv)
{
	char line[LINE_SIZE + 64];

	for (unsigned int i = 0; i < KINDS; i++)
		if (sv->kinds[i].count > 1) {
			snprintf(line, sizeof(line), "%lu calls in all: %s", sv->kinds[i].count, sv->kinds[i].line);
			emit(sv, line);
		}
	if (sv->unnamed > 0) {
		snprintf(line, sizeof(line), "%lu more calls, of kinds beyond the first %d, were not named", sv->unnamed,
			 KINDS);
		emit(sv, line);
	}
}

/* None of the program's files, so that a pipe it closes is closed: only
 * SOCK and OUT stay. */
static void keep_only(int sock, int out)
{
	int lo = sock < out ? sock : out, hi = sock < out ? out : sock;

	if (lo < 0)
		lo = hi;
	if (lo > 0)
		close_range(0, (unsigned int)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned int)lo + 1, (unsigned int)hi - 1, 0);
	close_range((unsigned int)hi + 1, ~0u, 0);
}

static _Noreturn void supervise(const struct as_supervision *s, int sock, int out)
{
	/* Large, and mapped only here: in the library's .bss every process it
	 * is loaded into would map it at start-up. */
	struct supervisor *sv = as_scratch(sizeof(*sv));
	int listener;

	if (sv == NULL)
		_exit(1); /* the listener is never taken: the calls fail with ENOSYS */
	sv->s = s;
	sv->out = out;
	/* Forked before the filter, it is under none: the program, which the
	 * profile may let ptrace its own user's processes, must not be able to
	 * attach to it, or write its memory, and answer its own calls. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setsid();
	prctl(PR_SET_NAME, "autoseccomp-sv", 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	(void)!chdir("/");
	keep_only(sock, out);
	if (out < 0)
		openlog("autoseccomp", 0, LOG_USER);
	listener = as_agent_receive(sock);
	close(sock);
	if (listener >= 0)
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
	for (;;) {
		struct pollfd p = {listener, POLLIN, 0};
		struct seccomp_notif req;
		if (listener < 0 || (poll(&p, 1, -1) < 0 && errno != EINTR))
			break;
		if (p.revents & POLLIN) {
			memset(&req, 0, sizeof(req));
			if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0)
				answer(sv, listener, &req);
		} else if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) {
			break; /* the last process under the filter has gone */
		}
	}
	summarise(sv);
	_exit(0);
}

int as_supervisor_start(const struct as_supervision *s, struct as_agent *ret, struct as_error *err)
{
	static const struct as_listener none;
	int pair[2], out;
	pid_t pid;
	int r = open_destination(s->dest, &out, err);

	ret->sock = -1;
	if (r < 0)
		return r;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		r = as_error_set(err, -errno, AS_NO_POSITION, "cannot start the supervisor: %s", strerror(errno));
		if (out >= 0)
			close(out);
		return r;
	}
	ret->len = as_agent_message(&none, getpid(), ret->message, sizeof(ret->message));
	/* Through a child that ends at once: the supervisor is no child of the
	 * program's, which may wait for all of its own. */
	pid = fork();
	if (pid == 0) {
		if (fork() == 0)
			supervise(s, pair[1], out);
		_exit(0);
	}
	if (pid < 0)
		r = as_error_set(err, -errno, AS_NO_POSITION, "cannot start the supervisor: %s", strerror(errno));
	close(pair[1]);
	if (out >= 0)
		close(out);
	/* A program that ignores SIGCHLD has its children reaped for it: ECHILD. */
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (r < 0) {
		close(pair[0]);
		return r;
	}
	ret->sock = pair[0];
	return 0;
}
