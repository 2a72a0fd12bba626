/*
 * postq - git-style front end: "postq mailq ARGS" runs postq-mailq ARGS.
 *
 * The tool is looked up first beside this program (so an uninstalled
 * bin/ works), then on $PATH. "postq help" lists the tools that are
 * installed, so it never offers one that would not run; "postq help
 * TOOL" runs "postq-TOOL --help". "postq --version" says postq's version.
 */
#include "util/buf.h"
#include "common/die.h"
#include "util/diag.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *name;
	const char *what;
} tools[] = {
	{ "mailq", "list the queue (postqueue -p / -j), with filters" },
	{ "qshape", "queue shape by domain and age (qshape)" },
	{ "postsuper", "hold, release, delete, requeue, expire (postsuper)" },
	{ "pflogsumm", "mail log summary report (pflogsumm)" },
	{ "top", "live queue dashboard" },
	{ "exporter", "Prometheus exporter" },
};

/* The directory this program lives in, with a trailing '/', or "". */
static void self_dir(struct pq_buf *dir)
{
	size_t size = 256;

	pq_buf_reset(dir);
	for (;;) {
		char *p = malloc(size);
		if (p == NULL)
			pq_fatal(PQ_EX_OSERR, "out of memory");
		ssize_t n = readlink("/proc/self/exe", p, size);
		if (n < 0) {
			free(p);
			return;
		}
		if ((size_t)n < size) {
			char *slash = memrchr(p, '/', (size_t)n);
			if (slash)
				pq_buf_add(dir, p, (size_t)(slash - p) + 1);
			free(p);
			return;
		}
		free(p);
		size *= 2;
	}
}

/* Is postq-NAME beside us or on $PATH? */
static bool installed(const char *dir, const char *name)
{
	struct pq_buf path = PQ_BUF_INIT;
	bool found = false;

	pq_buf_printf(&path, "%spostq-%s", dir, name);
	if (*dir && access(path.data, X_OK) == 0)
		found = true;
	const char *env = getenv("PATH");
	while (!found && env && *env) {
		const char *end = strchrnul(env, ':');
		pq_buf_reset(&path);
		if (end > env)
			pq_buf_add(&path, env, (size_t)(end - env));
		else
			pq_buf_adds(&path, ".");
		pq_buf_printf(&path, "/postq-%s", name);
		found = access(path.data, X_OK) == 0;
		env = *end ? end + 1 : end;
	}
	pq_buf_free(&path);
	return found;
}

static void list_tools(FILE *fp, const char *dir)
{
	fputs("usage: postq TOOL [ARGS...]\n       postq help [TOOL]\n       postq --version\n\ntools:\n", fp);
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (installed(dir, tools[i].name))
			fprintf(fp, "  %-10s %s\n", tools[i].name, tools[i].what);
	fputs("\n\"postq help TOOL\" describes a tool's options.\n", fp);
}

/* Run postq-NAME with args (args[0] is replaced); returns only on failure. */
static int run_tool(const char *dir, const char *name, char **args)
{
	if (name[0] == 0 || name[0] == '-' || strchr(name, '/') != NULL)
		pq_fatal(PQ_EX_USAGE, "bad tool name: \"%s\" (see 'postq help')", name);

	struct pq_buf prog = PQ_BUF_INIT;
	pq_buf_printf(&prog, "postq-%s", name);
	args[0] = prog.data;

	/* Beside ourselves first, so an uninstalled bin/ works. */
	if (*dir) {
		struct pq_buf path = PQ_BUF_INIT;
		pq_buf_printf(&path, "%s%s", dir, prog.data);
		execv(path.data, args);
		pq_buf_free(&path);
	}
	execvp(prog.data, args);
	int saved = errno;
	fprintf(stderr, "postq: '%s' is not a postq tool (%s). See 'postq help'.\n",
		name, strerror(saved));
	return saved == ENOENT ? 127 : 126;
}

int main(int argc, char **argv)
{
	struct pq_buf dir = PQ_BUF_INIT;

	pq_tool_init(argv[0]);
	self_dir(&dir);
	const char *d = dir.data ? dir.data : "";
	if (argc >= 2 && strcmp(argv[1], "--version") == 0)
		pq_version("postq");
	if (argc >= 3 && strcmp(argv[1], "help") == 0) {
		/* "postq help TOOL": the tool's own --help. */
		char *args[] = { NULL, (char *)"--help", NULL };
		if (argc > 3)
			pq_fatal(PQ_EX_USAGE, "usage: postq help [TOOL]");
		return run_tool(d, argv[2], args);
	}
	if (argc < 2 || strcmp(argv[1], "help") == 0
	    || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		list_tools(argc < 2 ? stderr : stdout, d);
		return argc < 2 ? PQ_EX_USAGE : 0;
	}
	if (argv[1][0] == '-')
		pq_fatal(PQ_EX_USAGE, "unknown option: %s (postq takes a tool name first, "
			 "e.g. 'postq mailq %s'; see 'postq help')", argv[1], argv[1]);
	return run_tool(d, argv[1], argv + 1);
}
