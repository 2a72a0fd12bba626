/*
 * postq-postsuper - Postfix's postsuper, done by postq itself: delete,
 * hold, release, requeue and expire messages, by queue id, by "ALL", by
 * ids on stdin, or (beyond postsuper) by the same selection filters as
 * postq-mailq, with a dry run and a confirmation for big selections.
 *
 * The file operations are exactly postsuper's (Postfix 3.7): the same
 * queues searched in the same order, the same renames to the same hashed
 * paths, the same files removed, the same mode bit for expiry, the same
 * time stamps, the same reports on stderr and the same records in the
 * mail log. Like postsuper it runs as root, drops to mail_owner before
 * touching the queue (so new hash directories belong to mail_owner), takes
 * no locks and, by default, sends no triggers. Every change is a single
 * rename(2), unlink(2) or fchmod(2) of one file inside the spool, so a
 * message racing with Postfix is moved by whoever renames it first and is
 * never copied or lost. Unlike postsuper, the passes over whole queues
 * never follow a symbolic link below a queue directory (one to a
 * directory elsewhere would let "-d ALL" delete outside the spool).
 */
#include "util/buf.h"
#include "spool/config.h"
#include "common/die.h"
#include "util/diag.h"
#include "spool/filter.h"
#include "spool/listing.h"
#include "spool/postlog.h"
#include "spool/queue_id.h"
#include "spool/spool.h"
#include "util/knobs.h"
#include "util/strlist.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

/* Postfix's queue file modes (mail_queue.h). */
#define STAT_READY 0700
#define STAT_EXPIRE 0010
/* Purge non-ready message files older than this (postsuper's MAX_TEMP_AGE). */
#define MAX_TEMP_AGE (7L * 24 * 60 * 60)
#define FIX_SUFFIX "#FIX"
#define FIX_SUFFIX_LEN 4

/* The message names its reports and log records with postsuper's name. */
#define COMMAND "postsuper"

enum {
	OPT_SPOOL = 0x2000, OPT_YES, OPT_CONFIRM_OVER, OPT_KICK, OPT_HELP,
	OPT_VERSION,
};

/* --confirm-over: more than any queue holds, so "never ask" fits. */
#define MAX_CONFIRM_OVER 1000000000L

/* Repair and mass actions, as postsuper's action bits. */
enum {
	A_STRUCT = 1 << 0, A_PURGE = 1 << 1, A_DELETE_ALL = 1 << 3,
	A_REQUEUE_ALL = 1 << 5, A_HOLD_ALL = 1 << 7, A_RELEASE_ALL = 1 << 9,
	A_STRUCT_RED = 1 << 10, A_EXPIRE_ALL = 1 << 12, A_EXP_REL_ALL = 1 << 14,
};
#define A_REPAIR (A_STRUCT | A_PURGE | A_STRUCT_RED)
#define A_WILDCARD (A_DELETE_ALL | A_REQUEUE_ALL | A_HOLD_ALL | \
		    A_RELEASE_ALL | A_EXPIRE_ALL | A_EXP_REL_ALL)

struct queue_info {
	const char *name;
	bool message;		/* holds message files (expected mode 0700) */
	bool recurse;		/* one-character names are subdirectories */
};

static const struct queue_info queue_info[] = {
	{ "maildrop", true, false }, { "incoming", true, true },
	{ "active", true, true }, { "deferred", true, true },
	{ "hold", true, true }, { "trace", false, true },
	{ "defer", false, true }, { "bounce", false, true },
	{ "flush", false, true },
};

/* The per-message logs removed with a message, in postsuper's order. */
static const char *const log_queues[] = { "bounce", "defer", "trace", NULL };

/* postsuper's queue list when none is given; trace is not in it. */
static const char *const default_queues[] = {
	"defer", "bounce", "maildrop", "incoming", "active", "deferred",
	"hold", "flush", NULL,
};

/*
 * What a filtered operation may select from unless --queue or queue
 * arguments say otherwise. The active queue is left out on purpose:
 * qmgr owns those messages in memory, and moving one away under it can
 * deliver a message twice; name it explicitly to include it.
 */
static const char *const default_select_queues[] = {
	"maildrop", "incoming", "deferred", "hold", NULL,
};

/*
 * What a selection saw of a message file: the inode it read, as it was
 * then (any change to a file, a rename included, sets its ctime).
 */
struct ident {
	dev_t dev;
	ino_t ino;
	struct timespec ctime;
};

/* A do_*() result: the file there is not the one that was selected. */
#define RACED (-2)

/* One operation from the command line, in command-line order. */
struct op {
	char letter;		/* d e f h H r */
	const char *arg;	/* queue id, "ALL", "-", or NULL: by filter */
};

static struct {
	struct pq_spool sp;
	const char *const *queues;	/* queue arguments or the default */
	bool user_queues;		/* queue arguments were given */
	int verbose;
	bool dry;
	bool logging;			/* records go to the mail log */
	bool long_ids;
	struct pq_buf path, path2, scratch;
	/* postsuper's counters */
	int requeued, held, released, deleted, expired;
	int inode_fixed, inode_mismatch, position_mismatch;
	/* acting on a selection: the message file it read; else NULL */
	struct ident *expect;
	int raced;			/* selected files found replaced */
} g;

/* Reports go to stderr as "postsuper: ..." and to the mail log. */
static void vreport(const char *level, const char *fmt, va_list ap)
{
	static struct pq_buf b, line;

	pq_buf_reset(&b);
	pq_buf_vprintf(&b, fmt, ap);
	fflush(stdout);
	/* One write per line: thousands of per-message reports are common. */
	pq_buf_reset(&line);
	if (level)
		pq_buf_printf(&line, "%s: %s: %s\n", COMMAND, level, pq_buf_str(&b));
	else
		pq_buf_printf(&line, "%s: %s\n", COMMAND, pq_buf_str(&b));
	fwrite(line.data, 1, line.len, stderr);
	if (g.logging && !pq_postlog(level, "%s", pq_buf_str(&b))) {
		g.logging = false;
		pq_fatal(1, "%s", pq_postlog_error());
	}
}

static void __attribute__((format(printf, 1, 2))) info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 1, 2))) warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning", fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 1, 2))) error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error", fmt, ap);
	va_end(ap);
}

static void incomplete_warning(void)
{
	/* A dry run changed nothing, so it left nothing half done. */
	if (g.dry)
		return;
	if (g.inode_mismatch > 0 || g.inode_fixed > 0 || g.position_mismatch > 0)
		warn("OPERATION INCOMPLETE -- RERUN COMMAND TO FIX THE QUEUE FIRST");
}

static _Noreturn void __attribute__((format(printf, 1, 2)))
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal", fmt, ap);
	va_end(ap);
	incomplete_warning();
	exit(1);
}

static void interrupted(int sig)
{
	/* As postsuper: warn once if a repair pass was cut short. */
	if (signal(SIGINT, SIG_IGN) != SIG_IGN) {
		signal(SIGQUIT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		incomplete_warning();
		_exit(sig);
	}
}

static const struct queue_info *find_queue(const char *name)
{
	for (size_t i = 0; i < sizeof(queue_info) / sizeof(queue_info[0]); i++)
		if (strcmp(name, queue_info[i].name) == 0)
			return &queue_info[i];
	return NULL;
}

static bool ready(const struct stat *st)
{
	return (st->st_mode & S_IRWXU) == STAT_READY;
}

/* The path Postfix computes for id in queue (hashed where configured). */
static const char *qpath(struct pq_buf *out, const char *queue, const char *id)
{
	return pq_spool_path(&g.sp, queue, id, out);
}

/* mail_open_ok(): a ready, regular message file at its computed path. */
static bool open_ok(const char *queue, const char *id, struct stat *st)
{
	const char *path = qpath(&g.path, queue, id);

	if (pq_spool_lstat(&g.sp, path, st) < 0) {
		if (errno != ENOENT)
			warn("%s: %s", path, strerror(errno));
		return false;
	}
	if (!S_ISREG(st->st_mode)) {
		warn("%s: uid %ld: not a regular file", path, (long)st->st_uid);
		return false;
	}
	if (!ready(st))
		return false;
	if (st->st_nlink > 1) {
		if (g.verbose)
			info("%s: uid %ld: file has %d links", path,
			     (long)st->st_uid, (int)st->st_nlink);
		else if (st->st_ctime < time(NULL) - 60)
			warn("%s: uid %ld: file has %d links", path,
			     (long)st->st_uid, (int)st->st_nlink);
	}
	return true;
}

/* --- the four primitives; a dry run prints what it would do --- */

static bool same_file(const struct stat *st, const struct ident *id)
{
	return st->st_dev == id->dev && st->st_ino == id->ino
		&& st->st_ctim.tv_sec == id->ctime.tv_sec
		&& st->st_ctim.tv_nsec == id->ctime.tv_nsec;
}

/*
 * Before a message file that a selection chose is renamed or removed:
 * is the file under its name still the one the selection read? Between
 * the two, Postfix may have delivered that message and given its queue
 * id to a new one: the id names the new file's inode, which may well be
 * the old number again, so the inode number alone cannot tell them
 * apart; its ctime can (set at creation, and at every change since).
 * If the file is the one, it was not changed since it was read either,
 * so the filter's verdict on what was read still holds and there is
 * nothing to read again: reading again would only move the moment of
 * the verdict, not close the gap to the action, which this check does.
 * (The defer log that --reason reads is another file; what it said when
 * the message was selected is what the selection was asked about, and a
 * delivery attempt that adds to it moves the queue file, which sets the
 * ctime.) Looked at with fstatat() on the directory descriptor the
 * rename or unlink then uses, without following a link, just before it;
 * what stays is the moment between the two calls. 0: the one; RACED:
 * another; -1 with errno: none (not found, or not to be looked at).
 */
static int check_selected(int dfd, const char *base, const struct ident *expect)
{
	struct stat st;

	if (expect == NULL)
		return 0;
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return same_file(&st, expect) ? 0 : RACED;
}

static int do_remove(const char *path, const struct ident *expect)
{
	if (g.dry) {
		struct stat st;
		if (lstat(path, &st) < 0)
			return -1;
		if (expect && !same_file(&st, expect))
			return RACED;
		printf("remove %s\n", path);
		return 0;
	}
	/*
	 * Relative to the cached directory: one path component to look up,
	 * not three. remove() by path for what unlink refuses (a directory).
	 */
	const char *base;
	int dfd = pq_spool_dirfd(&g.sp, path, &base);
	int check = check_selected(dfd, base, expect);
	if (check == RACED || (check < 0 && errno == ENOENT))
		return check;
	if (unlinkat(dfd, base, 0) < 0 && (errno != EISDIR || remove(path) < 0)) {
		if (errno != ENOENT)
			fatal("remove file %s: %s", path, strerror(errno));
		return -1;
	}
	if (g.verbose)
		info("removed file %s", path);
	return 0;
}

/* make_dirs(): the missing directories above path, mode 0700. */
static int make_parent_dirs(const char *path)
{
	struct pq_buf dir = PQ_BUF_INIT;
	const char *slash = strrchr(path, '/');
	int ret = 0;

	if (slash == NULL)
		return 0;
	pq_buf_add(&dir, path, (size_t)(slash - path));
	for (char *p = dir.data; ret == 0; p++) {
		if (*p != '/' && *p != 0)
			continue;
		char saved = *p;
		*p = 0;
		if (dir.data[0] && mkdir(dir.data, 0700) < 0 && errno != EEXIST)
			ret = -1;
		*p = saved;
		if (saved == 0)
			break;
	}
	pq_buf_free(&dir);
	return ret;
}

static int do_rename(const char *from, const char *to,
		     const struct ident *expect)
{
	if (g.dry) {
		struct stat st;
		if (lstat(from, &st) < 0)
			return -1;
		if (expect && !same_file(&st, expect))
			return RACED;
		printf("rename %s %s\n", from, to);
		return 0;
	}
	const char *from_base, *to_base;
	int from_dfd = pq_spool_dirfd(&g.sp, from, &from_base);
	int to_dfd = pq_spool_dirfd(&g.sp, to, &to_base);
	int check = check_selected(from_dfd, from_base, expect);
	if (check == RACED || (check < 0 && errno == ENOENT))
		return check;
	/*
	 * Through the cached directories first. On ENOENT the target
	 * directory may be missing (make it) or the file gone; the second
	 * try goes by path, so a directory made anew since it was cached
	 * is found too (and the file is looked at again before it).
	 */
	if (renameat(from_dfd, from_base, to_dfd, to_base) < 0) {
		bool retry = errno == ENOENT && make_parent_dirs(to) == 0;
		if (retry) {
			check = check_selected(AT_FDCWD, from, expect);
			if (check == RACED || (check < 0 && errno == ENOENT))
				return check;
		}
		if (!retry || rename(from, to) < 0) {
			if (errno != ENOENT)
				fatal("rename file %s as %s: %s", from, to,
				      strerror(errno));
			return -1;
		}
	}
	if (g.verbose)
		info("renamed file %s as %s", from, to);
	return 0;
}

static int do_rmdir(const char *path)
{
	if (g.dry) {
		printf("rmdir %s\n", path);
		return 0;
	}
	if (rmdir(path) < 0) {
		if (errno != ENOENT)
			fatal("remove directory %s: %s", path, strerror(errno));
		return -1;
	}
	if (g.verbose)
		info("remove directory %s", path);
	return 0;
}

/*
 * Set the expiry bit (g+x) of a ready message. The file is opened
 * without following links and must be a regular file with one link, so
 * a planted name cannot make us change a file outside the queue. For a
 * selection the open file itself must be the one selected (no moment
 * between look and change here), and expect then takes the file's new
 * ctime, so that -f's release that follows knows the file again.
 */
static int do_expire(const char *path, struct ident *expect)
{
	int fd = open(path, (g.dry ? O_RDONLY : O_RDWR) | O_NOFOLLOW | O_CLOEXEC
		      | O_NONBLOCK);
	struct stat st;

	if (fd < 0) {
		if (errno != ENOENT)
			warn("expire file %s: cannot open file: %s", path,
			     strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		warn("expire file %s: cannot fstat: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		warn("expire file %s: %s", path, !S_ISREG(st.st_mode)
		     ? "file is not a regular file" : "file has multiple hard links");
		close(fd);
		return -1;
	}
	if (expect && !same_file(&st, expect)) {
		close(fd);
		return RACED;
	}
	if (!ready(&st) || (st.st_mode & STAT_EXPIRE) != 0) {
		close(fd);
		return -1;
	}
	if (g.dry) {
		printf("expire %s\n", path);
	} else if (fchmod(fd, (st.st_mode | STAT_EXPIRE) & 07777) < 0) {
		warn("expire file %s: cannot set permission: %s", path,
		     strerror(errno));
		close(fd);
		return -1;
	} else if (expect && fstat(fd, &st) == 0) {
		expect->ctime = st.st_ctim;
	}
	close(fd);
	return 0;
}

/* A selected file found replaced: left alone, said with -v, counted. */
static void raced(const char *path)
{
	g.raced++;
	if (g.verbose)
		info("%s: raced: not the file that was selected; left alone", path);
}

/* --- operations on one queue id (postsuper's *_one) --- */

/* Queue lists given to the *_one functions hold valid names only. */

static void delete_one(const char *const *queues, const char *id)
{
	struct stat st;
	struct pq_buf logpath = PQ_BUF_INIT;
	int found = 0;

	/* Logs first, and only when the message file exists. */
	for (int tries = 0; !found && tries < 2; tries++) {
		for (const char *const *q = queues; *q; q++) {
			if (!find_queue(*q)->message || !open_ok(*q, id, &st))
				continue;
			/* Not even the logs of a message that was not selected. */
			if (g.expect && !same_file(&st, g.expect)) {
				raced(g.path.data);
				goto done;
			}
			for (const char *const *l = log_queues; *l; l++)
				do_remove(qpath(&logpath, *l, id), NULL);
			int rc = do_remove(qpath(&g.path, *q, id), g.expect);
			if (rc == RACED) {
				raced(g.path.data);
				goto done;
			}
			if (rc == 0) {
				found = 1;
				if (!g.dry)
					info("%s: removed", id);
				break;
			}
		}
	}
done:
	pq_buf_free(&logpath);
	g.deleted += found;
}

static void requeue_one(const char *const *queues, const char *id)
{
	struct stat st;
	int found = 0;

	/* Logs are kept: qmgr may be about to bounce using them. */
	for (int tries = 0; !found && tries < 2; tries++) {
		for (const char *const *q = queues; *q; q++) {
			if (strcmp(*q, "maildrop") == 0 || !find_queue(*q)->message
			    || !open_ok(*q, id, &st))
				continue;
			const char *to = qpath(&g.path2, "maildrop", id);
			int rc = do_rename(g.path.data, to, g.expect);
			if (rc == RACED) {
				raced(g.path.data);
				return;
			}
			if (rc == 0) {
				if (!g.dry) {
					/* pickup takes files by age; now is new. */
					time_t now = time(NULL);
					struct utimbuf t = { now, now };
					if (utime(to, &t) < 0)
						warn("%s: reset time stamps: %s", to,
						     strerror(errno));
					info("%s: requeued", id);
				}
				found = 1;
				break;
			}
		}
	}
	g.requeued += found;
}

static void hold_one(const char *const *queues, const char *id)
{
	struct stat st;
	int found = 0;

	/* Never maildrop: its files are not yet sanitized by cleanup. */
	for (int tries = 0; !found && tries < 2; tries++) {
		for (const char *const *q = queues; *q; q++) {
			if (strcmp(*q, "maildrop") == 0 || strcmp(*q, "hold") == 0
			    || !find_queue(*q)->message || !open_ok(*q, id, &st))
				continue;
			int rc = do_rename(g.path.data, qpath(&g.path2, "hold", id),
					   g.expect);
			if (rc == RACED) {
				raced(g.path.data);
				return;
			}
			if (rc == 0) {
				if (!g.dry)
					info("%s: placed on hold", id);
				found = 1;
				break;
			}
		}
	}
	g.held += found;
}

static void release_one(const char *const *queues, const char *id)
{
	struct stat st;
	int found = 0;

	/* postsuper looks once, in hold only, with no second try. */
	for (const char *const *q = queues; *q; q++) {
		if (strcmp(*q, "hold") != 0 || !open_ok(*q, id, &st))
			continue;
		int rc = do_rename(g.path.data, qpath(&g.path2, "deferred", id),
				   g.expect);
		if (rc == RACED) {
			raced(g.path.data);
			return;
		}
		if (rc == 0) {
			if (!g.dry)
				info("%s: released from hold", id);
			found = 1;
			break;
		}
	}
	g.released += found;
}

static void expire_one(const char *const *queues, const char *id)
{
	struct stat st;
	int found = 0;

	for (int tries = 0; !found && tries < 2; tries++) {
		for (const char *const *q = queues; *q; q++) {
			if (!find_queue(*q)->message || strcmp(*q, "maildrop") == 0
			    || !open_ok(*q, id, &st))
				continue;
			int rc = do_expire(g.path.data, g.expect);
			if (rc == RACED) {
				raced(g.path.data);
				return;
			}
			if (rc == 0) {
				found = 1;
				if (!g.dry)
					info("%s: expired", id);
				break;
			}
		}
	}
	g.expired += found;
}

static void exp_rel_one(const char *const *queues, const char *id)
{
	expire_one(queues, id);
	release_one(queues, id);
}

typedef void (*one_fn)(const char *const *, const char *);

static one_fn op_function(char letter)
{
	switch (letter) {
	case 'd': return delete_one;
	case 'e': return expire_one;
	case 'f': return exp_rel_one;
	case 'h': return hold_one;
	case 'H': return release_one;
	default: return requeue_one;
	}
}

static int op_wildcard(char letter)
{
	switch (letter) {
	case 'd': return A_DELETE_ALL;
	case 'e': return A_EXPIRE_ALL;
	case 'f': return A_EXP_REL_ALL;
	case 'h': return A_HOLD_ALL;
	case 'H': return A_RELEASE_ALL;
	default: return A_REQUEUE_ALL;
	}
}

/* --- whole-queue passes (postsuper's super()) --- */

/* The inode number a queue id encodes; false if it does not decode. */
static bool qid_inum(const char *id, unsigned long *inum, bool *long_name)
{
	const char *sep = pq_qid_long_sep(id);

	*long_name = sep != NULL;
	/*
	 * As MQID_GET_INUM: no inode digits at all (a long name ending in
	 * its 'z', a short one of 5 characters) decode to inode 0, not an
	 * error; Postfix then renames the file as any other mismatch.
	 */
	if (sep) {
		*inum = 0;
		return sep[1] == 0 || pq_safe_strtoul(sep + 1, strlen(sep + 1), 51, inum);
	}
	size_t len = strlen(id);
	if (len < 5)
		return false;
	char *end;
	errno = 0;
	*inum = strtoul(id + 5, &end, 16);
	return errno == 0 && *end == 0 && id[5] != '+' && id[5] != '-'
		&& id[5] != ' ';
}

/* Rename a message and its logs to a name that matches its inode. */
static int fix_queue_id(const char *actual_path, const char *queue,
			const char *id, const struct stat *st)
{
	struct pq_buf new_id = PQ_BUF_INIT, from = PQ_BUF_INIT, to = PQ_BUF_INIT;
	const char *sep = pq_qid_long_sep(id);
	int ret;

	if (sep == NULL) {
		pq_buf_printf(&new_id, "%.5s%lX", id, (unsigned long)st->st_ino);
	} else if (g.long_ids) {
		pq_buf_add(&new_id, id, (size_t)(sep - id));
		pq_buf_addc(&new_id, 'z');
		pq_safe_ultostr(&new_id, (unsigned long)st->st_ino, 51, 0);
	} else {
		pq_buf_adds(&new_id, pq_qid_hash_key(id, &g.scratch));
		pq_buf_printf(&new_id, "%lX", (unsigned long)st->st_ino);
	}
	/* Logs before the message, so an interrupted run can be resumed. */
	bool logs[3] = { false };
	for (size_t i = 0; log_queues[i]; i++) {
		qpath(&from, log_queues[i], id);
		qpath(&to, log_queues[i], pq_buf_str(&new_id));
		pq_buf_adds(&to, FIX_SUFFIX);
		logs[i] = do_rename(from.data, to.data, NULL) == 0;
	}
	qpath(&to, queue, pq_buf_str(&new_id));
	pq_buf_adds(&to, FIX_SUFFIX);
	ret = do_rename(actual_path, to.data, NULL);
	/*
	 * A real run takes the #FIX names home in a second pass. A dry run
	 * has no #FIX files to find there (and a second pass would only
	 * show this one again): it says the second step here, once.
	 */
	if (g.dry && ret == 0) {
		for (size_t i = 0; log_queues[i]; i++) {
			if (!logs[i])
				continue;
			qpath(&to, log_queues[i], pq_buf_str(&new_id));
			printf("rename %s%s %s\n", to.data, FIX_SUFFIX, to.data);
		}
		qpath(&to, queue, pq_buf_str(&new_id));
		printf("rename %s%s %s\n", to.data, FIX_SUFFIX, to.data);
		g.inode_fixed++;
	}
	pq_buf_free(&new_id);
	pq_buf_free(&from);
	pq_buf_free(&to);
	return ret;
}

static int wanted_depth(const char *queue)
{
	for (int i = 0; i < g.sp.nhash; i++)
		if (strcmp(g.sp.hash_names[i], queue) == 0)
			return g.sp.hash_depth;
	return 0;
}

struct pass {
	const struct queue_info *qp;
	const char *queue;
	int action;
	int wanted;
	struct pq_buf actual, wanted_path;
	time_t now;
};

static void pass_file(struct pass *ps, const char *dir, const char *name_in,
		      unsigned char d_type)
{
	const struct queue_info *qp = ps->qp;
	struct stat st;
	bool have_st = false;
	char *name = strdup(name_in);

	if (name == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	pq_buf_reset(&ps->actual);
	pq_buf_printf(&ps->actual, "%s/%s", dir, name);

	/*
	 * postsuper lstat()s every entry. The cheap passes (hold, release,
	 * requeue, deleting logs) only need to know "directory or regular
	 * file", which readdir already said; the rest looks at the inode.
	 */
	bool need_stat = (ps->action & (A_PURGE | A_STRUCT | A_EXPIRE_ALL | A_EXP_REL_ALL))
		|| ((ps->action & A_DELETE_ALL) && qp->message)
		|| (d_type != DT_REG && d_type != DT_DIR);
	if (need_stat) {
		if (lstat(ps->actual.data, &st) < 0)
			goto done;
		have_st = true;
	}
	bool is_dir = have_st ? S_ISDIR(st.st_mode) : d_type == DT_DIR;
	bool is_reg = have_st ? S_ISREG(st.st_mode) : d_type == DT_REG;

	/* Alien directories go; a failure is only a warning. */
	if (is_dir) {
		if (g.dry) {
			printf("rmdir %s\n", ps->actual.data);
		} else if (rmdir(ps->actual.data) < 0) {
			if (errno != ENOENT)
				warn("remove subdirectory %s: %s", ps->actual.data,
				     strerror(errno));
		} else if (g.verbose) {
			info("remove subdirectory %s", ps->actual.data);
		}
		goto done;
	}
	/* Mass delete: everything; only ready messages count. */
	if (ps->action & A_DELETE_ALL) {
		if (do_remove(ps->actual.data, NULL) == 0 && qp->message && ready(&st))
			g.deleted++;
		goto done;
	}
	/* Non-files, and with -p stale unfinished message files. */
	if (!is_reg || ((ps->action & A_PURGE) && qp->message && !ready(&st)
			&& ps->now > st.st_mtime + MAX_TEMP_AGE)) {
		do_remove(ps->actual.data, NULL);
		goto done;
	}
	size_t len = strlen(name);
	if ((ps->action & A_STRUCT) && len >= FIX_SUFFIX_LEN
	    && strcmp(name + len - FIX_SUFFIX_LEN, FIX_SUFFIX) == 0) {
		name[len - FIX_SUFFIX_LEN] = 0;
		if (!pq_qid_ok(name)) {
			warn("bogus file name: %s", ps->actual.data);
			goto done;
		}
		if (qp->message) {
			unsigned long inum;
			bool long_name;
			if (!qid_inum(name, &inum, &long_name)) {
				warn("bogus file name: %s", ps->actual.data);
				goto done;
			}
			if (inum != (unsigned long)st.st_ino) {
				warn("name/inode mismatch: %s", ps->actual.data);
				goto done;
			}
		}
		qpath(&ps->wanted_path, ps->queue, name);
		if (do_rename(ps->actual.data, ps->wanted_path.data, NULL) < 0)
			goto done;
		if (qp->message)
			g.inode_fixed++;
		pq_buf_set(&ps->actual, ps->wanted_path.data);
	}
	if (!pq_qid_ok(name)) {
		warn("bogus file name: %s", ps->actual.data);
		goto done;
	}
	if ((ps->action & A_STRUCT) && qp->message) {
		unsigned long inum;
		bool long_name;
		if (!qid_inum(name, &inum, &long_name)) {
			warn("bogus file name: %s", ps->actual.data);
			goto done;
		}
		if ((long_name && !g.long_ids)
		    || (inum != (unsigned long)st.st_ino
			&& (!long_name || (ps->action & A_STRUCT_RED)))) {
			g.inode_mismatch++;
			ps->action &= ~A_WILDCARD;
			fix_queue_id(ps->actual.data, ps->queue, name, &st);
			goto done;
		}
	}
	bool maildrop = strcmp(ps->queue, "maildrop") == 0;
	bool hold = strcmp(ps->queue, "hold") == 0;
	if ((ps->action & A_REQUEUE_ALL) && qp->message && !maildrop) {
		if (do_rename(ps->actual.data, qpath(&ps->wanted_path, "maildrop", name), NULL) == 0)
			g.requeued++;
		goto done;
	}
	if ((ps->action & (A_EXPIRE_ALL | A_EXP_REL_ALL)) && qp->message
	    && ready(&st) && !maildrop && do_expire(ps->actual.data, NULL) == 0)
		g.expired++;
	if ((ps->action & A_HOLD_ALL) && qp->message && !maildrop && !hold) {
		if (do_rename(ps->actual.data, qpath(&ps->wanted_path, "hold", name), NULL) == 0)
			g.held++;
		goto done;
	}
	if ((ps->action & (A_RELEASE_ALL | A_EXP_REL_ALL)) && hold) {
		if (do_rename(ps->actual.data, qpath(&ps->wanted_path, "deferred", name), NULL) == 0)
			g.released++;
		goto done;
	}
	if (ps->action & A_STRUCT) {
		qpath(&ps->wanted_path, ps->queue, name);
		if (strcmp(ps->actual.data, ps->wanted_path.data) != 0) {
			g.position_mismatch++;
			do_rename(ps->actual.data, ps->wanted_path.data, NULL);
		}
	}
done:
	free(name);
}

/*
 * Open a subdirectory met in a pass, never through a symbolic link:
 * postsuper follows one, so "-d ALL" with a hash directory linked
 * elsewhere deletes the files there, and a link to its own directory
 * makes the pass go round until the kernel says ELOOP. NULL with a
 * warning for a link (left as it is); fatal, as postsuper, otherwise.
 */
static DIR *open_subdir(DIR *parent, const char *name, const char *path)
{
	int fd = openat(dirfd(parent), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
			| O_CLOEXEC);
	struct stat st;
	DIR *d;

	if (fd < 0) {
		int saved = errno;
		if (fstatat(dirfd(parent), name, &st, AT_SYMLINK_NOFOLLOW) == 0
		    && S_ISLNK(st.st_mode)) {
			warn("%s: a symbolic link in a queue directory: not followed",
			     path);
			return NULL;
		}
		fatal("scan_dir_push: open directory %s: %s", path, strerror(saved));
	}
	if ((d = fdopendir(fd)) == NULL)
		fatal("scan_dir_push: open directory %s: %s", path, strerror(errno));
	return d;
}

static void pass_dir(struct pass *ps, DIR *d, const char *dir, int depth)
{
	struct dirent *de;

	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_name[1] == 0 && ps->qp->recurse) {
			struct pq_buf sub = PQ_BUF_INIT;
			pq_buf_printf(&sub, "%s/%s", dir, de->d_name);
			DIR *subd = open_subdir(d, de->d_name, sub.data);
			if (subd != NULL) {
				pass_dir(ps, subd, sub.data, depth + 1);
				/* Levels deeper than hash_queue_depth go once empty. */
				if (depth + 1 > ps->wanted)
					do_rmdir(sub.data);
			}
			pq_buf_free(&sub);
		} else {
			pass_file(ps, dir, de->d_name, de->d_type);
		}
		errno = 0;
	}
	if (errno != 0)
		fatal("read directory %s: %s", dir, strerror(errno));
	if (closedir(d) < 0)
		fatal("scan_dir_pop: close directory %s: %s", dir, strerror(errno));
}

static void super(const char *const *queues, int action)
{
	struct pass ps = { .action = action, .now = time(NULL) };

	for (const char *const *q = queues; *q; q++) {
		if (g.verbose)
			info("queue: %s", *q);
		ps.qp = find_queue(*q);
		ps.queue = *q;
		ps.wanted = wanted_depth(*q);
		if (ps.wanted > 0 && !ps.qp->recurse)
			fatal("%s queue must not be hashed", *q);
		/* A queue directory is what main.cf names: opened as Postfix does. */
		DIR *d = opendir(*q);
		if (d == NULL)
			fatal("scan_dir_push: open directory %s: %s", *q, strerror(errno));
		pass_dir(&ps, d, *q, 0);
	}
	pq_buf_free(&ps.actual);
	pq_buf_free(&ps.wanted_path);
}

/* --- selection by filter (beyond postsuper) --- */

/* Queues an operation applies to, as its *_one function would search. */
static bool op_applies(char letter, const char *queue)
{
	if (letter == 'd')
		return find_queue(queue)->message;
	if (letter == 'H')
		return strcmp(queue, "hold") == 0;
	if (!find_queue(queue)->message || strcmp(queue, "maildrop") == 0)
		return false;
	if (letter == 'h')
		return strcmp(queue, "hold") != 0;
	if (letter == 'f' || letter == 'e' || letter == 'r')
		return true;
	return false;
}

struct selection {
	struct pq_strlist queues;
	struct pq_strlist ids;
	struct ident *idents;	/* parallel to ids */
	size_t cap;
};

static void select_messages(struct pq_filter *filter, char letter,
			    struct selection *sel)
{
	const char *const *from = filter->queues ? (const char *const *)filter->queues
		: g.user_queues ? g.queues : default_select_queues;
	const char *list[8];
	size_t n = 0;

	/* showq's order of the queues; each applicable one once. */
	static const char *const order[] = {
		"maildrop", "active", "incoming", "deferred", "hold", NULL,
	};
	for (const char *const *o = order; *o && n < 7; o++) {
		bool wanted = false;
		for (const char *const *q = from; *q; q++)
			if (strcmp(*q, *o) == 0)
				wanted = true;
		if (wanted && op_applies(letter, *o))
			list[n++] = *o;
	}
	list[n] = NULL;
	if (n == 0)
		return;

	struct pq_listing ls;
	const struct pq_qmsg *m;
	/* Each selection is a pass of its own, judged by its own clock. */
	pq_filter_begin_pass(filter, time(NULL));
	pq_listing_open(&ls, &g.sp, list);
	/*
	 * Defer logs only add reasons (their recipients are pending ones of
	 * the queue file too): read them only when a reason is matched.
	 */
	ls.want_reasons = filter->reason != NULL;
	ls.want_rcpts = pq_filter_needs_rcpts(filter);
	/*
	 * Each file is looked at (lstat) before it is read: the identity
	 * the action checks is then that of the inode the verdict came
	 * from, or of one that was there before it, which the action will
	 * not find again (a look after the read could see a file that
	 * replaced the one read, and let the action take it).
	 */
	ls.want_stat = true;
	while ((m = pq_listing_next(&ls)) != NULL) {
		if (!pq_filter_match(filter, m))
			continue;
		if (sel->ids.n == sel->cap) {
			sel->cap = sel->cap ? 2 * sel->cap : 256;
			sel->idents = realloc(sel->idents, sel->cap * sizeof(*sel->idents));
			if (sel->idents == NULL)
				pq_fatal(PQ_EX_OSERR, "out of memory");
		}
		sel->idents[sel->ids.n] = (struct ident){
			m->st.st_dev, m->st.st_ino, m->st.st_ctim };
		pq_strlist_add(&sel->queues, m->queue);
		pq_strlist_add(&sel->ids, m->id);
	}
	/* A selection with holes is not what was asked for: act on none. */
	if (ls.unreadable > 0)
		fatal("%lu part%s of the queue could not be read (see above); "
		      "nothing done", ls.unreadable, ls.unreadable == 1 ? "" : "s");
	pq_listing_close(&ls);
}

static const char *op_verb(char letter)
{
	switch (letter) {
	case 'd': return "delete";
	case 'e': return "expire";
	case 'f': return "expire and release";
	case 'h': return "hold";
	case 'H': return "release";
	default: return "requeue";
	}
}

/* Ask on the terminal; anything but y/yes declines. */
static bool confirm(char letter, size_t n)
{
	FILE *tty = fopen("/dev/tty", "r+");
	char *line = NULL;
	size_t cap = 0;
	bool yes = false;

	if (tty == NULL)
		return false;
	fprintf(tty, "%s: %s %zu messages? [y/N] ", COMMAND, op_verb(letter), n);
	fflush(tty);
	if (getline(&line, &cap, tty) > 0)
		yes = strcmp(line, "y\n") == 0 || strcmp(line, "yes\n") == 0
			|| strcmp(line, "Y\n") == 0;
	free(line);
	fclose(tty);
	return yes;
}

/* --- command line --- */

static const char usage_text[] =
	"usage: postq-postsuper [-c config_dir] [-d queue_id] [-e queue_id]\n"
	"         [-f queue_id] [-h queue_id] [-H queue_id] [-r queue_id]\n"
	"         [-p] [-s] [-S] [-v] [-n] [--yes] [filters] [queue...]\n"
	"  -d/-e/-f/-h/-H/-r ID   delete / expire / expire+release / hold /\n"
	"                     release / requeue the message ID; ALL: every\n"
	"                     message; -: ids from stdin; no ID: the messages\n"
	"                     the filters select (active only with --queue active)\n"
	"  -p, -s, -S         purge stale files, fix the queue structure\n"
	"  -c DIR             Postfix configuration directory (absolute)\n"
	"  -v                 verbose\n"
	"  -n, --dry-run      print what would be removed, renamed or expired;\n"
	"                     change nothing\n"
	"  --yes              act on a large selection without asking\n"
	"  --confirm-over N   above N selected messages (1000) ask on a terminal,\n"
	"                     and without one refuse unless --yes\n"
	"  --kick             wake pickup after a requeue (a trigger write)\n"
	"  --spool DIR        act on this queue directory, not queue_directory\n"
	"  --help, --version  this text; the version\n";

static _Noreturn void usage(void)
{
	fputs(usage_text, stdout);
	fputs(pq_filter_usage, stdout);
	exit(0);
}

/*
 * postsuper's operations take a queue id; ours may go without one to
 * act on a selection. An operation letter standing alone, followed by
 * nothing or by an option (anything starting with '-' but "-", which no
 * queue id can), gets an empty-string id, which is otherwise invalid
 * and here means "by filter".
 */
static char **mark_selection_ops(int argc, char **argv, int *out_argc)
{
	char **out = calloc((size_t)argc * 2 + 1, sizeof(*out));
	int n = 0;

	if (out == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	for (int i = 0; i < argc; i++) {
		out[n++] = argv[i];
		if (strcmp(argv[i], "--") == 0) {
			for (i++; i < argc; i++)
				out[n++] = argv[i];
			break;
		}
		if (i > 0 && argv[i][0] == '-' && strchr("defhHr", argv[i][1])
		    && argv[i][1] && argv[i][2] == 0) {
			const char *next = i + 1 < argc ? argv[i + 1] : NULL;
			if (next == NULL || (next[0] == '-' && next[1] != 0))
				out[n++] = (char *)"";
			else
				out[n++] = argv[++i];
		} else if (i > 0 && (strcmp(argv[i], "-c") == 0
				     || strcmp(argv[i], "--spool") == 0
				     || strcmp(argv[i], "--confirm-over") == 0)
			   && i + 1 < argc) {
			out[n++] = argv[++i];
		}
	}
	out[n] = NULL;
	*out_argc = n;
	return out;
}

static void drop_privileges(struct pq_config *cfg)
{
	const char *owner = pq_config_get(cfg, "mail_owner");
	struct passwd *pw = getpwnam(owner);

	if (pw == NULL)
		fatal("unknown mail_owner user: %s", owner);
	if (pw->pw_uid == 0)
		fatal("mail_owner must not be the super-user");
	if (setgroups(1, &pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0
	    || setuid(pw->pw_uid) < 0)
		fatal("set privileges to %s: %s", owner, strerror(errno));
}

/* A trigger write to a public fifo; nobody listening is not an error. */
static void kick(const char *service, const char *request)
{
	struct pq_buf path = PQ_BUF_INIT;

	pq_buf_printf(&path, "public/%s", service);
	int fd = open(path.data, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, request, strlen(request)) < 0 && g.verbose)
			info("trigger %s: %s", path.data, strerror(errno));
		close(fd);
	}
	pq_buf_free(&path);
}

/* Read queue ids from stdin, one a line, untrimmed, as postsuper does. */
static void read_stdin_ids(struct pq_strlist *ids)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = 0;
		pq_strlist_add(ids, line);
	}
	if (ferror(stdin))
		pq_fatal(PQ_EX_IOERR, "read queue ids from stdin: %s", strerror(errno));
	free(line);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "yes", no_argument, NULL, OPT_YES },
		{ "confirm-over", required_argument, NULL, OPT_CONFIRM_OVER },
		{ "kick", no_argument, NULL, OPT_KICK },
		{ "spool", required_argument, NULL, OPT_SPOOL },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		PQ_FILTER_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *config_dir = NULL, *spool_dir = NULL;
	struct op *ops = calloc((size_t)argc + 1, sizeof(*ops));
	size_t nops = 0;
	int action = 0;
	bool yes = false, do_kick = false, any_selection = false;
	long confirm_over = 1000;
	struct pq_filter filter;
	struct pq_buf err = PQ_BUF_INIT;
	int c;

	if (ops == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	/* Reports say "postsuper:", as the tool they replace. */
	pq_tool_init(COMMAND);
	umask(022);
	pq_filter_init(&filter);
	int ac;
	char **av = mark_selection_ops(argc, argv, &ac);
	av[0] = (char *)COMMAND;
	while ((c = getopt_long(ac, av, "c:d:e:f:h:H:pr:sSvn", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (*optarg != '/')
				fatal("-c requires absolute pathname");
			config_dir = optarg;
			break;
		case 'd': case 'e': case 'f': case 'h': case 'H': case 'r':
			ops[nops].letter = (char)c;
			ops[nops].arg = *optarg ? optarg : NULL;
			if (strcmp(optarg, "ALL") == 0)
				action |= op_wildcard((char)c);
			if (!*optarg)
				any_selection = true;
			nops++;
			break;
		case 'p':
			action |= A_PURGE;
			break;
		case 'S':
			action |= A_STRUCT_RED;
			/* FALLTHROUGH */
		case 's':
			action |= A_STRUCT;
			break;
		case 'v':
			g.verbose++;
			break;
		case 'n':
			g.dry = true;
			break;
		case OPT_YES:
			yes = true;
			break;
		case OPT_KICK:
			do_kick = true;
			break;
		case OPT_CONFIRM_OVER: {
			char *end;
			errno = 0;
			confirm_over = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || confirm_over < 0
			    || confirm_over > MAX_CONFIRM_OVER)
				pq_fatal(PQ_EX_USAGE, "--confirm-over %s: not a number "
					 "from 0 to %ld", optarg, MAX_CONFIRM_OVER);
			break;
		}
		case OPT_SPOOL:
			spool_dir = optarg;
			break;
		case OPT_HELP:
			usage();
		case OPT_VERSION:
			pq_version("postq-postsuper");
		default:
			switch (pq_filter_option(&filter, c, optarg, &err)) {
			case 1:
				break;
			case -1:
				pq_fatal(PQ_EX_USAGE, "%s", pq_buf_str(&err));
			default:
				/* getopt said what is wrong; postsuper exits 1. */
				fprintf(stderr, "Try 'postq-postsuper --help' for the "
					"options.\n");
				exit(1);
			}
		}
	}
	if (!pq_filter_finish(&filter, &err))
		pq_fatal(PQ_EX_USAGE, "%s", pq_buf_str(&err));
	/* --all alone selects every message of the selection's queues. */
	bool filtering = pq_filter_active(&filter) || filter.queues != NULL
		|| filter.all;
	if (any_selection && !filtering)
		pq_fatal(PQ_EX_USAGE, "an operation without a queue id acts on the "
			 "messages the filters select: give a queue id, ALL, -, "
			 "or a filter (--from, --to, --queue, ..., or --all)");
	if (filtering && !any_selection)
		pq_fatal(PQ_EX_USAGE, "filters select messages for an operation given "
			 "without a queue id (e.g. -d --to RE); here every operation "
			 "has a queue id, ALL or -");

	/* Everything is checked before anything is changed. */
	if (optind < ac) {
		for (int i = optind; i < ac; i++)
			if (find_queue(av[i]) == NULL)
				fatal("invalid directory name: %s", av[i]);
		g.queues = (const char *const *)av + optind;
		g.user_queues = true;
	} else {
		g.queues = default_queues;
	}
	if (filter.queues)
		for (const char *const *q = filter.queues; *q; q++)
			if (find_queue(*q) == NULL || !find_queue(*q)->message)
				fatal("invalid message queue name: %s", *q);
	struct pq_strlist stdin_ids = PQ_STRLIST_INIT;
	bool stdin_read = false;
	for (size_t i = 0; i < nops; i++) {
		const char *a = ops[i].arg;
		if (a == NULL || strcmp(a, "ALL") == 0)
			continue;
		if (strcmp(a, "-") == 0) {
			/* One stdin, read once: later "-" operations see nothing. */
			if (!stdin_read)
				read_stdin_ids(&stdin_ids);
			stdin_read = true;
			for (size_t k = 0; k < stdin_ids.n; k++)
				if (!pq_qid_ok(pq_strlist_get(&stdin_ids, k)))
					fatal("invalid mail queue id on stdin, line %zu: "
					      "\"%s\"; nothing done", k + 1,
					      pq_strlist_get(&stdin_ids, k));
		} else if (!pq_qid_ok(a)) {
			fatal("invalid mail queue id: %s; nothing done", a);
		}
	}
	if (action == 0 && nops == 0)
		action = A_STRUCT | A_PURGE;
	if (getuid() != 0 && !g.dry)
		fatal("use of this command is reserved for the superuser");

	struct pq_err perr;
	struct pq_config *cfg = pq_config_load(config_dir,
					       spool_dir != NULL && config_dir == NULL,
					       &perr);
	/* postsuper's fatal errors all exit 1; so do these. */
	if (cfg == NULL || !pq_spool_open(&g.sp, cfg, spool_dir, &perr)
	    || !pq_spool_check(&g.sp, &perr))
		pq_fatal(1, "%s", perr.text);
	g.long_ids = g.sp.long_ids;
	if (chdir(g.sp.root) < 0)
		fatal("chdir %s: %s", g.sp.root, strerror(errno));
	if (!g.dry && !pq_postlog_open(cfg, g.sp.root, COMMAND, &perr))
		pq_fatal(1, "%s", perr.text);
	if (getuid() == 0)
		drop_privileges(cfg);
	g.logging = !g.dry;
	signal(SIGINT, interrupted);
	signal(SIGQUIT, interrupted);
	if (signal(SIGTERM, SIG_IGN) == SIG_DFL)
		signal(SIGTERM, interrupted);
	if (signal(SIGHUP, SIG_IGN) == SIG_DFL)
		signal(SIGHUP, interrupted);

	/*
	 * Repairs first, twice if queue ids had to follow their inodes (a
	 * dry run says both steps in its one pass: see fix_queue_id()).
	 */
	if (action & A_REPAIR)
		super(g.queues, action & A_REPAIR);
	if (g.inode_mismatch > 0 && !g.dry)
		super(g.queues, action & A_REPAIR);
	if (nops > 0 && (g.inode_mismatch > 0 || g.inode_fixed > 0)) {
		bool by_id = false;
		for (size_t i = 0; i < nops; i++)
			if (ops[i].arg == NULL || strcmp(ops[i].arg, "ALL") != 0)
				by_id = true;
		if (by_id && g.dry) {
			error("dry run: queue file names would be changed to match "
			      "inode numbers");
			fatal("dry run: a real run stops here, before the operations "
			      "by queue id: check your queue ids and re-issue the command");
		}
		if (by_id) {
			error("QUEUE FILE NAMES WERE CHANGED TO MATCH INODE NUMBERS");
			fatal("CHECK YOUR QUEUE IDS AND RE-ISSUE THE COMMAND");
		}
	}

	bool requeue_done = false;
	for (size_t i = 0; i < nops; i++) {
		const struct op *op = &ops[i];
		one_fn fn = op_function(op->letter);
		if (op->letter == 'r')
			requeue_done = true;
		if (op->arg == NULL) {
			struct selection sel = { PQ_STRLIST_INIT, PQ_STRLIST_INIT, NULL, 0 };
			select_messages(&filter, op->letter, &sel);
			/*
			 * A big selection is asked about on a terminal; with
			 * nobody to ask (cron, a script) it is refused, so a
			 * filter gone wrong stops instead of acting on the queue.
			 */
			if (!yes && !g.dry && sel.ids.n > (size_t)confirm_over) {
				if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
					fatal("-%c: %zu messages selected, more than %ld, and "
					      "no terminal to ask: nothing done (--yes acts "
					      "without asking; --confirm-over N moves the limit)",
					      op->letter, sel.ids.n, confirm_over);
				if (!confirm(op->letter, sel.ids.n))
					fatal("not confirmed: nothing done for -%c (%zu messages "
					      "selected; --yes skips the question)",
					      op->letter, sel.ids.n);
			}
			/* Tests replace files here: stop until continued. */
			long stop;
			if (pq_test_knob("postsuper_stop_selected", &stop) && stop)
				raise(SIGSTOP);
			for (size_t k = 0; k < sel.ids.n; k++) {
				const char *q[2] = { pq_strlist_get(&sel.queues, k), NULL };
				g.expect = &sel.idents[k];
				fn(q, pq_strlist_get(&sel.ids, k));
				g.expect = NULL;
			}
			pq_strlist_free(&sel.queues);
			pq_strlist_free(&sel.ids);
			free(sel.idents);
		} else if (strcmp(op->arg, "ALL") == 0) {
			super(g.queues, op_wildcard(op->letter));
		} else if (strcmp(op->arg, "-") == 0) {
			for (size_t k = 0; k < stdin_ids.n; k++)
				fn(g.queues, pq_strlist_get(&stdin_ids, k));
			pq_strlist_free(&stdin_ids);
		} else {
			fn(g.queues, op->arg);
		}
	}
	fflush(stdout);

	/* The report, one line per kind of operation asked for. */
	bool want[6] = { false };	/* r d e h H */
	for (size_t i = 0; i < nops; i++) {
		switch (ops[i].letter) {
		case 'r': want[0] = true; break;
		case 'd': want[1] = true; break;
		case 'e': want[2] = true; break;
		case 'f': want[2] = want[4] = true; break;
		case 'h': want[3] = true; break;
		case 'H': want[4] = true; break;
		}
	}
	const char *dry = g.dry ? " (dry run)" : "";
#define PLURAL(n) ((n) != 1 ? "s" : "")
	if (want[0])
		info("Requeued: %d message%s%s", g.requeued, PLURAL(g.requeued), dry);
	if (want[1])
		info("Deleted: %d message%s%s", g.deleted, PLURAL(g.deleted), dry);
	if (want[2])
		info("Force-expired: %d message%s%s", g.expired, PLURAL(g.expired), dry);
	if (want[3])
		info("Placed on hold: %d message%s%s", g.held, PLURAL(g.held), dry);
	if (want[4])
		info("Released from hold: %d message%s%s", g.released,
		     PLURAL(g.released), dry);
	if (g.inode_fixed > 0)
		info("Renamed to match inode number: %d message%s%s", g.inode_fixed,
		     PLURAL(g.inode_fixed), dry);
	/* Only when it happened: otherwise the summary is postsuper's. */
	if (g.raced > 0)
		info("Left alone: %d message%s replaced or changed since selected%s",
		     g.raced, PLURAL(g.raced), dry);
	if ((g.inode_mismatch > 0 || g.inode_fixed > 0) && !g.dry)
		warn("QUEUE FILE NAMES WERE CHANGED TO MATCH INODE NUMBERS");
	if (do_kick && !g.dry && requeue_done && g.requeued > 0)
		kick("pickup", "W");

	if (ferror(stdout) || fflush(stdout) == EOF)
		pq_fatal(PQ_EX_IOERR, "output write error: %s", strerror(errno));
	pq_postlog_close();
	pq_spool_close(&g.sp);
	pq_config_free(cfg);
	pq_filter_free(&filter);
	pq_buf_free(&g.path);
	pq_buf_free(&g.path2);
	pq_buf_free(&g.scratch);
	pq_buf_free(&err);
	free(ops);
	free(av);
	return 0;
}
