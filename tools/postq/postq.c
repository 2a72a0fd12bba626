/*
 * postq - git-style front end: "postq mailq ARGS" runs postq-mailq ARGS.
 *
 * The tool is looked up first beside this program (so an uninstalled
 * bin/ works), then on $PATH. "postq help" lists the tools.
 */
#include "buf.h"
#include "diag.h"

#include <errno.h>
#include <limits.h>
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

static void list_tools(FILE *fp)
{
	fputs("usage: postq TOOL [ARGS...]\n\ntools:\n", fp);
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		fprintf(fp, "  %-10s %s\n", tools[i].name, tools[i].what);
	fputs("\n\"postq TOOL --help\" describes a tool's options.\n", fp);
}

int main(int argc, char **argv)
{
	pq_set_progname(argv[0]);
	if (argc < 2 || strcmp(argv[1], "help") == 0
	    || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		list_tools(argc < 2 ? stderr : stdout);
		return argc < 2 ? PQ_EX_USAGE : 0;
	}
	if (strchr(argv[1], '/') != NULL)
		pq_fatal(PQ_EX_USAGE, "bad tool name: %s", argv[1]);

	struct buf prog = BUF_INIT;
	buf_printf(&prog, "postq-%s", argv[1]);
	argv[1] = prog.data;

	/* Beside ourselves first. */
	char self[PATH_MAX + 1];
	ssize_t n = readlink("/proc/self/exe", self, PATH_MAX);
	if (n > 0) {
		self[n] = 0;
		char *slash = strrchr(self, '/');
		if (slash) {
			struct buf path = BUF_INIT;
			buf_add(&path, self, (size_t)(slash - self) + 1);
			buf_adds(&path, prog.data);
			execv(path.data, argv + 1);
			buf_free(&path);
		}
	}
	execvp(prog.data, argv + 1);
	int saved = errno;
	fprintf(stderr, "postq: '%s' is not a postq tool (%s). See 'postq help'.\n",
		prog.data + 6, strerror(saved));
	return saved == ENOENT ? 127 : 126;
}
