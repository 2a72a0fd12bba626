/*
 * spool - a Postfix queue directory: its layout and how to walk it.
 *
 * A spool is the queue_directory with the settings that decide where a
 * file lives (hash_queue_names, hash_queue_depth). Everything is
 * opened relative to a directory descriptor of the spool, so nothing
 * here changes the working directory.
 *
 * The walker visits a queue the way Postfix's showq does: raw readdir
 * order, "." and ".." skipped, any one-character name entered as a
 * subdirectory (depth first, when readdir reaches it), every other name
 * returned. Unlike showq it never follows a symbolic link below a queue
 * directory: such a link is skipped with a warning naming it (showq
 * lists what a link to a directory elsewhere holds, and dies on a link
 * that loops). The queue directories themselves are what main.cf names
 * and are opened as Postfix opens them, links and all. pq_spool_open_ok() then applies mail_open_ok(): the name must
 * be a valid queue id, and the file at the path Postfix would compute for
 * it (not where the walk found it) must be a regular file with owner
 * rwx; files that vanished are skipped silently. Unlike showq, which
 * dies, the walk goes on past a subdirectory it cannot read, with a
 * warning, and counts it (pq_scan_errors), so a caller can say that what
 * it listed is not the whole queue.
 */
#ifndef POSTQ_SPOOL_H
#define POSTQ_SPOOL_H

#include <stdbool.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "spool/config.h"

/* The queues that hold messages, in showq's listing order. */
extern const char *const pq_message_queues_showq[];

struct pq_spool {
	char *root;		/* queue_directory */
	int rootfd;
	char **hash_names;	/* hash_queue_names, split */
	int nhash;
	int hash_depth;
	bool long_ids;		/* enable_long_queue_ids: output format */
	bool utf8;		/* smtputf8_enable: what printable() keeps */
	char *empty_addr;	/* empty_address_recipient */
	long dup_limit;		/* duplicate_filter_limit */
	struct pq_buf scratch;
	/* Open queue subdirectories, so lookups walk one path component. */
	struct spool_dirfd *dirfds;
	size_t ndirfds;
	size_t recent[2];	/* the two directories used last */
	bool no_noatime;	/* O_NOATIME was refused: not owner or root */
};

/*
 * pq_spool_open - settings from cfg; root overrides queue_directory
 * (--spool). False with *err filled in on a bad setting (EX_CONFIG), if
 * the directory cannot be opened ("chdir DIR: reason", EX_UNAVAILABLE,
 * as postqueue says it); sp is then closed.
 */
bool pq_spool_open(struct pq_spool *sp, struct pq_config *cfg,
		   const char *root, struct pq_err *err);
/*
 * pq_spool_check - false with *err filled in (EX_UNAVAILABLE) if sp is
 * not a spool: none of the message queues maildrop, incoming, active,
 * deferred, hold is in it (a copy that holds only some of them is fine,
 * and a queue that cannot be looked at counts as there). Every reader
 * of the queue files asks first; a client of the showq service, which
 * needs only public/, does not.
 */
bool pq_spool_check(const struct pq_spool *sp, struct pq_err *err);
void pq_spool_close(struct pq_spool *sp);

bool pq_spool_queue_hashed(const struct pq_spool *sp, const char *queue);

/* "queue/h/id" relative to the spool root, as mail_queue_path(). */
const char *pq_spool_path(struct pq_spool *sp, const char *queue,
			  const char *id, struct pq_buf *out);

/*
 * pq_spool_open_ok - mail_open_ok(): true and *st filled if queue/id is
 * a ready message file; path receives its spool-relative path. Warns
 * (like Postfix) about non-regular files. False with errno 0: not a
 * ready message file (or gone); with errno set: it could not be looked
 * at (lstat failed: warned about).
 */
bool pq_spool_open_ok(struct pq_spool *sp, const char *queue, const char *id,
		      struct stat *st, struct pq_buf *path);

/*
 * Open a file relative to the spool root, read-only, not following a
 * final symlink, and where allowed with O_NOATIME: reading a queue file
 * then does not rewrite its inode, which halves the cost of a listing and
 * leaves the spool exactly as it was. The open never blocks and gives
 * regular files only (util/regfile.h): a FIFO or device planted in the
 * queue is refused with errno PQ_ENOTREG. *st gets its fstat.
 */
int pq_spool_openat(struct pq_spool *sp, const char *relpath, struct stat *st);
/*
 * pq_spool_dirfd - split relpath into a directory descriptor and its
 * last component (*base). The descriptor is cached per directory and
 * owned by sp; a directory that cannot be opened falls back to the root,
 * so errors come from the final lookup.
 */
int pq_spool_dirfd(struct pq_spool *sp, const char *relpath,
		   const char **base);
/* lstat() a path relative to the spool root. */
int pq_spool_lstat(struct pq_spool *sp, const char *relpath, struct stat *st);
/*
 * pq_spool_forget_dirs - close the cached directory descriptors; a
 * long-running reader calls this before each new pass, so directories
 * that were removed and made anew are seen.
 */
void pq_spool_forget_dirs(struct pq_spool *sp);

struct pq_scan;

/*
 * pq_scan_open - walk queue; recurse into one-character names if
 * recursive (showq does for all but maildrop). NULL with errno set if
 * the queue directory cannot be opened.
 */
struct pq_scan *pq_scan_open(const struct pq_spool *sp, const char *queue,
			     bool recursive);
/* Next name (valid until the next call), or NULL at the end. */
const char *pq_scan_next(struct pq_scan *scan);
/*
 * pq_scan_errors - how many parts of the queue the walk could not read
 * so far (a subdirectory that could not be opened or read, a readdir
 * loop; each was warned about), and in *perm_errors (if not NULL) how
 * many of them for lack of permission. A name that vanished is not one.
 */
unsigned long pq_scan_errors(const struct pq_scan *scan,
			     unsigned long *perm_errors);
/* The d_type readdir gave the last name (DT_UNKNOWN: it did not say). */
unsigned char pq_scan_type(const struct pq_scan *scan);
/* Directory (relative to the spool) that the last name was found in. */
const char *pq_scan_dir(const struct pq_scan *scan);
void pq_scan_close(struct pq_scan *scan);

#endif
