/*
 * unit.h - the few macros postq's C unit tests share.
 *
 * Each CHECK prints a TAP-style "ok - ..." or "not ok - ..." line that
 * tests/run.sh counts. A test program exits non-zero when any check
 * failed, whatever its main returns: main ends with
 * "return unit_status();", and a guard registered before main runs
 * turns every exit after a failed check into exit status 1, so a
 * forgotten return value, an early "return 0" or an exit(0) cannot
 * hide a failure from a runner that looks only at the status.
 *
 * POSTQ_TEST=unit_fail=1 adds one failed check before main runs; the
 * self-test (tests/t_selftest.sh) runs every unit binary so and expects
 * a non-zero exit status.
 */
#ifndef POSTQ_UNIT_H
#define POSTQ_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/knobs.h"

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

/* What main returns: 1 if any check failed. */
static inline int unit_status(void)
{
	return unit_failures ? 1 : 0;
}

/*
 * Runs at exit, before the sanitizers' own exit work: after a failed
 * check the status is 1 whatever exit was asked for. (_exit skips the
 * leak check, which matters only when the run has failed anyway.)
 */
static void unit_guard(void)
{
	if (unit_failures) {
		printf("# %d check%s failed\n", unit_failures, unit_failures == 1 ? "" : "s");
		fflush(stdout);
		_exit(1);
	}
}

__attribute__((constructor)) static void unit_start(void)
{
	long v;

	atexit(unit_guard);
	if (pq_test_knob("unit_fail", &v) && v)
		CHECK(0, "forced failure (POSTQ_TEST=unit_fail=1)");
}

#endif
