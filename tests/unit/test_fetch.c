/*
 * test_fetch - batched reads of many small files, through io_uring and
 * through plain system calls: both must give the same results, for
 * files that fit, fill or overflow the buffer, and for names that are
 * missing, directories, symlinks, FIFOs (with a writer or without) or,
 * as root, character devices: none of those is read, nothing blocks.
 * (Through io_uring a /dev/zero gives at most the buffer; see fetch.h.)
 * Also regfile's open and capped read, and a defer log planted as a
 * FIFO, a device or a huge file.
 */
#include "util/fetch.h"
#include "util/regfile.h"
#include "spool/bounce_log.h"
#include "spool/config.h"
#include "spool/spool.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define CAP 64
#define NITEMS 300		/* more than one batch */

static char dir[] = "/tmp/postq-fetch-XXXXXX";

static void write_bytes(int dfd, const char *name, size_t n)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	for (size_t i = 0; i < n; i++) {
		char c = (char)('a' + i % 26);
		if (write(fd, &c, 1) != 1)
			break;
	}
	close(fd);
}

static const char *const names[] = {
	"small", "exact", "big", "missing", "dir", "link", "fifo", "empty",
	"wfifo", "null", "zero",
};
static bool have_devices;
#define NNAMES (sizeof(names) / sizeof(names[0]))

/* hostile: include the FIFO with a writer (it costs io_uring its ring). */
static void run(int dfd, const char *how, bool hostile)
{
	static unsigned char bufs[NITEMS][CAP];
	struct pq_fetch_item items[NITEMS];
	struct pq_fetch f;
	char name[200];

	pq_fetch_init(&f);
	for (size_t i = 0; i < NITEMS; i++)
		items[i] = (struct pq_fetch_item){ dfd, names[i % NNAMES], bufs[i], CAP, 0, false };
	for (size_t i = 8; !hostile && i < NITEMS; i += NNAMES)
		items[i].name = "small";
	pq_fetch_run(&f, items, NITEMS);
	/* Twice: the second batch reuses the file slots of the first. */
	pq_fetch_run(&f, items, NITEMS);

	bool small = true, exact = true, big = true, missing = true,
	    isdir = true, link = true, fifo = true, empty = true, wfifo = true,
	    null = true, zero = true;
	bool ring = pq_fetch_batched(&f);
	for (size_t i = 0; i < NITEMS; i++) {
		const struct pq_fetch_item *it = &items[i];
		switch (i % NNAMES) {
		case 0:
			small &= it->len == 10 && it->opened
			    && memcmp(it->buf, "abcdefghij", 10) == 0;
			break;
		case 1:
			exact &= it->len == CAP && it->opened;
			break;
		case 2:
			big &= it->len == CAP && it->opened && it->buf[CAP - 1] == 'a' + (CAP - 1) % 26;
			break;
		case 3:
			missing &= it->len == -ENOENT && !it->opened;
			break;
		case 4:
			isdir &= it->len == -PQ_ENOTREG && it->opened;
			break;
		case 5:
			link &= it->len == -ELOOP && !it->opened;
			break;
		case 6:
			fifo &= it->len == -PQ_ENOTREG && it->opened;
			break;
		case 7:
			empty &= it->len == 0 && it->opened;
			break;
		case 8:
			wfifo &= hostile ? it->len == -PQ_ENOTREG && it->opened
			    : it->len == 10;
			break;
		case 9:
			null &= !have_devices || (it->len == -PQ_ENOTREG && it->opened);
			break;
		case 10:
			zero &= !have_devices || it->len == -PQ_ENOTREG
			    || (ring && it->len == CAP);
			break;
		}
	}
#define T(cond, what) snprintf(name, sizeof(name), "fetch (%s): %s", how, what); CHECK(cond, name)
	T(small, "a short file is read whole");
	T(exact, "a file of the buffer's size fills it");
	T(big, "a larger file fills the buffer");
	T(missing, "a missing name is ENOENT, not opened");
	T(isdir, "a directory is not a regular file");
	T(link, "a symlink is not followed");
	T(fifo, "a FIFO does not block and is not a regular file");
	T(empty, "an empty file reads 0 bytes");
	if (hostile) {
		T(wfifo, "a FIFO with a writer does not block and is not a regular file");
	}
	if (have_devices) {
		T(null, "a /dev/null-like device is not a regular file");
		T(zero, "a /dev/zero-like device is not read past the buffer");
	}
	if (strstr(how, "plain")) {
		T(!pq_fetch_batched(&f), "POSTQ_TEST=uring=0 turns io_uring off");
	} else if (!hostile) {
		printf("# io_uring %s here\n", pq_fetch_batched(&f) ? "in use" : "not available");
	} else {
		T(!pq_fetch_batched(&f), "a batch that waits drops io_uring");
	}
	pq_fetch_free(&f);
}

static void regfile_checks(int dfd)
{
	struct stat st;
	bool noatime = true;
	int fd = pq_regfile_open(dfd, "big", &noatime, &st);
	CHECK(fd >= 0 && S_ISREG(st.st_mode), "regfile: a regular file opens");
	struct pq_buf b = PQ_BUF_INIT;
	bool cut = false;
	CHECK(pq_regfile_read(fd, &b, 10, &cut) == 10 && cut,
	      "regfile: a read stops at the cap and says the file is longer");
	close(fd);
	fd = pq_regfile_open(dfd, "exact", &noatime, &st);
	pq_buf_reset(&b);
	CHECK(pq_regfile_read(fd, &b, CAP, &cut) == CAP && !cut,
	      "regfile: a file of exactly the cap is not cut");
	close(fd);
	CHECK(pq_regfile_open(dfd, "fifo", &noatime, &st) < 0 && errno == PQ_ENOTREG,
	      "regfile: a FIFO is refused without blocking");
	CHECK(pq_regfile_open(dfd, "wfifo", &noatime, &st) < 0 && errno == PQ_ENOTREG,
	      "regfile: a FIFO with a writer is refused");
	CHECK(pq_regfile_open(dfd, "link", &noatime, &st) < 0 && errno == ELOOP,
	      "regfile: a symlink is refused");
	if (have_devices)
		CHECK(pq_regfile_open(dfd, "zero", &noatime, &st) < 0
		      && errno == PQ_ENOTREG, "regfile: a character device is refused");
	CHECK_STR(pq_regfile_strerror(PQ_ENOTREG), "not a regular file",
		  "regfile: PQ_ENOTREG reads as \"not a regular file\"");
	pq_buf_free(&b);
}

/* Defer logs planted as a FIFO, a device, a huge file, in a spool. */
static void bounce_log_checks(void)
{
	char sdir[] = "/tmp/postq-blog-XXXXXX";
	char path[600];

	if (mkdtemp(sdir) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/defer", sdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/deferred", sdir);
	mkdir(path, 0700);
	/* Logs straight in defer/, not in hash subdirectories. */
	snprintf(path, sizeof(path), "%s/main.cf", sdir);
	FILE *cf = fopen(path, "w");
	fputs("hash_queue_names = deferred\n", cf);
	fclose(cf);
	struct pq_err err;
	struct pq_config *cfg = pq_config_load(sdir, true, &err);
	struct pq_spool sp;
	if (cfg == NULL || !pq_spool_open(&sp, cfg, sdir, &err)) {
		CHECK(false, "bounce_log: a scratch spool opens");
		return;
	}
	snprintf(path, sizeof(path), "%s/defer/FIFO1", sdir);
	mkfifo(path, 0600);
	snprintf(path, sizeof(path), "%s/defer/ZERO1", sdir);
	bool dev = mknod(path, S_IFCHR | 0600, makedev(1, 5)) == 0;
	snprintf(path, sizeof(path), "%s/defer/HUGE1", sdir);
	FILE *fp = fopen(path, "w");
	const char entry[] = "recipient=x@example.com\nreason=far too long\n\n";
	for (size_t n = 0; n <= PQ_BOUNCE_LOG_MAX / (sizeof(entry) - 1); n++)
		fputs(entry, fp);
	fclose(fp);

	struct pq_bounce_log log;
	CHECK(!pq_bounce_log_open(&log, &sp, "defer", "FIFO1") && errno == PQ_ENOTREG,
	      "bounce_log: a FIFO defer log is refused without blocking");
	if (dev)
		CHECK(!pq_bounce_log_open(&log, &sp, "defer", "ZERO1")
		      && errno == PQ_ENOTREG,
		      "bounce_log: a /dev/zero-like defer log is refused");
	CHECK(!pq_bounce_log_open(&log, &sp, "defer", "NONE1") && errno == ENOENT,
	      "bounce_log: a missing defer log is ENOENT");
	bool ok = pq_bounce_log_open(&log, &sp, "defer", "HUGE1");
	CHECK(ok && log.cut && log.text.len == PQ_BOUNCE_LOG_MAX,
	      "bounce_log: a huge defer log is read up to the cap, and marked cut");
	if (ok) {
		struct pq_bounce_entry e = { 0 };
		size_t n = 0;
		while (pq_bounce_log_read(&log, &e))
			n++;
		CHECK(n == PQ_BOUNCE_LOG_MAX / (sizeof(entry) - 1),
		      "bounce_log: a cut log gives its whole entries, not the cut one");
		pq_bounce_entry_free(&e);
		pq_bounce_log_close(&log);
	}
	pq_spool_close(&sp);
	pq_config_free(cfg);
	const char *junk[] = { "defer/FIFO1", "defer/ZERO1", "defer/HUGE1",
			       "defer", "deferred", "main.cf" };
	for (size_t i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "%s/%s", sdir, junk[i]);
		remove(path);
	}
	rmdir(sdir);
}

int main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	write_bytes(dfd, "small", 10);
	write_bytes(dfd, "exact", CAP);
	write_bytes(dfd, "big", 3 * CAP);
	write_bytes(dfd, "empty", 0);
	if (mkdirat(dfd, "dir", 0700) != 0 || symlinkat("small", dfd, "link") != 0
	    || mkfifoat(dfd, "fifo", 0600) != 0) {
		perror("test_fetch: setting up");
		return 1;
	}

	/* A writer that never writes: reads would wait for it. */
	if (mkfifoat(dfd, "wfifo", 0600) != 0) {
		perror("test_fetch: mkfifo");
		return 1;
	}
	int wfd = openat(dfd, "wfifo", O_RDWR | O_NONBLOCK);
	have_devices = mknodat(dfd, "null", S_IFCHR | 0600, makedev(1, 3)) == 0
		       && mknodat(dfd, "zero", S_IFCHR | 0600, makedev(1, 5)) == 0;
	if (!have_devices)
		printf("# not root: no character devices planted\n");
	/* A read that blocks is a failure, not a hang. */
	alarm(60);

	unsetenv("POSTQ_TEST");
	run(dfd, "default", false);
	/* The FIFO with a writer holds an io_uring batch this long. */
	setenv("POSTQ_TEST", "fetch_timeout=1", 1);
	run(dfd, "default, a FIFO with a writer", true);
	setenv("POSTQ_TEST", "uring=0", 1);
	run(dfd, "plain calls", true);
	regfile_checks(dfd);
	bounce_log_checks();

	close(wfd);
	for (size_t i = 0; i < NNAMES; i++)
		unlinkat(dfd, names[i], 0);
	unlinkat(dfd, "dir", AT_REMOVEDIR);
	close(dfd);
	rmdir(dir);
	return unit_status();
}
