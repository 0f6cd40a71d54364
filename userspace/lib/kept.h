/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rules and settings restored for guests that were not running (kept.c).
 *
 * The module keys rules and settings by domid, and a guest that is down
 * has none. `xfctl restore` keeps such a guest's rules in the table, at
 * their places, bound to domid 0: dom0 sends through no vif, so they match
 * nothing. STATE_DIR/kept says whose they are, in table order, and holds
 * the guest's settings as text. When a guest with that UUID or name
 * starts, xfilterd moves its rules to its domid (same places), applies its
 * settings and drops its lines. One line each:
 *
 *	rule UUID NAME RULE        the next dom 0 rule of the table
 *	domain UUID NAME SETTINGS  as after `xfctl domain set DOMAIN`
 *
 * UUID or NAME is "-" when unknown. Both writers (xfctl restore,
 * xfilterd) hold flock(2) on STATE_DIR while they read the table, change
 * it and rewrite the file (through a temporary file and a rename).
 */
#ifndef XF_USER_KEPT_H
#define XF_USER_KEPT_H

#include <stdbool.h>
#include <stddef.h>

#define XF_STATE_DIR "/var/lib/xfilter"
#define XF_KEPT_NAME "kept"

struct xf_kept {
	bool rule;		/* else domain settings */
	char uuid[40];
	char name[64];
	char *text;		/* the rule, or the settings */
};

struct xf_kept_list {
	struct xf_kept *v;
	size_t n, cap;
};

/* Lock dir (blocking); the fd to pass to xf_kept_unlock, or -1. */
int xf_kept_lock(const char *dir);
void xf_kept_unlock(int fd);
/* dir/kept into l (empty if there is none); -1 on a read error. */
int xf_kept_read(const char *dir, struct xf_kept_list *l);
/* l to dir/kept (no file when l is empty); -1 with errno. */
int xf_kept_write(const char *dir, const struct xf_kept_list *l);
int xf_kept_add(struct xf_kept_list *l, bool rule, const char *uuid,
		const char *name, const char *text);
void xf_kept_free(struct xf_kept_list *l);
/* The guest of k: the same UUID, or else the same name. */
bool xf_kept_guest(const struct xf_kept *k, const char *uuid, const char *name);

#endif /* XF_USER_KEPT_H */
