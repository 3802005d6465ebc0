/* record: run a command, with every process it starts, under a filter that
 * hands each call a base profile does not allow (every call, without one)
 * to this process, which lets it run and notes it; then write a profile that
 * allows what was called and denies the rest with EPERM (cli.h).
 *
 * The recorder is a seccomp agent of its own (agent.h): the command's
 * process connects to it through a socket in a private directory, as a
 * profile's listenerPath would make it, and hands over the listener.  No
 * ptrace: the command stays debuggable, and its calls cost a round trip to
 * the recorder only where the base does not allow them. */
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "autoseccomp.h"
#include "cleanup.h"
#include "cli.h"
#include "install.h"
#include "notify.h"
#include "syscalls.h"

/* Above every table of the three x86 ABIs. */
#define MAX_NR 1024
/* The rule a recording writes first, found again by --append. */
#define RECORDED "{\"comment\": \"recorded by autoseccomp record\","

/* A profile that denies everything, on the three x86 ABIs: every call is
 * handed to the recorder. */
static const char deny_all[] = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
			       "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]}";

static const struct {
	uint32_t arch; /* libseccomp token */
	const char *name;
} abis[] = {{SCMP_ARCH_X86_64, "SCMP_ARCH_X86_64"}, {SCMP_ARCH_X86, "SCMP_ARCH_X86"}, {SCMP_ARCH_X32, "SCMP_ARCH_X32"}};
#define ABIS (sizeof(abis) / sizeof(abis[0]))

struct recording {
	bool seen[ABIS][MAX_NR];
	unsigned long nameless;
};

static void note(struct recording *rec, const struct seccomp_notif *req)
{
	uint32_t arch = as_syscall_arch(&req->data), nr = (uint32_t)req->data.nr & ~AS_X32_SYSCALL_BIT;
	unsigned int abi = 0;

	while (abi < ABIS && abis[abi].arch != arch)
		abi++;
	if (abi == ABIS || nr >= MAX_NR)
		rec->nameless++;
	else
		rec->seen[abi][nr] = true;
}

/* Until the last process under the filter has gone; the command, this
 * process's child (PIDFD, -1 where the kernel has none), is reaped on the
 * way so that it goes. */
static int record_calls(int listener, pid_t child, int pidfd, struct recording *rec)
{
	int status = 0;
	bool reaped = false;

	for (;;) {
		struct pollfd fds[2] = {{listener, POLLIN, 0}, {pidfd, POLLIN, 0}};
		struct seccomp_notif req;
		if (poll(fds, reaped || pidfd < 0 ? 1 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents & POLLIN) {
			reaped = waitpid(child, &status, 0) == child;
			continue;
		}
		if (fds[0].revents & POLLIN) {
			memset(&req, 0, sizeof(req));
			if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
				continue;
			struct seccomp_notif_resp resp = {.id = req.id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
			ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
			note(rec, &req);
		} else if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			break;
		}
	}
	if (!reaped)
		waitpid(child, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The listener, as an agent takes it: one connection, one descriptor. */
static int accept_listener(int server, int pidfd)
{
	struct pollfd fds[2] = {{server, POLLIN, 0}, {pidfd, POLLIN, 0}};
	_cleanup_close_ int conn = -1;

	/* A command that fails before it connects ends the wait. */
	while (poll(fds, pidfd < 0 ? 1 : 2, -1) < 0 && errno == EINTR)
		;
	if (!(fds[0].revents & POLLIN) || (conn = accept4(server, NULL, NULL, SOCK_CLOEXEC)) < 0)
		return -1;
	return as_agent_receive(conn);
}

/* The command's side: the filter, then the command; 125 or 126/127 as exec. */
static _Noreturn void run_command(const struct as_cli_options *opts, const struct as_program *program,
				  const struct as_host *host)
{
	struct as_error err;

	if (as_install(program, host, NULL, &err) < 0) {
		fprintf(stderr, "autoseccomp: record: %s\n", err.message);
		_exit(AUTOSECCOMP_EXIT_FAILURE);
	}
	execvp(opts->words[0], opts->words);
	fprintf(stderr, "autoseccomp: %s: %s\n", opts->words[0], strerror(errno));
	_exit(errno == ENOENT ? AS_EXIT_NOT_FOUND : AS_EXIT_CANNOT_EXECUTE);
}

/* The names recorded, sorted, one JSON string each, and the ABIs they came
 * through; NAMES holds COUNT of them. */
static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t recorded_names(const struct recording *rec, char **names, size_t capacity, bool used[ABIS])
{
	size_t count = 0;

	for (unsigned int abi = 0; abi < ABIS; abi++) {
		used[abi] = false;
		for (unsigned int nr = 0; nr < MAX_NR; nr++) {
			char *name;
			if (!rec->seen[abi][nr])
				continue;
			used[abi] = true;
			name = as_syscall_name(abis[abi].arch,
					       (int)(abis[abi].arch == SCMP_ARCH_X32 ? nr | AS_X32_SYSCALL_BIT : nr));
			if (name == NULL)
				continue;
			bool dup = false;
			for (size_t k = 0; k < count && !dup; k++)
				dup = strcmp(names[k], name) == 0;
			if (dup || count == capacity)
				free(name);
			else
				names[count++] = name;
		}
	}
	qsort(names, count, sizeof(names[0]), compare_names);
	return count;
}

/* The rule, from where the output stands, its later lines indented by INDENT. */
static void write_rule(FILE *out, char *const *names, size_t count, const char *indent)
{
	fprintf(out, RECORDED "\n%s \"names\": [", indent);
	for (size_t k = 0; k < count; k++)
		fprintf(out, "%s\n%s  \"%s\"", k ? "," : "", indent, names[k]);
	fprintf(out, "\n%s ],\n%s \"action\": \"SCMP_ACT_ALLOW\"\n%s}", indent, indent, indent);
}

/* Without a base: what was called, on the ABIs it came through, and EPERM
 * for everything else. */
static void write_profile(FILE *out, char *const *names, size_t count, const bool used[ABIS])
{
	bool first = true;

	fprintf(out, "{\n \"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"defaultErrnoRet\": 1,\n \"architectures\": [");
	for (unsigned int abi = 0; abi < ABIS; abi++)
		if (used[abi] || abi == 0) {
			fprintf(out, "%s\"%s\"", first ? "" : ", ", abis[abi].name);
			first = false;
		}
	fprintf(out, "],\n \"syscalls\": [\n  ");
	write_rule(out, names, count, "  ");
	fprintf(out, "\n ]\n}\n");
}

/* The end of the JSON value that starts at byte START of P's profile. */
static size_t value_end(const struct as_cli_profile *p, unsigned int start)
{
	for (unsigned int i = 0; i < p->pipeline.json.count; i++)
		if (p->pipeline.json.tokens[i].start == (int)start)
			return (size_t)p->pipeline.json.tokens[i].end;
	return start;
}

/* Whether the rule at byte AT of P's profile is one an earlier recording
 * wrote there, INDENTed, byte for byte: only that one is merged.  A rule
 * edited since, to deny a call or to check its arguments, is the author's,
 * and stays as it is, after the new one. */
static bool recorded_unchanged(const struct as_cli_profile *p, size_t at, const char *indent)
{
	const struct as_profile *base = &p->pipeline.profile;
	const struct as_rule *earlier = &base->rules[0];
	size_t end = value_end(p, (unsigned int)at), len = 0;
	char *names[MAX_NR], *written = NULL;
	unsigned int count = 0;
	bool same = false;
	FILE *out;

	if (strncmp(p->source.text + at, RECORDED, strlen(RECORDED)) != 0 || earlier->names.count > MAX_NR)
		return false;
	for (; count < earlier->names.count; count++) {
		struct as_str name = as_profile_string(base, &earlier->names, count);
		if ((names[count] = strndup(name.ptr, name.len)) == NULL)
			break;
	}
	if (count == earlier->names.count && (out = open_memstream(&written, &len)) != NULL) {
		write_rule(out, names, count, indent);
		same = fclose(out) == 0 && len == end - at && memcmp(written, p->source.text + at, len) == 0;
	}
	free(written);
	while (count > 0)
		free(names[--count]);
	return same;
}

/* With a base: its text, with the recorded rule first, where it takes
 * precedence over any rule the base has for the same call (the first of two
 * wins).  A rule an earlier recording wrote there is merged into it. */
static int write_on_base(FILE *out, const struct as_cli_profile *p, char **names, size_t count, size_t capacity)
{
	const struct as_profile *base = &p->pipeline.profile;
	const char *text = p->source.text;
	size_t at, resume;

	if (base->rule_count == 0) {
		fprintf(stderr, "autoseccomp: record: %s has no rules to put the recorded one before\n", p->source.name);
		return EXIT_FAILURE;
	}
	at = resume = base->rules[0].pos;
	/* Indented as the base's first rule is. */
	size_t line = at;
	char indent[64] = "";
	while (line > 0 && (text[line - 1] == ' ' || text[line - 1] == '\t'))
		line--;
	if (at - line < sizeof(indent) && (line == 0 || text[line - 1] == '\n'))
		memcpy(indent, text + line, at - line), indent[at - line] = '\0';
	if (recorded_unchanged(p, at, indent)) {
		const struct as_rule *earlier = &base->rules[0];
		for (unsigned int k = 0; k < earlier->names.count && count < capacity; k++) {
			struct as_str name = as_profile_string(base, &earlier->names, k);
			names[count++] = strndup(name.ptr, name.len);
		}
		qsort(names, count, sizeof(names[0]), compare_names);
		resume = value_end(p, at);
	}
	/* Identical names merged once. */
	size_t kept = 0;
	for (size_t k = 0; k < count; k++) {
		if (kept > 0 && strcmp(names[kept - 1], names[k]) == 0) {
			free(names[k]);
			continue;
		}
		names[kept++] = names[k];
	}
	fwrite(text, 1, at, out);
	/* A run that needed nothing beyond the base leaves it as it was. */
	if (kept > 0)
		write_rule(out, names, kept, indent);
	if (kept > 0 && resume == at)
		fprintf(out, ",\n%s", indent);
	if (kept == 0 && resume != at)
		resume = at;
	fwrite(text + resume, 1, p->source.len - resume, out);
	for (size_t k = 0; k < kept; k++)
		free(names[k]);
	return 0;
}

/* A file of a new name beside PATH, its name in TEMPORARY: made by this
 * call, never one that was there, which in a directory others may write
 * could be a link to a file of this user's.  With the mode a file fopen
 * makes gets. */
static FILE *fresh_beside(const char *path, char *temporary, size_t size)
{
	mode_t mask = umask(0);
	FILE *out;
	int fd;

	umask(mask);
	if ((size_t)snprintf(temporary, size, "%s.XXXXXX", path) >= size)
		return errno = ENAMETOOLONG, NULL;
	if ((fd = mkostemp(temporary, O_CLOEXEC)) < 0)
		return NULL;
	if (fchmod(fd, 0666 & ~mask) < 0 || (out = fdopen(fd, "w")) == NULL) {
		int e = errno;
		close(fd);
		unlink(temporary);
		return errno = e, NULL;
	}
	return out;
}

/* Written aside and renamed into place: --append reads the file it writes. */
static int write_output(const struct as_cli_options *opts, const struct as_cli_profile *p, bool based,
			const struct recording *rec)
{
	char *names[2 * MAX_NR], temporary[4096];
	bool used[ABIS];
	size_t count = recorded_names(rec, names, MAX_NR, used);
	bool to_stdout = as_cli_writes_stdout(opts);
	FILE *out = stdout;
	int r = 0;

	if (!to_stdout && (out = fresh_beside(opts->output, temporary, sizeof(temporary))) == NULL)
		return as_cli_cannot_write(opts->output);
	if (based) {
		r = write_on_base(out, p, names, count, sizeof(names) / sizeof(names[0]));
	} else {
		write_profile(out, names, count, used);
		for (size_t k = 0; k < count; k++)
			free(names[k]);
	}
	if (r == 0 && (fflush(out) != 0 || ferror(out)))
		r = as_cli_cannot_write(as_cli_output_name(opts));
	if (!to_stdout && fclose(out) != 0 && r == 0)
		r = as_cli_cannot_write(opts->output);
	if (!to_stdout && r == 0 && rename(temporary, opts->output) < 0)
		r = as_cli_cannot_write(opts->output);
	if (!to_stdout && r != 0)
		unlink(temporary);
	if (rec->nameless > 0)
		fprintf(stderr, "autoseccomp: record: %lu calls had no syscall name and are not in the profile\n",
			rec->nameless);
	return r;
}

/* A socket in a directory only this user can enter, for the command's
 * process to connect to. */
static int listen_privately(char dir[64], struct as_listener *listener)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd;

	strcpy(dir, "/tmp/autoseccomp-record-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	listener->path_len = (uint32_t)snprintf(listener->path, sizeof(listener->path), "%s/agent", dir);
	listener->metadata_len = 0;
	memcpy(addr.sun_path, listener->path, listener->path_len);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int as_cli_record(const struct as_cli_options *opts, struct as_cli_profile *p)
{
	static struct as_bpf diverted;
	static struct recording rec;
	static struct as_listener listener;
	struct as_cli_options base = *opts;
	struct as_program program;
	struct as_error err;
	char dir[64];
	_cleanup_close_ int server = -1, pidfd = -1;
	int fd, status, r;
	pid_t child;

	if (opts->append && as_cli_writes_stdout(opts))
		return as_cli_usage_error("%s needs -o FILE, the profile to add to", "--append");
	base.profile = opts->append ? opts->output : opts->base;
	r = base.profile != NULL ? as_cli_load(&base, true, p) : as_cli_load_text(&base, "(record)", deny_all, p);
	if (r != 0)
		return r;
	if (as_notify_denials(&p->pipeline.bpf, p->pipeline.host.native_arch, AS_NOTIFY_AUDIT, &diverted, &err) < 0) {
		as_cli_report(p, &err);
		return EXIT_FAILURE;
	}
	server = listen_privately(dir, &listener);
	if (server < 0) {
		fprintf(stderr, "autoseccomp: record: cannot make a socket to record through: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	program = as_bpf_program(&diverted);
	program.listener = &listener;
	program.handoff = &diverted.insns[diverted.handoff_pc];
	fflush(NULL);
	child = fork();
	if (child == 0) {
		close(server);
		run_command(opts, &program, &p->pipeline.host);
	}
	/* ^C or ^\ at the terminal ends the command, not the recording: what it
	 * did until then is written. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	if (child > 0)
		pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	fd = child > 0 ? accept_listener(server, pidfd) : -1;
	unlink(listener.path);
	rmdir(dir);
	if (child < 0) {
		fprintf(stderr, "autoseccomp: record: cannot start %s: %s\n", opts->words[0], strerror(errno));
		return EXIT_FAILURE;
	}
	if (fd < 0) {
		/* The command reported why it did not start. */
		waitpid(child, &status, 0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : AUTOSECCOMP_EXIT_FAILURE;
	}
	status = record_calls(fd, child, pidfd, &rec);
	close(fd);
	r = write_output(opts, p, base.profile != NULL, &rec);
	return r != 0 ? AUTOSECCOMP_EXIT_FAILURE : status;
}
