/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-domain batch queues: flows waiting for a verdict from the domain's
 * verdict source, their packets held in order behind the first one.
 */
#ifndef XF_KMOD_QUEUE_H
#define XF_KMOD_QUEUE_H

#include "domain.h"
#include "hook.h"
#include "../core/flow.h"
#include "../core/owner.h"

struct sk_buff;
struct genl_info;

void xf_queue_init(struct xf_domain *dom);
/* Drop everything held, stop timer and work. Process context. */
void xf_queue_fini(struct xf_domain *dom);
/* Drop what is held for packets received on dev (vif going away). */
void xf_queue_purge_dev(struct xf_domain *dom, struct net_device *dev);

/*
 * Softirq. Hold skb behind its flow's pending entry; if there is none,
 * create one only if !only_existing. Returns 1 if held (skb is ours now),
 * 0 if not held (only_existing and no pending flow), -ENOSPC when the
 * queue is full, -ENOMEM; on anything but 1 the caller still owns skb.
 */
int xf_queue_hold(struct xf_domain *dom, struct sk_buff *skb,
		  const struct xf_flow *flow, bool only_existing);

/*
 * Answer one flow of a batch (netlink VERDICT): owner may be NULL
 * (unattributed), action < 0 means "match the rules". Returns 0, or
 * -ENOENT for an unknown batch/flow (late: already timed out).
 */
int xf_queue_verdict(struct xf_domain *dom, u32 batch_id, u32 flow_id,
		     const struct xf_owner *owner, int action);
/* Keys and ids of batch_id's unanswered flows (at most max): n or -ENOENT. */
int xf_queue_batch_flows(struct xf_domain *dom, u32 batch_id,
			 struct xf_flow_key *keys, u32 *ids, u32 max);
/* Submit batch_id again in delay_ms (its source was not ready). */
void xf_queue_batch_retry(struct xf_domain *dom, u32 batch_id,
			  unsigned int delay_ms);
/* Kick the work item (verdicts given: drain). */
void xf_queue_kick(struct xf_domain *dom);
/*
 * Verdicts given by a sender in process context (xfilterd): re-inject the
 * packets they released now, in its context, instead of waking the work
 * item. Process context, no lock held.
 */
void xf_queue_drain_now(struct xf_domain *dom);

/* Fill a BATCH_GET reply; -ENOENT if there is no such batch. */
int xf_queue_put_batch(struct xf_domain *dom, struct sk_buff *msg,
		       bool any, u32 batch_id);
/* Pending flows for FLOW_GET dumps; cursor in cb->args[3]. */
int xf_queue_dump(struct xf_domain *dom, struct sk_buff *skb,
		  struct netlink_callback *cb);

int xf_queue_module_init(void);
void xf_queue_module_exit(void);

#endif /* XF_KMOD_QUEUE_H */
