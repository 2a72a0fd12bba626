/*
 * test_qshape - qshape's bucket edges (values computed by Perl with
 * qshape.pl's formula), headings, domain reduction, parent domains, the
 * row order, name truncation at the terminal width, Perl numbers and
 * reason classes.
 */
#include "util/buf.h"
#include "report/perl_num.h"
#include "report/qshape.h"
#include "report/reason_class.h"
#include "unit.h"

#include <stdlib.h>

static const double ages[] = {
	0, -50, 299, 300, 301, 599, 600, 1199, 1200, 2399, 2400, 4800, 9600,
	19200, 38400, 76800, 153600, 307200, 614400, 1e9,
};

/* perl -e '... $m = $age/(60*$t); ... 2+int(log($m)/log(2)) ...' */
static const int want[4][20] = {
	{ 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10, 10 },
	{ 1, 1, 1, 2, 2, 2, 3, 4, 5, 8, 9, 10, 10, 10, 10, 10, 10, 10, 10, 10 },
	{ 1, 1, 2, 3, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 10, 10, 10, 10, 10, 10 },
	{ 1, 1, 2, 3, 3, 4, 5, 8, 9, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10 },
};

static void test_buckets(void)
{
	struct pq_qshape_conf c;
	char name[128];

	pq_qshape_conf_init(&c);
	for (int k = 0; k < 4; k++) {
		c.tick = pq_pnum_from_string(k < 2 ? "5" : "2.5");
		c.linear = k % 2;
		bool ok = true;
		for (int i = 0; i < 20; i++) {
			size_t b = pq_qshape_bucket(&c, 1e9 + 1e6, 1e9 + 1e6 - ages[i]);
			if ((int)b != want[k][i]) {
				printf("#   tick %s linear %d age %g: bucket %zu, want %d\n",
				       k < 2 ? "5" : "2.5", c.linear, ages[i], b, want[k][i]);
				ok = false;
			}
		}
		snprintf(name, sizeof(name), "bucket edges, tick %s%s",
			 k < 2 ? "5" : "2.5", c.linear ? ", linear" : "");
		CHECK(ok, name);
	}
	/* -b 0.5: old mail lands in column 0 (Perl's $a[0.5]), young in 1 */
	c.bnum = 0.5;
	c.linear = false;
	CHECK(pq_qshape_bucket(&c, 10000, 10000 - 5000) == 0, "bucket -b 0.5: old -> 0");
	CHECK(pq_qshape_bucket(&c, 10000, 10000) == 1, "bucket -b 0.5: new -> 1");
	c.bnum = 2.5;
	CHECK(pq_qshape_bucket(&c, 10000, 0) == 2, "bucket -b 2.5 caps at 2");
	CHECK(pq_qshape_columns(&c) == 3, "-b 2.5 shows 3 columns");
}

static const char *heads(struct pq_qshape_conf *c, struct pq_buf *b)
{
	size_t offs[64], n = pq_qshape_columns(c);
	struct pq_buf h = PQ_BUF_INIT;

	pq_qshape_headings(c, &h, offs);
	pq_buf_reset(b);
	for (size_t i = 0; i < n; i++) {
		if (i)
			pq_buf_addc(b, ' ');
		pq_buf_adds(b, h.data + offs[i]);
	}
	pq_buf_free(&h);
	return pq_buf_str(b);
}

static void test_headings(void)
{
	struct pq_qshape_conf c;
	struct pq_buf b = PQ_BUF_INIT;

	pq_qshape_conf_init(&c);
	CHECK_STR(heads(&c, &b), "T 5 10 20 40 80 160 320 640 1280 1280+", "headings default");
	c.linear = true;
	c.bnum = 5;
	CHECK_STR(heads(&c, &b), "T 5 10 15 20 20+", "headings linear -b 5");
	c.tick = pq_pnum_from_string("0.1");
	c.bnum = 4;
	CHECK_STR(heads(&c, &b), "T 0.1 0.2 0.3 0.3+", "headings -l -t 0.1 (Perl's %.15g)");
	c.linear = false;
	c.bnum = 1;
	CHECK_STR(heads(&c, &b), "T 0+", "headings -b 1");
	c.bnum = 2.5;
	c.tick = pq_pnum_from_uv(5);
	CHECK_STR(heads(&c, &b), "T 5 10", "headings -b 2.5 (no '+' column)");
	c.bnum = 6;
	c.tick = pq_pnum_from_string("1000000000000000000");
	CHECK_STR(heads(&c, &b),
		  "T 1000000000000000000 2000000000000000000 4000000000000000000 "
		  "8000000000000000000 16000000000000000000 16000000000000000000+",
		  "headings: integers up to 2^64 as digits");
	c.bnum = 3;
	c.tick = pq_pnum_from_string("1e19");
	CHECK_STR(heads(&c, &b), "T 10000000000000000000 2e+19 2e+19+",
		  "headings: past 2^64 as %.15g");
	pq_buf_free(&b);
}

static const char *dom(struct pq_buf *b, const char *addr, size_t len)
{
	pq_qshape_domain(b, addr, len);
	return pq_buf_str(b);
}

static void test_domains(void)
{
	struct pq_buf b = PQ_BUF_INIT;
#define D(a, w) CHECK_STR(dom(&b, a, sizeof(a) - 1), w, "domain of " #a)
	D("user@example.com", "example.com");
	D("a@b@c.example.com", "c.example.com");
	D("noat", "noat");
	D("x@", "");
	D("x@.lead.example", "lead.example");
	D("x@trail.example.", "trail.example");
	D("x@dots..in...between", "dots.in..between");
	D("x@....", ".");
	D("x@.", ".");
	D("x@..", ".");
	D("x@...a.b", ".a.b");
	D("a\nb@c.example", "a\nc.example");
	D("a@b\nc.example", "b\nc.example");
	D("a@b.example\n", "b.example\n");
	D("a@b.example.\n", "b.example\n");
	D("abc\n\n", "abc\n\n");
#undef D
	pq_buf_set(&b, "a.b.example.com");
	CHECK(pq_qshape_parent(&b) && strcmp(b.data, ".b.example.com") == 0, "parent of a.b.example.com");
	CHECK(pq_qshape_parent(&b) && strcmp(b.data, ".example.com") == 0, "parent of .b.example.com");
	CHECK(!pq_qshape_parent(&b), "no parent of .example.com (a TLD)");
	pq_buf_set(&b, "..a.b.c");
	CHECK(!pq_qshape_parent(&b), "no parent of ..a.b.c");
	pq_buf_set(&b, "x\ny.a.b");
	CHECK(pq_qshape_parent(&b) && strcmp(b.data, ".a.b") == 0, "[^.]+ crosses a newline");
	pq_buf_set(&b, "a.b\nc.d");
	CHECK(!pq_qshape_parent(&b), "(.*\\.) does not cross a newline");
	pq_buf_free(&b);
}

static char *table(struct pq_qshape *q, double top)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	pq_qshape_print(q, fp, top, NULL);
	fclose(fp);
	return text;
}

static void test_table(void)
{
	struct pq_qshape_conf c;
	struct pq_qshape q;

	pq_qshape_conf_init(&c);
	c.bnum = 2;
	c.parents = true;
	c.minsub = 2;
	pq_qshape_init(&q, &c, 1000);
	const char *a[] = {
		"x@aaaa.bbbb.cccc.dddd.eeee.ffff.gggg.hhhh.iiii.jjjj.kkkk.llll.mmmm.nnnn.oooo.pppp.example.com",
		"y@s1.example.com", "z@s2.example.com", "z@s2.example.com", "", "w@a.b",
	};
	for (size_t i = 0; i < 6; i++)
		pq_qshape_add_address(&q, 1 + i % 2, a[i], strlen(a[i]));
	char *t = table(&q, 0);
	CHECK_STR(t,
		  "                                                                         T  5 5+\n"
		  "                                                                  TOTAL  6  3  3\n"
		  "                                                           .example.com  4  2  2\n"
		  "                                                         s2.example.com  2  1  1\n"
		  "                                                                    a.b  1  0  1\n"
		  "                                                          MAILER-DAEMON  1  1  0\n"
		  "                                                         s1.example.com  1  0  1\n"
		  "+eee.ffff.gggg.hhhh.iiii.jjjj.kkkk.llll.mmmm.nnnn.oooo.pppp.example.com  1  1  0\n",
		  "table: order, parent row, truncation with '+'");
	free(t);
	t = table(&q, 2);
	CHECK(t && strstr(t, "TOTAL") && !strstr(t, "s2.example.com"), "table: top 2 rows");
	free(t);
	pq_qshape_free(&q);

	/* cut_tail rows that print the same label are one row */
	{
		struct pq_qshape_conf rc;
		struct pq_qshape r;
		pq_qshape_conf_init(&rc);
		rc.bnum = 2;
		rc.width = 40;
		rc.cut_tail = true;
		pq_qshape_init(&r, &rc, 1000);
		const char *k1 = "host *[*] said: 450 4.2.0 <*>: Recipient address rejected: greylisted";
		const char *k2 = "host *[*] said: 450 4.2.0 <*>: Recipient address rejected: mailbox full";
		const char *k3 = "short reason";
		pq_qshape_add_key(&r, 1, k1, strlen(k1));
		pq_qshape_add_key(&r, 2, k2, strlen(k2));
		pq_qshape_add_key(&r, 2, k2, strlen(k2));
		pq_qshape_add_key(&r, 1, k3, strlen(k3));
		char *rt = table(&r, 0);
		CHECK_STR(rt,
			  "                                 T  5 5+\n"
			  "                          TOTAL  4  2  2\n"
			  "host *[*] said: 450 4.2.0 <*>:+  3  1  2\n"
			  "                   short reason  1  1  0\n",
			  "table: cut rows with the same label merged");
		free(rt);
		rt = table(&r, 2);
		CHECK(rt && strstr(rt, "<*>:+  3") && !strstr(rt, "short"), "table: top counts merged rows");
		free(rt);
		pq_qshape_free(&r);
	}

	/* parent rows truncated as ".+" */
	c.minsub = 1;
	c.width = 81;
	pq_qshape_init(&q, &c, 1000);
	const char *p = "x@a.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example.com";
	pq_qshape_add_address(&q, 1, p, strlen(p));
	t = table(&q, 0);
	CHECK(t && strstr(t, "\n.+" "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example.com  1  1  0\n"),
	      "table: parent row truncated with '.+' to width - columns");
	if (t && getenv("SHOW"))
		printf("# %s", t);
	free(t);
	pq_qshape_free(&q);
}

/* Counting in two tables and merging gives the table counted in one. */
static void test_merge(void)
{
	static const char *addrs[] = {
		"a@x1.p.example.com", "b@x2.p.example.com", "c@x3.p.example.com",
		"d@x1.p.example.com", "e@y.example.com", "f@p.example.com",
		"g@z1.q.example.net", "h@z2.q.example.net", "i@", "", "j@x4.p.example.com",
	};
	struct pq_qshape_conf c;
	struct pq_qshape one, a, b;

	pq_qshape_conf_init(&c);
	c.parents = true;
	c.minsub = 1;
	pq_qshape_init(&one, &c, 1000);
	pq_qshape_init(&a, &c, 1000);
	pq_qshape_init(&b, &c, 1000);
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		size_t col = 1 + i % 3;
		pq_qshape_add_address(&one, col, addrs[i], strlen(addrs[i]));
		/* the other order, split over two tables */
		size_t j = sizeof(addrs) / sizeof(addrs[0]) - 1 - i;
		pq_qshape_add_address(j % 2 ? &a : &b, 1 + j % 3, addrs[j], strlen(addrs[j]));
	}
	pq_qshape_merge(&a, &b);
	pq_qshape_recount_subdomains(&a);
	char *t1 = table(&one, 0), *t2 = table(&a, 0);
	CHECK(t1 && t2 && strcmp(t1, t2) == 0, "merged tables: same table, same subdomain counts");
	if (t1 && t2 && strcmp(t1, t2) != 0)
		printf("# one:\n%s# merged:\n%s", t1, t2);
	free(t1);
	free(t2);
	size_t n1, n2;
	struct pq_qshape_row **r1 = pq_qshape_rows(&one, 0, &n1);
	struct pq_qshape_row **r2 = pq_qshape_rows(&a, 0, &n2);
	bool same = n1 == n2;
	for (size_t i = 0; same && i < n1; i++)
		same = r1[i]->sub == r2[i]->sub && r1[i]->len == r2[i]->len
		       && memcmp(r1[i]->key, r2[i]->key, r1[i]->len) == 0;
	CHECK(same, "merged tables: subdomain counts of every row");
	bool four = false;
	for (size_t i = 0; i < n1; i++)
		if (strcmp(r1[i]->key, ".p.example.com") == 0)
			four = r1[i]->sub == 4;
	CHECK(four, ".p.example.com has 4 subdomains");
	free(r1);
	free(r2);
	pq_qshape_free(&one);
	pq_qshape_free(&a);
	pq_qshape_free(&b);
}

static void test_numbers(void)
{
	CHECK(pq_perl_atofs("  12abc") == 12, "atof: leading blanks, trailing junk");
	CHECK(pq_perl_atofs("0x10") == 0, "atof: no hex");
	CHECK(pq_perl_atofs("1e3") == 1000, "atof: exponent");
	CHECK(pq_perl_atofs("+.5") == 0.5, "atof: sign and fraction");
	CHECK(pq_perl_atofs("abc") == 0, "atof: no number");
	struct pq_buf b = PQ_BUF_INIT;
	pq_pnum_format(&b, pq_pnum_add(pq_pnum_from_string("0.1"), pq_pnum_from_string("0.2")));
	CHECK_STR(b.data, "0.3", "0.1 + 0.2 prints as 0.3");
	pq_buf_free(&b);
}

static void test_reasons(void)
{
	struct pq_buf b = PQ_BUF_INIT;

	CHECK_STR(pq_reason_class(&b, "host mx1.example.com[192.0.2.1] said: 450 4.2.0 "
				  "<a@example.com>: Recipient address rejected: busy "
				  "(in reply to RCPT TO command)"),
		  "host *[*] said: 450 4.2.0 <*>: Recipient address rejected: busy "
		  "(in reply to RCPT TO command)", "reason class: host, IP, address");
	CHECK_STR(pq_reason_class(&b, "connect to 2001:db8::1[2001:db8::1]:25: Connection refused"),
		  "connect to *[*]:#: Connection refused", "reason class: IPv6 and port");
	CHECK_STR(pq_reason_class(&b, "said: 550-5.1.1 id 4F9D81C2A3 unknown"),
		  "said: 550-5.1.1 id * unknown", "reason class: multi-line code, id");
	CHECK_STR(pq_reason_class(&b, "host mx.example.net[198.51.100.7] said: 550 5.1.1 "
				  "<\"john q. doe\"@example.net>: unknown user"),
		  "host *[*] said: 550 5.1.1 <*>: unknown user",
		  "reason class: quoted local part");
	CHECK_STR(pq_reason_class(&b, "host mx.example.net[198.51.100.7] said: 550 5.1.1 "
				  "<\"bob\"@example.net>: unknown user"),
		  "host *[*] said: 550 5.1.1 <*>: unknown user",
		  "reason class: another quoted local part, the same class");
	CHECK_STR(pq_reason_class(&b, "host a.example[192.0.2.9] said: 451 4.7.1 Greylisted, "
				  "try again in 57s or 300 seconds; queue id 3mPVKl0Mhjz7sXv"),
		  "host *[*] said: 451 4.7.1 Greylisted, try again in * or # seconds; queue id *",
		  "reason class: durations, counts, long queue ids");
	CHECK_STR(pq_reason_class(&b, "TLS is required, but was not offered by host x[::1] (IPv6)"),
		  "TLS is required, but was not offered by host x[*] (IPv6)",
		  "reason class: IPv6 kept as a word");
	CHECK_STR(pq_reason_class(&b, "said: \"quoted text\" not an address"),
		  "said: \"quoted text\" not an address",
		  "reason class: quoted text that is not a local part");
	pq_buf_free(&b);
}

int main(void)
{
	test_buckets();
	test_headings();
	test_domains();
	test_table();
	test_merge();
	test_numbers();
	test_reasons();
	return unit_status();
}
