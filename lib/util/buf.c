/*
 * buf - growable byte buffer; see buf.h.
 */
#include "util/buf.h"
#include "util/alloc.h"
#include "util/diag.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pq_buf_reserve(struct pq_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need < b->len)
		pq_oom(SIZE_MAX);
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need) {
		if (cap > (size_t)-1 / 2) {
			cap = need;
			break;
		}
		cap *= 2;
	}
	char *p = realloc(b->data, cap);
	if (p == NULL)
		pq_oom(cap);
	b->data = p;
	b->cap = cap;
}

void pq_buf_reset(struct pq_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = 0;
}

void pq_buf_free(struct pq_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void pq_buf_add(struct pq_buf *b, const void *p, size_t n)
{
	pq_buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
}

void pq_buf_addc(struct pq_buf *b, int c)
{
	pq_buf_reserve(b, 1);
	b->data[b->len++] = (char)c;
	b->data[b->len] = 0;
}

void pq_buf_adds(struct pq_buf *b, const char *s)
{
	pq_buf_add(b, s, strlen(s));
}

void pq_buf_set(struct pq_buf *b, const char *s)
{
	b->len = 0;
	pq_buf_adds(b, s);
}

void pq_buf_vprintf(struct pq_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;

	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		/* Only a format the C library cannot render: add nothing. */
		pq_warn("cannot format \"%s\": %s", fmt, strerror(errno));
		pq_buf_reserve(b, 0);
		return;
	}
	pq_buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void pq_buf_printf(struct pq_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pq_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *pq_buf_str(const struct pq_buf *b)
{
	return b->data ? b->data : "";
}
