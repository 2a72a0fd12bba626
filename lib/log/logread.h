/*
 * logread - read a log file line by line, plain or gzip-compressed.
 *
 * Rotated mail logs are mail.log.1 and mail.log.2.gz; admins pipe the
 * latter through zcat only because their tools cannot open it. zlib's
 * gzread reads both kinds (and concatenated gzip members) through one
 * interface, so every postq log consumer opens files here. Lines are
 * returned without their newline; a last line without a newline is
 * still returned. A line longer than PQ_LOGREAD_MAX_LINE (1 MiB; syslog
 * daemons cut far shorter, so only garbage or a device is that long) is
 * returned cut to that length and the rest of it skipped, with one
 * warning naming the file and the line number: memory stays bounded on
 * /dev/zero or a corrupt log. A truncated gzip file ends the input with
 * an error (see pq_logread_error), as zcat reports it. Bytes are
 * passed through untouched: NULs and invalid UTF-8 are the parser's
 * business.
 *
 * Uncompressed regular files bypass zlib: gzread copies every byte once
 * more through its own buffer, which costs as much as the line
 * splitting on a 1 GB log. pq_logread_read gives callers that split lines
 * themselves (into buffers they keep) the raw bytes without that copy.
 */
#ifndef POSTQ_LOGREAD_H
#define POSTQ_LOGREAD_H

#include <stddef.h>

#define PQ_LOGREAD_MAX_LINE (1024u * 1024u)

struct pq_logread;

/*
 * pq_logread_open - open path ("-" or NULL means standard input); NULL with
 * errno set on failure.
 */
struct pq_logread *pq_logread_open(const char *path);
/*
 * pq_logread_line - the next line (not NUL-terminated; valid until the next
 * call), its length in *len; NULL at end of input. A read or
 * decompression error ends the input and is reported by pq_logread_error.
 */
const char *pq_logread_line(struct pq_logread *r, size_t *len);
/*
 * pq_logread_read - up to n bytes of (decompressed) input into buf; 0 at
 * end of input or after an error (see pq_logread_error). Do not mix with
 * pq_logread_line on the same reader.
 */
size_t pq_logread_read(struct pq_logread *r, char *buf, size_t n);
/* pq_logread_error - NULL, or a description of the error that ended input. */
const char *pq_logread_error(const struct pq_logread *r);
void pq_logread_close(struct pq_logread *r);

#endif
