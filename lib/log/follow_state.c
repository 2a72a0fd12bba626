/*
 * follow_state - a log follower's state file; see follow_state.h.
 */
#include "log/follow_state.h"

#include "util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "postq-follow-state 1"

uint64_t pq_fstate_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

void pq_fstate_free(struct pq_follow_state *st)
{
	free(st->path);
	free(st->cursor);
	memset(st, 0, sizeof(*st));
}

static void add_escaped(struct pq_buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c == '%' || c == 0x7f)
			pq_buf_printf(out, "%%%02X", c);
		else
			pq_buf_addc(out, c);
	}
}

void pq_fstate_format(const struct pq_follow_state *st, struct pq_buf *out)
{
	pq_buf_reset(out);
	pq_buf_adds(out, MAGIC "\n");
	if (st->kind == PQ_FSTATE_JOURNAL) {
		pq_buf_adds(out, "source journal\n");
		if (st->cursor) {
			pq_buf_adds(out, "cursor ");
			add_escaped(out, st->cursor);
			pq_buf_addc(out, '\n');
		}
		return;
	}
	pq_buf_adds(out, "source file\npath ");
	add_escaped(out, st->path ? st->path : "");
	pq_buf_printf(out, "\ndev %llu\nino %llu\noff %llu\nline %llu\nskip %d\nfp %u %016llx\n",
		   st->dev, st->ino, st->off, st->line, st->skip ? 1 : 0, st->fp_len,
		   (unsigned long long)st->fp);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An escaped value; NULL if an escape is malformed or decodes to NUL. */
static char *unescape(const char *p, size_t n)
{
	char *s = pq_xmalloc(n + 1), *o = s;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != '%') {
			*o++ = p[i];
			continue;
		}
		int h = i + 2 < n ? hexval((unsigned char)p[i + 1]) : -1;
		int l = h >= 0 ? hexval((unsigned char)p[i + 2]) : -1;
		if (l < 0 || (h == 0 && l == 0)) {
			free(s);
			return NULL;
		}
		*o++ = (char)(h * 16 + l);
		i += 2;
	}
	*o = 0;
	return s;
}

/* A decimal number that fills the whole value. */
static bool number(const char *p, size_t n, int base, unsigned long long max,
    unsigned long long *v)
{
	unsigned long long x = 0;

	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = base == 16 ? hexval((unsigned char)p[i]) :
			(p[i] >= '0' && p[i] <= '9' ? p[i] - '0' : -1);
		if (d < 0)
			return false;
		if (x > (max - (unsigned)d) / (unsigned)base)
			return false;
		x = x * (unsigned)base + (unsigned)d;
	}
	*v = x;
	return true;
}

enum { K_SOURCE = 1, K_PATH = 2, K_DEV = 4, K_INO = 8, K_OFF = 16, K_LINE = 32,
       K_SKIP = 64, K_FP = 128, K_CURSOR = 256 };
#define FILE_KEYS (K_SOURCE | K_PATH | K_DEV | K_INO | K_OFF | K_LINE | K_SKIP | K_FP)

static bool refuse(struct pq_buf *why, unsigned lineno, const char *text, struct pq_follow_state *st)
{
	pq_buf_reset(why);
	if (lineno)
		pq_buf_printf(why, "line %u: %s", lineno, text);
	else
		pq_buf_adds(why, text);
	pq_fstate_free(st);
	return false;
}

bool pq_fstate_parse(const char *text, size_t len, struct pq_follow_state *st,
    struct pq_buf *why)
{
	unsigned seen = 0, lineno = 0;
	const char *p = text, *end = text + len;

	memset(st, 0, sizeof(*st));
	if (len == 0)
		return refuse(why, 0, "empty", st);
	if (memchr(text, 0, len))
		return refuse(why, 0, "contains a NUL byte", st);
	if (text[len - 1] != '\n')
		return refuse(why, 0, "does not end with a newline (cut short?)", st);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)(nl - p);
		lineno++;
		if (lineno == 1) {
			if (n != strlen(MAGIC) || memcmp(p, MAGIC, n) != 0)
				return refuse(why, 1, "not a postq-follow-state 1 file", st);
			p = nl + 1;
			continue;
		}
		const char *sp = memchr(p, ' ', n);
		if (sp == NULL)
			return refuse(why, lineno, "no value", st);
		size_t kn = (size_t)(sp - p);
		const char *v = sp + 1;
		size_t vn = n - kn - 1;
		unsigned key = 0;
		unsigned long long x = 0;
#define IS(k) (kn == strlen(k) && memcmp(p, k, kn) == 0)
		if (IS("source")) {
			key = K_SOURCE;
			if (vn == 4 && memcmp(v, "file", 4) == 0)
				st->kind = PQ_FSTATE_FILE;
			else if (vn == 7 && memcmp(v, "journal", 7) == 0)
				st->kind = PQ_FSTATE_JOURNAL;
			else
				return refuse(why, lineno, "source is neither file nor journal", st);
		} else if (IS("path")) {
			key = K_PATH;
			free(st->path);
			st->path = unescape(v, vn);
			if (st->path == NULL || st->path[0] == 0)
				return refuse(why, lineno, "bad path", st);
		} else if (IS("cursor")) {
			key = K_CURSOR;
			free(st->cursor);
			st->cursor = unescape(v, vn);
			if (st->cursor == NULL || st->cursor[0] == 0)
				return refuse(why, lineno, "bad cursor", st);
		} else if (IS("dev") || IS("ino") || IS("off") || IS("line")) {
			key = IS("dev") ? K_DEV : IS("ino") ? K_INO : IS("off") ? K_OFF : K_LINE;
			/* Offsets are off_t: keep them below 2^63. */
			if (!number(v, vn, 10, key == K_OFF || key == K_LINE ? (unsigned long long)INT64_MAX
				    : ~0ull, &x))
				return refuse(why, lineno, "bad number", st);
			if (key == K_DEV)
				st->dev = x;
			else if (key == K_INO)
				st->ino = x;
			else if (key == K_OFF)
				st->off = x;
			else
				st->line = x;
		} else if (IS("skip")) {
			key = K_SKIP;
			if (vn != 1 || (v[0] != '0' && v[0] != '1'))
				return refuse(why, lineno, "skip is neither 0 nor 1", st);
			st->skip = v[0] == '1';
		} else if (IS("fp")) {
			key = K_FP;
			const char *sp2 = memchr(v, ' ', vn);
			unsigned long long fl = 0, fh = 0;
			if (sp2 == NULL || !number(v, (size_t)(sp2 - v), 10, PQ_FSTATE_FP_MAX, &fl) ||
			    !number(sp2 + 1, vn - (size_t)(sp2 - v) - 1, 16, ~0ull, &fh) ||
			    vn - (size_t)(sp2 - v) - 1 != 16)
				return refuse(why, lineno, "bad fingerprint", st);
			st->fp_len = (unsigned)fl;
			st->fp = fh;
		} else {
			return refuse(why, lineno, "unknown key", st);
		}
#undef IS
		if (seen & key)
			return refuse(why, lineno, "key given twice", st);
		seen |= key;
		p = nl + 1;
	}
	if (!(seen & K_SOURCE))
		return refuse(why, 0, "no source line", st);
	if (st->kind == PQ_FSTATE_FILE) {
		if ((seen & FILE_KEYS) != FILE_KEYS || (seen & K_CURSOR))
			return refuse(why, 0, "a file state needs path, dev, ino, off, line, skip and fp, and no cursor", st);
		if (st->fp_len > st->off)
			return refuse(why, 0, "fingerprint longer than the offset", st);
		if (st->line > st->off)
			return refuse(why, 0, "more lines than bytes before the offset", st);
	} else if (seen & ~(K_SOURCE | K_CURSOR)) {
		return refuse(why, 0, "a journal state has only a cursor", st);
	}
	pq_buf_reset(why);
	return true;
}

int pq_fstate_load(const char *path, struct pq_follow_state *st, struct pq_err *err)
{
	struct pq_buf text = PQ_BUF_INIT, why = PQ_BUF_INIT;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	memset(st, 0, sizeof(*st));
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		pq_err_set(err, PQ_EX_NOINPUT, "cannot open state file %s: %s", path, strerror(errno));
		return -2;
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		pq_err_set(err, PQ_EX_NOINPUT, "state file %s: not a regular file", path);
		close(fd);
		return -2;
	}
	for (;;) {
		pq_buf_reserve(&text, 4096);
		ssize_t n = read(fd, text.data + text.len, 4096);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pq_err_set(err, PQ_EX_IOERR, "cannot read state file %s: %s", path, strerror(errno));
			close(fd);
			pq_buf_free(&text);
			return -2;
		}
		if (n == 0)
			break;
		text.len += (size_t)n;
		if (text.len > PQ_FSTATE_MAX_SIZE)
			break;
	}
	close(fd);
	int rc = 1;
	if (text.len > PQ_FSTATE_MAX_SIZE) {
		pq_warn("state file %s: longer than %u bytes: not a state file; ignored",
			path, PQ_FSTATE_MAX_SIZE);
		rc = -1;
	} else if (!pq_fstate_parse(text.data, text.len, st, &why)) {
		pq_warn("state file %s: corrupt (%s); ignored", path, why.data);
		rc = -1;
	}
	pq_buf_free(&text);
	pq_buf_free(&why);
	return rc;
}

/* The directory part of path, for the temporary file and the fsync. */
static char *dir_of(const char *path)
{
	const char *sl = strrchr(path, '/');

	if (sl == NULL)
		return pq_xstrdup(".");
	if (sl == path)
		return pq_xstrdup("/");
	return pq_xstrndup(path, (size_t)(sl - path));
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

bool pq_fstate_save(const char *path, const struct pq_follow_state *st, struct pq_err *err)
{
	struct pq_buf text = PQ_BUF_INIT, tmp = PQ_BUF_INIT;
	bool ok = false;

	pq_fstate_format(st, &text);
	pq_buf_printf(&tmp, "%s.tmpXXXXXX", path);
	int fd = mkostemp(tmp.data, O_CLOEXEC);
	if (fd < 0) {
		pq_err_set(err, PQ_EX_IOERR, "cannot create a temporary file for state file %s: %s",
			   path, strerror(errno));
		goto out;
	}
	if (!write_all(fd, text.data, text.len) || fsync(fd) != 0) {
		pq_err_set(err, PQ_EX_IOERR, "cannot write state file %s: %s", tmp.data, strerror(errno));
		close(fd);
		unlink(tmp.data);
		goto out;
	}
	if (close(fd) != 0) {
		pq_err_set(err, PQ_EX_IOERR, "cannot write state file %s: %s", tmp.data, strerror(errno));
		unlink(tmp.data);
		goto out;
	}
	if (rename(tmp.data, path) != 0) {
		pq_err_set(err, PQ_EX_IOERR, "cannot rename %s to %s: %s", tmp.data, path, strerror(errno));
		unlink(tmp.data);
		goto out;
	}
	/* The rename itself is durable only once the directory is. */
	char *dir = dir_of(path);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dir);
	ok = true;
out:
	pq_buf_free(&text);
	pq_buf_free(&tmp);
	return ok;
}
