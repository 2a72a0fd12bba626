/*
 * units - parse the durations and sizes admins type on command lines.
 *
 * Durations: one or more <number><unit> groups, unit s, m, h, d or w
 * ("90s", "3d", "1d12h"); a bare number is seconds, as in Postfix's
 * time parameters. Sizes: a number with an optional k, m or g suffix
 * (powers of 1024, either case). Junk is an error, and so is a value
 * above PQ_DURATION_MAX or PQ_SIZE_MAX: far beyond any message's age or
 * size, so a typo ("3000000d") is caught instead of matching nothing.
 * PQ_DURATION_RANGE and PQ_SIZE_RANGE say the limits in words, for
 * error messages.
 */
#ifndef POSTQ_UNITS_H
#define POSTQ_UNITS_H

#include <stdbool.h>

#define PQ_DURATION_MAX (36500L * 86400)	/* 100 years */
#define PQ_DURATION_RANGE "at most 36500d (100 years)"
#define PQ_SIZE_MAX (1024L * 1024 * 1024 * 1024)	/* 1 TiB */
#define PQ_SIZE_RANGE "at most 1024g (1 TiB)"

bool pq_parse_duration(const char *s, long *seconds);
bool pq_parse_size(const char *s, long *bytes);

#endif
