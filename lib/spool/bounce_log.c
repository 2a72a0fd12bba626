/*
 * bounce_log - read per-message defer/bounce/trace logs; see
 * bounce_log.h.
 */
#include "spool/bounce_log.h"

#include "util/diag.h"
#include "util/quote.h"
#include "util/regfile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void log_init(struct pq_bounce_log *log, struct pq_spool *sp,
		     const char *queue, const char *id)
{
	memset(log, 0, sizeof(*log));
	pq_spool_path(sp, queue, id, &log->path);
	log->utf8 = sp->utf8;
	log->defer = strcmp(queue, "defer") == 0;
}

bool pq_bounce_log_open(struct pq_bounce_log *log, struct pq_spool *sp,
			const char *queue, const char *id)
{
	struct stat st;

	log_init(log, sp, queue, id);
	int fd = pq_spool_openat(sp, log->path.data, &st);
	if (fd < 0) {
		int saved = errno;
		if (saved != ENOENT)
			pq_warn("open %s: %s", log->path.data,
				pq_regfile_strerror(saved));
		pq_bounce_log_close(log);
		errno = saved;
		return false;
	}
	if (pq_regfile_read(fd, &log->text, PQ_BOUNCE_LOG_MAX, &log->cut) < 0) {
		int saved = errno;
		pq_warn("read %s: %s", log->path.data, strerror(saved));
		close(fd);
		pq_bounce_log_close(log);
		errno = saved;
		return false;
	}
	close(fd);
	if (log->cut)
		pq_warn("%s: longer than %u bytes: the rest of it is ignored",
			log->path.data, PQ_BOUNCE_LOG_MAX);
	return true;
}

void pq_bounce_log_use(struct pq_bounce_log *log, struct pq_spool *sp,
		       const char *queue, const char *id,
		       const unsigned char *text, size_t len)
{
	log_init(log, sp, queue, id);
	pq_buf_add(&log->text, text, len);
}

void pq_bounce_log_close(struct pq_bounce_log *log)
{
	pq_buf_free(&log->text);
	pq_buf_free(&log->path);
	memset(log, 0, sizeof(*log));
}

/* The next line (newline removed, in place), or NULL at the end. */
static char *next_line(struct pq_bounce_log *log)
{
	if (log->pos >= log->text.len)
		return NULL;
	char *line = log->text.data + log->pos;
	char *nl = memchr(line, '\n', log->text.len - log->pos);
	if (nl) {
		*nl = 0;
		log->pos = (size_t)(nl - log->text.data) + 1;
	} else {
		log->pos = log->text.len;
	}
	return line;
}

void pq_bounce_entry_free(struct pq_bounce_entry *e)
{
	pq_buf_free(&e->address);
	pq_buf_free(&e->orig_addr);
	pq_buf_free(&e->status);
	pq_buf_free(&e->action);
	pq_buf_free(&e->reason);
}

static void entry_reset(struct pq_bounce_entry *e)
{
	pq_buf_reset(&e->address);
	pq_buf_reset(&e->orig_addr);
	pq_buf_reset(&e->status);
	pq_buf_reset(&e->action);
	pq_buf_reset(&e->reason);
	e->offset = 0;
}

/* split_nameval(): "name = value" with white space trimmed. */
static bool split_nameval(char *s, char **name, char **value)
{
	char *np, *ep, *cp;

	for (np = s; *np && isspace((unsigned char)*np); np++)
		;
	if (*np == 0 || *np == '=')
		return false;
	for (ep = np; *ep && !isspace((unsigned char)*ep) && *ep != '='; ep++)
		;
	for (cp = ep; *cp && isspace((unsigned char)*cp); cp++)
		;
	if (*cp != '=')
		return false;
	*ep = 0;
	for (cp++; *cp && isspace((unsigned char)*cp); cp++)
		;
	char *end = cp + strlen(cp);
	while (end > cp && isspace((unsigned char)end[-1]))
		*--end = 0;
	*name = np;
	*value = cp;
	return true;
}

static void take_attribute(struct pq_bounce_log *log,
			   struct pq_bounce_entry *e, char *line)
{
	char *name, *value;

	if (!split_nameval(line, &name, &value)) {
		pq_warn("%s: malformed record: %.30s...", log->path.data, line);
		return;
	}
	if (strcmp(name, "recipient") == 0)
		pq_buf_set(&e->address, *value ? value : "(MAILER-DAEMON)");
	else if (strcmp(name, "original_recipient") == 0)
		pq_buf_set(&e->orig_addr, *value ? value : "(MAILER-DAEMON)");
	else if (strcmp(name, "offset") == 0) {
		if (atol(value) > 0)
			e->offset = atol(value);
	} else if (strcmp(name, "status") == 0)
		pq_buf_set(&e->status, value);
	else if (strcmp(name, "action") == 0)
		pq_buf_set(&e->action, value);
	else if (strcmp(name, "reason") == 0)
		pq_buf_set(&e->reason, value);
	/* dsn_orig_rcpt, notify_flags, diag_*, mta_*: not used by postq. */
}

bool pq_bounce_log_read(struct pq_bounce_log *log,
			struct pq_bounce_entry *e)
{
	bool found = false;

	entry_reset(e);
	for (;;) {
		char *cp = next_line(log);
		if (cp == NULL)
			return false;
		if (*cp == 0) {
			if (found)
				break;
			continue;
		}
		pq_printable(cp, '?', log->utf8);
		found = true;
		if (isalnum((unsigned char)*cp)) {
			take_attribute(log, e, cp);
			continue;
		}
		/* Old style: "<recipient>: text". */
		char *sep;
		if (*cp != '<' || (sep = strstr(cp + 1, ">: ")) == NULL) {
			pq_warn("%s: malformed record: %.30s...",
				log->path.data, cp);
			continue;
		}
		*sep = 0;
		pq_buf_set(&e->address, cp[1] ? cp + 1 : "(MAILER-DAEMON)");
		char *text = sep + 2;
		while (*text && isspace((unsigned char)*text))
			text++;
		pq_buf_set(&e->reason, text);
	}
	if (e->address.len == 0)
		pq_buf_set(&e->address, "(recipient address unavailable)");
	if (e->status.len == 0)
		pq_buf_set(&e->status, log->defer ? "4.0.0" : "5.0.0");
	if (e->action.len == 0)
		pq_buf_set(&e->action, log->defer ? "delayed" : "failed");
	if (e->reason.len == 0)
		pq_buf_set(&e->reason, "(description unavailable)");
	return true;
}
