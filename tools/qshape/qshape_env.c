/*
 * qshape_env - read a queue file the way qshape(1) does; see qshape_env.h.
 */
#include "qshape_env.h"

#include "common/die.h"
#include "util/diag.h"
#include "report/perl_num.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool pq_qenv_name_ok(const char *name)
{
	size_t n = 0;

	while ((name[n] >= 'A' && name[n] <= 'Z') || (name[n] >= 'a' && name[n] <= 'z')
	       || (name[n] >= '0' && name[n] <= '9'))
		n++;
	if (n < 6)
		return false;
	return name[n] == 0 || (name[n] == '\n' && name[n + 1] == 0);
}

bool pq_qenv_mode_ok(const struct stat *st)
{
	return S_ISREG(st->st_mode) && (st->st_mode & 0733) == 0700;
}

/* Perl's \s: space, \t, \n, \v, \f, \r. */
static bool pspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * A file that ends inside a record length: qshape's rec_get() keeps the
 * bits read so far and, when they are zero, returns the record with no
 * data. Returns the type, or EOF.
 */
static int tail_record(struct pq_qenv *env, off_t pos)
{
	struct pq_rec_reader *r = &env->reader;
	struct stat st;
	unsigned char b[4];

	if (fstat(r->fd, &st) < 0 || st.st_size - pos < 1 || st.st_size - pos > 3)
		return EOF;
	ssize_t n = pread(r->fd, b, (size_t)(st.st_size - pos), pos);
	if (n != st.st_size - pos || b[0] == '0')
		return EOF;
	for (ssize_t i = 1; i < n; i++)
		if (b[i] != 0x80)
			return EOF;
	pq_buf_set(&env->rec, "");
	pq_rec_seek(r, st.st_size, SEEK_SET);
	return b[0];
}

/* qshape's rec_get(): a record type, or EOF. */
static int qget(struct pq_qenv *env)
{
	struct pq_rec_reader *r = &env->reader;
	off_t pos = pq_rec_tell(r);
	int type = pq_rec_get(r, &env->rec, 0);

	if (type == PQ_REC_ERROR)
		return tail_record(env, pos);
	if (type < 0 || type == '0')	/* getc() returning "0" is false */
		return EOF;
	/* At most 3 length bytes ("max rec len of 2097151"). */
	if (pq_rec_tell(r) - pos - 1 - (off_t)env->rec.len > 3)
		return EOF;
	if (env->rec.data == NULL)
		pq_buf_set(&env->rec, "");
	return type;
}

/* seek($h, $d, 0) with Perl's numeric value of a record. */
static void seek_to(struct pq_qenv *env, double where)
{
	struct pq_rec_reader *r = &env->reader;
	off_t off = where >= (double)r->file_size ? r->file_size : (off_t)where;

	pq_rec_seek(r, off, SEEK_SET);
}

static void add_rcpt(struct pq_qenv *env, const char *s, size_t len)
{
	if (env->nrcpt == env->cap) {
		env->cap = env->cap ? env->cap * 2 : 16;
		env->offs = realloc(env->offs, env->cap * sizeof(*env->offs));
		env->lens = realloc(env->lens, env->cap * sizeof(*env->lens));
		if (env->offs == NULL || env->lens == NULL)
			pq_fatal(PQ_EX_OSERR, "out of memory");
	}
	env->offs[env->nrcpt] = env->arena.len;
	env->lens[env->nrcpt++] = len;
	pq_buf_add(&env->arena, s, len);
}

const char *pq_qenv_rcpt(const struct pq_qenv *env, size_t i, size_t *len)
{
	*len = env->lens[i];
	return env->arena.data + env->offs[i];
}

/* The C record's /^\s*(\d+)\s+\d+\s+\d+/; -1 if it does not match. */
static long long size_field(const char *d, size_t len)
{
	size_t i = 0;
	unsigned long long v = 0;

	while (i < len && pspace((unsigned char)d[i]))
		i++;
	size_t start = i;
	while (i < len && d[i] >= '0' && d[i] <= '9') {
		unsigned dig = (unsigned)(d[i++] - '0');
		v = v > (ULLONG_MAX - dig) / 10 ? ULLONG_MAX : v * 10 + dig;
	}
	if (i == start)
		return -1;
	for (int field = 0; field < 2; field++) {
		size_t ws = i;
		while (i < len && pspace((unsigned char)d[i]))
			i++;
		if (i == ws)
			return -1;
		size_t ds = i;
		while (i < len && d[i] >= '0' && d[i] <= '9')
			i++;
		if (i == ds)
			return -1;
	}
	return v > LLONG_MAX ? LLONG_MAX : (long long)v;
}

/*
 * ($t) = split(/\s+/, $d): no first field only when $d is empty; leading
 * white space (even all white space) gives an empty first field (0).
 */
static bool time_field(struct pq_qenv *env, const char *d, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return false;
	while (i < len && !pspace((unsigned char)d[i]))
		i++;
	env->time = i == 0 ? 0 : pq_perl_atof(d, i);
	return true;
}

static enum pq_qenv_status body(struct pq_qenv *env, const struct stat *st)
{
	struct pq_rec_reader *r = &env->reader;
	long long dlen = -1;
	bool have_sender = false;
	long jumps = 0;
	int type = qget(env);

	if (type == 'C') {
		dlen = size_field(env->rec.data, env->rec.len);
		env->size = (long)dlen;
		if (qget(env) != 'T')
			return PQ_QENV_SKIP;
		env->have_time = time_field(env, env->rec.data, env->rec.len);
	} else if (type == 'S' || type == 'F') {
		env->time = (double)st->st_mtime;
		env->have_time = true;
		if (type == 'F' && qget(env) != 'S')
			return PQ_QENV_SKIP;
		pq_buf_reset(&env->sender);
		pq_buf_add(&env->sender, env->rec.data, env->rec.len);
		have_sender = true;
	} else {
		return PQ_QENV_UNDEF;
	}

	while ((type = qget(env)) != EOF) {
		const char *d = env->rec.data;
		size_t len = env->rec.len;

		if (type == 'p') {
			double where = pq_perl_atof(d, len);
			if (where > 0) {
				if (++jumps > PQ_QSHAPE_MAX_JUMPS) {
					pq_warn("%s: too many pointer records", r->path);
					return PQ_QENV_SKIP;
				}
				seek_to(env, where);
			}
		} else if (type == 'R') {
			add_rcpt(env, d, len);
		} else if (type == 'S') {
			pq_buf_reset(&env->sender);
			pq_buf_add(&env->sender, d, len);
			have_sender = true;
		} else if (type == 'M') {
			if (!have_sender)
				return PQ_QENV_SKIP;
			if (dlen >= 0) {
				off_t here = pq_rec_tell(r);
				if (dlen > (long long)(LLONG_MAX - here))
					return PQ_QENV_SKIP;
				off_t to = here + (off_t)dlen;
				pq_rec_seek(r, to > r->file_size ? r->file_size : to,
					    SEEK_SET);
				type = qget(env);
			} else {
				while ((type = qget(env)) == 'N' || type == 'L'
				       || type == 'p') {
					double where = pq_perl_atof(env->rec.data,
								    env->rec.len);
					if (type == 'p' && where > 0) {
						if (++jumps > PQ_QSHAPE_MAX_JUMPS) {
							pq_warn("%s: too many pointer records",
								r->path);
							return PQ_QENV_SKIP;
						}
						seek_to(env, where);
					}
				}
			}
			if (type != 'X')
				return PQ_QENV_SKIP;
		} else if (type == 'E') {
			if (env->have_time && have_sender && env->nrcpt > 0)
				return PQ_QENV_MSG;
			return PQ_QENV_SKIP;
		}
	}
	return PQ_QENV_SKIP;
}

enum pq_qenv_status pq_qenv_read(struct pq_qenv *env, int fd,
				 const char *path, const struct stat *st)
{
	env->time = 0;
	env->have_time = false;
	env->size = -1;
	env->nrcpt = 0;
	pq_buf_reset(&env->arena);
	pq_buf_reset(&env->sender);
	pq_rec_init(&env->reader, fd, path, st->st_size);
	env->status = body(env, st);
	if (env->status == PQ_QENV_UNDEF) {
		env->time = 0;
		env->have_time = false;
		env->nrcpt = 0;
		pq_buf_reset(&env->sender);
	}
	return env->status;
}

void pq_qenv_free(struct pq_qenv *env)
{
	pq_buf_free(&env->sender);
	pq_buf_free(&env->arena);
	pq_buf_free(&env->rec);
	free(env->offs);
	free(env->lens);
	pq_rec_free(&env->reader);
	memset(env, 0, sizeof(*env));
}
