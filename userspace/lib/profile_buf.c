// SPDX-License-Identifier: GPL-2.0
/* Files into memory, with a size cap, and the one-line error buffer. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"

void xf_perr_set(struct xf_perr *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void xf_buf_free(struct xf_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

int xf_buf_read_file(struct xf_buf *b, const char *path, struct xf_perr *e)
{
	struct stat st;
	size_t got = 0;
	int fd;

	b->data = NULL;
	b->len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		xf_perr_set(e, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > XF_FILE_MAX) {
		xf_perr_set(e, "%s: not a regular file of at most %llu bytes",
			    path, (unsigned long long)XF_FILE_MAX);
		close(fd);
		return -1;
	}
	/* One spare NUL so text parsers may treat the buffer as a string. */
	b->data = malloc((size_t)st.st_size + 1);
	if (!b->data) {
		xf_perr_set(e, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b->data + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	b->data[got] = 0;
	b->len = got;
	return 0;
}
