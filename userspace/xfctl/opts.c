// SPDX-License-Identifier: GPL-2.0
/*
 * The global options and the error printer, apart from main() so that the
 * host tests (tests/unit/test_xfctl_out.c) link every object but xfctl.o.
 */
#include <stdarg.h>

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
