/*
 * perl_num - how Perl turns strings into numbers and numbers back into
 * strings, for tools that must print exactly what a Perl original
 * (qshape) printed.
 *
 * pq_perl_atof() numifies like Perl: leading white space, an optional
 * sign, a decimal number (digits, fraction, exponent) or Inf/NaN; what
 * follows is ignored, and a string with no number is 0 (no hex, no
 * underscores). struct pq_pnum models a Perl scalar that holds a number:
 * an unsigned integer (IV/UV) or a double (NV). pq_pnum_add() is Perl's
 * "+": integer addition while both operands are integral and the sum
 * fits in 64 bits, floating point otherwise. pq_pnum_format() prints an
 * integer as digits and a double as "%.15g" (Inf, NaN), as print does.
 */
#ifndef POSTQ_PERL_NUM_H
#define POSTQ_PERL_NUM_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

struct pq_pnum {
	bool is_int;		/* holds an integer (IV/UV): uv is the value */
	unsigned long long uv;
	double nv;		/* the value as a double (always set) */
};

/* The numeric value of the first len bytes of s, as Perl computes it. */
double pq_perl_atof(const char *s, size_t len);
/* The same for a C string. */
double pq_perl_atofs(const char *s);

/* A scalar assigned from the string s (e.g. a command-line value). */
struct pq_pnum pq_pnum_from_string(const char *s);
struct pq_pnum pq_pnum_from_uv(unsigned long long v);
/* a + b for non-negative a and b, as Perl's pp_add. */
struct pq_pnum pq_pnum_add(struct pq_pnum a, struct pq_pnum b);
/* Append the string form of a to out. */
void pq_pnum_format(struct pq_buf *out, struct pq_pnum a);
/* Perl's "%g"-style string of a double (print 0.1 + 0.2 gives 0.3). */
void pq_perl_nv_format(struct pq_buf *out, double v);

#endif
