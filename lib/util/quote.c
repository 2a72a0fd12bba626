/*
 * quote - how Postfix shows addresses and text; see quote.h.
 */
#include "util/quote.h"

#include <string.h>

static bool is_dot_atom(const char *start, const char *end)
{
	const char *cp;

	if (start == end || *start == 0 || *start == '.')
		return false;
	for (cp = start; cp < end && *cp; cp++) {
		unsigned char ch = (unsigned char)*cp;
		if (ch == '.' && cp + 1 < end && cp[1] == '.')
			return false;
		if (ch == ' ' || ch < 32 || ch == 127)
			return false;
		if (strchr("()<>@,;:\\\"[]", ch))
			return false;
	}
	return cp[-1] != '.';
}

void pq_quote_822_local(struct pq_buf *out, const char *addr)
{
	const char *start = addr, *end, *colon;

	pq_buf_reset(out);
	/* Skip a source route such as "@a,@b:". */
	if (addr[0] == '@' && (colon = strchr(addr, ':')) != NULL)
		start = colon + 1;
	if ((end = strrchr(start, '@')) == NULL)
		end = start + strlen(start);
	if (is_dot_atom(start, end)) {
		pq_buf_adds(out, addr);
		return;
	}
	pq_buf_add(out, addr, (size_t)(start - addr));
	pq_buf_addc(out, '"');
	for (const char *cp = start; cp < end && *cp; cp++) {
		if (*cp == '"' || *cp == '\\' || *cp == '\r')
			pq_buf_addc(out, '\\');
		pq_buf_addc(out, *cp);
	}
	pq_buf_addc(out, '"');
	pq_buf_adds(out, end);
}

char *pq_printable(char *s, int replacement, bool utf8)
{
	unsigned char *cp = (unsigned char *)s;
	int ch;

	while ((ch = *cp) != 0) {
		/* Almost everything is printable ASCII: skip it quickly. */
		while (*cp >= 32 && *cp < 127)
			cp++;
		if ((ch = *cp) == 0)
			break;
		if (ch >= 32 && ch < 127) {
			/* printable ASCII */
		} else if (utf8 && ch >= 194 && ch <= 254
			   && cp[1] >= 128 && cp[1] < 192) {
			while (cp[1] >= 128 && cp[1] < 192)
				cp++;
		} else {
			*cp = (unsigned char)replacement;
		}
		cp++;
	}
	return s;
}
