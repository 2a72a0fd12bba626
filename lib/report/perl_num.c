/*
 * perl_num - Perl's numeric conversions; see perl_num.h.
 */
#include "report/perl_num.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Perl's isSPACE: space, \t, \n, \v, \f, \r. */
static bool perl_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Length of the decimal number at s (digits, fraction, exponent). */
static size_t number_prefix(const char *s, size_t len)
{
	size_t i = 0, digits = 0;

	while (i < len && isdigit((unsigned char)s[i]))
		i++, digits++;
	if (i < len && s[i] == '.') {
		size_t j = i + 1;
		while (j < len && isdigit((unsigned char)s[j]))
			j++, digits++;
		if (digits > 0)
			i = j;
	}
	if (digits == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;
		if (j < len && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < len && isdigit((unsigned char)s[j])) {
			while (j < len && isdigit((unsigned char)s[j]))
				j++;
			i = j;
		}
	}
	return i;
}

static bool has_prefix_ci(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && strncasecmp(s, word, n) == 0;
}

double pq_perl_atof(const char *s, size_t len)
{
	size_t i = 0;
	bool neg = false;

	while (i < len && perl_space((unsigned char)s[i]))
		i++;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (has_prefix_ci(s + i, len - i, "inf"))
		return neg ? -INFINITY : INFINITY;
	if (has_prefix_ci(s + i, len - i, "nan"))
		return NAN;
	size_t n = number_prefix(s + i, len - i);
	if (n == 0)
		return neg ? -0.0 : 0.0;
	char small[64];
	char *copy = n < sizeof(small) ? small : malloc(n + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, s + i, n);
	copy[n] = 0;
	double v = strtod(copy, NULL);
	if (copy != small)
		free(copy);
	return neg ? -v : v;
}

double pq_perl_atofs(const char *s)
{
	return pq_perl_atof(s, strlen(s));
}

/* 2^64 as a double: integral doubles below it fit in a UV. */
#define TWO64 18446744073709551616.0

static bool nv_integral(double v)
{
	return v >= 0 && v < TWO64 && v == floor(v);
}

struct pq_pnum pq_pnum_from_uv(unsigned long long v)
{
	struct pq_pnum p = { true, v, (double)v };
	return p;
}

struct pq_pnum pq_pnum_from_string(const char *s)
{
	struct pq_pnum p = { false, 0, pq_perl_atofs(s) };
	const char *cp = s;

	/* A plain integer string numifies to an exact IV/UV. */
	while (perl_space((unsigned char)*cp))
		cp++;
	if (*cp == '+')
		cp++;
	if (isdigit((unsigned char)*cp)) {
		unsigned long long v = 0;
		bool overflow = false;
		while (isdigit((unsigned char)*cp)) {
			unsigned d = (unsigned)(*cp++ - '0');
			if (v > (~0ULL - d) / 10)
				overflow = true;
			v = v * 10 + d;
		}
		while (perl_space((unsigned char)*cp))
			cp++;
		if (*cp == 0 && !overflow)
			return pq_pnum_from_uv(v);
	}
	if (nv_integral(p.nv)) {
		p.is_int = true;
		p.uv = (unsigned long long)p.nv;
	}
	return p;
}

struct pq_pnum pq_pnum_add(struct pq_pnum a, struct pq_pnum b)
{
	/* SvIV_please: an integral double is used as an integer. */
	bool ai = a.is_int || nv_integral(a.nv);
	bool bi = b.is_int || nv_integral(b.nv);

	if (ai && bi) {
		unsigned long long x = a.is_int ? a.uv : (unsigned long long)a.nv;
		unsigned long long y = b.is_int ? b.uv : (unsigned long long)b.nv;
		if (x + y >= x)
			return pq_pnum_from_uv(x + y);
	}
	struct pq_pnum r = { false, 0, a.nv + b.nv };
	return r;
}

void pq_perl_nv_format(struct pq_buf *out, double v)
{
	if (isnan(v))
		pq_buf_adds(out, "NaN");
	else if (isinf(v))
		pq_buf_adds(out, v < 0 ? "-Inf" : "Inf");
	else
		pq_buf_printf(out, "%.15g", v);
}

void pq_pnum_format(struct pq_buf *out, struct pq_pnum a)
{
	if (a.is_int)
		pq_buf_printf(out, "%llu", a.uv);
	else
		pq_perl_nv_format(out, a.nv);
}
