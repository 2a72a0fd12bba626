/*
 * follow - follow a mail log like "tail -F", losing no line and handing
 * none out twice, for long-running readers (the exporter, the dashboard,
 * the Munin and RRD daemons) that count what they read.
 *
 * Sources: a file, standard input ("-"; also any path that is not a
 * regular file, such as a FIFO), or the systemd journal (log/journal.h:
 * lines rebuilt in syslog form so log/maillog.h reads them alike).
 *
 * ENTRY POINTS
 *	pq_follow_open(&opts, &err)
 *		Start following. NULL with err set only for what waiting
 *		cannot cure: bad options, a state file that exists but cannot
 *		be read, a journal that cannot be opened. A log that does not
 *		exist yet is waited for; a corrupt state file is reported and
 *		ignored (see RESTART).
 *	pq_follow_next(f, &line, &len)
 *		PQ_FOLLOW_LINE: the next complete line, without its newline
 *		(not NUL-terminated; valid until the next call on f).
 *		PQ_FOLLOW_AGAIN: nothing more now; wait (below) and call again.
 *		PQ_FOLLOW_END: a stream (standard input, a FIFO) has ended.
 *		Never blocks: a file is read only as far as it is written, a
 *		stream only when poll(2) says it is readable.
 *	pq_follow_fd(f), pq_follow_timeout_ms(f)
 *		After PQ_FOLLOW_AGAIN, wait until the fd (if not -1) is
 *		readable (POLLIN) or the timeout (ms; -1: none) has passed.
 *		For a file the fd is an inotify descriptor on the log's
 *		directory and the timeout the poll interval (at most 1000 ms,
 *		also the fallback where inotify cannot be had); for the journal
 *		they are sd-journal's. pq_follow_wait(f) does that poll(2) for
 *		callers without an event loop of their own. The fd is the
 *		follower's: do not read or close it.
 *	pq_follow_save(f, &err)
 *		Write the state file (if one was given): where the follower
 *		stands after the last line handed out. Call it after the lines
 *		handed out have been accounted for (and at a clean stop). false
 *		with err set if it could not be written.
 *	pq_follow_name(f)
 *		The file being read now, for messages ("journal", "-").
 *	pq_follow_close(f)
 *		Release everything; does not save.
 * No threads are used. Nothing here exits the process; messages go
 * through pq_warn/pq_info (util/diag.h), memory through util/alloc.h.
 *
 * GUARANTEES (a file)
 *	- Rename rotation (mv log log.1; a new log): the old file is read
 *	  to its end through the descriptor already open, then the new file
 *	  at the path from its start. The switch waits until the new file
 *	  has data or the old one has been idle for a second, and reads the
 *	  old one once more just before switching, so a writer that keeps
 *	  writing the old file until it reopens loses nothing.
 *	- Copytruncate (the file shrinks below the offset read, or its
 *	  bytes before that offset change): noticed at the next read, and
 *	  within a second at most. The rest of the old content is read
 *	  from the copy, found in the same directory by the fingerprint of
 *	  the last bytes read (see below), then the file from offset 0.
 *	- A log that does not exist yet, or is deleted: waited for, then
 *	  read from its start.
 *	- A partial last line is held until its newline arrives; each line
 *	  is handed out exactly once, whole. The unterminated end of a file
 *	  that has been rotated away is handed out as a line when the
 *	  follower moves on (nothing more can be added to it).
 *	- Bounded memory: a line longer than PQ_LOGREAD_MAX_LINE (1 MiB) is
 *	  handed out cut to that length and the rest of it skipped, with
 *	  one warning naming the file and the line number. Any bytes (NUL,
 *	  invalid UTF-8) are passed through.
 *
 * RESTART (a file; the state file is log/follow_state.h's)
 *	The state records device, inode, offset and line number of the file
 *	read last, and a fingerprint (hash of up to 256 bytes before the
 *	offset). At start, in this order:
 *	1. The file at the path has that device and inode and its
 *	   fingerprint matches: go on from the offset.
 *	2. A rotated file in the same directory (NAME.1, NAME.0,
 *	   NAME-YYYYMMDD, NAME_x...: NAME followed by '.', '-' or '_') has
 *	   that inode and matches: read its rest first, then the file at the
 *	   path from 0 (it was rotated while the follower was down).
 *	3. Another file matches the fingerprint at that offset: the file at
 *	   the path (it moved to another device number, or was restored) is
 *	   read on from the offset; a rotated file (a copytruncate copy made
 *	   while the follower was down) is read from the offset, then the
 *	   file at the path from 0.
 *	4. Otherwise, with a warning naming the state file:
 *	   - same inode, offset past the end of the file: we cannot tell a
 *	     bad offset from a truncation whose copy is gone; handing out
 *	     nothing twice wins: start at the end of the file;
 *	   - same inode, content before the offset differs: the inode was
 *	     reused by a new file: read it from 0;
 *	   - the inode is found nowhere: the file read last was compressed
 *	     (NAME.1.gz: a compressed file cannot be resumed by offset; the
 *	     warning names it) or deleted; its unread lines are lost; the
 *	     file at the path is new: read it from 0.
 *	A corrupt state file (or one for another path) is reported and the
 *	follower starts as without one. Without a state file it starts at
 *	the end (opts.start PQ_FOLLOW_START_END; if the file ends inside a
 *	line, that line's rest is not handed out) or at 0 (_BEGIN). A file
 *	that appears after the start is always read from 0. A journal state
 *	keeps the cursor instead (log/journal.h).
 *
 * LIMITS
 *	- Lines are handed out once per run. Across a restart, exactly once
 *	  holds only if the caller saves after accounting for the lines: a
 *	  crash after a line was counted but before the next save hands it
 *	  out again; lines written while the follower is down are read
 *	  then, except those in a compressed rotated file.
 *	- Rotated files are looked for in the log's own directory only
 *	  (logrotate's olddir is not searched), and only files that stay at
 *	  the path for at least a poll interval are read: two rotations
 *	  within one second while the follower is busy can skip a file.
 *	- Copytruncate itself loses what is written between the copy and
 *	  the truncation; nothing can recover that.
 *	- A stream (standard input, a FIFO) has no offset: no state is kept
 *	  for it, and its end is PQ_FOLLOW_END.
 */
#ifndef POSTQ_FOLLOW_H
#define POSTQ_FOLLOW_H

#include "util/diag.h"

#include <stdbool.h>
#include <stddef.h>

enum pq_follow_source {
	PQ_FOLLOW_FILE = 0,	/* opts.path: a file, or "-" for standard input */
	PQ_FOLLOW_JOURNAL,	/* the systemd journal */
};

enum pq_follow_start {
	PQ_FOLLOW_START_END = 0,	/* without state: only lines written from now on */
	PQ_FOLLOW_START_BEGIN,		/* without state: the whole file (or journal) */
};

struct pq_follow_opts {
	enum pq_follow_source source;
	const char *path;		/* PQ_FOLLOW_FILE */
	const char *state_path;		/* NULL: no state file */
	enum pq_follow_start start;
	int poll_ms;			/* 0: 1000; larger values are cut to 1000 */
	const char *journal_unit;	/* journal: keep only this unit's entries */
	const char *journal_ident;	/* journal: SYSLOG_IDENTIFIER prefix, e.g. "postfix" */
	const char *journal_dir;	/* journal: a directory of journal files */
	const char *journal_namespace;	/* journal: a journald namespace */
};

enum pq_follow_status {
	PQ_FOLLOW_END = -1,
	PQ_FOLLOW_AGAIN = 0,
	PQ_FOLLOW_LINE = 1,
};

struct pq_follow;

struct pq_follow *pq_follow_open(const struct pq_follow_opts *o, struct pq_err *err);
enum pq_follow_status pq_follow_next(struct pq_follow *f, const char **line, size_t *len);
int pq_follow_fd(struct pq_follow *f);
int pq_follow_timeout_ms(struct pq_follow *f);
void pq_follow_wait(struct pq_follow *f);
bool pq_follow_save(struct pq_follow *f, struct pq_err *err);
const char *pq_follow_name(const struct pq_follow *f);
void pq_follow_close(struct pq_follow *f);

/*
 * pq_follow_rotated_name - whether name (a directory entry) is a
 * rotated form of base: 0 no, 1 yes, 2 yes and compressed (.gz, .bz2,
 * .xz, .zst, .lz4, .Z, ...). Exposed for unit tests.
 */
int pq_follow_rotated_name(const char *base, const char *name);

#endif
