/*
 * pipeline.c - read the input in one thread, tally it in another.
 *
 * About half of the work per line (reading, splitting, the syslog
 * framing, filters, program and queue id: pfl_pre) depends only on the
 * line, so a reader thread does it for chunks of lines while the main
 * thread applies the previous chunk to the tallies (pfl_apply), in
 * input order. Four chunks of a few MB circulate between the two, so
 * memory stays bounded. POSTQ_THREADS=1 in the environment processes
 * everything in the calling thread instead (same results).
 */
#include "pfl.h"

#include "diag.h"
#include "logread.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NCHUNK 4
#define CHUNK_BYTES (256u << 10)

struct chunk {
	char *data;
	size_t cap, used;
	struct pfl_pre *pre;
	size_t npre, precap;
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

/* Each file in order; for each line, cb(arg, line, len). */
static int read_files(char **files, int nfiles, void (*cb)(void *, char *, size_t), void *arg)
{
	int rc = 0;
	for (int i = 0; i < nfiles; i++) {
		struct logread *r = logread_open(files[i]);
		if (r == NULL) {
			fprintf(stderr, "Can't open %s: %s.\n", files[i], strerror(errno));
			continue;
		}
		const char *line;
		size_t len;
		/* the reader's buffer is ours until the next call: pfl_pre may edit it */
		while ((line = logread_line(r, &len)) != NULL)
			cb(arg, (char *)line, len);
		if (logread_error(r)) {
			pq_warn("%s: %s", files[i], logread_error(r));
			rc = 1;
		}
		logread_close(r);
	}
	return rc;
}

static void direct_cb(void *arg, char *line, size_t len)
{
	pfl_line(arg, line, len);
}

struct reader {
	struct pipe_state *S;
	struct chunk *cur;
};

static void chunk_cb(void *arg, char *line, size_t len)
{
	struct reader *rd = arg;
	struct chunk *c = rd->cur;

	if (c->used + len > c->cap && c->npre > 0) {
		push(rd->S, &rd->S->ready_r, c);
		c = rd->cur = pop(rd->S, &rd->S->free_r);
		c->used = c->npre = 0;
		c->eof = 0;
	}
	if (len > c->cap) {	/* a huge line: grow the empty chunk */
		free(c->data);
		c->cap = len;
		c->data = malloc(c->cap ? c->cap : 1);
		if (c->data == NULL)
			pq_fatal(PQ_EX_OSERR, "out of memory");
	}
	if (c->npre == c->precap) {
		c->precap = c->precap ? c->precap * 2 : 16384;
		c->pre = realloc(c->pre, c->precap * sizeof(*c->pre));
		if (c->pre == NULL)
			pq_fatal(PQ_EX_OSERR, "out of memory");
	}
	char *copy = c->data + c->used;
	memcpy(copy, line, len);
	c->used += len;
	pfl_pre(&rd->S->P->o, copy, len, &c->pre[c->npre++]);
}

static void *reader_main(void *arg)
{
	struct pipe_state *S = arg;
	struct reader rd = { S, pop(S, &S->free_r) };
	rd.cur->used = rd.cur->npre = 0;
	rd.cur->eof = 0;
	S->rc = read_files(S->files, S->nfiles, chunk_cb, &rd);
	rd.cur->eof = 1;
	push(S, &S->ready_r, rd.cur);
	return NULL;
}

int pfl_run(struct pfl *P, char **files, int nfiles)
{
	const char *t = getenv("POSTQ_THREADS");
	if (t && strcmp(t, "1") == 0)
		return read_files(files, nfiles, direct_cb, P);

	struct pipe_state S;
	memset(&S, 0, sizeof(S));
	S.P = P;
	S.files = files;
	S.nfiles = nfiles;
	pthread_mutex_init(&S.mu, NULL);
	pthread_cond_init(&S.cv, NULL);
	struct chunk chunks[NCHUNK];
	memset(chunks, 0, sizeof(chunks));
	for (int i = 0; i < NCHUNK; i++) {
		chunks[i].cap = CHUNK_BYTES;
		chunks[i].data = malloc(CHUNK_BYTES);
		if (chunks[i].data == NULL)
			pq_fatal(PQ_EX_OSERR, "out of memory");
		S.free_r.v[i] = &chunks[i];
	}
	S.free_r.count = NCHUNK;
	pthread_t th;
	if (pthread_create(&th, NULL, reader_main, &S) != 0) {
		for (int i = 0; i < NCHUNK; i++)
			free(chunks[i].data);
		return read_files(files, nfiles, direct_cb, P);
	}
	for (;;) {
		struct chunk *c = pop(&S, &S.ready_r);
		for (size_t i = 0; i < c->npre; i++)
			pfl_apply(P, &c->pre[i]);
		int eof = c->eof;
		push(&S, &S.free_r, c);
		if (eof)
			break;
	}
	pthread_join(th, NULL);
	for (int i = 0; i < NCHUNK; i++) {
		free(chunks[i].data);
		free(chunks[i].pre);
	}
	pthread_mutex_destroy(&S.mu);
	pthread_cond_destroy(&S.cv);
	return S.rc;
}
