// SPDX-License-Identifier: GPL-2.0
/*
 * Profiles for the filter module in Xen (hypervisor mode). Xen walks a
 * guest's memory with the same profile we use, and cannot build it: it
 * needs our copy, loaded through /dev/xen/privcmd (XF_HV_PROFILE,
 * include/xfilter/hypercall.h), and a fresh one whenever the guest comes
 * back under a new domid. So whenever a domain we introspect is in mode
 * hypervisor, we load its profile into Xen:
 *
 *  - when its session becomes ready (the guest appeared, or rebooted), if
 *    the module says its mode is hypervisor;
 *  - when the module asks (XFILTER_CMD_PROFILE_NOTIFY: the domain was put
 *    in mode hypervisor, or Xen answered one of its batches "no profile").
 *
 * Xen checks the profile against the guest's linux_banner at our slide
 * before it takes it. Failures are retried every second. Main thread only
 * (it alone uses the sessions, struct xfd_dom.g).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xen_hcall.h"
#include "xfilterd.h"

#define XFD_HV_RETRY_US 1000000

static bool hv_ok;

void xfd_hv_init(void)
{
	struct xf_hv_probe p;
	long r;

	memset(&p, 0, sizeof(p));
	r = xf_hcall(XF_HV_PROBE, &p);
	hv_ok = !r && p.magic == XF_HV_MAGIC && p.version == XF_HV_ABI_VERSION &&
		p.profile_size == sizeof(struct xf_profile);
	if (hv_ok)
		xfd_info("hypervisor filter available: guest profiles go to Xen for domains in mode hypervisor");
	else if (r)
		xfd_info("no hypervisor filter (%s): mode hypervisor is not served",
			 xf_errno_name(r));
	else
		xfd_warn("hypervisor filter speaks another ABI (version %u, profile size %u): not used",
			 p.version, p.profile_size);
}

bool xfd_hv_available(void)
{
	return hv_ok;
}

void xfd_hv_want(uint32_t domid)
{
	struct xfd_dom *d;

	if (!hv_ok)
		return;
	pthread_mutex_lock(&xfd_dom_lock);
	for (d = xfd_doms; d; d = d->next)
		if (d->alive &&
		    (domid == XFILTER_DOMID_DEFAULT || d->domid == domid)) {
			/* The default mode changed: look at each domain's. */
			if (domid == XFILTER_DOMID_DEFAULT)
				d->hv_check = true;
			else
				d->hv_want = true;
			d->hv_retry_at_us = 0;
		}
	pthread_mutex_unlock(&xfd_dom_lock);
	xfd_dbg("module asks for the profile of domain %u in Xen", domid);
}

static int hv_load(struct xfd_dom *d)
{
	struct xf_hv_profile op;
	long r;

	memset(&op, 0, sizeof(op));
	op.domid = d->domid;
	op.size = sizeof(d->g->prof);
	op.slide = d->g->slide;
	op.profile = (uint64_t)(uintptr_t)&d->g->prof;
	r = xf_hcall(XF_HV_PROFILE, &op);
	if (r) {
		snprintf(d->why, sizeof(d->why), "profile refused by Xen: %s",
			 xf_errno_name(r));
		xfd_warn("domain %u (%s): Xen refused its profile: %s; retrying",
			 d->domid, d->name, xf_errno_name(r));
		return -1;
	}
	xfd_info("domain %u (%s): profile loaded into Xen (%s, slide %#llx)",
		 d->domid, d->name, d->g->prof.release,
		 (unsigned long long)d->g->slide);
	return 0;
}

void xfd_hv_tick(struct xf_nl *nl)
{
	uint64_t now = xfd_now_us();
	uint32_t ids[64];
	struct xfd_dom *d;
	int n = 0, i, mode;
	bool want;

	if (!hv_ok)
		return;
	pthread_mutex_lock(&xfd_dom_lock);
	for (d = xfd_doms; d && n < (int)(sizeof(ids) / sizeof(ids[0])); d = d->next)
		if (d->alive && d->state == XFD_DOM_READY &&
		    (d->hv_want || d->hv_check) && now >= d->hv_retry_at_us)
			ids[n++] = d->domid;
	pthread_mutex_unlock(&xfd_dom_lock);

	for (i = 0; i < n; i++) {
		/* Only this thread frees records and sessions: d stays valid. */
		d = xfd_dom_find(ids[i]);
		if (!d || !d->g)
			continue;
		pthread_mutex_lock(&xfd_dom_lock);
		want = d->hv_want;
		d->hv_want = d->hv_check = false;
		pthread_mutex_unlock(&xfd_dom_lock);
		if (!want) {
			mode = xfd_domain_mode(nl, d->domid);
			if (mode != XFILTER_MODE_HYPERVISOR)
				continue;
		}
		if (hv_load(d) == 0) {
			d->hv_loaded = true;
			xfd_stats_write(true);
			continue;
		}
		pthread_mutex_lock(&xfd_dom_lock);
		d->hv_loaded = false;
		if (want)
			d->hv_want = true;
		else
			d->hv_check = true;
		d->hv_retry_at_us = xfd_now_us() + XFD_HV_RETRY_US;
		pthread_mutex_unlock(&xfd_dom_lock);
	}
}
