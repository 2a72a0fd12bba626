/*
 * config - find and read a Postfix instance's main.cf; see config.h.
 */
#include "spool/config.h"

#include "util/buf.h"
#include "util/alloc.h"
#include "util/diag.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct param {
	char *name;
	char *raw;		/* as written in main.cf */
	char *expanded;		/* cached expansion, or NULL */
	bool expanding;		/* recursion guard */
};

struct pq_config {
	char *dir;
	struct param *params;
	size_t nparams;
	size_t cap;
};

/*
 * Built-in defaults of the parameters postq consults (Postfix 3.7).
 * smtputf8_enable's real default is a compatibility_level expression;
 * it is resolved in pq_config_get.
 */
static const struct {
	const char *name;
	const char *value;
} defaults[] = {
	{ "queue_directory", "/var/spool/postfix" },
	{ "hash_queue_names", "deferred, defer" },
	{ "hash_queue_depth", "1" },
	{ "enable_long_queue_ids", "no" },
	{ "compatibility_level", "0" },
	{ "empty_address_recipient", "MAILER-DAEMON" },
	{ "duplicate_filter_limit", "1000" },
	{ "mail_owner", "postfix" },
	{ "setgid_group", "postdrop" },
	{ "syslog_name", "${multi_instance_name?{$multi_instance_name}:{postfix}}" },
	{ "multi_instance_name", "" },
	{ "maillog_file", "" },
	{ "maillog_file_prefixes", "/var, /dev/stdout" },
	{ "postlog_service_name", "postlog" },
	{ "syslog_facility", "mail" },
	{ "maximal_queue_lifetime", "5d" },
	{ "bounce_queue_lifetime", "5d" },
	{ "myhostname", "localhost" },
	{ "mydomain", "localdomain" },
	{ "config_directory", "/etc/postfix" },
	{ "daemon_directory", "/usr/lib/postfix/sbin" },
	{ "command_directory", "/usr/sbin" },
	{ "data_directory", "/var/lib/postfix" },
};

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		pq_oom(0);
	return p;
}

static struct param *find_param(struct pq_config *cfg, const char *name,
				size_t namelen)
{
	for (size_t i = 0; i < cfg->nparams; i++)
		if (strlen(cfg->params[i].name) == namelen
		    && memcmp(cfg->params[i].name, name, namelen) == 0)
			return &cfg->params[i];
	return NULL;
}

static void set_param(struct pq_config *cfg, const char *name,
		      const char *value)
{
	struct param *p = find_param(cfg, name, strlen(name));

	if (p) {
		free(p->raw);
		p->raw = xstrdup(value);
		return;
	}
	if (cfg->nparams == cfg->cap) {
		cfg->cap = cfg->cap ? cfg->cap * 2 : 32;
		cfg->params = realloc(cfg->params, cfg->cap * sizeof(*cfg->params));
		if (cfg->params == NULL)
			pq_oom(0);
	}
	cfg->params[cfg->nparams++] = (struct param){
		.name = xstrdup(name), .raw = xstrdup(value),
	};
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* Hand one logical line ("name = value") to set_param. */
static void parse_logical_line(struct pq_config *cfg, char *line,
			       const char *path, long lineno)
{
	char *s = trim(line);
	if (*s == 0)
		return;
	char *eq = strchr(s, '=');
	if (eq == NULL) {
		pq_warn("%s, line %ld: missing '=' after attribute name: \"%s\"",
			path, lineno, s);
		return;
	}
	*eq = 0;
	char *name = trim(s);
	char *value = trim(eq + 1);
	if (*name == 0) {
		pq_warn("%s, line %ld: missing attribute name", path, lineno);
		return;
	}
	set_param(cfg, name, value);
}

static void read_main_cf(struct pq_config *cfg, FILE *fp, const char *path)
{
	struct pq_buf logical = PQ_BUF_INIT;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0, start_line = 0;

	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		const char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		/* Comments and blank lines never continue a logical line. */
		if (*p == '#' || *p == 0)
			continue;
		if (isspace((unsigned char)line[0]) && logical.len > 0) {
			pq_buf_addc(&logical, ' ');
			pq_buf_adds(&logical, p);
			continue;
		}
		if (logical.len > 0)
			parse_logical_line(cfg, logical.data, path, start_line);
		pq_buf_set(&logical, line);
		start_line = lineno;
	}
	if (logical.len > 0)
		parse_logical_line(cfg, logical.data, path, start_line);
	free(line);
	pq_buf_free(&logical);
}

struct pq_config *pq_config_load(const char *config_dir, bool allow_missing,
				 struct pq_err *err)
{
	struct pq_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		pq_oom(0);
	if (config_dir == NULL || *config_dir == 0)
		config_dir = getenv("MAIL_CONFIG");
	if (config_dir == NULL || *config_dir == 0)
		config_dir = "/etc/postfix";
	cfg->dir = xstrdup(config_dir);

	struct pq_buf path = PQ_BUF_INIT;
	pq_buf_printf(&path, "%s/main.cf", config_dir);
	FILE *fp = fopen(path.data, "r");
	if (fp == NULL) {
		if (!allow_missing) {
			pq_err_set(err, PQ_EX_UNAVAILABLE, "open %s: %s", path.data,
				   strerror(errno));
			pq_buf_free(&path);
			pq_config_free(cfg);
			return NULL;
		}
	} else {
		read_main_cf(cfg, fp, path.data);
		fclose(fp);
	}
	pq_buf_free(&path);
	/* config_directory is what -c says, whatever main.cf claims. */
	set_param(cfg, "config_directory", config_dir);
	return cfg;
}

void pq_config_free(struct pq_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->nparams; i++) {
		free(cfg->params[i].name);
		free(cfg->params[i].raw);
		free(cfg->params[i].expanded);
	}
	free(cfg->params);
	free(cfg->dir);
	free(cfg);
}

const char *pq_config_dir(const struct pq_config *cfg)
{
	return cfg->dir;
}

static const char *default_of(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (strlen(defaults[i].name) == len
		    && memcmp(defaults[i].name, name, len) == 0)
			return defaults[i].value;
	return NULL;
}

static void expand_into(struct pq_config *cfg, const char *s, struct pq_buf *out,
			int depth);

/* Value of a parameter named by (name, len), expanded; "" if unknown. */
static void lookup_into(struct pq_config *cfg, const char *name, size_t len,
			struct pq_buf *out, int depth)
{
	struct param *p = find_param(cfg, name, len);

	if (p == NULL) {
		const char *def = default_of(name, len);
		if (def == NULL)
			return;
		/* Register the default so later lookups are cached. */
		char *copy = strndup(name, len);
		if (copy == NULL)
			pq_oom(0);
		set_param(cfg, copy, def);
		free(copy);
		p = find_param(cfg, name, len);
	}
	if (p->expanded == NULL) {
		if (p->expanding || depth > 100) {
			pq_warn("%s: recursive parameter expansion", p->name);
			return;
		}
		struct pq_buf tmp = PQ_BUF_INIT;
		p->expanding = true;
		expand_into(cfg, p->raw, &tmp, depth + 1);
		/* find_param may be stale after set_param reallocs. */
		p = find_param(cfg, name, len);
		p->expanding = false;
		p->expanded = xstrdup(pq_buf_str(&tmp));
		pq_buf_free(&tmp);
	}
	pq_buf_adds(out, p->expanded);
}

/* Find the end of a {...} or (...) group, honouring nesting. */
static const char *group_end(const char *s, char open, char close)
{
	int level = 0;

	for (; *s; s++) {
		if (*s == open)
			level++;
		else if (*s == close && --level == 0)
			return s;
	}
	return NULL;
}

static bool is_name_char(int c)
{
	return isalnum(c) || c == '_';
}

static void expand_into(struct pq_config *cfg, const char *s, struct pq_buf *out,
			int depth)
{
	while (*s) {
		if (*s != '$') {
			pq_buf_addc(out, *s++);
			continue;
		}
		s++;
		if (*s == '$') {
			pq_buf_addc(out, '$');
			s++;
		} else if (*s == '{' || *s == '(') {
			char open = *s, close = open == '{' ? '}' : ')';
			const char *end = group_end(s, open, close);
			if (end == NULL) {
				pq_buf_addc(out, '$');
				continue;
			}
			const char *name = s + 1;
			size_t nlen = 0;
			while (name + nlen < end && is_name_char((unsigned char)name[nlen]))
				nlen++;
			const char *op = name + nlen;
			if (op < end && (*op == '?' || *op == ':')) {
				struct pq_buf val = PQ_BUF_INIT;
				lookup_into(cfg, name, nlen, &val, depth);
				bool set = val.len > 0;
				pq_buf_free(&val);
				/*
				 * ${name?text}, ${name:text}, and the 3.x forms
				 * ${name?{text}} and ${name?{then}:{else}}.
				 */
				const char *text = op + 1, *text_end = end;
				const char *alt = NULL, *alt_end = NULL;
				if (*text == '{') {
					const char *close_brace = group_end(text, '{', '}');
					if (close_brace && close_brace < end) {
						if (close_brace[1] == ':' && close_brace[2] == '{') {
							alt = close_brace + 3;
							alt_end = group_end(close_brace + 2, '{', '}');
						}
						text++;
						text_end = close_brace;
					}
				}
				const char *pick = NULL, *pick_end = NULL;
				if ((*op == '?') == set) {
					pick = text;
					pick_end = text_end;
				} else if (*op == '?' && alt && alt_end) {
					pick = alt;
					pick_end = alt_end;
				}
				if (pick) {
					char *t = strndup(pick, (size_t)(pick_end - pick));
					if (t == NULL)
						pq_oom(0);
					expand_into(cfg, t, out, depth + 1);
					free(t);
				}
			} else {
				lookup_into(cfg, name, nlen, out, depth);
			}
			s = end + 1;
		} else if (is_name_char((unsigned char)*s)) {
			const char *name = s;
			while (is_name_char((unsigned char)*s))
				s++;
			lookup_into(cfg, name, (size_t)(s - name), out, depth);
		} else {
			pq_buf_addc(out, '$');
		}
	}
}

const char *pq_config_get(struct pq_config *cfg, const char *name)
{
	/*
	 * smtputf8_enable defaults to yes from compatibility_level 1 on;
	 * Postfix writes that as an expression we do not evaluate in general.
	 */
	if (strcmp(name, "smtputf8_enable") == 0
	    && find_param(cfg, name, strlen(name)) == NULL) {
		const char *level = pq_config_get(cfg, "compatibility_level");
		return atol(level) >= 1 ? "yes" : "no";
	}
	struct pq_buf value = PQ_BUF_INIT;
	lookup_into(cfg, name, strlen(name), &value, 0);
	pq_buf_free(&value);
	struct param *p = find_param(cfg, name, strlen(name));
	return p && p->expanded ? p->expanded : "";
}

int pq_parse_bool(const char *s)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0)
		return 1;
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0)
		return 0;
	return -1;
}

int pq_config_bool(struct pq_config *cfg, const char *name, struct pq_err *err)
{
	const char *v = pq_config_get(cfg, name);
	int b = pq_parse_bool(v);

	if (b < 0)
		pq_err_set(err, PQ_EX_CONFIG, "%s/main.cf: bad boolean configuration: %s = %s",
			   cfg->dir, name, v);
	return b;
}

bool pq_config_long(struct pq_config *cfg, const char *name, long *out,
		    struct pq_err *err)
{
	const char *v = pq_config_get(cfg, name);
	char *end;

	errno = 0;
	long n = strtol(v, &end, 10);
	if (end == v || *end != 0 || errno) {
		pq_err_set(err, PQ_EX_CONFIG, "%s/main.cf: bad numerical configuration: %s = %s",
			   cfg->dir, name, v);
		return false;
	}
	*out = n;
	return true;
}
