/*
 * report.c - pflogsumm 1.1.5's text report, section by section, with
 * its exact number formatting (adj_int_units truncation, %5.1f times)
 * and blank lines.
 *
 * Ties: where pflogsumm falls back to Perl's (random) hash order, we
 * order by key, bytewise ascending: Host/Domain tables on equal count
 * and size, user lists and nested leaves on equal count and equal
 * normalize_host() value.
 */
#include "pfl.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *month_names[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* adj_int_units: prints " %6d%s" style pieces via the caller's format */
static void int_units(double v, long long *iv, char *unit)
{
	*unit = ' ';
	if (v > 536870912.0) {
		v /= 1048576.0;
		*unit = 'm';
	} else if (v > 524288.0) {
		v /= 1024.0;
		*unit = 'k';
	}
	*iv = (long long)v;
}

static void time_units(double v, double *out, char *unit)
{
	*unit = 's';
	if (v > 3600) {
		v /= 3600;
		*unit = 'h';
	} else if (v > 60) {
		v /= 60;
		*unit = 'm';
	}
	*out = v;
}

/* printf "%6d%s" of adj_int_units(v) */
static void pu(FILE *out, double v)
{
	long long iv;
	char u;
	int_units(v, &iv, &u);
	fprintf(out, "%6lld%c", iv, u);
}

static void subsect_title(FILE *out, const char *t)
{
	fprintf(out, "\n%s\n", t);
	for (size_t i = strlen(t); i > 0; i--)
		fputc('-', out);
	fputc('\n', out);
}

/* "Host/Domain Summary: WHAT (top N)", or "... WHAT " with no limit. */
static void domain_summary_title(FILE *out, const char *what, long cnt)
{
	char title[128];

	if (cnt > 0)
		snprintf(title, sizeof(title), "Host/Domain Summary: %s (top %ld)", what, cnt);
	else
		snprintf(title, sizeof(title), "Host/Domain Summary: %s ", what);
	subsect_title(out, title);
}

static void put_key(FILE *out, const struct pq_strmap_entry *e)
{
	fwrite(e->key, 1, e->klen, out);
}

static int keycmp(const struct pq_strmap_entry *a, const struct pq_strmap_entry *b)
{
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c = memcmp(a->key, b->key, n);
	if (c)
		return c;
	return (a->klen > b->klen) - (a->klen < b->klen);
}

int pfl_cmp_key(const void *x, const void *y)
{
	return keycmp(*(struct pq_strmap_entry *const *)x, *(struct pq_strmap_entry *const *)y);
}

int pfl_cmp_count_size(const void *x, const void *y)
{
	const struct pq_strmap_entry *a = *(struct pq_strmap_entry *const *)x, *b = *(struct pq_strmap_entry *const *)y;
	const struct dom_stat *da = a->val, *db = b->val;
	if (da->cnt != db->cnt)
		return da->cnt > db->cnt ? -1 : 1;
	if (da->size != db->size)
		return da->size > db->size ? -1 : 1;
	return keycmp(a, b);
}

static int cmp_smtpd(const void *x, const void *y)
{
	const struct pq_strmap_entry *a = *(struct pq_strmap_entry *const *)x, *b = *(struct pq_strmap_entry *const *)y;
	const struct smtpd_stat *da = a->val, *db = b->val;
	if (da->cnt != db->cnt)
		return da->cnt > db->cnt ? -1 : 1;
	if (da->sum != db->sum)
		return da->sum > db->sum ? -1 : 1;
	return keycmp(a, b);
}

/* value desc, normalize_host asc, key asc */
struct vn {
	struct pq_strmap_entry *e;
	double v;
	char *norm;
	size_t nlen;
};

static int cmp_vn(const void *x, const void *y)
{
	const struct vn *a = x, *b = y;
	if (a->v != b->v)
		return a->v > b->v ? -1 : 1;
	size_t n = a->nlen < b->nlen ? a->nlen : b->nlen;
	int c = memcmp(a->norm, b->norm, n);
	if (c)
		return c;
	if (a->nlen != b->nlen)
		return a->nlen < b->nlen ? -1 : 1;
	return keycmp(a->e, b->e);
}

/* Sort entries by value (from get) then normalize_host; returns array of vn. */
static struct vn *sort_by_value(const struct pq_strmap *m, double (*get)(const void *val, int idx), int idx,
    size_t *n)
{
	struct pq_strmap_entry **v = pq_strmap_entries(m, n);
	struct vn *r = calloc(*n ? *n : 1, sizeof(*r));
	struct pq_buf nb = PQ_BUF_INIT;
	for (size_t i = 0; i < *n; i++) {
		r[i].e = v[i];
		r[i].v = get(v[i]->val, idx);
		normalize_host(v[i]->key, v[i]->klen, &nb);
		r[i].nlen = nb.len;
		r[i].norm = malloc(nb.len + 1);
		memcpy(r[i].norm, nb.data ? nb.data : "", nb.len);
	}
	pq_buf_free(&nb);
	free(v);
	qsort(r, *n, sizeof(*r), cmp_vn);
	return r;
}

static void free_vn(struct vn *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(r[i].norm);
	free(r);
}

static double get_dom(const void *val, int idx)
{
	const struct dom_stat *d = val;
	return idx == 0 ? (double)d->cnt : d->size;
}

static double get_nest(const void *val, int idx)
{
	(void)idx;
	return (double)((const struct nest *)val)->cnt;
}

static void per_day_summary(struct pfl *P, FILE *out);
static void per_hour_summary(struct pfl *P, FILE *out);

static void date_label(struct pfl *P, FILE *out, long key)
{
	int yr = 0, mon = 0, day = 0;
	if (key != LONG_MIN) {
		yr = (int)(key / 10000);
		mon = (int)(key / 100 % 100);
		day = (int)(key % 100);
	}
	if (P->o.iso) {
		fprintf(out, "    %04d-%02d-%02d ", yr, mon + 1, day);
	} else {
		const char *mn = mon >= 0 && mon < 12 ? month_names[mon] : "";
		if (key == LONG_MIN)
			fprintf(out, "    %s %2d ", mn, day);
		else
			fprintf(out, "    %s %2d %d", mn, day, yr);
	}
}

static int cmp_day(const void *x, const void *y)
{
	const struct day_stat *a = *(struct day_stat *const *)x, *b = *(struct day_stat *const *)y;
	long ka = a->key == LONG_MIN ? 0 : a->key, kb = b->key == LONG_MIN ? 0 : b->key;
	return (ka > kb) - (ka < kb);
}

static struct day_stat **sorted_days(struct pfl *P, bool smtpd, size_t *n)
{
	struct day_stat **v = malloc((P->ndays ? P->ndays : 1) * sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < P->ndays; i++)
		if (smtpd ? P->days[i].has_smtpd : P->days[i].ncols > 0)
			v[k++] = &P->days[i];
	qsort(v, k, sizeof(*v), cmp_day);
	*n = k;
	return v;
}

static void per_day_summary(struct pfl *P, FILE *out)
{
	subsect_title(out, "Per-Day Traffic Summary");
	fputs("    date          received  delivered   deferred    bounced     rejected\n"
	    "    --------------------------------------------------------------------\n", out);
	size_t n;
	struct day_stat **v = sorted_days(P, false, &n);
	for (size_t i = 0; i < n; i++) {
		date_label(P, out, v[i]->key);
		for (int c = 0; c < v[i]->ncols; c++) {
			fputs("    ", out);
			pu(out, (double)v[i]->v[c]);
		}
		fputc('\n', out);
	}
	free(v);
}

static void hour_label(struct pfl *P, FILE *out, int h)
{
	if (P->o.iso)
		fprintf(out, "    %02d:00-%02d:00", h, h + 1);
	else
		fprintf(out, "    %02d00-%02d00  ", h, h + 1);
}

static void per_hour_summary(struct pfl *P, FILE *out)
{
	subsect_title(out, P->day_cnt > 1 ? "Per-Hour Traffic Daily Average" : "Per-Hour Traffic Summary");
	fputs("    time          received  delivered   deferred    bounced     rejected\n"
	    "    --------------------------------------------------------------------\n", out);
	for (int h = 0; h < 24; h++) {
		hour_label(P, out, h);
		long long vals[5] = { P->rcv_hr[h], P->dlv_hr[h], P->dfr_hr[h], P->bnc_hr[h], P->rej_hr[h] };
		for (int c = 0; c < 5; c++) {
			double v = (double)vals[c];
			if (P->day_cnt)
				v = v / (double)P->day_cnt + 0.5;
			fputs("    ", out);
			pu(out, v);
		}
		fputc('\n', out);
	}
}

static void recip_domain_summary(struct pfl *P, FILE *out)
{
	long cnt = P->o.h;
	if (cnt == 0)
		return;
	domain_summary_title(out, "Message Delivery", cnt);
	fputs(" sent cnt  bytes   defers   avg dly max dly host/domain\n"
	    " -------- -------  -------  ------- ------- -----------\n", out);
	size_t n;
	struct pq_strmap_entry **v = pq_strmap_entries(&P->recip_dom, &n);
	qsort(v, n, sizeof(*v), pfl_cmp_count_size);
	for (size_t i = 0; i < n; i++) {
		const struct dom_stat *d = v[i]->val;
		double avg = d->cnt ? d->dly_sum / (double)d->cnt : 0, a, m;
		char ua, um;
		time_units(avg, &a, &ua);
		time_units(d->dly_max, &m, &um);
		fputc(' ', out);
		pu(out, (double)d->cnt);
		fputs("  ", out);
		pu(out, d->size);
		fputs("  ", out);
		pu(out, (double)d->dfrs);
		fprintf(out, "  %5.1f %c  %5.1f %c  ", a, ua, m, um);
		put_key(out, v[i]);
		fputc('\n', out);
		if (--cnt == 0)
			break;
	}
	free(v);
}

static void sending_domain_summary(struct pfl *P, FILE *out)
{
	long cnt = P->o.h;
	if (cnt == 0)
		return;
	domain_summary_title(out, "Messages Received", cnt);
	fputs(" msg cnt   bytes   host/domain\n"
	    " -------- -------  -----------\n", out);
	size_t n;
	struct pq_strmap_entry **v = pq_strmap_entries(&P->sendg_dom, &n);
	qsort(v, n, sizeof(*v), pfl_cmp_count_size);
	for (size_t i = 0; i < n; i++) {
		const struct dom_stat *d = v[i]->val;
		fputc(' ', out);
		pu(out, (double)d->cnt);
		fputs("  ", out);
		pu(out, d->size);
		fputs("  ", out);
		put_key(out, v[i]);
		fputc('\n', out);
		if (--cnt == 0)
			break;
	}
	free(v);
}

static void smh(double secs, double *s, double *m, double *h)
{
	*h = (double)(long long)(secs / 3600);
	secs -= *h * 3600;
	*m = (double)(long long)(secs / 60);
	secs -= *m * 60;
	*s = secs;
}

static void per_day_smtpd(struct pfl *P, FILE *out)
{
	subsect_title(out, "Per-Day SMTPD Connection Summary");
	fputs("    date        connections    time conn.    avg./conn.   max. time\n"
	    "    --------------------------------------------------------------------\n", out);
	size_t n;
	struct day_stat **v = sorted_days(P, true, &n);
	for (size_t i = 0; i < n; i++) {
		const struct smtpd_stat *s = &v[i]->smtpd;
		date_label(P, out, v[i]->key);
		double avg = s->sum / s->cnt + .5, sec, min, hr;
		smh(s->sum, &sec, &min, &hr);
		fputs("   ", out);
		pu(out, s->cnt);
		fprintf(out, "       %2lld:%02lld:%02lld      %6llds      %6llds\n", (long long)hr,
		    (long long)min, (long long)sec, (long long)avg, (long long)s->max);
	}
	free(v);
}

static void per_hour_smtpd(struct pfl *P, FILE *out)
{
	if (P->day_cnt > 1) {
		subsect_title(out, "Per-Hour SMTPD Connection Daily Average");
		fputs("    hour        connections    time conn.\n"
		    "    -------------------------------------\n", out);
	} else {
		subsect_title(out, "Per-Hour SMTPD Connection Summary");
		fputs("    hour        connections    time conn.    avg./conn.   max. time\n"
		    "    --------------------------------------------------------------------\n", out);
	}
	for (int h = 0; h < 24; h++) {
		struct smtpd_stat s = P->smtpd_hr[h];
		if (!s.cnt)
			continue;
		long long avg = (long long)(s.cnt ? s.sum / s.cnt + .5 : 0);
		if (P->day_cnt > 1) {
			s.cnt = s.cnt / (double)P->day_cnt + .5;
			s.sum = s.sum / (double)P->day_cnt + .5;
		}
		double sec, min, hr;
		smh(s.sum, &sec, &min, &hr);
		hour_label(P, out, h);
		fputs("   ", out);
		pu(out, s.cnt);
		fprintf(out, "       %2lld:%02lld:%02lld", (long long)hr, (long long)min, (long long)sec);
		if (P->day_cnt < 2)
			fprintf(out, "      %6llds      %6llds", avg, (long long)s.max);
		fputc('\n', out);
	}
}

static void domain_smtpd_summary(struct pfl *P, FILE *out)
{
	long cnt = P->o.h;
	if (cnt == 0)
		return;
	domain_summary_title(out, "SMTPD Connections", cnt);
	fputs(" connections  time conn.  avg./conn.  max. time  host/domain\n"
	    " -----------  ----------  ----------  ---------  -----------\n", out);
	size_t n;
	struct pq_strmap_entry **v = pq_strmap_entries(&P->smtpd_dom, &n);
	qsort(v, n, sizeof(*v), cmp_smtpd);
	for (size_t i = 0; i < n; i++) {
		const struct smtpd_stat *s = v[i]->val;
		double avg = s->sum / s->cnt + .5, sec, min, hr;
		smh(s->sum, &sec, &min, &hr);
		fputs("  ", out);
		pu(out, s->cnt);
		fprintf(out, "      %2lld:%02lld:%02lld     %6llds    %6llds   ", (long long)hr,
		    (long long)min, (long long)sec, (long long)avg, (long long)s->max);
		put_key(out, v[i]);
		fputc('\n', out);
		if (--cnt == 0)
			break;
	}
	free(v);
}

static void user_data(struct pfl *P, FILE *out, struct pq_strmap *m, const char *title, int idx)
{
	long cnt = P->o.u;
	if (cnt == 0)
		return;
	char t[96];
	if (cnt > 0)
		snprintf(t, sizeof(t), "top %ld %s", cnt, title);
	else
		snprintf(t, sizeof(t), "%s", title);
	if (m->tab.used == 0) {
		if (P->o.q)
			return;
		fprintf(out, "\n%s: none\n", t);
		return;
	}
	subsect_title(out, t);
	size_t n;
	struct vn *v = sort_by_value(m, get_dom, idx, &n);
	for (size_t i = 0; i < n; i++) {
		fputc(' ', out);
		pu(out, v[i].v);
		fputs("  ", out);
		put_key(out, v[i].e);
		fputc('\n', out);
		if (--cnt == 0)
			break;
	}
	free_vn(v, n);
}

static void no_size(struct pfl *P, FILE *out)
{
	if (P->no_size.tab.used == 0)
		return;
	subsect_title(out, "Messages with no size data");
	size_t n;
	struct pq_strmap_entry **v = pq_strmap_entries(&P->no_size, &n);
	qsort(v, n, sizeof(*v), pfl_cmp_key);
	for (size_t i = 0; i < n; i++) {
		fputc(' ', out);
		put_key(out, v[i]);
		fprintf(out, "  %s\n", *(char **)v[i]->val);
	}
	free(v);
}

static void print_leaves(FILE *out, struct nest *nd, long cnt, int indent)
{
	size_t n;
	struct vn *v = sort_by_value(&nd->kids, get_nest, 0, &n);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%*s", indent, "");
		pu(out, v[i].v);
		fputs("  ", out);
		put_key(out, v[i].e);
		fputc('\n', out);
		if (--cnt == 0)
			break;
	}
	free_vn(v, n);
}

/* walk_nested_hash: depth is the number of key levels below nd */
static void walk_nested(FILE *out, struct nest *nd, long cnt, int level, int depth)
{
	level += 2;
	if (depth == 1) {
		print_leaves(out, nd, cnt, level);
		return;
	}
	size_t n;
	struct pq_strmap_entry **v = pq_strmap_entries(&nd->kids, &n);
	qsort(v, n, sizeof(*v), pfl_cmp_key);
	for (size_t i = 0; i < n; i++) {
		struct nest *c = v[i]->val;
		fprintf(out, "%*s", level, "");
		put_key(out, v[i]);
		if (depth == 2) {
			if (cnt > 0)
				fprintf(out, " (top %ld)", cnt);
			long long sum = 0;
			size_t m;
			struct pq_strmap_entry **w = pq_strmap_entries(&c->kids, &m);
			for (size_t j = 0; j < m; j++)
				sum += ((struct nest *)w[j]->val)->cnt;
			free(w);
			fprintf(out, " (total: %lld)", sum);
		}
		fputc('\n', out);
		walk_nested(out, c, cnt, level, depth - 1);
	}
	free(v);
}

static void nested(struct pfl *P, FILE *out, struct nest *nd, const char *title, long cnt, int depth)
{
	if (nd->kids.tab.used == 0) {
		if (P->o.q)
			return;
		fprintf(out, "\n%s: none\n", title);
		return;
	}
	subsect_title(out, title);
	walk_nested(out, nd, cnt, 0, depth);
}

static void problems(struct pfl *P, FILE *out)
{
	struct pfl_opts *o = &P->o;
	if (o->deferral_detail != 0)
		nested(P, out, &P->deferred, "message deferral detail", o->deferral_detail, 2);
	if (o->bounce_detail != 0)
		nested(P, out, &P->bounced, "message bounce detail (by relay)", o->bounce_detail, 2);
	if (o->reject_detail != 0) {
		nested(P, out, &P->rejects, "message reject detail", o->reject_detail, 3);
		nested(P, out, &P->warns, "message reject warning detail", o->reject_detail, 3);
		nested(P, out, &P->holds, "message hold detail", o->reject_detail, 3);
		nested(P, out, &P->discards, "message discard detail", o->reject_detail, 3);
	}
	if (o->smtp_detail != 0)
		nested(P, out, &P->smtp_msgs, "smtp delivery failures", o->smtp_detail, 2);
	if (o->smtpd_warn_detail != 0)
		nested(P, out, &P->warnings, "Warnings", o->smtpd_warn_detail, 2);
	nested(P, out, &P->fatals, "Fatal Errors", 0, 2);
	nested(P, out, &P->panics, "Panics", 0, 2);
	/* print_hash_by_cnt_vals(\%masterMsgs, "Master daemon messages", 0, q) */
	if (P->master.kids.tab.used == 0) {
		if (!o->q)
			fputs("\nMaster daemon messages: none\n", out);
	} else {
		subsect_title(out, "Master daemon messages");
		print_leaves(out, &P->master, 0, 1);
	}
}

/* -e: by_domain_then_user */
struct md {
	struct pq_strmap_entry *e;
	struct pq_buf dom, user;
};

static int cmp_buf(const struct pq_buf *a, const struct pq_buf *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n ? memcmp(a->data, b->data, n) : 0;
	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

static int cmp_md(const void *x, const void *y)
{
	const struct md *a = x, *b = y;
	int c = cmp_buf(&a->dom, &b->dom);
	if (c)
		return c;
	c = cmp_buf(&a->user, &b->user);
	if (c)
		return c;
	return keycmp(a->e, b->e);
}

void domain_reorder(struct pq_buf *b);

static void md_keys(struct md *m, const char *s, size_t n)
{
	pq_buf_reset(&m->dom);
	pq_buf_reset(&m->user);
	/* split(/\@/) */
	const char *at = memchr(s, '@', n);
	bool have_dom = false;
	if (at) {
		const char *d = at + 1, *e = s + n, *at2 = memchr(d, '@', (size_t)(e - d));
		const char *de = at2 ? at2 : e;
		pq_buf_add(&m->user, s, (size_t)(at - s));
		pq_buf_add(&m->dom, d, (size_t)(de - d));
		have_dom = perl_true(m->dom.data, m->dom.len);
		/* trailing empty fields are dropped: "user@" has no domain */
	} else {
		pq_buf_add(&m->user, s, n);
	}
	if (!have_dom) {
		/* (split(/!/, $x))[-1,-2], trailing empty fields dropped */
		size_t end = n;
		while (end > 0 && s[end - 1] == '!')
			end--;
		pq_buf_reset(&m->dom);
		pq_buf_reset(&m->user);
		if (end > 0) {
			const char *b1 = memrchr(s, '!', end);
			size_t us = b1 ? (size_t)(b1 - s) + 1 : 0;
			pq_buf_add(&m->user, s + us, end - us);
			if (b1) {
				size_t de = (size_t)(b1 - s);
				const char *b2 = de ? memrchr(s, '!', de) : NULL;
				size_t ds = b2 ? (size_t)(b2 - s) + 1 : 0;
				pq_buf_add(&m->dom, s + ds, de - ds);
			}
		}
	}
	if (perl_true(m->dom.data, m->dom.len))
		domain_reorder(&m->dom);
	else
		pq_buf_reset(&m->dom);
	/* $userName =~ s/^.*!//; */
	const char *u = m->user.data;
	if (u) {
		const char *b = memrchr(u, '!', m->user.len);
		if (b) {
			size_t k = (size_t)(b - u) + 1;
			memmove(m->user.data, u + k, m->user.len - k);
			m->user.len -= k;
		}
	}
}

static void detailed_msgs(struct pfl *P, FILE *out)
{
	if (P->detail.tab.used == 0) {
		if (P->o.q)
			return;
		fputs("\nMessage detail: none\n", out);
		return;
	}
	subsect_title(out, "Message detail");
	size_t n;
	struct pq_strmap_entry **v = pq_strmap_entries(&P->detail, &n);
	struct md *m = calloc(n, sizeof(*m));
	for (size_t i = 0; i < n; i++) {
		struct strvec *sv = v[i]->val;
		m[i].e = v[i];
		md_keys(&m[i], sv->v[0], strlen(sv->v[0]));
	}
	qsort(m, n, sizeof(*m), cmp_md);
	for (size_t i = 0; i < n; i++) {
		struct strvec *sv = m[i].e->val;
		fputc(' ', out);
		put_key(out, m[i].e);
		fprintf(out, "  %s\n", sv->v[0]);
		for (size_t j = 1; j < sv->n; j++)
			fprintf(out, "   %s\n", sv->v[j]);
		fputc('\n', out);
		pq_buf_free(&m[i].dom);
		pq_buf_free(&m[i].user);
	}
	free(m);
	free(v);
}

static void per_host(struct pfl *P, FILE *out)
{
	subsect_title(out, "Per-Host Grand Totals");
	fputs(" received  delivered   deferred    bounced   rejected  host\n"
	    " --------  ---------   --------    -------   --------  ----\n", out);
	size_t n;
	struct pq_strmap_entry **v = pq_strmap_entries(&P->hosts, &n);
	qsort(v, n, sizeof(*v), pfl_cmp_key);
	for (size_t i = 0; i < n; i++) {
		const struct host_stat *h = v[i]->val;
		fputc(' ', out);
		pu(out, (double)h->rcvd);
		fputs("    ", out);
		pu(out, (double)h->dlvd);
		fputs("    ", out);
		pu(out, (double)h->dfrd);
		fputs("    ", out);
		pu(out, (double)h->bncd);
		fputs("    ", out);
		pu(out, (double)h->rjct);
		fputs("  ", out);
		put_key(out, v[i]);
		fputc('\n', out);
	}
	free(v);
}

void pfl_report(struct pfl *P, FILE *out)
{
	struct pfl_opts *o = &P->o;
	double rpct = 0, dpct = 0;
	double tot = (double)(P->dlvd + P->rjct + P->dscrdd);
	if (tot != 0) {
		rpct = (double)(long long)((double)P->rjct / tot * 100);
		dpct = (double)(long long)((double)P->dscrdd / tot * 100);
	}
	if (o->have_date && !o->date_range)
		fprintf(out, "Postfix log summaries for %s\n", o->date_str);
	else if (o->date_range && o->range_lo == o->range_hi)
		fprintf(out, "Postfix log summaries for %04ld-%02ld-%02ld\n", o->range_lo / 10000,
		    o->range_lo / 100 % 100, o->range_lo % 100);
	else if (o->date_range)
		fprintf(out, "Postfix log summaries for %04ld-%02ld-%02ld to %04ld-%02ld-%02ld\n",
		    o->range_lo / 10000, o->range_lo / 100 % 100, o->range_lo % 100,
		    o->range_hi / 10000, o->range_hi / 100 % 100, o->range_hi % 100);
	subsect_title(out, "Grand Totals");
	fputs("messages\n\n", out);
#define LINE(v, text) do { fputc(' ', out); pu(out, (double)(v)); fputs("  " text "\n", out); } while (0)
	LINE(P->rcvd, "received");
	LINE(P->dlvd, "delivered");
	LINE(P->fwdd, "forwarded");
	fputc(' ', out);
	pu(out, (double)P->dfrd);
	fputs("  deferred", out);
	if (P->dfrd_cnt) {
		long long iv;
		char u;
		int_units((double)P->dfrd_cnt, &iv, &u);
		fprintf(out, "  (%lld%c deferrals)", iv, u);
	}
	fputc('\n', out);
	LINE(P->bncd, "bounced");
	fputc(' ', out);
	pu(out, (double)P->rjct);
	fprintf(out, "  rejected (%lld%%)\n", (long long)rpct);
	LINE(P->wrnd, "reject warnings");
	LINE(P->held, "held");
	fputc(' ', out);
	pu(out, (double)P->dscrdd);
	fprintf(out, "  discarded (%lld%%)\n", (long long)dpct);
	fputc('\n', out);
	LINE(P->size_rcvd, "bytes received");
	LINE(P->size_dlvd, "bytes delivered");
	LINE(P->sendg_user_cnt, "senders");
	LINE(P->sendg_dom_cnt, "sending hosts/domains");
	LINE(P->recip_user_cnt, "recipients");
	LINE(P->recip_dom_cnt, "recipient hosts/domains");
#undef LINE
	if (o->smtpd_stats) {
		fputs("\nsmtpd\n\n", out);
		fputs("  ", out);
		pu(out, (double)P->smtpd_conn_cnt);
		fputs("  connections\n  ", out);
		pu(out, (double)P->smtpd_dom.tab.used);
		fputs("  hosts/domains\n", out);
		fprintf(out, "  %6lld   avg. connect time (seconds)\n",
		    (long long)(P->smtpd_conn_cnt > 0 ? P->smtpd_tot_time / (double)P->smtpd_conn_cnt + .5 : 0));
		double s, m, h;
		smh(P->smtpd_tot_time, &s, &m, &h);
		fprintf(out, " %2lld:%02lld:%02lld  total connect time\n", (long long)h, (long long)m, (long long)s);
	}
	if (o->pscrn_stats) {
		static const char *lbl[PSCRN_N] = { "connections", "passed new", "passed old",
			"allowlisted", "denylisted", "DNSBL rank", "pregreet", "hangup",
			"command errors", "bare newline", "non-SMTP command", "rejected" };
		fputs("\npostscreen\n\n", out);
		for (int k = 0; k < PSCRN_N; k++) {
			fputs("  ", out);
			pu(out, (double)P->pscrn[k]);
			fprintf(out, "  %s\n", lbl[k]);
		}
	}
	fputc('\n', out);
	if (o->per_host)
		per_host(P, out);
	if (o->pf)
		problems(P, out);
	if (P->day_cnt > 1)
		per_day_summary(P, out);
	per_hour_summary(P, out);
	recip_domain_summary(P, out);
	sending_domain_summary(P, out);
	if (o->smtpd_stats) {
		if (P->day_cnt > 1)
			per_day_smtpd(P, out);
		per_hour_smtpd(P, out);
		domain_smtpd_summary(P, out);
	}
	user_data(P, out, &P->sendg_user, "Senders by message count", 0);
	user_data(P, out, &P->recip_user, "Recipients by message count", 0);
	user_data(P, out, &P->sendg_user, "Senders by message size", 1);
	user_data(P, out, &P->recip_user, "Recipients by message size", 1);
	no_size(P, out);
	if (!o->pf)
		problems(P, out);
	if (o->e)
		detailed_msgs(P, out);
}
