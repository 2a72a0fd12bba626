/*
 * maillog - mail-log line parser; see maillog.h.
 *
 * Each function walks the line once with explicit bounds checks: the
 * input may be truncated anywhere, contain NULs or be binary.
 */
#include "log/maillog.h"

#include <stdint.h>
#include <string.h>

int ml_month(const char *p)
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
static bool hms(const char *p, size_t len, size_t i, struct ml_frame *f)
{
	return digits(p, len, i, 2, &f->hour) && i + 2 < len && p[i + 2] == ':' &&
	    digits(p, len, i + 3, 2, &f->min) && i + 5 < len && p[i + 5] == ':' &&
	    digits(p, len, i + 6, 2, &f->sec);
}

/* ".digits" at *i: consumed, microseconds in f->usec. */
static void fraction(const char *p, size_t len, size_t *i, struct ml_frame *f)
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
 * Byte classes (C_SPC is Perl's \s: space, \t, \n, \v, \f, \r) for the two scans every line goes through (host, program
 * name): a table lookup per byte instead of a chain of compares.
 */
enum { C_SPC = 1, C_PROGEND = 2 };
static const unsigned char cls[256] = {
	['\t'] = C_SPC | C_PROGEND, ['\n'] = C_SPC | C_PROGEND, ['\v'] = C_SPC | C_PROGEND,
	['\f'] = C_SPC | C_PROGEND, ['\r'] = C_SPC | C_PROGEND, [' '] = C_SPC | C_PROGEND,
	['['] = C_PROGEND, [':'] = C_PROGEND,
};

/* Parse "host rest" at p[i..]: host is \S+, one space, rest non-empty. */
static enum ml_bad host_rest(const char *p, size_t len, size_t i, struct ml_frame *f)
{
	size_t h = i;

	while (i < len && !(cls[(unsigned char)p[i]] & C_SPC))
		i++;
	if (i == h || i >= len || p[i] != ' ' || i + 1 >= len)
		return ML_BAD_HOST;
	f->host.p = p + h;
	f->host.n = i - h;
	f->rest.p = p + i + 1;
	f->rest.n = len - i - 1;
	return ML_OK;
}

static enum ml_bad prog_text(struct ml_frame *f)
{
	const char *p = f->rest.p;
	size_t n = f->rest.n, i = 0;

	/* nearly every program name starts "postfix/": none of it ends the name */
	if (n > 8 && memcmp(p, "postfix/", 8) == 0)
		i = 8;
	while (i < n && !(cls[(unsigned char)p[i]] & C_PROGEND))
		i++;
	if (i == 0 || i >= n)
		return ML_BAD_PROG;
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
			return ML_BAD_PROG;
		f->pid = pid;
		i++;
	}
	if (i + 1 >= n || p[i] != ':' || p[i + 1] != ' ')
		return ML_BAD_PROG;
	f->text.p = p + i + 2;
	f->text.n = n - i - 2;
	return ML_OK;
}

/*
 * The usual RFC 3164 layout, "Mmm dd HH:MM:SS " at fixed offsets, read
 * in one go (false: not that layout, f untouched); ml_parse_frame's
 * general branch gives the same result for it, only slower (every line
 * is here).
 */
static bool fixed_stamp(const char *p, size_t len, struct ml_frame *f)
{
	if (!(len >= 17 && p[3] == ' ' && (p[4] == ' ' || isdig(p[4])) && isdig(p[5]) &&
	    p[6] == ' ' && isdig(p[7]) && isdig(p[8]) && p[9] == ':' && isdig(p[10]) &&
	    isdig(p[11]) && p[12] == ':' && isdig(p[13]) && isdig(p[14]) && p[15] == ' ' &&
	    p[0] != '\n' && p[1] != '\n' && p[2] != '\n'))
		return false;
	f->mon = ml_month(p);
	f->mday = (p[4] == ' ' ? 0 : (p[4] - '0') * 10) + (p[5] - '0');
	f->hour = (p[7] - '0') * 10 + (p[8] - '0');
	f->min = (p[10] - '0') * 10 + (p[11] - '0');
	f->sec = (p[13] - '0') * 10 + (p[14] - '0');
	f->stamp = ML_STAMP_RFC3164;
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

enum ml_bad ml_parse_frame(const char *p, size_t len, struct ml_frame *f)
{
	size_t i;
	enum ml_bad r;

	/* field by field: a memset of the whole frame shows up per line */
	f->stamp = ML_STAMP_NONE;
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
			return ML_BAD_STAMP;
		f->mon = mo - 1;
		i = 19;
		fraction(p, len, &i, f);
		if (i < len && p[i] == 'Z') {
			f->has_tz = true;
			f->stamp = ML_STAMP_RFC3339;
			i++;
		} else if (i < len && (p[i] == '+' || p[i] == '-')) {
			int sign = p[i] == '-' ? -1 : 1, hh, mm;
			if (!digits(p, len, i + 1, 2, &hh))
				return ML_BAD_STAMP;
			if (i + 3 < len && p[i + 3] == ':' && digits(p, len, i + 4, 2, &mm)) {
				f->stamp = ML_STAMP_RFC3339;
				i += 6;
			} else if (digits(p, len, i + 3, 2, &mm)) {
				f->stamp = ML_STAMP_ISO_NOCOLON;
				i += 5;
			} else {
				return ML_BAD_STAMP;
			}
			f->has_tz = true;
			f->tz_min = sign * (hh * 60 + mm);
		} else {
			return ML_BAD_STAMP;
		}
		if (i >= len || p[i] != ' ')
			return ML_BAD_STAMP;
		i++;
	} else if (fixed_stamp(p, len, f)) {
		i = 16;
	} else {
		/* RFC 3164: any three characters, 1-2 spaces, 1-2 digit day */
		f->year = -1;
		if (len < 15 || p[0] == '\n' || p[1] == '\n' || p[2] == '\n')
			return ML_BAD_STAMP;
		f->mon = ml_month(p);
		i = 3;
		if (p[i] != ' ')
			return ML_BAD_STAMP;
		i++;
		if (i < len && p[i] == ' ')
			i++;
		if (i >= len || !isdig(p[i]))
			return ML_BAD_STAMP;
		f->mday = p[i++] - '0';
		if (i < len && isdig(p[i]))
			f->mday = f->mday * 10 + (p[i++] - '0');
		if (i >= len || p[i] != ' ' || !hms(p, len, i + 1, f))
			return ML_BAD_STAMP;
		i += 9;
		f->stamp = ML_STAMP_RFC3164;
		if (i < len && p[i] == '.') {
			fraction(p, len, &i, f);
			f->stamp = ML_STAMP_RFC3164_FRAC;
		}
		if (i >= len || p[i] != ' ')
			return ML_BAD_STAMP;
		i++;
	}
	if ((r = host_rest(p, len, i, f)) != ML_OK)
		return r;
	return prog_text(f);
}

enum ml_bad ml_parse_frame_next(struct ml_frame_cache *c, const char *p, size_t len,
    struct ml_frame *f)
{
	size_t n = c->n;

	if (n > 0 && len > n && !same_prefix(p, c->prefix, n)) {
		/*
		 * A new second, same host: with the fixed layout on both
		 * lines and the same bytes from the space before the host
		 * on, only the stamp differs (ml_parse_frame would find the
		 * same host and rest).
		 */
		if (c->host_off == 16 && c->f.stamp == ML_STAMP_RFC3164 &&
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
	enum ml_bad r = ml_parse_frame(p, len, f);
	c->n = 0;
	if (r == ML_OK || r == ML_BAD_PROG) {
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

static bool str_is(struct ml_str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && memcmp(s.p, lit, n) == 0;
}

bool ml_split_prog(const struct ml_str *prog, const char *extra, struct ml_prog *pp)
{
	const char *p = prog->p;
	size_t n = prog->n;
	const char *s1 = memchr(p, '/', n);

	memset(pp, 0, sizeof(*pp));
	pp->syslog_name.p = p;
	pp->syslog_name.n = s1 ? (size_t)(s1 - p) : n;
	bool ok = str_is(pp->syslog_name, "postfix") ||
	    (pp->syslog_name.n > 8 && memcmp(p, "postfix-", 8) == 0) ||
	    (extra && str_is(pp->syslog_name, extra));
	if (!ok)
		return false;
	if (s1 == NULL) {
		pp->daemon = pp->syslog_name;
		return true;
	}
	const char *a = s1 + 1, *end = p + n;
	const char *s2 = memchr(a, '/', (size_t)(end - a));
	if (s2) {
		pp->service.p = a;
		pp->service.n = (size_t)(s2 - a);
		a = s2 + 1;
	} else {
		pp->service.p = a;
	}
	pp->daemon.p = a;
	pp->daemon.n = (size_t)(end - a);
	return pp->daemon.n > 0;
}

bool ml_is_qid(const char *p, size_t n)
{
	if (n < 6 || n > 32)
		return false;
	bool hex = true;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
		if (!alnum)
			return false;
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			hex = false;
	}
	return hex || n >= 10;
}

static bool starts(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && memcmp(p, lit, k) == 0;
}

static const char *find(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	if (k > n)
		return NULL;
	return memmem(p, n, lit, k);
}

/*
 * Field "name=" in s: at the start or after a space; value ends at ','
 * (or at '>' for <...> values); views into s.
 */
static bool field(struct ml_str s, const char *name, struct ml_str *v)
{
	size_t k = strlen(name);
	const char *p = s.p, *end = s.p + s.n;

	while (p < end) {
		const char *q = find(p, (size_t)(end - p), name);
		if (q == NULL)
			return false;
		if ((q == s.p || q[-1] == ' ') && q + k < end + 1) {
			const char *a = q + k, *b;
			if (a < end && *a == '<') {
				/* up to the last '>' before a ", " or " " or end */
				b = a + 1;
				const char *gt = NULL;
				for (const char *c = b; c < end; c++) {
					if (*c == '>' && (c + 1 == end || c[1] == ',' || c[1] == ' ')) {
						gt = c;
						break;
					}
				}
				if (gt == NULL)
					return false;
				v->p = b;
				v->n = (size_t)(gt - b);
				return true;
			}
			for (b = a; b < end && *b != ',' && *b != ' '; b++)
				;
			v->p = a;
			v->n = (size_t)(b - a);
			return true;
		}
		p = q + 1;
	}
	return false;
}

/* "host[ip]" or "host[ip]:port" token at the start of s. */
static struct ml_str client_token(const char *p, const char *end)
{
	struct ml_str r = { p, 0 };
	const char *q = p;

	while (q < end && *q != ' ' && *q != ',')
		q++;
	if (q > p && q[-1] == ':')
		q--;
	r.n = (size_t)(q - p);
	return r;
}

static void reject_details(struct ml_str t, const char *after_kw, struct ml_event_info *ev)
{
	const char *end = t.p + t.n, *p = after_kw;
	/* "STAGE from host[ip]: reason; from=<> to=<> proto=... helo=<>" */
	const char *sp = memchr(p, ' ', (size_t)(end - p));
	if (sp == NULL)
		return;
	ev->reject_stage.p = p;
	ev->reject_stage.n = (size_t)(sp - p);
	if (starts(sp, (size_t)(end - sp), " from ")) {
		const char *c = sp + 6;
		const char *colon = find(c, (size_t)(end - c), ": ");
		if (colon) {
			ev->client.p = c;
			ev->client.n = (size_t)(colon - c);
			const char *r = colon + 2;
			const char *semi = find(r, (size_t)(end - r), "; from=<");
			ev->reason.p = r;
			ev->reason.n = (size_t)((semi ? semi : end) - r);
			if (semi) {
				struct ml_str tail = { semi + 2, (size_t)(end - semi - 2) };
				field(tail, "from=", &ev->from);
				field(tail, "to=", &ev->to);
			}
		}
	} else {
		/* cleanup: "header Subject: ...; from=<...> to=<...>" */
		const char *r = sp + 1;
		const char *semi = find(r, (size_t)(end - r), "; from=<");
		ev->reason.p = r;
		ev->reason.n = (size_t)((semi ? semi : end) - r);
		if (semi) {
			struct ml_str tail = { semi + 2, (size_t)(end - semi - 2) };
			field(tail, "from=", &ev->from);
			field(tail, "to=", &ev->to);
		}
	}
}

void ml_classify(const struct ml_frame *f, const struct ml_prog *pp, struct ml_event_info *ev)
{
	struct ml_str t = f->text;
	const char *end = t.p + t.n;

	memset(ev, 0, sizeof(*ev));
	ev->type = ML_EV_OTHER;
	if (starts(t.p, t.n, "warning: ") || starts(t.p, t.n, "fatal: ") || starts(t.p, t.n, "panic: ")) {
		ev->type = t.p[0] == 'w' ? ML_EV_WARNING : t.p[0] == 'f' ? ML_EV_FATAL : ML_EV_PANIC;
		const char *r = memchr(t.p, ' ', t.n) + 1;
		ev->reason.p = r;
		ev->reason.n = (size_t)(end - r);
		return;
	}
	if (str_is(pp->daemon, "master")) {
		ev->type = ML_EV_MASTER;
		ev->reason = t;
		return;
	}
	bool smtpd = str_is(pp->daemon, "smtpd"), pscreen = str_is(pp->daemon, "postscreen");
	if (smtpd && starts(t.p, t.n, "connect from ")) {
		ev->type = ML_EV_CONNECT;
		ev->client = client_token(t.p + 13, end);
		return;
	}
	if (smtpd && starts(t.p, t.n, "disconnect from ")) {
		ev->type = ML_EV_DISCONNECT;
		ev->client = client_token(t.p + 16, end);
		return;
	}
	/* "QID: ..." */
	const char *colon = find(t.p, t.n, ": ");
	if (colon == NULL) {
		if (pscreen)
			ev->type = ML_EV_POSTSCREEN;
		return;
	}
	ev->qid.p = t.p;
	ev->qid.n = (size_t)(colon - t.p);
	bool noqueue = str_is(ev->qid, "NOQUEUE");
	if (!noqueue && !ml_is_qid(ev->qid.p, ev->qid.n)) {
		ev->qid.n = 0;
		if (pscreen)
			ev->type = ML_EV_POSTSCREEN;
		return;
	}
	struct ml_str m = { colon + 2, (size_t)(end - colon - 2) };
	static const struct {
		const char *kw;
		enum ml_event ev;
	} rej[] = {
		{ "reject: ", ML_EV_REJECT }, { "milter-reject: ", ML_EV_REJECT },
		{ "reject_warning: ", ML_EV_REJECT_WARNING }, { "hold: ", ML_EV_HOLD },
		{ "discard: ", ML_EV_DISCARD },
	};
	for (size_t k = 0; k < sizeof(rej) / sizeof(rej[0]); k++) {
		if (starts(m.p, m.n, rej[k].kw)) {
			ev->type = rej[k].ev;
			reject_details(m, m.p + strlen(rej[k].kw), ev);
			return;
		}
	}
	if (str_is(pp->daemon, "cleanup") && starts(m.p, m.n, "warning: ")) {
		ev->type = ML_EV_CLEANUP_WARNING;
		reject_details(m, m.p + 9, ev);
		return;
	}
	if (starts(m.p, m.n, "client=")) {
		ev->type = ML_EV_CLIENT;
		ev->client = client_token(m.p + 7, end);
		return;
	}
	if (starts(m.p, m.n, "message-id=")) {
		ev->type = ML_EV_MESSAGE_ID;
		ev->reason.p = m.p + 11;
		ev->reason.n = m.n - 11;
		return;
	}
	if (str_is(m, "removed")) {
		ev->type = ML_EV_REMOVED;
		return;
	}
	if (str_is(pp->daemon, "pickup") && (starts(m.p, m.n, "uid=") || starts(m.p, m.n, "sender="))) {
		ev->type = ML_EV_PICKUP;
		field(m, "from=", &ev->from);
		return;
	}
	if (starts(m.p, m.n, "from=<")) {
		field(m, "from=", &ev->from);
		if (field(m, "size=", &ev->size)) {
			ev->type = ML_EV_QMGR_FROM;
			field(m, "nrcpt=", &ev->nrcpt);
		} else if (field(m, "status=", &ev->status) && ev->status.n == 7 &&
		    memcmp(ev->status.p, "expired", 7) == 0) {
			ev->type = ML_EV_EXPIRED;
		}
		return;
	}
	if (starts(m.p, m.n, "to=<")) {
		field(m, "to=", &ev->to);
		field(m, "orig_to=", &ev->orig_to);
		field(m, "relay=", &ev->relay);
		field(m, "delay=", &ev->delay);
		field(m, "delays=", &ev->delays);
		field(m, "dsn=", &ev->dsn);
		if (field(m, "status=", &ev->status)) {
			ev->type = ML_EV_DELIVERY;
			const char *r = ev->status.p + ev->status.n;
			if (r + 2 < end && r[0] == ' ' && r[1] == '(' && end[-1] == ')') {
				ev->reason.p = r + 2;
				ev->reason.n = (size_t)(end - 1 - r - 2);
			}
		}
		return;
	}
	if (str_is(pp->daemon, "bounce")) {
		const char *q = find(m.p, m.n, "notification: ");
		if (q) {
			ev->type = ML_EV_BOUNCE_NOTIFY;
			ev->other_qid.p = q + 14;
			ev->other_qid.n = (size_t)(end - q - 14);
		}
		return;
	}
	if (pscreen)
		ev->type = ML_EV_POSTSCREEN;
}
