// SPDX-License-Identifier: GPL-2.0
/*
 * System.map and /proc/kallsyms text: one "ADDR TYPE NAME" per line,
 * kallsyms adding "\t[module]" for module symbols (skipped: modules are
 * not where the walker's symbols live). Malformed lines are errors, not
 * silently skipped, so that a wrong file is noticed. Debian's stub
 * System.map ("ffffffffffffffff B The real System.map is in ...") gets
 * its own message, since an operator will reach for it first.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

static bool parse_hex(const char *s, size_t len, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (len == 0 || len > 16)
		return false;
	for (i = 0; i < len; i++) {
		int c = tolower((unsigned char)s[i]);

		if (c >= '0' && c <= '9')
			x = x << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x = x << 4 | (uint64_t)(c - 'a' + 10);
		else
			return false;
	}
	*v = x;
	return true;
}

static size_t span(const char *s, size_t len, bool space)
{
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t') == space)
		i++;
	return i;
}

#define DEBIAN_STUB	"The real System.map is in"

int xf_sysmap_parse(const struct xf_buf *text, struct xf_symtab *t,
		    struct xf_perr *e)
{
	const char *p = (const char *)text->data;
	size_t left = text->len, lineno = 0;

	if (text->len < 256 && memmem(p, left, DEBIAN_STUB, strlen(DEBIAN_STUB))) {
		xf_perr_set(e, "this is Debian's stub System.map, not a symbol list: leave it out, the image's own kallsyms are used");
		return -1;
	}

	while (left) {
		const char *nl = memchr(p, '\n', left);
		size_t full = nl ? (size_t)(nl - p) : left, len = full, n, k;
		const char *name;
		uint64_t addr;
		char type;

		lineno++;
		if (len && p[len - 1] == '\r')
			len--;
		k = span(p, len, true);
		if (k == len)
			goto next;	/* blank line */
		n = span(p + k, len - k, false);
		if (!parse_hex(p + k, n, &addr))
			goto bad;
		k += n;
		k += span(p + k, len - k, true);
		if (span(p + k, len - k, false) != 1)
			goto bad;
		type = p[k++];
		k += span(p + k, len - k, true);
		name = p + k;
		n = span(p + k, len - k, false);
		if (!n)
			goto bad;
		k += n;
		k += span(p + k, len - k, true);
		if (k < len && p[k] == '[')
			goto next;	/* module symbol */
		if (k != len)
			goto bad;
		if (xf_symtab_add(t, name, n, addr, type)) {
			xf_perr_set(e, "symbol list: too many symbols or out of memory");
			return -1;
		}
next:
		if (!nl)
			break;
		left -= full + 1;
		p = nl + 1;
	}
	if (!t->n) {
		xf_perr_set(e, "symbol list: no symbols");
		return -1;
	}
	return 0;
bad:
	xf_perr_set(e, "symbol list: line %zu is not 'ADDRESS TYPE NAME'",
		    lineno);
	return -1;
}
