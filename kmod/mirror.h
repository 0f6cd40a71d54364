/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mirror targets of "mirror DEV" rules: see mirror.c.
 */
#ifndef XF_KMOD_MIRROR_H
#define XF_KMOD_MIRROR_H

#include <linux/netlink.h>
#include <linux/skbuff.h>

#include "../core/rule.h"

int xf_mirror_init(void);
void xf_mirror_exit(void);

/*
 * Process context, not under RTNL or xf_config_mutex: the slot
 * (1..XF_MIRROR_SLOTS) of the device called name, taking a reference on
 * it; or -errno with an extack message.
 */
int xf_mirror_bind(const char *name, struct netlink_ext_ack *extack);

/* Softirq (BHs off): copy skb (data at L3, MAC header before it) to slot. */
void xf_mirror_skb(u8 slot, const struct sk_buff *skb);

void xf_mirror_stats(u8 slot, u64 *copies, u64 *drops, u64 *errors);

#endif /* XF_KMOD_MIRROR_H */
