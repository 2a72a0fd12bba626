/*
 * journal - the systemd journal as syslog-form lines; see journal.h.
 */
#include "log/journal.h"

#include "log/logread.h"
#include "util/alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>

static const char month_names[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

bool pq_journal_ident_match(const char *ident, size_t n, const char *prefix)
{
	if (prefix == NULL || prefix[0] == 0)
		return true;
	size_t pn = strlen(prefix);
	return ident != NULL && n >= pn && memcmp(ident, prefix, pn) == 0;
}

bool pq_journal_syslog_line(const struct pq_journal_entry *e, struct pq_buf *out)
{
	time_t sec = (time_t)(e->usec / 1000000u);
	struct tm tm;

	pq_buf_reset(out);
	if (localtime_r(&sec, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	pq_buf_printf(out, "%s %2d %02d:%02d:%02d ",
		   month_names[tm.tm_mon >= 0 && tm.tm_mon < 12 ? tm.tm_mon : 0],
		   tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (e->host && e->host_n)
		pq_buf_add(out, e->host, e->host_n);
	else
		pq_buf_adds(out, "localhost");
	pq_buf_addc(out, ' ');
	if (e->ident && e->ident_n)
		pq_buf_add(out, e->ident, e->ident_n);
	else
		pq_buf_adds(out, "unknown");
	if (e->pid && e->pid_n) {
		pq_buf_addc(out, '[');
		pq_buf_add(out, e->pid, e->pid_n);
		pq_buf_addc(out, ']');
	}
	pq_buf_adds(out, ": ");
	size_t n = e->msg ? e->msg_n : 0;
	while (n > 0 && (e->msg[n - 1] == '\n' || e->msg[n - 1] == '\r'))
		n--;
	/* The header fields are short in practice but come from the entry: cut them too. */
	bool cut = false;
	for (size_t i = 0; i < n; i++) {
		if (out->len >= PQ_LOGREAD_MAX_LINE) {
			cut = true;
			break;
		}
		unsigned char c = (unsigned char)e->msg[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			pq_buf_printf(out, "#%03o", c);
		else
			pq_buf_addc(out, c);
	}
	if (out->len > PQ_LOGREAD_MAX_LINE) {
		out->len = PQ_LOGREAD_MAX_LINE;
		out->data[out->len] = 0;
		cut = true;
	}
	return cut;
}

struct pq_journal {
	sd_journal *j;
	char *ident_prefix;
	char *cursor;		/* where it was opened; kept until an entry is read */
	bool check_cursor;	/* the next entry may be the cursor's own */
	bool read_one;		/* positioned on an entry: get_cursor works */
	int last_err;		/* errno last warned about, 0 after a success */
	struct pq_buf line;
};

/* The value of field in the current entry, without "FIELD=". */
static bool field(sd_journal *j, const char *name, const char **p, size_t *n)
{
	const void *d;
	size_t l, k = strlen(name);

	if (sd_journal_get_data(j, name, &d, &l) < 0 || l < k + 1)
		return false;
	*p = (const char *)d + k + 1;
	*n = l - k - 1;
	return true;
}

struct pq_journal *pq_journal_open(const struct pq_journal_opts *o, struct pq_err *err)
{
	sd_journal *sj = NULL;
	int r;

	if (o->dir)
		r = sd_journal_open_directory(&sj, o->dir, 0);
	else if (o->name_space)
		r = sd_journal_open_namespace(&sj, o->name_space, SD_JOURNAL_LOCAL_ONLY);
	else
		r = sd_journal_open(&sj, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0) {
		pq_err_set(err, PQ_EX_UNAVAILABLE, "cannot open the journal%s%s: %s",
			   o->dir ? " in " : "", o->dir ? o->dir : "", strerror(-r));
		return NULL;
	}
	/* Read a message up to the line cap whole, so that a longer one is seen as such. */
	(void)sd_journal_set_data_threshold(sj, PQ_LOGREAD_MAX_LINE + 64);
	if (o->unit && o->unit[0]) {
		struct pq_buf m = PQ_BUF_INIT;
		pq_buf_printf(&m, "_SYSTEMD_UNIT=%s%s", o->unit,
			   strchr(o->unit, '.') ? "" : ".service");
		r = sd_journal_add_match(sj, m.data, m.len);
		pq_buf_free(&m);
		if (r < 0) {
			pq_err_set(err, PQ_EX_USAGE, "journal: bad unit %s: %s", o->unit, strerror(-r));
			sd_journal_close(sj);
			return NULL;
		}
	}
	struct pq_journal *j = pq_xcalloc(1, sizeof(*j));
	j->j = sj;
	j->ident_prefix = o->ident_prefix ? pq_xstrdup(o->ident_prefix) : NULL;
	if (o->cursor) {
		r = sd_journal_seek_cursor(sj, o->cursor);
		if (r < 0) {
			pq_warn("journal: saved cursor refused (%s); starting at the end", strerror(-r));
		} else {
			j->cursor = pq_xstrdup(o->cursor);
			j->check_cursor = true;
			return j;
		}
	}
	if (o->from_start && !o->cursor) {
		r = sd_journal_seek_head(sj);
	} else {
		/* Only entries after the newest one now; previous() steps onto it. */
		r = sd_journal_seek_tail(sj);
		if (r >= 0 && sd_journal_previous(sj) > 0)
			j->read_one = true;
	}
	if (r < 0) {
		pq_err_set(err, PQ_EX_UNAVAILABLE, "journal: cannot seek: %s", strerror(-r));
		pq_journal_close(j);
		return NULL;
	}
	return j;
}

static void read_failed(struct pq_journal *j, const char *what, int r)
{
	if (j->last_err != -r)
		pq_warn("journal: %s: %s", what, strerror(-r));
	j->last_err = -r;
}

int pq_journal_next(struct pq_journal *j, const char **line, size_t *len)
{
	for (int rounds = 0;;) {
		int r = sd_journal_next(j->j);
		if (r < 0) {
			read_failed(j, "cannot read", r);
			return 0;
		}
		if (r == 0) {
			/*
			 * process() takes the pending inotify events (so the fd
			 * is quiet again) and opens journal files that appeared;
			 * entries added meanwhile are only seen by a new next().
			 */
			r = sd_journal_process(j->j);
			if (r < 0)
				read_failed(j, "cannot follow", r);
			if (r <= 0 || r == SD_JOURNAL_NOP || ++rounds > 2)
				return 0;
			continue;
		}
		j->last_err = 0;
		j->read_one = true;
		if (j->check_cursor) {
			j->check_cursor = false;
			if (sd_journal_test_cursor(j->j, j->cursor) > 0)
				continue;	/* handed out before the stop */
			pq_warn("journal: the saved cursor's entry is gone (journal vacuumed or rotated?); "
				"going on from the next entry: lines may be missing");
		}
		struct pq_journal_entry e = { 0 };
		if (!field(j->j, "SYSLOG_IDENTIFIER", &e.ident, &e.ident_n))
			(void)field(j->j, "_COMM", &e.ident, &e.ident_n);
		if (!pq_journal_ident_match(e.ident, e.ident_n, j->ident_prefix))
			continue;
		const char *ts;
		size_t tsn;
		unsigned long long us = 0;
		if (field(j->j, "_SOURCE_REALTIME_TIMESTAMP", &ts, &tsn) && tsn > 0 && tsn < 21) {
			for (size_t i = 0; i < tsn && ts[i] >= '0' && ts[i] <= '9'; i++)
				us = us * 10 + (unsigned)(ts[i] - '0');
		}
		if (us == 0) {
			uint64_t rt = 0;
			(void)sd_journal_get_realtime_usec(j->j, &rt);
			us = rt;
		}
		e.usec = us;
		(void)field(j->j, "_HOSTNAME", &e.host, &e.host_n);
		if (!field(j->j, "_PID", &e.pid, &e.pid_n))
			(void)field(j->j, "SYSLOG_PID", &e.pid, &e.pid_n);
		if (!field(j->j, "MESSAGE", &e.msg, &e.msg_n)) {
			e.msg = "";
			e.msg_n = 0;
		}
		if (pq_journal_syslog_line(&e, &j->line)) {
			char *c = NULL;
			(void)sd_journal_get_cursor(j->j, &c);
			pq_warn("journal: entry %s: longer than %u bytes; the rest of it is skipped",
				c ? c : "?", PQ_LOGREAD_MAX_LINE);
			free(c);
		}
		*line = j->line.data;
		*len = j->line.len;
		return 1;
	}
}

int pq_journal_fd(struct pq_journal *j)
{
	int fd = sd_journal_get_fd(j->j);
	return fd < 0 ? -1 : fd;
}

int pq_journal_timeout_ms(struct pq_journal *j)
{
	uint64_t t = (uint64_t)-1;
	struct timespec now;

	/* Never sleep past a second: the follower's bound for noticing anything. */
	if (sd_journal_get_timeout(j->j, &t) < 0 || t == (uint64_t)-1)
		return 1000;
	clock_gettime(CLOCK_MONOTONIC, &now);
	uint64_t n = (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
	if (t <= n)
		return 0;
	uint64_t ms = (t - n + 999) / 1000;
	return ms > 1000 ? 1000 : (int)ms;
}

char *pq_journal_cursor(struct pq_journal *j)
{
	char *c = NULL;

	if (j->read_one && sd_journal_get_cursor(j->j, &c) >= 0 && c) {
		char *r = pq_xstrdup(c);
		free(c);
		return r;
	}
	return j->cursor ? pq_xstrdup(j->cursor) : NULL;
}

void pq_journal_close(struct pq_journal *j)
{
	if (j == NULL)
		return;
	sd_journal_close(j->j);
	free(j->ident_prefix);
	free(j->cursor);
	pq_buf_free(&j->line);
	free(j);
}
