/*
 * diag - diagnostics through one replaceable output hook; see diag.h.
 */
#include "util/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *progname = "postq";
static pq_msg_output_fn output;
static void *output_ctx;

void pq_set_progname(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	progname = slash ? slash + 1 : argv0;
}

const char *pq_progname(void)
{
	return progname;
}

void pq_err_set(struct pq_err *e, int status, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	e->status = status;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
}

void pq_msg_set_output(pq_msg_output_fn fn, void *ctx)
{
	output = fn;
	output_ctx = ctx;
}

static const char *const level_name[] = {
	[PQ_MSG_INFO] = NULL,
	[PQ_MSG_WARN] = "warning",
	[PQ_MSG_ERROR] = "error",
	[PQ_MSG_FATAL] = "fatal",
	[PQ_MSG_PANIC] = "panic",
};

void pq_vmsg(enum pq_msg_level level, const char *fmt, va_list ap)
{
	/*
	 * One formatted line, written in one call, so messages from reader
	 * threads do not interleave mid-line. Longer texts are cut: a
	 * diagnostic names a file or a line, it does not quote one whole.
	 */
	char text[2048];

	vsnprintf(text, sizeof(text), fmt, ap);
	if (output) {
		output(level, text, output_ctx);
		return;
	}
	fflush(stdout);
	if (level_name[level])
		fprintf(stderr, "%s: %s: %s\n", progname, level_name[level], text);
	else
		fprintf(stderr, "%s: %s\n", progname, text);
}

void pq_msg(enum pq_msg_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pq_vmsg(level, fmt, ap);
	va_end(ap);
}

void pq_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pq_vmsg(PQ_MSG_WARN, fmt, ap);
	va_end(ap);
}

void pq_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pq_vmsg(PQ_MSG_INFO, fmt, ap);
	va_end(ap);
}

void pq_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pq_vmsg(PQ_MSG_ERROR, fmt, ap);
	va_end(ap);
}
