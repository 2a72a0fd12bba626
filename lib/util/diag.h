/*
 * diag - diagnostics on stderr, in the style of Postfix's msg(3).
 *
 * Messages read "prog: warning: text" / "prog: fatal: text" so admins
 * who grep postsuper's or postqueue's stderr find ours the same way.
 * pq_fatal exits with the given status (sysexits values, as postqueue
 * uses them).
 */
#ifndef POSTQ_DIAG_H
#define POSTQ_DIAG_H

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

void pq_set_progname(const char *argv0);
const char *pq_progname(void);
void pq_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pq_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pq_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void pq_fatal(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
