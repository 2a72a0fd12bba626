/*
 * config - find and read a Postfix instance's main.cf.
 *
 * Postfix tools take "-c config_dir" (else $MAIL_CONFIG, else
 * /etc/postfix) and read main.cf from there. This module does the same
 * without running postconf: it parses main.cf (comments, continuation
 * lines), expands $name, ${name} and $(name) references (with the
 * ${name?text} and ${name:text} forms), and falls back to Postfix's
 * built-in defaults for the parameters postq uses.
 *
 * The spool-related settings are collected in struct pq_spool_conf so a
 * tool can also build one by hand (--spool DIR on an offline copy).
 */
#ifndef POSTQ_CONFIG_H
#define POSTQ_CONFIG_H

#include "util/diag.h"

#include <stdbool.h>

struct pq_config;

/*
 * pq_config_load - read config_dir/main.cf. config_dir NULL means
 * $MAIL_CONFIG or /etc/postfix. A missing main.cf is an error (NULL,
 * with *err filled in: "open DIR/main.cf: reason", EX_UNAVAILABLE) unless
 * allow_missing, in which case all parameters take their defaults.
 */
struct pq_config *pq_config_load(const char *config_dir, bool allow_missing,
				 struct pq_err *err);
void pq_config_free(struct pq_config *cfg);

const char *pq_config_dir(const struct pq_config *cfg);
/* The expanded value of a parameter, or its default, or "" if unknown. */
const char *pq_config_get(struct pq_config *cfg, const char *name);
/*
 * A boolean parameter: 1, 0, or -1 with *err filled in when the value is
 * neither yes nor no ("DIR/main.cf: bad boolean configuration: ...").
 */
int pq_config_bool(struct pq_config *cfg, const char *name, struct pq_err *err);
/* A numerical parameter into *out; false with *err filled in if bad. */
bool pq_config_long(struct pq_config *cfg, const char *name, long *out,
		    struct pq_err *err);

/* Parse a Postfix boolean; returns -1 if it is neither yes nor no. */
int pq_parse_bool(const char *s);

#endif
