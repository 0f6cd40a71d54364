// SPDX-License-Identifier: GPL-2.0
/*
 * JSON strings; the rules are in json.h. UTF-8 validation is core/'s
 * (xf_utf8_decode), the same decoder the text escaper uses, so text and
 * JSON agree on what a valid name is.
 */
#include <string.h>

#include "json.h"
#include "rule_text.h"

void xf_json_strn(FILE *f, const char *s, size_t len)
{
	size_t i = 0;

	fputc('"', f);
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		int n = xf_utf8_decode(s + i, len - i, &cp);

		if (!n) {		/* not UTF-8: the byte as Latin-1 */
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\b')
			fputs("\\b", f);
		else if (c == '\f')
			fputs("\\f", f);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (xf_text_unsafe_cp(cp))
			fprintf(f, "\\u%04x", (unsigned int)cp);
		else
			fwrite(s + i, 1, (size_t)n, f);
		i += (size_t)n;
	}
	fputc('"', f);
}

void xf_json_str(FILE *f, const char *s)
{
	xf_json_strn(f, s, strlen(s));
}

void xf_json_member_str(FILE *f, const char *key, const char *s)
{
	xf_json_str(f, key);
	fputc(':', f);
	xf_json_str(f, s);
}
