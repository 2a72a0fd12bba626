/*
 * logread - read a log file line by line, plain or gzip-compressed.
 *
 * Rotated mail logs are mail.log.1 and mail.log.2.gz; admins pipe the
 * latter through zcat only because their tools cannot open it. zlib's
 * gzread reads both kinds (and concatenated gzip members) through one
 * interface, so every postq log consumer opens files here. Lines have
 * no length limit (the buffer grows) and are returned without their
 * newline; a last line without a newline is still returned. Bytes are
 * passed through untouched: NULs and invalid UTF-8 are the parser's
 * business.
 */
#ifndef POSTQ_LOGREAD_H
#define POSTQ_LOGREAD_H

#include <stddef.h>

struct logread;

/*
 * logread_open - open path ("-" or NULL means standard input); NULL with
 * errno set on failure.
 */
struct logread *logread_open(const char *path);
/*
 * logread_line - the next line (not NUL-terminated; valid until the next
 * call), its length in *len; NULL at end of input. A read or
 * decompression error ends the input and is reported by logread_error.
 */
const char *logread_line(struct logread *r, size_t *len);
/* logread_error - NULL, or a description of the error that ended input. */
const char *logread_error(const struct logread *r);
void logread_close(struct logread *r);

#endif
