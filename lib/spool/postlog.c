/*
 * postlog - Postfix-style mail log records; see postlog.h.
 */
#include "spool/postlog.h"

#include "util/buf.h"
#include "util/alloc.h"
#include "util/diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* Postfix truncates the text of one record to this many bytes. */
#define POSTLOG_RECLEN 2000

static struct {
	bool enabled;
	bool use_syslog;
	char *ident;		/* syslog_name/command */
	char *host;		/* first label of myhostname */
	char *file;		/* maillog_file */
	char *socket_path;	/* public/postlog */
	int sock;		/* connected datagram socket, or -1 */
	bool tried_socket;
	pid_t pid;
} lg = { .sock = -1 };

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		pq_oom(0);
	return p;
}

static const struct {
	const char *name;
	int code;
} facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

/* The first failure, kept for pq_postlog_error. */
static char failure[1024];

static bool fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool fail(const char *fmt, ...)
{
	va_list ap;

	if (failure[0] == 0) {
		va_start(ap, fmt);
		vsnprintf(failure, sizeof(failure), fmt, ap);
		va_end(ap);
	}
	return false;
}

const char *pq_postlog_error(void)
{
	return failure[0] ? failure : NULL;
}

bool pq_postlog_open(struct pq_config *cfg, const char *queue_dir,
		     const char *command, struct pq_err *err)
{
	struct pq_buf b = PQ_BUF_INIT;
	const char *file = pq_config_get(cfg, "maillog_file");

	pq_buf_printf(&b, "%s/%s", pq_config_get(cfg, "syslog_name"), command);
	lg.ident = xstrdup(pq_buf_str(&b));
	pq_buf_free(&b);
	lg.enabled = true;
	lg.pid = getpid();
	if (*file == 0) {
		int facility = LOG_MAIL;
		const char *want = pq_config_get(cfg, "syslog_facility");
		for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
			if (strcasecmp(want, facilities[i].name) == 0)
				facility = facilities[i].code;
		lg.use_syslog = true;
		openlog(lg.ident, LOG_PID | LOG_NDELAY, facility);
		return true;
	}
	/* Postfix refuses a maillog_file outside maillog_file_prefixes. */
	char *prefixes = xstrdup(pq_config_get(cfg, "maillog_file_prefixes"));
	bool ok = false;
	for (char *save = NULL, *p = strtok_r(prefixes, ", \t\r\n", &save);
	     p != NULL; p = strtok_r(NULL, ", \t\r\n", &save))
		if (strncmp(file, p, strlen(p)) == 0)
			ok = true;
	free(prefixes);
	if (!ok) {
		pq_err_set(err, 1, "maillog_file value '%s' does not match any prefix in "
			   "maillog_file_prefixes", file);
		lg.enabled = false;
		return false;
	}
	lg.file = xstrdup(file);
	const char *host = pq_config_get(cfg, "myhostname");
	lg.host = pq_xstrndup(host, strcspn(host, "."));
	struct pq_buf sp = PQ_BUF_INIT;
	pq_buf_printf(&sp, "%s/public/%s", queue_dir,
		   pq_config_get(cfg, "postlog_service_name"));
	lg.socket_path = xstrdup(pq_buf_str(&sp));
	pq_buf_free(&sp);
	return true;
}

/* Connect once, as Postfix does; -1 means "write the file ourselves". */
static int postlog_socket(void)
{
	if (lg.tried_socket)
		return lg.sock;
	lg.tried_socket = true;
	struct sockaddr_un sun;
	if (strlen(lg.socket_path) >= sizeof(sun.sun_path))
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, lg.socket_path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	lg.sock = fd;
	return fd;
}

/*
 * The fallback when postlogd is not running: append the line to
 * maillog_file, opened as Postfix's safe_open() would (no symlinks but
 * root's, no hard-linked files). Postfix opens and closes the file for
 * every record; we keep it open (O_APPEND: each record is one write),
 * which makes a thousand records a thousand writes, not three thousand
 * system calls.
 */
static int log_fd = -1;

static bool open_log_file(void)
{
	/* Like Postfix's safe_open(): a symlink is trusted only if root's. */
	struct stat st;
	int nofollow = O_NOFOLLOW;
	if (lstat(lg.file, &st) == 0 && S_ISLNK(st.st_mode) && st.st_uid == 0)
		nofollow = 0;
	int fd = open(lg.file, O_WRONLY | O_APPEND | O_CREAT | nofollow | O_CLOEXEC,
		      0644);

	if (fd < 0)
		return fail("open logfile '%s': cannot open file: %s", lg.file,
			    strerror(errno));
	if (fstat(fd, &st) < 0 || (S_ISREG(st.st_mode) && st.st_nlink != 1)) {
		close(fd);
		return fail("open logfile '%s': file has %ld hard links", lg.file,
			    (long)st.st_nlink);
	}
	log_fd = fd;
	return true;
}

static bool append_file(const char *line, size_t len)
{
	if (log_fd < 0 && !open_log_file())
		return false;
	struct pq_buf b = PQ_BUF_INIT;
	pq_buf_add(&b, line, len);
	pq_buf_addc(&b, '\n');
	ssize_t n = write(log_fd, b.data, b.len);
	int saved = errno;
	pq_buf_free(&b);
	if (n < 0 || (size_t)n != len + 1)
		return fail("logfile '%s' write error: %s", lg.file,
			    strerror(n < 0 ? saved : EIO));
	return true;
}

bool pq_postlog(const char *level, const char *fmt, ...)
{
	if (!lg.enabled)
		return true;
	struct pq_buf text = PQ_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pq_buf_vprintf(&text, fmt, ap);
	va_end(ap);
	if (lg.use_syslog) {
		int prio = level == NULL ? LOG_INFO
			: strcmp(level, "warning") == 0 ? LOG_WARNING
			: strcmp(level, "error") == 0 ? LOG_ERR : LOG_CRIT;
		if (level)
			syslog(prio, "%s: %.*s", level, POSTLOG_RECLEN, pq_buf_str(&text));
		else
			syslog(prio, "%.*s", POSTLOG_RECLEN, pq_buf_str(&text));
		pq_buf_free(&text);
		return true;
	}
	char stamp[64];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	if (strftime(stamp, sizeof(stamp), "%b %d %H:%M:%S ", &tm) == 0)
		stamp[0] = 0;
	struct pq_buf line = PQ_BUF_INIT;
	pq_buf_printf(&line, "%s%s %s[%ld]: ", stamp, lg.host, lg.ident, (long)lg.pid);
	if (level)
		pq_buf_printf(&line, "%s: ", level);
	pq_buf_printf(&line, "%.*s", POSTLOG_RECLEN, pq_buf_str(&text));
	int fd = postlog_socket();
	bool ok = true;
	if (fd < 0 || send(fd, line.data, line.len, 0) < 0)
		ok = append_file(line.data, line.len);
	pq_buf_free(&line);
	pq_buf_free(&text);
	return ok;
}

void pq_postlog_close(void)
{
	if (lg.sock >= 0)
		close(lg.sock);
	if (log_fd >= 0 && close(log_fd) < 0)
		pq_warn("logfile '%s' write error: %s", lg.file, strerror(errno));
	log_fd = -1;
	if (lg.use_syslog)
		closelog();
	free(lg.ident);
	free(lg.host);
	free(lg.file);
	free(lg.socket_path);
	memset(&lg, 0, sizeof(lg));
	lg.sock = -1;
	failure[0] = 0;
}
