/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Minimal TAP for host unit tests: each test_*.c is one program that prints
 * "ok N - name" / "not ok N - name" lines and exits non-zero on failure.
 * tests/run counts the lines; a plan line is printed at the end.
 */
#ifndef XF_TAP_H
#define XF_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __VA_ARGS__)
#define is(got, want, ...)                                                   \
	({                                                                   \
		long long _g = (long long)(got), _w = (long long)(want);     \
		if (!tap_ok(_g == _w, __VA_ARGS__))                          \
			printf("#   got %lld, want %lld\n", _g, _w);         \
		_g == _w;                                                    \
	})
#define diag(...) (printf("# " __VA_ARGS__), putchar('\n'))

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* XF_TAP_H */
