/*
 * unit.h - the few macros postq's C unit tests share.
 *
 * Each CHECK prints a TAP-style "ok - ..." or "not ok - ..." line that
 * tests/run.sh counts; a test program exits 0 unless it crashed.
 */
#ifndef POSTQ_UNIT_H
#define POSTQ_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failures;

#define CHECK(cond, name) do { \
	if (cond) { \
		printf("ok - %s\n", name); \
	} else { \
		printf("not ok - %s\n#   %s:%d: %s\n", name, __FILE__, __LINE__, #cond); \
		unit_failures++; \
	} \
} while (0)

#define CHECK_STR(got, want, name) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ && strcmp(g_, w_) == 0) { \
		printf("ok - %s\n", name); \
	} else { \
		printf("not ok - %s\n#   got \"%s\", want \"%s\"\n", name, \
		       g_ ? g_ : "(null)", w_); \
		unit_failures++; \
	} \
} while (0)

#endif
