/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-packet fast path behind both hooks.
 */
#ifndef XF_KMOD_FILTER_H
#define XF_KMOD_FILTER_H

#include <linux/skbuff.h>

#include "hook.h"

/*
 * Decide what happens to skb, received on vif, in softirq under RCU.
 * On XF_RX_STOLEN the filter owns the caller's reference; on XF_RX_DROP the
 * caller frees it; on XF_RX_PASS nothing changed.
 */
enum xf_rx_result xf_filter_rx(struct xf_vif *vif, struct sk_buff *skb);

/* Re-inject an accepted held skb past both hooks (hook.c). BHs off. */
void xf_hook_reinject(struct sk_buff *skb);

#endif /* XF_KMOD_FILTER_H */
