// SPDX-License-Identifier: GPL-2.0
/*
 * Glue between the core/ verdict cache and the kernel: the table's arrays
 * allocated once at load (so inserts in softirq never allocate), a batch
 * of unlinked slots returned for reuse by call_rcu, ticks are jiffies, one
 * writer spinlock (BH-safe), and a periodic sweep that reaps expired, dead
 * and stale entries and returns slots whose grace period is over.
 */
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <uapi/linux/xfilter.h>

#include "cache.h"
#include "domain.h"
#include "netlink.h"
#include "rules.h"

static unsigned int xf_cache_size = 65536;
module_param_named(cache_size, xf_cache_size, uint, 0444);
MODULE_PARM_DESC(cache_size, "verdict cache entries, 64 to 4194304 (default 65536; 164 bytes each, allocated at load)");

/*
 * Off: no lookup, no insert, every packet is decided afresh (by the rules,
 * or by the verdict source when a rule needs the owner). For measuring
 * what the cache saves (make bench); entries already cached stay until
 * swept, and are used again if it is switched back on.
 */
static bool xf_cache_on = true;
module_param_named(cache, xf_cache_on, bool, 0644);
MODULE_PARM_DESC(cache, "use the verdict cache (default 1; 0 decides every packet afresh)");

/*
 * A domain's share of the cache: a fixed number of entries, or (0) the
 * cache divided among the domains holding entries, but not below
 * cache_domain_min (at most a quarter of cache_size). A domain at its
 * share evicts its own entries for its new flows, never another's.
 */
static unsigned int xf_cache_dom_max;
module_param_named(cache_domain_max, xf_cache_dom_max, uint, 0444);
MODULE_PARM_DESC(cache_domain_max, "verdict cache entries one domain may hold (default 0: cache_size divided among the domains holding entries)");

static unsigned int xf_cache_dom_min = 1024;
module_param_named(cache_domain_min, xf_cache_dom_min, uint, 0444);
MODULE_PARM_DESC(cache_domain_min, "least verdict cache entries a domain may hold when the cache is divided (default 1024, at most cache_size / 4)");

static unsigned int xf_tcp_timeout = 600;
module_param_named(tcp_timeout, xf_tcp_timeout, uint, 0444);
MODULE_PARM_DESC(tcp_timeout, "idle seconds before a cached TCP flow is forgotten");

static unsigned int xf_udp_timeout = 30;
module_param_named(udp_timeout, xf_udp_timeout, uint, 0444);
MODULE_PARM_DESC(udp_timeout, "idle seconds before a UDP (or other) pseudo-session ends");

static unsigned int xf_tcp_linger_ms = 2000;
module_param_named(tcp_linger_ms, xf_tcp_linger_ms, uint, 0444);
MODULE_PARM_DESC(tcp_linger_ms, "ms a TCP entry lives after the guest's FIN");

/*
 * Cache TCP flows first seen mid-connection too (after a rule change, a
 * flush, a module load, a cache eviction). Without it every later packet
 * of such a flow is a miss: decided again by the rules, or worse, queued
 * for the verdict source one packet at a time. A SYN without ACK still
 * never hits (core/cache.h), so a new connection on a reused tuple is
 * always decided afresh.
 */
static bool xf_tcp_pickup = true;
module_param_named(tcp_pickup, xf_tcp_pickup, bool, 0444);
MODULE_PARM_DESC(tcp_pickup, "cache TCP flows first seen mid-connection (default 1)");

/*
 * A verdict decided without the whole owner (the socket closed before the
 * lookup, hidden, a part the walker did not get) is never cached as a sure
 * one: a UDP or other pseudo-session lives this long, whatever its
 * traffic, so a new socket on the same ports is looked up again
 * (core/cache.h). 0: not cached at all.
 */
static unsigned int xf_unattributed_cache_ms = 1000;
module_param_named(unattributed_cache_ms, xf_unattributed_cache_ms, uint, 0444);
MODULE_PARM_DESC(unattributed_cache_ms, "ms an unattributed UDP/other verdict stays cached, not extended by traffic (default 1000; 0: never cached)");

static struct xf_cache xf_vcache;
static DEFINE_SPINLOCK(xf_cache_lock);
static struct delayed_work xf_sweep_work;

static_assert(sizeof(struct rcu_head) <=
	      sizeof(((struct xf_cache_limbo *)0)->reclaim));

static void xf_limbo_done_rcu(struct rcu_head *head)
{
	struct xf_cache_limbo *l = container_of((void *)head,
						struct xf_cache_limbo, reclaim);

	xf_cache_limbo_done(l);
}

/* Under xf_cache_lock (any context): one grace period for the batch. */
static void xf_limbo_retire(void *ctx, struct xf_cache_limbo *l)
{
	call_rcu((struct rcu_head *)l->reclaim, xf_limbo_done_rcu);
}

/* Under xf_cache_lock and RCU: the domain's record stays at least that long. */
static struct xf_cache_dom *xf_entry_dom(void *ctx, u16 domid)
{
	struct xf_domain *dom = xf_domain_find(domid);

	return dom ? &dom->cache : NULL;
}

static const struct xf_cache_ops xf_cache_kops = {
	.retire = xf_limbo_retire,
	.dom = xf_entry_dom,
};

int xf_cache_lookup_k(const struct xf_flow *f, u64 gen, struct xf_verdict *v)
{
	if (!READ_ONCE(xf_cache_on))
		return XF_CACHE_MISS;
	return xf_cache_lookup(&xf_vcache, f, gen, jiffies, v);
}

int xf_cache_insert_k(const struct xf_flow *f, const struct xf_verdict *v)
{
	struct xf_ruleset *rs;
	int err;

	if (!READ_ONCE(xf_cache_on))
		return XF_CACHE_E_NOT_CACHEABLE;
	rcu_read_lock();
	rs = xf_ruleset_get();
	spin_lock_bh(&xf_cache_lock);
	err = xf_cache_insert(&xf_vcache, f, v, rs->t.generation, jiffies);
	spin_unlock_bh(&xf_cache_lock);
	rcu_read_unlock();
	return err;
}

void xf_cache_rules_changed_k(u64 gen)
{
	spin_lock_bh(&xf_cache_lock);
	xf_cache_rules_changed(&xf_vcache, gen);
	spin_unlock_bh(&xf_cache_lock);
}

void xf_cache_flush_k(u32 domid)
{
	struct xf_domain *dom;

	rcu_read_lock();
	spin_lock_bh(&xf_cache_lock);
	if (domid == U32_MAX) {
		xf_cache_flush(&xf_vcache);
	} else {
		/* Every entry has its domain's record: none, no entry. */
		dom = xf_domain_find(domid);
		if (dom)
			xf_cache_dom_flush(&xf_vcache, &dom->cache, false);
	}
	spin_unlock_bh(&xf_cache_lock);
	rcu_read_unlock();
}

void xf_cache_dom_gone_k(struct xf_cache_dom *d)
{
	spin_lock_bh(&xf_cache_lock);
	xf_cache_dom_flush(&xf_vcache, d, true);
	spin_unlock_bh(&xf_cache_lock);
}

u32 xf_cache_count_k(void)
{
	return READ_ONCE(xf_vcache.count);
}

static int xf_cache_put_entry(struct sk_buff *skb, struct netlink_callback *cb,
			      const struct xf_cache_entry *e)
{
	unsigned long deadline = READ_ONCE(e->deadline);
	struct xf_verdict v;
	struct nlattr *nest;
	void *hdr;
	long left;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &xf_genl_family, NLM_F_MULTI, XFILTER_CMD_FLOW_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, XFILTER_A_FLOW);
	if (!nest)
		goto cancel;
	left = (long)(deadline - jiffies);
	xf_cache_entry_verdict(e, &v);
	if (xf_nl_put_key(skb, &e->key) ||
	    nla_put_u8(skb, XFILTER_FLOW_A_STATE, XFILTER_FLOW_CACHED) ||
	    nla_put_u8(skb, XFILTER_FLOW_A_ACTION, v.action) ||
	    nla_put_u8(skb, XFILTER_FLOW_A_SOURCE,
		       v.unattributed ? XFILTER_SOURCE_UNATTRIBUTED :
		       v.source) ||
	    (v.rule != XF_RULE_NONE &&
	     nla_put_u32(skb, XFILTER_FLOW_A_RULE, v.rule)) ||
	    nla_put_u32(skb, XFILTER_FLOW_A_EXPIRES_MS,
			left > 0 ? jiffies_to_msecs(left) : 0))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * Cursor: cb->args[1] bucket, cb->args[2] entries of it already sent.
 * Chains are short (XF_CACHE_CHAIN_MAX); an entry added or removed between
 * two messages can make the dump repeat or skip one, which the generation
 * in cb->seq (the table's count of changes) reports as NLM_F_DUMP_INTR.
 */
int xf_cache_dump_k(struct sk_buff *skb, struct netlink_callback *cb,
		    u32 domid)
{
	const struct xf_cache_entry *e;
	u32 b = cb->args[1], n;
	unsigned long now = jiffies;
	int ret = 0;

	rcu_read_lock();
	for (; b <= xf_vcache.mask; b++, cb->args[2] = 0) {
		n = 0;
		for (e = xf_cache_first(&xf_vcache, b); e;
		     e = xf_cache_next(&xf_vcache, e), n++) {
			if (n < cb->args[2])
				continue;
			if ((domid != U32_MAX && e->key.domid != domid) ||
			    READ_ONCE(e->state) == XF_CS_DEAD ||
			    time_after_eq(now, (unsigned long)READ_ONCE(e->deadline)))
				continue;
			if (xf_cache_put_entry(skb, cb, e)) {
				cb->args[2] = n;
				ret = 1;
				goto out;
			}
		}
	}
out:
	cb->args[1] = b;
	rcu_read_unlock();
	return ret;
}

static void xf_sweep(struct work_struct *work)
{
	struct xf_ruleset *rs;

	rcu_read_lock();
	rs = xf_ruleset_get();
	spin_lock_bh(&xf_cache_lock);
	xf_cache_sweep(&xf_vcache, rs->t.generation, jiffies, 1024);
	spin_unlock_bh(&xf_cache_lock);
	rcu_read_unlock();
	schedule_delayed_work(&xf_sweep_work, HZ);
}

int xf_cache_kinit(void)
{
	struct xf_cache_params p = {
		.tcp_idle = (u64)xf_tcp_timeout * HZ,
		.tcp_linger = msecs_to_jiffies(xf_tcp_linger_ms),
		.udp_idle = (u64)xf_udp_timeout * HZ,
		.other_idle = (u64)xf_udp_timeout * HZ,
		.touch = HZ / 4,
		.unattributed_life = msecs_to_jiffies(xf_unattributed_cache_ms),
		.tcp_pickup = xf_tcp_pickup,
	};
	struct xf_cache_entry *entries;
	struct xf_cache_slot *slots;
	u32 *buckets;
	u8 seed[16];
	u32 n, nslots;
	int err;

	if (xf_cache_size < 64 || xf_cache_size > (1U << 22))
		xf_cache_size = 65536;
	n = roundup_pow_of_two(xf_cache_size);
	nslots = xf_cache_nslots(xf_cache_size);
	p.max_entries = xf_cache_size;
	p.dom_max = min(xf_cache_dom_max, xf_cache_size);
	p.dom_min = min(xf_cache_dom_min, xf_cache_size / 4);
	/* Page-aligned either way (kmalloc_large or vmalloc): 64 is kept. */
	buckets = kvcalloc(n, sizeof(*buckets), GFP_KERNEL);
	entries = kvcalloc(nslots, sizeof(*entries), GFP_KERNEL);
	slots = kvcalloc(nslots, sizeof(*slots), GFP_KERNEL);
	if (!buckets || !entries || !slots) {
		size_t kib = ((size_t)n * sizeof(*buckets) + (size_t)nslots *
			      (sizeof(*entries) + sizeof(*slots))) >> 10;

		pr_err("xfilter: no memory for a verdict cache of %u entries (%zu KiB)\n",
		       xf_cache_size, kib);
		err = -ENOMEM;
		goto fail;
	}
	get_random_bytes(seed, sizeof(seed));
	err = xf_cache_init(&xf_vcache, buckets, n, entries, slots, nslots, &p,
			    &xf_cache_kops, NULL, seed);
	if (err) {
		err = -EINVAL;
		goto fail;
	}
	INIT_DELAYED_WORK(&xf_sweep_work, xf_sweep);
	schedule_delayed_work(&xf_sweep_work, HZ);
	return 0;
fail:
	kvfree(slots);
	kvfree(entries);
	kvfree(buckets);
	return err;
}

void xf_cache_kexit(void)
{
	cancel_delayed_work_sync(&xf_sweep_work);
	spin_lock_bh(&xf_cache_lock);
	xf_cache_flush(&xf_vcache);
	spin_unlock_bh(&xf_cache_lock);
	rcu_barrier();	/* no xf_limbo_done_rcu() still to run */
	kvfree(xf_vcache.slots);
	kvfree(xf_vcache.entries);
	kvfree(xf_vcache.buckets);
}
