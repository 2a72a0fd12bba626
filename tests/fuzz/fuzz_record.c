/*
 * fuzz_record - libFuzzer target: any byte string as a queue file, read
 * with the record reader and the envelope reader, must neither crash nor
 * hang; and read as a listing that did not stat it (size unknown, a
 * prefix read ahead, the file opened only when needed) it must give the
 * same envelope.
 */
#include "spool/envelope.h"
#include "spool/record.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int reopen(void *ctx)
{
	return dup(*(int *)ctx);
}

static int same(const struct pq_envelope *a, const struct pq_envelope *b)
{
	if (a->status != b->status || a->arrival != b->arrival
	    || a->size_ok != b->size_ok || (a->size_ok && a->size != b->size)
	    || a->rcpts.n != b->rcpts.n
	    || strcmp(pq_buf_str(&a->sender), pq_buf_str(&b->sender)) != 0)
		return 0;
	for (size_t i = 0; i < a->rcpts.n; i++)
		if (strcmp(pq_strlist_get(&a->rcpts, i), pq_strlist_get(&b->rcpts, i)))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pq_envelope env, lazy;
	static struct pq_rec_reader r;
	int fd = memfd_create("queuefile", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	struct stat st;
	fstat(fd, &st);
	pq_rec_init(&r, fd, "fuzz", st.st_size);
	pq_envelope_read(&env, &r, "fuzz", &st, false);

	struct stat unseen = { 0 };
	pq_rec_init(&r, -1, "fuzz", -1);
	pq_rec_open_later(&r, reopen, &fd);
	pq_rec_preload(&r, data, size / 2);
	pq_envelope_read(&lazy, &r, "fuzz", &unseen, false);
	if (r.fd >= 0)
		close(r.fd);
	if (!same(&env, &lazy))
		abort();
	close(fd);
	return 0;
}
