// SPDX-License-Identifier: GPL-2.0
/*
 * The per-packet fast path: every packet a guest sends passes here once.
 *
 *   parse (core/flow) -> later fragment: its first fragment's verdict
 *                        (core/frag), else decided as unattributed
 *                     -> verdict cache hit: done, no lock
 *   miss -> pending flow of the same key? hold behind it (order)
 *        -> the domain's blocks, then rules without owner fields decide
 *           (block.c, core/rule): cache, done
 *        -> needs an owner: mode off: unattributed; source absent: fail
 *           policy; hypervisor idle and within its share: asked now
 *           (verdict.c), cache, done; otherwise hold in the domain's
 *           batch queue
 *
 * Counters: every packet is counted once as PACKETS and exactly once as
 * ACCEPTED, DROPPED or QUEUED here; a queued one later becomes ACCEPTED or
 * DROPPED in queue.c, so PACKETS = ACCEPTED + DROPPED + HELD.
 */
#include <linux/if_ether.h>
#include <linux/if_vlan.h>

#include "block.h"
#include "cache.h"
#include "detect.h"
#include "domain.h"
#include "filter.h"
#include "frag.h"
#include "mirror.h"
#include "netlink.h"
#include "queue.h"
#include "rules.h"
#include "verdict.h"

#define XF_PARSE_MAX 256	/* L3+L4 headers incl. IPv6 extensions */

static bool xf_parse_truncated(int st)
{
	return st == XF_FLOW_E_TRUNC_L3 || st == XF_FLOW_E_TRUNC_L4;
}

/*
 * The stack has already moved an outer VLAN tag to skb->vlan_tci; an inner
 * one (802.1ad) is still in the payload: skip it so that tagged IP is
 * filtered like untagged IP and cannot slip past as "not IP".
 *
 * The headers are read where they lie when the linear part holds them
 * (netback copies the first 128 bytes there), which is every packet but
 * those with long IP options or IPv6 extension chains: only those are
 * copied out (up to XF_PARSE_MAX bytes). The parser needs more bytes only
 * to report a truncation, so a parse of the linear part that does not
 * end in one is the parse of the whole headers.
 */
static int xf_parse_skb(const struct sk_buff *skb, u16 domid,
			struct xf_flow *f)
{
	__be16 proto = skb->protocol;
	unsigned int off = 0, len, lin;
	u8 buf[XF_PARSE_MAX];
	const u8 *p;
	int tags, st;

	for (tags = 0; eth_type_vlan(proto); tags++) {
		struct vlan_hdr _vh;
		const struct vlan_hdr *vh;

		if (tags == XF_VLAN_MAX_TAGS)
			return XF_FLOW_E_VLAN;
		vh = skb_header_pointer(skb, off, sizeof(_vh), &_vh);
		if (!vh)
			return XF_FLOW_E_TRUNC_L2;
		proto = vh->h_vlan_encapsulated_proto;
		off += VLAN_HLEN;
	}
	if (proto != htons(ETH_P_IP) && proto != htons(ETH_P_IPV6)) {
		memset(f, 0, sizeof(*f));
		return XF_FLOW_NOT_IP;
	}
	len = min_t(unsigned int, skb->len - off, XF_PARSE_MAX);
	lin = skb_headlen(skb) > off ? skb_headlen(skb) - off : 0;
	if (lin) {
		st = xf_flow_parse_l3(ntohs(proto), skb->data + off,
				      min(lin, len), skb->len - off, domid, f);
		if (!xf_parse_truncated(st) || lin >= len)
			return st;
	}
	p = skb_header_pointer(skb, off, len, buf);
	if (!p)
		return XF_FLOW_E_TRUNC_L3;
	return xf_flow_parse_l3(ntohs(proto), p, len, skb->len - off, domid, f);
}

static enum xf_rx_result xf_apply(struct xf_vif *vif, struct xf_domain *dom,
				  struct sk_buff *skb, u8 action, u8 mirror)
{
	enum xf_rx_result res = xf_action_drops(action) ? XF_RX_DROP :
							  XF_RX_PASS;

	/* Copies do not change the verdict: dropped packets are copied too. */
	if (unlikely(mirror))
		xf_mirror_skb(mirror, skb);

	xf_dom_stat(dom, res == XF_RX_DROP ? XFILTER_STATS_A_DROPPED :
					     XFILTER_STATS_A_ACCEPTED, 1);
	xf_vif_count(vif, skb->len, res);
	return res;
}

/* A first packet's verdict, counted and logged already: cache, apply. */
static enum xf_rx_result xf_checked(struct xf_vif *vif, struct xf_domain *dom,
				    struct sk_buff *skb, struct xf_ruleset *rs,
				    const struct xf_flow *flow,
				    const struct xf_verdict *v)
{
	xf_rules_account(&rs->t, v, skb->len);
	xf_frag_note_k(dom, flow, v);
	if (!xf_cache_insert_k(flow, v) && xf_cache_short(flow, v))
		xf_dom_stat(dom, XFILTER_STATS_A_UNATTRIBUTED_CACHED, 1);
	return xf_apply(vif, dom, skb, v->action, v->mirror);
}

static enum xf_rx_result xf_decided(struct xf_vif *vif, struct xf_domain *dom,
				    struct sk_buff *skb, struct xf_ruleset *rs,
				    const struct xf_flow *flow,
				    const struct xf_verdict *v)
{
	if (v->unattributed)
		xf_dom_stat(dom, XFILTER_STATS_A_UNATTRIBUTED, 1);
	if (xf_action_logs(v->action) || v->unattributed)
		xf_nl_log(dom, &flow->key, v, v->source, NULL);
	return xf_checked(vif, dom, skb, rs, flow, v);
}

static enum xf_rx_result xf_fail(struct xf_vif *vif, struct xf_domain *dom,
				 struct sk_buff *skb,
				 const struct xf_flow *flow, int stat,
				 u8 source)
{
	struct xf_verdict v = {
		.action = xf_domain_fail(dom),
		.rule = XF_RULE_NONE,
	};

	xf_dom_stat(dom, stat, 1);
	xf_nl_log(dom, &flow->key, &v, source, NULL);
	xf_frag_note_k(dom, flow, &v);
	return xf_apply(vif, dom, skb, v.action, v.mirror);
}

static enum xf_rx_result xf_hold(struct xf_vif *vif, struct xf_domain *dom,
				 struct sk_buff *skb,
				 const struct xf_flow *flow)
{
	unsigned int len = skb->len;
	int err;

	/* Pending before it is held: the queue may resolve it at once. */
	xf_frag_note_k(dom, flow, NULL);
	err = xf_queue_hold(dom, skb, flow, false);
	if (err == 1) {
		xf_vif_count(vif, len, XF_RX_STOLEN);
		return XF_RX_STOLEN;
	}
	if (err == -ENOSPC)
		return xf_fail(vif, dom, skb, flow, XFILTER_STATS_A_OVERFLOW,
			       XFILTER_SOURCE_FAIL_OVERFLOW);
	return xf_fail(vif, dom, skb, flow, XFILTER_STATS_A_NOMEM,
		       XFILTER_SOURCE_FAIL_ABSENT);
}

/*
 * A later fragment: no ports, no owner to find. It follows its first
 * fragment: that one's verdict, or, while the first waits for its verdict,
 * held behind it (same order as sent). Without a known first fragment it
 * is decided like an unattributed flow without ports (core/rule.c: rules
 * without owner or port fields, then the unattributed policy), in the
 * kernel, never queued and never cached.
 */
static enum xf_rx_result xf_later_frag(struct xf_vif *vif,
				       struct xf_domain *dom,
				       struct sk_buff *skb,
				       struct xf_ruleset *rs,
				       const struct xf_flow *flow)
{
	static const struct xf_owner nobody;
	unsigned int len = skb->len;
	struct xf_flow lead;
	struct xf_verdict v;
	int r;

	memset(&lead, 0, sizeof(lead));
	r = xf_frag_lookup_k(dom, flow, &v, &lead.key);
	if (r == XF_FRAG_PENDING) {
		if (xf_queue_hold(dom, skb, &lead, true) == 1) {
			xf_dom_stat(dom, XFILTER_STATS_A_FRAGS_FOLLOWED, 1);
			xf_vif_count(vif, len, XF_RX_STOLEN);
			return XF_RX_STOLEN;
		}
		/*
		 * Resolved meanwhile: the queue noted its verdict, or (if the
		 * first fragment was held behind another packet of its flow)
		 * the cache has it.
		 */
		r = xf_frag_lookup_k(dom, flow, &v, &lead.key);
		lead.tcp_flags = XF_TCP_ACK;	/* not a SYN: may hit */
		if (r == XF_FRAG_PENDING &&
		    xf_cache_lookup_k(&lead, rs->t.generation, &v) ==
		    XF_CACHE_HIT)
			r = XF_FRAG_KNOWN;
	}
	if (r == XF_FRAG_KNOWN) {
		xf_dom_stat(dom, XFILTER_STATS_A_FRAGS_FOLLOWED, 1);
		return xf_apply(vif, dom, skb, v.action, v.mirror);
	}
	xf_dom_stat(dom, XFILTER_STATS_A_FRAGS_UNKNOWN, 1);
	xf_dom_stat(dom, XFILTER_STATS_A_KERNEL_VERDICTS, 1);
	xf_rules_match(&rs->t, &flow->key, &nobody, &v);
	return xf_decided(vif, dom, skb, rs, flow, &v);
}

enum xf_rx_result xf_filter_rx(struct xf_vif *vif, struct sk_buff *skb)
{
	static const struct xf_owner nobody;
	struct xf_domain *dom = vif->dom;
	struct xf_ruleset *rs;
	struct xf_verdict v;
	struct xf_flow flow;
	int st;

	xf_dom_stat(dom, XFILTER_STATS_A_PACKETS, 1);
	xf_dom_stat(dom, XFILTER_STATS_A_BYTES, skb->len);

	st = xf_parse_skb(skb, dom->domid, &flow);
	if (st == XF_FLOW_NOT_IP) {
		xf_dom_stat(dom, XFILTER_STATS_A_NOT_IP, 1);
		return xf_apply(vif, dom, skb, XF_ACT_ACCEPT, 0);
	}
	if (st < 0) {
		xf_dom_stat(dom, XFILTER_STATS_A_MALFORMED, 1);
		return xf_apply(vif, dom, skb, XF_ACT_DROP, 0);
	}

	rs = xf_ruleset_get();
	if (unlikely(flow.frag == XF_FRAG_LATER))
		return xf_later_frag(vif, dom, skb, rs, &flow);
	if (xf_cache_lookup_k(&flow, rs->t.generation, &v) == XF_CACHE_HIT) {
		xf_frag_note_k(dom, &flow, &v);
		xf_dom_stat(dom, XFILTER_STATS_A_CACHE_HITS, 1);
		if (unlikely(xf_cache_short(&flow, &v)))
			xf_dom_stat(dom, XFILTER_STATS_A_UNATTRIBUTED_HITS, 1);
		xf_rules_account(&rs->t, &v, skb->len);
		return xf_apply(vif, dom, skb, v.action, v.mirror);
	}
	xf_dom_stat(dom, XFILTER_STATS_A_CACHE_MISSES, 1);

	/* Packets of a flow waiting for its verdict queue behind it. */
	if (READ_ONCE(dom->q.n_pending)) {
		unsigned int len = skb->len;

		xf_frag_note_k(dom, &flow, NULL);	/* as in xf_hold() */
		if (xf_queue_hold(dom, skb, &flow, true) == 1) {
			xf_vif_count(vif, len, XF_RX_STOLEN);
			return XF_RX_STOLEN;
		}
	}

	/*
	 * Decided without an owner, unless the detector wants to know who
	 * started this flow and someone can tell (then it waits like a flow
	 * that a rule needs the owner of; the answer is the same verdict).
	 */
	if (xf_match(dom, rs, &flow.key, NULL, &v) == XF_MATCH_DECIDED &&
	    (!xf_detect_wants(dom, &flow) ||
	     xf_domain_mode(dom) == XFILTER_MODE_OFF ||
	     !xf_verdict_source_present(dom))) {
		xf_dom_stat(dom, XFILTER_STATS_A_KERNEL_VERDICTS, 1);
		return xf_decided(vif, dom, skb, rs, &flow, &v);
	}

	switch (xf_domain_mode(dom)) {
	case XFILTER_MODE_OFF:
		xf_match(dom, rs, &flow.key, &nobody, &v);
		xf_dom_stat(dom, XFILTER_STATS_A_KERNEL_VERDICTS, 1);
		return xf_decided(vif, dom, skb, rs, &flow, &v);
	default:
		if (!xf_verdict_source_present(dom))
			return xf_fail(vif, dom, skb, &flow,
				       XFILTER_STATS_A_FAIL_ABSENT,
				       XFILTER_SOURCE_FAIL_ABSENT);
		/* An idle source that answers from here: at once (verdict.c). */
		if (!READ_ONCE(dom->q.n_pending) &&
		    !xf_verdict_inline(dom, &flow, &v))
			return xf_checked(vif, dom, skb, rs, &flow, &v);
		return xf_hold(vif, dom, skb, &flow);
	}
}
