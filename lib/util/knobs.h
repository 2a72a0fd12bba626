/*
 * knobs - the environment variables postq reads, parsed in one place.
 *
 * POSTQ_THREADS is the one knob for users: how many threads a tool may
 * use to read (a queue listing's readers, qshape's scanners, the second
 * thread of postq-pflogsumm's pipeline). Unset or empty: one per online
 * CPU. A value that is not a whole number from 1 to 64 is reported once
 * (a warning naming the variable) and ignored.
 *
 *	pq_threads(max)		POSTQ_THREADS, or the CPU count, capped at max
 *	pq_threads_set()	true if POSTQ_THREADS gave a valid value
 *
 * Tests need more: forcing the plain read path where io_uring works, or
 * fixing a pipeline's split. Those are not settings for users and are
 * not documented as such; they are read from one variable,
 * POSTQ_TEST="name=value,name=value", so that no program's behaviour
 * depends on a stray variable with an ordinary-looking name.
 *
 *	pq_test_knob(name, &value)	true if POSTQ_TEST sets name
 */
#ifndef POSTQ_KNOBS_H
#define POSTQ_KNOBS_H

#include <stdbool.h>

int pq_threads(int max);
bool pq_threads_set(void);
bool pq_test_knob(const char *name, long *value);

#endif
