/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A strict RFC 8259 validator for the host tests: one JSON value (with
 * optional surrounding blanks), UTF-8 checked byte by byte (no overlongs,
 * surrogates or bytes past U+10FFFF), no raw control characters in strings,
 * only the escapes JSON defines. Stricter than jq, which repairs invalid
 * UTF-8 silently; as strict as python's json.loads on bytes.
 */
#ifndef XF_JSON_CHECK_H
#define XF_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct jc {
	const unsigned char *s;
	size_t n, i;
	int depth;
};

static void jc_ws(struct jc *j)
{
	while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' ||
			       j->s[j->i] == '\n' || j->s[j->i] == '\r'))
		j->i++;
}

static bool jc_utf8(struct jc *j)
{
	const unsigned char *u = j->s + j->i;
	size_t left = j->n - j->i, len, k;
	unsigned int c, min;

	if (u[0] < 0x80) {
		j->i++;
		return true;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		len = 2, c = u[0] & 0x1f, min = 0x80;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		len = 3, c = u[0] & 0x0f, min = 0x800;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		len = 4, c = u[0] & 0x07, min = 0x10000;
	else
		return false;
	if (len > left)
		return false;
	for (k = 1; k < len; k++) {
		if ((u[k] & 0xc0) != 0x80)
			return false;
		c = c << 6 | (u[k] & 0x3f);
	}
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return false;
	j->i += len;
	return true;
}

static bool jc_string(struct jc *j)
{
	int k;

	if (j->i >= j->n || j->s[j->i] != '"')
		return false;
	j->i++;
	while (j->i < j->n) {
		unsigned char c = j->s[j->i];

		if (c == '"') {
			j->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (++j->i >= j->n)
				return false;
			c = j->s[j->i++];
			if (c == 'u') {
				for (k = 0; k < 4; k++, j->i++)
					if (j->i >= j->n ||
					    !strchr("0123456789abcdefABCDEF",
						    j->s[j->i]) || !j->s[j->i])
						return false;
			} else if (!strchr("\"\\/bfnrt", c) || !c) {
				return false;
			}
			continue;
		}
		if (!jc_utf8(j))
			return false;
	}
	return false;
}

static bool jc_number(struct jc *j)
{
	size_t start = j->i;

	if (j->i < j->n && j->s[j->i] == '-')
		j->i++;
	if (j->i < j->n && j->s[j->i] == '0') {
		j->i++;
	} else {
		if (j->i >= j->n || j->s[j->i] < '1' || j->s[j->i] > '9')
			return false;
		while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
			j->i++;
	}
	if (j->i < j->n && j->s[j->i] == '.') {
		j->i++;
		if (j->i >= j->n || j->s[j->i] < '0' || j->s[j->i] > '9')
			return false;
		while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
			j->i++;
	}
	return j->i > start;
}

static bool jc_value(struct jc *j);

static bool jc_lit(struct jc *j, const char *w)
{
	size_t l = strlen(w);

	if (j->n - j->i < l || memcmp(j->s + j->i, w, l))
		return false;
	j->i += l;
	return true;
}

static bool jc_value(struct jc *j)
{
	char open, close;

	jc_ws(j);
	if (j->i >= j->n || ++j->depth > 64)
		return false;
	open = (char)j->s[j->i];
	if (open == '"') {
		j->depth--;
		return jc_string(j);
	}
	if (open == '{' || open == '[') {
		close = open == '{' ? '}' : ']';
		j->i++;
		jc_ws(j);
		if (j->i < j->n && j->s[j->i] == close) {
			j->i++;
			j->depth--;
			return true;
		}
		for (;;) {
			if (open == '{') {
				jc_ws(j);
				if (!jc_string(j))
					return false;
				jc_ws(j);
				if (j->i >= j->n || j->s[j->i++] != ':')
					return false;
			}
			if (!jc_value(j))
				return false;
			jc_ws(j);
			if (j->i >= j->n)
				return false;
			if (j->s[j->i] == close) {
				j->i++;
				j->depth--;
				return true;
			}
			if (j->s[j->i++] != ',')
				return false;
		}
	}
	j->depth--;
	return jc_lit(j, "true") || jc_lit(j, "false") || jc_lit(j, "null") ||
	       jc_number(j);
}

/* s[0..n) is exactly one valid JSON text. */
static inline bool json_valid(const char *s, size_t n)
{
	struct jc j = { (const unsigned char *)s, n, 0, 0 };

	if (!jc_value(&j))
		return false;
	jc_ws(&j);
	return j.i == n;
}

#endif /* XF_JSON_CHECK_H */
