/*
 * reason_class - reduce a deferral reason to a class, so that the same
 * problem at many destinations and for many recipients counts as one.
 *
 * The text is cut into words (runs of letters, digits and . _ % + @ : -
 * and bytes >= 0x80); everything between words is kept. A word (less a
 * trailing '.', ':' or '-') is replaced by "*" when it is an e-mail
 * address (holds '@'), a host name or IP address (a dot or colon between
 * letters/digits, e.g. mx1.example.com, 192.0.2.1, 2001:db8::1), or an
 * identifier (6 or more characters with a digit in them); by "#" when it
 * is another number; SMTP reply codes (three digits, 2xx-5xx, also
 * "550-5.1.1") and enhanced status codes (4.7.1) are kept, as is every
 * other word. Example:
 *   host mx.example.com[192.0.2.1] said: 450 4.2.0 <a@example.com>: busy
 *   host *[*] said: 450 4.2.0 <*>: busy
 */
#ifndef POSTQ_REASON_CLASS_H
#define POSTQ_REASON_CLASS_H

#include "util/buf.h"

/* The class of reason, in out (reset first). */
const char *pq_reason_class(struct buf *out, const char *reason);

#endif
