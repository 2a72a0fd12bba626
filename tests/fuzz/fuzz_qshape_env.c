/*
 * fuzz_qshape_env - libFuzzer target: any bytes as a queue file read
 * the way qshape(1) does (tools/qshape/qshape_env.c: its record quirks,
 * pointer records followed without loop check, the C record's size
 * skip) must neither crash nor hang; a message it returns has what it
 * promises (a time, a sender, recipients), and counting it in a shape
 * table (lib/report/qshape.c, as postq-qshape does) and printing that
 * table as text and JSON must not crash either: times are the file's
 * bytes read as Perl numbers, so NaN, infinities and huge values reach
 * the bucket arithmetic.
 *
 * Byte 0 picks -s (0x01), -p (0x02), -l (0x04) and a 1-minute bucket
 * (0x08); the rest is the file, on a memfd.
 */
#include "qshape/qshape_env.h"
#include "report/qshape.h"
#include "util/diag.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(enum pq_msg_level level, const char *text, void *ctx)
{
	(void)level;
	(void)text;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pq_qenv env = PQ_QENV_INIT;
	static FILE *devnull;

	if (size < 1)
		return 0;
	if (devnull == NULL) {
		if ((devnull = fopen("/dev/null", "w")) == NULL)
			abort();
		pq_msg_set_output(quiet, NULL);
	}
	int fd = memfd_create("queuefile", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	struct stat st;
	if (fstat(fd, &st) != 0)
		abort();
	st.st_mode = S_IFREG | 0700;
	st.st_mtime = 1764000000;

	enum pq_qenv_status s = pq_qenv_read(&env, fd, "fuzz", &st);
	close(fd);
	if (s == PQ_QENV_MSG && (!env.have_time || env.nrcpt == 0))
		abort();
	if (s == PQ_QENV_UNDEF && (env.have_time || env.nrcpt || env.sender.len))
		abort();
	if (s == PQ_QENV_SKIP)
		return 0;

	struct pq_qshape_conf conf;
	struct pq_qshape q;
	bool senders = data[0] & 1;
	pq_qshape_conf_init(&conf);
	conf.parents = data[0] & 2;
	conf.linear = data[0] & 4;
	if (data[0] & 8)
		conf.tick = pq_pnum_from_string("1");
	pq_qshape_init(&q, &conf, 1764003600.0);
	size_t b = pq_qshape_bucket(&q.conf, q.now, env.time);
	q.messages++;
	if (senders) {
		pq_qshape_add_address(&q, b, env.sender.data ? env.sender.data : "", env.sender.len);
	} else {
		for (size_t i = 0; i < env.nrcpt; i++) {
			size_t len;
			const char *a = pq_qenv_rcpt(&env, i, &len);
			pq_qshape_add_address(&q, b, a, len);
		}
	}
	pq_qshape_recount_subdomains(&q);
	pq_qshape_print(&q, devnull, 0, "");
	pq_qshape_print_json(&q, devnull, 0, true);
	fflush(devnull);
	pq_qshape_free(&q);
	return 0;
}
