/*
 * follow_count - follow a log with lib/log/follow.h and count (or print)
 * its lines, for tests/t_follow.sh.
 *
 *   follow_count [-p] [-b] [-x] [-s STATE] [-S SECS] [-P POLL_MS] PATH
 *   follow_count -j [-u UNIT] [-i IDENT_PREFIX] [-D DIR] [-N NAMESPACE] ...
 *
 *   -p   print every line (with a newline) to standard output; without
 *        it, only the count is printed at the end
 *   -b   without a state, start at the beginning (default: the end)
 *   -x   stop once caught up (the first time nothing more is there)
 *   -s   the state file; saved at the stop (and every SECS with -S)
 *   -P   the poll interval in milliseconds
 *   -j   follow the systemd journal instead of PATH (-u, -i, -D, -N
 *        select entries, as in struct pq_follow_opts)
 *
 * It runs an event loop of its own on pq_follow_fd/pq_follow_timeout_ms
 * (ppoll, with SIGTERM, SIGINT and SIGHUP blocked outside it) until one
 * of those signals, -x, or the end of a stream; then it flushes what it
 * printed, saves the state, and prints "follow_count: N lines" on stderr.
 * Exit status 0, or 1 if printing or saving failed.
 */
#include "log/follow.h"
#include "common/die.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	pq_fatal(PQ_EX_USAGE, "usage: follow_count [-p] [-b] [-x] [-s STATE] [-S SECS] [-P MS] "
		 "PATH | -j [-u UNIT] [-i IDENT] [-D DIR] [-N NAMESPACE]");
}

int main(int argc, char **argv)
{
	struct pq_follow_opts o = { 0 };
	bool print = false, exit_caught_up = false;
	long save_every = 0;
	int c;

	pq_tool_init(argv[0]);
	while ((c = getopt(argc, argv, "pbxs:S:P:ju:i:D:N:")) != -1) {
		switch (c) {
		case 'p': print = true; break;
		case 'b': o.start = PQ_FOLLOW_START_BEGIN; break;
		case 'x': exit_caught_up = true; break;
		case 's': o.state_path = optarg; break;
		case 'S': save_every = atol(optarg); break;
		case 'P': o.poll_ms = atoi(optarg); break;
		case 'j': o.source = PQ_FOLLOW_JOURNAL; break;
		case 'u': o.journal_unit = optarg; break;
		case 'i': o.journal_ident = optarg; break;
		case 'D': o.journal_dir = optarg; break;
		case 'N': o.journal_namespace = optarg; break;
		default: usage();
		}
	}
	if (o.source == PQ_FOLLOW_FILE) {
		if (optind != argc - 1)
			usage();
		o.path = argv[optind];
	} else if (optind != argc) {
		usage();
	}

	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	struct pq_err err = { 0 };
	struct pq_follow *f = pq_follow_open(&o, &err);
	if (f == NULL)
		pq_fatal(err.status, "%s", err.text);

	unsigned long long lines = 0;
	int status = 0;
	time_t last_save = time(NULL);
	while (!stop) {
		const char *line;
		size_t len;
		enum pq_follow_status s = pq_follow_next(f, &line, &len);
		if (s == PQ_FOLLOW_LINE) {
			lines++;
			if (print && (fwrite(line, 1, len, stdout) != len || putchar('\n') == EOF)) {
				pq_error("cannot write: %s", strerror(errno));
				status = 1;
				break;
			}
			continue;
		}
		if (s == PQ_FOLLOW_END || exit_caught_up)
			break;
		if (save_every > 0 && time(NULL) - last_save >= save_every) {
			if (fflush(stdout) != 0 || !pq_follow_save(f, &err)) {
				pq_error("%s", err.text[0] ? err.text : "cannot write standard output");
				status = 1;
			}
			last_save = time(NULL);
		}
		/* Flush before sleeping: a reader of our output sees lines as they come. */
		fflush(stdout);
		int fd = pq_follow_fd(f), t = pq_follow_timeout_ms(f);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct timespec ts = { t / 1000, (long)(t % 1000) * 1000000L };
		(void)ppoll(fd >= 0 ? &p : NULL, fd >= 0 ? 1 : 0, t >= 0 ? &ts : NULL, &old);
	}
	/* The lines must be out before the state says they were handed out. */
	if (fflush(stdout) != 0) {
		pq_error("cannot write standard output: %s", strerror(errno));
		status = 1;
	} else if (!pq_follow_save(f, &err)) {
		pq_error("%s", err.text);
		status = 1;
	}
	pq_follow_close(f);
	fprintf(stderr, "follow_count: %llu lines\n", lines);
	return status;
}
