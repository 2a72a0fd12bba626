/*
 * alloc - memory allocation that does not return on failure.
 *
 * The library's containers and readers allocate through pq_xmalloc,
 * pq_xcalloc, pq_xrealloc and pq_xstrdup. When memory runs out there is
 * nothing useful a caller can do half-way through a table update, so,
 * as with Postfix's mymalloc(3), these do not return NULL: they call
 * pq_oom, which calls the handler the program installed with
 * pq_set_oom_handler (the command-line tools' handler reports "out of
 * memory" and exits with status 71; a daemon's may restore the terminal
 * or say goodbye to its peers first). A handler must not return. Without
 * one, pq_oom reports through diag's output hook and aborts: the only
 * place where the library ends the process, because no caller could go
 * on from there.
 *
 * Size arithmetic that would overflow (pq_xcalloc, pq_size_mul) is
 * treated as running out of memory.
 */
#ifndef POSTQ_ALLOC_H
#define POSTQ_ALLOC_H

#include <stddef.h>

typedef void (*pq_oom_fn)(size_t want);

void pq_set_oom_handler(pq_oom_fn fn);
_Noreturn void pq_oom(size_t want);

void *pq_xmalloc(size_t n);
void *pq_xcalloc(size_t n, size_t size);
void *pq_xrealloc(void *p, size_t n);
char *pq_xstrdup(const char *s);
char *pq_xstrndup(const char *s, size_t n);

/* a * b, or pq_oom on overflow. */
size_t pq_size_mul(size_t a, size_t b);

#endif
