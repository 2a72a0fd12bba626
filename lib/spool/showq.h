/*
 * showq - a client of Postfix's showq service: the listing postqueue
 * -p / -j prints, read from the daemon instead of the spool.
 *
 * showq listens on $queue_directory/public/showq, a UNIX-domain stream
 * socket (master starts a showq process per connection). It reads the
 * queue itself, so the client needs no access to the queue
 * directories: root, or any member of setgid_group (postdrop), which
 * owns public/, can connect. Postfix 3.x (postqueue's showq_client,
 * showq_compat.c, showq_json.c) speaks the attribute protocol of
 * attr_print0: a name, NUL, a value, NUL; a lone NUL ends a list. The
 * stream is
 *
 *	protocol  mail_queue_list_protocol  NUL		(once)
 *	queue_name Q  queue_id ID  time T  size N  forced_expire 0|1
 *	  sender S  { recipient R  reason WHY }*  NUL	(per message)
 *	NUL						(end of listing)
 *
 * with numbers in decimal and the attributes in exactly this order
 * (postqueue reads them strictly: nothing missing, nothing extra).
 * Messages come in showq's order (maildrop, active, incoming, deferred,
 * hold); the sender and recipients are already quoted and made
 * printable by showq, reasons come from the defer logs, and every
 * string is made printable once more here, as postqueue does
 * (smtputf8_enable decides whether UTF-8 stays).
 *
 * Each message becomes a struct pq_qmsg (lib/spool/listing.h), so what
 * prints or counts a listing takes either source. What showq does not
 * send stays empty: st is zeroed, done_rcpts is 0, status is OK, and
 * arrival_is_mtime is false (for a file without a time record showq
 * sends the mtime, without saying so).
 *
 * The peer is not trusted. Every read waits at most idle_ms for data,
 * and the whole exchange at most total_ms when that is set, so a peer
 * that stops sending or never ends the listing is an error, not a hang.
 * An attribute name longer than PQ_SHOWQ_MAX_NAME, a value longer than
 * max_string, a message whose strings add up to more than max_message,
 * a number that is not a plain decimal, or anything out of order ends
 * the listing with an error. The first error is kept in sq->err (text
 * names the socket; status is EX_UNAVAILABLE, 69, what postqueue exits
 * with on a malformed response); there is no resynchronisation, and
 * pq_showq_next returns NULL from then on.
 *
 * The defaults (pq_showq_limits_default, or lim NULL) are the PQ_SHOWQ_
 * values below; tests shorten them with POSTQ_TEST=showq_idle_ms=N,
 * showq_total_ms=N, showq_max_string=N, showq_max_message=N.
 *
 *	pq_showq_path(sp, out)		$queue_directory/public/showq
 *	pq_showq_connect(...)		connect; false with err filled
 *	pq_showq_attach(...)		use a connected descriptor (tests)
 *	pq_showq_next(sq)		next message; NULL at the end or on
 *					error (then sq->failed)
 *	pq_showq_close(sq)
 */
#ifndef POSTQ_SHOWQ_H
#define POSTQ_SHOWQ_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/buf.h"
#include "util/diag.h"
#include "spool/listing.h"
#include "spool/spool.h"

/* Defaults; Postfix's own names are a few bytes, its values unbounded. */
#define PQ_SHOWQ_IDLE_MS 60000
#define PQ_SHOWQ_MAX_NAME 256
#define PQ_SHOWQ_MAX_STRING ((size_t)1 << 20)
#define PQ_SHOWQ_MAX_MESSAGE ((size_t)64 << 20)

struct pq_showq_limits {
	int idle_ms;		/* longest wait for the next bytes (> 0) */
	int total_ms;		/* whole exchange; 0: no limit */
	size_t max_string;	/* longest attribute value */
	size_t max_message;	/* all strings of one message together */
};

struct pq_showq {
	int fd;
	char *label;		/* socket path, for messages */
	struct pq_showq_limits lim;
	bool utf8;		/* smtputf8_enable: printable() keeps UTF-8 */
	unsigned char *in;	/* read buffer */
	size_t inpos, inlen;
	bool have_deadline;
	struct timespec deadline;	/* CLOCK_MONOTONIC */
	struct pq_buf name, value;
	struct pq_buf queue;	/* a queue name showq should not send */
	size_t msgbytes;
	struct pq_qmsg msg;
	bool started;		/* protocol announcement read */
	bool done;		/* end of listing read */
	bool failed;
	struct pq_err err;
};

void pq_showq_limits_default(struct pq_showq_limits *lim);

/* The service's socket for spool sp (its root), in out. */
const char *pq_showq_path(const struct pq_spool *sp, struct pq_buf *out);

/*
 * pq_showq_connect - connect to the socket at path (lim NULL: defaults).
 * False with err filled: EX_NOPERM when permission is denied (not root,
 * not in the setgid_group), EX_UNAVAILABLE when nothing listens.
 */
bool pq_showq_connect(struct pq_showq *sq, const char *path,
		      const struct pq_showq_limits *lim, bool utf8,
		      struct pq_err *err);
/* Read from fd (which sq then owns); label names it in messages. */
void pq_showq_attach(struct pq_showq *sq, int fd, const char *label,
		     const struct pq_showq_limits *lim, bool utf8);
/* The next message, valid until the next call; NULL at the end or on error. */
const struct pq_qmsg *pq_showq_next(struct pq_showq *sq);
void pq_showq_close(struct pq_showq *sq);

#endif
