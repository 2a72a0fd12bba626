/*
 * pipeline.c - read the input in one thread, tally it in another, and
 * share the per-line parsing between the two.
 *
 * Most of the work per line (the syslog framing, filters, program and
 * queue id, reject keys: pfl_pre) depends only on the line; the rest
 * (pfl_apply) must see the lines in input order. A reader thread reads
 * chunks of lines and splits them; a chunk's lines go in blocks to
 * whichever thread claims them first for pfl_pre (the reader right
 * after splitting the chunk, the main thread when it gets to a block
 * nobody has claimed), and the main thread applies them in order. So
 * the parsing goes to whichever thread has time: how much that is
 * depends on the log (reject lines cost the most to parse; big logs
 * grow the tallying thread's tables). Four chunks of 128 KB circulate
 * between the two, so memory stays bounded. POSTQ_THREADS=1 in the
 * environment processes everything in the calling thread instead (same
 * results).
 */
#include "pfl.h"

#include "diag.h"
#include "logread.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/*
 * Four chunks of 128 KB. Small on purpose: every fresh page costs a
 * page fault (about 10 us on the benchmark VM, 4 KB apiece), and 4 x
 * 2 MB chunks made a 26 MB run 2x slower than 4 x 128 KB; below 128 KB
 * the hand-offs start to show.
 */
#define NCHUNK 4
#define CHUNK_BYTES (128u << 10)
#define MIN_READ (64u << 10)	/* read(2)s smaller than this cost more than the hand-off */
/* lines per claim: some 50,000 instructions of pfl_pre, against one atomic operation */
#define BLOCK 64

/*
 * A chunk holds whole lines read straight into data (no copy per line)
 * plus what pfl_pre found in each; bytes [done, used) are the start of
 * a line whose end has not been read yet. Until pfl_pre has run on it,
 * an entry of pre holds only its line: rest and slow_rn (the length).
 */
struct chunk {
	char *data;
	size_t cap, used, done;
	struct pfl_pre *pre;
	size_t npre, precap;
	/* per block: pfl_pre's derived strings, and whether it is done (by the reader) */
	struct buf *arena;
	atomic_uchar *ready;
	size_t nbcap;
	atomic_size_t next;		/* the first block nobody has claimed */
	int eof;
};
struct ring {
	struct chunk *v[NCHUNK];
	int head, count;
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

static void push(struct pipe_state *S, struct ring *r, struct chunk *c)
{
	pthread_mutex_lock(&S->mu);
	r->v[(r->head + r->count) % NCHUNK] = c;
	r->count++;
	pthread_cond_broadcast(&S->cv);
	pthread_mutex_unlock(&S->mu);
}

static struct chunk *pop(struct pipe_state *S, struct ring *r)
{
	pthread_mutex_lock(&S->mu);
	while (r->count == 0)
		pthread_cond_wait(&S->cv, &S->mu);
	struct chunk *c = r->v[r->head];
	r->head = (r->head + 1) % NCHUNK;
	r->count--;
	pthread_mutex_unlock(&S->mu);
	return c;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
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

static size_t nblocks(const struct chunk *c)
{
	return (c->npre + BLOCK - 1) / BLOCK;
}

/* Make c's blocks claimable; before anyone else sees c. */
static void chunk_blocks(struct chunk *c)
{
	size_t nb = nblocks(c);
	if (nb > c->nbcap) {
		size_t n = nb < 32 ? 32 : nb;
		struct buf *a = realloc(c->arena, n * sizeof(*a));
		atomic_uchar *r = realloc(c->ready, n * sizeof(*r));
		if (a == NULL || r == NULL)
			pq_fatal(PQ_EX_OSERR, "out of memory");
		memset(a + c->nbcap, 0, (n - c->nbcap) * sizeof(*a));
		c->arena = a;
		c->ready = r;
		c->nbcap = n;
	}
	for (size_t b = 0; b < nb; b++)
		atomic_init(&c->ready[b], 0);
	atomic_init(&c->next, 0);
}

/* pfl_pre on the lines of block b of c; the chunk is ours until put: pfl_pre may edit them */
static void pre_block(const struct pfl_opts *o, struct pfl_reader *rd, struct chunk *c, size_t b)
{
	size_t i = b * BLOCK, e = i + BLOCK < c->npre ? i + BLOCK : c->npre;
	/* the 'I' search stays within the block's bytes: others may be editing theirs */
	rd->iend = c->pre[e - 1].rest + c->pre[e - 1].slow_rn;
	rd->ifrom = rd->inext = NULL;
	rd->arena = &c->arena[b];
	rd->arena->len = 0;
	for (; i < e; i++) {
		char *line = c->data + (c->pre[i].rest - c->data);
		pfl_pre(o, rd, line, c->pre[i].slow_rn, &c->pre[i]);
	}
}

static void apply_block(struct pfl *P, struct chunk *c, size_t b)
{
	size_t i = b * BLOCK, e = i + BLOCK < c->npre ? i + BLOCK : c->npre;
	for (; i < e; i++)
		pfl_apply(P, &c->pre[i], c->arena[b].data);
}

/*
 * Tally c's lines in order, parsing the blocks nobody has claimed; a
 * block the reader claimed is being parsed right now: spin for it (a
 * few microseconds), yielding if the reader is not running.
 */
static void tally_chunk(struct pfl *P, struct pfl_reader *rd, struct chunk *c)
{
	size_t nb = nblocks(c);
	for (size_t b = 0; b < nb; b++) {
		size_t want = b;
		if (atomic_load_explicit(&c->next, memory_order_relaxed) == b &&
		    atomic_compare_exchange_strong(&c->next, &want, b + 1)) {
			pre_block(&P->o, rd, c, b);
		} else {
			for (unsigned spin = 0; !atomic_load_explicit(&c->ready[b], memory_order_acquire); spin++) {
				if (spin < 2000)
					cpu_relax();
				else
					sched_yield();
			}
		}
		apply_block(P, c, b);
	}
}

/* The reader's share of a chunk it has handed on: blocks until none is left. */
static void help_chunk(const struct pfl_opts *o, struct pfl_reader *rd, struct chunk *c, size_t nb)
{
	for (;;) {
		size_t b = atomic_fetch_add(&c->next, 1);
		if (b >= nb)
			break;
		pre_block(o, rd, c, b);
		atomic_store_explicit(&c->ready[b], 1, memory_order_release);
	}
}

/*
 * Where full chunks go: get returns an empty chunk, put hands a full
 * one on (to the tallying thread, or tallies it at once).
 */
struct feeder {
	const struct pfl_opts *o;
	struct pfl_reader rd;
	struct chunk *(*get)(void *arg);
	void (*put)(struct feeder *F, struct chunk *c);
	void *arg;
};

static void add_line(struct chunk *c, char *line, size_t len)
{
	if (c->npre == c->precap) {
		/* lines are rarely under 64 bytes: one allocation per chunk, sized to use */
		c->precap = c->precap ? c->precap * 2 : CHUNK_BYTES / 64;
		c->pre = realloc(c->pre, c->precap * sizeof(*c->pre));
		if (c->pre == NULL)
			pq_fatal(PQ_EX_OSERR, "out of memory");
	}
	c->pre[c->npre].rest = line;
	c->pre[c->npre++].slow_rn = len;
}

/* Hand c on; the unfinished line moves to the front of the next chunk. */
static struct chunk *hand_off(struct feeder *F, struct chunk *c)
{
	struct chunk *d = F->get(F->arg);
	size_t tail = c->used - c->done;
	d->npre = 0;
	d->eof = 0;
	d->done = 0;
	chunk_grow(d, tail + MIN_READ);
	memcpy(d->data, c->data + c->done, tail);
	d->used = tail;
	F->put(F, c);
	return d;
}

/* Each file in order, split into lines straight in the chunks. */
static int read_files(char **files, int nfiles, struct feeder *F)
{
	int rc = 0;
	struct chunk *c = F->get(F->arg);
	c->used = c->done = c->npre = 0;
	c->eof = 0;
	chunk_grow(c, MIN_READ);
	for (int i = 0; i < nfiles; i++) {
		struct logread *r = logread_open(files[i]);
		if (r == NULL) {
			fprintf(stderr, "Can't open %s: %s.\n", files[i], strerror(errno));
			continue;
		}
		for (;;) {
			if (c->cap - c->used < MIN_READ) {
				if (c->npre > 0)
					c = hand_off(F, c);
				else	/* one line longer than the chunk */
					chunk_grow(c, c->cap * 2);
			}
			size_t n = logread_read(r, c->data + c->used, c->cap - c->used);
			if (n == 0)
				break;
			char *p = c->data + c->used, *e = p + n;
			c->used += n;
			char *nl;
			while ((nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
				add_line(c, c->data + c->done, (size_t)(nl - (c->data + c->done)));
				p = nl + 1;
				c->done = (size_t)(p - c->data);
			}
		}
		if (c->used > c->done) {	/* a last line without its newline */
			add_line(c, c->data + c->done, c->used - c->done);
			c->done = c->used;
		}
		if (logread_error(r)) {
			pq_warn("%s: %s", files[i], logread_error(r));
			rc = 1;
		}
		logread_close(r);
	}
	c->eof = 1;
	F->put(F, c);
	return rc;
}

static void chunk_free(struct chunk *c)
{
	free(c->data);
	free(c->pre);
	for (size_t b = 0; b < c->nbcap; b++)
		buf_free(&c->arena[b]);
	free(c->arena);
	free(c->ready);
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

static void direct_put(struct feeder *F, struct chunk *c)
{
	struct direct *D = F->arg;
	chunk_blocks(c);
	tally_chunk(D->P, &F->rd, c);
	D->spare = c;
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
	for (int i = 0; i < 2; i++)
		chunk_free(&D.ch[i]);
	return rc;
}

static struct chunk *thread_get(void *arg)
{
	struct pipe_state *S = arg;
	return pop(S, &S->free_r);
}

static void thread_put(struct feeder *F, struct chunk *c)
{
	struct pipe_state *S = F->arg;
	size_t nb = nblocks(c);
	chunk_blocks(c);
	push(S, &S->ready_r, c);
	help_chunk(F->o, &F->rd, c, nb);
}

static void *reader_main(void *arg)
{
	struct pipe_state *S = arg;
	struct feeder F = { .o = &S->P->o, .get = thread_get, .put = thread_put, .arg = S };
	S->rc = read_files(S->files, S->nfiles, &F);
	pfl_reader_free(&F.rd);
	return NULL;
}

int pfl_run(struct pfl *P, char **files, int nfiles)
{
	const char *t = getenv("POSTQ_THREADS");
	if (t && strcmp(t, "1") == 0)
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
	if (pthread_create(&th, NULL, reader_main, &S) != 0) {
		rc = run_direct(P, files, nfiles);
	} else {
		struct pfl_reader rd;
		memset(&rd, 0, sizeof(rd));
		for (;;) {
			struct chunk *c = pop(&S, &S.ready_r);
			tally_chunk(P, &rd, c);
			int eof = c->eof;
			push(&S, &S.free_r, c);
			if (eof)
				break;
		}
		pfl_reader_free(&rd);
		pthread_join(th, NULL);
		rc = S.rc;
	}
	for (int i = 0; i < NCHUNK; i++)
		chunk_free(&chunks[i]);
	pthread_mutex_destroy(&S.mu);
	pthread_cond_destroy(&S.cv);
	return rc;
}
