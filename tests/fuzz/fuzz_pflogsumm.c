/*
 * fuzz_pflogsumm - libFuzzer target: postq-pflogsumm's scanner
 * (tools/pflogsumm/scan.c) on any bytes, as its main loop treats them:
 * the input after two option bytes is split into lines at '\n', each
 * line pre-parsed (pfl_pre) and tallied (pfl_apply) in order, with the
 * lines consecutive in one exact-size heap buffer as they are in the
 * reader's chunks (the last one without its newline, as at the end of
 * a file), so ASan sees any read past a line. Then the text report and
 * the --json document are written to /dev/null, and everything is
 * freed (a leak fails the run).
 *
 * The option bytes pick what changes the scanning: byte 0 bits -e, -i,
 * --iso-date-time, -m, --rej-add-from, --rej-add-to, --smtpd-stats,
 * --verbose-msg-detail; byte 1 bits --verp-mung (0x01; 0x02 for =2),
 * --use-orig-to, --pscrn-stats, --syslog-name=postfix-secondary, -d
 * (Nov 1, or with 0x80 a range), --host mx1 (else --per-host), and
 * whether the reject keys are left to pfl_apply (0x80 without 0x20).
 */
#include "pflogsumm/pfl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void qstate_free(void *v)
{
	free(((struct qstate *)v)->rcvd);
}

static void str_free(void *v)
{
	free(*(char **)v);
}

static void strvec_free(void *v)
{
	struct strvec *s = v;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static void pfl_free(struct pfl *P)
{
	pq_strmap_free(&P->recip_dom, NULL);
	pq_strmap_free(&P->sendg_dom, NULL);
	pq_strmap_free(&P->recip_user, NULL);
	pq_strmap_free(&P->sendg_user, NULL);
	pq_strmap_free(&P->smtpd_dom, NULL);
	pq_strmap_free(&P->qids, qstate_free);
	pq_strmap_free(&P->conns, NULL);
	pq_strmap_free(&P->no_size, str_free);
	pq_strmap_free(&P->detail, strvec_free);
	pq_strmap_free(&P->hosts, NULL);
	struct nest *ns[] = { &P->deferred, &P->bounced, &P->rejects, &P->warns, &P->holds,
		&P->discards, &P->smtp_msgs, &P->warnings, &P->fatals, &P->panics, &P->master };
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		nest_free(ns[i]);
	ledger_free(&P->removed);
	free(P->days);
	struct pq_buf *b[] = { &P->t1, &P->t2, &P->t3, &P->t4, &P->t5, &P->line,
		&P->sc.t1, &P->sc.t2, &P->sc.t3, &P->sc.t4, &P->sc.t5 };
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		pq_buf_free(b[i]);
}

static void set_opts(struct pfl_opts *o, uint8_t a, uint8_t b)
{
	memset(o, 0, sizeof(*o));
	o->h = o->u = -1;
	o->bounce_detail = o->deferral_detail = o->smtp_detail = o->smtpd_warn_detail =
	    o->reject_detail = -1;
	o->e = a & 0x01;
	o->i = a & 0x02;
	o->iso = a & 0x04;
	o->m = a & 0x08;
	o->rej_add_from = a & 0x10;
	o->rej_add_to = a & 0x20;
	o->smtpd_stats = a & 0x40;
	o->verbose = a & 0x80;
	if (b & 0x01) {
		o->verp_set = true;
		o->verp = b & 0x02 ? 2 : 1;
	}
	o->use_orig_to = b & 0x04;
	o->pscrn_stats = b & 0x08;
	if (b & 0x10)
		o->syslog_name = "postfix-secondary";
	if (b & 0x20) {
		if (b & 0x80) {
			o->date_range = true;
			o->range_lo = 20261030;
			o->range_hi = 20261101;
		} else {
			o->have_date = true;
			strcpy(o->date_str, "Nov  1");
			strcpy(o->date_iso, "2026-11-01");
		}
	}
	if (b & 0x40)
		o->host = "mx1";
	else
		o->per_host = true;
	o->this_year = 2026;
	o->this_mon = 10;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pfl P;
	static FILE *devnull;
	struct pfl_reader rd;
	struct pfl_pre pr;
	struct pq_buf arena = PQ_BUF_INIT;

	if (size < 2)
		return 0;
	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	memset(&P, 0, sizeof(P));
	set_opts(&P.o, data[0], data[1]);
	pfl_init(&P);
	memset(&rd, 0, sizeof(rd));
	rd.rej_to_apply = (data[1] & 0xa0) == 0x80;
	rd.arena = &arena;

	size_t n = size - 2;
	char *text = malloc(n ? n : 1);
	if (text == NULL)
		return 0;
	memcpy(text, data + 2, n);
	char *p = text, *end = text + n;
	rd.iend = end;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (nl == NULL)
			rd.iend = NULL;	/* as the reader does for a last line */
		arena.len = 0;
		memset(&pr, 0, sizeof(pr));
		pfl_pre(&P.o, &rd, p, len, &pr);
		pfl_apply(&P, &pr, arena.data);
		p += len + (nl != NULL);
	}
	pfl_report(&P, devnull);
	pfl_json(&P, devnull);
	fflush(devnull);

	pfl_reader_free(&rd);
	pq_buf_free(&arena);
	pfl_free(&P);
	free(text);
	return 0;
}
