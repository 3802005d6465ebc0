/* The supervisor of report and audit modes (AUTOSECCOMP_REPORT,
 * AUTOSECCOMP_MODE=audit): a process of its own that holds the listener of
 * a filter whose denials are diverted to it (bpf/notify.h), answers each
 * call as the profile decides (report) or lets it run (audit), and names it.
 *
 * It is started before the filter is installed and takes the listener as a
 * seccomp agent does (agent.h), so every process that shares the filter is
 * reported on, whatever becomes of the preload in it.  The program cannot see
 * it: it is not the program's child (it is started through a child that ends
 * at once), it is in a session of its own, it keeps none of the program's
 * files but the report's, and it ends when the last process under the filter
 * has gone.  If it dies, the calls it would have answered fail with ENOSYS. */
#ifndef AS_SUPERVISOR_H
#define AS_SUPERVISOR_H

#include <stddef.h>

#include "agent.h"
#include "error.h"
#include "host.h"
#include "notify.h"
#include "program.h"
#include "resolve.h"

/* What the supervisor tells decisions from.  All of it stays where the
 * driver keeps it: the supervisor is a fork, with its own copy. */
struct as_supervision {
	enum as_notify_mode mode;
	const char *dest; /* "stderr", "syslog", or an absolute path to append to */
	const struct as_bpf *original;
	const struct as_resolved *resolved;
	const struct as_host *host;
	const char *source_name, *text;
	size_t text_len;
};

/* Whether DEST is a destination AUTOSECCOMP_REPORT may name. */
int as_report_destination_check(const char *dest, struct as_error *err);

/* Add LINE, a whole message of the start's, where DEST's reports go when
 * that is a file or syslog (standard error has it already). */
void as_report_note(const char *dest, const char *line);

/* Start the supervisor for S, connected to RET as an agent is (agent.h),
 * with the message to send it written.  Its destination is opened here, so
 * that a file that cannot be opened fails the start. */
int as_supervisor_start(const struct as_supervision *s, struct as_agent *ret, struct as_error *err);

#endif
