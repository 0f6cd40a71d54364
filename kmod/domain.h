/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-domain state: settings, counters and the batch queue.
 */
#ifndef XF_KMOD_DOMAIN_H
#define XF_KMOD_DOMAIN_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <uapi/linux/xfilter.h>

#include "cache.h"
#include "rule.h"

#define XF_PENDING_BITS		6

struct xf_dom_stats {
	u64 c[__XFILTER_STATS_A_LAST];	/* indexed by enum xfilter_stats_attr */
};

/*
 * Flows of one domain waiting for a verdict and their held packets. Every
 * field is under lock (taken from softirq by the hook and with BHs off
 * elsewhere). The work item is the only place that notifies and expires.
 * Packets are re-injected by the work item or by the sender of verdicts,
 * always under drain_mutex, so re-injection of a domain's packets is never
 * concurrent with itself and keeps order.
 */
struct xf_queue {
	spinlock_t lock;		/* every field below; BH-safe */
	struct hlist_head hash[1 << XF_PENDING_BITS];
	struct xf_batch *open;		/* collecting flows */
	struct list_head batches;	/* closed, oldest first */
	struct list_head resolved;	/* flows with a verdict, to drain */
	u32 held_pkts;
	u32 held_bytes;
	u32 n_pending;			/* READ_ONCE by the hook */
	u32 next_batch_id;
	u32 next_flow_id;
	bool dying;
	struct timer_list timer;
	struct work_struct work;
	struct mutex drain_mutex;	/* one drainer at a time: order */
};

/* Detector settings (XFILTER_DOMAIN_A_DETECT ..); fields READ_ONCE. */
struct xf_detect_set {
	u8 mode;		/* enum xfilter_detect */
	u32 window_ms;
	u32 ports, hosts, flows;	/* thresholds, 0: off */
	u32 unattributed;	/* unattributed new flows of the domain, 0: off */
	u32 block_ms;		/* lifetime of block-mode rules */
};

struct xf_detect_table;
struct xf_blocks;
struct xf_frag_table;

struct xf_domain {
	u32 domid;
	u32 users;		/* vifs and holders; under xf_domains_mutex */
	bool own;		/* has settings of its own */
	u8 mode;		/* enum xfilter_mode, if own */
	u8 fail;		/* XF_ACT_ACCEPT or XF_ACT_DROP, if own */
	unsigned long hv_asked;	/* jiffies: last profile request (hypercall.c) */
	/*
	 * Its share of receive-path time for hypervisor checks (verdict.c):
	 * the ktime_get_ns() its share is spent up to.
	 */
	atomic64_t hv_inline_tat;
	struct xf_detect_set det;	/* if own */
	/*
	 * Per-owner windows of the detector: allocated (process context)
	 * when detection is first turned on for the domain or the default,
	 * published with smp_store_release, freed at module exit; its
	 * contents are under q.lock.
	 */
	struct xf_detect_table *det_table;
	/* Rules of detection in block mode (block.c), under RCU. */
	struct xf_blocks __rcu *blocks;
	struct xf_dom_stats __percpu *stats;
	/*
	 * Log rate limit (netlink.c): messages in the second that began at
	 * log_start, and those left out since the last one sent. Updated
	 * from any CPU without a lock: a race lets a message more through.
	 */
	unsigned long log_start;
	atomic_t log_sent;
	atomic_t log_left_out;
	/* Its share of the verdict cache, under the cache's lock (cache.c). */
	struct xf_cache_dom cache;
	struct xf_queue q;
	struct rcu_head rcu;
	/* First fragments' verdicts (frag.c), under frag_lock. */
	spinlock_t frag_lock;
	struct xf_frag_table *frags;
};

/* Settings of domains without their own (XFILTER_DOMID_DEFAULT). */
extern u8 xf_default_mode;
extern u8 xf_default_fail;
extern struct xf_detect_set xf_default_detect;

static inline u8 xf_domain_mode(const struct xf_domain *dom)
{
	return READ_ONCE(dom->own) ? READ_ONCE(dom->mode) :
				     READ_ONCE(xf_default_mode);
}

static inline u8 xf_domain_fail(const struct xf_domain *dom)
{
	return READ_ONCE(dom->own) ? READ_ONCE(dom->fail) :
				     READ_ONCE(xf_default_fail);
}

static inline void xf_dom_stat(struct xf_domain *dom, int idx, u64 n)
{
	this_cpu_add(dom->stats->c[idx], n);
}

void xf_domains_exit(void);
/*
 * Process context. xf_domain_get() finds or creates, xf_domain_hold() only
 * finds; both take a reference that xf_domain_put() drops (a domain
 * without settings of its own goes with its last reference).
 */
struct xf_domain *xf_domain_get(u32 domid);
struct xf_domain *xf_domain_hold(u32 domid);
void xf_domain_put(struct xf_domain *dom);
/* Process context: fn on every domain (they stay), stop at an error. */
int xf_domains_for_each(int (*fn)(struct xf_domain *dom, void *arg),
			void *arg);
/* How many domain records exist (STATS_GET: a leak shows here). */
unsigned int xf_domains_number(void);
/* Under RCU; the domain may be going (no reference taken). */
struct xf_domain *xf_domain_find(u32 domid);
/* Next domain with id >= *domid, for dumps; NULL at the end. */
struct xf_domain *xf_domain_next(unsigned long *domid);
void xf_domain_stats_read(struct xf_domain *dom, u64 *c);

#endif /* XF_KMOD_DOMAIN_H */
