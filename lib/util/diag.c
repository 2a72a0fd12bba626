/*
 * diag - diagnostics on stderr; see diag.h.
 */
#include "util/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *progname = "postq";

void pq_set_progname(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	progname = slash ? slash + 1 : argv0;
}

const char *pq_progname(void)
{
	return progname;
}

static void emit(const char *level, const char *fmt, va_list ap)
{
	/* Flush our stdout first so interleaving with listings stays sane. */
	fflush(stdout);
	if (level)
		fprintf(stderr, "%s: %s: ", progname, level);
	else
		fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pq_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("warning", fmt, ap);
	va_end(ap);
}

void pq_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(NULL, fmt, ap);
	va_end(ap);
}

void pq_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("error", fmt, ap);
	va_end(ap);
}

void pq_fatal(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("fatal", fmt, ap);
	va_end(ap);
	exit(status);
}
