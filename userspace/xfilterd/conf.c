// SPDX-License-Identifier: GPL-2.0
/*
 * xfilterd's settings: the long options, and the same as "key = value"
 * lines of a config file (default /etc/xfilter/xfilterd.conf):
 *
 *	# a comment (a whole line)
 *	kernel-path = /boot		(repeatable; replaces the default list)
 *	pin = web1=/var/lib/xfilter/web1.xfp	(repeatable)
 *	profile-dir = DIR   state-dir = DIR   run-dir = DIR
 *	budget-ms = 250     log-level = error|warning|info|debug
 *	etcd = http://HOST:PORT[,http://HOST2:PORT...]   the fleet store (store.c)
 *
 * One setting a line, blanks around key and value ignored, no quoting.
 * Every error names FILE:LINE and the token. A source (the command line,
 * a file) fills a struct xfd_config with the bits of what it set, and
 * xfd_conf_merge lays one source over another: defaults, then the file,
 * then the command line. No logging here: the host test (tests/unit/
 * test_conf.c) links this file alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etcd.h"
#include "rule_text.h"
#include "xfilterd.h"

#define XFD_CONF_MAX 65536	/* bytes of a config file */

static const char *const level_names[] = { "error", "warning", "info", "debug" };

const char *xfd_level_name(int level)
{
	return level >= 0 && level <= XFD_DEBUG ? level_names[level] : "?";
}

static int add_pin(struct xfd_config *c, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct xfd_pin *p;
	size_t len;

	if (!eq || eq == arg || !eq[1] || c->nr_pins >= XFD_MAX_PINS)
		return -1;
	p = &c->pins[c->nr_pins];
	p->guest = strndup(arg, eq - arg);
	if (!p->guest)
		return -1;
	p->path = eq + 1;
	len = strlen(p->path);
	p->is_profile = len > 4 && !strcmp(p->path + len - 4, ".xfp");
	c->nr_pins++;
	return 0;
}

int xfd_conf_set(struct xfd_config *c, const char *key, const char *val,
		 const char *dashes, char *err, size_t errlen)
{
	uint32_t v;
	int i;

	if (!strcmp(key, "kernel-path")) {
		if (c->nr_search >= XFD_MAX_SEARCH) {
			snprintf(err, errlen, "at most %d %skernel-path ('%s')",
				 XFD_MAX_SEARCH, dashes, val);
			return -1;
		}
		c->search[c->nr_search++] = val;
		c->set |= XFD_OPT_KERNEL_PATH;
	} else if (!strcmp(key, "pin")) {
		if (add_pin(c, val)) {
			snprintf(err, errlen, c->nr_pins >= XFD_MAX_PINS ?
				 "at most 32 %spin ('%s')" :
				 "bad %spin '%s' (GUEST=FILE)", dashes, val);
			return -1;
		}
		c->set |= XFD_OPT_PIN;
	} else if (!strcmp(key, "profile-dir")) {
		c->profile_dir = val;
		c->set |= XFD_OPT_PROFILE_DIR;
	} else if (!strcmp(key, "state-dir")) {
		c->state_dir = val;
		c->set |= XFD_OPT_STATE_DIR;
	} else if (!strcmp(key, "run-dir")) {
		c->run_dir = val;
		c->set |= XFD_OPT_RUN_DIR;
	} else if (!strcmp(key, "budget-ms")) {
		if (!xf_text_parse_u32(val, strlen(val), 10000, &v) || !v) {
			snprintf(err, errlen, "bad %sbudget-ms '%s' (1..10000)",
				 dashes, val);
			return -1;
		}
		c->batch_budget_us = v * 1000;
		c->set |= XFD_OPT_BUDGET;
	} else if (!strcmp(key, "etcd")) {
		/* Checked like the store client reads it (lib/etcd.c). */
		struct xf_etcd e;
		char why[300];

		if (xf_etcd_init(&e, val, why, sizeof(why))) {
			snprintf(err, errlen, "%setcd: %s", dashes, why);
			return -1;
		}
		xf_etcd_free(&e);
		c->etcd = val;
		c->set |= XFD_OPT_ETCD;
	} else if (!strcmp(key, "log-level")) {
		for (i = 0; i <= XFD_DEBUG && strcmp(val, level_names[i]); i++)
			;
		if (i > XFD_DEBUG) {
			snprintf(err, errlen, "bad %slog-level '%s' (error, warning, info, debug)",
				 dashes, val);
			return -1;
		}
		c->log_level = i;
		c->set |= XFD_OPT_LOG;
	} else {
		snprintf(err, errlen, "unknown key '%s' (kernel-path, pin, profile-dir, state-dir, run-dir, budget-ms, log-level, etcd)",
			 key);
		return -1;
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	s += strspn(s, " \t");
	for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t' ||
					  e[-1] == '\r'); e--)
		;
	*e = 0;
	return s;
}

static int parse(char *buf, const char *path, struct xfd_config *c, char *err,
		 size_t errlen)
{
	char *line, *next, *eq, *key, *val, msg[300];
	unsigned int lineno = 0, before;

	for (line = buf; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		line = trim(line);
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected KEY = VALUE at '%.64s'",
				 path, lineno, line);
			return -1;
		}
		*eq = 0;
		key = trim(line);
		val = trim(eq + 1);
		if (!*key || strpbrk(key, " \t")) {
			snprintf(err, errlen, "%s:%u: bad key '%.64s' (KEY = VALUE)",
				 path, lineno, key);
			return -1;
		}
		if (!*val) {
			snprintf(err, errlen, "%s:%u: %.64s needs a value",
				 path, lineno, key);
			return -1;
		}
		before = c->set;
		if (xfd_conf_set(c, key, val, "", msg, sizeof(msg))) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
			return -1;
		}
		/* Nothing new: a key that does not add to a list, again. */
		if (c->set == before && strcmp(key, "kernel-path") &&
		    strcmp(key, "pin")) {
			snprintf(err, errlen, "%s:%u: %s given twice", path,
				 lineno, key);
			return -1;
		}
	}
	return 0;
}

int xfd_conf_read(const char *path, bool must_exist, struct xfd_config *c,
		  char *err, size_t errlen)
{
	size_t n;
	FILE *f;

	memset(c, 0, sizeof(*c));
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	c->buf = malloc(XFD_CONF_MAX + 1);
	n = c->buf ? fread(c->buf, 1, XFD_CONF_MAX + 1, f) : 0;
	if (!c->buf || ferror(f) || n > XFD_CONF_MAX) {
		snprintf(err, errlen, "%s: %s", path, !c->buf ? "out of memory" :
			 ferror(f) ? strerror(errno) : "larger than 64 KiB");
		fclose(f);
		return -1;
	}
	fclose(f);
	c->buf[n] = 0;
	if (memchr(c->buf, 0, n)) {
		snprintf(err, errlen, "%s: a NUL byte (not a text file)", path);
		return -1;
	}
	return parse(c->buf, path, c, err, errlen);
}

void xfd_conf_merge(struct xfd_config *dst, const struct xfd_config *src)
{
	int i;

	if (src->set & XFD_OPT_KERNEL_PATH) {
		for (i = 0; i < src->nr_search; i++)
			dst->search[i] = src->search[i];
		dst->nr_search = src->nr_search;
	}
	if (src->set & XFD_OPT_PIN) {
		for (i = 0; i < src->nr_pins; i++)
			dst->pins[i] = src->pins[i];
		dst->nr_pins = src->nr_pins;
	}
	if (src->set & XFD_OPT_PROFILE_DIR)
		dst->profile_dir = src->profile_dir;
	if (src->set & XFD_OPT_STATE_DIR)
		dst->state_dir = src->state_dir;
	if (src->set & XFD_OPT_RUN_DIR)
		dst->run_dir = src->run_dir;
	if (src->set & XFD_OPT_BUDGET)
		dst->batch_budget_us = src->batch_budget_us;
	if (src->set & XFD_OPT_LOG)
		dst->log_level = src->log_level;
	if (src->set & XFD_OPT_ETCD)
		dst->etcd = src->etcd;
	dst->set |= src->set;
}

void xfd_conf_free(struct xfd_config *c)
{
	int i;

	for (i = 0; i < c->nr_pins; i++)
		free((char *)c->pins[i].guest);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}
