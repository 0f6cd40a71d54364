/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attaching xfilter to xen-netback's vifs: rx_handler or netdev ingress hook.
 */
#ifndef XF_KMOD_HOOK_H
#define XF_KMOD_HOOK_H

#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <linux/u64_stats_sync.h>

struct xf_domain;

/* Which hook carries a vif's traffic into xfilter (reported to userland). */
enum xf_hook_kind {
	XF_HOOK_NONE,
	XF_HOOK_RX_HANDLER,
	XF_HOOK_INGRESS,
};

struct xf_vif_pcpu {
	u64 packets;
	u64 bytes;
	u64 accepted;
	u64 dropped;
	u64 queued;
	struct u64_stats_sync syncp;
};

struct xf_vif_stats {
	u64 packets;
	u64 bytes;
	u64 accepted;
	u64 dropped;
	u64 queued;
};

/*
 * One attached device. Created and destroyed under RTNL (the netdevice
 * notifier); the hooks reach it through dev->rx_handler_data or the hook's
 * priv pointer under RCU, so it is freed only after a grace period.
 */
struct xf_vif {
	struct list_head list;		/* xf_vifs, under RTNL */
	struct net_device *dev;
	struct nf_hook_ops ingress_ops;
	int kind;			/* enum xf_hook_kind; READ_ONCE in hooks */
	bool rx_registered;
	bool ingress_registered;
	u32 domid;			/* of the guest (netback's xenbus device) */
	u32 handle;			/* vif number within the guest */
	int ifindex;
	char name[IFNAMSIZ];
	struct xf_vif_pcpu __percpu *stats;
	struct xf_domain *dom;		/* a reference, dropped at detach */
	struct rcu_head rcu;
};

/* What the filter decided for one packet at the hook. */
enum xf_rx_result {
	XF_RX_PASS,	/* continue as if xfilter were not there */
	XF_RX_DROP,	/* free it (the hook does) */
	XF_RX_STOLEN,	/* xfilter owns the skb now (queued) */
};

int xf_hook_init(void);
void xf_hook_exit(void);

void xf_vif_stats_read(const struct xf_vif *vif, struct xf_vif_stats *st);
void xf_vif_count(struct xf_vif *vif, unsigned int len,
		  enum xf_rx_result res);

/*
 * Iterate attached vifs; caller holds RTNL. Generation bumps on every
 * attach/detach so netlink dumps can detect change.
 */
extern struct list_head xf_vifs;
extern unsigned int xf_vifs_gen;

const char *xf_hook_kind_name(int kind);

#endif /* XF_KMOD_HOOK_H */
