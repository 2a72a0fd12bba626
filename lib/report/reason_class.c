/*
 * reason_class - deferral reason classes; see reason_class.h.
 */
#include "report/reason_class.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

static bool word_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || strchr("._%+@:-", c) != NULL;
}

static bool is_status(const char *w, size_t n)
{
	/* [245].d{1,3}.d{1,3} */
	if (n < 5 || !strchr("245", w[0]) || w[1] != '.')
		return false;
	size_t i = 2, d = 0;
	while (i < n && isdigit((unsigned char)w[i]))
		i++, d++;
	if (d < 1 || d > 3 || i >= n || w[i] != '.')
		return false;
	i++;
	d = 0;
	while (i < n && isdigit((unsigned char)w[i]))
		i++, d++;
	return d >= 1 && d <= 3 && i == n;
}

static bool is_reply(const char *w, size_t n)
{
	return n == 3 && w[0] >= '2' && w[0] <= '5' && isdigit((unsigned char)w[1])
	       && isdigit((unsigned char)w[2]);
}

static void class_word(struct buf *out, const char *w, size_t n)
{
	size_t digits = 0, alpha = 0;
	bool at = false, inner_sep = false, all_num = true;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];
		if (isdigit(c))
			digits++;
		else if (isalpha(c) || c >= 0x80)
			alpha++;
		if (c == '@')
			at = true;
		if ((c == '.' || c == ':') && i > 0 && i + 1 < n)
			inner_sep = true;
		if (!isdigit(c) && c != '.' && c != ':')
			all_num = false;
	}
	if (is_reply(w, n) || is_status(w, n)) {
		buf_add(out, w, n);
	} else if (n > 4 && is_reply(w, 3) && w[3] == '-' && is_status(w + 4, n - 4)) {
		buf_add(out, w, n);	/* 550-5.1.1 */
	} else if (at || (inner_sep && (digits + alpha) > 0 && !all_num)
		   || (inner_sep && all_num)) {
		buf_addc(out, '*');
	} else if (digits > 0 && n >= 6) {
		buf_addc(out, '*');
	} else if (digits > 0 && alpha == 0) {
		buf_addc(out, '#');
	} else {
		buf_add(out, w, n);
	}
}

const char *pq_reason_class(struct buf *out, const char *reason)
{
	const char *s = reason;

	buf_reset(out);
	while (*s) {
		if (!word_char((unsigned char)*s)) {
			buf_addc(out, *s++);
			continue;
		}
		/* Leading and trailing '.', ':', '-' are punctuation, kept. */
		while (*s && strchr(".:-", *s))
			buf_addc(out, *s++);
		const char *start = s;
		while (*s && word_char((unsigned char)*s))
			s++;
		if (s == start)
			continue;
		size_t n = (size_t)(s - start);
		size_t trail = 0;
		while (n - trail > 1 && strchr(".:-", start[n - trail - 1]))
			trail++;
		class_word(out, start, n - trail);
		buf_add(out, start + n - trail, trail);
	}
	if (out->data == NULL)
		buf_set(out, "");
	return out->data;
}
