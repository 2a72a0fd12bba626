/*
 * queue_id - Postfix queue id syntax; see queue_id.h.
 */
#include "spool/queue_id.h"

#include <stdio.h>
#include <string.h>

static const char safe_chars[] =
	"0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";

#define LG_SEC_PAD 6
#define LG_USEC_PAD 4
#define LG_TIME_PAD (LG_SEC_PAD + LG_USEC_PAD)

bool pq_qid_ok(const char *id)
{
	size_t n = 0;

	for (const char *cp = id; *cp; cp++, n++) {
		unsigned char c = (unsigned char)*cp;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		      || (c >= '0' && c <= '9') || c == '_'))
			return false;
		if (n >= PQ_QID_MAXLEN)
			return false;
	}
	return n > 0;
}

const char *pq_qid_long_sep(const char *id)
{
	const char *z = strrchr(id, 'z');

	return z && z - id >= LG_TIME_PAD ? z : NULL;
}

static int safe_value(unsigned char c)
{
	const char *p = c ? strchr(safe_chars, c) : NULL;

	return p ? (int)(p - safe_chars) : 99;
}

bool pq_safe_strtoul(const char *s, size_t len, int base, unsigned long *val)
{
	unsigned long sum = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		int v = safe_value((unsigned char)s[i]);
		if (v >= base)
			return false;
		if (sum > (~0UL - (unsigned long)v) / (unsigned long)base)
			return false;
		sum = sum * (unsigned long)base + (unsigned long)v;
	}
	*val = sum;
	return true;
}

void pq_safe_ultostr(struct pq_buf *out, unsigned long val, int base, int pad)
{
	char tmp[80];
	int n = 0;

	do {
		tmp[n++] = safe_chars[val % (unsigned long)base];
		val /= (unsigned long)base;
	} while (val > 0);
	while (n < pad && n < (int)sizeof(tmp))
		tmp[n++] = '0';
	while (n > 0)
		pq_buf_addc(out, tmp[--n]);
}

const char *pq_qid_hash_key(const char *id, struct pq_buf *scratch)
{
	const char *z = pq_qid_long_sep(id);
	unsigned long usec;

	if (z == NULL)
		return id;
	if (!pq_safe_strtoul(z - LG_USEC_PAD, LG_USEC_PAD, 52, &usec))
		usec = 0;
	pq_buf_reset(scratch);
	pq_buf_printf(scratch, "%05X", (unsigned)(int)usec);
	return pq_buf_str(scratch);
}

bool pq_qid_long_time(const char *id, time_t *sec, long *usec)
{
	const char *z = pq_qid_long_sep(id);
	unsigned long s, u;

	if (z == NULL)
		return false;
	if (!pq_safe_strtoul(id, (size_t)(z - id - LG_USEC_PAD), 52, &s)
	    || !pq_safe_strtoul(z - LG_USEC_PAD, LG_USEC_PAD, 52, &u))
		return false;
	*sec = (time_t)s;
	*usec = (long)u;
	return true;
}
