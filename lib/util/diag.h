/*
 * diag - diagnostics through one replaceable output hook, in the spirit
 * of Postfix's msg(3) and msg_output(3).
 *
 * Every message the library has for a person goes through pq_info,
 * pq_warn or pq_error. By default each becomes one line on stderr,
 * "prog: warning: text", "prog: error: text" or "prog: text", so admins
 * who grep postsuper's or postqueue's stderr find ours the same way
 * (stdout is flushed first, so the two interleave as written).
 *
 * A program that owns the terminal (a curses dashboard) or runs as a
 * daemon installs its own hook with pq_msg_set_output and gets each
 * message as a level and a text without the prefix or newline. The hook
 * may be called from the library's reader threads, so it must be
 * thread-safe; it must not call back into pq_info/pq_warn/pq_error.
 *
 * Nothing in lib/ ends the process, with one exception: running out of
 * memory with no handler installed (alloc.h). The command-line tools'
 * fatal errors live in tools/common/die.h.
 */
#ifndef POSTQ_DIAG_H
#define POSTQ_DIAG_H

#include <stdarg.h>

/* sysexits.h values, spelled out so the code says which one it means. */
#define PQ_EX_USAGE 64
#define PQ_EX_DATAERR 65
#define PQ_EX_NOINPUT 66
#define PQ_EX_UNAVAILABLE 69
#define PQ_EX_SOFTWARE 70
#define PQ_EX_OSERR 71
#define PQ_EX_IOERR 74
#define PQ_EX_NOPERM 77
#define PQ_EX_CONFIG 78

enum pq_msg_level {
	PQ_MSG_INFO,
	PQ_MSG_WARN,
	PQ_MSG_ERROR,
	PQ_MSG_FATAL,		/* a tool is about to exit (tools/common/die.h) */
	PQ_MSG_PANIC,		/* out of memory, no handler: the process aborts */
};

/* text has no prefix and no newline; ctx is what was installed. */
typedef void (*pq_msg_output_fn)(enum pq_msg_level level, const char *text,
				 void *ctx);

/*
 * An error a library function returns instead of ending the process:
 * the text the caller reports and a suggested exit status (the sysexits
 * value the real Postfix tool would use) for callers that do exit.
 */
struct pq_err {
	int status;
	char text[1024];
};

void pq_err_set(struct pq_err *e, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Install a hook; NULL restores the default (stderr). */
void pq_msg_set_output(pq_msg_output_fn fn, void *ctx);

void pq_set_progname(const char *argv0);
const char *pq_progname(void);
void pq_msg(enum pq_msg_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pq_vmsg(enum pq_msg_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void pq_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pq_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pq_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
