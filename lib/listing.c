/*
 * listing - the messages of a spool as showq sees them; see listing.h.
 *
 * The calling thread walks the queue directories and puts names into a
 * ring of slots; reader threads claim named slots in order, read the
 * queue file and defer log into the slot, and mark it done; the caller
 * hands slots out in ring order as they complete. So output order is
 * walk order whatever the readers do, and memory is bounded by the ring,
 * not by the queue. With one reader there is no thread and no ring.
 */
#include "listing.h"

#include "diag.h"
#include "rcpt_list.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RING_SLOTS 512
#define MAX_READERS 8

/* What one reader needs; nothing in here is shared between threads. */
struct listing_reader {
	struct pq_spool sp;	/* shallow copy: own directory cache */
	bool want_reasons;
	struct pq_rec_reader rec;
	struct pq_envelope env;
	struct pq_rcpt_list rl;
	struct buf path;
	pthread_t thread;
	struct pq_listing *ls;
};

enum slot_state { SLOT_FREE, SLOT_NAMED, SLOT_BUSY, SLOT_DONE };

struct slot {
	enum slot_state state;
	const char *queue;
	bool ok;		/* a message to hand out */
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
	buf_free(&m->sender);
	buf_free(&m->idbuf);
	strlist_free(&m->rcpts);
	strlist_free(&m->reasons);
}

/* Read queue/id into m; false if there is nothing to list. */
static bool read_message(struct listing_reader *rd, const char *queue,
			 struct pq_qmsg *m)
{
	const char *id = buf_str(&m->idbuf);

	if (!pq_spool_open_ok(&rd->sp, queue, id, &m->st, &rd->path))
		return false;
	int fd = pq_spool_openat(&rd->sp, rd->path.data);
	if (fd < 0) {
		if (errno != ENOENT)
			pq_warn("open %s %s: %s", queue, id, strerror(errno));
		return false;
	}
	pq_rec_init(&rd->rec, fd, rd->path.data, m->st.st_size);
	pq_envelope_read(&rd->env, &rd->rec, id, &m->st, false);
	close(fd);
	if (rd->env.status == PQ_ENV_NO_SENDER)
		return false;

	m->queue = queue;
	m->id = id;
	m->arrival = rd->env.arrival > 0 ? rd->env.arrival : (long)m->st.st_mtime;
	m->size = rd->env.size;
	m->forced_expire = (m->st.st_mode & S_IXGRP) != 0;
	m->done_rcpts = rd->env.done_rcpts;
	m->status = rd->env.status;
	buf_set(&m->sender, pq_rcpt_list_show(&rd->rl, &rd->sp, buf_str(&rd->env.sender)));
	pq_rcpt_list_begin(&rd->rl, &rd->sp, m, rd->want_reasons);
	for (size_t i = 0; i < rd->env.rcpts.n; i++)
		pq_rcpt_list_pending(&rd->rl, m, strlist_get(&rd->env.rcpts, i));
	return true;
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
	pq_rcpt_list_init(&rd->rl);
	rd->ls = ls;
}

static void reader_free(struct listing_reader *rd)
{
	pq_spool_forget_dirs(&rd->sp);
	buf_free(&rd->sp.scratch);
	pq_rec_free(&rd->rec);
	pq_envelope_free(&rd->env);
	pq_rcpt_list_free(&rd->rl);
	buf_free(&rd->path);
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
		struct slot *s = &ring->slots[ring->claim++ % RING_SLOTS];
		s->state = SLOT_BUSY;
		pthread_mutex_unlock(&ring->lock);
		s->ok = read_message(rd, s->queue, &s->msg);
		pthread_mutex_lock(&ring->lock);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&ring->done);
	}
	pthread_mutex_unlock(&ring->lock);
	return NULL;
}

static int reader_count(void)
{
	const char *env = getenv("POSTQ_THREADS");
	long n;

	if (env && *env)
		n = atol(env);
	else
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > MAX_READERS ? MAX_READERS : (int)n;
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
}

/* Readers start at the first next(), after the caller set want_reasons. */
static void start(struct pq_listing *ls)
{
	ls->started = true;
	ls->nreaders = reader_count();
	ls->readers = calloc((size_t)ls->nreaders, sizeof(*ls->readers));
	if (ls->readers == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	for (int i = 0; i < ls->nreaders; i++)
		reader_init(&ls->readers[i], ls);
	if (ls->nreaders == 1) {
		ls->msg = calloc(1, sizeof(*ls->msg));
		if (ls->msg == NULL)
			pq_fatal(PQ_EX_OSERR, "out of memory");
		return;
	}
	ls->ring = calloc(1, sizeof(*ls->ring));
	if (ls->ring == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	pthread_mutex_init(&ls->ring->lock, NULL);
	pthread_cond_init(&ls->ring->work, NULL);
	pthread_cond_init(&ls->ring->done, NULL);
	for (int i = 0; i < ls->nreaders; i++) {
		int err = pthread_create(&ls->readers[i].thread, NULL, reader_main,
					 &ls->readers[i]);
		if (err != 0)
			pq_fatal(PQ_EX_OSERR, "cannot start a reader thread: %s",
				 strerror(err));
	}
}

/* The next name from the walk, with its queue; NULL at the end. */
static const char *next_name(struct pq_listing *ls, const char **queue)
{
	if (ls->error)
		return NULL;
	for (;;) {
		if (ls->scan == NULL) {
			const char *q = ls->queues[ls->qindex + 1];
			if (q == NULL)
				return NULL;
			ls->qindex++;
			ls->scan = pq_scan_open(ls->sp, q, strcmp(q, "maildrop") != 0);
			if (ls->scan == NULL) {
				if (errno == ENOENT)
					continue;
				ls->error = errno;
				ls->error_queue = q;
				return NULL;
			}
		}
		const char *id = pq_scan_next(ls->scan);
		if (id != NULL) {
			*queue = ls->queues[ls->qindex];
			return id;
		}
		pq_scan_close(ls->scan);
		ls->scan = NULL;
	}
}

static const struct pq_qmsg *next_in_thread(struct pq_listing *ls)
{
	const char *queue, *id;

	while ((id = next_name(ls, &queue)) != NULL) {
		buf_set(&ls->msg->idbuf, id);
		if (read_message(&ls->readers[0], queue, ls->msg))
			return ls->msg;
	}
	return NULL;
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
			pthread_mutex_unlock(&ring->lock);
			id = next_name(ls, &queue);
			pthread_mutex_lock(&ring->lock);
			if (id == NULL) {
				walk_done = true;
				break;
			}
			struct slot *s = &ring->slots[ring->tail % RING_SLOTS];
			buf_set(&s->msg.idbuf, id);
			s->queue = queue;
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
		while (s->state != SLOT_DONE)
			pthread_cond_wait(&ring->done, &ring->lock);
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
	return ls->ring ? next_from_ring(ls) : next_in_thread(ls);
}

void pq_listing_close(struct pq_listing *ls)
{
	if (ls->ring) {
		struct listing_ring *ring = ls->ring;
		pthread_mutex_lock(&ring->lock);
		ring->stop = true;
		pthread_cond_broadcast(&ring->work);
		pthread_mutex_unlock(&ring->lock);
		for (int i = 0; i < ls->nreaders; i++)
			pthread_join(ls->readers[i].thread, NULL);
		for (int i = 0; i < RING_SLOTS; i++)
			pq_qmsg_free(&ring->slots[i].msg);
		pthread_mutex_destroy(&ring->lock);
		pthread_cond_destroy(&ring->work);
		pthread_cond_destroy(&ring->done);
		free(ring);
	} else if (ls->msg) {
		pq_qmsg_free(ls->msg);
		free(ls->msg);
	}
	for (int i = 0; i < ls->nreaders; i++)
		reader_free(&ls->readers[i]);
	free(ls->readers);
	pq_scan_close(ls->scan);
	memset(ls, 0, sizeof(*ls));
}
