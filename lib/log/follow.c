/*
 * follow - follow a mail log across rotation, truncation and restarts;
 * see follow.h.
 *
 * One file is read at a time (fd), at read_off, with pread: rotation
 * and truncation never move a file position under us. Bytes read and
 * not yet handed out sit in buf[start, end); buf[end] is at read_off.
 * The last bytes read are kept (tail) and compared with the file after
 * every read: a copytruncate that was followed by new writes beyond our
 * offset shows there, not in the file size.
 *
 * Tests force the poll fallback, as where inotify cannot be had, with
 * POSTQ_TEST=follow_poll=1 (util/knobs.h).
 */
#include "log/follow.h"

#include "log/follow_state.h"
#include "log/journal.h"
#include "log/logread.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/knobs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64u * 1024u)
#define BUF_MAX (PQ_LOGREAD_MAX_LINE + CHUNK)
/* How long a rotated-away file may stay idle before the new one is taken up. */
#define GRACE_MS 1000
/* Directory entries looked at when searching for a rotated file. */
#define SCAN_MAX 4096

enum kind { K_FILE, K_STREAM, K_JOURNAL };
enum pending { P_NONE, P_SWITCH, P_REWIND };

struct pq_follow {
	enum kind kind;
	char *path, *dir, *base, *state_path;
	int poll_ms;

	char *buf;
	size_t cap, start, end, scan;
	bool skipping;		/* inside the rest of an over-long line */

	int fd;			/* the file read now; -1: waiting for the path */
	unsigned long long dev, ino;
	char *name;		/* fd's name, for messages */
	unsigned long long read_off;
	unsigned long long lineno;	/* newlines before buf[start] */
	bool line_known;
	bool rotated;		/* fd is no longer the file at the path */
	bool copy;		/* fd is a copytruncate copy: leave it at its end */
	long long rot_seen;	/* rotated: when fd last gave data (or the rotation was seen) */
	unsigned char tail[PQ_FSTATE_FP_MAX];
	size_t tail_len;

	int next_fd;		/* the file at the path, while fd is not */
	unsigned long long next_dev, next_ino;
	enum pending pending;

	int open_errno, read_errno;	/* last ones warned about */
	bool nonreg_warned;

	int ifd, wd;		/* inotify on dir; -1 where there is none */

	bool stream_eof;
	struct pq_journal *j;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pq_follow_rotated_name(const char *base, const char *name)
{
	static const char *const zsuf[] = {
		".gz", ".bz2", ".xz", ".zst", ".lz4", ".lzma", ".lz", ".Z", ".zip",
	};
	size_t bn = strlen(base), nn = strlen(name);

	if (nn <= bn + 1 || memcmp(name, base, bn) != 0 || !strchr(".-_", name[bn]))
		return 0;
	for (size_t i = 0; i < sizeof(zsuf) / sizeof(zsuf[0]); i++) {
		size_t sn = strlen(zsuf[i]);
		if (nn > bn + sn && strcmp(name + nn - sn, zsuf[i]) == 0)
			return 2;
	}
	return 1;
}

/* Exactly n bytes at off, or false. */
static bool pread_full(int fd, void *p, size_t n, unsigned long long off)
{
	char *c = p;

	while (n > 0) {
		ssize_t k = pread(fd, c, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		c += k;
		n -= (size_t)k;
		off += (unsigned long long)k;
	}
	return true;
}

/* Does fd hold, just before off, the fp_len bytes hashing to fp? */
static bool fp_ok(int fd, unsigned long long off, unsigned fp_len, uint64_t fp)
{
	unsigned char b[PQ_FSTATE_FP_MAX];

	if (fp_len == 0)
		return true;
	if (fp_len > off || fp_len > sizeof(b) || !pread_full(fd, b, fp_len, off - fp_len))
		return false;
	return pq_fstate_hash(b, fp_len) == fp;
}

static void set_name(struct pq_follow *f, const char *name)
{
	free(f->name);
	f->name = pq_xstrdup(name);
}

static char *join(const char *dir, const char *name)
{
	struct pq_buf b = PQ_BUF_INIT;

	if (strcmp(dir, ".") != 0 || strchr(name, '/'))
		pq_buf_printf(&b, "%s/", dir);
	pq_buf_adds(&b, name);
	return b.data;
}

/* The tail: the last bytes before read_off, as read. */
static void tail_push(struct pq_follow *f, const char *p, size_t n)
{
	if (n >= sizeof(f->tail)) {
		memcpy(f->tail, p + n - sizeof(f->tail), sizeof(f->tail));
		f->tail_len = sizeof(f->tail);
		return;
	}
	size_t keep = f->tail_len + n > sizeof(f->tail) ? sizeof(f->tail) - n : f->tail_len;
	memmove(f->tail, f->tail + f->tail_len - keep, keep);
	memcpy(f->tail + keep, p, n);
	f->tail_len = keep + n;
}

static void tail_load(struct pq_follow *f)
{
	size_t n = f->read_off < sizeof(f->tail) ? (size_t)f->read_off : sizeof(f->tail);

	f->tail_len = 0;
	if (n && pread_full(f->fd, f->tail, n, f->read_off - n))
		f->tail_len = n;
}

/* Are the bytes before read_off still those we read? */
static bool tail_there(struct pq_follow *f)
{
	unsigned char now[PQ_FSTATE_FP_MAX];

	if (f->tail_len == 0)
		return true;
	return pread_full(f->fd, now, f->tail_len, f->read_off - f->tail_len) &&
	       memcmp(now, f->tail, f->tail_len) == 0;
}

static void buf_clear(struct pq_follow *f)
{
	f->start = f->end = f->scan = 0;
	f->skipping = false;
}

/* Take up fd as the file to read, at off. */
static void take_file(struct pq_follow *f, int fd, const struct stat *st, const char *name,
    unsigned long long off)
{
	if (f->fd >= 0 && f->fd != fd)
		close(f->fd);
	f->fd = fd;
	f->dev = (unsigned long long)st->st_dev;
	f->ino = (unsigned long long)st->st_ino;
	set_name(f, name);
	f->read_off = off;
	f->lineno = 0;
	f->line_known = off == 0;
	f->rotated = f->copy = false;
	f->rot_seen = 0;
	buf_clear(f);
	tail_load(f);
}

static void close_next(struct pq_follow *f)
{
	if (f->next_fd >= 0)
		close(f->next_fd);
	f->next_fd = -1;
}

/* Open the path as a regular file; -1 if it is not there (errors said once). */
static int open_path(struct pq_follow *f, struct stat *st)
{
	int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		if (errno != ENOENT && errno != f->open_errno)
			pq_warn("cannot open %s: %s; trying again", f->path, strerror(errno));
		f->open_errno = errno == ENOENT ? 0 : errno;
		return -1;
	}
	f->open_errno = 0;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		if (!f->nonreg_warned)
			pq_warn("%s: not a regular file; waiting for one", f->path);
		f->nonreg_warned = true;
		close(fd);
		return -1;
	}
	f->nonreg_warned = false;
	return fd;
}

/*
 * Rotated files of the path in its directory, one callback each (name,
 * stat, whether compressed); stop when it returns true.
 */
typedef bool (*cand_fn)(struct pq_follow *f, const char *name, const struct stat *st,
			int compressed, void *ctx);

static void candidates(struct pq_follow *f, cand_fn fn, void *ctx)
{
	DIR *d = opendir(f->dir);
	struct dirent *de;
	int seen = 0;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && seen++ < SCAN_MAX) {
		int kind = pq_follow_rotated_name(f->base, de->d_name);
		struct stat st;
		if (kind == 0 || fstatat(dirfd(d), de->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (fn(f, de->d_name, &st, kind == 2, ctx))
			break;
	}
	closedir(d);
}

struct find {
	unsigned long long dev, ino;	/* by inode (ino != 0), else by content */
	unsigned long long off, skip_ino;
	unsigned fp_len;
	uint64_t fp;
	int fd;				/* the best match so far */
	struct stat st;
	char *name;
	char *zname;			/* newest compressed candidate */
	long long zmtime;
};

static bool find_one(struct pq_follow *f, const char *name, const struct stat *st,
    int compressed, void *ctx)
{
	struct find *q = ctx;

	if (compressed) {
		if (q->zname == NULL || (long long)st->st_mtime > q->zmtime) {
			free(q->zname);
			q->zname = join(f->dir, name);
			q->zmtime = (long long)st->st_mtime;
		}
		return false;
	}
	if (q->ino ? ((unsigned long long)st->st_dev != q->dev || (unsigned long long)st->st_ino != q->ino)
		   : (unsigned long long)st->st_ino == q->skip_ino)
		return false;
	if ((unsigned long long)st->st_size < q->off)
		return false;
	if (q->fd >= 0 && st->st_mtime <= q->st.st_mtime)
		return false;	/* several copies match: the newest is the latest rotation */
	char *full = join(f->dir, name);
	int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat fst;
	if (fd < 0 || fstat(fd, &fst) != 0 || fst.st_ino != st->st_ino ||
	    !fp_ok(fd, q->off, q->fp_len, q->fp)) {
		if (fd >= 0)
			close(fd);
		free(full);
		return false;
	}
	if (q->fd >= 0)
		close(q->fd);
	free(q->name);
	q->fd = fd;
	q->st = fst;
	q->name = full;
	return q->ino != 0;	/* an inode is unique: done */
}

static void find_free(struct find *q)
{
	if (q->fd >= 0)
		close(q->fd);
	free(q->name);
	free(q->zname);
}

/* Read fd (a rotated file or a copy, named name) from off before the path. */
static void drain_first(struct pq_follow *f, struct find *q, bool copy)
{
	int pfd = f->fd;	/* the path's file, if open: read after this one */

	f->fd = -1;
	close_next(f);
	if (pfd >= 0) {
		struct stat pst;
		if (fstat(pfd, &pst) == 0) {
			f->next_fd = pfd;
			f->next_dev = (unsigned long long)pst.st_dev;
			f->next_ino = (unsigned long long)pst.st_ino;
		} else {
			close(pfd);
		}
	}
	take_file(f, q->fd, &q->st, q->name, q->off);
	f->rotated = true;
	f->copy = copy;
	f->rot_seen = now_ms();
	q->fd = -1;
}

/* Lines before off in fd, counted once when a message or the state needs them. */
static void count_lines(struct pq_follow *f)
{
	unsigned long long upto = f->read_off - (f->end - f->start), n = 0, off = 0;
	char *b = pq_xmalloc(CHUNK);

	while (off < upto) {
		size_t want = upto - off > CHUNK ? CHUNK : (size_t)(upto - off);
		ssize_t k = pread(f->fd, b, want, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		for (const char *p = b; (p = memchr(p, '\n', (size_t)(b + k - p))) != NULL; p++)
			n++;
		off += (unsigned long long)k;
	}
	free(b);
	f->lineno = n;
	f->line_known = true;
}

static void warn_long(struct pq_follow *f)
{
	if (f->kind == K_FILE && !f->line_known)
		count_lines(f);
	pq_warn("%s: line %llu: longer than %u bytes; the rest of it is skipped",
		f->name, f->lineno + 1, PQ_LOGREAD_MAX_LINE);
}

/* Start at the end of fd; a line it ends inside is not handed out. */
static void start_at_end(struct pq_follow *f, int fd, const struct stat *st)
{
	char last = '\n';

	take_file(f, fd, st, f->path, (unsigned long long)st->st_size);
	if (st->st_size > 0 && pread_full(fd, &last, 1, (unsigned long long)st->st_size - 1))
		f->skipping = last != '\n';
}

/* Where to begin, given a state (restart) or none; see follow.h RESTART. */
static void resolve(struct pq_follow *f, struct pq_follow_state *st, bool have_state,
    bool at_end)
{
	struct stat ps;
	int pfd = open_path(f, &ps);

	if (!have_state) {
		if (pfd < 0)
			return;		/* wait; read it from 0 when it appears */
		if (at_end)
			start_at_end(f, pfd, &ps);
		else
			take_file(f, pfd, &ps, f->path, 0);
		return;
	}
	bool same = pfd >= 0 && (unsigned long long)ps.st_dev == st->dev &&
		    (unsigned long long)ps.st_ino == st->ino;
	/* 1. the same file, as we left it */
	if (same && (unsigned long long)ps.st_size >= st->off && fp_ok(pfd, st->off, st->fp_len, st->fp)) {
		take_file(f, pfd, &ps, f->path, st->off);
		goto resumed;
	}
	if (pfd >= 0)
		take_file(f, pfd, &ps, f->path, 0);
	/* 2. rotated while we were down, found by its inode */
	struct find q = { .dev = st->dev, .ino = st->ino, .off = st->off,
			  .fp_len = st->fp_len, .fp = st->fp, .fd = -1 };
	if (st->ino && !same)
		candidates(f, find_one, &q);
	if (q.fd >= 0) {
		pq_info("%s: reading the rest of %s (rotated while stopped) first",
			f->path, q.name);
		drain_first(f, &q, false);
		find_free(&q);
		goto resumed;
	}
	/* 3. the same content elsewhere */
	if (st->fp_len > 0) {
		if (pfd >= 0 && !same && (unsigned long long)ps.st_size >= st->off &&
		    fp_ok(pfd, st->off, st->fp_len, st->fp)) {
			find_free(&q);
			take_file(f, f->fd, &ps, f->path, st->off);
			goto resumed;
		}
		q.ino = 0;
		q.skip_ino = pfd >= 0 ? (unsigned long long)ps.st_ino : 0;
		candidates(f, find_one, &q);
		if (q.fd >= 0) {
			pq_info("%s: reading the rest of %s (a copy made while stopped) first",
				f->path, q.name);
			drain_first(f, &q, true);
			find_free(&q);
			goto resumed;
		}
	}
	/* 4. nothing to resume */
	if (same && (unsigned long long)ps.st_size < st->off) {
		pq_warn("state file %s: offset %llu is past the end of %s (%lld bytes), and no copy "
			"of its old content was found; starting at the end",
			f->state_path, st->off, f->path, (long long)ps.st_size);
		start_at_end(f, f->fd, &ps);
	} else if (same) {
		pq_warn("state file %s: %s no longer holds what was read before offset %llu "
			"(a new file under the same inode); reading it from the start",
			f->state_path, f->path, st->off);
	} else if (st->off > 0) {
		if (q.zname)
			pq_warn("state file %s: the file read last (inode %llu, offset %llu) is gone; "
				"if it is now compressed (%s?), it cannot be resumed by offset: its "
				"unread lines are lost; reading %s from the start",
				f->state_path, st->ino, st->off, q.zname, f->path);
		else
			pq_warn("state file %s: the file read last (inode %llu, offset %llu) is gone; "
				"its unread lines are lost; reading %s from the start",
				f->state_path, st->ino, st->off, f->path);
	}
	find_free(&q);
	return;
resumed:
	f->lineno = st->line;
	f->line_known = true;
	f->skipping = st->skip;
}

static void watch_dir(struct pq_follow *f)
{
	if (f->ifd < 0 || f->wd >= 0)
		return;
	f->wd = inotify_add_watch(f->ifd, f->dir,
				  IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
				  IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF |
				  IN_ONLYDIR);
}

static void drain_events(struct pq_follow *f)
{
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	if (f->ifd < 0)
		return;
	for (;;) {
		ssize_t n = read(f->ifd, ev, sizeof(ev));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (char *p = ev; p < ev + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			if (e->wd == f->wd && (e->mask & IN_IGNORED))
				f->wd = -1;	/* the directory went: poll until it is back */
			p += sizeof(*e) + e->len;
		}
	}
	watch_dir(f);
}

static void split_path(struct pq_follow *f)
{
	const char *sl = strrchr(f->path, '/');

	if (sl == NULL) {
		f->dir = pq_xstrdup(".");
		f->base = pq_xstrdup(f->path);
	} else {
		f->dir = sl == f->path ? pq_xstrdup("/") : pq_xstrndup(f->path, (size_t)(sl - f->path));
		f->base = pq_xstrdup(sl + 1);
	}
}

struct pq_follow *pq_follow_open(const struct pq_follow_opts *o, struct pq_err *err)
{
	struct pq_follow_state st;
	int have = 0;

	if (o->source == PQ_FOLLOW_FILE && (o->path == NULL || o->path[0] == 0)) {
		pq_err_set(err, PQ_EX_USAGE, "follow: no file given");
		return NULL;
	}
	if (o->state_path) {
		have = pq_fstate_load(o->state_path, &st, err);
		if (have == -2)
			return NULL;
	}
	struct pq_follow *f = pq_xcalloc(1, sizeof(*f));
	f->fd = f->next_fd = f->ifd = f->wd = -1;
	f->poll_ms = o->poll_ms <= 0 || o->poll_ms > 1000 ? 1000 : o->poll_ms;
	f->state_path = o->state_path ? pq_xstrdup(o->state_path) : NULL;
	bool at_end = o->start == PQ_FOLLOW_START_END;
	if (have == -1)
		at_end = true;	/* a corrupt state: nothing is known; count nothing twice */
	if (have == 1 && st.kind != (o->source == PQ_FOLLOW_JOURNAL ? PQ_FSTATE_JOURNAL : PQ_FSTATE_FILE)) {
		pq_warn("state file %s: is for a %s, not a %s; ignored", o->state_path,
			st.kind == PQ_FSTATE_JOURNAL ? "journal" : "file",
			o->source == PQ_FOLLOW_JOURNAL ? "journal" : "file");
		pq_fstate_free(&st);
		have = 0;
	}

	if (o->source == PQ_FOLLOW_JOURNAL) {
		struct pq_journal_opts jo = {
			.unit = o->journal_unit, .ident_prefix = o->journal_ident,
			.dir = o->journal_dir, .name_space = o->journal_namespace,
			.cursor = have == 1 ? st.cursor : NULL,
			.from_start = !at_end,
		};
		f->kind = K_JOURNAL;
		f->j = pq_journal_open(&jo, err);
		if (have == 1)
			pq_fstate_free(&st);
		if (f->j == NULL) {
			pq_follow_close(f);
			return NULL;
		}
		set_name(f, "journal");
		return f;
	}

	f->path = pq_xstrdup(o->path);
	struct stat ps;
	bool stream = strcmp(o->path, "-") == 0 ||
		      (stat(o->path, &ps) == 0 && !S_ISREG(ps.st_mode) && !S_ISDIR(ps.st_mode));
	if (stream) {
		f->kind = K_STREAM;
		f->fd = strcmp(o->path, "-") == 0 ? dup(0) :
			open(o->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (have == 1)
			pq_fstate_free(&st);
		if (f->fd < 0) {
			pq_err_set(err, PQ_EX_NOINPUT, "cannot open %s: %s", o->path, strerror(errno));
			pq_follow_close(f);
			return NULL;
		}
		set_name(f, o->path);
		f->line_known = true;
		return f;
	}
	if (stat(o->path, &ps) == 0 && S_ISDIR(ps.st_mode)) {
		pq_err_set(err, PQ_EX_USAGE, "%s: is a directory", o->path);
		if (have == 1)
			pq_fstate_free(&st);
		pq_follow_close(f);
		return NULL;
	}
	f->kind = K_FILE;
	split_path(f);
	set_name(f, f->path);
	long v;
	if (!(pq_test_knob("follow_poll", &v) && v == 1)) {
		f->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		watch_dir(f);
	}
	if (have == 1 && (st.path == NULL || strcmp(st.path, o->path) != 0)) {
		pq_warn("state file %s: is for %s, not %s; ignored", o->state_path,
			st.path ? st.path : "?", o->path);
		pq_fstate_free(&st);
		have = 0;
	}
	resolve(f, &st, have == 1, at_end);
	if (have == 1)
		pq_fstate_free(&st);
	return f;
}

/* Make room for a read: the line handed out last is no longer needed. */
static size_t make_room(struct pq_follow *f)
{
	if (f->start > 0) {
		memmove(f->buf, f->buf + f->start, f->end - f->start);
		f->end -= f->start;
		f->scan -= f->start;
		f->start = 0;
	}
	if (f->cap - f->end < CHUNK && f->cap < BUF_MAX) {
		size_t cap = f->cap ? f->cap * 2 : CHUNK * 2;
		f->cap = cap > BUF_MAX ? BUF_MAX : cap;
		f->buf = pq_xrealloc(f->buf, f->cap);
	}
	size_t room = f->cap - f->end;
	return room > CHUNK ? CHUNK : room;
}

static void on_truncated(struct pq_follow *f);

enum rd { RD_DATA, RD_EOF, RD_ERROR, RD_CHANGED };

static enum rd file_read(struct pq_follow *f)
{
	size_t want = make_room(f);
	ssize_t n;

	do
		n = pread(f->fd, f->buf + f->end, want, (off_t)f->read_off);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno != f->read_errno)
			pq_warn("cannot read %s: %s; trying again", f->name, strerror(errno));
		f->read_errno = errno;
		return RD_ERROR;
	}
	f->read_errno = 0;
	if (n == 0)
		return RD_EOF;
	if (!tail_there(f)) {
		/* Rewritten under us: what was just read is new content. */
		on_truncated(f);
		return RD_CHANGED;
	}
	if (f->rot_seen)
		f->rot_seen = now_ms();	/* the grace counts from the old file's last data */
	tail_push(f, f->buf + f->end, (size_t)n);
	f->end += (size_t)n;
	f->read_off += (unsigned long long)n;
	return RD_DATA;
}

static void on_truncated(struct pq_follow *f)
{
	struct find q = { .off = f->read_off, .skip_ino = f->ino, .fd = -1 };

	if (f->rotated) {
		/* A rotated file or a copy emptied behind us: nothing more will be added to it. */
		pq_info("%s: truncated after it was rotated; going on with %s", f->name, f->path);
		f->pending = P_SWITCH;
		return;
	}
	if (f->tail_len > 0) {
		q.fp_len = (unsigned)f->tail_len;
		q.fp = pq_fstate_hash(f->tail, f->tail_len);
		candidates(f, find_one, &q);
	}
	if (q.fd >= 0) {
		pq_info("%s: truncated (copytruncate): reading the rest of its old content from %s first",
			f->name, q.name);
		unsigned long long lineno = f->lineno;
		bool known = f->line_known, skipping = f->skipping;
		size_t start = f->start, end = f->end, scan = f->scan;
		int old = f->fd;
		struct stat ost;
		f->fd = -1;
		if (fstat(old, &ost) == 0) {
			close_next(f);
			f->next_fd = old;
			f->next_dev = (unsigned long long)ost.st_dev;
			f->next_ino = (unsigned long long)ost.st_ino;
		} else {
			close(old);
		}
		take_file(f, q.fd, &q.st, q.name, q.off);
		q.fd = -1;
		/* The copy goes on exactly where the old content stopped. */
		f->lineno = lineno;
		f->line_known = known;
		f->skipping = skipping;
		f->start = start;
		f->end = end;
		f->scan = scan;
		f->rotated = f->copy = true;
		f->rot_seen = now_ms();
	} else {
		pq_info("%s: truncated: reading it again from the start", f->name);
		f->pending = P_REWIND;
	}
	find_free(&q);
}

enum eof { EOF_NOTHING, EOF_CHANGED, EOF_SWITCH };

/* At the end of fd: truncated? rotated? time to move to the new file? */
static enum eof at_eof(struct pq_follow *f)
{
	struct stat st, ps;
	long long now = now_ms();

	if (fstat(f->fd, &st) == 0 && (unsigned long long)st.st_size < f->read_off) {
		on_truncated(f);
		return EOF_CHANGED;
	}
	/* Truncated and written again up to the same size: only the content shows it. */
	if (!tail_there(f)) {
		on_truncated(f);
		return EOF_CHANGED;
	}
	if (f->copy) {
		f->pending = P_SWITCH;
		return EOF_CHANGED;
	}
	bool have = stat(f->path, &ps) == 0 && S_ISREG(ps.st_mode);
	if (have && (unsigned long long)ps.st_dev == f->dev && (unsigned long long)ps.st_ino == f->ino) {
		f->rotated = false;
		f->rot_seen = 0;
		close_next(f);
		return EOF_NOTHING;
	}
	f->rotated = true;
	if (f->rot_seen == 0)
		f->rot_seen = now;
	if (!have)
		return EOF_NOTHING;	/* moved away and not yet replaced: keep reading it */
	if (f->next_fd < 0 || f->next_dev != (unsigned long long)ps.st_dev ||
	    f->next_ino != (unsigned long long)ps.st_ino) {
		close_next(f);
		struct stat nst;
		int fd = open_path(f, &nst);
		if (fd < 0)
			return EOF_NOTHING;
		f->next_fd = fd;
		f->next_dev = (unsigned long long)nst.st_dev;
		f->next_ino = (unsigned long long)nst.st_ino;
	}
	struct stat nst;
	if (fstat(f->next_fd, &nst) == 0 && nst.st_size == 0 && now - f->rot_seen < GRACE_MS)
		return EOF_NOTHING;
	return EOF_SWITCH;
}

static void do_pending(struct pq_follow *f)
{
	enum pending p = f->pending;

	f->pending = P_NONE;
	if (p == P_REWIND) {
		f->read_off = 0;
		f->lineno = 0;
		f->line_known = true;
		f->tail_len = 0;
		buf_clear(f);
		return;
	}
	/* P_SWITCH: on to the file at the path */
	if (f->next_fd >= 0) {
		struct stat st;
		int fd = f->next_fd;
		f->next_fd = -1;
		if (fstat(fd, &st) == 0) {
			take_file(f, fd, &st, f->path, 0);
			return;
		}
		close(fd);
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	set_name(f, f->path);
	f->rotated = f->copy = false;
	buf_clear(f);
}

static enum pq_follow_status stream_more(struct pq_follow *f)
{
	if (f->stream_eof)
		return PQ_FOLLOW_END;
	struct pollfd p = { .fd = f->fd, .events = POLLIN };
	if (poll(&p, 1, 0) <= 0)
		return PQ_FOLLOW_AGAIN;
	size_t want = make_room(f);
	ssize_t n = read(f->fd, f->buf + f->end, want);
	if (n > 0) {
		f->end += (size_t)n;
		return PQ_FOLLOW_LINE;	/* "go on" */
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return PQ_FOLLOW_AGAIN;
	if (n < 0)
		pq_warn("cannot read %s: %s", f->name, strerror(errno));
	f->stream_eof = true;
	return PQ_FOLLOW_LINE;
}

enum pq_follow_status pq_follow_next(struct pq_follow *f, const char **line, size_t *len)
{
	if (f->kind == K_JOURNAL)
		return pq_journal_next(f->j, line, len) ? PQ_FOLLOW_LINE : PQ_FOLLOW_AGAIN;
	for (;;) {
		if (f->end > f->scan) {
			char *nl = memchr(f->buf + f->scan, '\n', f->end - f->scan);
			if (nl) {
				size_t pos = (size_t)(nl - f->buf), n = pos - f->start;
				const char *l = f->buf + f->start;
				bool was_skipping = f->skipping;
				if (!was_skipping && n > PQ_LOGREAD_MAX_LINE) {
					warn_long(f);
					n = PQ_LOGREAD_MAX_LINE;
				}
				f->start = f->scan = pos + 1;
				f->lineno++;
				f->skipping = false;
				if (was_skipping)
					continue;
				*line = l;
				*len = n;
				return PQ_FOLLOW_LINE;
			}
			f->scan = f->end;
		}
		if (f->skipping) {
			f->start = f->scan = f->end;
		} else if (f->end - f->start >= PQ_LOGREAD_MAX_LINE) {
			warn_long(f);
			*line = f->buf + f->start;
			*len = PQ_LOGREAD_MAX_LINE;
			f->start = f->scan = f->end;
			f->skipping = true;
			return PQ_FOLLOW_LINE;
		}
		/* No whole line left: the one handed out last may be overwritten now. */
		bool ended = f->kind == K_STREAM ? f->stream_eof : f->pending != P_NONE;
		if (ended) {
			bool partial = f->end > f->start && !f->skipping;
			if (f->end > f->start || f->skipping)
				f->lineno++;
			size_t n = f->end - f->start;
			*line = f->buf + f->start;
			*len = n;
			f->start = f->scan = f->end;
			f->skipping = false;
			if (partial)
				return PQ_FOLLOW_LINE;	/* the unterminated end of a finished file */
			if (f->kind == K_STREAM)
				return PQ_FOLLOW_END;
			do_pending(f);
			continue;
		}
		if (f->kind == K_STREAM) {
			enum pq_follow_status s = stream_more(f);
			if (s != PQ_FOLLOW_LINE)
				return s;
			continue;
		}
		drain_events(f);
		if (f->fd < 0) {
			struct stat st;
			int fd = open_path(f, &st);
			if (fd < 0)
				return PQ_FOLLOW_AGAIN;
			take_file(f, fd, &st, f->path, 0);
		}
		enum rd r = file_read(f);
		if (r == RD_DATA || r == RD_CHANGED)
			continue;
		if (r == RD_ERROR)
			return PQ_FOLLOW_AGAIN;
		enum eof e = at_eof(f);
		if (e == EOF_NOTHING)
			return PQ_FOLLOW_AGAIN;
		if (e == EOF_SWITCH) {
			/* The new file has data: the writer is done with the old one. Read it once more. */
			r = file_read(f);
			if (r == RD_DATA || r == RD_CHANGED)
				continue;
			if (r == RD_ERROR)
				return PQ_FOLLOW_AGAIN;
			f->pending = P_SWITCH;
		}
	}
}

int pq_follow_fd(struct pq_follow *f)
{
	if (f->kind == K_JOURNAL)
		return pq_journal_fd(f->j);
	if (f->kind == K_STREAM)
		return f->stream_eof ? -1 : f->fd;
	return f->wd >= 0 ? f->ifd : -1;
}

int pq_follow_timeout_ms(struct pq_follow *f)
{
	if (f->kind == K_JOURNAL)
		return pq_journal_timeout_ms(f->j);
	if (f->kind == K_STREAM)
		return f->stream_eof ? 0 : -1;
	int t = f->poll_ms;
	if (f->rot_seen) {
		/* Wake when the grace ends; once it has, the path is missing: poll as usual. */
		long long left = f->rot_seen + GRACE_MS - now_ms();
		if (left > 0 && left < t)
			t = (int)left + 1;
	}
	return t;
}

void pq_follow_wait(struct pq_follow *f)
{
	int fd = pq_follow_fd(f), t = pq_follow_timeout_ms(f);

	if (fd >= 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		(void)poll(&p, 1, t);
	} else if (t > 0) {
		struct timespec ts = { t / 1000, (long)(t % 1000) * 1000000L };
		(void)nanosleep(&ts, NULL);
	}
}

bool pq_follow_save(struct pq_follow *f, struct pq_err *err)
{
	struct pq_follow_state st;

	if (f->state_path == NULL || f->kind == K_STREAM)
		return true;
	memset(&st, 0, sizeof(st));
	if (f->kind == K_JOURNAL) {
		st.kind = PQ_FSTATE_JOURNAL;
		st.cursor = pq_journal_cursor(f->j);
	} else {
		st.kind = PQ_FSTATE_FILE;
		st.path = pq_xstrdup(f->path);
		bool done = f->pending != P_NONE && f->end == f->start;
		if (done && f->pending == P_REWIND) {
			st.dev = f->dev;	/* the same file from its start */
			st.ino = f->ino;
		} else if (done) {
			struct stat ns;
			if (f->next_fd >= 0 && fstat(f->next_fd, &ns) == 0) {
				st.dev = (unsigned long long)ns.st_dev;
				st.ino = (unsigned long long)ns.st_ino;
			}
		} else if (f->fd >= 0) {
			st.dev = f->dev;
			st.ino = f->ino;
			st.off = f->read_off - (f->end - f->start);
			if (!f->line_known)
				count_lines(f);
			st.line = f->lineno;
			st.skip = f->skipping;
			unsigned char b[PQ_FSTATE_FP_MAX];
			size_t n = st.off < sizeof(b) ? (size_t)st.off : sizeof(b);
			if (n && pread_full(f->fd, b, n, st.off - n)) {
				st.fp_len = (unsigned)n;
				st.fp = pq_fstate_hash(b, n);
			}
		}
	}
	bool ok = pq_fstate_save(f->state_path, &st, err);
	pq_fstate_free(&st);
	return ok;
}

const char *pq_follow_name(const struct pq_follow *f)
{
	return f->name ? f->name : "-";
}

void pq_follow_close(struct pq_follow *f)
{
	if (f == NULL)
		return;
	if (f->fd >= 0)
		close(f->fd);
	close_next(f);
	if (f->ifd >= 0)
		close(f->ifd);
	pq_journal_close(f->j);
	free(f->buf);
	free(f->path);
	free(f->dir);
	free(f->base);
	free(f->state_path);
	free(f->name);
	free(f);
}
