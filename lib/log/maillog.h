/*
 * maillog - the shared mail-log line parser: syslog framing, Postfix
 * program names and Postfix event classification.
 *
 * Every postq log consumer (pflogsumm, exporters, the dashboard) reads
 * lines through this module so they agree on what a line means. It is
 * a hand-written scanner: one pass over the line, no regular
 * expressions, no allocation; every field is a (pointer, length) view
 * into the caller's line. Garbage, truncated or binary lines are
 * rejected with a reason, never read past their length.
 *
 * Framing accepted (ml_parse_frame):
 *   RFC 3164   "Mmm dd HH:MM:SS host prog[pid]: text"  (dd may be " 5" or "05")
 *   RFC 3164 with a fraction "Mmm dd HH:MM:SS.ffffff host ..." (high-precision traditional)
 *   RFC 3339   "YYYY-MM-DDTHH:MM:SS[.f](Z|+HH:MM) host ..."  (rsyslog default on Debian 12)
 *   ISO nocolon "YYYY-MM-DDTHH:MM:SS[.f]+HHMM host ..."  (journalctl -o short-iso)
 * Postfix's own maillog_file (postlogd, Postfix 3.7) writes RFC 3164 stamps.
 * Program names: "postfix/smtpd", "postfix/submission/smtpd",
 * "postfix-slow/smtp", "postfix-<instance>/...", with or without [pid].
 */
#ifndef POSTQ_MAILLOG_H
#define POSTQ_MAILLOG_H

#include <stdbool.h>
#include <stddef.h>

/* A view of bytes inside a line. */
struct ml_str {
	const char *p;
	size_t n;
};

enum ml_stamp {
	ML_STAMP_NONE = 0,
	ML_STAMP_RFC3164,	/* no year */
	ML_STAMP_RFC3164_FRAC,	/* RFC 3164 plus .fraction */
	ML_STAMP_RFC3339,	/* offset with colon, or Z */
	ML_STAMP_ISO_NOCOLON,	/* offset +HHMM */
};

enum ml_bad {
	ML_OK = 0,
	ML_BAD_STAMP,		/* no recognised timestamp */
	ML_BAD_HOST,		/* no host field */
	ML_BAD_PROG,		/* no "prog: " part */
};

struct ml_frame {
	enum ml_stamp stamp;
	int year;		/* -1 when the stamp has none (RFC 3164) */
	int mon;		/* 0..11; -1 if the month name is unknown */
	int mday, hour, min, sec;
	long usec;		/* fraction in microseconds, 0 if none */
	bool has_tz;
	int tz_min;		/* offset east of UTC in minutes */
	struct ml_str host;
	struct ml_str rest;	/* from the program name to the end of line */
	struct ml_str prog;	/* "postfix/smtpd" (without [pid]) */
	long pid;		/* -1 if none */
	struct ml_str text;	/* after "prog[pid]: " */
};

/* ml_month - 0..11 for "Jan".."Dec" (exact case), else -1. */
int ml_month(const char *p);

/*
 * ml_parse_frame - split a line (no newline) into its syslog parts.
 * Returns ML_OK or why the line is not a syslog line. stamp, the time
 * fields, host and rest are set whenever the stamp was recognised; prog,
 * pid and text only with ML_OK.
 */
enum ml_bad ml_parse_frame(const char *line, size_t len, struct ml_frame *f);

/*
 * Consecutive log lines nearly always start with the same "stamp host "
 * bytes (one stamp per second, one host per file). ml_parse_frame_next
 * remembers the last such prefix and, when the next line starts with
 * it, takes the stamp and host from the previous result and parses
 * only the program name and text. The result is exactly ml_parse_frame's
 * (the stamp and host fields depend on nothing past that prefix). Zero
 * a cache before first use; one cache per thread of lines.
 */
struct ml_frame_cache {
	size_t n;		/* prefix length, 0: nothing cached */
	size_t host_off;
	struct ml_frame f;	/* stamp fields of the cached line */
	char prefix[80];	/* longer prefixes are simply not cached */
};

/* ml_parse_frame_next - ml_parse_frame, using and updating c. */
enum ml_bad ml_parse_frame_next(struct ml_frame_cache *c, const char *line, size_t len,
    struct ml_frame *f);

/*
 * Program names. "postfix-slow/smtp" has syslog_name "postfix-slow",
 * service "" and daemon "smtp"; "postfix/submission/smtpd" has service
 * "submission" and daemon "smtpd"; "postfix" (postfix-script) has daemon
 * "postfix".
 */
struct ml_prog {
	struct ml_str syslog_name;
	struct ml_str service;
	struct ml_str daemon;
};

/*
 * ml_split_prog - split frame->prog; false unless the syslog name is
 * "postfix", "postfix-<instance>" or equal to extra_name (may be NULL).
 */
bool ml_split_prog(const struct ml_str *prog, const char *extra_name, struct ml_prog *p);

/* Postfix events (ml_classify). */
enum ml_event {
	ML_EV_OTHER = 0,
	ML_EV_CONNECT,		/* smtpd: connect from host[ip] */
	ML_EV_DISCONNECT,	/* smtpd: disconnect from host[ip] ... */
	ML_EV_CLIENT,		/* smtpd: QID: client=host[ip] */
	ML_EV_REJECT,		/* QID|NOQUEUE: reject: ... (smtpd, postscreen, cleanup) */
	ML_EV_REJECT_WARNING,
	ML_EV_HOLD,
	ML_EV_DISCARD,
	ML_EV_POSTSCREEN,	/* postscreen CONNECT/PASS/DNSBL/... */
	ML_EV_MESSAGE_ID,	/* cleanup: QID: message-id=<...> */
	ML_EV_CLEANUP_WARNING,	/* cleanup: QID: warning: header|body ... */
	ML_EV_PICKUP,		/* pickup: QID: uid=N from=<...> */
	ML_EV_QMGR_FROM,	/* qmgr: QID: from=<...>, size=N, nrcpt=N */
	ML_EV_REMOVED,		/* QID: removed */
	ML_EV_EXPIRED,		/* QID: from=<...>, status=expired, returned to sender */
	ML_EV_DELIVERY,		/* QID: to=<...>, relay=..., delay=..., status=... */
	ML_EV_BOUNCE_NOTIFY,	/* bounce: QID: sender non-delivery notification: QID2 */
	ML_EV_WARNING,		/* warning: ... */
	ML_EV_FATAL,
	ML_EV_PANIC,
	ML_EV_MASTER,		/* master: daemon started/reload/... */
};

struct ml_event_info {
	enum ml_event type;
	struct ml_str qid;	/* queue id, "NOQUEUE", or empty */
	struct ml_str client;	/* client= / connect from / reject from host[ip] */
	struct ml_str from, to, orig_to, relay, delay, delays, dsn, status;
	struct ml_str reason;	/* (text) after status=, reject reason, warning text */
	struct ml_str size, nrcpt;
	struct ml_str reject_stage;	/* RCPT, DATA, CONNECT, header, body ... */
	struct ml_str other_qid;	/* bounce notification: the new queue id */
};

/* ml_is_qid - a Postfix queue id: short (hex, 6+) or long (base-52ish, 10+) form. */
bool ml_is_qid(const char *p, size_t n);

/* ml_classify - classify a frame whose prog split as p. */
void ml_classify(const struct ml_frame *f, const struct ml_prog *p, struct ml_event_info *ev);

#endif
