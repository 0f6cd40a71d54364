// SPDX-License-Identifier: GPL-2.0
/*
 * The domains xfilter knows: created when a vif of the domain appears or
 * when it gets settings (DOMAIN_SET), looked up by domid under RCU.
 *
 * Lifetime: every vif of the domain and every process-context user that
 * sleeps with the pointer (netlink verdicts, the block work) holds a
 * reference. When the last one goes and the domain has no settings of its
 * own, the record is unlisted, its queue stopped and drained, and it is
 * freed after a grace period (RCU readers: dumps, the hypercall path). A
 * guest that comes and goes therefore leaves nothing behind, and a recycled
 * domid starts from the defaults. A domain with settings of its own is
 * kept (its counters stay readable after the guest is gone, and xfilterd
 * copies its settings to the guest's next domid); only an administrator
 * can create those.
 */
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "block.h"
#include "cache.h"
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
/* Creation, references and removal; taken after RTNL and xf_config_mutex. */
static DEFINE_MUTEX(xf_domains_mutex);
static atomic_t xf_domains_count = ATOMIC_INIT(0);

struct xf_domain *xf_domain_find(u32 domid)
{
	return xa_load(&xf_domains, domid);
}

struct xf_domain *xf_domain_next(unsigned long *domid)
{
	return xa_find(&xf_domains, domid, ULONG_MAX, XA_PRESENT);
}

static void xf_domain_free(struct xf_domain *dom)
{
	xf_block_free(dom);
	xf_frag_table_free(dom);
	kvfree(dom->det_table);
	free_percpu(dom->stats);
	kfree(dom);
}

static void xf_domain_free_rcu(struct rcu_head *head)
{
	xf_domain_free(container_of(head, struct xf_domain, rcu));
}

struct xf_domain *xf_domain_get(u32 domid)
{
	struct xf_domain *dom;
	int err;

	mutex_lock(&xf_domains_mutex);
	dom = xa_load(&xf_domains, domid);
	if (dom) {
		dom->users++;
		goto out;
	}
	dom = kzalloc(sizeof(*dom), GFP_KERNEL);
	if (!dom)
		goto out;
	dom->domid = domid;
	dom->users = 1;
	dom->stats = alloc_percpu(struct xf_dom_stats);
	if (!dom->stats)
		goto err_free;
	if (xf_frag_table_alloc(dom))
		goto err_free;
	xf_queue_init(dom);
	/* Detection on by default: this domain needs its table too. */
	if (READ_ONCE(xf_default_detect.mode) != XFILTER_DETECT_OFF &&
	    xf_detect_table_alloc(dom))
		goto err_free;
	err = xa_err(xa_store(&xf_domains, domid, dom, GFP_KERNEL));
	if (err)
		goto err_free;
	atomic_inc(&xf_domains_count);
	goto out;
err_free:
	xf_domain_free(dom);
	dom = NULL;
out:
	mutex_unlock(&xf_domains_mutex);
	return dom;
}

struct xf_domain *xf_domain_hold(u32 domid)
{
	struct xf_domain *dom;

	mutex_lock(&xf_domains_mutex);
	dom = xa_load(&xf_domains, domid);
	if (dom)
		dom->users++;
	mutex_unlock(&xf_domains_mutex);
	return dom;
}

void xf_domain_put(struct xf_domain *dom)
{
	mutex_lock(&xf_domains_mutex);
	if (--dom->users || READ_ONCE(dom->own)) {
		mutex_unlock(&xf_domains_mutex);
		return;
	}
	xa_erase(&xf_domains, dom->domid);
	atomic_dec(&xf_domains_count);
	mutex_unlock(&xf_domains_mutex);
	/*
	 * Unlisted: no new user can find it. No vif feeds it any more and no
	 * holder is left, so what runs is its own timer and work: stop them
	 * and drop what they still hold, then wait out the RCU readers.
	 */
	xf_queue_fini(dom);
	/* A guest that gets this domid next inherits no verdict. */
	xf_cache_dom_gone_k(&dom->cache);
	call_rcu(&dom->rcu, xf_domain_free_rcu);
}

int xf_domains_for_each(int (*fn)(struct xf_domain *dom, void *arg),
			void *arg)
{
	struct xf_domain *dom;
	unsigned long id;
	int err = 0;

	mutex_lock(&xf_domains_mutex);
	xa_for_each(&xf_domains, id, dom) {
		err = fn(dom, arg);
		if (err)
			break;
	}
	mutex_unlock(&xf_domains_mutex);
	return err;
}

unsigned int xf_domains_number(void)
{
	return atomic_read(&xf_domains_count);
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
	c[XFILTER_STATS_A_FLOWS] = READ_ONCE(dom->cache.count);
	c[XFILTER_STATS_A_CACHE_EVICTED] = READ_ONCE(dom->cache.evicted);
	c[XFILTER_STATS_A_CACHE_PUSHED_OUT] = READ_ONCE(dom->cache.pushed_out);
	c[XFILTER_STATS_A_CACHE_REFUSED] = READ_ONCE(dom->cache.refused);
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
		/* Cache entries point into it. */
		xf_cache_dom_gone_k(&dom->cache);
		xf_domain_free(dom);
	}
	xa_destroy(&xf_domains);
	atomic_set(&xf_domains_count, 0);
	rcu_barrier();	/* xf_domain_free_rcu() of domains that went before */
}
