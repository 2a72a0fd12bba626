/*
 * json.c - postq-pflogsumm --json: the whole report as one JSON
 * document (json-c), for dashboards and scripts that would otherwise
 * scrape the text report.
 *
 * The numbers are the raw tallies (no k/m units, no per-hour averaging;
 * "days" gives pflogsumm's day count to average with). Lists come in
 * the text report's order and honour -h/-u and the *-detail limits;
 * nested problem reports are objects keyed like the text report. Keys
 * and strings are the log's bytes, made valid JSON: json-c escapes
 * control characters (\u00XX), and a byte that is not part of valid
 * UTF-8 (a Latin-1 subject, binary garbage) becomes the character of
 * the same number, U+0080 to U+00FF, as if the text were Latin-1, so
 * the document is always UTF-8 and nothing is dropped. A NUL in a key
 * (json-c takes keys as C strings) becomes U+FFFD.
 */
#include "pfl.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s (RFC 3629), 0 if there is none. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t k;
	unsigned lo = 0x80, hi = 0xbf;	/* the range of the second byte */
	if (c >= 0xc2 && c <= 0xdf)
		k = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		k = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* no overlong forms */
		else if (c == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;	/* nothing past U+10FFFF */
	} else
		return 0;
	if (n < k || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return k;
}

/*
 * A byte count: summed as a double, as pflogsumm does, from sizes the log
 * states; one size=10000000000000000000 is past an int64, and the
 * conversion would be undefined. Such a count is written as a number
 * with a fraction part.
 */
static json_object *jbytes(double v)
{
	if (v > -9223372036854775808.0 && v < 9223372036854775808.0)
		return json_object_new_int64((long long)v);
	return json_object_new_double(v);
}

/*
 * s as valid UTF-8 (see the top of this file), NUL-terminated, in b;
 * nul_ok: a NUL may stay (strings), else it becomes U+FFFD (keys).
 */
static const char *utf8_clean(const char *s, size_t n, bool nul_ok, struct pq_buf *b)
{
	const unsigned char *u = (const unsigned char *)s;
	pq_buf_reset(b);
	for (size_t i = 0; i < n;) {
		size_t k = u[i] ? utf8_seq(u + i, n - i) : 0;
		if (k) {
			pq_buf_add(b, s + i, k);
			i += k;
		} else if (u[i] == 0) {
			if (nul_ok)
				pq_buf_addc(b, 0);
			else
				pq_buf_adds(b, "\xef\xbf\xbd");
			i++;
		} else {
			pq_buf_addc(b, (char)(0xc0 | u[i] >> 6));
			pq_buf_addc(b, (char)(0x80 | (u[i] & 0x3f)));
			i++;
		}
	}
	return b->data ? b->data : "";
}

static struct pq_buf scratch = PQ_BUF_INIT;

static json_object *jstr(const char *s, size_t n)
{
	const char *c = utf8_clean(s, n, true, &scratch);
	return json_object_new_string_len(c, (int)scratch.len);
}

static json_object *jcstr(const char *s)
{
	return jstr(s, strlen(s));
}

/* an entry's key, valid UTF-8 and without NUL; valid until the next call */
static const char *keydup(const struct pq_strmap_entry *e)
{
	return utf8_clean(e->key, e->klen, false, &scratch);
}

static json_object *domains(struct pq_strmap *m, long limit, bool delivery)
{
	json_object *arr = json_object_new_array();
	size_t n;
	struct pq_strmap_entry **v = pq_strmap_entries(m, &n);
	qsort(v, n, sizeof(*v), pfl_cmp_count_size);
	for (size_t i = 0; i < n && (limit < 0 || (long)i < limit); i++) {
		const struct dom_stat *d = v[i]->val;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "domain", jstr(v[i]->key, v[i]->klen));
		json_object_object_add(o, "messages", json_object_new_int64(d->cnt));
		json_object_object_add(o, "bytes", jbytes(d->size));
		if (delivery) {
			json_object_object_add(o, "defers", json_object_new_int64(d->dfrs));
			json_object_object_add(o, "avg_delay", json_object_new_double(d->cnt ? d->dly_sum / (double)d->cnt : 0));
			json_object_object_add(o, "max_delay", json_object_new_double(d->dly_max));
		}
		json_object_array_add(arr, o);
	}
	free(v);
	return arr;
}

static json_object *users(struct pq_strmap *m, long limit)
{
	json_object *arr = json_object_new_array();
	size_t n;
	struct pq_strmap_entry **v = pq_strmap_entries(m, &n);
	qsort(v, n, sizeof(*v), pfl_cmp_count_size);
	for (size_t i = 0; i < n && (limit < 0 || (long)i < limit); i++) {
		const struct dom_stat *d = v[i]->val;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "address", jstr(v[i]->key, v[i]->klen));
		json_object_object_add(o, "messages", json_object_new_int64(d->cnt));
		json_object_object_add(o, "bytes", jbytes(d->size));
		json_object_array_add(arr, o);
	}
	free(v);
	return arr;
}

static json_object *nest_json(struct nest *nd, int depth)
{
	json_object *o = json_object_new_object();
	size_t n;
	struct pq_strmap_entry **v = pq_strmap_entries(&nd->kids, &n);
	qsort(v, n, sizeof(*v), pfl_cmp_key);
	for (size_t i = 0; i < n; i++) {
		struct nest *c = v[i]->val;
		/* the value first: keydup's string lives until the next call */
		json_object *val = depth == 1 ? json_object_new_int64(c->cnt) : nest_json(c, depth - 1);
		json_object_object_add(o, keydup(v[i]), val);
	}
	free(v);
	return o;
}

static void add_int(json_object *o, const char *k, long long v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

void pfl_json(struct pfl *P, FILE *out)
{
	struct pfl_opts *o = &P->o;
	json_object *root = json_object_new_object();
	json_object_object_add(root, "generator", json_object_new_string("postq-pflogsumm"));
	json_object_object_add(root, "compatible_with", json_object_new_string("pflogsumm 1.1.5"));
	if (o->have_date && !o->date_range)
		json_object_object_add(root, "date", json_object_new_string(o->date_iso));
	add_int(root, "days", P->day_cnt);
	add_int(root, "lines", (long long)P->lines);
	add_int(root, "lines_skipped", (long long)P->skipped);

	json_object *g = json_object_new_object();
	add_int(g, "received", P->rcvd);
	add_int(g, "delivered", P->dlvd);
	add_int(g, "forwarded", P->fwdd);
	add_int(g, "deferred", P->dfrd);
	add_int(g, "deferrals", P->dfrd_cnt);
	add_int(g, "bounced", P->bncd);
	add_int(g, "rejected", P->rjct);
	add_int(g, "reject_warnings", P->wrnd);
	add_int(g, "held", P->held);
	add_int(g, "discarded", P->dscrdd);
	add_int(g, "expired", P->expired);	/* not in pflogsumm's report */
	double tot = (double)(P->dlvd + P->rjct + P->dscrdd);
	add_int(g, "rejected_percent", tot ? (long long)((double)P->rjct / tot * 100) : 0);
	add_int(g, "discarded_percent", tot ? (long long)((double)P->dscrdd / tot * 100) : 0);
	json_object_object_add(g, "bytes_received", jbytes(P->size_rcvd));
	json_object_object_add(g, "bytes_delivered", jbytes(P->size_dlvd));
	add_int(g, "senders", P->sendg_user_cnt);
	add_int(g, "sending_domains", P->sendg_dom_cnt);
	add_int(g, "recipients", P->recip_user_cnt);
	add_int(g, "recipient_domains", P->recip_dom_cnt);
	json_object_object_add(root, "grand_totals", g);

	if (o->smtpd_stats) {
		json_object *s = json_object_new_object();
		add_int(s, "connections", P->smtpd_conn_cnt);
		add_int(s, "hosts", (long long)P->smtpd_dom.tab.used);
		json_object_object_add(s, "total_connect_seconds", json_object_new_double(P->smtpd_tot_time));
		json_object *sd = json_object_new_array();
		size_t n;
		struct pq_strmap_entry **v = pq_strmap_entries(&P->smtpd_dom, &n);
		qsort(v, n, sizeof(*v), pfl_cmp_key);
		for (size_t i = 0; i < n; i++) {
			const struct smtpd_stat *st = v[i]->val;
			json_object *e = json_object_new_object();
			json_object_object_add(e, "domain", jstr(v[i]->key, v[i]->klen));
			json_object_object_add(e, "connections", json_object_new_double(st->cnt));
			json_object_object_add(e, "seconds", json_object_new_double(st->sum));
			json_object_object_add(e, "max_seconds", json_object_new_double(st->max));
			json_object_array_add(sd, e);
		}
		free(v);
		json_object_object_add(s, "domains", sd);
		json_object_object_add(root, "smtpd", s);
	}

	if (o->pscrn_stats) {
		static const char *k[PSCRN_N] = { "connections", "pass_new", "pass_old", "allowlisted",
			"denylisted", "dnsbl_rank", "pregreet", "hangup", "command_errors", "bare_newline",
			"non_smtp_command", "rejected" };
		json_object *ps = json_object_new_object();
		for (int i = 0; i < PSCRN_N; i++)
			add_int(ps, k[i], P->pscrn[i]);
		json_object_object_add(root, "postscreen", ps);
	}
	json_object *days = json_object_new_array();
	for (size_t i = 0; i < P->ndays; i++) {
		struct day_stat *d = &P->days[i];
		if (d->ncols == 0 || d->key == LONG_MIN)
			continue;
		char ds[32];
		snprintf(ds, sizeof(ds), "%04ld-%02ld-%02ld", d->key / 10000, d->key / 100 % 100 + 1, d->key % 100);
		json_object *e = json_object_new_object();
		json_object_object_add(e, "date", json_object_new_string(ds));
		add_int(e, "received", d->v[0]);
		add_int(e, "delivered", d->v[1]);
		add_int(e, "deferred", d->v[2]);
		add_int(e, "bounced", d->v[3]);
		add_int(e, "rejected", d->v[4]);
		json_object_array_add(days, e);
	}
	json_object_object_add(root, "per_day", days);
	json_object *hours = json_object_new_array();
	for (int h = 0; h < 24; h++) {
		json_object *e = json_object_new_object();
		add_int(e, "hour", h);
		add_int(e, "received", P->rcv_hr[h]);
		add_int(e, "delivered", P->dlv_hr[h]);
		add_int(e, "deferred", P->dfr_hr[h]);
		add_int(e, "bounced", P->bnc_hr[h]);
		add_int(e, "rejected", P->rej_hr[h]);
		json_object_array_add(hours, e);
	}
	json_object_object_add(root, "per_hour", hours);
	if (o->h != 0) {
		json_object_object_add(root, "recipient_domains", domains(&P->recip_dom, o->h, true));
		json_object_object_add(root, "sending_domains", domains(&P->sendg_dom, o->h, false));
	}
	if (o->u != 0) {
		json_object_object_add(root, "senders", users(&P->sendg_user, o->u));
		json_object_object_add(root, "recipients", users(&P->recip_user, o->u));
	}
	json_object *ns = json_object_new_object();
	{
		size_t n;
		struct pq_strmap_entry **v = pq_strmap_entries(&P->no_size, &n);
		qsort(v, n, sizeof(*v), pfl_cmp_key);
		for (size_t i = 0; i < n; i++)
			{
			json_object *val = jcstr(*(char **)v[i]->val);
			json_object_object_add(ns, keydup(v[i]), val);
		}
		free(v);
	}
	json_object_object_add(root, "no_size", ns);
	if (o->deferral_detail != 0)
		json_object_object_add(root, "deferrals", nest_json(&P->deferred, 2));
	if (o->bounce_detail != 0)
		json_object_object_add(root, "bounces", nest_json(&P->bounced, 2));
	if (o->reject_detail != 0) {
		json_object_object_add(root, "rejects", nest_json(&P->rejects, 3));
		json_object_object_add(root, "reject_warnings", nest_json(&P->warns, 3));
		json_object_object_add(root, "holds", nest_json(&P->holds, 3));
		json_object_object_add(root, "discards", nest_json(&P->discards, 3));
	}
	if (o->smtp_detail != 0)
		json_object_object_add(root, "smtp_failures", nest_json(&P->smtp_msgs, 2));
	if (o->smtpd_warn_detail != 0)
		json_object_object_add(root, "warnings", nest_json(&P->warnings, 2));
	json_object_object_add(root, "fatals", nest_json(&P->fatals, 2));
	json_object_object_add(root, "panics", nest_json(&P->panics, 2));
	json_object_object_add(root, "master", nest_json(&P->master, 1));
	if (o->per_host) {
		json_object *hs = json_object_new_object();
		size_t n;
		struct pq_strmap_entry **v = pq_strmap_entries(&P->hosts, &n);
		qsort(v, n, sizeof(*v), pfl_cmp_key);
		for (size_t i = 0; i < n; i++) {
			const struct host_stat *h = v[i]->val;
			json_object *e = json_object_new_object();
			add_int(e, "received", h->rcvd);
			add_int(e, "delivered", h->dlvd);
			add_int(e, "deferred", h->dfrd);
			add_int(e, "bounced", h->bncd);
			add_int(e, "rejected", h->rjct);
			json_object_object_add(hs, keydup(v[i]), e);
		}
		free(v);
		json_object_object_add(root, "per_host", hs);
	}
	if (o->e) {
		json_object *md = json_object_new_object();
		size_t n;
		struct pq_strmap_entry **v = pq_strmap_entries(&P->detail, &n);
		qsort(v, n, sizeof(*v), pfl_cmp_key);
		for (size_t i = 0; i < n; i++) {
			struct strvec *sv = v[i]->val;
			json_object *a = json_object_new_array();
			for (size_t j = 0; j < sv->n; j++)
				json_object_array_add(a, jcstr(sv->v[j]));
			json_object_object_add(md, keydup(v[i]), a);
		}
		free(v);
		json_object_object_add(root, "message_detail", md);
	}
	fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED), out);
	fputc('\n', out);
	json_object_put(root);
	pq_buf_free(&scratch);
}
