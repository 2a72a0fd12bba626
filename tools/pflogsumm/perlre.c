/*
 * perlre.c - hand-written equivalents of the regular expressions and
 * helper subs of pflogsumm 1.1.5-8, with Perl's matching semantics
 * (leftmost match, greedy/lazy quantifiers, backtracking where it can
 * change the result). Each function quotes the Perl it replaces.
 * Strings are bytes, as in Perl without "use utf8"; \s, \w and lc as
 * pflogsumm's "use locale" makes them (pfl_locale_init).
 * Inputs never contain '\n' (logread splits lines on it), so Perl's "."
 * matches every byte here and "$" is the end of the string.
 */
#include "pfl.h"

#include <ctype.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define isdig pfl_isdig
#define isspc pfl_isspc
#define isword pfl_isword

unsigned char pfl_ctype[256];
unsigned char pfl_lower[256];
bool pfl_utf8;

/*
 * pflogsumm says "use locale": \s, \w (and so \b) and lc follow
 * LC_CTYPE. Perl then takes a UTF-8 locale (Debian's default C.UTF-8)
 * to mean Unicode's rules for the 256 byte values of strings read as
 * bytes, that is Latin-1's: 0x85 and 0xA0 are \s, the Latin-1 letters
 * (and ª µ º) are \w, and lc turns 0xC0-0xDE (but ×) into 0xE0-0xFE,
 * bytes of UTF-8 text included (so "É", C3 89, becomes E3 89). Any
 * other locale gives the C library's isspace, isalnum and tolower (in
 * "C": ASCII). If the environment names a locale that cannot be set
 * (in any category), Perl falls back to LC_ALL's value, then LANG's,
 * then "C", for all of them; so does this. LC_COLLATE needs nothing
 * more: in C and C.UTF-8 strcoll is strcmp.
 */
void pfl_locale_init(void)
{
	const char *cs = NULL;
	bool set = setlocale(LC_ALL, "") != NULL;
	const char *fallback[] = { getenv("LC_ALL"), getenv("LANG") };
	for (size_t i = 0; !set && i < 2; i++)
		set = fallback[i] && *fallback[i] && setlocale(LC_ALL, fallback[i]) != NULL;
	if (set)
		cs = nl_langinfo(CODESET);
	pfl_utf8 = cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
	for (int c = 0; c < 256; c++) {
		unsigned char t = 0;
		int lower = c;
		if (c >= '0' && c <= '9')
			t |= PFL_DIG | PFL_WORD;
		if (c == ':')
			t |= PFL_COLON;
		if (pfl_utf8) {
			if (c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == ' ' || c == 0x85 || c == 0xa0)
				t |= PFL_SPC;
			if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == 0xaa || c == 0xb5 ||
			    c == 0xba || (c >= 0xc0 && c != 0xd7 && c != 0xf7))
				t |= PFL_WORD;
			if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7))
				lower = c + 32;
		} else {
			if (isspace(c))
				t |= PFL_SPC;
			if (isalnum(c) || c == '_')
				t |= PFL_WORD;
			lower = (unsigned char)tolower(c);
		}
		pfl_ctype[c] = t;
		pfl_lower[c] = (unsigned char)lower;
	}
	setlocale(LC_ALL, "C");
}

static int lcc(int c) { return pfl_lower[(unsigned char)c]; }

/* memmem for short needles: memchr on the first byte, then compare. */
const char *find_bytes(const char *p, size_t n, const char *lit, size_t k)
{
	if (k == 0)
		return p;
	if (k >= 2 && (lit[0] == ' ' || lit[0] == ','))
		return find_bytes_at(p, n, lit, k, 1);	/* skip a frequent first byte */
	const char *end = p + n;
	while (n >= k) {
		const char *c = memchr(p, lit[0], n - k + 1);
		if (c == NULL)
			return NULL;
		if (memcmp(c + 1, lit + 1, k - 1) == 0)
			return c;
		p = c + 1;
		n = (size_t)(end - p);
	}
	return NULL;
}

const char *find_bytes_at(const char *p, size_t n, const char *lit, size_t k, size_t idx)
{
	const char *start = p, *end = p + n;
	if (n < k)
		return NULL;
	p += idx;
	while (p < end) {
		const char *c = memchr(p, lit[idx], (size_t)(end - p));
		if (c == NULL)
			return NULL;
		const char *s = c - idx;
		if (s + k <= end && s >= start && memcmp(s, lit, k) == 0)
			return s;
		p = c + 1;
	}
	return NULL;
}

bool perl_true(const char *s, size_t n)
{
	return !(n == 0 || (n == 1 && s[0] == '0'));
}

void lc_buf(struct pq_buf *b, size_t from)
{
	for (size_t i = from; i < b->len; i++)
		b->data[i] = (char)lcc((unsigned char)b->data[i]);
}

/* Replace b's contents with b[from, to). */
static void keep(struct pq_buf *b, size_t from, size_t to)
{
	memmove(b->data, b->data + from, to - from);
	b->len = to - from;
	b->data[b->len] = 0;
}

/* Replace b[from, to) with s (n bytes). */
static void splice(struct pq_buf *b, size_t from, size_t to, const char *s, size_t n)
{
	size_t tail = b->len - to;
	if (n > to - from)
		pq_buf_reserve(b, n - (to - from));
	memmove(b->data + from + n, b->data + to, tail);
	memcpy(b->data + from, s, n);
	b->len = from + n + tail;
	b->data[b->len] = 0;
}

/*
 * s/^(.*)\.([^\.]+)\.([^\.]{3}|[^\.]{2,3}\.[^\.]{2})$/\L$2.$3/ on out
 * (gimme_domain); with reorder, the by_domain_then_user variant
 * s/.../$2.$3.$1/ (no lower-casing).
 */
static void tld_transform(struct pq_buf *b, bool reorder)
{
	/* label boundaries from the end */
	size_t n = b->len;
	const char *s = b->data;
	size_t dots[4];
	int nd = 0;

	for (size_t i = n; i-- > 0 && nd < 4;)
		if (s[i] == '.')
			dots[nd++] = i;
	size_t l1, l2;		/* last label, second last */
	if (nd >= 2) {
		l1 = n - dots[0] - 1;
		l2 = dots[0] - dots[1] - 1;
		if (l1 == 3 && l2 >= 1) {
			/* $1 = s[0, dots[1]), $2 = label, $3 = last */
			size_t a = dots[1] + 1;
			if (!reorder) {
				keep(b, a, n);
				lc_buf(b, 0);
			} else {
				struct pq_buf t = PQ_BUF_INIT;
				pq_buf_add(&t, s + a, n - a);
				pq_buf_addc(&t, '.');
				pq_buf_add(&t, s, dots[1]);
				pq_buf_reset(b);
				pq_buf_add(b, t.data, t.len);
				pq_buf_free(&t);
			}
			return;
		}
	}
	if (nd >= 3) {
		l1 = n - dots[0] - 1;
		l2 = dots[0] - dots[1] - 1;
		size_t l3 = dots[1] - dots[2] - 1;
		if (l1 == 2 && (l2 == 2 || l2 == 3) && l3 >= 1) {
			size_t a = dots[2] + 1;
			if (!reorder) {
				keep(b, a, n);
				lc_buf(b, 0);
			} else {
				struct pq_buf t = PQ_BUF_INIT;
				pq_buf_add(&t, s + a, n - a);
				pq_buf_addc(&t, '.');
				pq_buf_add(&t, s, dots[2]);
				pq_buf_reset(b);
				pq_buf_add(b, t.data, t.len);
				pq_buf_free(&t);
			}
		}
	}
}

void domain_reorder(struct pq_buf *b);
void domain_reorder(struct pq_buf *b)
{
	tld_transform(b, true);
}

/*
 * gimme_domain:
 *   /^([^\[]*)\[((?:\d{1,3}\.){3}\d{1,3})\]/ ||
 *   /^([^\/]*)\/([0-9a-f.:]+)/i ||
 *   /^([^\[\(\/]*)[\[\(\/]([^\]\)]+)[\]\)]:?\d*$/
 * then the address if the name is "" or "unknown", else the TLD rule.
 * An unparsable argument gives undef, which we return as "".
 */
void gimme_domain(const char *s, size_t n, struct pq_buf *out)
{
	const char *dom = NULL, *ip = NULL;
	size_t domn = 0, ipn = 0;
	const char *lb = memchr(s, '[', n);

	pq_buf_reset(out);
	if (lb) {
		size_t i = (size_t)(lb - s) + 1;
		bool ok = true;
		for (int o = 0; o < 4 && ok; o++) {
			size_t d = i;
			while (i < n && isdig(s[i]) && i - d < 3)
				i++;
			if (i == d || (i < n && isdig(s[i])))
				ok = false;
			else if (i >= n || s[i] != (o < 3 ? '.' : ']'))
				ok = false;
			else
				i++;
		}
		if (ok) {
			dom = s;
			domn = (size_t)(lb - s);
			ip = lb + 1;
			ipn = i - 1 - (size_t)(lb + 1 - s);
		}
	}
	if (!ip) {
		const char *sl = memchr(s, '/', n);
		if (sl) {
			size_t i = (size_t)(sl - s) + 1, a = i;
			while (i < n && (isdig(s[i]) || (lcc(s[i]) >= 'a' && lcc(s[i]) <= 'f') ||
			    s[i] == '.' || s[i] == ':'))
				i++;
			if (i > a) {
				dom = s;
				domn = (size_t)(sl - s);
				ip = s + a;
				ipn = i - a;
			}
		}
	}
	if (!ip) {
		size_t d = 0;
		while (d < n && s[d] != '[' && s[d] != '(' && s[d] != '/')
			d++;
		if (d < n) {
			size_t i = d + 1, a = i;
			while (i < n && s[i] != ']' && s[i] != ')')
				i++;
			if (i > a && i < n) {
				size_t j = i + 1;
				if (j < n && s[j] == ':')
					j++;
				while (j < n && isdig(s[j]))
					j++;
				if (j == n) {
					dom = s;
					domn = d;
					ip = s + a;
					ipn = i - a;
				}
			}
		}
	}
	if (!ip)
		return;
	if (domn == 0 || (domn == 7 && memcmp(dom, "unknown", 7) == 0)) {
		pq_buf_add(out, ip, ipn);
		return;
	}
	pq_buf_add(out, dom, domn);
	tld_transform(out, false);
}

/*
 * said_string_trimmer: while longer than max: s/^.* said: // if it
 * matches, else s/^.*?: {0,}// if there is a ':', else cut to max-3 and
 * append "...".
 */
void said_string_trimmer(struct pq_buf *b, size_t max)
{
	while (b->len > max) {
		const char *s = b->data;
		const char *last = NULL, *p = s, *end = s + b->len;
		while ((p = find_lit(p, (size_t)(end - p), " said: ")) != NULL) {
			last = p;
			p++;
		}
		if (last) {
			keep(b, (size_t)(last - s) + 7, b->len);
			continue;
		}
		const char *c = memchr(s, ':', b->len);
		if (c) {
			size_t i = (size_t)(c - s) + 1;
			while (i < b->len && s[i] == ' ')
				i++;
			keep(b, i, b->len);
			continue;
		}
		b->len = max - 3;
		pq_buf_adds(b, "...");
		break;
	}
}

void string_trimmer(struct pq_buf *b, size_t max, bool verbose)
{
	if (!verbose && b->len > max) {
		b->len = max - 3;
		pq_buf_adds(b, "...");
	}
}

/* s/(@.+)/\L$1/ unless -i; lc() with -i. */
void addr_case(struct pq_buf *b, bool ignore_case)
{
	if (ignore_case) {
		lc_buf(b, 0);
		return;
	}
	char *at = memchr(b->data ? b->data : "", '@', b->len);
	if (at && (size_t)(at - b->data) + 1 < b->len)
		lc_buf(b, (size_t)(at - b->data));
}

/*
 * -m: if /^(.*!)*([^!]+)!([^!@]+)@([^\.]+)$/ then "$4!$1$3\@$2".
 * (.*!)* is greedy: the longest prefix ending in '!' that lets the rest
 * match is tried first.
 */
void uucp_mung(struct pq_buf *b)
{
	const char *s = b->data;
	size_t n = b->len;

	if (n == 0)
		return;
	/* candidate ends of $1: after each '!' from the right, then 0 */
	for (size_t k = n + 1; k-- > 0;) {
		if (k > 0 && s[k - 1] != '!')
			continue;
		size_t i = k, a2 = i;
		while (i < n && s[i] != '!')
			i++;
		if (i == a2 || i >= n)
			continue;
		size_t e2 = i++;
		size_t a3 = i;
		while (i < n && s[i] != '!' && s[i] != '@')
			i++;
		if (i == a3 || i >= n || s[i] != '@')
			continue;
		size_t e3 = i++;
		size_t a4 = i;
		if (a4 >= n || memchr(s + a4, '.', n - a4))
			continue;
		struct pq_buf t = PQ_BUF_INIT;
		pq_buf_add(&t, s + a4, n - a4);
		pq_buf_addc(&t, '!');
		pq_buf_add(&t, s, k);
		pq_buf_add(&t, s + a3, e3 - a3);
		pq_buf_addc(&t, '@');
		pq_buf_add(&t, s + a2, e2 - a2);
		pq_buf_reset(b);
		pq_buf_add(b, t.data, t.len);
		pq_buf_free(&t);
		return;
	}
}

static bool ci_prefix(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
		if (lcc((unsigned char)s[i]) != lit[i])
			return false;
	return true;
}

/* (?:[\+_\.\*-]\d+\b)+ at s[k..]: end of the greedy repetition, or 0. */
static size_t verp_reps(const char *s, size_t n, size_t k)
{
	size_t end = 0;
	for (;;) {
		if (k >= n || !strchr("+_.*-", s[k]) || s[k] == 0)
			return end;
		size_t i = k + 1, d = i;
		while (i < n && isdig(s[i]))
			i++;
		if (i == d || (i < n && isword((unsigned char)s[i])))
			return end;
		end = k = i;
	}
}

/*
 * verp_mung (only with --verp-mung):
 * s/((?:bounce[ds]?|no(?:list|reply|response)|return|sentto|\d+).*?)(?:[\+_\.\*-]\d+\b)+/$1-ID/i;
 * and with N > 1: s/[\*-](\d+[\*-])?[^=\*-]+[=\*][^\@]+\@/\@/;
 */
void verp_mung(const struct pfl_opts *o, struct pq_buf *b)
{
	if (!o->verp_set)
		return;
	const char *s = b->data;
	size_t n = b->len;
	if (n) {
		for (size_t st = 0; st < n; st++) {
			size_t e = 0;
			static const char *alts[] = { "bounced", "bounces", "bounce", "nolist",
				"noreply", "noresponse", "return", "sentto" };
			for (size_t a = 0; a < sizeof(alts) / sizeof(alts[0]) && !e; a++)
				if (ci_prefix(s + st, n - st, alts[a]))
					e = st + strlen(alts[a]);
			if (!e && isdig(s[st])) {
				e = st;
				while (e < n && isdig(s[e]))
					e++;
			}
			if (!e)
				continue;
			size_t k, r = 0;
			for (k = e; k < n; k++)
				if ((r = verp_reps(s, n, k)) != 0)
					break;
			if (!r)
				continue;
			splice(b, k, r, "-ID", 3);
			break;
		}
	}
	if (o->verp <= 1)
		return;
	s = b->data;
	n = b->len;
	if (n == 0)
		return;
	for (size_t st = 0; st < n; st++) {
		if (s[st] != '*' && s[st] != '-')
			continue;
		for (int with = 1; with >= 0; with--) {
			size_t i = st + 1;
			if (with) {
				size_t d = i;
				while (i < n && isdig(s[i]))
					i++;
				if (i == d || i >= n || (s[i] != '*' && s[i] != '-'))
					continue;
				i++;
			}
			size_t a = i;
			while (i < n && s[i] != '=' && s[i] != '*' && s[i] != '-')
				i++;
			if (i == a || i >= n || (s[i] != '=' && s[i] != '*'))
				continue;
			i++;
			a = i;
			while (i < n && s[i] != '@')
				i++;
			if (i == a || i >= n)
				continue;
			splice(b, st, i + 1, "@", 1);
			return;
		}
	}
}

static bool is_one_of(int c, const char *set)
{
	return c && strchr(set, c) != NULL;
}

/*
 * The first index >= i of byte x or y in s[0, n), n if none: two memchr
 * calls, as reasons run for dozens of bytes between the hits.
 */
static size_t first_of2(const char *s, size_t n, size_t i, char x, char y)
{
	if (i >= n)
		return n;
	const char *a = memchr(s + i, x, n - i);
	size_t lim = a ? (size_t)(a - s) : n;
	const char *b = memchr(s + i, y, lim - i);
	return b ? (size_t)(b - s) : lim;
}

/* Reason normalisation of proc_smtpd_reject (unless --verbose-msg-detail). */
void reject_reason(const char *typ, size_t typn, struct pq_buf *b)
{
	bool rdc = (typn == 4 && (memcmp(typ, "RCPT", 4) == 0 || memcmp(typ, "DATA", 4) == 0)) ||
	    (typn == 7 && memcmp(typ, "CONNECT", 7) == 0);

	if (b->len == 0)
		return;
	if (rdc) {
		char *s = b->data;
		size_t n = b->len;
		/* s/^(\d{3} <).*?(>:)/$1$2/ */
		if (n >= 5 && isdig(s[0]) && isdig(s[1]) && isdig(s[2]) && s[3] == ' ' && s[4] == '<') {
			const char *g = find_lit(s + 5, n - 5, ">:");
			if (g)
				splice(b, 5, (size_t)(g - s), "", 0);
		}
		s = b->data;
		n = b->len;
		/* s/^(?:\d{3} \d\.\d\.\d )(Protocol error);.*$/$1/ */
		if (n >= 25 && isdig(s[0]) && isdig(s[1]) && isdig(s[2]) && s[3] == ' ' &&
		    isdig(s[4]) && s[5] == '.' && isdig(s[6]) && s[7] == '.' && isdig(s[8]) &&
		    s[9] == ' ' && has_prefix(s + 10, n - 10, "Protocol error;")) {
			keep(b, 10, 24);
		}
		s = b->data;
		n = b->len;
		/* s/^(?:.*?[:;] )(?:\[[^\]]+\] )?([^;,]+)[;,].*$/$1/ */
		for (size_t i = 0; (i = first_of2(s, n, i, ':', ';')) + 1 < n; i++) {
			if (s[i + 1] != ' ')
				continue;
			size_t p = i + 2, q, done = 0;
			for (int with = 1; with >= 0 && !done; with--) {
				q = p;
				if (with) {
					if (q >= n || s[q] != '[')
						continue;
					size_t a = ++q;
					while (q < n && s[q] != ']')
						q++;
					if (q == a || q + 1 >= n || s[q + 1] != ' ')
						continue;
					q += 2;
				}
				size_t a = q;
				q = first_of2(s, n, q, ';', ',');
				if (q > a && q < n) {
					keep(b, a, q);
					done = 1;
				}
			}
			if (done)
				break;
		}
		s = b->data;
		n = b->len;
		/* s/^((?:Sender|Recipient) address rejected: [^:]+):.*$/$1/ */
		size_t pl = has_prefix(s, n, "Sender address rejected: ") ? 25 :
		    has_prefix(s, n, "Recipient address rejected: ") ? 28 : 0;
		if (pl) {
			const char *c = memchr(s + pl, ':', n - pl);
			if (c && (size_t)(c - s) > pl)
				b->len = (size_t)(c - s), b->data[b->len] = 0;
		}
		s = b->data;
		n = b->len;
		/* s/(client|Client host|Sender address) .+? blocked/blocked/ */
		static const char *alts[] = { "client", "Client host", "Sender address" };
		const char *lastb = NULL;
		for (const char *q = s; (q = find_lit_at(q, (size_t)(s + n - q), " blocked", 1)); q++)
			lastb = q;
		size_t jend = lastb ? (size_t)(lastb - s) : 0;	/* a match ends in " blocked" */
		for (size_t j = 0; j < jend; j++) {
			if (s[j] != 'c' && s[j] != 'C' && s[j] != 'S')
				continue;
			for (size_t a = 0; a < 3; a++) {
				size_t k = strlen(alts[a]);
				if (!has_prefix(s + j, n - j, alts[a]) || j + k >= n || s[j + k] != ' ')
					continue;
				if (j + k + 2 > n)
					continue;
				const char *m = find_lit(s + j + k + 2, n - j - k - 2, " blocked");
				if (!m)
					continue;
				splice(b, j, (size_t)(m - s) + 8, "blocked", 7);
				return;
			}
		}
	} else if (typn == 4 && memcmp(typ, "MAIL", 4) == 0) {
		/* s/^\d{3} (?:<.+>: )?([^;:]+)[;:]?.*$/$1/ */
		const char *s = b->data;
		size_t n = b->len;
		if (n < 4 || !isdig(s[0]) || !isdig(s[1]) || !isdig(s[2]) || s[3] != ' ')
			return;
		if (n > 4 && s[4] == '<') {
			for (size_t m = n; m-- > 6;) {
				if (m + 3 > n || s[m] != '>' || s[m + 1] != ':' || s[m + 2] != ' ')
					continue;
				size_t q = m + 3, a = q;
				while (q < n && s[q] != ';' && s[q] != ':')
					q++;
				if (q > a) {
					keep(b, a, q);
					return;
				}
			}
		}
		size_t q = 4, a = 4;
		while (q < n && s[q] != ';' && s[q] != ':')
			q++;
		if (q > a)
			keep(b, a, q);
	} else {
		/* s/^(?:.*[:;] )?([^,]+).*$/$1/ */
		const char *s = b->data;
		size_t n = b->len;
		for (size_t i = n; i-- > 0;) {
			if (i + 1 >= n || !(s[i] == ':' || s[i] == ';') || s[i + 1] != ' ')
				continue;
			size_t q = i + 2, a = q;
			while (q < n && s[q] != ',')
				q++;
			if (q > a) {
				keep(b, a, q);
				return;
			}
		}
		size_t q = 0;
		while (q < n && s[q] != ',')
			q++;
		if (q > 0)
			keep(b, 0, q);
	}
	(void)is_one_of;
}

static void put_cp(struct pq_buf *out, unsigned cp)
{
	if (cp < 0x80) {
		pq_buf_addc(out, (int)cp);
	} else if (cp < 0x800) {
		pq_buf_addc(out, (int)(0xC0 | (cp >> 6)));
		pq_buf_addc(out, (int)(0x80 | (cp & 0x3F)));
	} else {
		pq_buf_addc(out, (int)(0xE0 | (cp >> 12)));
		pq_buf_addc(out, (int)(0x80 | ((cp >> 6) & 0x3F)));
		pq_buf_addc(out, (int)(0x80 | (cp & 0x3F)));
	}
}

/*
 * normalize_host, as a byte string whose memcmp order is Perl's cmp
 * order of the original: code points written as UTF-8 (which sorts in
 * code point order), since pack('U4', ...) makes code points up to 999.
 */
void normalize_host(const char *s, size_t n, struct pq_buf *out)
{
	size_t t = 0;

	pq_buf_reset(out);
	while (t < n && !isspc((unsigned char)s[t]))
		t++;
	/* dotted quad? */
	unsigned oct[4];
	size_t i = 0;
	int o;
	for (o = 0; o < 4; o++) {
		size_t d = i;
		unsigned v = 0;
		while (i < t && isdig(s[i]) && i - d < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == d || (i < t && isdig(s[i])))
			break;
		oct[o] = v;
		if (o < 3) {
			if (i >= t || s[i] != '.')
				break;
			i++;
		}
	}
	if (o == 4 && i == t) {
		for (o = 0; o < 4; o++)
			put_cp(out, oct[o]);
		return;
	}
	/* join('', map { lc } reverse split /[.@]/) */
	size_t end = t;
	for (size_t k = t + 1; k-- > 0;) {
		if (k == 0 || s[k - 1] == '.' || s[k - 1] == '@') {
			for (size_t j = k; j < end; j++)
				put_cp(out, (unsigned)lcc((unsigned char)s[j]));
			end = k ? k - 1 : 0;
		}
	}
}

/* Perl's numification of a string: leading decimal number, else 0. */
double perl_num(const char *s, size_t n)
{
	static struct pq_buf nb = PQ_BUF_INIT;
	size_t i = 0;

	while (i < n && isspc((unsigned char)s[i]))
		i++;
	size_t a = i;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	size_t d = i;
	while (i < n && isdig(s[i]))
		i++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && isdig(s[i]))
			i++;
	}
	if (i == d || (i == d + 1 && s[d] == '.'))
		return 0;
	size_t mant_end = i;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;
		if (j < n && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < n && isdig(s[j])) {
			while (j < n && isdig(s[j]))
				j++;
			i = j;
		}
	}
	/*
	 * Delays are "0.27" or "12": with at most 15 significant digits and
	 * no exponent, digits / 10^k is exact over exact and so correctly
	 * rounded, the value strtod gives (Clinger's fast path); strtod
	 * costs some 700 instructions a call.
	 */
	if (i == mant_end && i - d <= 16) {	/* no exponent */
		static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
			1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16 };
		unsigned long long m = 0;
		int frac = -1;
		for (size_t k = d; k < i; k++) {
			if (s[k] == '.')
				frac = 0;
			else {
				m = m * 10 + (unsigned)(s[k] - '0');
				if (frac >= 0)
					frac++;
			}
		}
		if (m < (1ULL << 53)) {
			double v = (double)m / p10[frac > 0 ? frac : 0];
			return s[a] == '-' ? -v : v;
		}
	}
	pq_buf_reset(&nb);
	pq_buf_add(&nb, s + a, i - a);
	return strtod(nb.data, NULL);
}
