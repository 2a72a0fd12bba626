/*
 * test_diag - the output hook, returned errors, the out-of-memory
 * handler and the knobs: what a long-running program relies on to keep
 * the library from writing on its screen or ending it.
 */
#include "log/logread.h"
#include "spool/config.h"
#include "spool/spool.h"
#include "util/alloc.h"
#include "util/diag.h"
#include "util/knobs.h"
#include "unit.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int calls;
static enum pq_msg_level last_level;
static char last_text[256];

static void hook(enum pq_msg_level level, const char *text, void *ctx)
{
	(*(int *)ctx)++;
	last_level = level;
	snprintf(last_text, sizeof(last_text), "%s", text);
}

/* Under AddressSanitizer a failed malloc must return NULL, as in libc. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static jmp_buf oom_jump;
static size_t oom_want;

static _Noreturn void oom(size_t want)
{
	oom_want = want;
	longjmp(oom_jump, 1);
}

int main(void)
{
	pq_msg_set_output(hook, &calls);
	pq_warn("queue file %s: bad record", "3F1A2B4C5D");
	CHECK(calls == 1 && last_level == PQ_MSG_WARN
	      && strcmp(last_text, "queue file 3F1A2B4C5D: bad record") == 0,
	      "a warning goes to the installed hook, without prefix or newline");
	pq_info("x");
	pq_error("y");
	CHECK(calls == 3 && last_level == PQ_MSG_ERROR, "info and error too");

	/* A library error is returned, not printed and not fatal. */
	struct pq_err err = { 0, "" };
	struct pq_config *cfg = pq_config_load("/nonexistent/postq-dir", false, &err);
	CHECK(cfg == NULL && err.status == PQ_EX_UNAVAILABLE
	      && strstr(err.text, "/nonexistent/postq-dir/main.cf") != NULL,
	      "missing main.cf: NULL and an error naming the file");
	CHECK(calls == 3, "... and nothing printed");
	cfg = pq_config_load("/nonexistent/postq-dir", true, &err);
	struct pq_spool sp;
	CHECK(cfg && !pq_spool_open(&sp, cfg, "/nonexistent/postq-spool", &err)
	      && err.status == PQ_EX_UNAVAILABLE
	      && strstr(err.text, "chdir /nonexistent/postq-spool") != NULL,
	      "missing spool: false and postqueue's message");
	pq_config_free(cfg);

	/* Logread reports through the hook as well. */
	struct pq_logread *r = pq_logread_open("/nonexistent/postq-log");
	CHECK(r == NULL && calls == 3, "missing log: NULL, nothing printed");

	/* Out of memory calls the program's handler. */
	pq_set_oom_handler(oom);
	if (setjmp(oom_jump) == 0) {
		void *volatile p = pq_xmalloc(SIZE_MAX / 2);
		CHECK(p == NULL, "an impossible allocation does not return");
	} else {
		CHECK(oom_want == SIZE_MAX / 2, "the out-of-memory handler is called with the size");
	}
	if (setjmp(oom_jump) == 0) {
		(void)pq_size_mul(SIZE_MAX / 2, 3);
		CHECK(0, "an overflowing size does not return");
	} else {
		CHECK(1, "an overflowing size counts as out of memory");
	}

	/* Knobs */
	long v;
	setenv("POSTQ_TEST", "uring=0,share=12", 1);
	CHECK(pq_test_knob("share", &v) && v == 12, "test knob read");
	CHECK(pq_test_knob("uring", &v) && v == 0, "first test knob read");
	CHECK(!pq_test_knob("shar", &v), "a prefix is not a knob");
	setenv("POSTQ_TEST", "share=", 1);
	CHECK(!pq_test_knob("share", &v), "an empty value is not a value");
	setenv("POSTQ_THREADS", "3", 1);
	CHECK(pq_threads(64) == 3 && pq_threads(2) == 2 && pq_threads_set(), "POSTQ_THREADS, capped");

	pq_msg_set_output(NULL, NULL);
	return unit_status();
}
