/*
 * follow_state - the state file of a log follower (log/follow.h): where
 * it stopped, so that a restart neither loses nor repeats a line.
 *
 * The file is a few lines of text, one "key value" a line, so an admin
 * can read it (and a test can break it on purpose):
 *
 *	postq-follow-state 1
 *	source file
 *	path /var/log/mail.log
 *	dev 2049
 *	ino 1311742
 *	off 98765
 *	line 1234
 *	skip 0
 *	fp 256 9a3f5c0e11d2b7a4
 *
 * off is the byte offset just past the last line handed out, line the
 * number of lines before it, skip 1 when the follower stopped inside the
 * rest of an over-long line (log/logread.h's PQ_LOGREAD_MAX_LINE) that
 * it was skipping. fp is a fingerprint of the file's content just before
 * off: the length (at most PQ_FSTATE_FP_MAX) and the FNV-1a 64-bit hash
 * of those bytes. With it a restart knows the file it finds at the same
 * inode is still the file it read (inode numbers are reused), and can
 * find the file it was reading under another inode (a copytruncate
 * copy). A journal follower keeps "source journal" and "cursor C" (the
 * sd-journal cursor of the last entry it read). Bytes of a path below
 * 0x21, and '%', are written %XX.
 *
 * Entry points:
 *	pq_fstate_load(path, &st, &err)  1 loaded, 0 no such file, -1 the
 *	    file is corrupt (reported with pq_warn naming the file and the
 *	    line; st is then empty), -2 it could not be read (err set).
 *	pq_fstate_save(path, &st, &err)  write atomically: a temporary
 *	    file in the same directory, fsync, rename over path, fsync of
 *	    the directory; a crash leaves the old or the new state, never
 *	    half of one. false with err set on failure.
 *	pq_fstate_parse / pq_fstate_format  the text form, for the above
 *	    and for unit tests; parse says why it refused ("line 3: ...").
 *	pq_fstate_hash(p, n)  the fingerprint hash.
 *	pq_fstate_free(&st)  release what parse or load allocated.
 */
#ifndef POSTQ_FOLLOW_STATE_H
#define POSTQ_FOLLOW_STATE_H

#include "util/buf.h"
#include "util/diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PQ_FSTATE_FP_MAX 256u
/* A state file is a few hundred bytes; anything much longer is not one. */
#define PQ_FSTATE_MAX_SIZE (64u * 1024u)

enum pq_fstate_kind {
	PQ_FSTATE_NONE = 0,
	PQ_FSTATE_FILE,
	PQ_FSTATE_JOURNAL,
};

struct pq_follow_state {
	enum pq_fstate_kind kind;
	char *path;			/* file: the path that was followed */
	unsigned long long dev, ino;	/* file: of the file read last */
	unsigned long long off;		/* just past the last line handed out */
	unsigned long long line;	/* lines before off */
	bool skip;			/* inside an over-long line's rest */
	unsigned fp_len;		/* bytes fingerprinted before off */
	uint64_t fp;			/* their FNV-1a hash */
	char *cursor;			/* journal */
};

uint64_t pq_fstate_hash(const void *p, size_t n);

bool pq_fstate_parse(const char *text, size_t len, struct pq_follow_state *st,
    struct pq_buf *why);
void pq_fstate_format(const struct pq_follow_state *st, struct pq_buf *out);

int pq_fstate_load(const char *path, struct pq_follow_state *st, struct pq_err *err);
bool pq_fstate_save(const char *path, const struct pq_follow_state *st, struct pq_err *err);

void pq_fstate_free(struct pq_follow_state *st);

#endif
