/*
 * heap_thp - back the malloc heap with transparent huge pages.
 *
 * On a virtual machine every first touch of a 4 KB page is a costly
 * fault, and a tool that builds a few MB of tables in a few tens of ms
 * spends much of its time there. One 2 MB huge page costs about as
 * much as a handful of small ones, so a heap in huge pages takes those
 * faults away (BENCHMARKS.md). Transparent huge pages are usually enabled only for ranges that
 * ask (madvise mode), and glibc asks only when told to by an
 * environment tunable (glibc.malloc.hugetlb), which a tool cannot set
 * for itself; heap_thp does the asking. The price is resident memory
 * in 2 MB steps (a few MB more for a short run). It is an optimisation
 * only: when anything does not go as planned, the heap stays as it was.
 */
#ifndef POSTQ_HEAP_THP_H
#define POSTQ_HEAP_THP_H

#include <stddef.h>

/*
 * heap_thp - grow the heap by pad bytes (rounded to 2 MB) and ask for
 * huge pages on it; later allocations, from any thread, come from that
 * range until it is used up. Call early in main, before other threads
 * exist. It sets mallopt M_TOP_PAD and M_ARENA_MAX (1: other threads
 * get their memory from the same heap instead of arenas of their own).
 */
void heap_thp(size_t pad);

#endif
