/*
 * pipeline.c - read the input in one thread, tally it in another.
 *
 * About half of the work per line (reading, splitting, the syslog
 * framing, filters, program and queue id, reject keys: pfl_pre)
 * depends only on the line, so a reader thread does it for chunks of
 * lines while the main thread applies the previous chunk to the tallies
 * (pfl_apply), in input order. The reader has the larger half, so when
 * the main thread keeps up it also takes the reject keys and the
 * pfl_pre of the end of each chunk (see hand_off). Four chunks of
 * 512 KB circulate between the two, so memory stays bounded.
 *
 * For tests: POSTQ_THREADS=1 processes everything in the calling
 * thread instead; the test knob "share" (POSTQ_TEST=share=N, 0 to
 * SHARE_DIV) fixes the main thread's share of each chunk at
 * N/SHARE_DIV of its capacity, where it otherwise follows the load; and
 * "generic" (POSTQ_TEST=generic=1, read in main.c) sends every line
 * through scan.c's replicas of pflogsumm's regexes instead of tallying
 * the lines lib/log classified from their fields. The results are the
 * same either way.
 */
#include "pfl.h"

#include "common/die.h"
#include "util/diag.h"
#include "util/knobs.h"
#include "log/logread.h"

#include <errno.h>
#include <stdbool.h>
#include <stdalign.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * Four chunks of 512 KB. With the heap in huge pages (heap_thp) memory
 * is cheap to touch, and what a chunk costs is its hand-off, a futex
 * wake-up and a context switch: fewer, larger chunks pay fewer of them,
 * up to the point where a chunk no longer fits the caches and resident
 * memory grows for nothing (BENCHMARKS.md has the sizes tried).
 */
#define NCHUNK 4
#define CHUNK_BYTES (512u << 10)
#define MIN_READ (64u << 10)	/* read(2)s smaller than this cost more than the hand-off */

/*
 * A chunk holds whole lines read straight into data (no copy per line)
 * plus what pfl_pre found in each; bytes [done, used) are the start of
 * a line whose end has not been read yet. Each chunk has cache lines of
 * its own: the reader bumps npre and done once per line while the
 * other thread reads the neighbouring chunk, and sharing a line made
 * both threads wait on its transfers between the CPUs.
 */
struct chunk {
	alignas(64) char *data;
	size_t cap, used, done;
	struct pfl_pre *pre;
	size_t npre, precap;
	struct pq_buf arena;		/* pfl_pre's derived strings for these lines */
	size_t main_from;		/* lines starting at or after this offset are left PRE_TODO */
	int eof;
};

struct ring {
	struct chunk *v[NCHUNK];
	int head, count;
	int want;			/* a waiter sleeps until count reaches this (0: none) */
	bool eof_in;			/* the last chunk is in: no more to wait for */
	bool running;			/* a chunk has been taken from it */
};

struct pipe_state {
	struct pfl *P;
	char **files;
	int nfiles;
	int rc;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ring free_r, ready_r;
};

/*
 * A thread that finds its ring empty sleeps until HYST chunks are in
 * (or the last one): each wake-up is a futex call and a context switch
 * for both threads, and the thread that waits is the faster one, so it
 * loses nothing by waiting for two.
 * With four chunks the two threads cannot both wait: the reader holds
 * one, so ready + free = 3 and one ring has at least two. The very first
 * chunk is the exception: the main thread has nothing else to do yet,
 * and waiting for a second one would keep it idle for as long as the
 * reader takes over a whole chunk.
 */
#define HYST 2

/*
 * Returns the count of r with c, or 0 if the other thread was waiting
 * for it: with HYST, a count of 2 can also mean that it still waits.
 */
static int push(struct pipe_state *S, struct ring *r, struct chunk *c)
{
	pthread_mutex_lock(&S->mu);
	r->v[(r->head + r->count) % NCHUNK] = c;
	int n = r->want > 0 ? 0 : r->count + 1;
	r->count++;
	if (c->eof)
		r->eof_in = true;
	if (r->want > 0 && (r->count >= r->want || r->eof_in))
		pthread_cond_broadcast(&S->cv);
	pthread_mutex_unlock(&S->mu);
	return n;
}

static struct chunk *pop(struct pipe_state *S, struct ring *r)
{
	pthread_mutex_lock(&S->mu);
	if (r->count == 0) {
		r->want = r->running ? HYST : 1;
		while (r->count < r->want && !r->eof_in)
			pthread_cond_wait(&S->cv, &S->mu);
		r->want = 0;
	}
	r->running = true;
	struct chunk *c = r->v[r->head];
	r->head = (r->head + 1) % NCHUNK;
	r->count--;
	pthread_mutex_unlock(&S->mu);
	return c;
}

static void chunk_grow(struct chunk *c, size_t need)
{
	if (c->cap >= need)
		return;
	size_t cap = c->cap ? c->cap : CHUNK_BYTES;
	while (cap < need) {
		if (cap > ((size_t)-1) / 4)
			pq_fatal(PQ_EX_SOFTWARE, "line too long");
		cap *= 2;
	}
	char *p = realloc(c->data, cap);
	if (p == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	c->data = p;
	c->cap = cap;
}

/*
 * Where full chunks go: get returns an empty chunk, put hands a full
 * one on (to the tallying thread, or tallies it at once).
 */
struct feeder {
	const struct pfl_opts *o;
	struct pfl_reader rd;
	int share;			/* the tallying thread pre-parses share / SHARE_DIV of a chunk */
	bool fixed_share;		/* a test fixed it: it does not follow the load */
	struct chunk *(*get)(void *arg);
	/* returns how many full chunks wait for the tallying, this one included (0: it was idle) */
	int (*put)(void *arg, struct chunk *c);
	void *arg;
};

static void add_line(struct feeder *F, struct chunk *c, char *line, size_t len)
{
	if (c->npre == c->precap) {
		/*
		 * Lines are rarely under 64 bytes: one allocation per chunk,
		 * sized to use, and aligned so that each record is one cache
		 * line (the other thread reads them).
		 */
		size_t cap = c->precap ? c->precap * 2 : CHUNK_BYTES / 64;
		void *p;
		if (cap > SIZE_MAX / sizeof(*c->pre) ||
		    posix_memalign(&p, alignof(struct pfl_pre), cap * sizeof(*c->pre)) != 0)
			pq_fatal(PQ_EX_OSERR, "out of memory");
		if (c->npre)
			memcpy(p, c->pre, c->npre * sizeof(*c->pre));
		free(c->pre);
		c->pre = p;
		c->precap = cap;
	}
	struct pfl_pre *pr = &c->pre[c->npre++];
	if ((size_t)(line - c->data) >= c->main_from) {
		pr->status = PRE_TODO;
		pr->rest = line;
		pr->rn = (uint32_t)len;
		return;
	}
	/* the chunk is ours until put: pfl_pre may edit the line */
	F->rd.arena = &c->arena;
	pfl_pre(F->o, &F->rd, line, len, pr);
}

/*
 * The reading thread is the busier one when the tallying thread keeps
 * up (the reject keys already go to it then, see hand_off): it then
 * also leaves the pfl_pre of the end of each chunk to the tallying
 * thread, a share that grows by 1/SHARE_DIV of the chunk each time a
 * chunk finds the other thread waiting and shrinks each time it finds
 * it behind, so the split follows the log's mix of lines. It may grow
 * to the whole chunk: on a VM the reading thread's CPU can run slow for
 * a while (after being idle, as when the benchmark runs pflogsumm
 * first), and then the tallying thread should take all it can, so the
 * share is not capped at half.
 */
#define SHARE_DIV 32
#define SHARE_MAX SHARE_DIV

static void set_main_from(struct feeder *F, struct chunk *c)
{
	c->main_from = F->share ? c->cap - c->cap / SHARE_DIV * (size_t)F->share : (size_t)-1;
}

/* Hand c on; the unfinished line moves to the front of the next chunk. */
static struct chunk *hand_off(struct feeder *F, struct chunk *c)
{
	struct chunk *d = F->get(F->arg);
	size_t tail = c->used - c->done;
	d->npre = 0;
	d->arena.len = 0;
	d->eof = 0;
	d->done = 0;
	chunk_grow(d, tail + MIN_READ);
	memcpy(d->data, c->data + c->done, tail);
	d->used = tail;
	/*
	 * The tallying thread has fallen behind if chunks queue up for it:
	 * then this thread parses the reject lines of the next chunk, else
	 * it leaves them to the other one.
	 */
	bool keeps_up = F->put(F->arg, c) < HYST;
	F->rd.rej_to_apply = keeps_up;
	if (!F->fixed_share) {
		if (keeps_up && F->share < SHARE_MAX)
			F->share++;
		else if (!keeps_up && F->share > 0)
			F->share--;
	}
	set_main_from(F, d);
	return d;
}

/*
 * zlib names a descriptor opened by gzdopen "<fd:N>" and puts that
 * before its messages ("<fd:3>: unexpected end of file"); the file's
 * own name is said instead.
 */
static const char *read_error(struct pq_logread *r)
{
	const char *m = pq_logread_error(r);
	if (m && strncmp(m, "<fd:", 4) == 0) {
		const char *c = strstr(m, ">: ");
		if (c)
			m = c + 3;
	}
	return m;
}

static void too_long(const char *file, unsigned long lineno)
{
	pq_warn("%s: line %lu: longer than %u bytes; the rest of it is skipped", file, lineno,
	    PQ_LOGREAD_MAX_LINE);
}

/*
 * Each file in order, split into lines straight in the chunks. A line
 * longer than PQ_LOGREAD_MAX_LINE is cut there, as lib/log/logread cuts
 * it, and the rest of it is read and dropped, so a chunk never holds
 * more than one such line plus one read: /dev/zero (one line without
 * end) runs in bounded memory. Returns 1 if a file could not be opened
 * or read to its end.
 */
static int read_files(char **files, int nfiles, struct feeder *F)
{
	int rc = 0;
	struct chunk *c = F->get(F->arg);
	c->used = c->done = c->npre = 0;
	c->arena.len = 0;
	c->eof = 0;
	chunk_grow(c, MIN_READ);
	set_main_from(F, c);
	for (int i = 0; i < nfiles; i++) {
		struct pq_logread *r = pq_logread_open(files[i]);
		if (r == NULL) {
			fprintf(stderr, "Can't open %s: %s.\n", files[i], strerror(errno));
			rc = 1;
			continue;
		}
		const char *name = strcmp(files[i], "-") == 0 ? "-" : files[i];
		unsigned long lineno = 0;
		bool skipping = false;	/* in the rest of a line cut at the limit */
		for (;;) {
			if (c->cap - c->used < MIN_READ) {
				if (c->npre > 0)
					c = hand_off(F, c);
				else {	/* one line longer than the chunk */
					chunk_grow(c, c->cap * 2);
					set_main_from(F, c);
				}
			}
			size_t n = pq_logread_read(r, c->data + c->used, c->cap - c->used);
			if (n == 0)
				break;
			char *p = c->data + c->used, *e = p + n;
			if (skipping) {
				char *nl = memchr(p, '\n', n);
				if (nl == NULL)
					continue;	/* all of it is the rest of that line */
				skipping = false;
				memmove(p, nl + 1, (size_t)(e - nl - 1));
				e -= nl + 1 - p;
				n = (size_t)(e - p);
			}
			c->used += n;
			/* what was known of the buffer may have moved or grown */
			F->rd.iend = c->data + c->used;
			F->rd.ifrom = F->rd.inext = NULL;
			char *nl;
			while ((nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
				size_t len = (size_t)(nl - (c->data + c->done));
				lineno++;
				if (len > PQ_LOGREAD_MAX_LINE) {
					too_long(name, lineno);
					len = PQ_LOGREAD_MAX_LINE;
				}
				add_line(F, c, c->data + c->done, len);
				p = nl + 1;
				c->done = (size_t)(p - c->data);
			}
			if (c->used - c->done > PQ_LOGREAD_MAX_LINE) {
				/* the line so far is the line; what was read past the limit goes */
				too_long(name, ++lineno);
				c->used = c->done + PQ_LOGREAD_MAX_LINE;
				F->rd.iend = NULL;
				add_line(F, c, c->data + c->done, PQ_LOGREAD_MAX_LINE);
				c->done = c->used;
				skipping = true;
			}
		}
		F->rd.iend = NULL;	/* the chunk may move before its last line */
		if (c->used > c->done) {	/* a last line without its newline */
			add_line(F, c, c->data + c->done, c->used - c->done);
			c->done = c->used;
		}
		if (read_error(r)) {
			pq_warn("%s: %s", name, read_error(r));
			rc = 1;
		}
		pq_logread_close(r);
	}
	c->eof = 1;
	F->put(F->arg, c);
	return rc;
}

/* rd: for the lines left PRE_TODO (none if rd is NULL) */
static void apply_chunk(struct pfl *P, struct pfl_reader *rd, struct chunk *c)
{
	struct pfl_pre *pre = c->pre;
	if (rd) {
		/* its lines are consecutive too: one search for 'I' serves a run of them */
		rd->iend = c->data + c->done;
		rd->ifrom = rd->inext = NULL;
	}
	for (size_t i = 0, n = c->npre; i < n; i++) {
		if (rd && pre[i].status == PRE_TODO) {
			/* the chunk is this thread's now: pfl_pre may edit the line */
			char *line = c->data + (pre[i].rest - c->data);
			rd->arena = &c->arena;
			pfl_pre(&P->o, rd, line, pre[i].rn, &pre[i]);
		}
		pfl_apply(P, &pre[i], c->arena.data);
	}
}

/* One thread: two chunks take turns, each tallied when full. */
struct direct {
	struct pfl *P;
	struct chunk ch[2];
	struct chunk *spare;
};

static struct chunk *direct_get(void *arg)
{
	struct direct *D = arg;
	struct chunk *c = D->spare;
	D->spare = c == &D->ch[0] ? &D->ch[1] : &D->ch[0];
	return c;
}

static int direct_put(void *arg, struct chunk *c)
{
	struct direct *D = arg;
	apply_chunk(D->P, NULL, c);
	D->spare = c;
	return NCHUNK;
}

static int run_direct(struct pfl *P, char **files, int nfiles)
{
	struct direct D;
	memset(&D, 0, sizeof(D));
	D.P = P;
	D.spare = &D.ch[0];
	struct feeder F = { .o = &P->o, .get = direct_get, .put = direct_put, .arg = &D };
	int rc = read_files(files, nfiles, &F);
	pfl_reader_free(&F.rd);
	for (int i = 0; i < 2; i++) {
		free(D.ch[i].data);
		free(D.ch[i].pre);
		pq_buf_free(&D.ch[i].arena);
	}
	return rc;
}

static struct chunk *thread_get(void *arg)
{
	struct pipe_state *S = arg;
	return pop(S, &S->free_r);
}

static int thread_put(void *arg, struct chunk *c)
{
	struct pipe_state *S = arg;
	return push(S, &S->ready_r, c);
}

static void *reader_main(void *arg)
{
	struct pipe_state *S = arg;
	/*
	 * A copy: pfl_pre reads the options once per line, and in struct
	 * pfl they share a cache line with the totals that the other
	 * thread updates once per line.
	 */
	struct pfl_opts o = S->P->o;
	struct feeder F = { .o = &o, .get = thread_get, .put = thread_put, .arg = S };
	long share;
	if (pq_test_knob("share", &share) && share >= 0 && share <= SHARE_DIV) {
		F.share = (int)share;
		F.fixed_share = true;
	}
	S->rc = read_files(S->files, S->nfiles, &F);
	pfl_reader_free(&F.rd);
	return NULL;
}

int pfl_run(struct pfl *P, char **files, int nfiles)
{
	if (pq_threads(2) == 1)
		return run_direct(P, files, nfiles);

	struct pipe_state S;
	memset(&S, 0, sizeof(S));
	S.P = P;
	S.files = files;
	S.nfiles = nfiles;
	pthread_mutex_init(&S.mu, NULL);
	pthread_cond_init(&S.cv, NULL);
	/* chunk buffers are allocated by the reader as it fills them */
	struct chunk chunks[NCHUNK];
	memset(chunks, 0, sizeof(chunks));
	for (int i = 0; i < NCHUNK; i++)
		S.free_r.v[i] = &chunks[i];
	S.free_r.count = NCHUNK;
	pthread_t th;
	int rc;
	/* for the lines the reader leaves to this thread; it does their reject keys in pfl_apply */
	struct pfl_reader rd;
	memset(&rd, 0, sizeof(rd));
	rd.rej_to_apply = true;
	if (pthread_create(&th, NULL, reader_main, &S) != 0) {
		rc = run_direct(P, files, nfiles);
	} else {
		for (;;) {
			struct chunk *c = pop(&S, &S.ready_r);
			apply_chunk(P, &rd, c);
			int eof = c->eof;
			push(&S, &S.free_r, c);
			if (eof)
				break;
		}
		pthread_join(th, NULL);
		rc = S.rc;
	}
	pfl_reader_free(&rd);
	for (int i = 0; i < NCHUNK; i++) {
		free(chunks[i].data);
		free(chunks[i].pre);
		pq_buf_free(&chunks[i].arena);
	}
	pthread_mutex_destroy(&S.mu);
	pthread_cond_destroy(&S.cv);
	return rc;
}
