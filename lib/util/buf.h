/*
 * buf - growable byte buffer.
 *
 * Every string postq reads from a spool or a log (addresses, reasons,
 * record payloads) can be arbitrarily long, UTF-8 or hostile, so nothing
 * in postq is read into a fixed-size array. A buf holds bytes plus a
 * terminating NUL that is not counted in len, so buf.data can always be
 * used as a C string (it stops at an embedded NUL, as Postfix's VSTRING
 * users do).
 */
#ifndef POSTQ_BUF_H
#define POSTQ_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct pq_buf {
	char *data;
	size_t len;
	size_t cap;
};

#define PQ_BUF_INIT { NULL, 0, 0 }

void pq_buf_reserve(struct pq_buf *b, size_t extra);
void pq_buf_reset(struct pq_buf *b);
void pq_buf_free(struct pq_buf *b);
void pq_buf_add(struct pq_buf *b, const void *p, size_t n);
void pq_buf_addc(struct pq_buf *b, int c);
void pq_buf_adds(struct pq_buf *b, const char *s);
void pq_buf_set(struct pq_buf *b, const char *s);
void pq_buf_printf(struct pq_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pq_buf_vprintf(struct pq_buf *b, const char *fmt, va_list ap);
/* pq_buf_str - the contents as a C string (never NULL). */
const char *pq_buf_str(const struct pq_buf *b);

#endif
