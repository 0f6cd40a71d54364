// SPDX-License-Identifier: GPL-2.0
/*
 * The domains we serve, kept in step with xenstore: a watch on
 * @introduceDomain and @releaseDomain fires when domains come and go, and
 * every event rescans /local/domain (events can be coalesced, so the scan,
 * not the event, is the truth). A guest rebooted by xl comes back under a
 * new domid with the same UUID: rebind.c moves its rules and settings.
 *
 * Domain records are shared with the prep thread under xfd_dom_lock. A
 * record being opened (XFD_DOM_PREP) is not freed by the main thread; it is
 * marked gone and freed at the next tick after the prep thread let go.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "xfilterd.h"

/* Departures handled per scan (one event brings one or two). */
#define XFD_GONE_MAX 64

#define XFD_MAX_DOMS 1024
#define XFD_RETRY_MIN_MS 1000
#define XFD_RETRY_MAX_MS 30000

pthread_mutex_t xfd_dom_lock = PTHREAD_MUTEX_INITIALIZER;
struct xfd_dom *xfd_doms;

static struct xs_handle *xs;

int xfd_domains_init(void)
{
	xs = xs_open(0);
	if (!xs) {
		xfd_err("cannot open xenstore (is xenstored running? are we dom0?): %s",
			strerror(errno));
		return -1;
	}
	if (!xs_watch(xs, "@introduceDomain", "intro") ||
	    !xs_watch(xs, "@releaseDomain", "release")) {
		xfd_err("cannot watch domain creation/destruction in xenstore: %s",
			strerror(errno));
		xs_close(xs);
		xs = NULL;
		return -1;
	}
	return 0;
}

int xfd_domains_fd(void)
{
	return xs ? xs_fileno(xs) : -1;
}

/* Caller holds xfd_dom_lock. */
static struct xfd_dom *find_locked(uint32_t domid)
{
	struct xfd_dom *d;

	for (d = xfd_doms; d; d = d->next)
		if (d->domid == domid && d->alive)
			return d;
	return NULL;
}

struct xfd_dom *xfd_dom_find(uint32_t domid)
{
	struct xfd_dom *d;

	pthread_mutex_lock(&xfd_dom_lock);
	d = find_locked(domid);
	pthread_mutex_unlock(&xfd_dom_lock);
	return d;
}

static void xs_str(const char *dom, const char *key, char *out, size_t len)
{
	char path[96], *v;
	unsigned int n;

	snprintf(path, sizeof(path), "/local/domain/%s/%s", dom, key);
	out[0] = 0;
	v = xs_read(xs, XBT_NULL, path, &n);
	if (!v)
		return;
	/* xenstore values are written by the toolstack, but bound them. */
	snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), v);
	free(v);
}

static void dom_close(struct xfd_dom *d)
{
	if (d->g) {
		xf_guest_close(d->g);
		free(d->g);
		d->g = NULL;
	}
}

/* Caller holds the lock; d is unlinked by the caller. */
static void dom_free(struct xfd_dom *d)
{
	dom_close(d);
	free(d);
}

static struct xfd_dom *dom_new(uint32_t domid, const char *name,
			       const char *uuid)
{
	struct xfd_dom *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->domid = domid;
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->uuid, sizeof(d->uuid), "%.36s", uuid);
	d->alive = true;
	d->state = XFD_DOM_NEW;
	d->retry_delay_ms = XFD_RETRY_MIN_MS;
	return d;
}

void xfd_domains_scan(struct xf_nl *nl)
{
	struct xfd_dom *d, **pp;
	unsigned int n, i;
	char **ids, name[XFD_NAME_LEN], vm[XFD_UUID_LEN];
	static struct {
		uint32_t domid;
		char uuid[XFD_UUID_LEN];
	} gone[XFD_GONE_MAX];
	unsigned int ngone;
	bool seen;

	ids = xs_directory(xs, XBT_NULL, "/local/domain", &n);
	if (!ids) {
		xfd_warn("xenstore: cannot list /local/domain: %s", strerror(errno));
		return;
	}
	if (n > XFD_MAX_DOMS)
		n = XFD_MAX_DOMS;
	pthread_mutex_lock(&xfd_dom_lock);
	for (d = xfd_doms; d; d = d->next)
		d->alive = false;
	for (i = 0; i < n; i++) {
		char *end;
		unsigned long domid = strtoul(ids[i], &end, 10);

		/* dom0 sends through no vif of its own. */
		if (*end || domid == 0 || domid > XFILTER_DOMID_MAX)
			continue;
		seen = false;
		for (d = xfd_doms; d; d = d->next) {
			if (d->domid == domid && !d->alive) {
				d->alive = seen = true;
				break;
			}
		}
		if (seen)
			continue;
		xs_str(ids[i], "name", name, sizeof(name));
		xs_str(ids[i], "vm", vm, sizeof(vm));
		d = dom_new(domid, name, !strncmp(vm, "/vm/", 4) ? vm + 4 : "");
		if (!d)
			continue;
		d->next = xfd_doms;
		xfd_doms = d;
		xfd_info("domain %u (%s, uuid %s) appeared", d->domid,
			 d->name[0] ? d->name : "?", d->uuid[0] ? d->uuid : "?");
	}
	free(ids);
	ngone = 0;
	for (pp = &xfd_doms; (d = *pp);) {
		if (d->alive || d->state == XFD_DOM_PREP) {
			pp = &d->next;
			continue;
		}
		xfd_info("domain %u (%s) is gone", d->domid, d->name);
		if (ngone < XFD_GONE_MAX) {
			gone[ngone].domid = d->domid;
			memcpy(gone[ngone++].uuid, d->uuid, sizeof(d->uuid));
		}
		*pp = d->next;
		dom_free(d);
	}
	pthread_mutex_unlock(&xfd_dom_lock);
	/* Before a new domid of the same guest takes them (rebind below). */
	for (i = 0; i < ngone; i++)
		xfd_store_departed(nl, gone[i].domid, gone[i].uuid);

	/*
	 * Only the main thread frees records: they stay valid here. A guest
	 * whose old instance was still listed is retried at the next scan
	 * (the @releaseDomain of the old one brings it).
	 */
	for (d = xfd_doms; d; d = d->next) {
		if (!d->alive || d->rebound || (!d->uuid[0] && !d->name[0]))
			continue;
		d->rebound = xfd_rebind_domain(nl, d);
		xfd_rebind_remember(d);
	}
	xfd_rebind_save();	/* if anything changed */
	xfd_kept_apply(nl, false);	/* after rebind: restored settings win */
	xfd_store_apply(nl);		/* after kept: the fleet store wins */
	xfd_prep_kick();
	xfd_stats_write(true);
}

void xfd_domains_event(struct xf_nl *nl)
{
	char **w;
	int i;

	/* Drain what is queued; one scan covers them all. */
	for (i = 0; i < 64; i++) {
		w = xs_check_watch(xs);
		if (!w)
			break;
		free(w);
	}
	xfd_domains_scan(nl);
}

void xfd_domains_tick(void)
{
	uint64_t now = xfd_now_us();
	struct xfd_dom *d, **pp;
	bool kick = false;

	pthread_mutex_lock(&xfd_dom_lock);
	for (pp = &xfd_doms; (d = *pp);) {
		if (!d->alive && d->state != XFD_DOM_PREP) {
			*pp = d->next;
			dom_free(d);
			continue;
		}
		if (d->state == XFD_DOM_FAILED && now >= d->retry_at_us) {
			d->state = XFD_DOM_NEW;
			kick = true;
		}
		pp = &d->next;
	}
	pthread_mutex_unlock(&xfd_dom_lock);
	if (kick)
		xfd_prep_kick();
}

void xfd_domains_exit(void)
{
	struct xfd_dom *d;

	pthread_mutex_lock(&xfd_dom_lock);
	while ((d = xfd_doms)) {
		xfd_doms = d->next;
		dom_free(d);
	}
	pthread_mutex_unlock(&xfd_dom_lock);
	if (xs)
		xs_close(xs);
	xs = NULL;
}
