/*
 * regfile - open and read files in a directory that others write to
 * (a mail queue): regular files only, never blocking, within a cap.
 *
 * A queue directory belongs to Postfix, but anyone who can write there
 * can plant a FIFO (whose blocking open or read never returns), a
 * character device such as /dev/zero (which never ends) or a symlink.
 * So every open here is O_NONBLOCK and O_NOFOLLOW (a final symlink is
 * refused with ELOOP), and the descriptor it gives is checked with
 * fstat: anything but a regular file is closed again and refused with
 * PQ_ENOTREG. Reads of a whole file stop at a cap the caller gives.
 *
 *	fd = pq_regfile_open(dirfd, name, &noatime, &st);
 *		-1 and errno (PQ_ENOTREG: not a regular file); noatime says
 *		whether to try O_NOATIME, and is cleared when it is refused
 *		(EPERM: we do not own the file), so later opens skip it
 *	pq_regfile_read(fd, &buf, cap, &cut);
 *		the whole file, or its first cap bytes (*cut set); -1 and
 *		errno on a read error
 *	pq_regfile_strerror(err)	strerror(), and "not a regular file"
 */
#ifndef POSTQ_REGFILE_H
#define POSTQ_REGFILE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util/buf.h"

/* Linux has no EFTYPE: an errno that no open of a queue file gives. */
#define PQ_ENOTREG EMEDIUMTYPE

/* Flags of every open: read-only, no symlink, no blocking, no tty. */
#define PQ_REGFILE_FLAGS (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

int pq_regfile_open(int dirfd, const char *name, bool *noatime,
		    struct stat *st);
ssize_t pq_regfile_read(int fd, struct pq_buf *out, size_t cap, bool *cut);
const char *pq_regfile_strerror(int err);

#endif
