/*
 * test_snapshot - the queue snapshot on the committed fixture spools
 * (made by a real Postfix 3.7) against the postqueue -j recorded from
 * them: per queue messages, bytes, recipients, oldest message and the
 * histograms, per domain and per reason class the recipients; the
 * corrupt queue against the files put there; then bucket edges, ages
 * in the future, messages without a time record, and the key cap (top
 * keys kept, the rest in "other", totals exact, the table bounded).
 *
 *	test_snapshot				the unit tests
 *	test_snapshot dump CONFIG_DIR NOW [SHOWQ_PATH]
 *		print the snapshot of that instance's spool (through showq
 *		when a path is given), one "name value..." line per figure,
 *		for tests/t_snapshot_live.sh
 */
#include "util/buf.h"
#include "spool/config.h"
#include "spool/snapshot.h"
#include "report/reason_class.h"
#include "unit.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static long age_bucket(long age)
{
	long i = 0;
	while (i < PQ_SNAP_AGE_BOUNDS && age > pq_snap_age_bounds[i])
		i++;
	return i;
}

static long size_bucket(long size)
{
	long i = 0;
	while (i < PQ_SNAP_SIZE_BOUNDS && size > pq_snap_size_bounds[i])
		i++;
	return i;
}

/* What postqueue -j says, reduced the way the snapshot should reduce it. */
struct expect {
	struct pq_snap_qstat q[PQ_SNAP_NQUEUES];
	struct pq_snapshot keys;	/* only its tables, filled by hand */
	long max_arrival;
};

static void expect_key(struct pq_snap_table *t, const char *key, int qi, long arrival)
{
	size_t len = strlen(key);
	if (len > PQ_SNAP_KEY_MAX)
		len = PQ_SNAP_KEY_MAX;
	struct pq_snap_counts *c = pq_strmap_get(&t->map, key, len);
	if (c == NULL) {
		c = pq_strmap_put(&t->map, key, len, NULL);
		for (int i = 0; i < PQ_SNAP_NQUEUES; i++)
			c->oldest[i] = PQ_SNAP_NONE;
	}
	c->total++;
	c->rcpts[qi]++;
	if (arrival < c->oldest[qi])
		c->oldest[qi] = arrival;
}

/*
 * One pass to learn the newest arrival, one to count with now fixed.
 * False if the file cannot be read, a line is not a message as
 * postqueue -j writes it, or there is none: an empty oracle would match
 * an empty snapshot.
 */
static bool read_oracle(const char *path, long now, struct expect *e)
{
	FILE *fp = fopen(path, "r");
	char line[1 << 16];
	struct pq_buf cls = PQ_BUF_INIT;
	bool ok = true;
	unsigned long messages = 0;

	if (fp == NULL)
		return false;
	memset(e, 0, sizeof(*e));
	for (int i = 0; i < PQ_SNAP_NQUEUES; i++) {
		e->q[i].oldest_arrival = PQ_SNAP_NONE;
		e->q[i].oldest_age = -1;
	}
	pq_snapshot_init(&e->keys, now, 100000);
	while (fgets(line, sizeof(line), fp)) {
		json_object *o = json_tokener_parse(line), *v, *rc;
		if (o == NULL || !json_object_object_get_ex(o, "queue_name", &v)
		    || !json_object_object_get_ex(o, "recipients", &rc)) {
			printf("#   %s: not a postqueue -j message: %.60s\n", path, line);
			ok = false;
			json_object_put(o);
			continue;
		}
		const char *qn = json_object_get_string(v);
		int qi = qn ? pq_snap_queue_index(qn) : -1;
		if (qi < 0) {
			printf("#   %s: queue \"%s\"\n", path, qn ? qn : "(null)");
			ok = false;
			json_object_put(o);
			continue;
		}
		messages++;
		json_object_object_get_ex(o, "arrival_time", &v);
		long arrival = (long)json_object_get_int64(v);
		json_object_object_get_ex(o, "message_size", &v);
		long size = (long)json_object_get_int64(v);
		json_object_object_get_ex(o, "queue_id", &v);
		const char *id = json_object_get_string(v);
		struct pq_snap_qstat *q = &e->q[qi];
		if (arrival > e->max_arrival)
			e->max_arrival = arrival;
		q->messages++;
		q->bytes += (unsigned long long)size;
		q->recipients += json_object_array_length(rc);
		long age = now > arrival ? now - arrival : 0;
		q->age_hist[age_bucket(age)]++;
		q->age_sum += (unsigned long long)age;
		q->size_hist[size_bucket(size)]++;
		if (arrival < q->oldest_arrival) {
			q->oldest_arrival = arrival;
			q->oldest_age = age;
		}
		for (size_t i = 0; i < json_object_array_length(rc); i++) {
			json_object *r = json_object_array_get_idx(rc, i), *a, *why;
			json_object_object_get_ex(r, "address", &a);
			const char *addr = json_object_get_string(a);
			const char *at = strrchr(addr, '@');
			struct pq_buf dom = PQ_BUF_INIT;
			pq_buf_set(&dom, at ? at + 1 : "");
			for (size_t k = 0; k < dom.len; k++)
				if (dom.data[k] >= 'A' && dom.data[k] <= 'Z')
					dom.data[k] += 'a' - 'A';
			expect_key(&e->keys.domains, pq_buf_str(&dom), qi, arrival);
			pq_buf_free(&dom);
			if (json_object_object_get_ex(r, "delay_reason", &why))
				expect_key(&e->keys.reasons,
					   pq_reason_class(&cls, json_object_get_string(why)),
					   qi, arrival);
		}
		(void)id;
		json_object_put(o);
	}
	fclose(fp);
	pq_buf_free(&cls);
	return ok && messages > 0;
}

/* Every key of want in got with the same counts, and no more keys. */
static bool same_table(const char *what, struct pq_snap_table *want,
		       struct pq_snap_table *got)
{
	bool ok = got->nrows == want->map.tab.used && got->other.total == 0;

	if (!ok)
		printf("#   %s: %zu rows (other %lu), want %zu\n", what, got->nrows,
		       got->other.total, want->map.tab.used);
	for (size_t i = 0; i < got->nrows; i++) {
		const struct pq_snap_row *r = &got->rows[i];
		const struct pq_snap_counts *w = pq_strmap_get(&want->map, r->key, r->len);
		if (w == NULL || memcmp(w, r->c, sizeof(*w)) != 0) {
			printf("#   %s: key \"%s\": %s\n", what, r->key,
			       w ? "counts differ" : "not expected");
			ok = false;
		}
		if (i > 0 && got->rows[i - 1].c->total < r->c->total) {
			printf("#   %s: row %zu out of order\n", what, i);
			ok = false;
		}
	}
	return ok;
}

static bool write_file(const char *path, size_t size)
{
	FILE *fp = fopen(path, "w");
	if (fp == NULL)
		return false;
	for (size_t i = 0; i < size; i++)
		putc('x', fp);
	return fclose(fp) == 0;
}

static void test_fixture(const char *kind)
{
	const char *top = getenv("TOP") ? getenv("TOP") : ".";
	char tmpl[] = "/tmp/test_snapshot.XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct pq_buf cmd = PQ_BUF_INIT, path = PQ_BUF_INIT;
	char name[256];

	if (dir == NULL) {
		CHECK(0, "mkdtemp");
		return;
	}
	pq_buf_printf(&cmd, "mkdir -p %s/etc %s/spool && tar --warning=no-timestamp "
		   "-xzf %s/tests/fixtures/spool-%s.tar.gz -C %s/spool && cp "
		   "%s/tests/fixtures/spool-%s.main.cf %s/etc/main.cf",
		   dir, dir, top, kind, dir, top, kind, dir);
	snprintf(name, sizeof(name), "fixture %s unpacked", kind);
	CHECK(system(cmd.data) == 0, name);
	/* Three damaged files in corrupt, a directory and a symlink besides. */
	pq_buf_printf(&path, "%s/spool/corrupt/", dir);
	size_t base = path.len;
	mkdir(path.data, 0700);
	pq_buf_adds(&path, "ABCDEF1234");
	bool made = write_file(path.data, 10);
	path.len = base;
	pq_buf_adds(&path, "BCDEF12345");
	made = made && write_file(path.data, 2000);
	path.len = base;
	pq_buf_adds(&path, "CDEF123456");
	made = made && write_file(path.data, 0);
	path.len = base;
	pq_buf_adds(&path, "X");
	mkdir(path.data, 0700);
	pq_buf_adds(&path, "/XYZ12345678");
	made = made && write_file(path.data, 7);
	path.len = base;
	pq_buf_adds(&path, "LINK123456");
	made = made && symlink("ABCDEF1234", path.data) == 0;
	CHECK(made, "corrupt files made");

	struct pq_err err;
	pq_buf_reset(&path);
	pq_buf_printf(&path, "%s/etc", dir);
	struct pq_config *cfg = pq_config_load(path.data, false, &err);
	struct pq_spool sp;
	pq_buf_reset(&path);
	pq_buf_printf(&path, "%s/spool", dir);
	if (cfg == NULL || !pq_spool_open(&sp, cfg, path.data, &err)) {
		CHECK(0, "fixture config and spool open");
		return;
	}

	struct expect e;
	pq_buf_reset(&path);
	pq_buf_printf(&path, "%s/tests/fixtures/spool-%s.postqueue-j", top, kind);
	CHECK(read_oracle(path.data, 0, &e), "recorded postqueue -j read");
	/* Ages spread over the buckets: now is a day after the newest. */
	long now = e.max_arrival + 86400 + 1800;
	pq_snapshot_free(&e.keys);
	CHECK(read_oracle(path.data, now, &e), "recorded postqueue -j read again, now fixed");

	struct pq_snapshot s;
	pq_snapshot_init(&s, now, 100000);
	snprintf(name, sizeof(name), "fixture %s: snapshot from the spool", kind);
	CHECK(pq_snapshot_from_spool(&s, &sp, &err), name);
	unsigned long total = 0;
	for (int i = 0; i < PQ_SNAP_CORRUPT; i++) {
		const struct pq_snap_qstat *g = &s.q[i], *w = &e.q[i];
		const char *qn = pq_snap_queue_names[i];
		total += g->messages;
		snprintf(name, sizeof(name), "fixture %s %s: %lu messages, %llu bytes, "
			 "%lu recipients as postqueue -j", kind, qn, w->messages, w->bytes,
			 w->recipients);
		CHECK(g->known && g->messages == w->messages && g->bytes == w->bytes
		      && g->recipients == w->recipients && g->untimed == 0, name);
		snprintf(name, sizeof(name), "fixture %s %s: oldest age %ld", kind, qn,
			 w->oldest_age);
		CHECK(g->oldest_arrival == w->oldest_arrival && g->oldest_age == w->oldest_age
		      && (w->messages == 0) == (g->oldest_id.len == 0), name);
		snprintf(name, sizeof(name), "fixture %s %s: age and size histograms", kind, qn);
		CHECK(memcmp(g->age_hist, w->age_hist, sizeof(g->age_hist)) == 0
		      && memcmp(g->size_hist, w->size_hist, sizeof(g->size_hist)) == 0
		      && g->age_sum == w->age_sum, name);
	}
	snprintf(name, sizeof(name), "fixture %s: a varied queue (%lu messages, "
		 "%lu deferred, %lu on hold)", kind, total, s.q[PQ_SNAP_DEFERRED].messages,
		 s.q[PQ_SNAP_HOLD].messages);
	CHECK(total > 30 && s.q[PQ_SNAP_DEFERRED].messages > 0 && s.q[PQ_SNAP_HOLD].messages > 0,
	      name);
	/* The oldest id is one of the messages with the oldest arrival. */
	FILE *fp = fopen(path.data, "r");
	char line[1 << 16];
	bool found = false;
	const struct pq_snap_qstat *dq = &s.q[PQ_SNAP_DEFERRED];
	while (fp && fgets(line, sizeof(line), fp)) {
		char want[128];
		snprintf(want, sizeof(want), "\"queue_id\": \"%s\", \"arrival_time\": %ld,",
			 dq->oldest_id.data ? dq->oldest_id.data : "", dq->oldest_arrival);
		if (strstr(line, want))
			found = true;
	}
	if (fp)
		fclose(fp);
	snprintf(name, sizeof(name), "fixture %s: oldest deferred id %s has the "
		 "oldest arrival", kind, pq_buf_str(&dq->oldest_id));
	CHECK(found, name);
	snprintf(name, sizeof(name), "fixture %s: domains as postqueue -j (%zu)", kind,
		 s.domains.nrows);
	CHECK(same_table("domains", &e.keys.domains, &s.domains) && s.domains.nrows > 10,
	      name);
	snprintf(name, sizeof(name), "fixture %s: reason classes as postqueue -j (%zu)",
		 kind, s.reasons.nrows);
	CHECK(same_table("reasons", &e.keys.reasons, &s.reasons) && s.reasons.nrows > 2,
	      name);
	const struct pq_snap_qstat *c = &s.q[PQ_SNAP_CORRUPT];
	snprintf(name, sizeof(name), "fixture %s corrupt: %lu files, %llu bytes "
		 "(want 4, 2017)", kind, c->messages, c->bytes);
	CHECK(c->known && c->messages == 4 && c->bytes == 2017 && s.corrupt_errno == 0, name);

	/* With a small cap: at most cap rows, the rest in other, totals kept. */
	struct pq_snapshot small;
	pq_snapshot_init(&small, now, 3);
	pq_snapshot_from_spool(&small, &sp, &err);
	unsigned long want_total = 0, got_total = small.domains.other.total;
	for (size_t i = 0; i < s.domains.nrows; i++)
		want_total += s.domains.rows[i].c->total;
	for (size_t i = 0; i < small.domains.nrows; i++)
		got_total += small.domains.rows[i].c->total;
	snprintf(name, sizeof(name), "fixture %s: cap 3 keeps 3 domains and other, "
		 "%lu recipients in all", kind, want_total);
	CHECK(small.domains.nrows == 3 && small.domains.other.total > 0
	      && got_total == want_total && small.domains.map.tab.used <= 3, name);
	pq_snapshot_free(&small);

	pq_snapshot_free(&s);
	pq_snapshot_free(&e.keys);
	pq_spool_close(&sp);
	pq_config_free(cfg);
	pq_buf_reset(&cmd);
	pq_buf_printf(&cmd, "rm -rf %s", dir);
	if (system(cmd.data) != 0)
		printf("# could not remove %s\n", dir);
	pq_buf_free(&cmd);
	pq_buf_free(&path);
}

/* A message made by hand. */
static void msg(struct pq_qmsg *m, const char *queue, const char *id, long arrival,
		long size)
{
	pq_qmsg_free(m);
	memset(m, 0, sizeof(*m));
	m->queue = queue;
	pq_buf_set(&m->idbuf, id);
	m->id = m->idbuf.data;
	m->arrival = arrival;
	m->size = size;
	pq_buf_set(&m->sender, "s@example.com");
}

static void rcpt(struct pq_qmsg *m, const char *addr, const char *why)
{
	pq_strlist_add(&m->rcpts, addr);
	pq_strlist_add(&m->reasons, why);
}

static void test_edges(void)
{
	struct pq_snapshot s;
	struct pq_qmsg m = { 0 };
	const long now = 1000000;

	pq_snapshot_init(&s, now, 0);
	CHECK(s.domains.cap == PQ_SNAP_KEY_CAP, "default cap");
	/* Ages on and just past each bound; sizes likewise. */
	for (int i = 0; i < PQ_SNAP_AGE_BOUNDS; i++) {
		msg(&m, "deferred", "A", now - pq_snap_age_bounds[i], 1);
		pq_snapshot_add(&s, &m);
		msg(&m, "deferred", "B", now - pq_snap_age_bounds[i] - 1, 1);
		pq_snapshot_add(&s, &m);
	}
	bool ok = s.q[PQ_SNAP_DEFERRED].age_hist[0] == 1
		  && s.q[PQ_SNAP_DEFERRED].age_hist[PQ_SNAP_AGE_BOUNDS] == 1;
	for (int i = 1; i < PQ_SNAP_AGE_BOUNDS; i++)
		ok = ok && s.q[PQ_SNAP_DEFERRED].age_hist[i] == 2;
	CHECK(ok, "age on a bound counts in that bucket (le), one second more in the next");
	for (int i = 0; i < PQ_SNAP_SIZE_BOUNDS; i++) {
		msg(&m, "hold", "C", now, pq_snap_size_bounds[i]);
		pq_snapshot_add(&s, &m);
		msg(&m, "hold", "D", now, pq_snap_size_bounds[i] + 1);
		pq_snapshot_add(&s, &m);
	}
	ok = s.q[PQ_SNAP_HOLD].size_hist[0] == 1
	     && s.q[PQ_SNAP_HOLD].size_hist[PQ_SNAP_SIZE_BOUNDS] == 1;
	for (int i = 1; i < PQ_SNAP_SIZE_BOUNDS; i++)
		ok = ok && s.q[PQ_SNAP_HOLD].size_hist[i] == 2;
	CHECK(ok, "size on a bound counts in that bucket, one byte more in the next");
	CHECK(s.q[PQ_SNAP_DEFERRED].oldest_age == pq_snap_age_bounds[PQ_SNAP_AGE_BOUNDS - 1] + 1
	      && strcmp(pq_buf_str(&s.q[PQ_SNAP_DEFERRED].oldest_id), "B") == 0,
	      "oldest message: id and age");

	/* In the future: age 0. Without a time record: no age at all. */
	msg(&m, "active", "F", now + 5000, 10);
	pq_snapshot_add(&s, &m);
	msg(&m, "active", "G", now + 99999, 10);
	m.arrival_is_mtime = true;
	rcpt(&m, "r@Example.COM", "");
	pq_snapshot_add(&s, &m);
	const struct pq_snap_qstat *a = &s.q[PQ_SNAP_ACTIVE];
	CHECK(a->messages == 2 && a->untimed == 1 && a->age_hist[0] == 1 && a->age_sum == 0
	      && a->oldest_age == 0 && strcmp(pq_buf_str(&a->oldest_id), "F") == 0,
	      "arrival after now: age 0; no T record: counted, not aged");
	pq_snapshot_finish(&s);
	CHECK(s.domains.nrows == 1 && strcmp(s.domains.rows[0].key, "example.com") == 0
	      && s.domains.rows[0].c->rcpts[PQ_SNAP_ACTIVE] == 1
	      && s.domains.rows[0].c->oldest[PQ_SNAP_ACTIVE] == PQ_SNAP_NONE,
	      "domain lower-cased; an untimed message gives it no oldest");
	CHECK(pq_snap_age(&s, PQ_SNAP_NONE) == -1 && pq_snap_age(&s, now - 7) == 7,
	      "pq_snap_age");
	msg(&m, "saved", "H", now, 1);
	pq_snapshot_add(&s, &m);
	CHECK(s.other_queue == 1, "a queue showq does not list is counted apart");
	pq_snapshot_free(&s);

	/*
	 * The cap: two heavy domains among 10000 light ones, cap 4 (the
	 * table holds at most 8). The heavy ones stay exact, the rest
	 * lands in other, and nothing is lost.
	 */
	pq_snapshot_init(&s, now, 4);
	size_t most = 0;
	unsigned long all = 0;
	char addr[64];
	for (int i = 0; i < 10000; i++) {
		msg(&m, "deferred", "M", now - i, 100);
		snprintf(addr, sizeof(addr), "u@light%d.example", i);
		rcpt(&m, addr, "host said: 450 busy");
		rcpt(&m, "x@heavy.example", "host heavy.example[192.0.2.1] said: 421 try later");
		if (i % 2 == 0)
			rcpt(&m, "y@second.example", "");
		pq_snapshot_add(&s, &m);
		all += m.rcpts.n;
		if (s.domains.map.tab.used > most)
			most = s.domains.map.tab.used;
	}
	CHECK(most <= 8, "the domain table never holds more than 2 x cap keys");
	pq_snapshot_finish(&s);
	unsigned long sum = s.domains.other.total;
	for (size_t i = 0; i < s.domains.nrows; i++)
		sum += s.domains.rows[i].c->total;
	CHECK(s.domains.nrows == 4 && strcmp(s.domains.rows[0].key, "heavy.example") == 0
	      && s.domains.rows[0].c->total == 10000
	      && strcmp(s.domains.rows[1].key, "second.example") == 0
	      && s.domains.rows[1].c->total == 5000, "heavy domains kept, exact");
	CHECK(sum == all && s.domains.other.total > 9000 && s.domains.other_keys > 9000,
	      "every recipient counted once, light domains in other");
	CHECK(s.domains.other.oldest[PQ_SNAP_DEFERRED] <= now - 9990,
	      "other keeps the oldest arrival of what was folded");
	CHECK(s.reasons.nrows == 2 && s.reasons.rows[0].c->total == 10000
	      && strcmp(s.reasons.rows[1].key, "host said: 450 busy") == 0,
	      "reason classes: two classes, addresses masked");
	/* A long key is cut. */
	pq_snapshot_free(&s);
	pq_snapshot_init(&s, now, 4);
	struct pq_buf longaddr = PQ_BUF_INIT;
	pq_buf_adds(&longaddr, "u@");
	for (int i = 0; i < 1000; i++)
		pq_buf_adds(&longaddr, "a");
	msg(&m, "deferred", "L", now, 1);
	rcpt(&m, longaddr.data, "");
	pq_snapshot_add(&s, &m);
	pq_snapshot_finish(&s);
	CHECK(s.domains.nrows == 1 && s.domains.rows[0].len == PQ_SNAP_KEY_MAX,
	      "keys cut at PQ_SNAP_KEY_MAX bytes");
	pq_buf_free(&longaddr);
	pq_snapshot_free(&s);
	pq_qmsg_free(&m);
}

/* From showq: a listing that breaks off fails the snapshot. */
static void test_from_showq(void)
{
	static const char good[] =
		"protocol\0mail_queue_list_protocol\0\0"
		/* (strings split where a digit follows a NUL: no octal escapes) */
		"queue_name\0deferred\0queue_id\0ABC\0time\0" "900\0size\0" "500\0"
		"forced_expire\0" "0\0sender\0s@x\0recipient\0r@Y.example\0"
		"reason\0host said: 450 busy\0\0";
	for (int whole = 0; whole < 2; whole++) {
		int p[2];
		struct pq_showq sq;
		struct pq_snapshot s;
		struct pq_err err;
		if (pipe(p) < 0) {
			CHECK(0, "pipe");
			return;
		}
		/* The listing's end is one more NUL. */
		if (write(p[1], good, sizeof(good) - 1 + whole) < 0) {
			CHECK(0, "listing written to the pipe");
			return;
		}
		close(p[1]);
		pq_showq_attach(&sq, p[0], "pipe", NULL, true);
		pq_snapshot_init(&s, 1000, 0);
		bool ok = pq_snapshot_from_showq(&s, &sq, NULL, &err);
		const struct pq_snap_qstat *d = &s.q[PQ_SNAP_DEFERRED];
		if (whole)
			CHECK(ok && d->known && d->messages == 1 && d->bytes == 500
			      && d->oldest_age == 100 && s.domains.nrows == 1
			      && strcmp(s.domains.rows[0].key, "y.example") == 0
			      && !s.q[PQ_SNAP_CORRUPT].known,
			      "snapshot from showq; corrupt unknown without a spool");
		else
			CHECK(!ok && !d->known && strstr(err.text, "showq pipe: ")
			      && strstr(err.text, "no end of listing"),
			      "a listing cut short fails the snapshot");
		pq_showq_close(&sq);
		pq_snapshot_free(&s);
	}
}

static void print_table(const char *what, const struct pq_snapshot *s,
			const struct pq_snap_table *t)
{
	for (size_t i = 0; i <= t->nrows; i++) {
		const struct pq_snap_counts *c = i < t->nrows ? t->rows[i].c : &t->other;
		if (i == t->nrows && c->total == 0)
			break;
		printf("%s", what);
		for (int q = 0; q < PQ_SNAP_NQUEUES; q++)
			printf(" %lu %ld", c->rcpts[q], pq_snap_age(s, c->oldest[q]));
		printf(" %s\n", i < t->nrows ? t->rows[i].key : "(other)");
	}
}

static int dump(int argc, char **argv)
{
	struct pq_err err;
	struct pq_config *cfg = pq_config_load(argv[2], false, &err);
	struct pq_spool sp;
	struct pq_snapshot s;
	bool ok;

	if (cfg == NULL || !pq_spool_open(&sp, cfg, NULL, &err)) {
		fprintf(stderr, "%s\n", err.text);
		pq_config_free(cfg);
		return 1;
	}
	pq_snapshot_init(&s, atol(argv[3]), 100000);
	if (argc > 4) {
		struct pq_showq sq;
		ok = pq_showq_connect(&sq, argv[4], NULL, sp.utf8, &err);
		if (ok) {
			ok = pq_snapshot_from_showq(&s, &sq, &sp, &err);
			pq_showq_close(&sq);
		}
	} else {
		ok = pq_snapshot_from_spool(&s, &sp, &err);
	}
	if (!ok)
		fprintf(stderr, "%s\n", err.text);
	for (int i = 0; ok && i < PQ_SNAP_NQUEUES; i++) {
		const struct pq_snap_qstat *q = &s.q[i];
		printf("queue %s %d %lu %llu %lu %lu %ld %s\n", pq_snap_queue_names[i],
		       q->known, q->messages, q->bytes, q->recipients, q->untimed,
		       q->oldest_age, q->oldest_id.len ? q->oldest_id.data : "-");
		printf("ages %s %llu", pq_snap_queue_names[i], q->age_sum);
		for (int k = 0; k <= PQ_SNAP_AGE_BOUNDS; k++)
			printf(" %lu", q->age_hist[k]);
		printf("\nsizes %s", pq_snap_queue_names[i]);
		for (int k = 0; k <= PQ_SNAP_SIZE_BOUNDS; k++)
			printf(" %lu", q->size_hist[k]);
		printf("\n");
	}
	if (ok) {
		print_table("domain", &s, &s.domains);
		print_table("reason", &s, &s.reasons);
	}
	pq_snapshot_free(&s);
	pq_spool_close(&sp);
	pq_config_free(cfg);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "dump") == 0)
		return dump(argc, argv);
	test_fixture("short");
	test_fixture("long");
	test_edges();
	test_from_showq();
	return unit_status();
}
