/*
 * units - parse durations and sizes; see units.h.
 */
#include "util/units.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

static bool mul_add(long *total, long n, long unit)
{
	if (n > (LONG_MAX - *total) / unit)
		return false;
	*total += n * unit;
	return true;
}

bool pq_parse_duration(const char *s, long *seconds)
{
	long total = 0;

	if (*s == 0)
		return false;
	while (*s) {
		if (!isdigit((unsigned char)*s))
			return false;
		char *end;
		errno = 0;
		long n = strtol(s, &end, 10);
		if (errno)
			return false;
		long unit;
		switch (*end) {
		case 0:
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		case 'w': unit = 7 * 86400; break;
		default: return false;
		}
		if (!mul_add(&total, n, unit) || total > PQ_DURATION_MAX)
			return false;
		s = *end ? end + 1 : end;
	}
	*seconds = total;
	return true;
}

bool pq_parse_size(const char *s, long *bytes)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno)
		return false;
	long unit = 1;
	switch (*end) {
	case 0: break;
	case 'k': case 'K': unit = 1024L; end++; break;
	case 'm': case 'M': unit = 1024L * 1024; end++; break;
	case 'g': case 'G': unit = 1024L * 1024 * 1024; end++; break;
	default: return false;
	}
	if (*end != 0 || n > PQ_SIZE_MAX / unit)
		return false;
	*bytes = n * unit;
	return true;
}
