/*
 * listing - the messages of a spool as showq sees them; see listing.h.
 *
 * The calling thread walks the queue directories and puts names into a
 * ring of slots; reader threads claim named slots in order, a batch at
 * a time, read the batch's queue files and defer logs with one fetch
 * (lib/fetch: a handful of system calls for the lot), fill the slots
 * and mark them done; the caller hands slots out in ring order as they
 * complete. So output order is walk order whatever the readers do, and
 * memory is bounded by the ring, not by the queue. With one reader the
 * caller reads the batches itself.
 */
#include "spool/listing.h"

#include "util/alloc.h"
#include "util/knobs.h"
#include "util/diag.h"
#include "util/fetch.h"
#include "util/regfile.h"
#include "spool/queue_id.h"
#include "spool/rcpt_list.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RING_SLOTS 512
#define MAX_READERS 8
/* Messages a reader takes at once: one fetch reads all their files. */
#define BATCH 64
/*
 * Queue file bytes read ahead. The envelope comes first and the body is
 * skipped, so most messages need no more; a larger file is opened again
 * for the rest (its extracted segment after the body).
 */
#define QFILE_AHEAD (32u << 10)
/*
 * Without recipients only the head is needed: the sender follows a few
 * short records, about 200 bytes in. Reading stops there, so a larger
 * file is opened again only if its sender lies further.
 */
#define HEAD_AHEAD 1024u
/* Defer log bytes read ahead; a longer log is read again whole. */
#define DEFER_AHEAD 8192u

/* One message of a batch: its paths and what the fetch read. */
struct batch_msg {
	struct pq_buf path;	/* queue file, spool-relative */
	struct pq_buf dpath;	/* defer log */
	struct pq_buf qdata, ddata;	/* fetch buffers, reused */
	struct pq_fetch_item *qitem, *ditem;	/* NULL: not fetched */
	struct listing_reader *rd;
	const char *queue, *id;
	int open_errno;		/* of the second open, if it failed */
	bool stat_later;	/* opened unseen (want_stat false) */
};

/* What one reader needs; nothing in here is shared between threads. */
struct listing_reader {
	struct pq_spool sp;	/* shallow copy: own directory cache */
	bool want_reasons;
	bool want_rcpts;
	bool want_stat;
	struct pq_rec_reader rec;
	struct pq_envelope env;
	struct pq_rcpt_list rl;
	struct pq_fetch fetch;
	struct batch_msg batch[BATCH];
	struct pq_fetch_item items[2 * BATCH];
	pthread_t thread;
	struct pq_listing *ls;
};

enum slot_state { SLOT_FREE, SLOT_NAMED, SLOT_BUSY, SLOT_DONE };

struct slot {
	enum slot_state state;
	const char *queue;
	unsigned char dtype;	/* what readdir said it is */
	bool ok;		/* a message to hand out */
	int unreadable;		/* errno of a part that could not be read, or 0 */
	struct pq_qmsg msg;
};

struct listing_ring {
	pthread_mutex_t lock;
	pthread_cond_t work;	/* readers wait for named slots */
	pthread_cond_t done;	/* the caller waits for its slot */
	struct slot slots[RING_SLOTS];
	unsigned long head;	/* next slot to hand out */
	unsigned long tail;	/* next slot to name */
	unsigned long claim;	/* next named slot for a reader */
	bool stop;
};

void pq_qmsg_free(struct pq_qmsg *m)
{
	pq_buf_free(&m->sender);
	pq_buf_free(&m->idbuf);
	pq_strlist_free(&m->rcpts);
	pq_strlist_free(&m->reasons);
}

/* Queue the files of queue/id for the fetch; false if it is not ready. */
static bool plan_message(struct listing_reader *rd, struct batch_msg *b,
			 struct slot *s, size_t *nitems)
{
	s->unreadable = 0;
	struct pq_qmsg *m = &s->msg;
	const char *id = pq_buf_str(&m->idbuf);

	b->qitem = b->ditem = NULL;
	/*
	 * Unseen, only what readdir calls a regular file is opened (and the
	 * fetch opens with O_NOFOLLOW | O_NONBLOCK besides), and only in
	 * queues whose files arrive complete, by rename: cleanup and
	 * postdrop write theirs in place, where a half-written file must
	 * not be read (the mode bits say when it is done).
	 */
	b->stat_later = !rd->want_stat && s->dtype == DT_REG
	    && strcmp(s->queue, "incoming") != 0 && strcmp(s->queue, "maildrop") != 0;
	if (b->stat_later) {
		if (!pq_qid_ok(id))
			return false;
		pq_spool_path(&rd->sp, s->queue, id, &b->path);
		memset(&m->st, 0, sizeof(m->st));
	} else if (!pq_spool_open_ok(&rd->sp, s->queue, id, &m->st, &b->path)) {
		s->unreadable = errno;
		return false;
	}
	/* One byte more than the file had: a full buffer means it grew. */
	size_t ahead = rd->want_rcpts ? QFILE_AHEAD : HEAD_AHEAD;
	size_t want = b->stat_later || m->st.st_size >= (off_t)ahead
	    ? ahead : (size_t)m->st.st_size + 1;
	pq_buf_reserve(&b->qdata, want);
	b->qitem = &rd->items[(*nitems)++];
	*b->qitem = (struct pq_fetch_item){
		.buf = (unsigned char *)b->qdata.data, .cap = want };
	b->qitem->dirfd = pq_spool_dirfd(&rd->sp, b->path.data, &b->qitem->name);
	if (rd->want_reasons && rd->want_rcpts) {
		pq_buf_reserve(&b->ddata, DEFER_AHEAD);
		pq_spool_path(&rd->sp, "defer", id, &b->dpath);
		b->ditem = &rd->items[(*nitems)++];
		*b->ditem = (struct pq_fetch_item){
			.buf = (unsigned char *)b->ddata.data, .cap = DEFER_AHEAD };
		b->ditem->dirfd = pq_spool_dirfd(&rd->sp, b->dpath.data,
						 &b->ditem->name);
	}
	return true;
}

/*
 * m's defer log as fetched (or read again whole); false if none. showq
 * lists a message whose log it cannot read as if it had none; so do
 * we, but *unreadable gets the errno (a cut log: EFBIG).
 */
static bool defer_log(struct listing_reader *rd, struct batch_msg *b,
		      const char *id, struct pq_bounce_log *log, int *unreadable)
{
	const struct pq_fetch_item *it = b->ditem;

	if (it == NULL || it->len == -ENOENT)
		return false;
	if (it->len < 0) {
		*unreadable = (int)-it->len;
		pq_warn("%s %s: %s", it->opened && *unreadable != PQ_ENOTREG
			? "read" : "open", b->dpath.data,
			pq_regfile_strerror(*unreadable));
		return false;
	}
	if ((size_t)it->len == it->cap) {
		if (!pq_bounce_log_open(log, &rd->sp, "defer", id)) {
			if (errno != ENOENT)
				*unreadable = errno;
			return false;
		}
		if (log->cut)
			*unreadable = EFBIG;
		return true;
	}
	pq_bounce_log_use(log, &rd->sp, "defer", id, it->buf, (size_t)it->len);
	return true;
}

/* The queue file again, for what lies past the read-ahead. */
static int open_rest(void *ctx)
{
	struct batch_msg *b = ctx;
	struct stat st;
	int fd = pq_spool_openat(&b->rd->sp, b->path.data, &st);

	if (fd < 0) {
		b->open_errno = errno;
		if (errno != ENOENT)
			pq_warn("open %s %s: %s", b->queue, b->id,
				pq_regfile_strerror(errno));
	}
	return fd;
}

/*
 * An errno that means "could not be read" rather than "not there" or
 * "not a message file" (which showq, too, only warns about).
 */
static int unreadable_errno(int err)
{
	return err == ENOENT || err == PQ_ENOTREG ? 0 : err;
}

/*
 * Fill m from what the fetch read; false if there is nothing to list.
 * *unreadable gets the errno of a part that could not be read.
 */
static bool read_message(struct listing_reader *rd, struct batch_msg *b,
			 const char *queue, struct pq_qmsg *m, int *unreadable)
{
	const char *id = pq_buf_str(&m->idbuf);
	const struct pq_fetch_item *it = b->qitem;

	if (it == NULL)
		return false;
	if (it->len < 0) {
		int err = (int)-it->len;
		/* Unseen, it may not be a message file: say so as showq would. */
		if (err != ENOENT && b->stat_later
		    && !pq_spool_open_ok(&rd->sp, queue, id, &m->st, &b->path)) {
			*unreadable = errno;
			return false;
		}
		if (err != ENOENT) {
			pq_warn("open %s %s: %s", queue, id, pq_regfile_strerror(err));
			*unreadable = unreadable_errno(err);
		}
		return false;
	}
	bool whole = (size_t)it->len < it->cap;
	pq_rec_init(&rd->rec, -1, b->path.data,
		    !b->stat_later ? m->st.st_size : whole ? it->len : -1);
	b->open_errno = 0;
	if (!whole) {
		b->rd = rd;
		b->queue = queue;
		b->id = id;
		pq_rec_open_later(&rd->rec, open_rest, b);
	}
	pq_rec_preload(&rd->rec, it->buf, (size_t)it->len);
	rd->env.head_only = !rd->want_rcpts;
	pq_envelope_read(&rd->env, &rd->rec, id, &m->st, false);
	if (rd->rec.fd >= 0)
		close(rd->rec.fd);
	/* A file that cannot be opened again is not listed. */
	if (b->open_errno != 0)
		*unreadable = unreadable_errno(b->open_errno);
	if (rd->env.status == PQ_ENV_NO_SENDER || b->open_errno != 0)
		return false;
	/* The file's own time and size stand in for missing records. */
	if (b->stat_later && (rd->env.arrival <= 0 || !rd->env.size_ok)) {
		if (pq_spool_lstat(&rd->sp, b->path.data, &m->st) < 0)
			return false;
		if (!rd->env.size_ok)
			rd->env.size = (long)m->st.st_size;
	}

	m->queue = queue;
	m->id = id;
	m->arrival = rd->env.arrival > 0 ? rd->env.arrival : (long)m->st.st_mtime;
	m->arrival_is_mtime = rd->env.arrival <= 0;
	m->size = rd->env.size;
	m->forced_expire = (m->st.st_mode & S_IXGRP) != 0;
	m->done_rcpts = rd->env.done_rcpts;
	m->status = rd->env.status;
	pq_buf_set(&m->sender, pq_rcpt_list_show(&rd->rl, &rd->sp, pq_buf_str(&rd->env.sender)));
	struct pq_bounce_log log;
	bool logged = defer_log(rd, b, id, &log, unreadable);
	pq_rcpt_list_begin(&rd->rl, &rd->sp, m, logged ? &log : NULL);
	for (size_t i = 0; i < rd->env.rcpts.n; i++)
		pq_rcpt_list_pending(&rd->rl, m, pq_strlist_get(&rd->env.rcpts, i));
	return true;
}

/* Read the messages of n claimed slots: stat each, one fetch, parse. */
static void read_batch(struct listing_reader *rd, struct slot **slots, size_t n)
{
	size_t nitems = 0;

	for (size_t i = 0; i < n; i++)
		plan_message(rd, &rd->batch[i], slots[i], &nitems);
	pq_fetch_run(&rd->fetch, rd->items, nitems);
	for (size_t i = 0; i < n; i++)
		if (slots[i]->unreadable == 0)
			slots[i]->ok = read_message(rd, &rd->batch[i], slots[i]->queue,
						    &slots[i]->msg,
						    &slots[i]->unreadable);
		else
			slots[i]->ok = false;
}

static void reader_init(struct listing_reader *rd, struct pq_listing *ls)
{
	memset(rd, 0, sizeof(*rd));
	rd->sp = *ls->sp;
	/* The copy shares the root and settings, not the caches. */
	rd->sp.dirfds = NULL;
	rd->sp.ndirfds = 0;
	memset(&rd->sp.scratch, 0, sizeof(rd->sp.scratch));
	rd->want_reasons = ls->want_reasons;
	rd->want_rcpts = ls->want_rcpts;
	rd->want_stat = ls->want_stat;
	pq_rcpt_list_init(&rd->rl);
	pq_fetch_init(&rd->fetch);
	rd->ls = ls;
}

static void reader_free(struct listing_reader *rd)
{
	pq_fetch_free(&rd->fetch);
	pq_spool_forget_dirs(&rd->sp);
	pq_buf_free(&rd->sp.scratch);
	pq_rec_free(&rd->rec);
	pq_envelope_free(&rd->env);
	pq_rcpt_list_free(&rd->rl);
	for (size_t i = 0; i < BATCH; i++) {
		pq_buf_free(&rd->batch[i].path);
		pq_buf_free(&rd->batch[i].dpath);
		pq_buf_free(&rd->batch[i].qdata);
		pq_buf_free(&rd->batch[i].ddata);
	}
}

/* Claim up to BATCH named slots (ring locked); how many. */
static size_t claim_batch(struct listing_ring *ring, struct slot **slots)
{
	size_t n = 0;

	while (n < BATCH && ring->claim != ring->tail) {
		struct slot *s = &ring->slots[ring->claim++ % RING_SLOTS];
		s->state = SLOT_BUSY;
		slots[n++] = s;
	}
	return n;
}

/* Read a claimed batch with the ring unlocked; called and returns locked. */
static void serve_batch(struct listing_reader *rd, struct listing_ring *ring)
{
	struct slot *slots[BATCH];
	size_t n = claim_batch(ring, slots);

	pthread_mutex_unlock(&ring->lock);
	read_batch(rd, slots, n);
	pthread_mutex_lock(&ring->lock);
	for (size_t i = 0; i < n; i++)
		slots[i]->state = SLOT_DONE;
}

static void *reader_main(void *arg)
{
	struct listing_reader *rd = arg;
	struct listing_ring *ring = rd->ls->ring;

	pthread_mutex_lock(&ring->lock);
	for (;;) {
		while (!ring->stop && ring->claim == ring->tail)
			pthread_cond_wait(&ring->work, &ring->lock);
		if (ring->stop)
			break;
		serve_batch(rd, ring);
		pthread_cond_broadcast(&ring->done);
	}
	pthread_mutex_unlock(&ring->lock);
	return NULL;
}

static int reader_count(void)
{
	return pq_threads(MAX_READERS);
}

void pq_listing_open(struct pq_listing *ls, struct pq_spool *sp,
		     const char *const *queues)
{
	memset(ls, 0, sizeof(*ls));
	pq_spool_forget_dirs(sp);
	ls->sp = sp;
	ls->queues = queues ? queues : pq_message_queues_showq;
	ls->qindex = -1;
	ls->want_reasons = true;
	ls->want_rcpts = true;
	ls->want_stat = true;
}

/* Readers start at the first next(), after the caller set want_reasons. */
static void start(struct pq_listing *ls)
{
	ls->started = true;
	ls->nreaders = reader_count();
	ls->readers = calloc((size_t)ls->nreaders, sizeof(*ls->readers));
	if (ls->readers == NULL)
		pq_oom(0);
	for (int i = 0; i < ls->nreaders; i++)
		reader_init(&ls->readers[i], ls);
	ls->ring = calloc(1, sizeof(*ls->ring));
	if (ls->ring == NULL)
		pq_oom(0);
	pthread_mutex_init(&ls->ring->lock, NULL);
	pthread_cond_init(&ls->ring->work, NULL);
	pthread_cond_init(&ls->ring->done, NULL);
	/* One reader: the caller reads its batches itself, no thread. */
	/*
	 * Threads that cannot be started are done without: the others (or,
	 * with none, the caller) serve their batches.
	 */
	ls->nthreads = 0;
	for (int i = 0; ls->nreaders > 1 && i < ls->nreaders; i++) {
		int err = pthread_create(&ls->readers[i].thread, NULL, reader_main,
					 &ls->readers[i]);
		if (err != 0) {
			pq_warn("cannot start a reader thread: %s", strerror(err));
			break;
		}
		ls->nthreads++;
	}
	ls->threaded = ls->nthreads > 0;
}

/* A part of the queue that could not be read (and was warned about). */
static void count_unreadable(struct pq_listing *ls, int err)
{
	ls->unreadable++;
	if (err == EACCES || err == EPERM)
		ls->unreadable_perm++;
}

/* The walk's own count, once a queue is done. */
static void end_scan(struct pq_listing *ls)
{
	unsigned long perm, n = pq_scan_errors(ls->scan, &perm);

	ls->unreadable += n;
	ls->unreadable_perm += perm;
	pq_scan_close(ls->scan);
	ls->scan = NULL;
}

/* The next name from the walk, with its queue and type; NULL at the end. */
static const char *next_name(struct pq_listing *ls, const char **queue,
			     unsigned char *dtype)
{
	for (;;) {
		if (ls->scan == NULL) {
			const char *q = ls->queues[ls->qindex + 1];
			if (q == NULL)
				return NULL;
			ls->qindex++;
			ls->scan = pq_scan_open(ls->sp, q, strcmp(q, "maildrop") != 0);
			if (ls->scan == NULL) {
				/* A copy of a spool may lack a queue. */
				if (errno == ENOENT)
					continue;
				pq_warn("open directory %s: %s", q, strerror(errno));
				count_unreadable(ls, errno);
				continue;
			}
		}
		const char *id = pq_scan_next(ls->scan);
		if (id != NULL) {
			*queue = ls->queues[ls->qindex];
			*dtype = pq_scan_type(ls->scan);
			return id;
		}
		end_scan(ls);
	}
}

static const struct pq_qmsg *next_from_ring(struct pq_listing *ls)
{
	struct listing_ring *ring = ls->ring;

	pthread_mutex_lock(&ring->lock);
	for (;;) {
		/* Hand back the slot given out last time. */
		if (ls->msg) {
			ring->slots[ring->head++ % RING_SLOTS].state = SLOT_FREE;
			ls->msg = NULL;
		}
		/* Name as many slots as are free; readdir is cheap. */
		bool named = false, walk_done = false;
		while (ring->tail - ring->head < RING_SLOTS) {
			const char *queue, *id;
			unsigned char dtype;
			pthread_mutex_unlock(&ring->lock);
			id = next_name(ls, &queue, &dtype);
			pthread_mutex_lock(&ring->lock);
			if (id == NULL) {
				walk_done = true;
				break;
			}
			struct slot *s = &ring->slots[ring->tail % RING_SLOTS];
			pq_buf_set(&s->msg.idbuf, id);
			s->queue = queue;
			s->dtype = dtype;
			s->state = SLOT_NAMED;
			ring->tail++;
			named = true;
		}
		if (named)
			pthread_cond_broadcast(&ring->work);
		if (ring->head == ring->tail && walk_done) {
			pthread_mutex_unlock(&ring->lock);
			return NULL;
		}
		struct slot *s = &ring->slots[ring->head % RING_SLOTS];
		while (s->state != SLOT_DONE) {
			if (ls->threaded)
				pthread_cond_wait(&ring->done, &ring->lock);
			else
				serve_batch(&ls->readers[0], ring);
		}
		if (s->unreadable)
			count_unreadable(ls, s->unreadable);
		if (s->ok) {
			ls->msg = &s->msg;
			pthread_mutex_unlock(&ring->lock);
			return ls->msg;
		}
		s->state = SLOT_FREE;
		ring->head++;
	}
}

const struct pq_qmsg *pq_listing_next(struct pq_listing *ls)
{
	if (!ls->started)
		start(ls);
	return next_from_ring(ls);
}

void pq_listing_close(struct pq_listing *ls)
{
	if (ls->ring) {
		struct listing_ring *ring = ls->ring;
		pthread_mutex_lock(&ring->lock);
		ring->stop = true;
		pthread_cond_broadcast(&ring->work);
		pthread_mutex_unlock(&ring->lock);
		for (int i = 0; i < ls->nthreads; i++)
			pthread_join(ls->readers[i].thread, NULL);
		for (int i = 0; i < RING_SLOTS; i++)
			pq_qmsg_free(&ring->slots[i].msg);
		pthread_mutex_destroy(&ring->lock);
		pthread_cond_destroy(&ring->work);
		pthread_cond_destroy(&ring->done);
		free(ring);
	}
	for (int i = 0; i < ls->nreaders; i++)
		reader_free(&ls->readers[i]);
	free(ls->readers);
	pq_scan_close(ls->scan);
	memset(ls, 0, sizeof(*ls));
}
