/*
 * units - parse the durations and sizes admins type on command lines.
 *
 * Durations: one or more <number><unit> groups, unit s, m, h, d or w
 * ("90s", "3d", "1d12h"); a bare number is seconds, as in Postfix's
 * time parameters. Sizes: a number with an optional k, m or g suffix
 * (powers of 1024, either case). Overflow and junk are errors.
 */
#ifndef POSTQ_UNITS_H
#define POSTQ_UNITS_H

#include <stdbool.h>

bool pq_parse_duration(const char *s, long *seconds);
bool pq_parse_size(const char *s, long *bytes);

#endif
