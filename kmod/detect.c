// SPDX-License-Identifier: GPL-2.0
/*
 * Detection and response.
 *
 * Where: a new flow's owner is known when its verdict is applied
 * (queue.c, xf_queue_verdict(), for xfilterd's answers and the filter in
 * Xen's alike), so the detector runs there, under the domain's queue lock,
 * on the window logic of core/detect.c. A domain with detection on has its
 * new outgoing flows attributed even when no rule needs an owner
 * (xf_detect_wants(), called by the fast path).
 *
 * Alerts: a ring of the newest XFILTER_ALERTS_MAX under xf_alerts_lock
 * (taken inside a queue lock, BHs off), read by XFILTER_CMD_ALERT_GET and
 * sent on the log multicast group (xfctl monitor) by a work item, oldest
 * first: no message is allocated under the queue lock. An alert the ring
 * overwrote before the work ran is not sent (ALERT_GET cannot show it
 * either); the monitor sees the gap in the ids.
 *
 * Unattributed new flows (no owner found) are counted per domain, not per
 * owner; their alert ("unattributed-flows") names no owner and suggests no
 * rule, in block mode too: there is nobody to block, the domain's
 * unattributed policy and owner drop rules are the answer.
 *
 * Response: in block mode the alert's suggested rule is added by a work
 * item (under xf_config_mutex, which sleeps) to the domain's own blocks
 * (block.c, bounded by block_max, apart from the operator's table) with an
 * expiry and a reason; block.c deletes it when it expires.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "block.h"
#include "detect.h"
#include "netlink.h"
#include "rules.h"
#include "../core/rule_text.h"

struct xf_alert {
	u32 id;			/* 0: slot unused */
	u32 domid;
	time64_t time;
	u8 response;		/* enum xfilter_alert_response */
	u32 block_ms;
	struct xf_detect_hit hit;
	struct xf_owner owner;
	struct xf_rule rule;
};

static struct xf_alert xf_alerts[XFILTER_ALERTS_MAX];
static u32 xf_alerts_next = 1;		/* id of the next alert */
static DEFINE_SPINLOCK(xf_alerts_lock);	/* the ring; BH-safe */

static u32 xf_alerts_sent;		/* newest id sent to the log group */
static bool xf_alerts_stopped;		/* unloading: no work is queued */

static void xf_block_fn(struct work_struct *work);
static DECLARE_WORK(xf_block_work, xf_block_fn);
static void xf_alert_notify_fn(struct work_struct *work);
static DECLARE_WORK(xf_alert_notify_work, xf_alert_notify_fn);

void xf_detect_get(const struct xf_domain *dom, struct xf_detect_set *out)
{
	const struct xf_detect_set *s = READ_ONCE(dom->own) ? &dom->det :
				       &xf_default_detect;

	out->mode = READ_ONCE(s->mode);
	out->window_ms = READ_ONCE(s->window_ms);
	out->ports = READ_ONCE(s->ports);
	out->hosts = READ_ONCE(s->hosts);
	out->flows = READ_ONCE(s->flows);
	out->unattributed = READ_ONCE(s->unattributed);
	out->block_ms = READ_ONCE(s->block_ms);
}

bool xf_detect_wants(struct xf_domain *dom, const struct xf_flow *flow)
{
	const struct xf_detect_set *s = READ_ONCE(dom->own) ? &dom->det :
				       &xf_default_detect;

	return READ_ONCE(s->mode) != XFILTER_DETECT_OFF &&
	       READ_ONCE(dom->det_table) && xf_detect_counts(flow);
}

int xf_detect_table_alloc(struct xf_domain *dom)
{
	struct xf_detect_table *t;

	if (READ_ONCE(dom->det_table))
		return 0;
	t = kvzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	xf_detect_init(t);
	/*
	 * Serialized: a listed domain gets its table under xf_config_mutex
	 * only, a new one before it is listed.
	 */
	smp_store_release(&dom->det_table, t);
	return 0;
}

static const char *xf_kind_name(u32 kinds)
{
	if (kinds & XF_DETECT_UNATTRIBUTED)
		return "unattributed-flows";
	if (kinds & XF_DETECT_PORTSCAN)
		return "portscan";
	if (kinds & XF_DETECT_HOSTSCAN)
		return "hostscan";
	return "flood";
}

static int xf_put_alert(struct sk_buff *skb, const struct xf_alert *a)
{
	struct nlattr *nest = nla_nest_start(skb, XFILTER_A_ALERT);
	bool owned = !(a->hit.kinds & XF_DETECT_UNATTRIBUTED);

	if (!nest ||
	    nla_put_u32(skb, XFILTER_ALERT_A_ID, a->id) ||
	    nla_put_u32(skb, XFILTER_ALERT_A_DOMID, a->domid) ||
	    nla_put_u64_64bit(skb, XFILTER_ALERT_A_TIME, a->time,
			      XFILTER_ALERT_A_PAD) ||
	    nla_put_u32(skb, XFILTER_ALERT_A_KINDS, a->hit.kinds) ||
	    nla_put_u32(skb, XFILTER_ALERT_A_PORTS, a->hit.n_ports) ||
	    nla_put_u32(skb, XFILTER_ALERT_A_HOSTS, a->hit.n_hosts) ||
	    nla_put_u32(skb, XFILTER_ALERT_A_FLOWS, a->hit.n_flows) ||
	    nla_put_u32(skb, XFILTER_ALERT_A_WINDOW_MS, a->hit.window_ms) ||
	    nla_put_u32(skb, XFILTER_ALERT_A_TOTAL,
			min_t(u64, a->hit.total, U32_MAX)) ||
	    nla_put_u16(skb, XFILTER_ALERT_A_PORT_MIN, a->hit.port_lo) ||
	    nla_put_u16(skb, XFILTER_ALERT_A_PORT_MAX, a->hit.port_hi) ||
	    (owned &&
	     (xf_nl_put_owner(skb, XFILTER_ALERT_A_OWNER, &a->owner) ||
	      xf_nl_put_rule(skb, XFILTER_ALERT_A_RULE, &a->rule, U32_MAX))) ||
	    nla_put_u8(skb, XFILTER_ALERT_A_RESPONSE, a->response)) {
		if (nest)
			nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Under xf_alerts_lock: the alert with this id if still in the ring. */
static struct xf_alert *xf_alert_find(u32 id)
{
	struct xf_alert *a = &xf_alerts[(id - 1) % XFILTER_ALERTS_MAX];

	return a->id == id ? a : NULL;
}

/* Send the alerts raised since the last run to the log group, in order. */
static void xf_alert_notify_fn(struct work_struct *work)
{
	static struct xf_alert a;	/* the work never runs concurrently */
	struct sk_buff *msg;
	struct xf_alert *in;
	u32 first;
	void *hdr;

	for (;;) {
		spin_lock_bh(&xf_alerts_lock);
		first = xf_alerts_next > XFILTER_ALERTS_MAX ?
			xf_alerts_next - XFILTER_ALERTS_MAX : 1;
		if (xf_alerts_sent + 1 < first)
			xf_alerts_sent = first - 1;
		in = xf_alerts_sent + 1 < xf_alerts_next ?
		     xf_alert_find(xf_alerts_sent + 1) : NULL;
		if (in) {
			a = *in;
			xf_alerts_sent = a.id;
		}
		spin_unlock_bh(&xf_alerts_lock);
		if (!in)
			return;
		if (!xf_nl_log_listeners())
			continue;
		msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		if (!msg)
			continue;
		hdr = genlmsg_put(msg, 0, 0, &xf_genl_family, 0,
				  XFILTER_CMD_ALERT);
		if (!hdr || xf_put_alert(msg, &a)) {
			nlmsg_free(msg);
			continue;
		}
		genlmsg_end(msg, hdr);
		xf_nl_multicast_log(msg);
		cond_resched();
	}
}

void xf_detect_account(struct xf_domain *dom, const struct xf_flow *flow,
		       const struct xf_owner *owner)
{
	static const struct xf_owner nobody;	/* flags 0: not found */
	struct xf_detect_table *t = READ_ONCE(dom->det_table);
	struct xf_detect_cfg cfg;
	struct xf_detect_set s;
	struct xf_alert *a;
	struct xf_detect_hit hit;
	u64 now;

	lockdep_assert_held(&dom->q.lock);
	xf_detect_get(dom, &s);
	if (s.mode == XFILTER_DETECT_OFF || !t)
		return;
	if (!owner)
		owner = &nobody;
	smp_rmb();	/* the table's contents after its pointer */
	cfg.window_ms = s.window_ms;
	cfg.ports = s.ports;
	cfg.hosts = s.hosts;
	cfg.flows = s.flows;
	cfg.unattributed = s.unattributed;
	now = div_u64(ktime_get_ns(), NSEC_PER_MSEC);
	if (!xf_detect_flow(t, &cfg, flow, owner, now, &hit))
		return;

	/* The ring is a few KB: fill the slot in place, notify from it. */
	spin_lock(&xf_alerts_lock);
	a = &xf_alerts[(xf_alerts_next - 1) % XFILTER_ALERTS_MAX];
	memset(a, 0, sizeof(*a));
	a->id = xf_alerts_next++;
	if (!xf_alerts_next)
		xf_alerts_next = 1;
	a->domid = dom->domid;
	a->time = ktime_get_real_seconds();
	a->hit = hit;
	a->owner = *owner;
	a->block_ms = s.block_ms;
	a->response = s.mode == XFILTER_DETECT_BLOCK &&
		      !(hit.kinds & XF_DETECT_UNATTRIBUTED) ?
		      XFILTER_ALERT_BLOCKING : XFILTER_ALERT_ALERTED;
	xf_detect_suggest(&hit, owner, dom->domid, &a->rule);
	if (!xf_alerts_stopped)
		queue_work(system_wq, &xf_alert_notify_work);
	spin_unlock(&xf_alerts_lock);

	if (hit.kinds & XF_DETECT_UNATTRIBUTED) {
		pr_info_ratelimited("xfilter: alert: dom %u unattributed-flows %u in %u ms (no owner found; %llu so far)\n",
				    dom->domid, hit.n_flows, hit.window_ms,
				    hit.total);
		return;
	}
	pr_info_ratelimited("xfilter: alert: dom %u %s by pid %u uid %u comm %.16s: %u ports %u hosts %u flows in %u ms\n",
			    dom->domid, xf_kind_name(hit.kinds), owner->tgid,
			    owner->uid, owner->comm, hit.n_ports, hit.n_hosts,
			    hit.n_flows, hit.window_ms);
	if (s.mode == XFILTER_DETECT_BLOCK && !READ_ONCE(xf_alerts_stopped))
		queue_work(system_highpri_wq, &xf_block_work);
}


static u8 xf_block_response(int err)
{
	switch (err) {
	case 0:
		return XFILTER_ALERT_BLOCKED;
	case -EEXIST:
		return XFILTER_ALERT_BLOCK_EXISTS;
	default:
		return XFILTER_ALERT_BLOCK_FAILED;
	}
}

/*
 * Add one alert's rule to its domain's blocks (block.c) with its expiry.
 * -ENOENT: the domain is gone.
 */
static int xf_block_one(u32 domid, const struct xf_rule *r)
{
	struct xf_domain *dom = xf_domain_hold(domid);
	int err;

	if (!dom)
		return -ENOENT;
	mutex_lock(&xf_config_mutex);
	err = xf_block_add(dom, r);
	mutex_unlock(&xf_config_mutex);
	xf_domain_put(dom);
	return err;
}

/* Insert the rules of alerts waiting in block mode, one at a time. */
static void xf_block_fn(struct work_struct *work)
{
	static struct xf_rule r;	/* the work never runs concurrently */
	static char text[XF_RULE_TEXT_MAX];
	u32 id, i, domid = 0, block_ms = 0, done = 0;
	struct xf_alert *a;
	u8 response;
	int err;

	/* Oldest first; an alert raised meanwhile re-queues the work. */
	for (;;) {
		id = 0;
		spin_lock_bh(&xf_alerts_lock);
		for (i = 0; i < XFILTER_ALERTS_MAX; i++) {
			a = &xf_alerts[i];
			if (a->id > done &&
			    a->response == XFILTER_ALERT_BLOCKING &&
			    (!id || a->id < id))
				id = a->id;
		}
		if (id) {
			a = xf_alert_find(id);
			r = a->rule;
			domid = a->domid;
			block_ms = a->block_ms;
			snprintf(r.reason, sizeof(r.reason),
				 "alert %u: %s by %.16s pid %u uid %u", id,
				 xf_kind_name(a->hit.kinds), a->owner.comm,
				 a->owner.tgid, a->owner.uid);
		}
		spin_unlock_bh(&xf_alerts_lock);
		if (!id)
			break;
		done = id;

		r.alert = id;
		r.expires_ms = xf_now_ms() + block_ms;
		err = xf_block_one(domid, &r);
		response = xf_block_response(err);

		/* A guest decides how often this runs: never flood the log. */
		if (net_ratelimit()) {
			xf_rule_print(&r, text, sizeof(text));
			if (response == XFILTER_ALERT_BLOCK_FAILED)
				pr_warn("xfilter: block for alert %u failed (%d): %s\n",
					id, err, text);
			else
				pr_info("xfilter: block for alert %u: %s (%s, %u s)\n",
					id, text,
					response == XFILTER_ALERT_BLOCKED ?
					"added" : "already there",
					block_ms / 1000);
		}
		spin_lock_bh(&xf_alerts_lock);
		a = xf_alert_find(id);
		if (a)
			a->response = response;
		spin_unlock_bh(&xf_alerts_lock);
	}
}

int xf_detect_dump(struct sk_buff *skb, struct netlink_callback *cb,
		   u32 filter)
{
	struct xf_alert *tmp, *a;
	u32 id, first, next;
	void *hdr;

	tmp = kmalloc(sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	spin_lock_bh(&xf_alerts_lock);
	next = xf_alerts_next;
	spin_unlock_bh(&xf_alerts_lock);
	first = next > XFILTER_ALERTS_MAX ? next - XFILTER_ALERTS_MAX : 1;
	id = max_t(u32, cb->args[0], first);
	for (; id < next; id++) {
		spin_lock_bh(&xf_alerts_lock);
		a = xf_alert_find(id);
		if (a)
			*tmp = *a;
		spin_unlock_bh(&xf_alerts_lock);
		if (!a || (filter != U32_MAX && tmp->domid != filter))
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &xf_genl_family,
				  NLM_F_MULTI, XFILTER_CMD_ALERT_GET);
		if (!hdr)
			break;
		if (xf_put_alert(skb, tmp)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = id;
	kfree(tmp);
	return skb->len;
}

/* Before the netlink family goes: the notify work multicasts on it. */
void xf_detect_exit(void)
{
	spin_lock_bh(&xf_alerts_lock);
	xf_alerts_stopped = true;
	spin_unlock_bh(&xf_alerts_lock);
	cancel_work_sync(&xf_block_work);
	cancel_work_sync(&xf_alert_notify_work);
}
