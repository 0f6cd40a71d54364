// SPDX-License-Identifier: GPL-2.0
/*
 * The domains xfilter knows: created when a vif of the domain appears or
 * when it gets settings, kept until the module goes (a few hundred bytes
 * each; keeping them keeps their counters readable after the guest is gone).
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "detect.h"
#include "domain.h"
#include "frag.h"
#include "queue.h"

u8 xf_default_mode = XFILTER_MODE_USERLAND;
u8 xf_default_fail = XF_ACT_DROP;
struct xf_detect_set xf_default_detect = {
	.mode = XFILTER_DETECT_OFF,
	.window_ms = 10000,
	.ports = 20,
	.hosts = 20,
	.flows = 0,
	.unattributed = 20,
	.block_ms = 300000,
};

static DEFINE_XARRAY(xf_domains);
static DEFINE_MUTEX(xf_domains_mutex);

struct xf_domain *xf_domain_find(u32 domid)
{
	return xa_load(&xf_domains, domid);
}

struct xf_domain *xf_domain_next(unsigned long *domid)
{
	return xa_find(&xf_domains, domid, ULONG_MAX, XA_PRESENT);
}

struct xf_domain *xf_domain_get(u32 domid)
{
	struct xf_domain *dom;
	int err;

	mutex_lock(&xf_domains_mutex);
	dom = xa_load(&xf_domains, domid);
	if (dom)
		goto out;
	dom = kzalloc(sizeof(*dom), GFP_KERNEL);
	if (!dom)
		goto out;
	dom->domid = domid;
	dom->stats = alloc_percpu(struct xf_dom_stats);
	if (!dom->stats)
		goto err_free;
	if (xf_frag_table_alloc(dom))
		goto err_stats;
	xf_queue_init(dom);
	/* Detection on by default: this domain needs its table too. */
	if (READ_ONCE(xf_default_detect.mode) != XFILTER_DETECT_OFF &&
	    xf_detect_table_alloc(dom))
		goto err_stats;
	err = xa_err(xa_store(&xf_domains, domid, dom, GFP_KERNEL));
	if (err)
		goto err_stats;
	goto out;
err_stats:
	kvfree(dom->det_table);
	xf_frag_table_free(dom);
	free_percpu(dom->stats);
err_free:
	kfree(dom);
	dom = NULL;
out:
	mutex_unlock(&xf_domains_mutex);
	return dom;
}

void xf_domain_stats_read(struct xf_domain *dom, u64 *c)
{
	int cpu, i;

	memset(c, 0, sizeof(u64) * __XFILTER_STATS_A_LAST);
	for_each_possible_cpu(cpu) {
		const struct xf_dom_stats *s = per_cpu_ptr(dom->stats, cpu);

		for (i = 0; i < __XFILTER_STATS_A_LAST; i++)
			c[i] += READ_ONCE(s->c[i]);
	}
	spin_lock_bh(&dom->q.lock);
	c[XFILTER_STATS_A_HELD] = dom->q.held_pkts;
	spin_unlock_bh(&dom->q.lock);
}

int xf_domains_init(void)
{
	return 0;
}

/* After every hook is gone: drop what is still held, free everything. */
void xf_domains_exit(void)
{
	struct xf_domain *dom;
	unsigned long id;

	xa_for_each(&xf_domains, id, dom)
		xf_queue_fini(dom);
	xa_for_each(&xf_domains, id, dom) {
		xa_erase(&xf_domains, id);
		kvfree(dom->det_table);
		xf_frag_table_free(dom);
		free_percpu(dom->stats);
		kfree(dom);
	}
	xa_destroy(&xf_domains);
}
