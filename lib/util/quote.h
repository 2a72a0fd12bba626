/*
 * quote - how Postfix shows addresses and text to people.
 *
 * pq_quote_822_local() is quote_822_local() with 8-bit data left alone:
 * a local part that is not a dot-atom is put in double quotes. 
 * pq_printable() is printable(): bytes that are not printable ASCII
 * become the replacement, except well-formed-looking UTF-8 sequences
 * when utf8 (smtputf8_enable) is on.
 */
#ifndef POSTQ_QUOTE_H
#define POSTQ_QUOTE_H

#include <stdbool.h>

#include "util/buf.h"

void pq_quote_822_local(struct pq_buf *out, const char *addr);
char *pq_printable(char *s, int replacement, bool utf8);

#endif
