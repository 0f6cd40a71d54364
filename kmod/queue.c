// SPDX-License-Identifier: GPL-2.0
/*
 * Per-domain batch queues.
 *
 * A packet whose flow needs an owner is held in a struct xf_pending, and
 * every later packet of the same flow is held behind it, so order within
 * the flow is kept. New pending flows are collected in the domain's open
 * batch. As NAPI does, a flow that finds the domain's verdict source idle
 * (no batch of the domain unanswered) is sent at once, in a batch of its
 * own: a lone new connection waits for no timer. Flows that arrive while
 * the source is busy collect in the open batch, which is sent as soon as
 * the source is idle again, when it holds batch_flows flows, or at the
 * latest batch_delay_us after it was opened; its verdict source is told
 * (verdict.c). Flows still unanswered verdict_timeout_ms after that get the
 * domain's fail policy. The queue is bounded by queue_packets and
 * queue_bytes per domain, and all domains' held packets by held_bytes_max
 * together (N guests do not pin N times queue_bytes of dom0's memory);
 * beyond that, new packets get the fail policy at once (counted as
 * overflow; with an accepting fail policy such a packet can overtake held
 * packets of its own flow). Near the packet bound, new flows are refused
 * early at random (xf_queue_admit_new), so a flood does not take every
 * slot from the guest's other users.
 *
 * Guest frames from xen-netback carry frags that are the guest's own pages,
 * grant-mapped: holding them would hold the guest's transmit slots. They
 * are copied (skb_orphan_frags_rx) before being held; if the copy fails or
 * the skb is shared, the packet is held as is, which the verdict timeout
 * bounds.
 *
 * Re-injection and freeing of held packets happen one packet at a time,
 * taking each from the head of its flow: a packet arriving meanwhile still
 * finds the pending entry (it is removed only once empty, under the lock,
 * together with the cache insert) and queues behind. They are done by the
 * domain's work item, or, for verdicts from xfilterd, in the context that
 * sent them (xf_queue_drain_now): waking the work item would cost one more
 * wake-up of a thread on every new flow, and on a dom0 with one busy vCPU
 * that wait is part of the connection's setup time. drain_mutex keeps one
 * drainer at a time, so order holds either way.
 */
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "cache.h"
#include "compat.h"
#include "detect.h"
#include "filter.h"
#include "frag.h"
#include "mirror.h"
#include "netlink.h"
#include "queue.h"
#include "rules.h"
#include "verdict.h"

static unsigned int xf_batch_flows = 32;
module_param_named(batch_flows, xf_batch_flows, uint, 0644);
MODULE_PARM_DESC(batch_flows, "flows per batch before it is sent (1..256, default 32)");

static unsigned int xf_batch_delay_us = 2000;
module_param_named(batch_delay_us, xf_batch_delay_us, uint, 0644);
MODULE_PARM_DESC(batch_delay_us, "max us a batch collects flows while the source is busy (default 2000)");

static bool xf_batch_idle_send = true;
module_param_named(batch_idle_send, xf_batch_idle_send, bool, 0644);
MODULE_PARM_DESC(batch_idle_send, "send a new flow at once when the verdict source is idle (default Y; N: every batch waits batch_delay_us)");

static unsigned int xf_queue_packets = 1024;
module_param_named(queue_packets, xf_queue_packets, uint, 0644);
MODULE_PARM_DESC(queue_packets, "held packets per domain (default 1024)");

static unsigned int xf_queue_bytes = 4 << 20;
module_param_named(queue_bytes, xf_queue_bytes, uint, 0644);
MODULE_PARM_DESC(queue_bytes, "held bytes per domain (default 4 MiB)");

static unsigned long xf_held_bytes_max = 64 << 20;
module_param_named(held_bytes_max, xf_held_bytes_max, ulong, 0644);
MODULE_PARM_DESC(held_bytes_max, "held bytes of all domains together (default 64 MiB)");
/* Bytes held by all domains: added under each domain's own q->lock. */
static atomic_long_t xf_held_bytes_all = ATOMIC_LONG_INIT(0);

static unsigned int xf_verdict_timeout_ms = 500;
module_param_named(verdict_timeout_ms, xf_verdict_timeout_ms, uint, 0644);
MODULE_PARM_DESC(verdict_timeout_ms, "ms to wait for a verdict before the fail policy (default 500)");

#define XF_BATCH_FLOWS_MAX 256
#define XF_RETRY_MS 20		/* a source not ready: ask again after */

struct xf_batch {
	struct list_head link;		/* q->batches */
	struct list_head flows;		/* unanswered xf_pending */
	u32 id;
	u32 n;				/* flows when closed */
	unsigned long flush_at;
	unsigned long deadline;
	bool closed;
	bool notified;
	unsigned long retry_at;		/* not before (source not ready) */
};

struct xf_pending {
	struct hlist_node hnode;	/* q->hash */
	struct list_head link;		/* batch->flows or q->resolved */
	struct xf_batch *batch;		/* NULL once resolved */
	struct sk_buff_head held;	/* its lock is unused: q->lock */
	struct xf_flow flow;		/* of the first packet */
	struct xf_verdict v;
	u8 source;			/* enum xfilter_source */
	bool cacheable;
	bool log;			/* xf_nl_log() it from the drain */
	u32 id;
	u64 born_ns;			/* first packet held: latency figures */
};

static struct workqueue_struct *xf_wq;
/* Keyed: a guest must not be able to put its pending flows in one chain. */
static siphash_key_t xf_pending_key __read_mostly;

static u32 xf_key_hash(const struct xf_flow_key *k)
{
	return siphash(k, sizeof(*k), &xf_pending_key) &
	       ((1 << XF_PENDING_BITS) - 1);
}

static struct xf_pending *xf_pending_find(struct xf_queue *q,
					  const struct xf_flow_key *k)
{
	struct xf_pending *p;

	hlist_for_each_entry(p, &q->hash[xf_key_hash(k)], hnode)
		if (!memcmp(&p->flow.key, k, sizeof(*k)))
			return p;
	return NULL;
}

static void xf_queue_timer(struct timer_list *t)
{
	struct xf_queue *q = xf_from_timer(q, t, timer);

	queue_work(xf_wq, &q->work);
}

static void xf_queue_arm(struct xf_queue *q, unsigned long when)
{
	if (!timer_pending(&q->timer) || time_before(when, q->timer.expires))
		mod_timer(&q->timer, when);
}

static void xf_batch_close(struct xf_queue *q, struct xf_batch *b)
{
	b->closed = true;
	b->deadline = jiffies + msecs_to_jiffies(READ_ONCE(xf_verdict_timeout_ms));
	list_add_tail(&b->link, &q->batches);
	q->open = NULL;
}

/* Under q->lock: the closed batch batch_id, or NULL (answered, expired). */
static struct xf_batch *xf_batch_find(struct xf_queue *q, u32 batch_id)
{
	struct xf_batch *b;

	list_for_each_entry(b, &q->batches, link)
		if (b->id == batch_id)
			return b;
	return NULL;
}

/* Under q->lock: b's unanswered flow flow_id, or NULL. */
static struct xf_pending *xf_batch_flow(struct xf_batch *b, u32 flow_id)
{
	struct xf_pending *p;

	list_for_each_entry(p, &b->flows, link)
		if (p->id == flow_id)
			return p;
	return NULL;
}

/*
 * Under q->lock: p (and b, unless a batch is open) allocated by the caller
 * out of the lock become a pending flow; *pp and *bp are consumed (NULL).
 * *notify_id: a batch the caller tells the source of once out of the lock.
 */
static struct xf_pending *xf_pending_new(struct xf_queue *q,
					 const struct xf_flow *flow,
					 struct xf_pending **pp,
					 struct xf_batch **bp, u32 *notify_id)
{
	struct xf_batch *b = q->open;
	struct xf_pending *p = *pp;
	bool opened = false, idle;

	*pp = NULL;
	if (!b) {
		b = *bp;
		*bp = NULL;
		INIT_LIST_HEAD(&b->flows);
		INIT_LIST_HEAD(&b->link);
		/* Never 0 (xfilterd's "none"). */
		b->id = ++q->next_batch_id ?: ++q->next_batch_id;
		b->flush_at = jiffies +
			usecs_to_jiffies(READ_ONCE(xf_batch_delay_us));
		q->open = b;
		opened = true;
	}
	__skb_queue_head_init(&p->held);
	p->flow = *flow;
	p->id = ++q->next_flow_id;
	p->born_ns = ktime_get_ns();
	p->batch = b;
	list_add_tail(&p->link, &b->flows);
	hlist_add_head(&p->hnode, &q->hash[xf_key_hash(&flow->key)]);
	WRITE_ONCE(q->n_pending, q->n_pending + 1);
	b->n++;
	/*
	 * An idle source gets the flow now; a busy one the batch later. Now
	 * means from here, for a source told by a multicast (xfilterd): from
	 * the work item, it would first wait for a kworker to be scheduled.
	 */
	idle = READ_ONCE(xf_batch_idle_send) && list_empty(&q->batches);
	if (idle &&
	    xf_verdict_source_atomic(container_of(q, struct xf_domain, q))) {
		xf_batch_close(q, b);
		b->notified = true;
		xf_queue_arm(q, b->deadline);
		*notify_id = b->id;
	} else if (idle || b->n >= clamp_t(u32, READ_ONCE(xf_batch_flows), 1,
					   XF_BATCH_FLOWS_MAX)) {
		xf_batch_close(q, b);
		queue_work(xf_wq, &q->work);
	} else if (opened) {
		xf_queue_arm(q, b->flush_at);
	}
	return p;
}

/*
 * Under q->lock: whether a new flow may be held. Past 3/4 of queue_packets
 * it is refused with a chance that grows to 1 at the bound, as RED does.
 * With a plain bound, the slots a whole answered batch frees are all taken
 * by the next burst of a flood, and another user of the same guest, whose
 * new flow arrives at any other moment, finds the queue full every time
 * (owners are not known yet, so this is the only fair share there is:
 * every new flow of the domain gets the same chance).
 */
static bool xf_queue_admit_new(const struct xf_queue *q)
{
	u32 max = READ_ONCE(xf_queue_packets);
	u32 lo = max - max / 4;

	if (q->held_pkts < lo)
		return true;
	if (q->held_pkts >= max)
		return false;
	return ((u64)get_random_u32() * (max - lo) >> 32) >=
	       q->held_pkts - lo;
}

/*
 * Tell the source of batch_id at once, from the receive path (see
 * xf_pending_new()). What was not sent goes back to the work item, as
 * after a mode change meanwhile; a notice sent but lost to a full socket
 * (-ENOBUFS) is not sent again: xfilterd sweeps after an overrun.
 */
static void xf_batch_notify_now(struct xf_domain *dom, u32 batch_id)
{
	struct xf_queue *q = &dom->q;
	struct xf_batch *b;
	int err;

	err = xf_verdict_submit_atomic(dom, batch_id, 1);
	if (!err || err == -ENOBUFS)
		return;
	spin_lock(&q->lock);
	b = xf_batch_find(q, batch_id);
	if (b)
		b->notified = false;
	if (!q->dying)
		queue_work(xf_wq, &q->work);
	spin_unlock(&q->lock);
}

/*
 * Holds skb behind its flow's pending verdict (a new pending flow unless
 * only_existing): 1 if held. Allocations and the copy of the guest's
 * grant-mapped frags happen out of q->lock, which the receive path of
 * every vif of the domain takes: when they turn out to be needed, the
 * lock is dropped, they are done, and the decision is taken again (at
 * most once more: nothing is needed twice).
 */
int xf_queue_hold(struct xf_domain *dom, struct sk_buff *skb,
		  const struct xf_flow *flow, bool only_existing)
{
	struct xf_queue *q = &dom->q;
	struct xf_pending *p, *new_p = NULL;
	struct xf_batch *new_b = NULL;
	bool orphaned = skb_shared(skb) || !skb_zcopy(skb);
	u32 notify_id = 0;
	int ret = 1;

again:
	spin_lock(&q->lock);
	if (q->dying) {
		ret = only_existing ? 0 : -ENOMEM;
		goto out;
	}
	p = xf_pending_find(q, &flow->key);
	if (!p && only_existing) {
		ret = 0;
		goto out;
	}
	if (q->held_pkts >= READ_ONCE(xf_queue_packets) ||
	    q->held_bytes + skb->len > READ_ONCE(xf_queue_bytes) ||
	    (!p && !xf_queue_admit_new(q))) {
		ret = -ENOSPC;
		goto out;
	}
	if (!orphaned || (!p && (!new_p || (!q->open && !new_b)))) {
		/* A batch only if none is open: most new flows join one. */
		bool need_b = !p && !q->open;

		spin_unlock(&q->lock);
		/* Release the guest's grant-mapped frags before holding. */
		if (!orphaned) {
			if (skb_orphan_frags_rx(skb, GFP_ATOMIC))
				goto nomem;
			orphaned = true;
		}
		if (!p) {
			if (!new_p)
				new_p = kzalloc(sizeof(*new_p),
						GFP_ATOMIC | __GFP_NOWARN);
			if (need_b && !new_b)
				new_b = kzalloc(sizeof(*new_b),
						GFP_ATOMIC | __GFP_NOWARN);
			if (!new_p || (need_b && !new_b))
				goto nomem;
		}
		goto again;
	}
	if (atomic_long_add_return(skb->len, &xf_held_bytes_all) >
	    READ_ONCE(xf_held_bytes_max)) {
		atomic_long_sub(skb->len, &xf_held_bytes_all);
		ret = -ENOSPC;
		goto out;
	}
	if (!p)
		p = xf_pending_new(q, flow, &new_p, &new_b, &notify_id);
	__skb_queue_tail(&p->held, skb);
	q->held_pkts++;
	q->held_bytes += skb->len;
	xf_dom_stat(dom, XFILTER_STATS_A_QUEUED, 1);
out:
	spin_unlock(&q->lock);
	kfree(new_p);
	kfree(new_b);
	if (notify_id)
		xf_batch_notify_now(dom, notify_id);
	return ret;
nomem:
	kfree(new_p);
	kfree(new_b);
	return -ENOMEM;
}

/* Under q->lock: give p its verdict and move it to the drain list. */
static void xf_pending_resolve(struct xf_queue *q, struct xf_pending *p,
			       const struct xf_verdict *v, u8 source,
			       bool cacheable)
{
	struct xf_batch *b = p->batch;

	/* Its later fragments follow it (filter.c), once it has a verdict. */
	xf_frag_note_k(container_of(q, struct xf_domain, q), &p->flow, v);
	p->v = *v;
	p->source = source;
	p->cacheable = cacheable;
	p->batch = NULL;
	list_move_tail(&p->link, &q->resolved);
	if (b && b->n)
		b->n--;
}

/*
 * Under q->lock: a closed batch without unanswered flows goes. When it was
 * the last one the source had, the flows that collected meanwhile are sent.
 */
static void xf_batch_maybe_free(struct xf_queue *q, struct xf_batch *b)
{
	if (!b->closed || !list_empty(&b->flows))
		return;
	list_del(&b->link);
	kfree(b);
	if (q->open && list_empty(&q->batches) && !q->dying &&
	    READ_ONCE(xf_batch_idle_send)) {
		xf_batch_close(q, q->open);
		queue_work(xf_wq, &q->work);
	}
}

/* Under q->lock: every flow of b gets the fail policy. */
static void xf_batch_fail(struct xf_domain *dom, struct xf_batch *b,
			  u8 source)
{
	struct xf_pending *p, *tmp;
	struct xf_verdict v = {
		.action = xf_domain_fail(dom),
		.rule = XF_RULE_NONE,
	};
	int idx = source == XFILTER_SOURCE_FAIL_ABSENT ?
		  XFILTER_STATS_A_FAIL_ABSENT : XFILTER_STATS_A_FAIL_TIMEOUT;

	list_for_each_entry_safe(p, tmp, &b->flows, link) {
		xf_dom_stat(dom, idx, 1);
		xf_pending_resolve(&dom->q, p, &v, source, false);
		/* Logged by the drain: no allocation under q->lock. */
		p->log = true;
	}
	xf_batch_maybe_free(&dom->q, b);
}

int xf_queue_verdict(struct xf_domain *dom, u32 batch_id, u32 flow_id,
		     const struct xf_owner *owner, int action)
{
	struct xf_queue *q = &dom->q;
	struct xf_flow_key key;
	struct xf_pending *p;
	struct xf_batch *b;
	struct xf_verdict v;
	u8 source;

	spin_lock_bh(&q->lock);
	b = xf_batch_find(q, batch_id);
	p = b ? xf_batch_flow(b, flow_id) : NULL;
	if (p) {
		source = xf_verdict_decide(dom, &p->flow, owner, action, &v);
		key = p->flow.key;
		xf_pending_resolve(q, p, &v, source, true);
		xf_batch_maybe_free(q, b);
		spin_unlock_bh(&q->lock);
		/*
		 * Every source verdict: xfctl monitor shows them. Its
		 * allocation is out of the lock the receive path takes.
		 */
		xf_nl_log(dom, &key, &v, source, owner);
		return 0;
	}
	spin_unlock_bh(&q->lock);
	xf_dom_stat(dom, XFILTER_STATS_A_LATE_VERDICTS, 1);
	return -ENOENT;
}

/*
 * Copy the unanswered flows of batch batch_id (keys and flow ids, at most
 * max) for a source that answers from the kernel (the hypervisor).
 * Returns how many, or -ENOENT if there is no such batch.
 */
int xf_queue_batch_flows(struct xf_domain *dom, u32 batch_id,
			 struct xf_flow_key *keys, u32 *ids, u32 max)
{
	struct xf_queue *q = &dom->q;
	struct xf_pending *p;
	struct xf_batch *b;
	int n = -ENOENT;

	spin_lock_bh(&q->lock);
	b = xf_batch_find(q, batch_id);
	if (b) {
		n = 0;
		list_for_each_entry(p, &b->flows, link) {
			if (n == max)
				break;
			keys[n] = p->flow.key;
			ids[n++] = p->id;
		}
	}
	spin_unlock_bh(&q->lock);
	return n;
}

/*
 * The source could not answer batch_id yet (the hypervisor has no profile
 * of the guest loaded): submit it again after delay_ms, to whatever source
 * the domain has then, until its verdict deadline. Process context.
 */
void xf_queue_batch_retry(struct xf_domain *dom, u32 batch_id,
			  unsigned int delay_ms)
{
	struct xf_queue *q = &dom->q;
	struct xf_batch *b;

	spin_lock_bh(&q->lock);
	b = xf_batch_find(q, batch_id);
	if (b) {
		/* jiffies 0 means "no retry": avoid it. */
		b->retry_at = (jiffies + msecs_to_jiffies(delay_ms)) ?: 1;
		b->notified = false;
		if (!q->dying)
			xf_queue_arm(q, time_before(b->retry_at, b->deadline) ?
					b->retry_at : b->deadline);
	}
	spin_unlock_bh(&q->lock);
}

void xf_queue_kick(struct xf_domain *dom)
{
	queue_work(xf_wq, &dom->q.work);
}

/*
 * Under q->drain_mutex: re-inject or free the packets of resolved flows, in
 * order, at most budget of them. Returns true if some are left.
 */
static bool xf_queue_drain(struct xf_domain *dom, unsigned int budget)
{
	struct xf_queue *q = &dom->q;
	struct xf_ruleset *rs;
	struct xf_flow_key key;
	struct xf_pending *p;
	struct xf_verdict v;
	struct sk_buff *skb;
	bool accept;
	u8 source;

	lockdep_assert_held(&q->drain_mutex);
	for (;;) {
		cond_resched();
		spin_lock_bh(&q->lock);
		p = list_first_entry_or_null(&q->resolved, struct xf_pending,
					     link);
		if (!p || !budget) {
			spin_unlock_bh(&q->lock);
			return p;
		}
		if (p->log) {
			p->log = false;
			key = p->flow.key;
			v = p->v;
			source = p->source;
			spin_unlock_bh(&q->lock);
			xf_nl_log(dom, &key, &v, source, NULL);
			continue;
		}
		skb = __skb_dequeue(&p->held);
		if (!skb) {
			/* Empty: from now on the cache decides this flow. */
			if (p->cacheable && !xf_cache_insert_k(&p->flow, &p->v) &&
			    xf_cache_short(&p->flow, &p->v))
				xf_dom_stat(dom, XFILTER_STATS_A_UNATTRIBUTED_CACHED,
					    1);
			hlist_del(&p->hnode);
			list_del(&p->link);
			WRITE_ONCE(q->n_pending, q->n_pending - 1);
			spin_unlock_bh(&q->lock);
			kfree(p);
			continue;
		}
		q->held_pkts--;
		q->held_bytes -= skb->len;
		atomic_long_sub(skb->len, &xf_held_bytes_all);
		budget--;
		accept = !xf_action_drops(p->v.action);
		spin_unlock_bh(&q->lock);

		rcu_read_lock();
		rs = xf_ruleset_get();
		xf_rules_account(&rs->t, &p->v, skb->len);
		rcu_read_unlock();
		local_bh_disable();
		if (p->v.mirror) {
			rcu_read_lock();
			xf_mirror_skb(p->v.mirror, skb);
			rcu_read_unlock();
		}
		if (accept) {
			xf_dom_stat(dom, XFILTER_STATS_A_ACCEPTED, 1);
			xf_hook_reinject(skb);
		} else {
			xf_dom_stat(dom, XFILTER_STATS_A_DROPPED, 1);
			kfree_skb(skb);
		}
		local_bh_enable();
	}
}

struct xf_notice {
	u32 id;
	u32 n;
};

/* Under q->lock: the batch's source said "not yet" and its time is not up. */
static bool xf_batch_waits(const struct xf_batch *b, unsigned long now)
{
	return b->retry_at && time_before(now, b->retry_at);
}

static void xf_queue_work(struct work_struct *work)
{
	struct xf_queue *q = container_of(work, struct xf_queue, work);
	struct xf_domain *dom = container_of(q, struct xf_domain, q);
	struct xf_notice notices[8];
	unsigned long now, next = 0;
	struct xf_batch *b, *tmp;
	bool present, again;
	int i, n = 0;

	present = xf_verdict_source_present(dom);
	spin_lock_bh(&q->lock);
	now = jiffies;
	if (q->open && time_after_eq(now, q->open->flush_at))
		xf_batch_close(q, q->open);
	list_for_each_entry_safe(b, tmp, &q->batches, link) {
		if (!b->notified && !present) {
			b->notified = true;
			xf_batch_fail(dom, b, XFILTER_SOURCE_FAIL_ABSENT);
			continue;
		}
		if (!b->notified && xf_batch_waits(b, now)) {
			/* Its source asked for time (xf_queue_batch_retry). */
			if (time_after_eq(now, b->deadline)) {
				xf_batch_fail(dom, b, XFILTER_SOURCE_FAIL_TIMEOUT);
				continue;
			}
			if (!next || time_before(b->retry_at, next))
				next = b->retry_at;
			continue;
		}
		if (!b->notified && n < ARRAY_SIZE(notices)) {
			b->notified = true;
			notices[n].id = b->id;
			notices[n++].n = b->n;
		}
		if (time_after_eq(now, b->deadline)) {
			xf_batch_fail(dom, b, XFILTER_SOURCE_FAIL_TIMEOUT);
			continue;
		}
		if (!next || time_before(b->deadline, next))
			next = b->deadline;
	}
	if (q->open && (!next || time_before(q->open->flush_at, next)))
		next = q->open->flush_at;
	again = false;
	list_for_each_entry(b, &q->batches, link)
		if (!b->notified && !xf_batch_waits(b, now))
			again = true;
	if (next && !q->dying)
		xf_queue_arm(q, next);
	spin_unlock_bh(&q->lock);

	for (i = 0; i < n; i++) {
		int err = xf_verdict_submit(dom, notices[i].id, notices[i].n);

		if (err == -EAGAIN)	/* source not ready for this domain */
			xf_queue_batch_retry(dom, notices[i].id, XF_RETRY_MS);
		else if (err)
			again = true;	/* failed ones time out */
	}
	mutex_lock(&q->drain_mutex);
	xf_queue_drain(dom, UINT_MAX);
	mutex_unlock(&q->drain_mutex);
	if (again && !READ_ONCE(q->dying))
		queue_work(xf_wq, &q->work);
}

/*
 * At most this many packets are re-injected by the sender of verdicts
 * (under genl_mutex, which every non-parallel family shares); the work item
 * takes the rest.
 */
#define XF_DRAIN_NOW_BUDGET	64

void xf_queue_drain_now(struct xf_domain *dom)
{
	struct xf_queue *q = &dom->q;
	bool left;

	/* A drainer at work takes these too, or kicks again (below). */
	if (!mutex_trylock(&q->drain_mutex)) {
		xf_queue_kick(dom);
		return;
	}
	left = xf_queue_drain(dom, XF_DRAIN_NOW_BUDGET);
	mutex_unlock(&q->drain_mutex);
	if (left)
		xf_queue_kick(dom);
}

void xf_queue_init(struct xf_domain *dom)
{
	struct xf_queue *q = &dom->q;

	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->batches);
	INIT_LIST_HEAD(&q->resolved);
	timer_setup(&q->timer, xf_queue_timer, 0);
	INIT_WORK(&q->work, xf_queue_work);
	mutex_init(&q->drain_mutex);
	/*
	 * Not from 1: a domain record made again (module reloaded, domid
	 * reused) must not repeat ids xfilterd remembers as answered.
	 */
	q->next_batch_id = get_random_u32();
}

/* Under q->lock: free held packets matching dev (all if NULL). */
static void xf_queue_free_held(struct xf_domain *dom, struct net_device *dev)
{
	struct xf_queue *q = &dom->q;
	struct sk_buff *skb, *tmp;
	struct xf_pending *p;
	int i;

	for (i = 0; i < ARRAY_SIZE(q->hash); i++) {
		hlist_for_each_entry(p, &q->hash[i], hnode) {
			skb_queue_walk_safe(&p->held, skb, tmp) {
				if (dev && skb->dev != dev)
					continue;
				__skb_unlink(skb, &p->held);
				q->held_pkts--;
				q->held_bytes -= skb->len;
				atomic_long_sub(skb->len, &xf_held_bytes_all);
				xf_dom_stat(dom, XFILTER_STATS_A_DROPPED, 1);
				kfree_skb(skb);
			}
		}
	}
}

void xf_queue_purge_dev(struct xf_domain *dom, struct net_device *dev)
{
	spin_lock_bh(&dom->q.lock);
	xf_queue_free_held(dom, dev);
	spin_unlock_bh(&dom->q.lock);
	/* A packet being re-injected right now still points at dev. */
	flush_work(&dom->q.work);
	mutex_lock(&dom->q.drain_mutex);
	mutex_unlock(&dom->q.drain_mutex);
}

void xf_queue_fini(struct xf_domain *dom)
{
	struct xf_queue *q = &dom->q;
	struct hlist_node *tmp;
	struct xf_pending *p;
	struct xf_batch *b, *btmp;
	int i;

	spin_lock_bh(&q->lock);
	q->dying = true;
	spin_unlock_bh(&q->lock);
	timer_delete_sync(&q->timer);
	cancel_work_sync(&q->work);

	spin_lock_bh(&q->lock);
	xf_queue_free_held(dom, NULL);
	for (i = 0; i < ARRAY_SIZE(q->hash); i++) {
		hlist_for_each_entry_safe(p, tmp, &q->hash[i], hnode) {
			hlist_del(&p->hnode);
			list_del(&p->link);
			kfree(p);
		}
	}
	list_for_each_entry_safe(b, btmp, &q->batches, link) {
		list_del(&b->link);
		kfree(b);
	}
	kfree(q->open);
	q->open = NULL;
	q->n_pending = 0;
	spin_unlock_bh(&q->lock);
}

static int xf_put_pending(struct sk_buff *msg, const struct xf_pending *p,
			  bool in_batch)
{
	u64 age_us = div_u64(ktime_get_ns() - p->born_ns, NSEC_PER_USEC);

	if (xf_nl_put_key(msg, &p->flow.key) ||
	    nla_put_u32(msg, XFILTER_FLOW_A_AGE_US, min_t(u64, age_us, U32_MAX)) ||
	    nla_put_u32(msg, XFILTER_FLOW_A_ID, p->id) ||
	    nla_put_u32(msg, XFILTER_FLOW_A_HELD, skb_queue_len(&p->held)) ||
	    nla_put_u8(msg, XFILTER_FLOW_A_TCP_FLAGS, p->flow.tcp_flags))
		return -EMSGSIZE;
	if (!in_batch &&
	    nla_put_u8(msg, XFILTER_FLOW_A_STATE, XFILTER_FLOW_PENDING))
		return -EMSGSIZE;
	return 0;
}

int xf_queue_put_batch(struct xf_domain *dom, struct sk_buff *msg,
		       bool any, u32 batch_id)
{
	struct xf_queue *q = &dom->q;
	struct nlattr *flows, *f;
	struct xf_pending *p;
	struct xf_batch *b;
	int i = 0, err = -ENOENT;

	spin_lock_bh(&q->lock);
	list_for_each_entry(b, &q->batches, link) {
		if (list_empty(&b->flows) || (!any && b->id != batch_id))
			continue;
		err = -EMSGSIZE;
		if (nla_put_u32(msg, XFILTER_A_DOMID, dom->domid) ||
		    nla_put_u32(msg, XFILTER_A_BATCH_ID, b->id) ||
		    nla_put_u64_64bit(msg, XFILTER_A_TIME_NS, ktime_get_ns(),
				      XFILTER_A_PAD))
			break;
		flows = nla_nest_start(msg, XFILTER_A_FLOWS);
		if (!flows)
			break;
		list_for_each_entry(p, &b->flows, link) {
			f = nla_nest_start(msg, i++);
			if (!f || xf_put_pending(msg, p, true))
				goto out;
			nla_nest_end(msg, f);
		}
		nla_nest_end(msg, flows);
		err = 0;
		break;
	}
out:
	spin_unlock_bh(&q->lock);
	return err;
}

int xf_queue_dump(struct xf_domain *dom, struct sk_buff *skb,
		  struct netlink_callback *cb)
{
	struct xf_queue *q = &dom->q;
	struct xf_pending *p;
	struct nlattr *nest;
	long n = 0;
	void *hdr;
	int i, ret = 0;

	spin_lock_bh(&q->lock);
	for (i = 0; i < ARRAY_SIZE(q->hash); i++) {
		hlist_for_each_entry(p, &q->hash[i], hnode) {
			if (n++ < cb->args[3])
				continue;
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, &xf_genl_family,
					  NLM_F_MULTI, XFILTER_CMD_FLOW_GET);
			if (!hdr)
				goto full;
			nest = nla_nest_start(skb, XFILTER_A_FLOW);
			if (!nest || xf_put_pending(skb, p, false)) {
				genlmsg_cancel(skb, hdr);
				goto full;
			}
			nla_nest_end(skb, nest);
			genlmsg_end(skb, hdr);
			cb->args[3] = n;
		}
	}
	cb->args[3] = 0;
	goto out;
full:
	ret = 1;
out:
	spin_unlock_bh(&q->lock);
	return ret;
}

int xf_queue_module_init(void)
{
	get_random_bytes(&xf_pending_key, sizeof(xf_pending_key));
	/*
	 * Not WQ_HIGHPRI, though a held packet waits for this work twice (to
	 * reach its source, to be re-injected): at nice -20 it took dom0's
	 * CPU from netback and the guests' other traffic under load (make
	 * bench, one dom0 vCPU: hv-nocache at 50 req/s went from 1.9x to 61x
	 * the no-filter connection time).
	 */
	xf_wq = alloc_workqueue("xfilter", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return xf_wq ? 0 : -ENOMEM;
}

void xf_queue_module_exit(void)
{
	/* Every domain is gone: a byte still counted was lost track of. */
	WARN_ON(atomic_long_read(&xf_held_bytes_all));
	destroy_workqueue(xf_wq);
}
