/*
 * record - read Postfix queue file records.
 *
 * A record is a type byte, a length in base-128 (low 7 bits first, high
 * bit set while more length bytes follow), and that many data bytes.
 * The reader buffers the file and seeks by offset, so listing a queue
 * reads the envelope and skips the message content.
 *
 * pq_rec_get() gives the logical view Postfix's rec_get() gives with
 * its default flags when flags is PQ_REC_DEFAULT: pointer records are
 * followed (with the same 10000 reverse-jump limit), padding records are
 * skipped, and after the end record the next read is EOF. Damage (a
 * length that runs past the end of the file, EOF inside a length, too
 * many length bits, a bad pointer) is reported with a warning that
 * names the file, as Postfix does, and returns PQ_REC_ERROR; nothing is
 * ever allocated for a record the file does not actually contain. A
 * jump past the largest file offset (pq_rec_seek) is damage too.
 */
#ifndef POSTQ_RECORD_H
#define POSTQ_RECORD_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/buf.h"

#define PQ_REC_EOF (-1)
#define PQ_REC_ERROR (-2)

#define PQ_REC_FOLLOW_PTR 1
#define PQ_REC_SKIP_DTXT 2
#define PQ_REC_SEEK_END 4
#define PQ_REC_DEFAULT (PQ_REC_FOLLOW_PTR | PQ_REC_SKIP_DTXT | PQ_REC_SEEK_END)

/* Record types postq looks at (global/rec_type.h). */
#define PQ_REC_SIZE 'C'
#define PQ_REC_TIME 'T'
#define PQ_REC_FULL 'F'
#define PQ_REC_FROM 'S'
#define PQ_REC_DONE 'D'
#define PQ_REC_RCPT 'R'
#define PQ_REC_ORCP 'O'
#define PQ_REC_DRCP '/'
#define PQ_REC_WARN 'W'
#define PQ_REC_ATTR 'A'
#define PQ_REC_KILL 'K'
#define PQ_REC_MESG 'M'
#define PQ_REC_NORM 'N'
#define PQ_REC_CONT 'L'
#define PQ_REC_DTXT 'w'
#define PQ_REC_XTRA 'X'
#define PQ_REC_PTR 'p'
#define PQ_REC_END 'E'

struct pq_rec_reader {
	int fd;
	const char *path;	/* for messages; not owned */
	off_t file_size;
	unsigned char *buf;
	size_t buf_cap;
	size_t buf_len;		/* valid bytes in buf */
	off_t buf_off;		/* file offset of buf[0] */
	off_t pos;		/* logical read position */
	off_t jump_offset;	/* last pointer target */
	int reverse_jumps;
	int (*open_rest)(void *);	/* see pq_rec_open_later() */
	void *open_ctx;
	bool rest_failed;	/* it failed: the file is gone, not damaged */
};

/*
 * Start reading fd (file_size from fstat; -1 if not known, with an
 * opener below). The reader does not own fd.
 */
void pq_rec_init(struct pq_rec_reader *r, int fd, const char *path,
		 off_t file_size);
/*
 * pq_rec_preload - after pq_rec_init(): bytes [0, len) of the file are
 * data (read ahead, e.g. by a fetch). With fd -1 they are the whole file
 * and nothing else is read; otherwise the rest comes from fd.
 */
void pq_rec_preload(struct pq_rec_reader *r, const unsigned char *data,
		    size_t len);
/*
 * pq_rec_open_later - after pq_rec_init() with fd -1 and before the
 * preload: the rest of the file is there, but opened only if a read
 * goes past the preload (open_rest(ctx) returns the descriptor, or -1
 * and the file reads as ending there, with rest_failed set and no
 * warnings about the cut). The caller closes r->fd.
 */
void pq_rec_open_later(struct pq_rec_reader *r, int (*open_rest)(void *),
		       void *ctx);
void pq_rec_free(struct pq_rec_reader *r);

/* Read one record into data (NUL-terminated); returns its type or
 * PQ_REC_EOF / PQ_REC_ERROR. */
int pq_rec_get(struct pq_rec_reader *r, struct pq_buf *data, int flags);

/*
 * Seek like lseek(SEEK_SET / SEEK_CUR); false, with the position kept,
 * if the result is negative or past the largest off_t (a jump that a
 * damaged size record asks for: warned about, naming the file). Every
 * offset the reader computes is checked this way or bounded by bytes
 * actually read.
 */
bool pq_rec_seek(struct pq_rec_reader *r, off_t offset, int whence);
off_t pq_rec_tell(const struct pq_rec_reader *r);

#endif
