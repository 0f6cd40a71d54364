// SPDX-License-Identifier: GPL-2.0
/*
 * STATE_DIR/kept: the rules and settings of guests that were not running
 * at restore (see kept.h). Both xfctl and xfilterd read and write it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kept.h"

int xf_kept_lock(const char *dir)
{
	int fd;

	mkdir(dir, 0755);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_EX)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

void xf_kept_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the lock */
}

int xf_kept_add(struct xf_kept_list *l, bool rule, const char *uuid,
		const char *name, const char *text)
{
	struct xf_kept *k;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct xf_kept *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	k = &l->v[l->n];
	k->rule = rule;
	snprintf(k->uuid, sizeof(k->uuid), "%s", uuid && *uuid ? uuid : "-");
	snprintf(k->name, sizeof(k->name), "%s", name && *name ? name : "-");
	k->text = strdup(text);
	if (!k->text)
		return -1;
	l->n++;
	return 0;
}

void xf_kept_free(struct xf_kept_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int xf_kept_read(const char *dir, struct xf_kept_list *l)
{
	char path[4096], kind[8], uuid[40], name[64], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int off, ret = 0;
	FILE *f;

	memset(l, 0, sizeof(*l));
	snprintf(path, sizeof(path), "%s/%s", dir, XF_KEPT_NAME);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	while ((len = getline(&line, &cap, f)) >= 0) {
		line[strcspn(line, "\n")] = 0;
		off = 0;
		if (line[0] == '#' ||
		    sscanf(line, "%7s %39s %63s %n", kind, uuid, name, &off) < 3 ||
		    !off || (strcmp(kind, "rule") && strcmp(kind, "domain")))
			continue;
		if (xf_kept_add(l, kind[0] == 'r', uuid, name, line + off)) {
			ret = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	return ret;
}

int xf_kept_write(const char *dir, const struct xf_kept_list *l)
{
	char path[4096], tmp[4200];
	size_t i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, XF_KEPT_NAME);
	if (!l->n)
		return unlink(path) && errno != ENOENT ? -1 : 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -1;
	fprintf(f, "# xfilter: rules and settings of guests that were not running at\n"
		   "# restore; xfilterd applies them when the guest starts (xfctl(8))\n");
	for (i = 0; i < l->n; i++)
		fprintf(f, "%s %s %s %s\n", l->v[i].rule ? "rule" : "domain",
			l->v[i].uuid, l->v[i].name, l->v[i].text);
	if (fflush(f) || fsync(fileno(f))) {
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

bool xf_kept_guest(const struct xf_kept *k, const char *uuid, const char *name)
{
	if (strcmp(k->uuid, "-") && uuid && *uuid)
		if (!strcasecmp(k->uuid, uuid))
			return true;
	return strcmp(k->name, "-") && name && *name && !strcmp(k->name, name);
}
