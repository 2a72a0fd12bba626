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

/*
 * A reply code is kept where a reply starts: at the start of the text,
 * after a colon ("said: 450"), or followed by a status code ("450
 * 4.7.1"); elsewhere "300" is a count ("in 300 seconds").
 */
static void class_word(struct pq_buf *out, const char *w, size_t n, bool reply_here)
{
	size_t digits = 0, alpha = 0;
	bool at = false, inner_sep = false;

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
	}
	if ((reply_here && is_reply(w, n)) || is_status(w, n)) {
		pq_buf_add(out, w, n);
	} else if (n > 4 && is_reply(w, 3) && w[3] == '-' && is_status(w + 4, n - 4)) {
		pq_buf_add(out, w, n);	/* 550-5.1.1 */
	} else if (at || (inner_sep && digits + alpha > 0)) {
		pq_buf_addc(out, '*');	/* address, host name, IP address */
	} else if (digits > 0 && alpha == 0 && n == digits) {
		pq_buf_addc(out, '#');	/* a number: a port, seconds, a count */
	} else if (digits > 0 && (n >= 6 || isdigit((unsigned char)w[0]))) {
		pq_buf_addc(out, '*');	/* an id, or a quantity such as 57s */
	} else {
		pq_buf_add(out, w, n);	/* a word, IPv6 and x400 included */
	}
}

/*
 * A quoted local part: "..." (backslash escapes allowed) followed by
 * '@'. Returns its length up to the '@', or 0 if s does not start one.
 */
static size_t quoted_local_part(const char *s)
{
	size_t i = 1;

	while (s[i] && s[i] != '"') {
		if (s[i] == '\\' && s[i + 1])
			i++;
		i++;
	}
	return s[i] == '"' && s[i + 1] == '@' ? i + 1 : 0;
}

/* The text so far ends in a colon, spaces aside. */
static bool prev_colon(const struct pq_buf *out)
{
	size_t i = out->len;

	while (i > 0 && out->data[i - 1] == ' ')
		i--;
	return i > 0 && out->data[i - 1] == ':';
}

const char *pq_reason_class(struct pq_buf *out, const char *reason)
{
	const char *s = reason;

	pq_buf_reset(out);
	while (*s) {
		if (*s == '"') {
			size_t q = quoted_local_part(s);
			if (q > 0) {
				/* "john doe"@example.com: the whole address is one word. */
				s += q;
				while (*s && word_char((unsigned char)*s))
					s++;
				pq_buf_addc(out, '*');
				continue;
			}
		}
		if (!word_char((unsigned char)*s)) {
			pq_buf_addc(out, *s++);
			continue;
		}
		/*
		 * Leading and trailing '.', ':', '-' are punctuation, kept;
		 * but "::1" and "::ffff:192.0.2.1" are IPv6 addresses.
		 */
		if (!(s[0] == ':' && s[1] == ':' && isxdigit((unsigned char)s[2])))
			while (*s && strchr(".:-", *s))
				pq_buf_addc(out, *s++);
		const char *start = s;
		while (*s && word_char((unsigned char)*s))
			s++;
		if (s == start)
			continue;
		size_t n = (size_t)(s - start);
		size_t trail = 0;
		while (n - trail > 1 && strchr(".:-", start[n - trail - 1]))
			trail++;
		const char *after = start + n;
		while (*after == ' ')
			after++;
		size_t next = strspn(after, "0123456789.");
		bool reply_here = out->len == 0 || prev_colon(out)
				  || (next >= 5 && is_status(after, next));
		class_word(out, start, n - trail, reply_here);
		pq_buf_add(out, start + n - trail, trail);
	}
	if (out->data == NULL)
		pq_buf_set(out, "");
	return out->data;
}
