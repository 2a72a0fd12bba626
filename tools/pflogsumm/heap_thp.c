/*
 * heap_thp - the malloc heap in transparent huge pages; see heap_thp.h.
 */
#include "heap_thp.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define THP_SIZE ((uintptr_t)2 << 20)

/* see the end of heap_thp; volatile, or the compiler drops the malloc */
static void *volatile below_boundary;

void heap_thp(size_t pad)
{
	if (pad < 2 * THP_SIZE || pad > INT32_MAX)
		return;
	/* one madvise covers the heap only if every thread allocates from it */
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_TOP_PAD, (int)pad);
	char *brk0 = sbrk(0);
	/*
	 * More than the heap has left: malloc grows it by the request plus
	 * the pad. The block is not touched, only its header and the one
	 * of the free space after it (the first bytes of the padding).
	 */
	size_t probe = 256u << 10;
	char *p = malloc(probe);
	if (p == NULL)
		return;
	char *brk1 = sbrk(0);
	/* the heap did not grow where we looked (an mmap'd fallback heap) */
	if (brk0 == (char *)-1 || brk1 <= brk0 || p + probe > brk1) {
		free(p);
		return;
	}
	/*
	 * Huge pages only from the first 2 MB boundary past everything
	 * touched so far: a range where a 4 KB page is already in place
	 * gets small pages on its next faults.
	 */
	uintptr_t pu = (uintptr_t)p;
	uintptr_t a = (pu + probe + 64 + THP_SIZE - 1) & ~(THP_SIZE - 1);
	uintptr_t b = (uintptr_t)brk1 & ~(THP_SIZE - 1);
	free(p);
	if (b <= a || madvise((void *)a, b - a, MADV_HUGEPAGE) != 0)
		return;
	/*
	 * A block reaching up to the boundary, never freed and never
	 * touched (no page of it is ever faulted in), so that the next
	 * allocations start in the huge pages rather than in the 4 KB
	 * pages below the boundary.
	 */
	below_boundary = malloc(a - pu - 32);
}
