/*
 * postlog - write log records the way a Postfix command does.
 *
 * Postfix 3.7 commands log each msg_info()/msg_warn() to the mail log as
 * well as to stderr. With maillog_file set they send one datagram per
 * record to postlogd over $queue_directory/public/$postlog_service_name,
 * formatted "Mon DD HH:MM:SS host name[pid]: text"; when that socket
 * does not answer (Postfix stopped) they append the same line to
 * maillog_file themselves. Without maillog_file they use syslog(3),
 * ident "syslog_name/command", facility syslog_facility. postq tools
 * that change the queue log the same records, so audits and pflogsumm
 * see their actions.
 */
#ifndef POSTQ_POSTLOG_H
#define POSTQ_POSTLOG_H

#include "spool/config.h"

#include <stdbool.h>

/*
 * pq_postlog_open - set up logging for command (e.g. "postsuper") from
 * cfg; queue_dir is where public/ lives. False with *err filled in
 * (status 1, Postfix's message) when maillog_file matches none of
 * maillog_file_prefixes; logging is then off.
 */
bool pq_postlog_open(struct pq_config *cfg, const char *queue_dir,
		     const char *command, struct pq_err *err);
/*
 * Log one record; level is NULL for info, else "warning", "error"...
 * False when the record could not be written (maillog_file cannot be
 * opened or written): pq_postlog_error says why. Postfix commands die
 * there; a tool that is a drop-in for one does the same.
 */
bool pq_postlog(const char *level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The first write failure's text ("open logfile '...': ..."), or NULL. */
const char *pq_postlog_error(void);
void pq_postlog_close(void);

#endif
