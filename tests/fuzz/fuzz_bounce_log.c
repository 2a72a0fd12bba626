/*
 * fuzz_bounce_log - libFuzzer target: any bytes as a defer or bounce
 * log (lib/spool/bounce_log.c) must be read entry by entry without
 * crashing, hanging or reading out of bounds; and read from a file in
 * a spool (pq_bounce_log_open) it must give the same entries and the
 * same warnings as from memory (pq_bounce_log_use, what a listing's
 * batched fetch does).
 *
 * Byte 0 picks smtputf8_enable (0x01) and the bounce queue instead of
 * defer (0x02); the rest is the log. The spool is a scratch directory
 * made on the first input.
 */
#include "spool/bounce_log.h"
#include "spool/config.h"
#include "spool/spool.h"
#include "util/diag.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ID "3F1A2B4C5D"

static struct pq_spool sp;
static char root[] = "/tmp/fuzz-bounce-XXXXXX";
static int warnings;

static void count_warning(enum pq_msg_level level, const char *text, void *ctx)
{
	(void)level;
	(void)text;
	(void)ctx;
	warnings++;
}

static void cleanup(void)
{
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		return;
}

static void setup(void)
{
	char path[256];
	struct pq_err err;

	if (mkdtemp(root) == NULL)
		abort();
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/main.cf", root);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		abort();
	fprintf(f, "queue_directory = %s\nhash_queue_depth = 1\n", root);
	fclose(f);
	/* pq_spool_open takes a directory with a message queue for a spool. */
	snprintf(path, sizeof(path), "%s/deferred", root);
	if (mkdir(path, 0700) != 0)
		abort();
	struct pq_config *cfg = pq_config_load(root, false, &err);
	if (cfg == NULL || !pq_spool_open(&sp, cfg, root, &err))
		abort();
	pq_config_free(cfg);
	struct pq_buf p = PQ_BUF_INIT;
	const char *queues[] = { "defer", "bounce" };
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, queues[i]);
		mkdir(path, 0700);
		pq_spool_path(&sp, queues[i], ID, &p);
		char *slash = strrchr(p.data, '/');
		*slash = 0;
		snprintf(path, sizeof(path), "%s/%s", root, p.data);
		mkdir(path, 0700);
	}
	pq_buf_free(&p);
	pq_msg_set_output(count_warning, NULL);
}

/* Every entry of log, with its fields, in out; the number of warnings. */
static int entries(struct pq_bounce_log *log, struct pq_buf *out)
{
	struct pq_bounce_entry e;
	char num[32];

	memset(&e, 0, sizeof(e));
	warnings = 0;
	while (pq_bounce_log_read(log, &e)) {
		const struct pq_buf *f[] = { &e.address, &e.orig_addr, &e.status, &e.action, &e.reason };
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			pq_buf_add(out, f[i]->data ? f[i]->data : "", f[i]->len);
			pq_buf_add(out, "\0", 1);
		}
		snprintf(num, sizeof(num), "%ld\n", e.offset);
		pq_buf_add(out, num, strlen(num));
	}
	pq_bounce_entry_free(&e);
	pq_bounce_log_close(log);
	return warnings;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pq_bounce_log log;
	struct pq_buf mem = PQ_BUF_INIT, file = PQ_BUF_INIT, path = PQ_BUF_INIT;
	char full[512];

	if (size < 1)
		return 0;
	if (sp.root == NULL)
		setup();
	sp.utf8 = data[0] & 1;
	const char *queue = data[0] & 2 ? "bounce" : "defer";

	pq_bounce_log_use(&log, &sp, queue, ID, data + 1, size - 1);
	int wm = entries(&log, &mem);

	pq_spool_path(&sp, queue, ID, &path);
	snprintf(full, sizeof(full), "%s/%s", root, path.data);
	int fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	close(fd);
	if (!pq_bounce_log_open(&log, &sp, queue, ID))
		abort();
	int wf = entries(&log, &file);

	if (wm != wf || mem.len != file.len || (mem.len && memcmp(mem.data, file.data, mem.len) != 0))
		abort();
	pq_buf_free(&mem);
	pq_buf_free(&file);
	pq_buf_free(&path);
	return 0;
}
