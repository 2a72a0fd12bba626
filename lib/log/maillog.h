/*
 * maillog - the shared mail-log line parser: syslog framing, Postfix
 * program names and Postfix event classification.
 *
 * Every postq log consumer (pflogsumm, exporters, the dashboard) reads
 * lines through this module so they agree on what a line means: what
 * one counts as received, delivered, deferred, bounced, rejected,
 * held, discarded or expired, another counts the same way. It is a
 * hand-written scanner: one pass over the line, no regular
 * expressions, no allocation; every field is a (pointer, length) view
 * into the caller's line. Garbage, truncated or binary lines are
 * rejected with a reason, never read past their length.
 *
 * One call per line (pq_ml_read_line) gives the syslog framing (time,
 * host, program, pid), the Postfix program name split into instance,
 * service and daemon, and the event with its key fields (queue id,
 * status, dsn, relay, delays, size, sender, recipient, reject code...).
 * A long-running consumer keeps one struct pq_ml_frame_cache per stream of
 * lines and counts from struct pq_ml_line; pq_ml_parse_frame_next,
 * pq_ml_split_prog and pq_ml_classify are the same steps one by one, for
 * callers that filter between them.
 *
 * Framing accepted (pq_ml_parse_frame):
 *   RFC 3164   "Mmm dd HH:MM:SS host prog[pid]: text"  (dd may be " 5" or "05")
 *   RFC 3164 with a fraction "Mmm dd HH:MM:SS.ffffff host ..." (high-precision traditional)
 *   RFC 3339   "YYYY-MM-DDTHH:MM:SS[.f](Z|+HH:MM) host ..."  (rsyslog default on Debian 12)
 *   ISO nocolon "YYYY-MM-DDTHH:MM:SS[.f]+HHMM host ..."  (journalctl -o short-iso)
 * Postfix's own maillog_file (postlogd, Postfix 3.7) writes RFC 3164 stamps.
 * Solaris syslogd's "[ID 197553 mail.info] " before the text is skipped.
 * Program names: "postfix/smtpd", "postfix/submission/smtpd",
 * "postfix-slow/smtp", "postfix-<instance>/...", with or without [pid].
 */
#ifndef POSTQ_MAILLOG_H
#define POSTQ_MAILLOG_H

#include <stdbool.h>
#include <stddef.h>

/* A view of bytes inside a line. */
struct pq_ml_str {
	const char *p;
	size_t n;
};

enum pq_ml_stamp {
	PQ_ML_STAMP_NONE = 0,
	PQ_ML_STAMP_RFC3164,	/* no year */
	PQ_ML_STAMP_RFC3164_FRAC,	/* RFC 3164 plus .fraction */
	PQ_ML_STAMP_RFC3339,	/* offset with colon, or Z */
	PQ_ML_STAMP_ISO_NOCOLON,	/* offset +HHMM */
};

enum pq_ml_bad {
	PQ_ML_OK = 0,
	PQ_ML_BAD_STAMP,		/* no recognised timestamp */
	PQ_ML_BAD_HOST,		/* no host field */
	PQ_ML_BAD_PROG,		/* no "prog: " part */
};

struct pq_ml_frame {
	enum pq_ml_stamp stamp;
	int year;		/* -1 when the stamp has none (RFC 3164) */
	int mon;		/* 0..11; -1 if the month name is unknown */
	int mday, hour, min, sec;
	long usec;		/* fraction in microseconds, 0 if none */
	bool has_tz;
	int tz_min;		/* offset east of UTC in minutes */
	struct pq_ml_str host;
	struct pq_ml_str rest;	/* from the program name to the end of line */
	struct pq_ml_str prog;	/* "postfix/smtpd" (without [pid]) */
	long pid;		/* -1 if none */
	struct pq_ml_str text;	/* after "prog[pid]: " */
};

/* pq_ml_month - 0..11 for "Jan".."Dec" (exact case), else -1. */
int pq_ml_month(const char *p);

/*
 * pq_ml_parse_frame - split a line (no newline) into its syslog parts.
 * Returns PQ_ML_OK or why the line is not a syslog line. stamp, the time
 * fields, host and rest are set whenever the stamp was recognised; prog,
 * pid and text only with PQ_ML_OK.
 */
enum pq_ml_bad pq_ml_parse_frame(const char *line, size_t len, struct pq_ml_frame *f);

/*
 * Consecutive log lines nearly always start with the same "stamp host "
 * bytes (one stamp per second, one host per file). pq_ml_parse_frame_next
 * remembers the last such prefix and, when the next line starts with
 * it, takes the stamp and host from the previous result and parses
 * only the program name and text. The result is exactly pq_ml_parse_frame's
 * (the stamp and host fields depend on nothing past that prefix). Zero
 * a cache before first use; one cache per thread of lines.
 */
struct pq_ml_frame_cache {
	size_t n;		/* prefix length, 0: nothing cached */
	size_t host_off;
	struct pq_ml_frame f;	/* stamp fields of the cached line */
	char prefix[80];	/* longer prefixes are simply not cached */
};

/* pq_ml_parse_frame_next - pq_ml_parse_frame, using and updating c. */
enum pq_ml_bad pq_ml_parse_frame_next(struct pq_ml_frame_cache *c, const char *line, size_t len,
    struct pq_ml_frame *f);

/*
 * Program names. "postfix-slow/smtp" has syslog_name "postfix-slow",
 * service "" and daemon "smtp"; "postfix/submission/smtpd" has service
 * "submission" and daemon "smtpd"; "postfix" (postfix-script) has daemon
 * "postfix". The daemon is what a line counts as: a submission or
 * smtps smtpd, or one of master.cf's own services ("postfix/10025/smtpd"),
 * is smtpd; the syslog name tells instances apart.
 */
enum pq_ml_daemon {
	PQ_ML_D_OTHER = 0, PQ_ML_D_SMTPD, PQ_ML_D_SMTP, PQ_ML_D_LMTP, PQ_ML_D_LOCAL, PQ_ML_D_VIRTUAL, PQ_ML_D_PIPE,
	PQ_ML_D_ERROR, PQ_ML_D_QMGR, PQ_ML_D_CLEANUP, PQ_ML_D_PICKUP, PQ_ML_D_BOUNCE, PQ_ML_D_MASTER,
	PQ_ML_D_POSTSCREEN, PQ_ML_D_ANVIL, PQ_ML_D_SCACHE, PQ_ML_D_TLSMGR, PQ_ML_D_POSTSUPER,
};

struct pq_ml_prog {
	struct pq_ml_str syslog_name;
	struct pq_ml_str service;
	struct pq_ml_str daemon;
	enum pq_ml_daemon id;	/* the daemon, if one of these */
};

/*
 * pq_ml_split_prog - split frame->prog; false unless the syslog name is
 * "postfix", "postfix-<instance>" or equal to extra_name (may be NULL).
 * pq_ml_split_frame is the same for a frame's prog (parsed PQ_ML_OK), a little
 * faster: it knows that the line goes on after the name.
 */
bool pq_ml_split_prog(const struct pq_ml_str *prog, const char *extra_name, struct pq_ml_prog *p);
bool pq_ml_split_frame(const struct pq_ml_frame *f, const char *extra_name, struct pq_ml_prog *p);

/*
 * Postfix events (pq_ml_classify). Each kind lists the fields it sets;
 * the other fields of struct pq_ml_event_info are left unspecified (not
 * cleared, which would cost more than the classification of most
 * lines), except type, dstatus, milter, loose, qid and tag, which are
 * always set.
 */
enum pq_ml_event {
	PQ_ML_EV_OTHER = 0,	/* none of these (qid set if the text starts "QID: ") */
	PQ_ML_EV_CONNECT,		/* smtpd: connect from host[ip]: client */
	PQ_ML_EV_DISCONNECT,	/* smtpd: disconnect from host[ip] ...: client */
	PQ_ML_EV_CLIENT,		/* smtpd: QID: client=host[ip][, ...]: client (up to the first ',') */
	/*
	 * "QID: reject: STAGE from host[ip]: REASON; from=<F> to=<T> ..."
	 * (smtpd, postscreen with ", " between the last fields; milter
	 * with milter=true) and cleanup's "QID: reject: header|body TEXT
	 * from host[ip]; from=<F> ...: REPLY": reject_stage (RCPT, DATA,
	 * CONNECT, MAIL, header, body, END-OF-MESSAGE...), client (empty
	 * for header/body), reason (REASON; for header/body the TEXT after
	 * the stage), code (the 3-digit SMTP reply of REASON or REPLY, or
	 * empty), dsn (its enhanced status code "5.7.1", or empty), from,
	 * to (empty if not logged), milter. Also the old form without a
	 * queue id ("reject: RCPT from ..."; qid empty).
	 */
	PQ_ML_EV_REJECT,
	PQ_ML_EV_REJECT_WARNING,	/* "reject_warning:" (fields as REJECT) */
	PQ_ML_EV_HOLD,		/* "hold:" (fields as REJECT) */
	PQ_ML_EV_DISCARD,		/* "discard:" (fields as REJECT) */
	PQ_ML_EV_POSTSCREEN,	/* postscreen CONNECT/PASS/DNSBL/... (no fields) */
	PQ_ML_EV_MESSAGE_ID,	/* cleanup: QID: message-id=<...>: reason (the value, brackets included) */
	PQ_ML_EV_CLEANUP_WARNING,	/* cleanup: QID: warning: header|body ... (fields as REJECT) */
	PQ_ML_EV_PICKUP,		/* pickup: QID: uid=N from=<...> (or sender=): from */
	PQ_ML_EV_QMGR_FROM,	/* QID: from=<...>, size=N, nrcpt=N (queue active): from, size, nrcpt */
	PQ_ML_EV_REMOVED,		/* QID: removed */
	/* QID: from=<...>, status=expired|force-expired, returned to sender: from, status, dstatus */
	PQ_ML_EV_EXPIRED,
	/*
	 * QID: to=<...>, [orig_to=<...>, ]relay=..., [conn_use=N, ]delay=D,
	 * [delays=a/b/c/d, ][dsn=X.Y.Z, ]status=WORD[ (TEXT)]: to, orig_to,
	 * relay, conn_use, delay, delays, dsn, status, dstatus, reason
	 * (TEXT without its parentheses, or empty), tail (all after the
	 * status word). Fields that are not logged are empty. loose: the
	 * fields were not in this order (found by name instead).
	 */
	PQ_ML_EV_DELIVERY,
	PQ_ML_EV_BOUNCE_NOTIFY,	/* bounce: QID: sender non-delivery notification: QID2: other_qid */
	PQ_ML_EV_WARNING,		/* warning: TEXT: reason (TEXT) */
	PQ_ML_EV_FATAL,		/* fatal: TEXT: reason */
	PQ_ML_EV_PANIC,		/* panic: TEXT: reason */
	PQ_ML_EV_MASTER,		/* master: ...: reason (the text) */
	PQ_ML_EV_LOST,		/* smtpd: lost connection after STAGE from host[ip]: reject_stage, client */
};

/* A delivery's status= (and qmgr's expiry) as a code. */
enum pq_ml_status {
	PQ_ML_ST_NONE = 0,		/* not a delivery or expiry */
	PQ_ML_ST_SENT,
	PQ_ML_ST_DEFERRED,
	PQ_ML_ST_BOUNCED,
	PQ_ML_ST_EXPIRED,		/* qmgr: expired or force-expired, returned to sender */
	PQ_ML_ST_OTHER,		/* deliverable, undeliverable (address verification), ... */
};

struct pq_ml_event_info {
	enum pq_ml_event type;
	enum pq_ml_status dstatus;
	bool milter;		/* reject kinds: milter-reject */
	bool loose;		/* delivery: fields not in Postfix's order */
	struct pq_ml_str qid;	/* queue id, "NOQUEUE", or empty */
	/*
	 * The letters and digits that start the text if ": " follows them
	 * (a queue id, "NOQUEUE", "warning", anvil's "statistics"...), else
	 * empty.
	 */
	struct pq_ml_str tag;
	struct pq_ml_str client;
	struct pq_ml_str from, to, orig_to, relay, conn_use, delay, delays, dsn, status;
	struct pq_ml_str reason;
	struct pq_ml_str code;	/* reject kinds: "554" */
	struct pq_ml_str tail;	/* delivery: the text after the status word */
	struct pq_ml_str size, nrcpt;
	struct pq_ml_str reject_stage;	/* RCPT, DATA, CONNECT, header, body ... */
	struct pq_ml_str other_qid;	/* bounce notification: the new queue id */
};

/*
 * pq_ml_is_qid - a Postfix queue id: short (6 or more upper-case hex
 * digits) or long (enable_long_queue_ids: base 52 without vowels, a
 * 'z' at index 10 or later).
 */
bool pq_ml_is_qid(const char *p, size_t n);

/* pq_ml_classify - classify a frame (parsed PQ_ML_OK) whose prog split as p. */
void pq_ml_classify(const struct pq_ml_frame *f, const struct pq_ml_prog *p, struct pq_ml_event_info *ev);

/* One line, framed, its program split and its event classified. */
struct pq_ml_line {
	struct pq_ml_frame f;
	bool postfix;		/* framed (PQ_ML_OK) and a Postfix program: p and ev are set */
	struct pq_ml_prog p;
	struct pq_ml_event_info ev;	/* type PQ_ML_EV_OTHER unless postfix */
};

/*
 * pq_ml_read_line - pq_ml_parse_frame_next (through c), then pq_ml_split_frame
 * (extra_name as there) and pq_ml_classify. Returns the framing's result;
 * l->f as pq_ml_parse_frame_next leaves it.
 */
enum pq_ml_bad pq_ml_read_line(struct pq_ml_frame_cache *c, const char *extra_name, const char *line,
    size_t len, struct pq_ml_line *l);

#endif
