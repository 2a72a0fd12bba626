/*
 * qshape - qshape(1)'s domain-by-age table; see qshape.h.
 */
#include "report/qshape.h"

#include "util/alloc.h"
#include "util/diag.h"
#include "util/hash.h"
#include "spool/mailq_format.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void pq_qshape_conf_init(struct pq_qshape_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->bnum = 10;
	c->tick = pq_pnum_from_uv(5);
	c->minsub = 5;
	c->width = 80;
}

void pq_qshape_init(struct pq_qshape *q, const struct pq_qshape_conf *conf,
		    double now)
{
	memset(q, 0, sizeof(*q));
	q->conf = *conf;
	q->now = now;
	q->total.key = (char *)"TOTAL";
	q->total.len = 5;
	q->total.total = true;
}

void pq_qshape_free(struct pq_qshape *q)
{
	struct pq_hslot *s;
	size_t i = 0;

	while ((s = pq_htab_next(&q->rows, &i)) != NULL) {
		struct pq_qshape_row *row = s->v.p;
		free(row->key);
		free(row->counts);
		free(row);
	}
	pq_htab_free(&q->rows);
	free(q->total.counts);
	pq_buf_free(&q->dom);
	memset(q, 0, sizeof(*q));
}

size_t pq_qshape_bucket(const struct pq_qshape_conf *c, double now,
			double arrival)
{
	double m = (now - arrival) / (60.0 * c->tick.nv);

	if (m < 1)
		return 1;
	double b = c->linear ? trunc(m + 1) : 2 + trunc(log(m) / log(2));
	/* NaN and huge ages fail the comparison: the last bucket. */
	if (b < c->bnum)
		return (size_t)b;
	return (size_t)c->bnum;
}

size_t pq_qshape_columns(const struct pq_qshape_conf *c)
{
	return (size_t)c->bnum + 1;
}

void pq_qshape_domain(struct pq_buf *out, const char *a, size_t len)
{
	struct pq_buf tmp = PQ_BUF_INIT;

	/* s/.*\@//: the first line holding an '@' loses all up to its last '@'. */
	size_t start = 0, cut = 0;
	bool found = false;
	for (size_t ls = 0; ls <= len && !found;) {
		size_t le = ls;
		while (le < len && a[le] != '\n')
			le++;
		for (size_t i = le; i > ls; i--) {
			if (a[i - 1] == '@') {
				start = ls;
				cut = i;
				found = true;
				break;
			}
		}
		ls = le + 1;
	}
	pq_buf_reset(&tmp);
	if (found) {
		pq_buf_add(&tmp, a, start);
		pq_buf_add(&tmp, a + cut, len - cut);
	} else {
		pq_buf_add(&tmp, a, len);
	}

	/* s/\.\././g */
	pq_buf_reset(out);
	pq_buf_reserve(out, tmp.len);
	for (size_t i = 0; i < tmp.len; i++) {
		pq_buf_addc(out, tmp.data[i]);
		if (tmp.data[i] == '.' && i + 1 < tmp.len && tmp.data[i + 1] == '.')
			i++;
	}

	/*
	 * s/\.?(.+?)\.?$/$1/: '$' is the end or just before a final newline,
	 * and '.' never crosses a newline, so only the last line can match.
	 */
	const char *s = out->data ? out->data : "";
	size_t n = out->len;
	size_t end = (n > 0 && s[n - 1] == '\n') ? n - 1 : n;
	size_t line = end;
	while (line > 0 && s[line - 1] != '\n')
		line--;
	if (end > line) {
		size_t from = (s[line] == '.' && end - line >= 2) ? line + 1 : line;
		size_t to = (s[end - 1] == '.' && end - 1 >= from + 1) ? end - 1 : end;
		pq_buf_reset(&tmp);
		pq_buf_add(&tmp, s, line);
		pq_buf_add(&tmp, s + from, to - from);
		pq_buf_add(&tmp, s + end, n - end);
		pq_buf_reset(out);
		pq_buf_add(out, tmp.data, tmp.len);
	}
	pq_buf_free(&tmp);
}

bool pq_qshape_parent(struct pq_buf *dom)
{
	/* s/^(?:\.)?[^.]+\.(.*\.)/.$1/ */
	const char *s = dom->data;
	size_t n = dom->len;
	if (n == 0)
		return false;
	size_t p = s[0] == '.' ? 1 : 0;
	size_t r = p;
	while (r < n && s[r] != '.')
		r++;
	if (r == p || r >= n)
		return false;
	bool dot = false;
	for (size_t i = r + 1; i < n && s[i] != '\n'; i++)
		if (s[i] == '.') {
			dot = true;
			break;
		}
	if (!dot)
		return false;
	/* "." + $1 + the rest is "." + everything after that first dot. */
	memmove(dom->data + 1, dom->data + r + 1, n - r - 1);
	dom->data[0] = '.';
	dom->len = n - r;
	dom->data[dom->len] = 0;
	return true;
}

struct key {
	const char *p;
	size_t n;
};

static bool is_row(const void *item, const void *key)
{
	const struct pq_qshape_row *row = item;
	const struct key *k = key;

	return row->len == k->n && memcmp(row->key, k->p, k->n) == 0;
}

static struct pq_qshape_row *lookup(struct pq_qshape *q, const char *key,
				    size_t len)
{
	struct key k = { key, len };
	bool isnew;
	struct pq_hslot *s = pq_htab_insert(&q->rows, pq_hash(key, len),
					    is_row, &k, &isnew);

	if (isnew) {
		struct pq_qshape_row *row = pq_xcalloc(1, sizeof(*row));
		row->key = pq_xmalloc(len + 1);
		memcpy(row->key, key, len);
		row->key[len] = 0;
		row->len = len;
		s->v.p = row;
	}
	return s->v.p;
}

static void bump(struct pq_qshape_row *row, size_t b)
{
	if (b >= row->ncounts) {
		size_t n = row->ncounts ? row->ncounts : 4;
		while (n <= b)
			n *= 2;
		unsigned long *c = realloc(row->counts, n * sizeof(*c));
		if (c == NULL)
			pq_oom(0);
		memset(c + row->ncounts, 0, (n - row->ncounts) * sizeof(*c));
		row->counts = c;
		row->ncounts = n;
	}
	row->counts[0]++;
	row->counts[b]++;
}

void pq_qshape_add_key(struct pq_qshape *q, size_t b, const char *key,
		       size_t len)
{
	struct pq_qshape_row *row = lookup(q, key, len);

	row->raw = true;
	bump(&q->total, b);
	bump(row, b);
}

void pq_qshape_add_address(struct pq_qshape *q, size_t b, const char *addr,
			   size_t len)
{
	struct pq_buf *dom = &q->dom;
	struct pq_buf lc = PQ_BUF_INIT;

	bump(&q->total, b);
	/* lc() of a byte string changes A-Z only. */
	pq_buf_reserve(&lc, len);
	for (size_t i = 0; i < len; i++) {
		char c = addr[i];
		pq_buf_addc(&lc, c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	if (len == 0)
		pq_buf_set(&lc, "MAILER-DAEMON");
	pq_qshape_domain(dom, lc.data ? lc.data : "", lc.len);
	pq_buf_free(&lc);

	bool is_new = false;
	do {
		struct pq_qshape_row *row = lookup(q, dom->data ? dom->data : "",
						   dom->len);
		bool old = row->ncounts > 0 && row->counts[0] > 0;
		bump(row, b);
		if (is_new)
			row->sub++;
		is_new = !old;
	} while (q->conf.parents && pq_qshape_parent(dom));
}

static void add_counts(struct pq_qshape_row *to, const struct pq_qshape_row *from)
{
	if (from->ncounts == 0)
		return;
	if (to->ncounts < from->ncounts) {
		unsigned long *c = realloc(to->counts, from->ncounts * sizeof(*c));
		if (c == NULL)
			pq_oom(0);
		memset(c + to->ncounts, 0, (from->ncounts - to->ncounts) * sizeof(*c));
		to->counts = c;
		to->ncounts = from->ncounts;
	}
	for (size_t i = 0; i < from->ncounts; i++)
		to->counts[i] += from->counts[i];
}

void pq_qshape_merge(struct pq_qshape *into, const struct pq_qshape *from)
{
	add_counts(&into->total, &from->total);
	into->messages += from->messages;
	struct pq_hslot *s;
	size_t i = 0;

	while ((s = pq_htab_next(&from->rows, &i)) != NULL) {
		const struct pq_qshape_row *r = s->v.p;
		struct pq_qshape_row *t = lookup(into, r->key, r->len);
		t->raw = t->raw || r->raw;
		add_counts(t, r);
	}
}

void pq_qshape_recount_subdomains(struct pq_qshape *q)
{
	if (!q->conf.parents)
		return;
	struct pq_qshape_row **rows = pq_xmalloc((q->rows.used + 1) * sizeof(*rows));
	struct pq_hslot *s;
	size_t n = 0, it = 0;

	while ((s = pq_htab_next(&q->rows, &it)) != NULL) {
		struct pq_qshape_row *row = s->v.p;
		row->sub = 0;
		if (!row->raw)
			rows[n++] = row;
	}
	for (size_t i = 0; i < n; i++) {
		pq_buf_reset(&q->dom);
		pq_buf_add(&q->dom, rows[i]->key, rows[i]->len);
		if (pq_qshape_parent(&q->dom))
			lookup(q, q->dom.data, q->dom.len)->sub++;
	}
	free(rows);
}

static unsigned long count_of(const struct pq_qshape_row *r, size_t i)
{
	return i < r->ncounts ? r->counts[i] : 0;
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct pq_qshape_row *a = *(const struct pq_qshape_row *const *)pa;
	const struct pq_qshape_row *b = *(const struct pq_qshape_row *const *)pb;
	unsigned long ca = count_of(a, 0), cb = count_of(b, 0);

	if (ca != cb)
		return ca > cb ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	int c = memcmp(a->key, b->key, a->len);
	if (c != 0)
		return c;
	return (int)b->total - (int)a->total;
}

struct pq_qshape_row **pq_qshape_rows(struct pq_qshape *q, double top,
				      size_t *n)
{
	struct pq_qshape_row **v = pq_xmalloc((q->rows.used + 1) * sizeof(*v));
	struct pq_hslot *s;
	size_t k = 0, it = 0;

	v[k++] = &q->total;
	while ((s = pq_htab_next(&q->rows, &it)) != NULL)
		v[k++] = s->v.p;
	/* a total order: the table's order must not show */
	qsort(v, k, sizeof(*v), row_cmp);

	size_t out = 0;
	double shown = 0;
	for (size_t i = 0; i < k; i++) {
		/* qshape skips every ".name" row with too few subdomains. */
		if (!v[i]->total && !v[i]->raw && v[i]->len > 0
		    && v[i]->key[0] == '.'
		    && (double)v[i]->sub < q->conf.minsub)
			continue;
		if (top > 0 && ++shown > top)
			break;
		v[out++] = v[i];
	}
	*n = out;
	return v;
}

void pq_qshape_headings(const struct pq_qshape_conf *c, struct pq_buf *out,
			size_t *offsets)
{
	struct pq_pnum t = pq_pnum_from_uv(0);
	size_t plus = 0;
	size_t ncols = pq_qshape_columns(c);

	pq_buf_reset(out);
	for (size_t i = 0; i < ncols;) {
		offsets[i] = out->len;
		if (i == 0) {
			pq_buf_adds(out, "T");
		} else {
			pq_pnum_format(out, t);
			for (size_t k = 0; k < plus; k++)
				pq_buf_addc(out, '+');
		}
		pq_buf_addc(out, 0);
		if ((double)++i < c->bnum) {
			bool t_true = t.is_int ? t.uv != 0 : t.nv != 0;
			t = pq_pnum_add(t, (t_true && !c->linear) ? t : c->tick);
		} else {
			plus++;
		}
	}
}

/* Perl's conversion of a double to an integer count or offset. */
static long perl_iv(double v)
{
	if (!(v > -9.2e18 && v < 9.2e18))
		return v > 0 ? LONG_MAX : 0;
	return (long)v;
}

/* How many bytes of a key a cut_tail row shows before its '+'. */
static size_t cut_keep(double dw, const char *key, size_t len)
{
	if ((double)len <= dw)
		return len;
	long keep = perl_iv(dw - 1);
	/* never split a UTF-8 sequence */
	while (keep > 0 && ((unsigned char)key[keep] & 0xC0) == 0x80)
		keep--;
	return keep > 0 ? (size_t)keep : 0;
}

static void print_key(FILE *out, double dw, bool cut_tail, const char *key,
		      size_t len)
{
	if (cut_tail && (double)len > dw) {
		long room = perl_iv(dw - 1), keep = (long)cut_keep(dw, key, len);
		if (keep > 0)
			fwrite(key, 1, (size_t)keep, out);
		fputc('+', out);
		for (; keep < room; keep++)
			fputc(' ', out);
	} else if ((double)len > dw) {
		long off, cnt;
		if (len > 0 && key[0] == '.') {
			fputs(".+", out);
			off = perl_iv((double)len - dw + 2);
			cnt = perl_iv(dw - 2);
		} else {
			fputc('+', out);
			off = perl_iv((double)len - dw + 1);
			cnt = perl_iv(dw - 1);
		}
		if (off < 0)
			off = 0;
		if ((size_t)off < len && cnt > 0) {
			size_t take = len - (size_t)off;
			if ((size_t)cnt < take)
				take = (size_t)cnt;
			fwrite(key + off, 1, take, out);
		}
	} else {
		for (long i = perl_iv(dw - (double)len); i > 0; i--)
			fputc(' ', out);
		fwrite(key, 1, len, out);
	}
}

struct cut_row {
	struct pq_qshape_row *row;
	size_t keep;		/* bytes shown; < len: cut */
};

static int cut_cmp(const void *pa, const void *pb)
{
	const struct cut_row *a = pa, *b = pb;
	bool ca = a->keep < a->row->len, cb = b->keep < b->row->len;

	if (ca != cb)
		return ca ? 1 : -1;
	if (a->keep != b->keep)
		return a->keep < b->keep ? -1 : 1;
	return memcmp(a->row->key, b->row->key, a->keep);
}

/*
 * The rows of a cut_tail table, rows that print the same label merged:
 * reason classes that differ only past the column width would otherwise
 * show as two rows with the same text. The merged rows live in *made
 * (freed with free_made); the array is sorted and cut to top as
 * pq_qshape_rows does.
 */
static struct pq_qshape_row **merged_rows(struct pq_qshape *q, double dw, double top,
					  size_t *n, struct pq_qshape_row **made,
					  size_t *nmade)
{
	size_t k;
	struct pq_qshape_row **all = pq_qshape_rows(q, 0, &k);
	struct cut_row *c = pq_xcalloc(k ? k : 1, sizeof(*c));
	struct pq_qshape_row **v = pq_xcalloc(k + 1, sizeof(*v));
	size_t nc = 0, out = 0;

	*made = pq_xcalloc(k ? k : 1, sizeof(**made));
	*nmade = 0;
	for (size_t i = 0; i < k; i++) {
		if (all[i]->total) {
			v[out++] = all[i];
			continue;
		}
		c[nc].row = all[i];
		c[nc].keep = cut_keep(dw, all[i]->key, all[i]->len);
		nc++;
	}
	qsort(c, nc, sizeof(*c), cut_cmp);
	for (size_t i = 0; i < nc;) {
		size_t j = i + 1;
		while (j < nc && cut_cmp(&c[i], &c[j]) == 0)
			j++;
		if (j == i + 1) {
			v[out++] = c[i].row;
		} else {
			struct pq_qshape_row *m = &(*made)[(*nmade)++];
			*m = *c[i].row;
			m->ncounts = 0;
			for (size_t r = i; r < j; r++)
				if (c[r].row->ncounts > m->ncounts)
					m->ncounts = c[r].row->ncounts;
			m->counts = pq_xcalloc(m->ncounts ? m->ncounts : 1, sizeof(*m->counts));
			for (size_t r = i; r < j; r++)
				for (size_t b = 0; b < c[r].row->ncounts; b++)
					m->counts[b] += c[r].row->counts[b];
			v[out++] = m;
		}
		i = j;
	}
	qsort(v, out, sizeof(*v), row_cmp);
	if (top > 0 && (double)out > top)
		out = (size_t)top;
	free(c);
	free(all);
	*n = out;
	return v;
}

static void free_made(struct pq_qshape_row *made, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(made[i].counts);
	free(made);
}

struct layout {
	size_t ncols;
	struct pq_buf heads;
	size_t *offsets;
	int *widths;
	double dw;
};

static void layout_init(struct layout *l, const struct pq_qshape *q)
{
	l->ncols = pq_qshape_columns(&q->conf);
	l->heads = (struct pq_buf) PQ_BUF_INIT;
	l->offsets = calloc(l->ncols, sizeof(*l->offsets));
	l->widths = calloc(l->ncols, sizeof(*l->widths));
	if (l->offsets == NULL || l->widths == NULL)
		pq_oom(0);
	pq_qshape_headings(&q->conf, &l->heads, l->offsets);
	l->dw = q->conf.width;
	for (size_t i = 0; i < l->ncols; i++) {
		char num[32];
		size_t w = (size_t)snprintf(num, sizeof(num), "%lu",
					    count_of(&q->total, i));
		size_t hl = strlen(l->heads.data + l->offsets[i]);
		if (hl >= w)
			w = hl;
		w = w > 2 ? w + 1 : 3;
		l->widths[i] = (int)w;
		l->dw -= (double)w;
	}
	if (l->dw < 18)
		l->dw = 18;
}

static void layout_free(struct layout *l)
{
	pq_buf_free(&l->heads);
	free(l->offsets);
	free(l->widths);
}

void pq_qshape_print(struct pq_qshape *q, FILE *out, double top,
		     const char *clear)
{
	struct layout l;
	size_t n;

	layout_init(&l, q);
	if (clear)
		fputs(clear, out);
	print_key(out, l.dw, false, "", 0);
	for (size_t i = 0; i < l.ncols; i++)
		fprintf(out, "%*s", l.widths[i], l.heads.data + l.offsets[i]);
	fputc('\n', out);

	struct pq_qshape_row *made = NULL;
	size_t nmade = 0;
	struct pq_qshape_row **rows = q->conf.cut_tail
		? merged_rows(q, l.dw, top, &n, &made, &nmade)
		: pq_qshape_rows(q, top, &n);
	for (size_t r = 0; r < n; r++) {
		print_key(out, l.dw, q->conf.cut_tail, rows[r]->key, rows[r]->len);
		for (size_t i = 0; i < l.ncols; i++)
			fprintf(out, "%*lu", l.widths[i], count_of(rows[r], i));
		fputc('\n', out);
	}
	free(rows);
	free_made(made, nmade);
	layout_free(&l);
}

static void json_counts(FILE *out, const struct pq_qshape_row *r, size_t ncols)
{
	fputc('[', out);
	for (size_t i = 0; i < ncols; i++)
		fprintf(out, "%s%lu", i ? ", " : "", count_of(r, i));
	fputc(']', out);
}

void pq_qshape_print_json(struct pq_qshape *q, FILE *out, double top,
			  bool utf8)
{
	struct layout l;
	struct pq_buf scratch = PQ_BUF_INIT;
	size_t n;

	layout_init(&l, q);
	fputs("{\"columns\": [", out);
	for (size_t i = 0; i < l.ncols; i++)
		fprintf(out, "%s\"%s\"", i ? ", " : "",
			pq_json_quote(&scratch, l.heads.data + l.offsets[i], utf8));
	fputs("], \"bucket_minutes\": ", out);
	struct pq_buf t = PQ_BUF_INIT;
	pq_pnum_format(&t, q->conf.tick);
	fprintf(out, "%s, \"linear\": %s, \"total\": ", pq_buf_str(&t),
		q->conf.linear ? "true" : "false");
	pq_buf_free(&t);
	json_counts(out, &q->total, l.ncols);
	fputs(", \"rows\": [", out);
	struct pq_qshape_row **rows = pq_qshape_rows(q, top, &n);
	bool first = true;
	for (size_t r = 0; r < n; r++) {
		if (rows[r]->total)
			continue;
		fprintf(out, "%s{\"name\": \"%s\", ", first ? "" : ", ",
			pq_json_quote(&scratch, rows[r]->key, utf8));
		if (q->conf.parents && rows[r]->len > 0 && rows[r]->key[0] == '.')
			fprintf(out, "\"subdomains\": %lu, ", rows[r]->sub);
		fputs("\"counts\": ", out);
		json_counts(out, rows[r], l.ncols);
		fputc('}', out);
		first = false;
	}
	fputs("]}\n", out);
	free(rows);
	pq_buf_free(&scratch);
	layout_free(&l);
}
