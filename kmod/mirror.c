// SPDX-License-Identifier: GPL-2.0
/*
 * Mirror targets: the devices that "mirror DEV" rules copy guest-sent
 * packets to (an IDS guest's vif, a dummy or tap device in dom0).
 *
 * A rule names its device; at rule-add time the name gets one of
 * XF_MIRROR_SLOTS slots (core/rule.h), which the verdict and the verdict
 * cache carry in three bits, so a cached flow is mirrored without another
 * rule lookup. A slot holds a reference on its device (dev_hold) under RCU:
 * NETDEV_UNREGISTER clears the pointer, waits for readers and drops the
 * reference; a device registered (or renamed) later under the slot's name
 * is picked up again. Slots are reused once no rule names them.
 *
 * Copies are bounded per slot by a token bucket (mirror_pps, burst of a
 * tenth of a second): a flood costs at most that many clones per second and
 * the rest is counted as dropped, never queued. The copy is an skb_clone()
 * (skb_clone copies a guest's grant-mapped frags first, so the copy does
 * not pin guest memory) with its Ethernet header pushed back, sent with
 * dev_queue_xmit(). The original's verdict is not touched.
 */
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>

#include "mirror.h"
#include "rules.h"

static unsigned int xf_mirror_pps = 20000;
module_param_named(mirror_pps, xf_mirror_pps, uint, 0644);
MODULE_PARM_DESC(mirror_pps, "copies per second per mirror device (default 20000)");

struct xf_mirror {
	char name[IFNAMSIZ];		/* "" unused; under RTNL */
	struct net_device __rcu *dev;	/* held; written under RTNL */
	spinlock_t lock;		/* the bucket */
	u64 credit_ns;
	u64 last_ns;
	atomic64_t copies;
	atomic64_t drops;		/* over the rate */
	atomic64_t errors;		/* no device, clone or xmit failed */
};

/* Index 0 is "no mirror". */
static struct xf_mirror xf_mirrors[XF_MIRROR_SLOTS + 1];

static bool xf_mirror_take(struct xf_mirror *m)
{
	u32 pps = max_t(u32, READ_ONCE(xf_mirror_pps), 1);
	u64 cost = div_u64(NSEC_PER_SEC, pps);
	u64 now = ktime_get_ns(), cap = max_t(u64, cost, NSEC_PER_SEC / 10);
	bool ok = false;

	spin_lock(&m->lock);
	m->credit_ns = min(m->credit_ns + (now - m->last_ns), cap);
	m->last_ns = now;
	if (m->credit_ns >= cost) {
		m->credit_ns -= cost;
		ok = true;
	}
	spin_unlock(&m->lock);
	return ok;
}

void xf_mirror_skb(u8 slot, const struct sk_buff *skb)
{
	struct xf_mirror *m;
	struct net_device *dev;
	struct sk_buff *copy;
	int hlen;

	if (!slot || slot > XF_MIRROR_SLOTS)
		return;
	m = &xf_mirrors[slot];
	rcu_read_lock();
	dev = rcu_dereference(m->dev);
	if (!dev || !(dev->flags & IFF_UP)) {
		atomic64_inc(&m->errors);
		goto out;
	}
	if (!xf_mirror_take(m)) {
		atomic64_inc(&m->drops);
		goto out;
	}
	hlen = skb_mac_header_was_set(skb) ?
	       skb->data - skb_mac_header(skb) : -1;
	if (hlen < 0 || hlen > 64) {
		atomic64_inc(&m->errors);
		goto out;
	}
	copy = skb_clone((struct sk_buff *)skb, GFP_ATOMIC);
	if (!copy) {
		atomic64_inc(&m->errors);
		goto out;
	}
	skb_push(copy, hlen);
	copy->dev = dev;
	/* dev_queue_xmit() consumes the copy whatever it returns. */
	if (dev_queue_xmit(copy) == NET_XMIT_SUCCESS)
		atomic64_inc(&m->copies);
	else
		atomic64_inc(&m->errors);
out:
	rcu_read_unlock();
}

/* Under RTNL: does a rule of the current table use this slot? */
static bool xf_mirror_in_use(u8 slot)
{
	struct xf_ruleset *rs;
	bool used = false;
	u32 i;

	rcu_read_lock();
	rs = xf_ruleset_get();
	for (i = 0; i < rs->t.n_rules && !used; i++)
		used = rs->rules[i].action == XF_ACT_MIRROR &&
		       rs->rules[i].mirror_slot == slot;
	rcu_read_unlock();
	return used;
}

static void xf_mirror_set_dev(struct xf_mirror *m, struct net_device *dev)
{
	struct net_device *old = rtnl_dereference(m->dev);

	if (old == dev)
		return;
	if (dev)
		dev_hold(dev);
	rcu_assign_pointer(m->dev, dev);
	if (old) {
		synchronize_net();
		dev_put(old);
	}
}

int xf_mirror_bind(const char *name, struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	int i, slot = 0;

	rtnl_lock();
	dev = __dev_get_by_name(&init_net, name);
	if (!dev) {
		rtnl_unlock();
		NL_SET_ERR_MSG(extack, "mirror: no such network device");
		return -ENODEV;
	}
	for (i = 1; i <= XF_MIRROR_SLOTS; i++) {
		if (!strcmp(xf_mirrors[i].name, name)) {
			slot = i;
			break;
		}
	}
	for (i = 1; !slot && i <= XF_MIRROR_SLOTS; i++) {
		if (!xf_mirrors[i].name[0] || !xf_mirror_in_use(i)) {
			slot = i;
			strscpy(xf_mirrors[i].name, name, IFNAMSIZ);
			atomic64_set(&xf_mirrors[i].copies, 0);
			atomic64_set(&xf_mirrors[i].drops, 0);
			atomic64_set(&xf_mirrors[i].errors, 0);
		}
	}
	if (slot)
		xf_mirror_set_dev(&xf_mirrors[slot], dev);
	rtnl_unlock();
	if (!slot) {
		NL_SET_ERR_MSG(extack, "mirror: every mirror device slot is in use");
		return -ENOSPC;
	}
	return slot;
}

void xf_mirror_stats(u8 slot, u64 *copies, u64 *drops, u64 *errors)
{
	struct xf_mirror *m = &xf_mirrors[slot <= XF_MIRROR_SLOTS ? slot : 0];

	*copies = atomic64_read(&m->copies);
	*drops = atomic64_read(&m->drops);
	*errors = atomic64_read(&m->errors);
}

static int xf_mirror_notify(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct xf_mirror *m;
	int i;

	if (!net_eq(dev_net(dev), &init_net))
		return NOTIFY_DONE;
	for (i = 1; i <= XF_MIRROR_SLOTS; i++) {
		m = &xf_mirrors[i];
		if (!m->name[0])
			continue;
		switch (event) {
		case NETDEV_UNREGISTER:
		case NETDEV_CHANGENAME:
			if (rtnl_dereference(m->dev) == dev &&
			    (event == NETDEV_UNREGISTER ||
			     strcmp(dev->name, m->name)))
				xf_mirror_set_dev(m, NULL);
			if (event == NETDEV_UNREGISTER)
				break;
			fallthrough;
		case NETDEV_REGISTER:
			if (!rtnl_dereference(m->dev) &&
			    !strcmp(dev->name, m->name))
				xf_mirror_set_dev(m, dev);
			break;
		}
	}
	return NOTIFY_DONE;
}

static struct notifier_block xf_mirror_nb = {
	.notifier_call = xf_mirror_notify,
};

int xf_mirror_init(void)
{
	int i;

	for (i = 0; i <= XF_MIRROR_SLOTS; i++)
		spin_lock_init(&xf_mirrors[i].lock);
	return register_netdevice_notifier(&xf_mirror_nb);
}

/* After the hooks and the queues are gone: nothing copies any more. */
void xf_mirror_exit(void)
{
	int i;

	unregister_netdevice_notifier(&xf_mirror_nb);
	rtnl_lock();
	for (i = 1; i <= XF_MIRROR_SLOTS; i++)
		xf_mirror_set_dev(&xf_mirrors[i], NULL);
	rtnl_unlock();
}
