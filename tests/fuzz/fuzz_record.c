/*
 * fuzz_record - libFuzzer target: any byte string as a queue file, read
 * with the record reader and the envelope reader, must neither crash nor
 * hang.
 */
#include "envelope.h"
#include "record.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pq_envelope env;
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
	close(fd);
	return 0;
}
