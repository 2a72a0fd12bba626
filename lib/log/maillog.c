/*
 * maillog - mail-log line parser; see maillog.h.
 *
 * Each function walks the line once with explicit bounds checks: the
 * input may be truncated anywhere, contain NULs or be binary.
 */
#include "log/maillog.h"

#include <stdint.h>
#include <string.h>

int pq_ml_month(const char *p)
{
	/* a switch on the letters: this runs on every line */
	switch (p[0]) {
	case 'J':
		if (p[1] == 'a' && p[2] == 'n') return 0;
		if (p[1] == 'u' && p[2] == 'n') return 5;
		if (p[1] == 'u' && p[2] == 'l') return 6;
		return -1;
	case 'F': return p[1] == 'e' && p[2] == 'b' ? 1 : -1;
	case 'M':
		if (p[1] == 'a' && p[2] == 'r') return 2;
		if (p[1] == 'a' && p[2] == 'y') return 4;
		return -1;
	case 'A':
		if (p[1] == 'p' && p[2] == 'r') return 3;
		if (p[1] == 'u' && p[2] == 'g') return 7;
		return -1;
	case 'S': return p[1] == 'e' && p[2] == 'p' ? 8 : -1;
	case 'O': return p[1] == 'c' && p[2] == 't' ? 9 : -1;
	case 'N': return p[1] == 'o' && p[2] == 'v' ? 10 : -1;
	case 'D': return p[1] == 'e' && p[2] == 'c' ? 11 : -1;
	default: return -1;
	}
}

static bool isdig(int c)
{
	return c >= '0' && c <= '9';
}

/* n digits at p[i..]; value in *v. */
static bool digits(const char *p, size_t len, size_t i, int n, int *v)
{
	int x = 0;

	if (i + (size_t)n > len)
		return false;
	for (int k = 0; k < n; k++) {
		if (!isdig(p[i + k]))
			return false;
		x = x * 10 + (p[i + k] - '0');
	}
	*v = x;
	return true;
}

/* "HH:MM:SS" at p[i..]. */
static bool hms(const char *p, size_t len, size_t i, struct pq_ml_frame *f)
{
	return digits(p, len, i, 2, &f->hour) && i + 2 < len && p[i + 2] == ':' &&
	    digits(p, len, i + 3, 2, &f->min) && i + 5 < len && p[i + 5] == ':' &&
	    digits(p, len, i + 6, 2, &f->sec);
}

/* ".digits" at *i: consumed, microseconds in f->usec. */
static void fraction(const char *p, size_t len, size_t *i, struct pq_ml_frame *f)
{
	size_t k = *i;
	long us = 0;
	int nd = 0;

	if (k >= len || p[k] != '.' || k + 1 >= len || !isdig(p[k + 1]))
		return;
	for (k++; k < len && isdig(p[k]); k++, nd++)
		if (nd < 6)
			us = us * 10 + (p[k] - '0');
	for (; nd < 6; nd++)
		us *= 10;
	f->usec = us;
	*i = k;
}

/*
 * Byte classes for the scans every line goes through (host, program
 * name, queue id): a table lookup per byte instead of a chain of
 * compares. C_SPC is Perl's \s (space, \t, \n, \v, \f, \r); C_ALNUM
 * ASCII letters and digits, C_HEXUP of them 0-9A-F (short queue ids),
 * C_B52 those without vowels (the digits of long queue ids).
 */
enum { C_SPC = 1, C_PROGEND = 2, C_ALNUM = 4, C_HEXUP = 8, C_B52 = 16 };
static const unsigned char cls[256] = {
	['\t'] = C_SPC | C_PROGEND, ['\n'] = C_SPC | C_PROGEND, ['\v'] = C_SPC | C_PROGEND,
	['\f'] = C_SPC | C_PROGEND, ['\r'] = C_SPC | C_PROGEND, [' '] = C_SPC | C_PROGEND,
	['0'] = C_ALNUM | C_HEXUP | C_B52, ['1'] = C_ALNUM | C_HEXUP | C_B52,
	['2'] = C_ALNUM | C_HEXUP | C_B52, ['3'] = C_ALNUM | C_HEXUP | C_B52,
	['4'] = C_ALNUM | C_HEXUP | C_B52, ['5'] = C_ALNUM | C_HEXUP | C_B52,
	['6'] = C_ALNUM | C_HEXUP | C_B52, ['7'] = C_ALNUM | C_HEXUP | C_B52,
	['8'] = C_ALNUM | C_HEXUP | C_B52, ['9'] = C_ALNUM | C_HEXUP | C_B52, [':'] = C_PROGEND,
	['A'] = C_ALNUM | C_HEXUP, ['B'] = C_ALNUM | C_HEXUP | C_B52, ['C'] = C_ALNUM | C_HEXUP | C_B52,
	['D'] = C_ALNUM | C_HEXUP | C_B52, ['E'] = C_ALNUM | C_HEXUP, ['F'] = C_ALNUM | C_HEXUP | C_B52,
	['G'] = C_ALNUM | C_B52, ['H'] = C_ALNUM | C_B52, ['I'] = C_ALNUM, ['J'] = C_ALNUM | C_B52,
	['K'] = C_ALNUM | C_B52, ['L'] = C_ALNUM | C_B52, ['M'] = C_ALNUM | C_B52,
	['N'] = C_ALNUM | C_B52, ['O'] = C_ALNUM, ['P'] = C_ALNUM | C_B52, ['Q'] = C_ALNUM | C_B52,
	['R'] = C_ALNUM | C_B52, ['S'] = C_ALNUM | C_B52, ['T'] = C_ALNUM | C_B52, ['U'] = C_ALNUM,
	['V'] = C_ALNUM | C_B52, ['W'] = C_ALNUM | C_B52, ['X'] = C_ALNUM | C_B52,
	['Y'] = C_ALNUM | C_B52, ['Z'] = C_ALNUM | C_B52, ['['] = C_PROGEND, ['a'] = C_ALNUM,
	['b'] = C_ALNUM | C_B52, ['c'] = C_ALNUM | C_B52, ['d'] = C_ALNUM | C_B52, ['e'] = C_ALNUM,
	['f'] = C_ALNUM | C_B52, ['g'] = C_ALNUM | C_B52, ['h'] = C_ALNUM | C_B52, ['i'] = C_ALNUM,
	['j'] = C_ALNUM | C_B52, ['k'] = C_ALNUM | C_B52, ['l'] = C_ALNUM | C_B52,
	['m'] = C_ALNUM | C_B52, ['n'] = C_ALNUM | C_B52, ['o'] = C_ALNUM, ['p'] = C_ALNUM | C_B52,
	['q'] = C_ALNUM | C_B52, ['r'] = C_ALNUM | C_B52, ['s'] = C_ALNUM | C_B52,
	['t'] = C_ALNUM | C_B52, ['u'] = C_ALNUM, ['v'] = C_ALNUM | C_B52, ['w'] = C_ALNUM | C_B52,
	['x'] = C_ALNUM | C_B52, ['y'] = C_ALNUM | C_B52, ['z'] = C_ALNUM | C_B52,
};

/*
 * a == lit over k bytes, k a constant: word compares the compiler
 * unrolls (a memcmp call per literal showed in the profile).
 */
static inline bool eq_lit(const char *a, const char *lit, size_t k)
{
	uint64_t x, y;
	uint32_t u, v;
	if (k >= 8) {
		/* 8-byte words, the last one overlapping the one before */
		for (size_t i = 0; i + 8 < k; i += 8) {
			memcpy(&x, a + i, 8);
			memcpy(&y, lit + i, 8);
			if (x != y)
				return false;
		}
		memcpy(&x, a + k - 8, 8);
		memcpy(&y, lit + k - 8, 8);
		return x == y;
	}
	if (k >= 4) {
		uint32_t u2, v2;
		memcpy(&u, a, 4);
		memcpy(&v, lit, 4);
		memcpy(&u2, a + k - 4, 4);
		memcpy(&v2, lit + k - 4, 4);
		return ((u ^ v) | (u2 ^ v2)) == 0;
	}
	for (; k > 0; a++, lit++, k--)
		if (*a != *lit)
			return false;
	return true;
}

/* the n bytes at p start with the string literal lit */
#define STARTS(p, n, lit) ((n) >= sizeof(lit) - 1 && eq_lit((p), (lit), sizeof(lit) - 1))
/* ml_str s is the string literal lit */
#define IS(s, lit) ((s).n == sizeof(lit) - 1 && eq_lit((s).p, (lit), sizeof(lit) - 1))

/* Parse "host rest" at p[i..]: host is \S+, one space, rest non-empty. */
static enum pq_ml_bad host_rest(const char *p, size_t len, size_t i, struct pq_ml_frame *f)
{
	size_t h = i;

	while (i < len && !(cls[(unsigned char)p[i]] & C_SPC))
		i++;
	if (i == h || i >= len || p[i] != ' ' || i + 1 >= len)
		return PQ_ML_BAD_HOST;
	f->host.p = p + h;
	f->host.n = i - h;
	f->rest.p = p + i + 1;
	f->rest.n = len - i - 1;
	return PQ_ML_OK;
}

/* Solaris syslogd's "[ID 197553 mail.info] " at the start of t: skipped. */
static void solaris_id(struct pq_ml_str *t)
{
	const char *p = t->p, *e = p + t->n;
	if (memcmp(p, "[ID ", 4) != 0)
		return;
	const char *q = p + 4, *d = q;
	while (q < e && isdig(*q))
		q++;
	if (q == d || q >= e || *q != ' ')
		return;
	const char *a = ++q;
	while (q < e && *q != ']')
		q++;
	if (q == a || q + 1 >= e || q[1] != ' ')
		return;
	t->p = q + 2;
	t->n = (size_t)(e - t->p);
}

static enum pq_ml_bad prog_text(struct pq_ml_frame *f)
{
	const char *p = f->rest.p;
	size_t n = f->rest.n, i = 0;

	/* nearly every program name starts "postfix/": none of it ends the name */
	if (n > 8 && eq_lit(p, "postfix/", 8))
		i = 8;
	while (i < n && !(cls[(unsigned char)p[i]] & C_PROGEND))
		i++;
	if (i == 0 || i >= n)
		return PQ_ML_BAD_PROG;
	f->prog.p = p;
	f->prog.n = i;
	if (p[i] == '[') {
		long pid = 0;
		size_t d = ++i;
		while (i < n && isdig(p[i])) {
			if (pid < 100000000L)
				pid = pid * 10 + (p[i] - '0');
			i++;
		}
		if (i == d || i >= n || p[i] != ']')
			return PQ_ML_BAD_PROG;
		f->pid = pid;
		i++;
	}
	if (i + 1 >= n || p[i] != ':' || p[i + 1] != ' ')
		return PQ_ML_BAD_PROG;
	f->text.p = p + i + 2;
	f->text.n = n - i - 2;
	if (f->text.n > 6 && f->text.p[0] == '[')
		solaris_id(&f->text);
	return PQ_ML_OK;
}

/*
 * The usual RFC 3164 layout, "Mmm dd HH:MM:SS " at fixed offsets, read
 * in one go (false: not that layout, f untouched); pq_ml_parse_frame's
 * general branch gives the same result for it, only slower (every line
 * is here).
 */
static bool fixed_stamp(const char *p, size_t len, struct pq_ml_frame *f)
{
	if (!(len >= 17 && p[3] == ' ' && (p[4] == ' ' || isdig(p[4])) && isdig(p[5]) &&
	    p[6] == ' ' && isdig(p[7]) && isdig(p[8]) && p[9] == ':' && isdig(p[10]) &&
	    isdig(p[11]) && p[12] == ':' && isdig(p[13]) && isdig(p[14]) && p[15] == ' ' &&
	    p[0] != '\n' && p[1] != '\n' && p[2] != '\n'))
		return false;
	f->mon = pq_ml_month(p);
	f->mday = (p[4] == ' ' ? 0 : (p[4] - '0') * 10) + (p[5] - '0');
	f->hour = (p[7] - '0') * 10 + (p[8] - '0');
	f->min = (p[10] - '0') * 10 + (p[11] - '0');
	f->sec = (p[13] - '0') * 10 + (p[14] - '0');
	f->stamp = PQ_ML_STAMP_RFC3164;
	return true;
}

/* a == b over n bytes; n is a stamp-and-host prefix, a few words */
static bool same_prefix(const char *a, const char *b, size_t n)
{
	if (n >= 4 && n < 8) {	/* two 4-byte words, overlapping */
		uint32_t x0, y0, x1, y1;
		memcpy(&x0, a, 4);
		memcpy(&y0, b, 4);
		memcpy(&x1, a + n - 4, 4);
		memcpy(&y1, b + n - 4, 4);
		return ((x0 ^ y0) | (x1 ^ y1)) == 0;
	}
	if (n < 8 || n > 32)
		return memcmp(a, b, n) == 0;
	uint64_t x, y, d = 0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		d |= x ^ y;
	}
	if (i < n) {	/* the last 8 bytes, overlapping */
		memcpy(&x, a + n - 8, 8);
		memcpy(&y, b + n - 8, 8);
		d |= x ^ y;
	}
	return d == 0;
}

enum pq_ml_bad pq_ml_parse_frame(const char *p, size_t len, struct pq_ml_frame *f)
{
	size_t i;
	enum pq_ml_bad r;

	/* field by field: a memset of the whole frame shows up per line */
	f->stamp = PQ_ML_STAMP_NONE;
	f->mon = f->mday = f->hour = f->min = f->sec = 0;
	f->usec = 0;
	f->has_tz = false;
	f->tz_min = 0;
	f->host.p = f->rest.p = f->prog.p = f->text.p = p;
	f->host.n = f->rest.n = f->prog.n = f->text.n = 0;
	f->pid = -1;
	f->year = -1;
	if (len >= 15 && digits(p, len, 0, 4, &f->year) && p[4] == '-') {
		/* RFC 3339 / ISO 8601 */
		int mo;
		if (!digits(p, len, 5, 2, &mo) || len < 20 || p[7] != '-' ||
		    !digits(p, len, 8, 2, &f->mday) || p[10] != 'T' || !hms(p, len, 11, f))
			return PQ_ML_BAD_STAMP;
		f->mon = mo - 1;
		i = 19;
		fraction(p, len, &i, f);
		if (i < len && p[i] == 'Z') {
			f->has_tz = true;
			f->stamp = PQ_ML_STAMP_RFC3339;
			i++;
		} else if (i < len && (p[i] == '+' || p[i] == '-')) {
			int sign = p[i] == '-' ? -1 : 1, hh, mm;
			if (!digits(p, len, i + 1, 2, &hh))
				return PQ_ML_BAD_STAMP;
			if (i + 3 < len && p[i + 3] == ':' && digits(p, len, i + 4, 2, &mm)) {
				f->stamp = PQ_ML_STAMP_RFC3339;
				i += 6;
			} else if (digits(p, len, i + 3, 2, &mm)) {
				f->stamp = PQ_ML_STAMP_ISO_NOCOLON;
				i += 5;
			} else {
				return PQ_ML_BAD_STAMP;
			}
			f->has_tz = true;
			f->tz_min = sign * (hh * 60 + mm);
		} else {
			return PQ_ML_BAD_STAMP;
		}
		if (i >= len || p[i] != ' ')
			return PQ_ML_BAD_STAMP;
		i++;
	} else if (fixed_stamp(p, len, f)) {
		i = 16;
	} else {
		/* RFC 3164: any three characters, 1-2 spaces, 1-2 digit day */
		f->year = -1;
		if (len < 15 || p[0] == '\n' || p[1] == '\n' || p[2] == '\n')
			return PQ_ML_BAD_STAMP;
		f->mon = pq_ml_month(p);
		i = 3;
		if (p[i] != ' ')
			return PQ_ML_BAD_STAMP;
		i++;
		if (i < len && p[i] == ' ')
			i++;
		if (i >= len || !isdig(p[i]))
			return PQ_ML_BAD_STAMP;
		f->mday = p[i++] - '0';
		if (i < len && isdig(p[i]))
			f->mday = f->mday * 10 + (p[i++] - '0');
		if (i >= len || p[i] != ' ' || !hms(p, len, i + 1, f))
			return PQ_ML_BAD_STAMP;
		i += 9;
		f->stamp = PQ_ML_STAMP_RFC3164;
		if (i < len && p[i] == '.') {
			fraction(p, len, &i, f);
			f->stamp = PQ_ML_STAMP_RFC3164_FRAC;
		}
		if (i >= len || p[i] != ' ')
			return PQ_ML_BAD_STAMP;
		i++;
	}
	if ((r = host_rest(p, len, i, f)) != PQ_ML_OK)
		return r;
	return prog_text(f);
}

enum pq_ml_bad pq_ml_parse_frame_next(struct pq_ml_frame_cache *c, const char *p, size_t len,
    struct pq_ml_frame *f)
{
	size_t n = c->n;

	if (n > 0 && len > n && !same_prefix(p, c->prefix, n)) {
		/*
		 * A new second, same host: with the fixed layout on both
		 * lines and the same bytes from the space before the host
		 * on, only the stamp differs (pq_ml_parse_frame would find the
		 * same host and rest).
		 */
		if (c->host_off == 16 && c->f.stamp == PQ_ML_STAMP_RFC3164 &&
		    same_prefix(p + 15, c->prefix + 15, n - 15) && fixed_stamp(p, len, &c->f))
			memcpy(c->prefix, p, 15);
		else
			n = 0;
	}
	if (n > 0 && len > n) {
		*f = c->f;
		f->host.p = p + c->host_off;
		f->rest.p = p + n;
		f->rest.n = len - n;
		f->prog.p = f->text.p = p;
		f->prog.n = f->text.n = 0;
		f->pid = -1;
		return prog_text(f);
	}
	enum pq_ml_bad r = pq_ml_parse_frame(p, len, f);
	c->n = 0;
	if (r == PQ_ML_OK || r == PQ_ML_BAD_PROG) {
		/* host_rest succeeded: stamp and host end at rest */
		size_t k = (size_t)(f->rest.p - p);
		if (k <= sizeof(c->prefix)) {
			memcpy(c->prefix, p, k);
			c->n = k;
			c->host_off = (size_t)(f->host.p - p);
			c->f = *f;
		}
	}
	return r;
}

static bool str_is(struct pq_ml_str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && memcmp(s.p, lit, n) == 0;
}

static enum pq_ml_daemon daemon_id(struct pq_ml_str d)
{
	const char *p = d.p;
	switch (d.n) {
	case 4:
		if (eq_lit(p, "smtp", 4))
			return PQ_ML_D_SMTP;
		if (eq_lit(p, "qmgr", 4))
			return PQ_ML_D_QMGR;
		if (eq_lit(p, "lmtp", 4))
			return PQ_ML_D_LMTP;
		if (eq_lit(p, "pipe", 4))
			return PQ_ML_D_PIPE;
		return PQ_ML_D_OTHER;
	case 5:
		if (eq_lit(p, "smtpd", 5))
			return PQ_ML_D_SMTPD;
		if (eq_lit(p, "local", 5))
			return PQ_ML_D_LOCAL;
		if (eq_lit(p, "error", 5))
			return PQ_ML_D_ERROR;
		if (eq_lit(p, "anvil", 5))
			return PQ_ML_D_ANVIL;
		return PQ_ML_D_OTHER;
	case 6:
		if (eq_lit(p, "pickup", 6))
			return PQ_ML_D_PICKUP;
		if (eq_lit(p, "bounce", 6))
			return PQ_ML_D_BOUNCE;
		if (eq_lit(p, "master", 6))
			return PQ_ML_D_MASTER;
		if (eq_lit(p, "scache", 6))
			return PQ_ML_D_SCACHE;
		if (eq_lit(p, "tlsmgr", 6))
			return PQ_ML_D_TLSMGR;
		return PQ_ML_D_OTHER;
	case 7:
		if (eq_lit(p, "cleanup", 7))
			return PQ_ML_D_CLEANUP;
		if (eq_lit(p, "virtual", 7))
			return PQ_ML_D_VIRTUAL;
		return PQ_ML_D_OTHER;
	case 9:
		return eq_lit(p, "postsuper", 9) ? PQ_ML_D_POSTSUPER : PQ_ML_D_OTHER;
	case 10:
		return eq_lit(p, "postscreen", 10) ? PQ_ML_D_POSTSCREEN : PQ_ML_D_OTHER;
	}
	return PQ_ML_D_OTHER;
}

/* pp's parts, the first two '/' of prog being at s1 and s2 (NULL: none) */
static bool split_at(const struct pq_ml_str *prog, const char *s1, const char *s2, const char *extra,
    struct pq_ml_prog *pp)
{
	const char *p = prog->p, *end = p + prog->n;

	pp->syslog_name.p = p;
	pp->syslog_name.n = s1 ? (size_t)(s1 - p) : prog->n;
	pp->service.p = p;
	pp->service.n = 0;
	pp->id = PQ_ML_D_OTHER;
	bool ok = IS(pp->syslog_name, "postfix") ||
	    (pp->syslog_name.n > 8 && eq_lit(p, "postfix-", 8)) ||
	    (extra && str_is(pp->syslog_name, extra));
	if (!ok)
		return false;
	if (s1 == NULL) {
		pp->daemon = pp->syslog_name;
		pp->id = daemon_id(pp->daemon);
		return true;
	}
	const char *a = s1 + 1;
	if (s2) {
		pp->service.p = a;
		pp->service.n = (size_t)(s2 - a);
		a = s2 + 1;
	} else {
		pp->service.p = a;
	}
	pp->daemon.p = a;
	pp->daemon.n = (size_t)(end - a);
	pp->id = daemon_id(pp->daemon);
	return pp->daemon.n > 0;
}

bool pq_ml_split_prog(const struct pq_ml_str *prog, const char *extra, struct pq_ml_prog *pp)
{
	const char *p = prog->p, *end = p + prog->n;
	const char *s1 = memchr(p, '/', prog->n);
	const char *s2 = s1 ? memchr(s1 + 1, '/', (size_t)(end - s1 - 1)) : NULL;
	return split_at(prog, s1, s2, extra, pp);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* up to 8 bytes as the little-endian word that holds them, zero-padded */
#define W8(a, b, c, d, e, f, g, h) ((uint64_t)(a) | (uint64_t)(b) << 8 | (uint64_t)(c) << 16 | \
	(uint64_t)(d) << 24 | (uint64_t)(e) << 32 | (uint64_t)(f) << 40 | (uint64_t)(g) << 48 | \
	(uint64_t)(h) << 56)

/*
 * daemon_id of a name of n < 8 bytes given as W8 would give it, its
 * length in the top byte (a NUL in the name must not make it another):
 * a perfect hash of the names into 16 slots (the multiplier was found
 * by trying), one compare.
 */
#define DW(n, a, b, c, d, e, f, g) W8(a, b, c, d, e, f, g, n)
#define DHASH(w) ((unsigned)(((uint64_t)(w) * 0x549b062ceb539355ULL) >> 60))
#define DENT(id, n, a, b, c, d, e, f, g) [DHASH(DW(n, a, b, c, d, e, f, g))] = { DW(n, a, b, c, d, e, f, g), id }
static const struct dent {
	uint64_t w;
	enum pq_ml_daemon id;
} dtab[16] = {
	DENT(PQ_ML_D_SMTPD, 5, 's', 'm', 't', 'p', 'd', 0, 0),
	DENT(PQ_ML_D_SMTP, 4, 's', 'm', 't', 'p', 0, 0, 0),
	DENT(PQ_ML_D_QMGR, 4, 'q', 'm', 'g', 'r', 0, 0, 0),
	DENT(PQ_ML_D_CLEANUP, 7, 'c', 'l', 'e', 'a', 'n', 'u', 'p'),
	DENT(PQ_ML_D_LMTP, 4, 'l', 'm', 't', 'p', 0, 0, 0),
	DENT(PQ_ML_D_LOCAL, 5, 'l', 'o', 'c', 'a', 'l', 0, 0),
	DENT(PQ_ML_D_VIRTUAL, 7, 'v', 'i', 'r', 't', 'u', 'a', 'l'),
	DENT(PQ_ML_D_PIPE, 4, 'p', 'i', 'p', 'e', 0, 0, 0),
	DENT(PQ_ML_D_ERROR, 5, 'e', 'r', 'r', 'o', 'r', 0, 0),
	DENT(PQ_ML_D_PICKUP, 6, 'p', 'i', 'c', 'k', 'u', 'p', 0),
	DENT(PQ_ML_D_BOUNCE, 6, 'b', 'o', 'u', 'n', 'c', 'e', 0),
	DENT(PQ_ML_D_MASTER, 6, 'm', 'a', 's', 't', 'e', 'r', 0),
	DENT(PQ_ML_D_ANVIL, 5, 'a', 'n', 'v', 'i', 'l', 0, 0),
	DENT(PQ_ML_D_SCACHE, 6, 's', 'c', 'a', 'c', 'h', 'e', 0),
	DENT(PQ_ML_D_TLSMGR, 6, 't', 'l', 's', 'm', 'g', 'r', 0)
};

static enum pq_ml_daemon daemon_word(uint64_t w)
{
	const struct dent *d = &dtab[DHASH(w)];
	return d->w == w ? d->id : PQ_ML_D_OTHER;
}
#endif

bool pq_ml_split_frame(const struct pq_ml_frame *f, const char *extra, struct pq_ml_prog *pp)
{
	const char *p = f->prog.p, *end = p + f->prog.n;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/*
	 * "postfix/DAEMON", the daemon of up to 8 bytes, and the line goes
	 * on for 8 bytes past its start ("[pid]: " or ": " and the text
	 * follow the name): one word read says that the daemon holds no
	 * '/' and which it is.
	 */
	size_t n = f->prog.n - 8;
	if (f->prog.n > 8 && n <= 8 && p + 16 <= f->rest.p + f->rest.n && eq_lit(p, "postfix/", 8)) {
		uint64_t w, x;
		memcpy(&w, p + 8, 8);
		if (n < 8)
			w &= (1ULL << (8 * n)) - 1;
		x = w ^ 0x2f2f2f2f2f2f2f2fULL;	/* a '/' becomes a zero byte */
		uint64_t z = (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
		/* a false hit only ever sits above a true zero byte: masking is exact */
		if (n < 8)
			z &= (1ULL << (8 * n)) - 1;
		if (z == 0) {
			pp->syslog_name.p = pp->service.p = p;
			pp->syslog_name.n = 7;
			pp->service.n = 0;
			pp->daemon.p = p + 8;
			pp->daemon.n = n;
			pp->id = n < 8 ? daemon_word(w | (uint64_t)n << 56) : PQ_ML_D_OTHER;
			return true;
		}
	}
#endif
	const char *s1 = memchr(p, '/', f->prog.n);
	const char *s2 = s1 ? memchr(s1 + 1, '/', (size_t)(end - s1 - 1)) : NULL;
	return split_at(&f->prog, s1, s2, extra, pp);
}

/*
 * The run of letters and digits at p (up to end), and whether it is a
 * queue id (pq_ml_is_qid): one pass, the classes from the table.
 */
static const char *qid_run(const char *p, const char *end, bool *isq)
{
	const char *q = p;
	unsigned all = C_HEXUP | C_B52 | C_ALNUM, c;
	/* four at a time: queue ids are 10 to 15 bytes, and this runs on most lines */
	while (end - q >= 4) {
		c = cls[(unsigned char)q[0]] & cls[(unsigned char)q[1]] & cls[(unsigned char)q[2]] &
		    cls[(unsigned char)q[3]];
		if (!(c & C_ALNUM))
			break;
		all &= c;
		q += 4;
	}
	while (q < end && ((c = cls[(unsigned char)*q]) & C_ALNUM)) {
		all &= c;
		q++;
	}
	size_t n = (size_t)(q - p);
	*isq = false;
	if (n < 6 || n > 64)
		return q;
	if (all & C_HEXUP)
		*isq = true;
	else if (all & C_B52) {
		/* long form: base52(sec) base52(usec) 'z' base51(inode), the last 'z' at 10 or later */
		const char *z = memrchr(p, 'z', n);
		*isq = z && z - p >= 10;
	}
	return q;
}

bool pq_ml_is_qid(const char *p, size_t n)
{
	bool isq;
	return qid_run(p, p + n, &isq) == p + n && isq;
}

static const char *find(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	if (k > n)
		return NULL;
	return memmem(p, n, lit, k);
}

static void set(struct pq_ml_str *s, const char *a, const char *b)
{
	s->p = a;
	s->n = (size_t)(b - a);
}

static void clear(struct pq_ml_str *s, const char *at)
{
	s->p = at;
	s->n = 0;
}

/*
 * "<addr>" at p (just after its '<'): the address ends at the first '>'
 * followed by ',', ' ' or the end (Postfix writes addresses as they
 * came, so one may hold a '>'); NULL if there is none.
 */
static const char *addr_end(const char *p, const char *end)
{
	for (const char *g = p; (g = memchr(g, '>', (size_t)(end - g))) != NULL; g++)
		if (g + 1 == end || g[1] == ',' || g[1] == ' ')
			return g;
	return NULL;
}

/*
 * Field "name=" in s: at the start or after a space; value ends at ','
 * (or at '>' for <...> values); views into s. For lines not in
 * Postfix's own field order only.
 */
static bool field(struct pq_ml_str s, const char *name, struct pq_ml_str *v)
{
	size_t k = strlen(name);
	const char *p = s.p, *end = s.p + s.n;

	while (p < end) {
		const char *q = find(p, (size_t)(end - p), name);
		if (q == NULL)
			return false;
		if (q == s.p || q[-1] == ' ') {
			const char *a = q + k, *b;
			if (a < end && *a == '<') {
				b = addr_end(a + 1, end);
				if (b == NULL)
					return false;
				set(v, a + 1, b);
				return true;
			}
			for (b = a; b < end && *b != ',' && *b != ' '; b++)
				;
			set(v, a, b);
			return true;
		}
		p = q + 1;
	}
	return false;
}

/* "host[ip]" or "host[ip]:port" token at the start of s: up to ' ' or ','. */
static struct pq_ml_str client_token(const char *p, const char *end)
{
	struct pq_ml_str r = { p, 0 };
	const char *q = memchr(p, ' ', (size_t)(end - p));

	if (q == NULL)
		q = end;
	const char *c = memchr(p, ',', (size_t)(q - p));
	if (c)
		q = c;
	if (q > p && q[-1] == ':')
		q--;
	r.n = (size_t)(q - p);
	return r;
}

static bool isspc(int c)
{
	return cls[(unsigned char)c] & C_SPC;
}

/* "554 5.7.1 ..." at the start of r: the reply code and enhanced status code. */
static void reply_codes(struct pq_ml_str r, struct pq_ml_event_info *ev)
{
	const char *p = r.p, *e = r.p + r.n;
	clear(&ev->code, p);
	clear(&ev->dsn, p);
	if (e - p >= 4 && p[0] >= '2' && p[0] <= '5' && isdig(p[1]) && isdig(p[2]) && p[3] == ' ') {
		set(&ev->code, p, p + 3);
		p += 4;
	}
	/* X.Y.Z: class digit, 1-3 digits, 1-3 digits, then a space or the end */
	if (e - p < 5 || p[0] < '2' || p[0] > '5' || p[1] != '.' || !isdig(p[2]))
		return;
	const char *q = p + 3;
	for (int k = 0; k < 2 && q < e && isdig(*q); k++)
		q++;
	if (q + 1 >= e || *q != '.' || !isdig(q[1]))
		return;
	q += 2;
	for (int k = 0; k < 2 && q < e && isdig(*q); k++)
		q++;
	if (q == e || *q == ' ')
		set(&ev->dsn, p, q);
}

/*
 * The "; from=<F> to=<T> proto=... helo=<H>" that smtpd and cleanup put
 * after a reject's reason (postscreen: ", " between the fields): the
 * reason ends at its start. Searched from the end, where it is.
 */
static void reject_tail(struct pq_ml_str *reason, struct pq_ml_event_info *ev)
{
	const char *p = reason->p, *end = p + reason->n;
	clear(&ev->from, end);
	clear(&ev->to, end);
	for (const char *e = end; e > p;) {
		const char *semi = memrchr(p, ';', (size_t)(e - p));
		if (semi == NULL)
			return;
		e = semi;
		if (end - semi < 3 || semi[1] != ' ')
			continue;
		const char *f = semi + 2;
		size_t fn = (size_t)(end - f);
		if (!(STARTS(f, fn, "from=<") || STARTS(f, fn, "to=<") || STARTS(f, fn, "proto=") ||
		    STARTS(f, fn, "helo=<")))
			continue;
		reason->n = (size_t)(semi - p);
		if (STARTS(f, fn, "from=<")) {
			const char *g = addr_end(f + 6, end);
			if (g) {
				set(&ev->from, f + 6, g);
				f = g + 1;
				while (f < end && (*f == ',' || *f == ' '))
					f++;
			}
		}
		if (STARTS(f, (size_t)(end - f), "to=<")) {
			const char *g = addr_end(f + 4, end);
			if (g)
				set(&ev->to, f + 4, g);
		}
		return;
	}
}

/* after_kw: just after "reject: " (or its kin) in t */
static void reject_details(struct pq_ml_str t, const char *after_kw, struct pq_ml_event_info *ev)
{
	const char *end = t.p + t.n, *p = after_kw;
	clear(&ev->reject_stage, p);
	clear(&ev->client, p);
	clear(&ev->reason, end);
	clear(&ev->code, end);
	clear(&ev->dsn, end);
	clear(&ev->from, end);
	clear(&ev->to, end);
	/* "STAGE from host[ip]: reason; from=<> to=<> proto=... helo=<>" */
	const char *sp = memchr(p, ' ', (size_t)(end - p));
	if (sp == NULL) {
		set(&ev->reject_stage, p, end);
		return;
	}
	set(&ev->reject_stage, p, sp);
	if (STARTS(sp, (size_t)(end - sp), " from ")) {
		const char *c = sp + 6;
		const char *colon = c;
		while ((colon = memchr(colon, ':', (size_t)(end - colon))) != NULL &&
		    !(colon + 1 < end && colon[1] == ' '))
			colon++;
		if (colon == NULL)
			return;
		set(&ev->client, c, colon);
		set(&ev->reason, colon + 2, end);
		reject_tail(&ev->reason, ev);
		reply_codes(ev->reason, ev);
		return;
	}
	/* cleanup: "header Subject: ... from host[ip]; from=<...> to=<...> ...: 550 5.7.1 text" */
	const char *r = sp + 1;
	const char *semi = find(r, (size_t)(end - r), "; from=<");
	set(&ev->reason, r, semi ? semi : end);
	if (semi) {
		const char *f = semi + 8, *g = addr_end(f, end);
		if (g) {
			set(&ev->from, f, g);
			if (STARTS(g + 1, (size_t)(end - g - 1), " to=<")) {
				const char *g2 = addr_end(g + 6, end);
				if (g2)
					set(&ev->to, g + 6, g2);
			}
		}
		/* the reply comes after the last ": " */
		for (const char *c = end; c > semi;) {
			const char *q = memrchr(semi, ':', (size_t)(c - semi));
			if (q == NULL)
				break;
			if (q + 1 < end && q[1] == ' ') {
				struct pq_ml_str rep = { q + 2, (size_t)(end - q - 2) };
				reply_codes(rep, ev);
				break;
			}
			c = q;
		}
	}
}

/* The reject kinds' keywords; the length of the one at p, 0 if none. */
static inline size_t reject_kw(const char *p, size_t n, struct pq_ml_event_info *ev)
{
	ev->milter = false;
	switch (n > 0 ? p[0] : 0) {
	case 'r':
		if (STARTS(p, n, "reject: ")) {
			ev->type = PQ_ML_EV_REJECT;
			return 8;
		}
		if (STARTS(p, n, "reject_warning: ")) {
			ev->type = PQ_ML_EV_REJECT_WARNING;
			return 16;
		}
		return 0;
	case 'm':
		if (STARTS(p, n, "milter-reject: ")) {
			ev->type = PQ_ML_EV_REJECT;
			ev->milter = true;
			return 15;
		}
		return 0;
	case 'h':
		if (STARTS(p, n, "hold: ")) {
			ev->type = PQ_ML_EV_HOLD;
			return 6;
		}
		return 0;
	case 'd':
		if (STARTS(p, n, "discard: ")) {
			ev->type = PQ_ML_EV_DISCARD;
			return 9;
		}
		return 0;
	}
	return 0;
}

static enum pq_ml_status status_code(struct pq_ml_str s)
{
	switch (s.n) {
	case 4:
		return eq_lit(s.p, "sent", 4) ? PQ_ML_ST_SENT : PQ_ML_ST_OTHER;
	case 7:
		if (eq_lit(s.p, "bounced", 7))
			return PQ_ML_ST_BOUNCED;
		return eq_lit(s.p, "expired", 7) ? PQ_ML_ST_EXPIRED : PQ_ML_ST_OTHER;
	case 8:
		return eq_lit(s.p, "deferred", 8) ? PQ_ML_ST_DEFERRED : PQ_ML_ST_OTHER;
	}
	return PQ_ML_ST_OTHER;
}

/* ", name=" at *p: its value (up to the next ',') in v, *p past it */
static inline bool next_field(const char **p, const char *end, const char *name, size_t k, struct pq_ml_str *v)
{
	const char *q = *p;
	if ((size_t)(end - q) < k + 2 || q[0] != ',' || q[1] != ' ' || !eq_lit(q + 2, name, k))
		return false;
	const char *a = q + 2 + k, *c = memchr(a, ',', (size_t)(end - a));
	if (c == NULL)
		c = end;
	if (c == a)
		return false;
	set(v, a, c);
	*p = c;
	return true;
}

/* m: after "QID: to=<" */
static void delivery(struct pq_ml_str m, struct pq_ml_event_info *ev)
{
	const char *end = m.p + m.n, *a = m.p + 4;
	const char *g = addr_end(a, end);
	if (g == NULL)
		return;
	set(&ev->to, a, g);
	const char *p = g + 1;
	clear(&ev->orig_to, p);
	clear(&ev->relay, p);
	clear(&ev->conn_use, p);
	clear(&ev->delay, p);
	clear(&ev->delays, p);
	clear(&ev->dsn, p);
	clear(&ev->reason, end);
	if (end - p > 11 && eq_lit(p, ", orig_to=<", 11)) {
		const char *g2 = addr_end(p + 11, end);
		if (g2) {
			set(&ev->orig_to, p + 11, g2);
			p = g2 + 1;
		}
	}
	/* Postfix's own order (log_adhoc.c); anything else is looked up by name */
	bool ok = next_field(&p, end, "relay=", 6, &ev->relay);
	if (ok)
		next_field(&p, end, "conn_use=", 9, &ev->conn_use);
	ok = ok && next_field(&p, end, "delay=", 6, &ev->delay);
	if (ok) {
		next_field(&p, end, "delays=", 7, &ev->delays);
		next_field(&p, end, "dsn=", 4, &ev->dsn);
	}
	const char *st = NULL;
	if (ok && end - p > 9 && eq_lit(p, ", status=", 9))
		st = p + 9;
	ev->loose = st == NULL;
	if (st == NULL) {
		struct pq_ml_str rest = { g + 1, (size_t)(end - g - 1) };
		if (!field(rest, "status=", &ev->status))
			return;
		field(rest, "relay=", &ev->relay);
		field(rest, "delay=", &ev->delay);
		field(rest, "delays=", &ev->delays);
		field(rest, "dsn=", &ev->dsn);
		field(rest, "conn_use=", &ev->conn_use);
		st = ev->status.p;
	}
	const char *se = st;
	while (se < end && !isspc(*se))
		se++;
	if (se == st)
		return;
	set(&ev->status, st, se);
	set(&ev->tail, se, end);
	ev->type = PQ_ML_EV_DELIVERY;
	ev->dstatus = status_code(ev->status);
	if (end - se >= 3 && se[0] == ' ' && se[1] == '(' && end[-1] == ')')
		set(&ev->reason, se + 2, end - 1);
}

/* m: after "QID: from=<" */
static void from_line(struct pq_ml_str m, struct pq_ml_event_info *ev)
{
	const char *end = m.p + m.n, *a = m.p + 6;
	const char *g = addr_end(a, end);
	if (g == NULL)
		return;
	set(&ev->from, a, g);
	const char *p = g + 1;
	if (end - p > 7 && eq_lit(p, ", size=", 7)) {
		const char *d = p + 7, *q = d;
		while (q < end && isdig(*q))
			q++;
		if (q == d)
			return;
		set(&ev->size, d, q);
		clear(&ev->nrcpt, q);
		if (end - q > 8 && eq_lit(q, ", nrcpt=", 8)) {
			const char *r = q + 8, *re = r;
			while (re < end && isdig(*re))
				re++;
			set(&ev->nrcpt, r, re);
		}
		ev->type = PQ_ML_EV_QMGR_FROM;
		return;
	}
	if (end - p > 9 && eq_lit(p, ", status=", 9)) {
		const char *s = p + 9, *se = memchr(s, ',', (size_t)(end - s));
		if (se == NULL)
			se = end;
		set(&ev->status, s, se);
		if (IS(ev->status, "expired") || IS(ev->status, "force-expired")) {
			ev->type = PQ_ML_EV_EXPIRED;
			ev->dstatus = PQ_ML_ST_EXPIRED;
		}
	}
}

void pq_ml_classify(const struct pq_ml_frame *f, const struct pq_ml_prog *pp, struct pq_ml_event_info *ev)
{
	struct pq_ml_str t = f->text;
	const char *end = t.p + t.n;

	ev->type = PQ_ML_EV_OTHER;
	ev->dstatus = PQ_ML_ST_NONE;
	ev->loose = false;
	ev->milter = false;
	clear(&ev->qid, t.p);
	clear(&ev->tag, t.p);
	if (t.n == 0)
		return;
	switch (t.p[0]) {
	case 'w':
		if (STARTS(t.p, t.n, "warning: ")) {
			ev->type = PQ_ML_EV_WARNING;
			set(&ev->tag, t.p, t.p + 7);
			set(&ev->reason, t.p + 9, end);
			return;
		}
		break;
	case 'f':
		if (STARTS(t.p, t.n, "fatal: ")) {
			ev->type = PQ_ML_EV_FATAL;
			set(&ev->tag, t.p, t.p + 5);
			set(&ev->reason, t.p + 7, end);
			return;
		}
		break;
	case 'p':
		if (STARTS(t.p, t.n, "panic: ")) {
			ev->type = PQ_ML_EV_PANIC;
			set(&ev->tag, t.p, t.p + 5);
			set(&ev->reason, t.p + 7, end);
			return;
		}
		break;
	}
	enum pq_ml_daemon d = pp->id;
	if (d == PQ_ML_D_SMTPD) {
		if (t.p[0] == 'c' && STARTS(t.p, t.n, "connect from ")) {
			/* smtpd writes nothing after the client */
			ev->type = PQ_ML_EV_CONNECT;
			set(&ev->client, t.p + 13, end);
			return;
		}
		if (t.p[0] == 'd' && STARTS(t.p, t.n, "disconnect from ")) {
			/* then " ehlo=1 mail=1 ... commands=N" */
			ev->type = PQ_ML_EV_DISCONNECT;
			const char *a = t.p + 16, *sp = memchr(a, ' ', (size_t)(end - a));
			set(&ev->client, a, sp ? sp : end);
			return;
		}
		if (t.p[0] == 'l' && STARTS(t.p, t.n, "lost connection after ")) {
			const char *a = t.p + 22, *sp = memchr(a, ' ', (size_t)(end - a));
			if (sp && STARTS(sp, (size_t)(end - sp), " from ")) {
				ev->type = PQ_ML_EV_LOST;
				set(&ev->reject_stage, a, sp);
				ev->client = client_token(sp + 6, end);
			}
			return;
		}
	}
	/* the queue id: letters and digits up to ": " */
	bool isq;
	const char *q = qid_run(t.p, end, &isq);
	bool tagged = q > t.p && end - q >= 2 && q[0] == ':' && q[1] == ' ';
	if (tagged)
		set(&ev->tag, t.p, q);
	if (d == PQ_ML_D_MASTER) {
		ev->type = PQ_ML_EV_MASTER;
		ev->reason = t;
		return;
	}
	if (!tagged || (!isq && !(q - t.p == 7 && eq_lit(t.p, "NOQUEUE", 7)))) {
		/* the old reject lines without a queue id: "reject: RCPT from ..." */
		size_t k = reject_kw(t.p, t.n, ev);
		if (k)
			reject_details(t, t.p + k, ev);
		else if (d == PQ_ML_D_POSTSCREEN)
			ev->type = PQ_ML_EV_POSTSCREEN;
		return;
	}
	set(&ev->qid, t.p, q);
	struct pq_ml_str m = { q + 2, (size_t)(end - q - 2) };
	if (m.n == 0)
		return;
	size_t k = reject_kw(m.p, m.n, ev);
	if (k) {
		reject_details(m, m.p + k, ev);
		return;
	}
	switch (m.p[0]) {
	case 't':
		if (STARTS(m.p, m.n, "to=<"))
			delivery(m, ev);
		return;
	case 'f':
		if (STARTS(m.p, m.n, "from=<"))
			from_line(m, ev);
		return;
	case 'r':
		if (IS(m, "removed"))
			ev->type = PQ_ML_EV_REMOVED;
		return;
	case 'c':
		if (STARTS(m.p, m.n, "client=")) {
			ev->type = PQ_ML_EV_CLIENT;
			const char *a = m.p + 7, *c = memchr(a, ',', (size_t)(end - a));
			set(&ev->client, a, c ? c : end);
		}
		return;
	case 'm':
		if (STARTS(m.p, m.n, "message-id=")) {
			ev->type = PQ_ML_EV_MESSAGE_ID;
			set(&ev->reason, m.p + 11, end);
		}
		return;
	case 'w':
		if (d == PQ_ML_D_CLEANUP && STARTS(m.p, m.n, "warning: ")) {
			ev->type = PQ_ML_EV_CLEANUP_WARNING;
			reject_details(m, m.p + 9, ev);
		}
		return;
	case 'u':
	case 's':
		if (d == PQ_ML_D_PICKUP && (STARTS(m.p, m.n, "uid=") || STARTS(m.p, m.n, "sender="))) {
			ev->type = PQ_ML_EV_PICKUP;
			const char *fp = find(m.p, m.n, "from=<");
			const char *g = fp ? addr_end(fp + 6, end) : NULL;
			if (g)
				set(&ev->from, fp + 6, g);
			else
				clear(&ev->from, end);
			return;
		}
		break;
	}
	if (d == PQ_ML_D_BOUNCE) {
		const char *n = find(m.p, m.n, "notification: ");
		if (n) {
			ev->type = PQ_ML_EV_BOUNCE_NOTIFY;
			set(&ev->other_qid, n + 14, end);
		}
	}
}

enum pq_ml_bad pq_ml_read_line(struct pq_ml_frame_cache *c, const char *extra_name, const char *line,
    size_t len, struct pq_ml_line *l)
{
	enum pq_ml_bad r = pq_ml_parse_frame_next(c, line, len, &l->f);
	l->postfix = r == PQ_ML_OK && pq_ml_split_frame(&l->f, extra_name, &l->p);
	if (l->postfix)
		pq_ml_classify(&l->f, &l->p, &l->ev);
	else {
		l->ev.type = PQ_ML_EV_OTHER;
		l->ev.dstatus = PQ_ML_ST_NONE;
		l->ev.loose = l->ev.milter = false;
		clear(&l->ev.qid, line);
		clear(&l->ev.tag, line);
	}
	return r;
}
