/*
 * die - how a command-line tool ends on an error; see die.h.
 */
#include "common/die.h"

#include "util/alloc.h"
#include "util/version.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Noreturn void oom_exit(size_t want)
{
	(void)want;
	pq_fatal(PQ_EX_OSERR, "out of memory");
}

void pq_tool_init(const char *argv0)
{
	pq_set_progname(argv0);
	pq_set_oom_handler(oom_exit);
}

void pq_fatal(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pq_vmsg(PQ_MSG_FATAL, fmt, ap);
	va_end(ap);
	exit(status);
}

void pq_version(const char *name)
{
	if (strcmp(name, "postq") == 0)
		printf("postq %s\n", PQ_VERSION);
	else
		printf("%s (postq) %s\n", name, PQ_VERSION);
	if (fflush(stdout) == EOF || ferror(stdout))
		exit(PQ_EX_IOERR);
	exit(0);
}
