/*
 * bare_read - the benchmark floor for a queue listing: walk the given
 * queue directories (recursing into subdirectories) and open and read
 * every file once, to the end, doing nothing with the bytes.
 *
 *     bare_read QUEUE_DIR...
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static unsigned long files, bytes;

static void walk(int parent, const char *name)
{
	int dfd = openat(parent, name, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return;
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	static char buf[65536];

	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type == DT_DIR) {
			walk(dfd, e->d_name);
			continue;
		}
		int fd = openat(dfd, e->d_name, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t n;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			bytes += (unsigned long)n;
		close(fd);
		files++;
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		walk(AT_FDCWD, argv[i]);
	printf("%lu files, %lu bytes\n", files, bytes);
	return 0;
}
