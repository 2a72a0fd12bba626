/*
 * mailq_format - print messages the way postqueue prints them.
 *
 * Text: "postqueue -p" (showq_compat.c): a heading before the first
 * message, the id with '*' (active) or '!' (hold) and '#' (forced
 * expire), size, asctime() arrival in local time, sender, then
 * recipients, each run of recipients sharing a reason preceded by one
 * "(reason)" line right-aligned to column 78; a blank line between
 * messages; "-- N Kbytes in M Requests." or "Mail queue is empty". The
 * column layout follows enable_long_queue_ids, not the ids.
 *
 * JSON: "postqueue -j" (showq_json.c): one object per message per line,
 * keys and spacing exactly as postqueue writes them. Strings are escaped
 * with json-c and then made printable.
 */
#ifndef POSTQ_MAILQ_FORMAT_H
#define POSTQ_MAILQ_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include "util/buf.h"
#include "spool/listing.h"

struct pq_mailq_text {
	FILE *out;
	bool long_ids;
	unsigned long count;
	unsigned long total_size;
};

void pq_mailq_text_begin(struct pq_mailq_text *t, FILE *out, bool long_ids);
void pq_mailq_text_message(struct pq_mailq_text *t, const struct pq_qmsg *m);
void pq_mailq_text_end(struct pq_mailq_text *t);

/* One "postqueue -j" line. scratch is reused between calls. */
void pq_mailq_json_message(FILE *out, const struct pq_qmsg *m, bool utf8,
			   struct pq_buf *scratch);

/* JSON string body (no quotes) of s, escaped and printable. */
const char *pq_json_quote(struct pq_buf *out, const char *s, bool utf8);

#endif
