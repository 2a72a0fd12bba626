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

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_reserve(struct buf *b, size_t extra);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addc(struct buf *b, int c);
void buf_adds(struct buf *b, const char *s);
void buf_set(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* buf_str - the contents as a C string (never NULL). */
const char *buf_str(const struct buf *b);

#endif
