/*
 * journal - mail-log lines from the systemd journal (libsystemd's
 * sd-journal), rebuilt in syslog form for the shared parser.
 *
 * Hosts without rsyslog keep Postfix's log only in the journal. This
 * module reads it entry by entry, keeps those of one unit
 * (_SYSTEMD_UNIT) and/or whose SYSLOG_IDENTIFIER starts with a prefix
 * ("postfix" takes postfix/smtpd, postfix/submission/smtpd and
 * postfix-slow/smtp), and rebuilds each as the line rsyslog would have
 * written to mail.log:
 *
 *	Mon DD HH:MM:SS host ident[pid]: message
 *
 * so that log/maillog.h parses both sources alike. It is normally used
 * through log/follow.h (PQ_FOLLOW_JOURNAL), which keeps the cursor in
 * the follower's state file.
 *
 * The rebuild, as journalctl's short format does it: the time is the
 * entry's _SOURCE_REALTIME_TIMESTAMP (when the sender logged it), else
 * its realtime stamp, in local time, with C-locale month names and the
 * day padded with a space ("Jan  5"); host is _HOSTNAME ("localhost" if
 * none); ident is SYSLOG_IDENTIFIER, else _COMM, else "unknown"; pid is
 * _PID, else SYSLOG_PID; "[pid]" is left out when there is none.
 * Trailing newlines of MESSAGE are dropped, and control bytes inside it
 * (below 0x20 except tab, and 0x7f) are written as #ooo (three octal
 * digits), as rsyslog's default control-character escaping does, so a
 * multi-line entry stays one line. A line longer than
 * PQ_LOGREAD_MAX_LINE is cut to it (pq_journal_syslog_line says so; the
 * reader warns once per entry).
 *
 * Entry points:
 *	pq_journal_open(&opts, &err)  NULL with err set when the journal
 *	    cannot be opened or the cursor is refused outright.
 *	pq_journal_next(j, &line, &len)  1 and the next line (valid until
 *	    the next call), 0 when nothing is there now (wait on
 *	    pq_journal_fd for POLLIN, at most pq_journal_timeout_ms).
 *	    Read errors are reported (pq_warn, once until reading works
 *	    again) and return 0: the journal is tried again next time.
 *	pq_journal_cursor(j)  the cursor of the entry read last (or the one
 *	    it was opened at), to be saved; a new string, or NULL.
 *	pq_journal_close(j)
 * Pure pieces (unit-tested without a journal):
 *	pq_journal_syslog_line(&entry, &out)  the rebuild.
 *	pq_journal_ident_match(ident, n, prefix)  the identifier filter.
 *
 * Resuming: the cursor's entry is found again and skipped (it was handed
 * out before the stop); if it is gone (the journal was vacuumed or
 * rotated away while the reader was down), reading goes on from the
 * nearest later entry and a warning says lines may be missing.
 */
#ifndef POSTQ_JOURNAL_H
#define POSTQ_JOURNAL_H

#include "util/buf.h"
#include "util/diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pq_journal_opts {
	const char *unit;		/* _SYSTEMD_UNIT to keep, or NULL */
	const char *ident_prefix;	/* SYSLOG_IDENTIFIER prefix, or NULL */
	const char *dir;		/* a journal directory; NULL: the system's */
	const char *name_space;		/* a journald namespace; NULL: the default */
	const char *cursor;		/* resume after this entry; NULL: see from_start */
	bool from_start;		/* without a cursor: oldest entry, else only new ones */
};

struct pq_journal;

struct pq_journal *pq_journal_open(const struct pq_journal_opts *o, struct pq_err *err);
int pq_journal_next(struct pq_journal *j, const char **line, size_t *len);
int pq_journal_fd(struct pq_journal *j);
int pq_journal_timeout_ms(struct pq_journal *j);
char *pq_journal_cursor(struct pq_journal *j);
void pq_journal_close(struct pq_journal *j);

/* What the rebuild takes from an entry; a NULL pointer means "not there". */
struct pq_journal_entry {
	uint64_t usec;			/* microseconds since the epoch */
	const char *host;
	size_t host_n;
	const char *ident;
	size_t ident_n;
	const char *pid;
	size_t pid_n;
	const char *msg;
	size_t msg_n;
};

/* The line into out (reset first); true if it had to be cut. */
bool pq_journal_syslog_line(const struct pq_journal_entry *e, struct pq_buf *out);
/* prefix NULL or empty takes everything. */
bool pq_journal_ident_match(const char *ident, size_t n, const char *prefix);

#endif
