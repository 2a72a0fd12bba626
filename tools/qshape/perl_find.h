/*
 * perl_find - walk directories in the order Perl's File::Find does
 * (no_chdir off, follow off, dont_use_nlink on: Perl 5.36's defaults),
 * for tools that replay a Perl script's traversal (qshape).
 *
 * For each top-level name in order: lstat it (a trailing slash makes
 * lstat follow a symlink, as in Perl); a name that cannot be stat'ed is
 * skipped with a warning; a directory is walked; anything else is handed
 * to the callback as (its directory, its base name). In a directory the
 * entries are taken in readdir order: every non-directory goes to the
 * callback at once, subdirectories (never symlinks) are walked after
 * all entries of their parent, in readdir order, depth first. "." and
 * ".." are skipped; directories themselves are not reported. Nothing
 * changes the working directory: names are opened relative to
 * directory descriptors.
 *
 * What cannot be read is warned about in File::Find's words (it goes on,
 * as Perl does) and counted in *errs: a top-level name that cannot be
 * stat'ed (a queue that does not exist included) or opened, a
 * subdirectory that cannot be opened (unless it vanished) or read.
 * qshape counts nothing and exits 0; postq-qshape's exit status says it.
 */
#ifndef POSTQ_PERL_FIND_H
#define POSTQ_PERL_FIND_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The callback: dirfd is the directory holding name, dir its path (for
 * messages); d_type is readdir's (DT_UNKNOWN for top-level names). top is
 * the top-level name being walked, as given.
 */
typedef void (*pq_find_fn)(void *ctx, int dirfd, const char *dir,
			   const char *name, unsigned char d_type,
			   const char *top);

/* Parts of a walk that could not be read; perm: for lack of permission. */
struct pq_find_errors {
	unsigned long n, perm;
};

/* Count one (errno err) in *e. */
void pq_find_error(struct pq_find_errors *e, int err);

/* Walk tops (relative names resolved against basefd, e.g. AT_FDCWD). */
void pq_perl_find(int basefd, const char *const *tops, size_t ntops,
		  pq_find_fn fn, void *ctx, struct pq_find_errors *errs);

#endif
