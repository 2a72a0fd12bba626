/*
 * mailq_format - print messages the way postqueue does; see
 * mailq_format.h.
 */
#include "spool/mailq_format.h"

#include "spool/queue_id.h"
#include "util/quote.h"

#include <json-c/json.h>
#include <string.h>
#include <time.h>

#define S_HEADINGS "-Queue ID-", "--Size--", "----Arrival Time----", "-Sender/Recipient-------"
#define L_HEADINGS "----Queue ID-----", "--Size--", "---Arrival Time----", "--Sender/Recipient------"

void pq_mailq_text_begin(struct pq_mailq_text *t, FILE *out, bool long_ids)
{
	memset(t, 0, sizeof(*t));
	t->out = out;
	t->long_ids = long_ids;
}

/* asctime(localtime(when)), or a fixed-width stand-in if out of range. */
static const char *arrival_text(long when, char *tmp, size_t tmplen)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || tm.tm_year > 8099
	    || tm.tm_year < -1899 || asctime_r(&tm, tmp) == NULL)
		snprintf(tmp, tmplen, "%-24s\n", "???");
	return tmp;
}

void pq_mailq_text_message(struct pq_mailq_text *t, const struct pq_qmsg *m)
{
	FILE *out = t->out;
	char date[64];
	const char *dec = "";

	if (t->count > 0)
		fputc('\n', out);
	else if (t->long_ids)
		fprintf(out, "%-17s %8s %-19s %s\n", L_HEADINGS);
	else
		fprintf(out, "%-11s %7s %-20s %s\n", S_HEADINGS);

	if (strcmp(m->queue, "active") == 0)
		dec = m->forced_expire ? "*#" : "*";
	else if (strcmp(m->queue, "hold") == 0)
		dec = m->forced_expire ? "!#" : "!";
	else if (m->forced_expire)
		dec = "#";
	char idbuf[PQ_QID_MAXLEN + 3];	/* id + "*#" or "!#" */
	snprintf(idbuf, sizeof(idbuf), "%s%s", m->id, dec);
	arrival_text(m->arrival, date, sizeof(date));
	if (t->long_ids)
		fprintf(out, "%-17s %8ld %19.19s %s\n", idbuf, m->size, date,
			pq_buf_str(&m->sender));
	else
		fprintf(out, "%-11s %7ld %20.20s %s\n", idbuf, m->size, date,
			pq_buf_str(&m->sender));

	const char *saved = "";
	for (size_t i = 0; i < m->rcpts.n; i++) {
		const char *why = pq_strlist_get(&m->reasons, i);
		if (strcmp(saved, why) != 0) {
			saved = why;
			const char *shown = *why ? why : "reason unavailable";
			int pad = 76 - (int)strlen(shown);
			fprintf(out, "%*s(%s)\n", pad < 0 ? 0 : pad, "", shown);
		}
		if (t->long_ids)
			fprintf(out, "%-17s %8s %-19s %s\n", "", "", "",
				pq_strlist_get(&m->rcpts, i));
		else
			fprintf(out, "%-11s %7s %-20s %s\n", "", "", "",
				pq_strlist_get(&m->rcpts, i));
	}
	t->total_size += (unsigned long)m->size;
	t->count++;
}

void pq_mailq_text_end(struct pq_mailq_text *t)
{
	if (t->count == 0)
		fputs("Mail queue is empty\n", t->out);
	else
		fprintf(t->out, "\n-- %lu Kbytes in %lu Request%s.\n",
			t->total_size / 1024, t->count,
			t->count == 1 ? "" : "s");
}

const char *pq_json_quote(struct pq_buf *out, const char *s, bool utf8)
{
	json_object *str = json_object_new_string(s);
	const char *text = json_object_to_json_string_ext(
		str, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(text);

	pq_buf_reset(out);
	/* json-c wraps the string in quotes; keep only what is inside. */
	if (len >= 2)
		pq_buf_add(out, text + 1, len - 2);
	json_object_put(str);
	return pq_printable(out->data ? out->data : (char *)"", '?', utf8);
}

void pq_mailq_json_message(FILE *out, const struct pq_qmsg *m, bool utf8,
			   struct pq_buf *scratch)
{
	fprintf(out, "{\"queue_name\": \"%s\", ",
		pq_json_quote(scratch, m->queue, utf8));
	fprintf(out, "\"queue_id\": \"%s\", ", pq_json_quote(scratch, m->id, utf8));
	fprintf(out, "\"arrival_time\": %ld, ", m->arrival);
	fprintf(out, "\"message_size\": %ld, ", m->size);
	fprintf(out, "\"forced_expire\": %s, ", m->forced_expire ? "true" : "false");
	fprintf(out, "\"sender\": \"%s\", ",
		pq_json_quote(scratch, pq_buf_str(&m->sender), utf8));
	fputs("\"recipients\": [", out);
	for (size_t i = 0; i < m->rcpts.n; i++) {
		if (i > 0)
			fputs(", ", out);
		fprintf(out, "{\"address\": \"%s\"",
			pq_json_quote(scratch, pq_strlist_get(&m->rcpts, i), utf8));
		const char *why = pq_strlist_get(&m->reasons, i);
		if (*why)
			fprintf(out, ", \"delay_reason\": \"%s\"",
				pq_json_quote(scratch, why, utf8));
		fputc('}', out);
	}
	fputs("]}\n", out);
}
