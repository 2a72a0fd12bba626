/*
 * fuzz_maillog - libFuzzer target: any byte string as a log line must
 * go through the framing parser, the program-name split and the event
 * classifier without crashing or reading out of bounds. The input is
 * copied to an exact-size heap buffer so ASan sees any overread.
 */
#include "maillog.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1);
	struct ml_frame f;
	struct ml_prog p;
	struct ml_event_info ev;

	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	if (ml_parse_frame(line, size, &f) == ML_OK && ml_split_prog(&f.prog, "mta", &p))
		ml_classify(&f, &p, &ev);
	free(line);
	return 0;
}
