/*
 * knobs - the environment variables postq reads; see knobs.h.
 */
#include "util/knobs.h"

#include "util/diag.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS 64

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int env_threads;		/* 0: not set (or not valid) */

static void parse_threads(void)
{
	const char *v = getenv("POSTQ_THREADS");
	char *end;

	if (v == NULL || *v == '\0')
		return;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end != '\0' || n < 1 || n > MAX_THREADS) {
		pq_warn("ignoring POSTQ_THREADS=%s: not a number from 1 to %d",
			v, MAX_THREADS);
		return;
	}
	env_threads = (int)n;
}

bool pq_threads_set(void)
{
	pthread_once(&once, parse_threads);
	return env_threads > 0;
}

int pq_threads(int max)
{
	long n;

	pthread_once(&once, parse_threads);
	n = env_threads;
	if (n == 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (max < 1)
		max = 1;
	return n > max ? max : (int)n;
}

bool pq_test_knob(const char *name, long *value)
{
	const char *p = getenv("POSTQ_TEST");
	size_t len = strlen(name);

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > len && strncmp(p, name, len) == 0 && p[len] == '=') {
			char *stop;
			errno = 0;
			long v = strtol(p + len + 1, &stop, 10);
			if (errno == 0 && stop == p + n && stop > p + len + 1) {
				*value = v;
				return true;
			}
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}
