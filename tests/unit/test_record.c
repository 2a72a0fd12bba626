/*
 * test_record - the queue file record reader and envelope reader on
 * well-formed and crafted damaged files.
 */
#include "util/buf.h"
#include "spool/envelope.h"
#include "spool/record.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/postq-unit-XXXXXX";

/* Append one record with Postfix's length encoding. */
static void rec(struct pq_buf *f, int type, const char *data, size_t len)
{
	pq_buf_addc(f, type);
	size_t n = len;
	do {
		int b = n & 0177;
		n >>= 7;
		pq_buf_addc(f, n ? b | 0200 : b);
	} while (n);
	pq_buf_add(f, data, len);
}

static void recs(struct pq_buf *f, int type, const char *s)
{
	rec(f, type, s, strlen(s));
}

static const char *write_file(const char *name, const struct pq_buf *f)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	fwrite(f->data, 1, f->len, fp);
	fclose(fp);
	return path;
}

/*
 * Read the file with preload bytes read ahead (as a fetch gives them):
 * all of it and no descriptor, or a prefix and the rest from fd.
 */
static void scan_with(const char *path, struct pq_envelope *env,
		      size_t preload, bool whole)
{
	struct pq_rec_reader r = { 0 };
	struct stat st;
	int fd = open(path, O_RDONLY);
	fstat(fd, &st);
	unsigned char *head = malloc((size_t)st.st_size + 1);
	ssize_t n = pread(fd, head, whole ? (size_t)st.st_size : preload, 0);
	pq_rec_init(&r, whole ? -1 : fd, path, st.st_size);
	if (whole || preload > 0)
		pq_rec_preload(&r, head, n > 0 ? (size_t)n : 0);
	pq_envelope_read(env, &r, path, &st, false);
	pq_rec_free(&r);
	free(head);
	close(fd);
}

static int opens;		/* how often an opener ran */

static int open_path(void *ctx)
{
	opens++;
	return open(ctx, O_RDONLY);
}

static int open_fails(void *ctx)
{
	(void)ctx;
	opens++;
	errno = ENOENT;
	return -1;
}

/*
 * As a listing that did not stat the file: its size unknown, a prefix
 * read ahead, the file opened only if reading goes past it. Returns
 * whether the opener failed.
 */
static bool scan_lazy(const char *path, struct pq_envelope *env,
		      size_t preload, int (*opener)(void *))
{
	struct pq_rec_reader r = { 0 };
	struct stat st = { 0 };
	unsigned char *head = malloc(preload + 1);
	int fd = open(path, O_RDONLY);
	ssize_t n = pread(fd, head, preload, 0);
	close(fd);
	pq_rec_init(&r, -1, path, -1);
	pq_rec_open_later(&r, opener, (void *)path);
	pq_rec_preload(&r, head, n > 0 ? (size_t)n : 0);
	pq_envelope_read(env, &r, path, &st, false);
	if (r.fd >= 0)
		close(r.fd);
	pq_rec_free(&r);
	free(head);
	return r.rest_failed;
}

/* The same; without a valid size record a's size is not compared. */
static bool same_envelope(const struct pq_envelope *a,
			  const struct pq_envelope *b)
{
	if (a->status != b->status || a->rcpts.n != b->rcpts.n
	    || (a->size_ok && a->size != b->size) || a->arrival != b->arrival
	    || strcmp(pq_buf_str(&a->sender), pq_buf_str(&b->sender)) != 0)
		return false;
	for (size_t i = 0; i < a->rcpts.n; i++)
		if (strcmp(pq_strlist_get(&a->rcpts, i), pq_strlist_get(&b->rcpts, i)))
			return false;
	return true;
}

/*
 * Read the file like a listing does; returns the status. Reading it
 * from a whole preload, or from a 10-byte preload and the descriptor,
 * must give the same envelope.
 */
static enum pq_env_status scan(const char *path, struct pq_envelope *env)
{
	struct pq_envelope other = PQ_ENVELOPE_INIT;
	char name[600];

	scan_with(path, &other, 0, true);
	/* size stays unknown until the file is opened */
	scan_lazy(path, env, 10, open_path);
	snprintf(name, sizeof(name), "%s: unstatted, opened later, reads the same",
		 strrchr(path, '/') + 1);
	CHECK(same_envelope(env, &other), name);
	/* all but the last byte read ahead: an end record may lie in it */
	struct stat st;
	stat(path, &st);
	scan_lazy(path, env, st.st_size > 0 ? (size_t)st.st_size - 1 : 0, open_path);
	snprintf(name, sizeof(name), "%s: unstatted, all but one byte ahead, reads the same",
		 strrchr(path, '/') + 1);
	CHECK(same_envelope(env, &other), name);
	scan_with(path, env, 10, false);
	snprintf(name, sizeof(name), "%s: preloaded prefix reads the same",
		 strrchr(path, '/') + 1);
	CHECK(same_envelope(env, &other), name);
	scan_with(path, env, 0, false);
	snprintf(name, sizeof(name), "%s: preloaded whole file reads the same",
		 strrchr(path, '/') + 1);
	CHECK(same_envelope(env, &other), name);
	pq_envelope_free(&other);
	return env->status;
}

/* A message the way cleanup writes it, content and all. */
static void good_message(struct pq_buf *f, const char *content_size)
{
	char size[100];
	snprintf(size, sizeof(size), "%15s %15d %15d %15d %15s %15d",
		 content_size, 200, 2, 0, content_size, 0);
	recs(f, 'C', size);
	recs(f, 'T', "1700000000 123456");
	recs(f, 'A', "create_time=1700000000");
	recs(f, 'S', "sender@example.org");
	recs(f, 'O', "one@example.com");
	recs(f, 'R', "one@example.com");
	recs(f, 'D', "done@example.com");
	recs(f, 'M', "");
}

int main(void)
{
	struct pq_buf f = PQ_BUF_INIT;
	struct pq_envelope env = PQ_ENVELOPE_INIT;

	if (mkdtemp(dir) == NULL)
		return 1;

	/* Content of 3 N records: "Subject: x" (10+2), "" (0+2), "body" (4+2). */
	good_message(&f, "20");
	recs(&f, 'N', "Subject: x");
	recs(&f, 'N', "");
	recs(&f, 'N', "body");
	recs(&f, 'X', "");
	recs(&f, 'R', "two@example.com");
	recs(&f, 'E', "");
	const char *p = write_file("good", &f);
	char good[512];
	snprintf(good, sizeof(good), "%s", p);
	CHECK(scan(p, &env) == PQ_ENV_OK, "well-formed file reads to the end");
	CHECK(env.rcpts.n == 2, "envelope and extracted recipients both listed");
	CHECK_STR(env.rcpts.n == 2 ? pq_strlist_get(&env.rcpts, 1) : NULL,
		  "two@example.com", "extracted recipient after the content jump");
	CHECK(env.size == 20 && env.size_ok, "size is the C record's first field");
	CHECK(env.arrival == 1700000000, "arrival from the T record seconds");
	CHECK(env.done_rcpts == 1, "done recipients counted, not listed");
	CHECK_STR(pq_buf_str(&env.sender), "sender@example.org", "sender");

	/* Missing end marker: what was read is kept. */
	pq_buf_reset(&f);
	good_message(&f, "0");
	recs(&f, 'X', "");
	p = write_file("noend", &f);
	CHECK(scan(p, &env) == PQ_ENV_CORRUPT && env.rcpts.n == 1,
	      "missing end record: damage, listed as far as it goes");

	/* Truncated inside a length. */
	pq_buf_reset(&f);
	good_message(&f, "0");
	pq_buf_addc(&f, 'R');
	pq_buf_addc(&f, 0x85);
	p = write_file("trunclen", &f);
	CHECK(scan(p, &env) == PQ_ENV_CORRUPT && env.rcpts.n == 1,
	      "EOF inside a length is damage; earlier recipients kept");

	/* Length far past EOF: no giant allocation, an error. */
	pq_buf_reset(&f);
	recs(&f, 'S', "s@example.org");
	pq_buf_addc(&f, 'R');
	pq_buf_addc(&f, 0xff);
	pq_buf_addc(&f, 0xff);
	pq_buf_addc(&f, 0xff);
	pq_buf_addc(&f, 0x07);
	pq_buf_adds(&f, "short");
	p = write_file("pasteof", &f);
	CHECK(scan(p, &env) == PQ_ENV_CORRUPT && env.rcpts.n == 0,
	      "length past end of file is damage");

	/* Too many length bits. */
	pq_buf_reset(&f);
	recs(&f, 'S', "s@example.org");
	pq_buf_addc(&f, 'R');
	for (int i = 0; i < 6; i++)
		pq_buf_addc(&f, 0x81);
	pq_buf_addc(&f, 0x01);
	p = write_file("bits", &f);
	CHECK(scan(p, &env) == PQ_ENV_CORRUPT, "too many length bits is damage");

	/* Unknown record types are skipped. */
	pq_buf_reset(&f);
	recs(&f, 'S', "s@example.org");
	recs(&f, 'Z', "what is this");
	recs(&f, 0x01, "binary");
	recs(&f, 'R', "r@example.org");
	recs(&f, 'E', "");
	p = write_file("unknown", &f);
	CHECK(scan(p, &env) == PQ_ENV_OK && env.rcpts.n == 1,
	      "unknown record types are ignored");

	/* Recipient before sender: showq lists nothing. */
	pq_buf_reset(&f);
	recs(&f, 'R', "r@example.org");
	recs(&f, 'S', "s@example.org");
	p = write_file("nosender", &f);
	CHECK(scan(p, &env) == PQ_ENV_NO_SENDER, "recipient before sender");

	/* Second sender stops the scan. */
	pq_buf_reset(&f);
	recs(&f, 'S', "s@example.org");
	recs(&f, 'R', "r1@example.org");
	recs(&f, 'S', "t@example.org");
	recs(&f, 'R', "r2@example.org");
	p = write_file("dupsender", &f);
	CHECK(scan(p, &env) == PQ_ENV_DUP_SENDER && env.rcpts.n == 1,
	      "duplicate sender stops the scan");

	/* A pointer loop ends in an error, not a hang. */
	pq_buf_reset(&f);
	recs(&f, 'S', "s@example.org");
	char ptr[32];
	snprintf(ptr, sizeof(ptr), "%15ld", (long)f.len);
	recs(&f, 'p', ptr);
	p = write_file("ptrloop", &f);
	CHECK(scan(p, &env) == PQ_ENV_CORRUPT, "pointer loop is detected");

	/* A pointer past EOF is just EOF. */
	pq_buf_reset(&f);
	recs(&f, 'S', "s@example.org");
	recs(&f, 'p', "        9999999");
	p = write_file("ptrfar", &f);
	CHECK(scan(p, &env) == PQ_ENV_CORRUPT && env.have_sender,
	      "pointer past the end reads as EOF before the end record");

	/* Malformed pointer. */
	pq_buf_reset(&f);
	recs(&f, 'S', "s@example.org");
	recs(&f, 'p', "12x");
	p = write_file("ptrbad", &f);
	CHECK(scan(p, &env) == PQ_ENV_CORRUPT, "malformed pointer is damage");

	/* Malformed size record: the file size is used. */
	pq_buf_reset(&f);
	recs(&f, 'C', "12a");
	recs(&f, 'S', "s@example.org");
	recs(&f, 'M', "");
	recs(&f, 'N', "text");
	recs(&f, 'X', "");
	recs(&f, 'R', "r@example.org");
	recs(&f, 'E', "");
	p = write_file("badsize", &f);
	CHECK(scan(p, &env) == PQ_ENV_OK && env.size == (long)f.len
	      && env.rcpts.n == 1, "malformed size record: file size, no jump");

	/*
	 * A size record at the largest file offset: the jump over the
	 * content would overflow. Damage, not undefined behaviour (the
	 * sanitizer build traps on a signed overflow), and what was read
	 * before the content is kept. One less is a jump far past the end.
	 */
	pq_buf_reset(&f);
	good_message(&f, "9223372036854775807");
	recs(&f, 'N', "text");
	recs(&f, 'X', "");
	recs(&f, 'R', "two@example.com");
	recs(&f, 'E', "");
	p = write_file("hugesize", &f);
	CHECK(scan(p, &env) == PQ_ENV_CORRUPT && env.rcpts.n == 1
	      && env.have_sender, "size record of 2^63-1: damage, no overflow");
	pq_buf_reset(&f);
	good_message(&f, "9223372036854775000");
	recs(&f, 'X', "");
	recs(&f, 'E', "");
	p = write_file("farsize", &f);
	CHECK(scan(p, &env) == PQ_ENV_CORRUPT && env.rcpts.n == 1,
	      "size record far past the end of the file: damage");
	{
		struct pq_rec_reader r = { 0 };
		pq_rec_init(&r, -1, "seek", 0);
		CHECK(pq_rec_seek(&r, 100, SEEK_SET)
		      && !pq_rec_seek(&r, 9223372036854775807LL, SEEK_CUR)
		      && pq_rec_tell(&r) == 100, "seek overflowing: refused, position kept");
		CHECK(!pq_rec_seek(&r, -101, SEEK_CUR) && pq_rec_tell(&r) == 100,
		      "seek before the start: refused");
		CHECK(pq_rec_seek(&r, -100, SEEK_CUR) && pq_rec_tell(&r) == 0,
		      "seek back to the start");
		CHECK(!pq_rec_seek(&r, (-9223372036854775807LL - 1), SEEK_CUR)
		      && pq_rec_tell(&r) == 0, "seek by the most negative offset: refused");
		pq_rec_free(&r);
	}

	/* Padding records are skipped, data after E is unreachable. */
	pq_buf_reset(&f);
	recs(&f, 'S', "s@example.org");
	recs(&f, 'w', "0000");
	recs(&f, 'R', "r@example.org");
	recs(&f, 'E', "");
	recs(&f, 'R', "heap@example.org");
	p = write_file("pad", &f);
	CHECK(scan(p, &env) == PQ_ENV_OK && env.rcpts.n == 1,
	      "padding skipped, nothing read after the end record");

	/*
	 * Head only: reading stops at the sender, and a file is opened only
	 * when the sender lies past what was read ahead.
	 */
	p = good;
	env.head_only = true;
	opens = 0;
	scan_lazy(p, &env, 200, open_path);
	CHECK(env.status == PQ_ENV_OK && opens == 0 && env.rcpts.n == 0
	      && env.arrival == 1700000000 && env.size == 20,
	      "head only: sender, time and size from the read-ahead, no open");
	CHECK_STR(pq_buf_str(&env.sender), "sender@example.org", "head only: sender");
	scan_lazy(p, &env, 20, open_path);
	CHECK(env.status == PQ_ENV_OK && opens == 1
	      && strcmp(pq_buf_str(&env.sender), "sender@example.org") == 0,
	      "head only: sender past the read-ahead: opened once");
	env.head_only = false;

	/* The file gone when the rest is wanted: no damage reported. */
	CHECK(scan_lazy(p, &env, 200, open_fails)
	      && env.status == PQ_ENV_CORRUPT && env.have_sender,
	      "opener fails: the read ends where the read-ahead did, marked");

	/* Empty file. */
	pq_buf_reset(&f);
	p = write_file("empty", &f);
	CHECK(scan(p, &env) == PQ_ENV_NO_SENDER, "empty file lists nothing");

	pq_envelope_free(&env);
	pq_buf_free(&f);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return unit_status();
}
