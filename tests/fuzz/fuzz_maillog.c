/*
 * fuzz_maillog - libFuzzer target: any byte string as a log line must
 * go through the framing parser, the program-name split and the event
 * classifier without crashing or reading out of bounds. The input is
 * copied to an exact-size heap buffer so ASan sees any overread. The
 * input split at its first newline is also two lines for the frame
 * cache: the second line's pq_ml_parse_frame_next must equal its
 * pq_ml_parse_frame. pq_ml_split_frame must split as pq_ml_split_prog does, and
 * the one-call pq_ml_read_line must classify as the steps one by one.
 */
#include "log/maillog.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1);
	struct pq_ml_frame f;
	struct pq_ml_prog p;
	struct pq_ml_event_info ev;

	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	if (pq_ml_parse_frame(line, size, &f) == PQ_ML_OK) {
		struct pq_ml_prog q;
		bool a = pq_ml_split_prog(&f.prog, "mta", &p), b = pq_ml_split_frame(&f, "mta", &q);
		if (a != b || (a && (p.syslog_name.n != q.syslog_name.n || p.service.n != q.service.n ||
		    p.daemon.p != q.daemon.p || p.daemon.n != q.daemon.n || p.id != q.id)))
			abort();
		if (a) {
			pq_ml_classify(&f, &p, &ev);
			struct pq_ml_frame_cache c;
			struct pq_ml_line l;
			memset(&c, 0, sizeof(c));
			pq_ml_read_line(&c, "mta", line, size, &l);
			if (!l.postfix || l.ev.type != ev.type || l.ev.qid.p != ev.qid.p || l.ev.qid.n != ev.qid.n ||
			    l.ev.tag.n != ev.tag.n || l.ev.dstatus != ev.dstatus)
				abort();
		}
	}

	const char *nl = memchr(line, '\n', size);
	if (nl) {
		struct pq_ml_frame_cache c;
		struct pq_ml_frame a, b;
		const char *l2 = nl + 1;
		size_t n2 = size - (size_t)(l2 - line);
		memset(&c, 0, sizeof(c));
		pq_ml_parse_frame_next(&c, line, (size_t)(nl - line), &a);
		enum pq_ml_bad ra = pq_ml_parse_frame(l2, n2, &a);
		enum pq_ml_bad rb = pq_ml_parse_frame_next(&c, l2, n2, &b);
		bool same = ra == rb && a.stamp == b.stamp && a.year == b.year && a.mon == b.mon &&
		    a.mday == b.mday && a.hour == b.hour && a.min == b.min && a.sec == b.sec &&
		    a.usec == b.usec && a.has_tz == b.has_tz && a.tz_min == b.tz_min &&
		    a.host.p == b.host.p && a.host.n == b.host.n && a.rest.p == b.rest.p &&
		    a.rest.n == b.rest.n && a.prog.p == b.prog.p && a.prog.n == b.prog.n &&
		    a.pid == b.pid && a.text.p == b.text.p && a.text.n == b.text.n;
		if (!same)
			abort();
	}
	free(line);
	return 0;
}
