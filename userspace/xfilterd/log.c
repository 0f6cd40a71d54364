// SPDX-License-Identifier: GPL-2.0
/*
 * Logging to stderr with a level prefix. Under systemd stderr is the
 * journal, which understands the "<N>" priority prefix (sd-daemon(3)); on a
 * terminal we print the level name and a timestamp instead.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xfilterd.h"

int xfd_log_level = XFD_INFO;

uint64_t xfd_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void xfd_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { 3, 4, 6, 7 };	/* syslog levels */
	static int journal = -1;
	char buf[1024];
	va_list ap;

	if (level > xfd_log_level)
		return;
	if (journal < 0)
		journal = getenv("JOURNAL_STREAM") != NULL;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (journal) {
		fprintf(stderr, "<%d>%s\n", prio[level], buf);
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(stderr, "xfilterd[%ld.%03ld] %s: %s\n", (long)ts.tv_sec,
			ts.tv_nsec / 1000000, names[level], buf);
	}
}
