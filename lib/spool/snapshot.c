/*
 * snapshot - a queue reduced to monitoring figures; see snapshot.h.
 */
#include "spool/snapshot.h"

#include "util/alloc.h"
#include "report/reason_class.h"
#include "spool/filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const pq_snap_queue_names[PQ_SNAP_NQUEUES] = {
	"maildrop", "incoming", "active", "deferred", "hold", "corrupt",
};

const long pq_snap_age_bounds[PQ_SNAP_AGE_BOUNDS] = {
	60, 300, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400,
	172800, 259200, 345600, 432000, 604800,
};

const long pq_snap_size_bounds[PQ_SNAP_SIZE_BOUNDS] = {
	1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
};

int pq_snap_queue_index(const char *name)
{
	for (int i = 0; i < PQ_SNAP_NQUEUES; i++)
		if (strcmp(pq_snap_queue_names[i], name) == 0)
			return i;
	return -1;
}

static size_t bucket(const long *bounds, size_t n, long v)
{
	size_t i = 0;

	while (i < n && v > bounds[i])
		i++;
	return i;
}

static void counts_init(struct pq_snap_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < PQ_SNAP_NQUEUES; i++)
		c->oldest[i] = PQ_SNAP_NONE;
}

static void counts_merge(struct pq_snap_counts *into, const struct pq_snap_counts *from)
{
	into->total += from->total;
	for (int i = 0; i < PQ_SNAP_NQUEUES; i++) {
		into->rcpts[i] += from->rcpts[i];
		if (from->oldest[i] < into->oldest[i])
			into->oldest[i] = from->oldest[i];
	}
}

static void table_init(struct pq_snap_table *t, size_t cap)
{
	memset(t, 0, sizeof(*t));
	pq_strmap_init(&t->map, sizeof(struct pq_snap_counts));
	t->cap = cap;
	counts_init(&t->other);
}

static int row_cmp(const void *a, const void *b)
{
	const struct pq_strmap_entry *x = *(struct pq_strmap_entry *const *)a;
	const struct pq_strmap_entry *y = *(struct pq_strmap_entry *const *)b;
	const struct pq_snap_counts *cx = x->val, *cy = y->val;

	if (cx->total != cy->total)
		return cx->total > cy->total ? -1 : 1;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);
	if (c != 0)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

/*
 * Keep the keep keys with most recipients, fold the rest into other;
 * the entries kept, ranked, are returned (n of them; free the array).
 */
static struct pq_strmap_entry **table_fold(struct pq_snap_table *t, size_t keep,
					size_t *n)
{
	size_t all;
	struct pq_strmap_entry **v = pq_strmap_entries(&t->map, &all);

	qsort(v, all, sizeof(*v), row_cmp);
	for (size_t i = keep; i < all; i++) {
		counts_merge(&t->other, v[i]->val);
		t->other_keys++;
		/* Deleting frees only this entry; the others stay where they are. */
		pq_strmap_del(&t->map, v[i]->key, v[i]->klen);
	}
	*n = all < keep ? all : keep;
	return v;
}

static void table_add(struct pq_snap_table *t, const char *key, size_t len,
		      int qi, long arrival)
{
	if (len > PQ_SNAP_KEY_MAX)
		len = PQ_SNAP_KEY_MAX;
	struct pq_snap_counts *c = pq_strmap_get(&t->map, key, len);
	if (c == NULL) {
		if (t->map.tab.used >= 2 * t->cap) {
			size_t n;
			free(table_fold(t, t->cap, &n));
		}
		c = pq_strmap_put(&t->map, key, len, NULL);
		counts_init(c);
	}
	c->total++;
	c->rcpts[qi]++;
	if (arrival < c->oldest[qi])
		c->oldest[qi] = arrival;
}

static void table_free(struct pq_snap_table *t)
{
	pq_strmap_free(&t->map, NULL);
	free(t->rows);
}

void pq_snapshot_init(struct pq_snapshot *s, long now, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->now = now;
	if (cap == 0)
		cap = PQ_SNAP_KEY_CAP;
	for (int i = 0; i < PQ_SNAP_NQUEUES; i++) {
		s->q[i].oldest_arrival = PQ_SNAP_NONE;
		s->q[i].oldest_age = -1;
	}
	table_init(&s->domains, cap);
	table_init(&s->reasons, cap);
}

long pq_snap_age(const struct pq_snapshot *s, long arrival)
{
	if (arrival == PQ_SNAP_NONE)
		return -1;
	return arrival >= s->now ? 0 : s->now - arrival;
}

void pq_snapshot_add(struct pq_snapshot *s, const struct pq_qmsg *m)
{
	int qi = pq_snap_queue_index(m->queue);

	if (qi < 0 || qi == PQ_SNAP_CORRUPT) {
		s->other_queue++;
		return;
	}
	struct pq_snap_qstat *q = &s->q[qi];
	long size = m->size > 0 ? m->size : 0;
	q->messages++;
	q->bytes += (unsigned long long)size;
	q->recipients += m->rcpts.n;
	q->size_hist[bucket(pq_snap_size_bounds, PQ_SNAP_SIZE_BOUNDS, size)]++;
	long arrival = PQ_SNAP_NONE;
	if (m->arrival_is_mtime) {
		q->untimed++;
	} else {
		arrival = m->arrival;
		long age = pq_snap_age(s, arrival);
		q->age_hist[bucket(pq_snap_age_bounds, PQ_SNAP_AGE_BOUNDS, age)]++;
		q->age_sum += (unsigned long long)age;
		if (arrival < q->oldest_arrival) {
			q->oldest_arrival = arrival;
			q->oldest_age = age;
			pq_buf_set(&q->oldest_id, m->id);
		}
	}
	for (size_t i = 0; i < m->rcpts.n; i++) {
		const char *dom = pq_address_domain(pq_strlist_get(&m->rcpts, i));
		size_t len = strlen(dom);
		if (len > PQ_SNAP_KEY_MAX)
			len = PQ_SNAP_KEY_MAX;
		pq_buf_reset(&s->scratch);
		pq_buf_add(&s->scratch, dom, len);
		for (size_t k = 0; k < len; k++)
			if (s->scratch.data[k] >= 'A' && s->scratch.data[k] <= 'Z')
				s->scratch.data[k] += 'a' - 'A';
		table_add(&s->domains, pq_buf_str(&s->scratch), len, qi, arrival);
		const char *why = pq_strlist_get(&m->reasons, i);
		if (*why) {
			const char *cls = pq_reason_class(&s->scratch, why);
			table_add(&s->reasons, cls, strlen(cls), qi, arrival);
		}
	}
}

bool pq_snapshot_count_corrupt(struct pq_snapshot *s, struct pq_spool *sp)
{
	struct pq_snap_qstat *q = &s->q[PQ_SNAP_CORRUPT];
	struct pq_scan *scan = pq_scan_open(sp, "corrupt", true);
	const char *name;
	struct stat st;

	q->known = false;
	q->messages = 0;
	q->bytes = 0;
	if (scan == NULL) {
		if (errno != ENOENT) {
			s->corrupt_errno = errno;
			return false;
		}
		s->corrupt_errno = 0;
		q->known = true;
		return true;
	}
	while ((name = pq_scan_next(scan)) != NULL) {
		pq_buf_reset(&s->scratch);
		pq_buf_printf(&s->scratch, "%s/%s", pq_scan_dir(scan), name);
		/* Vanished meanwhile: not there any more. */
		if (pq_spool_lstat(sp, s->scratch.data, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		q->messages++;
		q->bytes += (unsigned long long)st.st_size;
	}
	pq_scan_close(scan);
	s->corrupt_errno = 0;
	q->known = true;
	return true;
}

static void table_finish(struct pq_snap_table *t)
{
	size_t n;
	struct pq_strmap_entry **v = table_fold(t, t->cap, &n);

	free(t->rows);
	t->rows = pq_xcalloc(n ? n : 1, sizeof(*t->rows));
	for (size_t i = 0; i < n; i++)
		t->rows[i] = (struct pq_snap_row){ v[i]->key, v[i]->klen, v[i]->val };
	t->nrows = n;
	free(v);
}

void pq_snapshot_finish(struct pq_snapshot *s)
{
	table_finish(&s->domains);
	table_finish(&s->reasons);
}

bool pq_snapshot_from_spool(struct pq_snapshot *s, struct pq_spool *sp,
			    struct pq_err *err)
{
	struct pq_listing ls;
	const struct pq_qmsg *m;

	if (!pq_spool_check(sp, err))
		return false;
	pq_listing_open(&ls, sp, NULL);
	while ((m = pq_listing_next(&ls)) != NULL)
		pq_snapshot_add(s, m);
	/* A snapshot with holes must not pass for the state of the queue. */
	bool ok = ls.unreadable == 0;
	if (!ok)
		pq_err_set(err, ls.unreadable_perm == ls.unreadable ? PQ_EX_NOPERM
			   : PQ_EX_UNAVAILABLE,
			   "incomplete snapshot of %s: %lu part%s of the queue could not "
			   "be read (named above)", sp->root, ls.unreadable,
			   ls.unreadable == 1 ? "" : "s");
	else
		for (int i = 0; i < PQ_SNAP_NQUEUES; i++)
			if (i != PQ_SNAP_CORRUPT)
				s->q[i].known = true;
	pq_listing_close(&ls);
	pq_snapshot_count_corrupt(s, sp);
	pq_snapshot_finish(s);
	return ok;
}

bool pq_snapshot_from_showq(struct pq_snapshot *s, struct pq_showq *sq,
			    struct pq_spool *sp, struct pq_err *err)
{
	const struct pq_qmsg *m;

	while ((m = pq_showq_next(sq)) != NULL)
		pq_snapshot_add(s, m);
	bool ok = !sq->failed;
	if (!ok)
		*err = sq->err;
	else
		for (int i = 0; i < PQ_SNAP_NQUEUES; i++)
			if (i != PQ_SNAP_CORRUPT)
				s->q[i].known = true;
	if (sp != NULL)
		pq_snapshot_count_corrupt(s, sp);
	pq_snapshot_finish(s);
	return ok;
}

void pq_snapshot_free(struct pq_snapshot *s)
{
	for (int i = 0; i < PQ_SNAP_NQUEUES; i++)
		pq_buf_free(&s->q[i].oldest_id);
	table_free(&s->domains);
	table_free(&s->reasons);
	pq_buf_free(&s->scratch);
}
