// SPDX-License-Identifier: GPL-2.0
/*
 * Verdict sources.
 *
 * in-kernel:  filter.c matches rules without owner fields on the first
 *             packet of a flow; nothing is queued.
 * userland:   present while a socket listens on the "batch" multicast
 *             group; told about a batch by a BATCH_NOTIFY message, answers
 *             with XFILTER_CMD_VERDICT (netlink.c).
 * hypervisor: the filter module in Xen, reached by a hypercall. This is the
 *             seam for it: xf_hv_probe() decides presence at load. On a
 *             stock Xen the probe hypercall returns -ENOSYS, so the source
 *             is absent and such domains get their fail policy at once.
 *             The hypervisor issue fills in xf_hv_probe()/xf_hv_submit()
 *             (kmod/hypercall.c) without touching anything else.
 *
 * Whatever the source, an unanswered flow gets the fail policy after
 * verdict_timeout_ms (queue.c), and an absent source gets it at once.
 */
#include <net/genetlink.h>

#include "block.h"
#include "hypercall.h"
#include "netlink.h"
#include "rules.h"
#include "verdict.h"

static bool xf_userland_present(void)
{
	return xf_nl_batch_listeners();
}

static int xf_userland_submit(struct xf_domain *dom, u32 batch_id, u32 n,
			      gfp_t gfp)
{
	return xf_nl_notify_batch(dom, batch_id, n, gfp);
}

/* The hypervisor backend (see the top comment): kmod/hypercall.c. */

static bool xf_hv_present(void)
{
	return xf_hv_available();
}

/* Hypercalls with a buffer of keys: from the work item only. */
static int xf_hv_submit(struct xf_domain *dom, u32 batch_id, u32 n, gfp_t gfp)
{
	return xf_hv_submit_batch(dom, batch_id, n);
}

static const struct xf_vsource xf_sources[] = {
	[XFILTER_MODE_USERLAND] = {
		.name = "userland",
		.present = xf_userland_present,
		.submit = xf_userland_submit,
		.atomic = true,
	},
	[XFILTER_MODE_HYPERVISOR] = {
		.name = "hypervisor",
		.present = xf_hv_present,
		.submit = xf_hv_submit,
	},
};

static const struct xf_vsource *xf_source_of(struct xf_domain *dom)
{
	u8 mode = xf_domain_mode(dom);

	if (mode >= ARRAY_SIZE(xf_sources) || !xf_sources[mode].present)
		return NULL;
	return &xf_sources[mode];
}

bool xf_verdict_source_present(struct xf_domain *dom)
{
	const struct xf_vsource *src = xf_source_of(dom);

	return src && src->present();
}

static int xf_submit(const struct xf_vsource *src, struct xf_domain *dom,
		     u32 batch_id, u32 n, gfp_t gfp)
{
	int err = src->submit(dom, batch_id, n, gfp);

	if (!err)
		xf_dom_stat(dom, XFILTER_STATS_A_BATCHES, 1);
	return err;
}

int xf_verdict_submit(struct xf_domain *dom, u32 batch_id, u32 n)
{
	const struct xf_vsource *src = xf_source_of(dom);

	if (!src)
		return -ENODEV;
	return xf_submit(src, dom, batch_id, n, GFP_KERNEL);
}

bool xf_verdict_source_atomic(struct xf_domain *dom)
{
	const struct xf_vsource *src = xf_source_of(dom);

	return src && src->atomic && src->present();
}

int xf_verdict_submit_atomic(struct xf_domain *dom, u32 batch_id, u32 n)
{
	const struct xf_vsource *src = xf_source_of(dom);

	if (!src || !src->atomic)
		return -EOPNOTSUPP;
	return xf_submit(src, dom, batch_id, n, GFP_ATOMIC | __GFP_NOWARN);
}

u8 xf_verdict_decide(const struct xf_flow_key *key,
		     const struct xf_owner *owner, int action,
		     struct xf_verdict *v)
{
	static const struct xf_owner nobody;	/* flags 0: not found */
	struct xf_ruleset *rs;

	rcu_read_lock();
	rs = xf_ruleset_get();
	xf_match(xf_domain_find(key->domid), rs, key, owner ? owner : &nobody,
		 v);
	rcu_read_unlock();
	if (action >= 0) {
		v->action = action;
		v->source = XF_SRC_DEFAULT;
		v->rule = XF_RULE_NONE;
		return XFILTER_SOURCE_OVERRIDE;
	}
	return v->source;
}

int xf_verdict_init(void)
{
	int err = xf_hv_probe();

	if (err) {
		pr_info("xfilter: no hypervisor filter (%d): mode hypervisor gets the fail policy\n",
			err);
		return 0;
	}
	/*
	 * Xen may hold the table of an earlier load of the module, or none:
	 * give it ours at once, not only at the first change.
	 */
	mutex_lock(&xf_config_mutex);
	xf_hv_sync_rules(&xf_ruleset_locked()->t);
	mutex_unlock(&xf_config_mutex);
	return 0;
}

void xf_verdict_exit(void)
{
}
