// SPDX-License-Identifier: GPL-2.0
/*
 * The global options and the error printer, apart from main() so that the
 * host tests (tests/unit/test_xfctl_out.c) link every object but xfctl.o.
 */
#include <stdarg.h>
#include <string.h>

#include "rule_text.h"
#include "xfctl.h"

struct xfctl_opts xfctl_opts;

void xfctl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("xfctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int xfctl_u32(const char *what, const char *tok, uint32_t min, uint32_t max,
	      uint32_t *out)
{
	uint32_t v;

	if (!xf_text_parse_u32(tok, strlen(tok), max, &v) || v < min) {
		xfctl_err("bad %s '%s' (a number %u..%u)", what, tok, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

bool xfctl_is_help(const char *s)
{
	return !strcmp(s, "help") || !strcmp(s, "-h") || !strcmp(s, "--help");
}

const char *xfctl_proto_name(uint8_t proto, char *buf, size_t size)
{
	switch (proto) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 1:
		return "icmp";
	case 58:
		return "icmpv6";
	}
	snprintf(buf, size, "%u", proto);
	return buf;
}
