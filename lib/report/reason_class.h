/*
 * reason_class - reduce a deferral reason to a class, so that the same
 * problem at many destinations and for many recipients counts as one.
 *
 * Reasons embed what varies between recipients and over time: addresses,
 * hosts, IP addresses, queue ids, counts and durations. Left in, they
 * make one row per recipient; so every such part is masked, and "which
 * error holds 40k messages" is a handful of rows.
 *
 * The text is cut into words (runs of letters, digits and . _ % + @ : -
 * and bytes >= 0x80); everything between words is kept. A word (less a
 * trailing '.', ':' or '-') is replaced by "*" when it is an e-mail
 * address (holds '@'; a quoted local part such as "john doe"@example.com
 * counts as part of it), a host name or IP address (a dot or colon
 * between letters/digits, e.g. mx1.example.com, 192.0.2.1, 2001:db8::1),
 * an identifier (6 or more characters with a digit in them, such as a
 * queue id) or a quantity (starts with a digit: 57s, 4h); by "#" when
 * it is a number. SMTP reply codes (three digits, 2xx-5xx, also
 * "550-5.1.1") and enhanced status codes (4.7.1) are kept, as is every
 * other word (IPv6 and x400 too). Example:
 *   host mx.example.com[192.0.2.1] said: 450 4.2.0 <a@example.com>: busy
 *   host *[*] said: 450 4.2.0 <*>: busy
 */
#ifndef POSTQ_REASON_CLASS_H
#define POSTQ_REASON_CLASS_H

#include "util/buf.h"

/* The class of reason, in out (reset first). */
const char *pq_reason_class(struct pq_buf *out, const char *reason);

#endif
