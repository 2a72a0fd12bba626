/*
 * die - how a command-line tool ends on an error it cannot go past.
 *
 * The library never exits (lib/util/diag.h); a tool does. pq_tool_init
 * names the program in its messages and makes running out of memory end
 * it with "prog: fatal: out of memory" and status 71 (EX_OSERR), as
 * before. pq_fatal reports "prog: fatal: text" through diag's output
 * hook and exits with the given status (sysexits values where the real
 * tool uses them, the real tool's status where postq is a drop-in).
 * pq_version prints "name (postq) VERSION" (lib/util/version.h; for
 * the front end itself "postq VERSION") on stdout and exits 0: every
 * tool's --version.
 */
#ifndef POSTQ_TOOLS_DIE_H
#define POSTQ_TOOLS_DIE_H

#include "util/diag.h"

void pq_tool_init(const char *argv0);
_Noreturn void pq_fatal(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void pq_version(const char *name);

#endif
