/*
 * scan.c - one log line, exactly as pflogsumm 1.1.5-8's main loop
 * treats it (the Perl is quoted where the C is not obvious).
 *
 * Every line goes through lib/log's classifier (pq_ml_split_frame,
 * pq_ml_classify), the one postq's other log consumers count with, and
 * what it counts (received, delivered, deferred, bounced, rejected,
 * held, discarded, expired) is tallied from its fields (pfl_pre's
 * classified(), pfl_apply's PK_* kinds). pflogsumm's own view of a line
 * is its regular expressions, unanchored and with quirks the report
 * keeps on purpose; pfl_pre checks that they would see the event the
 * classifier saw, and where they could see more or other (a '>' inside
 * an address, a "from=<" in a bounce text, a cleanup line without
 * [pid]...) the line takes the replicas of those expressions below
 * instead (PK_GENERIC, also the way of everything the classifier does
 * not count: warnings, master, smtp failures, connection times).
 *
 * Memory: per-queue-id state (size, received-from, deferred flag) is
 * dropped at the "QID: removed" line, where pflogsumm keeps it forever;
 * what its report could still need of it is kept (ledger.c, and a
 * message still waiting for its sender stays).
 */
#include "pfl.h"

#include "common/die.h"
#include "util/diag.h"
#include "util/hash.h"
#include "log/maillog.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define isdig pfl_isdig
#define isspc pfl_isspc
#define isword pfl_isword


void pfl_init(struct pfl *P)
{
	pq_strmap_init(&P->recip_dom, sizeof(struct dom_stat));
	pq_strmap_init(&P->sendg_dom, sizeof(struct dom_stat));
	pq_strmap_init(&P->recip_user, sizeof(struct dom_stat));
	pq_strmap_init(&P->sendg_user, sizeof(struct dom_stat));
	pq_strmap_init(&P->smtpd_dom, sizeof(struct smtpd_stat));
	pq_strmap_init(&P->qids, sizeof(struct qstate));
	pq_strmap_init(&P->conns, sizeof(struct conn));
	pq_strmap_init(&P->no_size, sizeof(char *));
	pq_strmap_init(&P->detail, sizeof(struct strvec));
	pq_strmap_init(&P->hosts, sizeof(struct host_stat));
	struct nest *ns[] = { &P->deferred, &P->bounced, &P->rejects, &P->warns, &P->holds,
		&P->discards, &P->smtp_msgs, &P->warnings, &P->fatals, &P->panics, &P->master };
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		pq_strmap_init(&ns[i]->kids, sizeof(struct nest));
	P->cur_day = -1;
}

struct nest *nest_child(struct nest *n, const char *k, size_t kn)
{
	bool isnew;
	struct nest *c = pq_strmap_put(&n->kids, k, kn, &isnew);
	if (isnew)
		pq_strmap_init(&c->kids, sizeof(struct nest));
	return c;
}

static void nest_free_cb(void *v)
{
	nest_free(v);
}

void nest_free(struct nest *n)
{
	pq_strmap_free(&n->kids, nest_free_cb);
}

static void strvec_push(struct strvec *v, const char *s, size_t n)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 4;
		v->v = realloc(v->v, v->cap * sizeof(*v->v));
		if (v->v == NULL)
			pq_fatal(PQ_EX_OSERR, "out of memory");
	}
	char *c = malloc(n + 1);
	if (c == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	memcpy(c, s, n);
	c[n] = 0;
	v->v[v->n++] = c;
}

static long day_index(struct pfl *P, long key)
{
	for (size_t i = P->ndays; i-- > 0;)
		if (P->days[i].key == key)
			return (long)i;
	if (P->ndays == P->days_cap) {
		P->days_cap = P->days_cap ? P->days_cap * 2 : 16;
		P->days = realloc(P->days, P->days_cap * sizeof(*P->days));
		if (P->days == NULL)
			pq_fatal(PQ_EX_OSERR, "out of memory");
	}
	memset(&P->days[P->ndays], 0, sizeof(P->days[0]));
	P->days[P->ndays].key = key;
	return (long)P->ndays++;
}

/* ${$msgsPerDay{$revMsgDateStr}}[col] op */
static void day_inc(struct pfl *P, int col)
{
	long idx = P->cur_day;
	if (idx < 0)
		idx = day_index(P, LONG_MIN);
	struct day_stat *d = &P->days[idx];
	d->v[col]++;
	if (d->ncols < col + 1)
		d->ncols = col + 1;
}

static struct host_stat *host_of(struct pfl *P, const struct pq_ml_frame *f)
{
	if (!P->o.per_host)
		return NULL;
	return pq_strmap_put(&P->hosts, f->host.p, f->host.n, NULL);
}

/*
 * The keys proc_smtpd_reject($logLine, ...) counts a reject line under:
 * a pure function of the line and the options, so the reading thread
 * works it out (pfl_pre) and the tallying thread only counts. The
 * strings are in sc's buffers (reas in t1, data in t4).
 */
static void reject_keys(const struct pfl_opts *o, struct pfl_scratch *sc, const char *s, size_t n,
    const char **typp, size_t *typnp)
{
	/* /^.* \b(?:reject(?:_warning)?|hold|discard): (\S+) from (\S+?): (.*)$/ */
	const char *typ = "", *from = "", *rmdr = "";
	size_t typn = 0, fromn = 0, rmdrn = 0;
	/* candidates end in ": ": visit the colons from the right */
	for (size_t ci = n; ci > 0;) {
		const char *cp = memrchr(s, ':', ci);
		if (cp == NULL)
			break;
		ci = (size_t)(cp - s);
		if (ci + 1 >= n || s[ci + 1] != ' ')
			continue;
		size_t j = 0;
		if (ci >= 15 && memcmp(s + ci - 15, " reject_warning", 15) == 0)
			j = ci + 2;
		else if (ci >= 7 && memcmp(s + ci - 7, " reject", 7) == 0)
			j = ci + 2;
		else if (ci >= 5 && memcmp(s + ci - 5, " hold", 5) == 0)
			j = ci + 2;
		else if (ci >= 8 && memcmp(s + ci - 8, " discard", 8) == 0)
			j = ci + 2;
		if (!j)
			continue;
		size_t a = j;
		while (j < n && !isspc((unsigned char)s[j]))
			j++;
		if (j == a || !has_prefix(s + j, n - j, " from "))
			continue;
		size_t f = j + 6, q = f;
		for (;; q++) {	/* the byte class first: most bytes are neither ':' nor \s */
			while (q < n && !pfl_iscolspc(s[q]))
				q++;
			if (q >= n || isspc((unsigned char)s[q]) || (q > f && q + 1 < n && s[q + 1] == ' '))
				break;
		}
		if (q == f || q + 1 >= n || s[q] != ':' || s[q + 1] != ' ')
			continue;
		typ = s + a;
		typn = j - a;
		from = s + f;
		fromn = q - f;
		rmdr = s + q + 2;
		rmdrn = n - q - 2;
		break;
	}
	struct pq_buf *reas = &sc->t1, *to = &sc->t2, *fr = &sc->t3, *data = &sc->t4;
	pq_buf_reset(reas);
	pq_buf_add(reas, rmdr, rmdrn);
	if (!o->verbose)
		reject_reason(typ, typn, reas);
	/* to */
	pq_buf_reset(to);
	bool got = false;
	for (const char *p = rmdr, *e = rmdr + rmdrn; !got && (p = find_lit_at(p, (size_t)(e - p), "to=<", 3));) {
		const char *a = p + 4, *g = memchr(a, '>', (size_t)(e - a));
		if (g && g > a) {
			pq_buf_add(to, a, (size_t)(g - a));
			got = true;
		}
		p++;
	}
	for (size_t i = 0; !got && i + 3 < rmdrn; i++) {
		/* /\d{3} <([^>]+)>: User unknown / */
		if (!(isdig(rmdr[i]) && isdig(rmdr[i + 1]) && isdig(rmdr[i + 2]) && rmdr[i + 3] == ' '))
			continue;
		if (i + 4 >= rmdrn || rmdr[i + 4] != '<')
			continue;
		const char *a = rmdr + i + 5, *e = rmdr + rmdrn;
		const char *g = memchr(a, '>', (size_t)(e - a));
		if (g && g > a && has_prefix(g, (size_t)(e - g), ">: User unknown ")) {
			pq_buf_add(to, a, (size_t)(g - a));
			got = true;
		}
	}
	if (!got) {
		const char *e = rmdr + rmdrn, *p = find_lit(rmdr, rmdrn, "to=<");
		if (p) {
			const char *a = p + 4, *q = a;
			while (q < e && *q != ',' && *q != ' ')
				q++;
			pq_buf_add(to, a, (size_t)(q - a));
			got = true;
		}
	}
	if (!got)
		pq_buf_adds(to, "<>");
	if (o->i)
		lc_buf(to, 0);
	/* from */
	pq_buf_reset(fr);
	got = false;
	for (const char *p = rmdr, *e = rmdr + rmdrn; !got && (p = find_lit_at(p, (size_t)(e - p), "from=<", 5));) {
		const char *a = p + 6, *g = memchr(a, '>', (size_t)(e - a));
		if (g && g > a) {
			pq_buf_add(fr, a, (size_t)(g - a));
			got = true;
		}
		p++;
	}
	if (!got)
		pq_buf_adds(fr, "<>");
	verp_mung(o, fr);
	if (o->i)
		lc_buf(fr, 0);
	bool add_from = o->rej_add_from;

	const char *r = reas->data ? reas->data : "";
	size_t rn = reas->len;
	pq_buf_reset(data);
	if (has_prefix(r, rn, "Sender address rejected:")) {
		pq_buf_add(data, fr->data, fr->len);
	} else if (has_prefix(r, rn, "Recipient address rejected:") ||
	    (has_prefix(r, rn, "User unknown") && (rn == 12 || r[12] == ' '))) {
		pq_buf_add(data, to->data, to->len);
		if (add_from) {
			pq_buf_adds(data, "  (");
			if (perl_true(fr->data, fr->len)) {
				pq_buf_add(data, fr->data, fr->len);
			} else {
				gimme_domain(from, fromn, &sc->t5);
				pq_buf_add(data, sc->t5.data, sc->t5.len);
			}
			pq_buf_adds(data, ")");
		}
	} else {
		static const char *phr[] = { " Improper use of SMTP command pipelining;",
			" Message size exceeds fixed limit;", " Server configuration error;",
			" Server configuration problem;" };
		int which = -1;
		size_t pos = 0;
		for (int k = 0; k < 4 && which < 0; k++) {
			for (const char *p = r, *e = r + rn; (p = find_lit(p, (size_t)(e - p), phr[k]));) {
				size_t at = (size_t)(p - r);
				if (at >= 3 && isdig(r[at - 1]) && isdig(r[at - 2]) && isdig(r[at - 3])) {
					which = k;
					pos = at;
					break;
				}
				p++;
			}
			/* pipelining is tested before the others: stop at the first hit in Perl's order */
		}
		(void)pos;
		if (which == 0) {
			pq_buf_set(reas, "Improper use of SMTP command pipelining");
			/* my ($src) = $logLine =~ /^.+? from (\S+?):.*$/; */
			for (const char *p = s + 1, *e = s + n; (p = find_lit(p, (size_t)(e - p), " from "));) {
				const char *a = p + 6, *q = a;
				while (q < e && !isspc((unsigned char)*q) && !(*q == ':' && q > a))
					q++;
				if (q > a && q < e && *q == ':') {
					pq_buf_add(data, a, (size_t)(q - a));
					break;
				}
				p++;
			}
		} else {
			if (which == 1)
				pq_buf_set(reas, "Message size exceeds fixed limit");
			else if (which == 2)
				pq_buf_set(reas, "(Local) Server configuration error");
			else if (which == 3)
				pq_buf_set(reas, "(Local) Server configuration problem");
			gimme_domain(from, fromn, data);
			if (add_from) {
				pq_buf_adds(data, "  (");
				pq_buf_add(data, fr->data, fr->len);
				pq_buf_adds(data, ")");
			}
		}
	}
	if (o->rej_add_to && !(has_prefix(r, rn, "Recipient address rejected:") ||
	    (has_prefix(r, rn, "User unknown") && (rn == 12 || r[12] == ' ')))) {
		/* --rej-add-to (extension): the recipient, as --rej-add-from adds the sender */
		pq_buf_adds(data, "  (");
		pq_buf_add(data, to->data, to->len);
		pq_buf_adds(data, ")");
	}
	*typp = typ;
	*typnp = typn;
}

/* proc_smtpd_reject($logLine, \%rejects, \$count, ...): the counting. */
static void proc_smtpd_reject(struct pfl *P, const struct pfl_pre *pr, const char *arena, struct nest *rej,
    long long *count, int hr, struct host_stat *hs)
{
	(*count)++;
	P->rej_hr[hr]++;
	day_inc(P, 4);
	if (hs)
		hs->rjct++;
	if (P->o.reject_detail == 0)
		return;
	const char *typ, *reas, *data;
	size_t typn, reasn, datan;
	if (pr->u.g.rej) {
		struct pfl_rej r;
		memcpy(&r, arena + pr->u.g.rej - 1, sizeof(r));
		typ = pr->rest + r.typ;
		typn = r.typn;
		reas = arena + pr->u.g.rej - 1 + sizeof(r);
		reasn = r.reasn;
		data = reas + reasn;
		datan = r.datan;
	} else {
		/* pfl_pre left it to this thread (see pfl_reader.rej_to_apply) */
		reject_keys(&P->o, &P->sc, pr->rest, pr->rn, &typ, &typn);
		reas = P->sc.t1.data ? P->sc.t1.data : "";
		reasn = P->sc.t1.len;
		data = P->sc.t4.data ? P->sc.t4.data : "";
		datan = P->sc.t4.len;
	}
	struct nest *t = nest_child(rej, typ, typn);
	struct nest *rr = nest_child(t, reas, reasn);
	nest_child(rr, data, datan)->cnt++;
}

/* Apply -m, case and -i munging to an address in b. */
static void munge_addr(struct pfl *P, struct pq_buf *b)
{
	if (P->o.m)
		uucp_mung(b);
	addr_case(b, P->o.i);
}

/*
 * The message is gone ("QID: removed", or cleanup rejected or discarded
 * it): what pflogsumm would still remember of it goes to the ledger and
 * its entry goes. At "removed", not while it waits for its sender
 * (keep_waiting: client= or pickup seen, from= not yet): in merged logs
 * of several hosts, or files given out of order, the from= line can
 * come after the removal, and pflogsumm counts the sender then. A
 * rejected message never gets a from= line, and keeping those would
 * grow with the spam. One pq_hash of the queue id serves as its map hash
 * and its ledger fingerprint.
 */
static void qstate_drop(struct pfl *P, const char *q, size_t qn, bool keep_waiting)
{
	uint64_t h = pq_hash(q, qn);
	struct qstate *st = pq_strmap_get_h(&P->qids, h, q, qn);
	if (st && !(keep_waiting && st->rcvd)) {
		if (st->size_true || st->dfrd)
			ledger_put(&P->removed, h,
			    (uint64_t)st->size << 2 | (uint64_t)st->size_true << 1 | st->dfrd);
		free(st->rcvd);
		pq_strmap_del_h(&P->qids, h, q, qn);
	}
}

/* The state of a queue id; a removed one comes back as pflogsumm remembers it. */
static struct qstate *qget(struct pfl *P, const char *q, size_t qn, bool create)
{
	uint64_t h = pq_hash(q, qn);
	struct qstate *st = pq_strmap_get_h(&P->qids, h, q, qn);
	if (st || (!create && ledger_empty(&P->removed)))
		return st;
	uint64_t v;
	bool known = ledger_get(&P->removed, h, &v);
	if (!create && !known)
		return NULL;
	st = pq_strmap_put_h(&P->qids, h, q, qn, NULL);
	if (known) {
		st->size = v >> 2;
		st->size_true = (v >> 1) & 1;
		st->dfrd = v & 1;
	}
	return st;
}

static void count_received(struct pfl *P, int hr, struct host_stat *hs)
{
	P->rcv_hr[hr]++;
	day_inc(P, 0);
	P->rcvd++;
	if (hs)
		hs->rcvd++;
}

/* days since 1970-01-01 of a proleptic Gregorian date */
static long days_from_civil(long y, long m, long d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void smtpd_stat_add(struct smtpd_stat *s, double t)
{
	s->cnt++;
	s->sum += t;
	if (t > s->max)
		s->max = t;
}

/*
 * The program and queue id, pflogsumm's way:
 * m#^(?:postfix|$syslogName)(?:/(?:smtps|submission))?/([^\[:]*).*?: ([^:\s]+)#o ||
 * m#^((?:postfix)(?:-script)?)(?:\[\d+\])?: ([^:\s]+)#o
 * (the general case; pfl_pre reads the usual "postfix/daemon[pid]: "
 * straight from the syslog frame)
 */
static bool cmd_qid(const struct pfl_opts *o, const char *rest, size_t rn, const char **cmdp,
    size_t *cmdnp, const char **qidp, size_t *qidnp)
{
	const char *cmd = NULL, *qid = NULL;
	size_t cmdn = 0, qidn = 0;
	const char *names[2] = { "postfix", o->syslog_name ? o->syslog_name : "postfix" };
	for (int ni = 0; ni < 2 && !cmd; ni++) {
		size_t nl = strlen(names[ni]);
		if (!has_prefix(rest, rn, names[ni]))
			continue;
		size_t starts_at[2];
		int ns = 0;
		size_t p = nl;
		if (has_prefix(rest + p, rn - p, "/smtps/"))
			starts_at[ns++] = p + 7;
		else if (has_prefix(rest + p, rn - p, "/submission/"))
			starts_at[ns++] = p + 12;
		if (p < rn && rest[p] == '/')
			starts_at[ns++] = p + 1;
		for (int si = 0; si < ns && !cmd; si++) {
			size_t c = starts_at[si], i = c;
			while (i < rn && rest[i] != '[' && rest[i] != ':')
				i++;
			for (size_t k = i; k + 2 < rn; k++) {
				if (rest[k] == ':' && rest[k + 1] == ' ' && k + 2 < rn &&
				    rest[k + 2] != ':' && !isspc((unsigned char)rest[k + 2])) {
					size_t q = k + 2;
					while (q < rn && rest[q] != ':' && !isspc((unsigned char)rest[q]))
						q++;
					cmd = rest + c;
					cmdn = i - c;
					qid = rest + k + 2;
					qidn = q - k - 2;
					break;
				}
			}
		}
	}
	if (!cmd && has_prefix(rest, rn, "postfix")) {
		for (int scr = 1; scr >= 0 && !cmd; scr--) {
			size_t p = 7;
			if (scr) {
				if (!has_prefix(rest + p, rn - p, "-script"))
					continue;
				p += 7;
			}
			size_t cl = p;
			for (int pid = 1; pid >= 0 && !cmd; pid--) {
				size_t i = cl;
				if (pid) {
					if (i >= rn || rest[i] != '[')
						continue;
					size_t d = ++i;
					while (i < rn && isdig(rest[i]))
						i++;
					if (i == d || i >= rn || rest[i] != ']')
						continue;
					i++;
				}
				if (i + 2 < rn && rest[i] == ':' && rest[i + 1] == ' ' &&
				    rest[i + 2] != ':' && !isspc((unsigned char)rest[i + 2])) {
					size_t q = i + 2;
					while (q < rn && rest[q] != ':' && !isspc((unsigned char)rest[q]))
						q++;
					cmd = rest;
					cmdn = cl;
					qid = rest + i + 2;
					qidn = q - i - 2;
				}
			}
		}
	}
	*cmdp = cmd;
	*cmdnp = cmdn;
	*qidp = qid;
	*qidnp = qidn;
	return cmd != NULL;
}

/*
 * smtpd and postscreen lines: which of pflogsumm's
 * /\[\d+\]: \w+: client=(.+?)(,|$)/ (tried first) and
 * /\[\d+\]: \w+: (reject(?:_warning)?|hold|discard): / matches.
 */
/* q just after "[pid]: word: ": 1 for client=, else 0 and the reject kind in *rej */
static int smtpd_after_word(const char *q, const char *e, int *rej, struct pfl_pre *pr)
{
	if (has_prefix(q, (size_t)(e - q), "client=") && q + 7 < e) {
		const char *a = q + 7, *c = memchr(a + 1, ',', (size_t)(e - a - 1));
		/* a is in the line, at most PFL_LINE_MAX long */
		pr->u.g.val_off = (uint32_t)(a - pr->rest);
		pr->u.g.valn = (uint32_t)((c ? c : e) - a);
		return 1;
	}
	if (*rej == 0) {
		if (has_prefix(q, (size_t)(e - q), "reject: "))
			*rej = 2;
		else if (has_prefix(q, (size_t)(e - q), "reject_warning: "))
			*rej = 3;
		else if (has_prefix(q, (size_t)(e - q), "hold: "))
			*rej = 4;
		else if (has_prefix(q, (size_t)(e - q), "discard: "))
			*rej = 5;
	}
	return 0;
}

/*
 * One walk over the "[pid]: word: " positions serves both regexes.
 * first, if not NULL, is the first '[' of rest, where the frame already
 * found "[pid]: " followed by text: the caller then says in wordn how
 * long the \w+ run at text is if ": " follows it (else 0), which it
 * knows from the queue id scan, so the candidate that nearly always
 * matches costs no scan at all.
 */
static void smtpd_kind(const char *rest, size_t rn, const char *first, const char *text,
    size_t wordn, const char *resume, struct pfl_pre *pr)
{
	const char *e = rest + rn;
	int which = 0, rej = 0;	/* 1 client, 2.. reject kinds */
	const char *p = rest;
	if (first) {
		if (wordn)
			which = smtpd_after_word(text + wordn + 2, e, &rej, pr);
		p = resume ? resume : first + 1;
	}
	for (; which == 0 && (p = memchr(p, '[', (size_t)(e - p))) != NULL; p++) {
		const char *q = p + 1, *d = q;
		while (q < e && isdig(*q))
			q++;
		if (q == d || !has_prefix(q, (size_t)(e - q), "]: "))
			continue;
		q += 3;
		const char *w = q;
		while (q < e && isword((unsigned char)*q))
			q++;
		if (q == w || !has_prefix(q, (size_t)(e - q), ": "))
			continue;
		which = smtpd_after_word(q + 2, e, &rej, pr);
	}
	pr->smtpd_kind = (uint8_t)(which ? which : rej);
}

/*
 * Whether line may hold an 'I' (the rare byte of ": [ID "): one memchr
 * serves the run of lines up to the next 'I' in the buffer, where one
 * per line cost more than the rest of the framing.
 */
static bool may_have_I(struct pfl_reader *rd, const char *line, size_t len)
{
	const char *e = line + len;
	if (rd->iend == NULL || e > rd->iend)
		return memchr(line, 'I', len) != NULL;
	if (rd->ifrom == NULL || line < rd->ifrom || line >= rd->inext) {
		const char *i = memchr(line, 'I', (size_t)(rd->iend - line));
		rd->ifrom = line;
		rd->inext = i ? i : rd->iend;
	}
	return e > rd->inext;
}

/* a '<' in [p, e) after "from=" (lo: where the line starts): where /from=<([^>]*)>, size=/ could start */
static bool from_lt(const char *lo, const char *p, const char *e)
{
	for (; (p = memchr(p, '<', (size_t)(e - p))) != NULL; p++)
		if (p - lo >= 5 && memcmp(p - 5, "from=", 5) == 0)
			return true;
	return false;
}

static bool has_byte(struct pq_ml_str s, int c)
{
	return memchr(s.p, c, s.n) != NULL;
}

/* a 16-bit offset of p from t, or false */
static bool off16(const char *t, const char *p, uint16_t *out)
{
	if (p < t || p - t > UINT16_MAX)
		return false;
	*out = (uint16_t)(p - t);
	return true;
}

static bool len16(size_t n, uint16_t *out)
{
	if (n > UINT16_MAX)
		return false;
	*out = (uint16_t)n;
	return true;
}

/*
 * The kinds of a classified line that pfl_apply can tally from the
 * classifier's fields (pr->kind), where pflogsumm's regexes see the
 * same event: the program is NAME/DAEMON[pid] with the text starting
 * "QID: " (the caller has checked that, and that cmd is not smtpd or
 * postscreen), and what follows is checked here. pflogsumm's regexes
 * are not anchored to the fields, so a '>' inside an address, a
 * "from=<" in the text after a status or a ':' in a message-id could
 * make them match elsewhere: such lines stay PK_GENERIC.
 */
static void classified(const char *rest, size_t rn, enum pq_ml_daemon cid, const char *cmd,
    size_t cmdn, const struct pq_ml_frame *f, const struct pq_ml_event_info *ev, struct pfl_pre *pr)
{
	const char *t = f->text.p, *e = rest + rn;
	if (cid == PQ_ML_D_OTHER) {
		/* cmd is SERVICE/DAEMON or a daemon of no interest here */
		if (str_eq(cmd, cmdn, "cleanup"))
			cid = PQ_ML_D_CLEANUP;
		else if (str_eq(cmd, cmdn, "master") || memchr(cmd, '<', cmdn))
			return;
		else if (str_eq(cmd, cmdn, "smtp"))
			cid = PQ_ML_D_SMTP;
		else if (str_eq(cmd, cmdn, "pickup"))
			cid = PQ_ML_D_PICKUP;
	}
	if (cid == PQ_ML_D_CLEANUP) {
		/* /\/cleanup\[\d+\]: .*?\b((?:milter-)?reject|warning|hold|discard): (header|body|END-OF-MESSAGE) (.*)$/ */
		if (ev->type == PQ_ML_EV_MESSAGE_ID) {
			if (ev->reason.n > 0 && !memchr(ev->reason.p + 1, '<', ev->reason.n - 1) &&
			    !has_byte(ev->reason, ':'))
				pr->kind = PK_QUIET;
			return;
		}
		int k;
		switch (ev->type) {
		case PQ_ML_EV_REJECT: k = ev->milter ? 0 : 1; break;
		case PQ_ML_EV_CLEANUP_WARNING: k = 2; break;
		case PQ_ML_EV_HOLD: k = 3; break;
		case PQ_ML_EV_DISCARD: k = 4; break;
		default: return;
		}
		struct pq_ml_str st = ev->reject_stage;
		if (f->pid < 0 || st.p + st.n >= e || st.p[st.n] != ' ' ||
		    !(str_eq(st.p, st.n, "header") || str_eq(st.p, st.n, "body") ||
		    str_eq(st.p, st.n, "END-OF-MESSAGE")))
			return;
		pr->u.c.stage_off = (uint32_t)(st.p - rest);
		pr->u.c.stagen = (uint8_t)st.n;
		pr->u.c.k = (uint8_t)k;
		pr->kind = PK_CLEANUP;
		return;
	}
	if (cid == PQ_ML_D_MASTER)
		return;
	switch (ev->type) {
	case PQ_ML_EV_REMOVED:
		pr->kind = PK_REMOVED;
		return;
	case PQ_ML_EV_QMGR_FROM:
		/* the first from=<...>, size=N is the classifier's if the address has no '>' */
		if (has_byte(ev->from, '>') || !len16(ev->from.n, &pr->u.f.from_n) ||
		    !off16(t, ev->size.p, &pr->u.f.size_off) || !len16(ev->size.n, &pr->u.f.size_n))
			return;
		pr->kind = PK_FROM;
		return;
	case PQ_ML_EV_EXPIRED: {
		/* "from=<A>, status=expired, returned to sender" and nothing else */
		const char *se = ev->status.p + ev->status.n;
		if (has_byte(ev->from, '>') || cid == PQ_ML_D_SMTP || ev->status.p != ev->from.p + ev->from.n + 10 ||
		    !(e - se == 20 && memcmp(se, ", returned to sender", 20) == 0))
			return;
		pr->kind = PK_EXPIRED;
		return;
	}
	case PQ_ML_EV_PICKUP: {
		/* "uid=N from=<A>" and nothing else: only pflogsumm's pickup regex matches */
		const char *u = ev->qid.p + ev->qid.n + 2, *d = u + 4;
		if (cid != PQ_ML_D_PICKUP || !has_prefix(u, (size_t)(e - u), "uid=") || ev->from.n == 0 ||
		    has_byte(ev->from, '>') || ev->from.p + ev->from.n + 1 != e)
			return;
		while (d < e && isdig(*d))
			d++;
		if (d == u + 4 || d + 7 != ev->from.p || memcmp(d, " from=<", 7) != 0)
			return;
		pr->kind = PK_PICKUP;
		return;
	}
	case PQ_ML_EV_DELIVERY:
		/* status=(\S+): in a UTF-8 locale 0x85 and 0xA0 end it too */
		if (ev->loose || has_byte(ev->to, '>') || has_byte(ev->orig_to, '>') ||
		    from_lt(rest, ev->status.p, e) ||
		    (pfl_utf8 && (has_byte(ev->status, 0x85) || has_byte(ev->status, 0xa0))))
			return;
		if (!len16(ev->to.n, &pr->u.d.to_n) || !off16(t, ev->relay.p, &pr->u.d.relay_off) ||
		    !len16(ev->relay.n, &pr->u.d.relay_n) || !off16(t, ev->delay.p, &pr->u.d.delay_off) ||
		    !len16(ev->delay.n, &pr->u.d.delay_n) || !off16(t, ev->status.p, &pr->u.d.status_off) ||
		    !len16(ev->status.n, &pr->u.d.status_n))
			return;
		pr->kind = PK_DELIVERY;
		return;
	default:
		return;
	}
}

/*
 * pfl_pre - the part of a line's processing that depends only on the
 * line and the options (framing, filters, program and queue id, which
 * smtpd regex matches), so it can run ahead in the reader thread. The Solaris "[ID ...]" rewrite is
 * done in place (it only shortens the line).
 */
void pfl_pre(const struct pfl_opts *o, struct pfl_reader *rd, char *line, size_t len,
    struct pfl_pre *pr)
{
	struct pq_ml_frame f;

	pr->status = PRE_FILTERED;
	/* next if(defined($dateStr) && ! (/^${dateStr} / || /^${dateStrRFC3339}T/)); */
	if (o->have_date && !o->date_range) {
		size_t a = strlen(o->date_str), b = strlen(o->date_iso);
		if (!((len > a && memcmp(line, o->date_str, a) == 0 && line[a] == ' ') ||
		    (len > b && memcmp(line, o->date_iso, b) == 0 && line[b] == 'T')))
			return;
	}
	/* s/: \[ID \d+ [^\]]+\] /: /; */
	if (may_have_I(rd, line, len) && find_lit_at(line, len, ": [ID ", 4)) {
		for (char *p = line, *e = line + len; (p = (char *)find_lit_at(p, (size_t)(e - p), ": [ID ", 4));) {
			const char *q = p + 6, *d = q;
			while (q < e && isdig(*q))
				q++;
			if (q > d && q < e && *q == ' ') {
				const char *a = ++q;
				while (q < e && *q != ']')
					q++;
				if (q > a && q + 1 < e && q[1] == ' ') {
					size_t keep = (size_t)(p - line) + 2, tail = (size_t)(e - q - 2);
					memmove(line + keep, q + 2, tail);
					len = keep + tail;
					break;
				}
			}
			p++;
		}
	}
	enum pq_ml_bad bad = pq_ml_parse_frame_next(&rd->fc, line, len, &f);
	if (bad == PQ_ML_BAD_STAMP || bad == PQ_ML_BAD_HOST || f.stamp == PQ_ML_STAMP_RFC3164_FRAC ||
	    f.stamp == PQ_ML_STAMP_ISO_NOCOLON) {
		pr->status = PRE_SKIPPED;
		return;
	}
	/*
	 * In a UTF-8 locale Perl's \s also holds 0x85 and 0xA0: a host with
	 * one is no \S+, and pflogsumm's line patterns do not match.
	 */
	if (pfl_utf8 && (memchr(f.host.p, 0x85, f.host.n) || memchr(f.host.p, 0xa0, f.host.n))) {
		pr->status = PRE_SKIPPED;
		return;
	}
	if (o->host && !(f.host.n == strlen(o->host) && memcmp(f.host.p, o->host, f.host.n) == 0))
		return;
	int mon = f.mon < 0 ? 0 : f.mon;
	if (o->date_range) {
		int yr = (o->keep_year && f.year >= 0) ? f.year :
		    (mon > o->this_mon ? o->this_year - 1 : o->this_year);
		long k = (long)yr * 10000 + (mon + 1) * 100 + f.mday;
		if (k < o->range_lo || k > o->range_hi)
			return;
	}
	const char *rest = f.rest.p;
	size_t rn = f.rest.n;

	pr->status = PRE_GO;
	pr->rest = rest;	/* every position below is in the line: at most PFL_LINE_MAX */
	pr->rn = (uint32_t)rn;
	pr->host_back = (uint32_t)(rest - f.host.p);
	pr->hostn = (uint32_t)f.host.n;
	pr->year = (int16_t)(f.year > 9999 ? 9999 : f.year);
	pr->mon = (uint8_t)mon;
	pr->mday = (uint8_t)f.mday;
	pr->hour = (uint8_t)f.hour;
	pr->min = (uint8_t)f.min;
	pr->sec = (uint8_t)f.sec;

	/*
	 * $cmd and $qid. For "NAME[/SERVICE]/DAEMON[pid]: X..." with NAME
	 * "postfix" or --syslog-name's and X neither ':' nor \s, the first
	 * regex's cmd is DAEMON if SERVICE is none, smtps or submission,
	 * else SERVICE/DAEMON, and its lazy ".*?: " stops at the frame's
	 * ": ", so the qid is the text's first [^:\s]+; anything else takes
	 * the general path.
	 */
	const char *cmd = NULL, *qid = NULL;
	size_t cmdn = 0, qidn = 0;
	struct pq_ml_prog pp;
	struct pq_ml_event_info ev;
	bool isp = bad == PQ_ML_OK && pq_ml_split_frame(&f, o->syslog_name, &pp);
	if (isp)
		pq_ml_classify(&f, &pp, &ev);
	else
		ev.type = PQ_ML_EV_OTHER, ev.qid.n = ev.tag.n = 0;
	pr->expired = ev.type == PQ_ML_EV_EXPIRED;
	bool fast = isp && !o->generic_only && f.text.n > 0 && f.text.p[0] != ':' && !isspc((unsigned char)f.text.p[0]) &&
	    (str_eq(pp.syslog_name.p, pp.syslog_name.n, "postfix") || (o->syslog_name &&
	    pp.syslog_name.n == o->syslog_name_n && memcmp(pp.syslog_name.p, o->syslog_name, pp.syslog_name.n) == 0)) &&
	    pp.daemon.p != pp.syslog_name.p;	/* a '/' after the name */
	size_t wordn = 0;
	if (fast) {
		if (pp.service.n == 0 || str_eq(pp.service.p, pp.service.n, "smtps") ||
		    str_eq(pp.service.p, pp.service.n, "submission"))
			cmd = pp.daemon.p;
		else
			cmd = pp.service.p;
		cmdn = (size_t)(pp.daemon.p + pp.daemon.n - cmd);
		qid = f.text.p;
		if (ev.tag.n > 0) {
			/* letters and digits, then ": ": the regex's [^:\s]+, and \w+ for smtpd_kind */
			qidn = wordn = ev.tag.n;
		} else if (ev.type == PQ_ML_EV_CONNECT || ev.type == PQ_ML_EV_DISCONNECT || ev.type == PQ_ML_EV_LOST) {
			/* "connect from ", "disconnect from ", "lost connection after " */
			qidn = ev.type == PQ_ML_EV_CONNECT ? 7 : ev.type == PQ_ML_EV_DISCONNECT ? 10 : 4;
		} else {
			const char *q = f.text.p, *e = f.text.p + f.text.n;
			unsigned allword = PFL_WORD;
			for (unsigned t; q < e && !((t = pfl_ctype[(unsigned char)*q]) & (PFL_COLON | PFL_SPC)); q++)
				allword &= t;
			qidn = (size_t)(q - qid);
			/* smtpd_kind's \w+: at text */
			if (allword && qidn > 0 && e - q >= 2 && q[0] == ':' && q[1] == ' ')
				wordn = qidn;
		}
	} else if (!cmd_qid(o, rest, rn, &cmd, &cmdn, &qid, &qidn)) {
		cmd = NULL;
	}
	pr->has_cmd = cmd != NULL;
	if (cmd) {
		pr->cmd_off = (uint32_t)(cmd - rest);
		pr->cmdn = (uint32_t)cmdn;
		pr->qid_off = (uint32_t)(qid - rest);
		pr->qidn = (uint32_t)qidn;
	}
	pr->smtpd_kind = 0;
	pr->kind = PK_GENERIC;
	pr->u.g.rej = 0;
	if (!cmd)
		return;
	/* cmd as lib/log's daemon id, where cmd is the daemon */
	enum pq_ml_daemon cid = fast && cmd == pp.daemon.p ? pp.id : PQ_ML_D_OTHER;
	if (cid == PQ_ML_D_SMTPD || cid == PQ_ML_D_POSTSCREEN ||
	    (cid == PQ_ML_D_OTHER && (str_eq(cmd, cmdn, "smtpd") || str_eq(cmd, cmdn, "postscreen")))) {
		const char *first = fast && f.prog.n < rn && rest[f.prog.n] == '[' ? rest + f.prog.n : NULL;
		if (first && ev.type == PQ_ML_EV_CLIENT && ev.client.n > 0 && ev.client.p[0] != ',') {
			/* received: the first "[pid]: \w+: client=" is the classifier's */
			pr->smtpd_kind = 1;
			pr->u.g.val_off = (uint32_t)(ev.client.p - rest);
			pr->u.g.valn = (uint32_t)ev.client.n;
		} else if (first && ev.type == PQ_ML_EV_CONNECT && !memchr(ev.client.p, ' ', ev.client.n)) {
			/* "connect from host[ip]", no space after: no "[pid]: word: " past the program's */
			pr->smtpd_kind = 0;
		} else {
			/*
			 * "disconnect from host[ip] ehlo=1 ...": the client token (no
			 * space in it) holds no candidate either, unless one starts in
			 * it and goes on past its end: the walk may resume after it if
			 * it does not end in ':'.
			 */
			const char *resume = NULL;
			if (ev.type == PQ_ML_EV_DISCONNECT && ev.client.n > 0 && ev.client.p[ev.client.n - 1] != ':')
				resume = ev.client.p + ev.client.n;
			smtpd_kind(rest, rn, first, f.text.p, wordn, resume, pr);
		}
	} else if (fast && ev.qid.n > 0) {
		classified(rest, rn, cid, cmd, cmdn, &f, &ev, pr);
	}
	/* every line pfl_apply may pass to proc_smtpd_reject (a few more) */
	if (pr->kind == PK_GENERIC && o->reject_detail != 0 && !rd->rej_to_apply && (pr->smtpd_kind >= 2 ||
	    str_eq(qid, qidn, "reject") || str_eq(qid, qidn, "reject_warning") || str_eq(qid, qidn, "hold") ||
	    str_eq(qid, qidn, "discard"))) {
		const char *typ;
		size_t typn;
		reject_keys(o, &rd->sc, rest, rn, &typ, &typn);
		struct pfl_rej r = { typn ? (size_t)(typ - rest) : 0, typn, rd->sc.t1.len, rd->sc.t4.len };
		struct pq_buf *a = rd->arena;
		/* past 4 GB of arena (never, short of lines of gigabytes) pfl_apply works them out again */
		if (a->len < UINT32_MAX - 1 - sizeof(r) - rd->sc.t1.len - rd->sc.t4.len) {
			pr->u.g.rej = (uint32_t)(a->len + 1);
			pq_buf_add(a, &r, sizeof(r));
			pq_buf_add(a, rd->sc.t1.data ? rd->sc.t1.data : "", rd->sc.t1.len);
			pq_buf_add(a, rd->sc.t4.data ? rd->sc.t4.data : "", rd->sc.t4.len);
		}
	}
}

void pfl_reader_free(struct pfl_reader *rd)
{
	struct pq_buf *b[] = { &rd->sc.t1, &rd->sc.t2, &rd->sc.t3, &rd->sc.t4, &rd->sc.t5 };
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		pq_buf_free(b[i]);
}

/*
 * The '<' of a line, for the from=< then to=< searches: one memchr per
 * '<' serves both (most lines have none or two). all: v holds every
 * one; else there are more, found by lt_get as needed.
 */
struct lt_cache {
	const char *e;
	const char *v[16];
	int n;
	bool all;
};

static void lt_fill(struct lt_cache *lc, const char *rest, size_t rn)
{
	lc->e = rest + rn;
	lc->n = 0;
	lc->all = false;
	for (const char *p = rest;; p++) {
		p = memchr(p, '<', (size_t)(lc->e - p));
		if (p == NULL) {
			lc->all = true;
			return;
		}
		if (lc->n == 16)
			return;
		lc->v[lc->n++] = p;
	}
}

/* The i-th '<' (from 0), prev being the (i-1)-th; NULL after the last. */
static const char *lt_get(const struct lt_cache *lc, int i, const char *prev)
{
	if (i < lc->n)
		return lc->v[i];
	if (lc->all)
		return NULL;
	return memchr(prev + 1, '<', (size_t)(lc->e - prev - 1));
}

/*
 * The cleanup branch's tally, once its regex has matched: k is the
 * keyword (milter-reject, reject, warning, hold, discard), t the
 * (header|body|END-OF-MESSAGE) of tl bytes, e the end of the line.
 */
static void tally_cleanup(struct pfl *P, const char *cmd, size_t cmdn, const char *qid, size_t qidn,
    int k, const char *t, size_t tl, const char *e, int hr, struct host_stat *hs)
{
	struct pfl_opts *o = &P->o;
	struct pq_buf *b1 = &P->t1;
	const char *rm = t + tl + 1;
	pq_buf_reset(b1);
	pq_buf_add(b1, rm, (size_t)(e - rm));
	if (!o->verbose) {
		/* s/( from \S+?)?; from=<.*$// */
		const char *s = b1->data;
		size_t n = b1->len;
		for (size_t i = 0; i < n; i++) {
			if (has_prefix(s + i, n - i, "; from=<")) {
				b1->len = i;
				break;
			}
			if (has_prefix(s + i, n - i, " from ")) {
				size_t j = i + 6, a = j;
				bool hit = false;
				while (j < n && !isspc((unsigned char)s[j])) {
					j++;
					if (j > a && has_prefix(s + j, n - j, "; from=<")) {
						hit = true;
						break;
					}
				}
				if (hit) {
					b1->len = i;
					break;
				}
			}
		}
		b1->data[b1->len] = 0;
	}
	string_trimmer(b1, 64, o->verbose);
	struct nest *tgt;
	long long *cnt;
	if (k <= 1) {
		tgt = &P->rejects;
		cnt = &P->rjct;
		if (hs)
			hs->rjct++;
	} else if (k == 2) {
		tgt = &P->warns;
		cnt = &P->wrnd;
	} else if (k == 3) {
		tgt = &P->holds;
		cnt = &P->held;
	} else {
		tgt = &P->discards;
		cnt = &P->dscrdd;
	}
	if (o->reject_detail != 0) {
		struct nest *c1 = nest_child(tgt, cmd, cmdn);
		struct nest *c2 = nest_child(c1, t, tl);
		nest_child(c2, b1->data, b1->len)->cnt++;
	}
	(*cnt)++;
	P->rej_hr[hr]++;
	day_inc(P, 4);
	if (k <= 1 || k == 4)
		qstate_drop(P, qid, qidn, false);
}

/*
 * /from=<([^>]*)>, size=(\d+)/ matched: the address a (an bytes) and
 * the size sz (szn digits).
 */
static void tally_from(struct pfl *P, const char *qid, size_t qidn, const char *a, size_t an,
    const char *sz, size_t szn)
{
	struct pfl_opts *o = &P->o;
	const char *g = a + an, *sze = sz + szn;
	bool isnew;
	struct qstate *st = qget(P, qid, qidn, true);
	if (st->size_true)
		return;	/* avoid double-counting! */
	struct pq_buf *addr = &P->t1;
	pq_buf_reset(addr);
	if (g > a) {
		pq_buf_add(addr, a, (size_t)(g - a));
		munge_addr(P, addr);
		verp_mung(o, addr);
	} else {
		pq_buf_adds(addr, "from=<>");
	}
	unsigned long long size = 0;
	for (const char *c = sz; c < sze; c++)
		size = size * 10 + (unsigned)(*c - '0');
	st->size = size;
	st->size_true = perl_true(sz, (size_t)(sze - sz));
	if (o->e)
		strvec_push(pq_strmap_put(&P->detail, qid, qidn, NULL), addr->data, addr->len);
	if (st->rcvd) {
		const char *at = memchr(addr->data, '@', addr->len);
		const char *dom;
		size_t domn;
		if (at && at > addr->data && (size_t)(at - addr->data) + 1 < addr->len) {
			dom = at + 1;
			domn = addr->len - (size_t)(at - addr->data) - 1;
		} else if (strcmp(st->rcvd, "pickup") == 0) {
			dom = addr->data;
			domn = addr->len;
		} else {
			dom = st->rcvd;
			domn = strlen(st->rcvd);
		}
		struct dom_stat *ds = pq_strmap_put(&P->sendg_dom, dom, domn, &isnew);
		if (ds->cnt == 0)
			P->sendg_dom_cnt++;
		ds->cnt++;
		ds->size += (double)size;
		struct dom_stat *us = pq_strmap_put(&P->sendg_user, addr->data, addr->len, &isnew);
		if (us->cnt == 0)
			P->sendg_user_cnt++;
		us->cnt++;
		us->size += (double)size;
		P->size_rcvd += (double)size;
		free(st->rcvd);
		st->rcvd = NULL;
	}
}

/*
 * The delivery regex matched: the address a (an bytes), the orig_to
 * ot (otn; ot NULL if none), the relay rl, the delay dl, the status stp
 * (stn bytes, then the rest of the line up to e).
 */
static void tally_delivery(struct pfl *P, const char *rest, size_t rn, const char *cmd, size_t cmdn,
    const char *qid, size_t qidn, const char *a, size_t an, const char *ot, size_t otn,
    const char *rl, size_t rln, const char *dl, size_t dln, const char *stp, size_t stn,
    int hr, struct host_stat *hs)
{
	struct pfl_opts *o = &P->o;
	const char *e = rest + rn, *g = a + an, *ote = ot ? ot + otn : NULL, *rle = rl + rln;
	const char *dle = dl + dln, *tormdr = stp + stn;
	struct pq_buf *addr = &P->t1, *relay = &P->t2;
	pq_buf_reset(addr);
	if (o->use_orig_to && ot && ote > ot)
		pq_buf_add(addr, ot, (size_t)(ote - ot));	/* --use-orig-to (extension) */
	else
		pq_buf_add(addr, a, (size_t)(g - a));
	munge_addr(P, addr);
	pq_buf_reset(relay);
	pq_buf_add(relay, rl, (size_t)(rle - rl));
	if (o->i)
		lc_buf(relay, 0);
	const char *dom = addr->data;
	size_t domn = addr->len;
	const char *at = memchr(addr->data, '@', addr->len);
	if (at && at > addr->data) {
		dom = at + 1;
		domn = addr->len - (size_t)(at - addr->data) - 1;
	}
	double delay = perl_num(dl, (size_t)(dle - dl));
	if (stn == 4 && memcmp(stp, "sent", 4) == 0) {
		if (find_lit(tormdr, (size_t)(e - tormdr), "forwarded as ")) {
			P->fwdd++;
			return;
		}
		bool isnew;
		struct dom_stat *ds = pq_strmap_put(&P->recip_dom, dom, domn, &isnew);
		if (ds->cnt == 0)
			P->recip_dom_cnt++;
		ds->cnt++;
		ds->dly_sum += delay;
		if (ds->dly_max == 0 || delay > ds->dly_max)
			ds->dly_max = delay;
		struct dom_stat *us = pq_strmap_put(&P->recip_user, addr->data, addr->len, &isnew);
		if (us->cnt == 0)
			P->recip_user_cnt++;
		us->cnt++;
		P->dlv_hr[hr]++;
		day_inc(P, 1);
		P->dlvd++;
		if (hs)
			hs->dlvd++;
		struct qstate *st = qget(P, qid, qidn, false);
		if (st && st->size_true) {
			ds->size += (double)st->size;
			us->size += (double)st->size;
			P->size_dlvd += (double)st->size;
		} else {
			if (!o->no_no_msg_size) {
				bool nn;
				char **slot = pq_strmap_put(&P->no_size, qid, qidn, &nn);
				free(*slot);
				*slot = strdup(addr->data);
			}
			if (o->e)
				strvec_push(pq_strmap_put(&P->detail, qid, qidn, NULL), "(sender not in log)", 19);
		}
		if (o->e)
			strvec_push(pq_strmap_put(&P->detail, qid, qidn, NULL), addr->data, addr->len);
	} else if (stn == 8 && memcmp(stp, "deferred", 8) == 0) {
		if (o->deferral_detail != 0) {
			/* /, status=deferred \(([^\)]+)/ */
			struct pq_buf *r = &P->t3;
			pq_buf_reset(r);
			const char *m = find_lit(rest, rn, ", status=deferred (");
			while (m && (m + 19 >= e || m[19] == ')'))
				m = find_lit(m + 1, (size_t)(e - m - 1), ", status=deferred (");
			if (m) {
				const char *c = m + 19, *ce = c;
				while (ce < e && *ce != ')')
					ce++;
				pq_buf_add(r, c, (size_t)(ce - c));
			}
			if (!o->verbose) {
				said_string_trimmer(r, 65);
				if (r->len >= 4 && isdig(r->data[0]) && isdig(r->data[1]) &&
				    isdig(r->data[2]) && r->data[3] == ' ')
					memmove(r->data, r->data + 4, r->len - 3), r->len -= 4;
				if (has_prefix(r->data ? r->data : "", r->len, "connect to "))
					memmove(r->data, r->data + 11, r->len - 10), r->len -= 11;
			}
			nest_child(nest_child(&P->deferred, cmd, cmdn), r->data ? r->data : "", r->len)->cnt++;
		}
		P->dfr_hr[hr]++;
		day_inc(P, 2);
		P->dfrd_cnt++;
		struct qstate *st = qget(P, qid, qidn, true);
		if (!st->dfrd) {
			st->dfrd = true;
			P->dfrd++;
			if (hs)
				hs->dfrd++;
		}
		struct dom_stat *ds = pq_strmap_put(&P->recip_dom, dom, domn, NULL);
		ds->dfrs++;
		if (ds->dly_max == 0 || delay > ds->dly_max)
			ds->dly_max = delay;
	} else if (stn == 7 && memcmp(stp, "bounced", 7) == 0) {
		if (o->bounce_detail != 0) {
			/* /, status=bounced \((.+)\)/ */
			struct pq_buf *r = &P->t3;
			pq_buf_reset(r);
			const char *m = find_lit(rest, rn, ", status=bounced (");
			const char *rp = memrchr(rest, ')', rn);
			while (m && !(rp && rp > m + 18))
				m = NULL;
			if (m)
				pq_buf_add(r, m + 18, (size_t)(rp - m - 18));
			if (!o->verbose) {
				said_string_trimmer(r, 66);
				if (r->len >= 4 && isdig(r->data[0]) && isdig(r->data[1]) &&
				    isdig(r->data[2]) && r->data[3] == ' ')
					memmove(r->data, r->data + 4, r->len - 3), r->len -= 4;
			}
			nest_child(nest_child(&P->bounced, relay->data, relay->len),
			    r->data ? r->data : "", r->len)->cnt++;
		}
		P->bnc_hr[hr]++;
		day_inc(P, 3);
		P->bncd++;
		if (hs)
			hs->bncd++;
	}
}

/* $cmd eq 'pickup' && /: (sender|uid)=/ */
static void tally_pickup(struct pfl *P, const char *qid, size_t qidn, int hr, struct host_stat *hs)
{
	count_received(P, hr, hs);
	struct qstate *st = qget(P, qid, qidn, true);
	free(st->rcvd);
	st->rcvd = strdup("pickup");
}

void pfl_apply(struct pfl *P, const struct pfl_pre *pr, const char *arena)
{
	struct pfl_opts *o = &P->o;

	P->lines++;
	if (pr->status == PRE_SKIPPED)
		P->skipped++;
	if (pr->status != PRE_GO)
		return;
	struct pq_ml_frame f;
	f.year = pr->year;
	f.mday = pr->mday;
	f.hour = pr->hour;
	f.min = pr->min;
	f.sec = pr->sec;
	f.host.p = pr->rest - pr->host_back;
	f.host.n = pr->hostn;
	int mon = pr->mon;
	if (!pr->has_cmd) {
		P->skipped++;
		return;
	}
	const char *rest = pr->rest, *cmd = rest + pr->cmd_off, *qid = rest + pr->qid_off;
	size_t rn = pr->rn, cmdn = pr->cmdn, qidn = pr->qidn;
	/* $msgYr = ($msgMon > $thisMon? $thisYr - 1 : $thisYr); */
	int yr = mon > o->this_mon ? o->this_year - 1 : o->this_year;
	if (o->keep_year && f.year >= 0)
		yr = f.year;
	int hr = f.hour;
	if (hr < 0 || hr > 23)
		hr = 0;	/* \d{2} can be up to 99; Perl would index past 23 */
	if (f.mday != P->last_day) {
		P->last_day = f.mday;
		P->cur_day = day_index(P, (long)yr * 10000 + mon * 100 + f.mday);
		P->day_cnt++;
		if (o->zero_fill) {
			struct day_stat *d = &P->days[P->cur_day];
			d->v[4] = 0;
			if (d->ncols < 5)
				d->ncols = 5;
		}
	}
	struct host_stat *hs = host_of(P, &f);
	struct pq_buf *b1 = &P->t1;
	const char *text = qid;

	/* lines whose event lib/log's classifier gave (see classified) */
	P->expired += pr->expired;
	switch (pr->kind) {
	case PK_QUIET:
		return;
	case PK_REMOVED:
		qstate_drop(P, qid, qidn, true);
		return;
	case PK_EXPIRED:
		return;
	case PK_PICKUP:
		tally_pickup(P, qid, qidn, hr, hs);
		return;
	case PK_FROM:
		tally_from(P, qid, qidn, text + qidn + 8, pr->u.f.from_n, text + pr->u.f.size_off, pr->u.f.size_n);
		return;
	case PK_DELIVERY: {
		const char *a = text + qidn + 6, *g = a + pr->u.d.to_n, *ot = NULL;
		size_t otn = 0;
		/* ", orig_to=<B>" between "to=<A>" and ", relay=" */
		if (pr->u.d.relay_off > (size_t)(g - text) + 9) {
			ot = g + 12;
			otn = (size_t)(text + pr->u.d.relay_off - 9 - ot);
		}
		tally_delivery(P, rest, rn, cmd, cmdn, qid, qidn, a, pr->u.d.to_n, ot, otn,
		    text + pr->u.d.relay_off, pr->u.d.relay_n, text + pr->u.d.delay_off, pr->u.d.delay_n,
		    text + pr->u.d.status_off, pr->u.d.status_n, hr, hs);
		return;
	}
	case PK_CLEANUP:
		tally_cleanup(P, cmd, cmdn, qid, qidn, pr->u.c.k, rest + pr->u.c.stage_off, pr->u.c.stagen,
		    rest + rn, hr, hs);
		return;
	}

	/* cleanup header/body checks */
	if (str_eq(cmd, cmdn, "cleanup")) {
		/* /\/cleanup\[\d+\]: .*?\b((?:milter-)?reject|warning|hold|discard): (header|body|END-OF-MESSAGE) (.*)$/ */
		const char *e = rest + rn;
		for (const char *p = rest; (p = find_lit_at(p, (size_t)(e - p), "/cleanup[", 8));) {
			const char *q = p + 9, *d = q;
			while (q < e && isdig(*q))
				q++;
			p++;
			if (q == d || !has_prefix(q, (size_t)(e - q), "]: "))
				continue;
			q += 3;
			/* keywords end in ": "; visit those, leftmost first */
			for (const char *c = q; (c = memchr(c, ':', (size_t)(e - c))) != NULL; c++) {
				if (c + 1 >= e || c[1] != ' ')
					continue;
				static const char *kw[] = { "milter-reject: ", "reject: ", "warning: ", "hold: ", "discard: " };
				int k;
				size_t kl = 0;
				const char *w = NULL;
				for (k = 0; k < 5; k++) {
					kl = strlen(kw[k]);
					if ((size_t)(c + 2 - q) >= kl && memcmp(c + 2 - kl, kw[k], kl) == 0) {
						w = c + 2 - kl;
						/* \b before the keyword */
						if (!(w > rest && isword((unsigned char)w[-1])))
							break;
					}
				}
				if (k == 5)
					continue;
				const char *t = w + kl;
				size_t tl;
				if (has_prefix(t, (size_t)(e - t), "header "))
					tl = 6;
				else if (has_prefix(t, (size_t)(e - t), "body "))
					tl = 4;
				else if (has_prefix(t, (size_t)(e - t), "END-OF-MESSAGE "))
					tl = 14;
				else
					continue;
				tally_cleanup(P, cmd, cmdn, qid, qidn, k, t, tl, e, hr, hs);
				return;
			}
		}
	}
	struct nest *gen = NULL;
	const char *kwd = NULL;
	if (str_eq(qid, qidn, "warning"))
		gen = &P->warnings, kwd = "warning: ";
	else if (str_eq(qid, qidn, "fatal"))
		gen = &P->fatals, kwd = "fatal: ";
	else if (str_eq(qid, qidn, "panic"))
		gen = &P->panics, kwd = "panic: ";
	if (gen) {
		/* (my $warnReas = $logRmdr) =~ s/^.*warning: //; */
		const char *last = NULL, *e = rest + rn;
		for (const char *p = rest; (p = find_lit(p, (size_t)(e - p), kwd)); p++)
			last = p;
		const char *a = last ? last + strlen(kwd) : rest;
		pq_buf_reset(b1);
		pq_buf_add(b1, a, (size_t)(e - a));
		string_trimmer(b1, 66, o->verbose);
		if (!(gen == &P->warnings && str_eq(cmd, cmdn, "smtpd") && o->no_smtpd_warnings))
			nest_child(nest_child(gen, cmd, cmdn), b1->data, b1->len)->cnt++;
		return;
	}
	if (str_eq(qid, qidn, "reject")) {
		proc_smtpd_reject(P, pr, arena, &P->rejects, &P->rjct, hr, hs);
		return;
	}
	if (str_eq(qid, qidn, "reject_warning")) {
		proc_smtpd_reject(P, pr, arena, &P->warns, &P->wrnd, hr, NULL);
		return;
	}
	if (str_eq(qid, qidn, "hold")) {
		proc_smtpd_reject(P, pr, arena, &P->holds, &P->held, hr, NULL);
		return;
	}
	if (str_eq(qid, qidn, "discard")) {
		proc_smtpd_reject(P, pr, arena, &P->discards, &P->dscrdd, hr, NULL);
		return;
	}
	if (str_eq(cmd, cmdn, "master")) {
		/* ++$masterMsgs{(split(/^.*master.*: /, $logRmdr))[1]}; */
		const char *e = rest + rn, *m = find_lit(rest, rn, "master");
		const char *key = "";
		size_t kn = 0;
		if (m) {
			const char *last = NULL;
			for (const char *p = m + 6; (p = find_lit(p, (size_t)(e - p), ": ")); p++)
				last = p;
			if (last) {
				key = last + 2;
				kn = (size_t)(e - key);
			}
		}
		nest_child(&P->master, key, kn)->cnt++;
		return;
	}
	if (o->pscrn_stats && str_eq(cmd, cmdn, "postscreen")) {
		/* --pscrn-stats (extension): postscreen's verdicts, by keyword */
		static const char *kw[PSCRN_N] = { "CONNECT from ", "PASS NEW ", "PASS OLD ",
			"WHITELISTED ", "BLACKLISTED ", "DNSBL rank ", "PREGREET ", "HANGUP ",
			"COMMAND ", "BARE NEWLINE ", "NON-SMTP COMMAND ", "NOQUEUE: reject: " };
		const char *e = rest + rn, *c = find_lit(rest, rn, "]: ");
		if (c) {
			c += 3;
			for (int k = 0; k < PSCRN_N; k++) {
				if (has_prefix_n(c, (size_t)(e - c), kw[k], strlen(kw[k]))) {
					P->pscrn[k]++;
					break;
				}
			}
			if (has_prefix(c, (size_t)(e - c), "DENYLISTED ") || has_prefix(c, (size_t)(e - c), "ALLOWLISTED "))
				P->pscrn[c[0] == 'D' ? 4 : 3]++;
		}
	}
	if (str_eq(cmd, cmdn, "smtpd") || str_eq(cmd, cmdn, "postscreen")) {
		const char *e = rest + rn;
		int which = pr->smtpd_kind;
		const char *val = rest + pr->u.g.val_off;
		size_t valn = pr->u.g.valn;
		if (which == 1) {
			count_received(P, hr, hs);
			gimme_domain(val, valn, &P->t2);
			struct qstate *st = qget(P, qid, qidn, true);
			free(st->rcvd);
			st->rcvd = NULL;
			if (perl_true(P->t2.data, P->t2.len))
				st->rcvd = strdup(P->t2.data);
			return;
		}
		if (which == 2)
			proc_smtpd_reject(P, pr, arena, &P->rejects, &P->rjct, hr, hs);
		else if (which == 3)
			proc_smtpd_reject(P, pr, arena, &P->warns, &P->wrnd, hr, NULL);
		else if (which == 4)
			proc_smtpd_reject(P, pr, arena, &P->holds, &P->held, hr, NULL);
		else if (which == 5)
			proc_smtpd_reject(P, pr, arena, &P->discards, &P->dscrdd, hr, NULL);
		if (which || !o->smtpd_stats)
			return;
		/* connection statistics */
		const char *pidp = "";
		size_t pidn = 0;
		bool have_pid = false;
		for (const char *p = rest; (p = find_lit_at(p, (size_t)(e - p), "/smtpd[", 6)); p++) {
			const char *q = p + 7, *d = q;
			while (q < e && isdig(*q))
				q++;
			if (q > d && has_prefix(q, (size_t)(e - q), "]: ")) {
				pidp = d;
				pidn = (size_t)(q - d);
				have_pid = true;
				break;
			}
		}
		if (find_lit(rest, rn, ": connect from ")) {
			struct conn *c = pq_strmap_put(&P->conns, pidp, pidn, NULL);
			c->yr = yr;
			c->mon = mon + 1;
			c->day = f.mday;
			c->hr = f.hour;
			c->min = f.min;
			c->sec = f.sec;
		} else if (find_lit(rest, rn, ": disconnect from ")) {
			/* /\/smtpd\[(\d+)\]: disconnect from (.+)$/ */
			const char *host = NULL;
			size_t hostn = 0;
			for (const char *p = rest; (p = find_lit_at(p, (size_t)(e - p), "/smtpd[", 6)); p++) {
				const char *q = p + 7, *d = q;
				while (q < e && isdig(*q))
					q++;
				if (q > d && has_prefix(q, (size_t)(e - q), "]: disconnect from ") && q + 19 < e) {
					pidp = d;
					pidn = (size_t)(q - d);
					host = q + 19;
					hostn = (size_t)(e - host);
					break;
				}
			}
			if (!host) {
				pidp = "";
				pidn = 0;
			}
			(void)have_pid;
			struct conn *c = pq_strmap_get(&P->conns, pidp, pidn);
			if (c == NULL)
				return;
			gimme_domain(host ? host : "", hostn, &P->t2);
			long d0 = days_from_civil(c->yr, c->mon, c->day);
			long d1 = days_from_civil(yr, mon + 1, f.mday);
			double t = (double)((d1 - d0) * 86400L + (f.hour - c->hr) * 3600L +
			    (f.min - c->min) * 60L + (f.sec - c->sec));
			pq_strmap_del(&P->conns, pidp, pidn);
			smtpd_stat_add(&P->smtpd_hr[hr], t);
			long di = P->cur_day >= 0 ? P->cur_day : day_index(P, LONG_MIN);
			P->days[di].has_smtpd = true;
			smtpd_stat_add(&P->days[di].smtpd, t);
			smtpd_stat_add(pq_strmap_put(&P->smtpd_dom, P->t2.data ? P->t2.data : "", P->t2.len, NULL), t);
			P->smtpd_conn_cnt++;
			P->smtpd_tot_time += t;
		}
		return;
	}

	const char *e = rest + rn;
	/* /from=<([^>]*)>, size=(\d+)/ */
	struct lt_cache lc;
	lt_fill(&lc, rest, rn);
	const char *lt = NULL;
	for (int li = 0; (lt = lt_get(&lc, li, lt)) != NULL; li++) {
		const char *p = lt - 5;
		if (lt - rest < 5 || memcmp(p, "from=", 5) != 0)
			continue;
		const char *a = p + 6, *g = memchr(a, '>', (size_t)(e - a));
		if (!g || !has_prefix(g, (size_t)(e - g), ">, size=") || g + 8 >= e || !isdig(g[8]))
			continue;
		const char *sz = g + 8, *sze = sz;
		while (sze < e && isdig(*sze))
			sze++;
		tally_from(P, qid, qidn, a, (size_t)(g - a), sz, (size_t)(sze - sz));
		return;
	}
	/* deliveries */
	lt = NULL;
	for (int li = 0; (lt = lt_get(&lc, li, lt)) != NULL; li++) {
		const char *p = lt - 3;
		if (lt - rest < 3 || memcmp(p, "to=", 3) != 0)
			continue;
		const char *a = p + 4, *g = memchr(a, '>', (size_t)(e - a));
		if (!g || !has_prefix(g, (size_t)(e - g), ">, "))
			continue;
		const char *q = g + 3, *ot = NULL, *ote = NULL;
		if (has_prefix(q, (size_t)(e - q), "orig_to=<")) {
			const char *g2 = memchr(q + 9, '>', (size_t)(e - q - 9));
			if (g2 && has_prefix(g2, (size_t)(e - g2), ">, relay=")) {
				ot = q + 9;
				ote = g2;
				q = g2 + 3;
			}
		}
		if (!has_prefix(q, (size_t)(e - q), "relay="))
			continue;
		const char *rl = q + 6, *rle = rl;
		while (rle < e && *rle != ',')
			rle++;
		if (rle == rl || !has_prefix(rle, (size_t)(e - rle), ", "))
			continue;
		q = rle + 2;
		if (has_prefix(q, (size_t)(e - q), "conn_use=")) {
			const char *c = q + 9, *ce = c;
			while (ce < e && *ce != ',')
				ce++;
			if (ce > c && has_prefix(ce, (size_t)(e - ce), ", delay="))
				q = ce + 2;
		}
		if (!has_prefix(q, (size_t)(e - q), "delay="))
			continue;
		const char *dl = q + 6, *dle = dl;
		while (dle < e && *dle != ',')
			dle++;
		if (dle == dl || !has_prefix(dle, (size_t)(e - dle), ", "))
			continue;
		q = dle + 2;
		static const char *opt[] = { "delays=", "dsn=" };
		for (int k = 0; k < 2; k++) {
			if (!has_prefix(q, (size_t)(e - q), opt[k]))
				continue;
			const char *c = q + strlen(opt[k]), *ce = c;
			while (ce < e && *ce != ',')
				ce++;
			if (ce > c && has_prefix(ce, (size_t)(e - ce), ", ") &&
			    (has_prefix(ce + 2, (size_t)(e - ce - 2), "status=") ||
			    (k == 0 && has_prefix(ce + 2, (size_t)(e - ce - 2), "dsn="))))
				q = ce + 2;
		}
		if (!has_prefix(q, (size_t)(e - q), "status="))
			continue;
		const char *stp = q + 7, *ste = stp;
		while (ste < e && !isspc((unsigned char)*ste))
			ste++;
		if (ste == stp)
			continue;
		tally_delivery(P, rest, rn, cmd, cmdn, qid, qidn, a, (size_t)(g - a), ot,
		    ot ? (size_t)(ote - ot) : 0, rl, (size_t)(rle - rl), dl, (size_t)(dle - dl), stp,
		    (size_t)(ste - stp), hr, hs);
		return;
	}
	if (str_eq(cmd, cmdn, "pickup") && (find_lit(rest, rn, ": sender=") || find_lit(rest, rn, ": uid="))) {
		tally_pickup(P, qid, qidn, hr, hs);
		return;
	}
	if (str_eq(cmd, cmdn, "smtp") && o->smtp_detail != 0) {
		/* /.* connect to (\S+?): ([^;]+); address \S+ port.*$/ */
		const char *last = NULL;
		for (int pat = 0; pat < 2; pat++) {
			/* try occurrences of " connect to " from the last */
			const char *pos = e;
			for (;;) {
				last = NULL;
				for (const char *p = rest; (p = find_lit(p, (size_t)(pos - p), " connect to ")) && p < pos; p++)
					last = p;
				if (!last)
					break;
				pos = last + 11;	/* next search stops before this one */
				const char *h = last + 12;
				if (pat == 0) {
					const char *c = h;
					while (c < e && !isspc((unsigned char)*c) && !(*c == ':' && c > h && c + 1 < e && c[1] == ' '))
						c++;
					if (c == h || c + 1 >= e || *c != ':' || c[1] != ' ')
						continue;
					const char *r = c + 2, *re = r;
					while (re < e && *re != ';')
						re++;
					if (re == r || !has_prefix(re, (size_t)(e - re), "; address "))
						continue;
					const char *x = re + 10, *xe = x;
					while (xe < e && !isspc((unsigned char)*xe))
						xe++;
					if (xe == x || !has_prefix(xe, (size_t)(e - xe), " port"))
						continue;
					pq_buf_reset(&P->t3);
					pq_buf_add(&P->t3, r, (size_t)(re - r));
					lc_buf(&P->t3, 0);
					nest_child(nest_child(&P->smtp_msgs, P->t3.data, P->t3.len), h, (size_t)(c - h))->cnt++;
					return;
				} else {
					const char *c = h;
					while (c < e && *c != '[')
						c++;
					if (c == h || c >= e)
						continue;
					const char *x = c + 1, *xe = x;
					while (xe < e && !isspc((unsigned char)*xe) && !(xe > x && has_prefix(xe, (size_t)(e - xe), "]: ")))
						xe++;
					if (xe == x || !has_prefix(xe, (size_t)(e - xe), "]: "))
						continue;
					const char *r = xe + 3;
					/* (.+?) \(port \d+\)$ */
					if (e - r < 2 || e[-1] != ')')
						continue;
					const char *d = e - 1;
					while (d > r && isdig(d[-1]))
						d--;
					if (d == e - 1 || d - r < 7 || memcmp(d - 7, " (port ", 7) != 0 || d - 7 <= r)
						continue;
					pq_buf_reset(&P->t3);
					pq_buf_add(&P->t3, r, (size_t)(d - 7 - r));
					lc_buf(&P->t3, 0);
					nest_child(nest_child(&P->smtp_msgs, P->t3.data, P->t3.len), h, (size_t)(c - h))->cnt++;
					return;
				}
			}
		}
	}
	/* not in pflogsumm: drop per-message state when the message is gone */
	if (has_prefix(qid + qidn, (size_t)(e - qid - qidn), ": removed") && qid + qidn + 9 == e)
		qstate_drop(P, qid, qidn, true);
}
