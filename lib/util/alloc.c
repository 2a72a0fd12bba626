/*
 * alloc - memory allocation that does not return on failure; see alloc.h.
 */
#include "util/alloc.h"

#include "util/diag.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static pq_oom_fn oom_handler;

void pq_set_oom_handler(pq_oom_fn fn)
{
	oom_handler = fn;
}

void pq_oom(size_t want)
{
	if (oom_handler)
		oom_handler(want);
	pq_msg(PQ_MSG_PANIC, "out of memory (%zu bytes)", want);
	abort();
}

void *pq_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		pq_oom(n);
	return p;
}

void *pq_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		pq_oom(pq_size_mul(n, size));
	return p;
}

void *pq_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		pq_oom(n);
	return q;
}

char *pq_xstrdup(const char *s)
{
	return pq_xstrndup(s, strlen(s));
}

char *pq_xstrndup(const char *s, size_t n)
{
	char *p = pq_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

size_t pq_size_mul(size_t a, size_t b)
{
	size_t r;

	if (__builtin_mul_overflow(a, b, &r))
		pq_oom(SIZE_MAX);
	return r;
}
