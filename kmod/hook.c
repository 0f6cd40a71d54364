// SPDX-License-Identifier: GPL-2.0
/*
 * Where xfilter sees guest traffic: packets a guest sends arrive in dom0 as
 * receive on its vif (xen-netback calls netif_receive_skb in NAPI context).
 *
 * Two ways in, same filter behind both:
 *
 *  - rx_handler (netdev_rx_handler_register): used when the device's slot is
 *    free, i.e. a routed vif (vif-route, vif-nat).
 *  - netfilter NFPROTO_NETDEV / NF_NETDEV_INGRESS bound to the device: used
 *    when the slot is taken (the vif is already a bridge, Open vSwitch, bond
 *    or macvlan port). It runs before the rx_handler, so the bridge or OVS
 *    still gets every packet xfilter accepts.
 *
 * The catch is ordering at vif creation. xen-netback registers vifD.N, and
 * only afterwards does the hotplug script (vif-bridge, vif-openvswitch)
 * enslave it. If xfilter had taken the rx_handler slot at NETDEV_REGISTER,
 * br_add_if() would fail with -EBUSY and the guest would lose its network.
 * So an rx_handler attachment is handed over to the ingress hook as soon as
 * the device is about to become a port:
 *
 *  - NETDEV_JOIN: sent by br_add_if() and bond_enslave() before they call
 *    netdev_rx_handler_register();
 *  - NETDEV_PRECHANGEUPPER: sent by netdev_upper_dev_link(), which Open
 *    vSwitch calls before registering its rx_handler.
 *
 * Handover registers the ingress hook first and only then drops the
 * rx_handler, and the rx_handler filters every packet until it is gone, so
 * no packet goes unfiltered: one that passed the ingress point just before
 * the hook was there still meets the rx_handler. A packet in flight during
 * the switch may be looked at twice (harmless: the same rules decide, it is
 * counted twice at most). With hook=rx_handler there is no handover: the
 * device keeps the rx_handler and cannot become a port (br_add_if() then
 * fails with -EBUSY), as that setting asks.
 * Devices that take the slot without any prior notification (team, macvlan
 * or ipvlan on top of a vif) are not covered by this: load with
 * hook=ingress to use the ingress hook on every device. After a device
 * leaves its bridge it stays on the ingress hook.
 *
 * Which devices: only xen-netback's vifs in the initial network namespace,
 * recognised by the device, not by its name. netback creates each vif with
 * SET_NETDEV_DEV() to the backend's xenbus device (bus "xen-backend", type
 * "vif", bound to netback), and that device knows the frontend's domain id
 * (otherend_id) and the vif's handle (its xenstore node
 * "backend/vif/DOMID/HANDLE"). A device anyone else makes, say a veth named
 * "vif7.0" in an unprivileged user's own namespace, has no such parent and
 * is never hooked, so it cannot act as guest 7. pattern= only narrows this
 * further by name. (The "-emu" tap of an HVM guest's emulated NIC is not
 * netback's and is not hooked.)
 *
 * Everything here runs under RTNL (notifier); the hooks run in softirq under
 * RCU and reach their struct xf_vif through rx_handler_data or the hook's
 * priv pointer, which is why a vif is freed only after a grace period.
 */
#include <linux/glob.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_netdev.h>
#include <linux/percpu.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <xen/xenbus.h>

#include "hook.h"
#include "main.h"
#include "domain.h"
#include "filter.h"
#include "queue.h"

/* Run before nftables netdev chains at the usual priorities (>= -500). */
#define XF_INGRESS_PRIORITY	(-600)

LIST_HEAD(xf_vifs);
unsigned int xf_vifs_gen = 1;

/*
 * The skb being re-injected on this CPU (see xf_hook_reinject()). Both hooks
 * let it pass untouched, which is what keeps an accepted held packet from
 * going through the filter a second time.
 */
static DEFINE_PER_CPU(const struct sk_buff *, xf_reinject_skb);

const char *xf_hook_kind_name(int kind)
{
	switch (kind) {
	case XF_HOOK_RX_HANDLER:
		return "rx_handler";
	case XF_HOOK_INGRESS:
		return "ingress";
	default:
		return "none";
	}
}

void xf_vif_count(struct xf_vif *vif, unsigned int len,
		  enum xf_rx_result res)
{
	struct xf_vif_pcpu *s = this_cpu_ptr(vif->stats);

	u64_stats_update_begin(&s->syncp);
	s->packets++;
	s->bytes += len;
	if (res == XF_RX_PASS)
		s->accepted++;
	else if (res == XF_RX_DROP)
		s->dropped++;
	else
		s->queued++;
	u64_stats_update_end(&s->syncp);
}

void xf_vif_stats_read(const struct xf_vif *vif, struct xf_vif_stats *st)
{
	int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct xf_vif_pcpu *s = per_cpu_ptr(vif->stats, cpu);
		struct xf_vif_stats v;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v.packets = s->packets;
			v.bytes = s->bytes;
			v.accepted = s->accepted;
			v.dropped = s->dropped;
			v.queued = s->queued;
		} while (u64_stats_fetch_retry(&s->syncp, start));
		st->packets += v.packets;
		st->bytes += v.bytes;
		st->accepted += v.accepted;
		st->dropped += v.dropped;
		st->queued += v.queued;
	}
}

static bool xf_is_reinjected(const struct sk_buff *skb)
{
	return __this_cpu_read(xf_reinject_skb) == skb;
}

/*
 * Hand an accepted held packet back to the stack. It runs the receive path
 * again from the top (taps and tc ingress see it a second time) but both
 * xfilter hooks let exactly this skb through. netif_receive_skb_core() is
 * synchronous on this CPU (it skips RPS and GRO), which is what makes the
 * per-CPU marker sound. Caller has BHs disabled.
 */
void xf_hook_reinject(struct sk_buff *skb)
{
	__this_cpu_write(xf_reinject_skb, skb);
	netif_receive_skb_core(skb);
	__this_cpu_write(xf_reinject_skb, NULL);
}

static rx_handler_result_t xf_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct xf_vif *vif = rcu_dereference(skb->dev->rx_handler_data);

	/*
	 * Filter even during a handover (kind already says ingress): a
	 * packet that passed the ingress point before the hook was
	 * registered would otherwise go through unfiltered.
	 */
	if (xf_is_reinjected(skb))
		return RX_HANDLER_PASS;

	switch (xf_filter_rx(vif, skb)) {
	case XF_RX_PASS:
		return RX_HANDLER_PASS;
	case XF_RX_DROP:
		kfree_skb(skb);
		return RX_HANDLER_CONSUMED;
	case XF_RX_STOLEN:
	default:
		return RX_HANDLER_CONSUMED;
	}
}

static unsigned int xf_ingress_hook(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct xf_vif *vif = priv;

	if (xf_is_reinjected(skb))
		return NF_ACCEPT;

	switch (xf_filter_rx(vif, skb)) {
	case XF_RX_PASS:
		return NF_ACCEPT;
	case XF_RX_DROP:
		return NF_DROP;
	case XF_RX_STOLEN:
	default:
		return NF_STOLEN;
	}
}

static bool xf_name_matches(const char *name)
{
	return xf_param_pattern && glob_match(xf_param_pattern, name);
}

/*
 * Is dev a vif of xen-netback in init_net? If so, its guest's domain id
 * and the vif's handle, from the backend's xenbus device (see the top
 * comment). Only fields of struct xenbus_device are read: no symbol of
 * xen-netback or xenbus is needed.
 */
static bool xf_netback_vif(const struct net_device *dev, u32 *domid,
			   u32 *handle)
{
	struct device *parent = dev->dev.parent;
	struct xenbus_device *xdev;
	const char *p;

	if (!net_eq(dev_net(dev), &init_net) || !parent || !parent->bus ||
	    !parent->driver || strcmp(parent->bus->name, "xen-backend"))
		return false;
	xdev = to_xenbus_device(parent);
	if (!xdev->devicetype || strcmp(xdev->devicetype, "vif") ||
	    !xdev->nodename || xdev->otherend_id <= 0 ||
	    xdev->otherend_id > XFILTER_DOMID_MAX)
		return false;
	p = strrchr(xdev->nodename, '/');
	if (!p || kstrtou32(p + 1, 10, handle))
		return false;
	*domid = xdev->otherend_id;
	return true;
}

/* A device to hook: netback's, in init_net, and its name matches. */
static bool xf_wanted(const struct net_device *dev, u32 *domid, u32 *handle)
{
	if (!xf_name_matches(dev->name))
		return false;
	if (xf_netback_vif(dev, domid, handle))
		return true;
	/* Names in other namespaces are anyone's to choose: stay quiet. */
	if (net_eq(dev_net(dev), &init_net))
		net_info_ratelimited("xfilter: %s: not a xen-netback vif, not hooked\n",
				     dev->name);
	return false;
}

static struct xf_vif *xf_vif_find(const struct net_device *dev)
{
	struct xf_vif *vif;

	ASSERT_RTNL();
	list_for_each_entry(vif, &xf_vifs, list)
		if (vif->dev == dev)
			return vif;
	return NULL;
}

static int xf_ingress_register(struct xf_vif *vif)
{
	int err;

	vif->ingress_ops = (struct nf_hook_ops) {
		.hook = xf_ingress_hook,
		.dev = vif->dev,
		.priv = vif,
		.pf = NFPROTO_NETDEV,
		.hooknum = NF_NETDEV_INGRESS,
		.priority = XF_INGRESS_PRIORITY,
	};
	err = nf_register_net_hook(dev_net(vif->dev), &vif->ingress_ops);
	if (err)
		return err;
	vif->ingress_registered = true;
	return 0;
}

/* Move a vif from the rx_handler to the ingress hook; see the top comment. */
static void xf_vif_handover(struct xf_vif *vif)
{
	int err;

	if (vif->kind != XF_HOOK_RX_HANDLER)
		return;
	if (!strcmp(xf_param_hook, "rx_handler")) {
		netdev_warn(vif->dev,
			    "xfilter: hook=rx_handler: stays on rx_handler, cannot become a port\n");
		return;
	}
	err = xf_ingress_register(vif);
	if (err) {
		netdev_err(vif->dev,
			   "xfilter: cannot move to ingress hook (%d); device stays on rx_handler and cannot be enslaved\n",
			   err);
		return;
	}
	WRITE_ONCE(vif->kind, XF_HOOK_INGRESS);
	netdev_rx_handler_unregister(vif->dev);	/* waits for readers */
	vif->rx_registered = false;
	xf_vifs_gen++;
	netdev_info(vif->dev, "xfilter: moved to ingress hook (becoming a port)\n");
}

static void xf_vif_free_rcu(struct rcu_head *head)
{
	struct xf_vif *vif = container_of(head, struct xf_vif, rcu);

	free_percpu(vif->stats);
	kfree(vif);
}

static int xf_vif_attach(struct net_device *dev, u32 domid, u32 handle)
{
	bool want_rx = strcmp(xf_param_hook, "ingress") != 0;
	bool force_rx = !strcmp(xf_param_hook, "rx_handler");
	struct xf_vif *vif;
	int err = -EBUSY;

	ASSERT_RTNL();
	if (xf_vif_find(dev))
		return 0;

	vif = kzalloc(sizeof(*vif), GFP_KERNEL);
	if (!vif)
		return -ENOMEM;
	vif->stats = netdev_alloc_pcpu_stats(struct xf_vif_pcpu);
	if (!vif->stats) {
		kfree(vif);
		return -ENOMEM;
	}
	vif->dev = dev;
	vif->ifindex = dev->ifindex;
	strscpy(vif->name, dev->name, sizeof(vif->name));
	vif->domid = domid;
	vif->handle = handle;

	vif->dom = xf_domain_get(domid);
	if (!vif->dom) {
		err = -ENOMEM;
		goto err_free;
	}

	if (want_rx) {
		/* Publish kind before the handler can run. */
		vif->kind = XF_HOOK_RX_HANDLER;
		err = netdev_rx_handler_register(dev, xf_rx_handler, vif);
		if (!err)
			vif->rx_registered = true;
	}
	if (!vif->rx_registered && !force_rx) {
		/* Slot taken (-EBUSY: port of a bridge/OVS) or forbidden. */
		vif->kind = XF_HOOK_INGRESS;
		err = xf_ingress_register(vif);
	}
	if (err)
		goto err_put;

	list_add_tail(&vif->list, &xf_vifs);
	xf_vifs_gen++;
	netdev_info(dev, "xfilter: attached (%s hook, domain %u, handle %u)\n",
		    xf_hook_kind_name(vif->kind), vif->domid, vif->handle);
	return 0;

err_put:
	xf_domain_put(vif->dom);
err_free:
	netdev_err(dev, "xfilter: cannot attach: %d\n", err);
	free_percpu(vif->stats);
	kfree(vif);
	return err;
}

static void xf_vif_detach(struct xf_vif *vif)
{
	ASSERT_RTNL();
	if (vif->rx_registered)
		netdev_rx_handler_unregister(vif->dev);
	if (vif->ingress_registered)
		nf_unregister_net_hook(dev_net(vif->dev), &vif->ingress_ops);
	vif->rx_registered = false;
	vif->ingress_registered = false;
	WRITE_ONCE(vif->kind, XF_HOOK_NONE);
	list_del(&vif->list);
	xf_vifs_gen++;
	/*
	 * No hook can start on this vif any more, but one may still be
	 * running: wait, then drop what is held for it, then free.
	 */
	synchronize_net();
	xf_queue_purge_dev(vif->dom, vif->dev);
	xf_domain_put(vif->dom);	/* its last vif: the domain goes too */
	netdev_info(vif->dev, "xfilter: detached\n");
	call_rcu(&vif->rcu, xf_vif_free_rcu);
}

static int xf_netdev_event(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	u32 domid, handle;
	struct xf_vif *vif;

	switch (event) {
	case NETDEV_REGISTER:
		if (xf_wanted(dev, &domid, &handle))
			xf_vif_attach(dev, domid, handle);
		break;
	case NETDEV_CHANGENAME:
		vif = xf_vif_find(dev);
		if (vif && !xf_name_matches(dev->name))
			xf_vif_detach(vif);
		else if (vif)
			strscpy(vif->name, dev->name, sizeof(vif->name));
		else if (xf_wanted(dev, &domid, &handle))
			xf_vif_attach(dev, domid, handle);
		break;
	case NETDEV_JOIN:
	case NETDEV_PRECHANGEUPPER:
		vif = xf_vif_find(dev);
		if (vif)
			xf_vif_handover(vif);
		break;
	case NETDEV_UNREGISTER:
		vif = xf_vif_find(dev);
		if (vif)
			xf_vif_detach(vif);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block xf_netdev_notifier = {
	.notifier_call = xf_netdev_event,
};

/*
 * Registering the notifier replays NETDEV_REGISTER for every existing
 * device in every namespace (attach on load; xf_wanted() keeps to
 * init_net); unregistering it replays NETDEV_UNREGISTER (detach on
 * unload). The explicit sweep below is only a safety net.
 */
int xf_hook_init(void)
{
	return register_netdevice_notifier(&xf_netdev_notifier);
}

void xf_hook_exit(void)
{
	struct xf_vif *vif, *tmp;

	unregister_netdevice_notifier(&xf_netdev_notifier);
	rtnl_lock();
	list_for_each_entry_safe(vif, tmp, &xf_vifs, list)
		xf_vif_detach(vif);
	rtnl_unlock();
	rcu_barrier();	/* xf_vif_free_rcu() callbacks */
}
