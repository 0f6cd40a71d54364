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
 *
 * Checked at once: the hypervisor answers by a hypercall that neither
 * sleeps nor allocates, so a new flow of a domain whose source is idle is
 * checked right in the receive path (xf_verdict_inline()), and its first
 * packet goes on without being held: no work item to wake, no re-injection.
 * That time is taken from netback's softirq, which serves every guest on
 * that CPU, and a hostile guest can make one check cost up to Xen's read
 * budget per flow. So each domain, and all domains together, may spend only
 * a share of receive-path time this way (hv_inline_us, hv_inline_us_all per
 * second, measured around each call); past it, its new flows are held and
 * batched by the work item as before (counted as hv_inline_over).
 */
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/ktime.h>
#include <net/genetlink.h>

#include "block.h"
#include "detect.h"
#include "hypercall.h"
#include "netlink.h"
#include "rules.h"
#include "verdict.h"

static unsigned int xf_hv_inline_us = 20000;
module_param_named(hv_inline_us, xf_hv_inline_us, uint, 0644);
MODULE_PARM_DESC(hv_inline_us, "us a second a domain's new flows may be checked by Xen in the receive path (default 20000, 2%; 0: never, always through the work item)");

static unsigned int xf_hv_inline_us_all = 100000;
module_param_named(hv_inline_us_all, xf_hv_inline_us_all, uint, 0644);
MODULE_PARM_DESC(hv_inline_us_all, "the same for all domains together (default 100000, 10%)");

/* A share may be spent this far ahead: a burst of a few checks. */
#define XF_INLINE_BURST_NS (100 * NSEC_PER_MSEC)

static atomic64_t xf_hv_inline_tat_all = ATOMIC64_INIT(0);
/* The owner is too big for the receive path's stack. */
static DEFINE_PER_CPU(struct xf_owner, xf_inline_owner);

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

/*
 * A share as a virtual clock (GCRA): tat is how far the share is spent,
 * each check moves it on by its cost scaled to the share, and a check may
 * start while tat is less than a burst ahead of now. A check that costs
 * more than the burst still runs once, and then keeps the domain out for as
 * long as its share needs to pay for it.
 */
static bool xf_share_left(atomic64_t *tat, u64 now)
{
	return (s64)(atomic64_read(tat) - now) < (s64)XF_INLINE_BURST_NS;
}

static void xf_share_spend(atomic64_t *tat, u64 now, u64 cost_ns,
			   unsigned int us_per_s)
{
	u64 step = div_u64(cost_ns * USEC_PER_SEC, us_per_s);
	s64 old = atomic64_read(tat), new;

	do {
		new = ((s64)(old - now) > 0 ? old : now) + step;
	} while (!atomic64_try_cmpxchg(tat, &old, new));
}

int xf_verdict_inline(struct xf_domain *dom, const struct xf_flow *flow,
		      struct xf_verdict *v)
{
	unsigned int us = READ_ONCE(xf_hv_inline_us);
	unsigned int us_all = READ_ONCE(xf_hv_inline_us_all);
	const struct xf_owner *owner;
	u64 now, cost;
	u8 source;
	int err;

	if (xf_domain_mode(dom) != XFILTER_MODE_HYPERVISOR || !us || !us_all ||
	    !xf_hv_available())
		return -EOPNOTSUPP;
	now = ktime_get_ns();
	if (!xf_share_left(&dom->hv_inline_tat, now) ||
	    !xf_share_left(&xf_hv_inline_tat_all, now)) {
		xf_dom_stat(dom, XFILTER_STATS_A_HV_INLINE_OVER, 1);
		return -EBUSY;
	}
	local_bh_disable();
	err = xf_hv_check_one(dom, &flow->key, this_cpu_ptr(&xf_inline_owner),
			      &owner);
	cost = ktime_get_ns() - now;
	xf_share_spend(&dom->hv_inline_tat, now, cost, us);
	xf_share_spend(&xf_hv_inline_tat_all, now, cost, us_all);
	xf_dom_stat(dom, XFILTER_STATS_A_HV_INLINE_NS, cost);
	if (!err) {
		xf_dom_stat(dom, XFILTER_STATS_A_HV_INLINE, 1);
		spin_lock(&dom->q.lock);
		source = xf_verdict_decide(dom, flow, owner, -1, v);
		spin_unlock(&dom->q.lock);
		xf_nl_log(dom, &flow->key, v, source, owner);
	}
	local_bh_enable();
	return err;
}

u8 xf_verdict_decide(struct xf_domain *dom, const struct xf_flow *flow,
		     const struct xf_owner *owner, int action,
		     struct xf_verdict *v)
{
	static const struct xf_owner nobody;	/* flags 0: not found */
	struct xf_ruleset *rs;
	u8 source;

	lockdep_assert_held(&dom->q.lock);
	rcu_read_lock();
	rs = xf_ruleset_get();
	xf_match(dom, rs, &flow->key, owner ? owner : &nobody, v);
	rcu_read_unlock();
	source = v->source;
	if (action >= 0) {
		v->action = action;
		v->source = XF_SRC_DEFAULT;
		v->rule = XF_RULE_NONE;
		source = XFILTER_SOURCE_OVERRIDE;
	}
	xf_dom_stat(dom, XFILTER_STATS_A_SOURCE_VERDICTS, 1);
	if (v->unattributed)
		xf_dom_stat(dom, XFILTER_STATS_A_UNATTRIBUTED, 1);
	/* Unattributed ones too: counted per domain. */
	xf_detect_account(dom, flow, owner);
	return source;
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
