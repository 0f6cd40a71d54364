/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scan and flood detection per guest process (core/detect.c), its alerts
 * and the block-mode response.
 */
#ifndef XF_KMOD_DETECT_H
#define XF_KMOD_DETECT_H

#include <net/genetlink.h>

#include "domain.h"
#include "../core/detect.h"

/* A domain's detector settings, or the defaults' if it has none. */
void xf_detect_get(const struct xf_domain *dom, struct xf_detect_set *out);

/*
 * Should this new flow be attributed for the detector even though no rule
 * needs its owner? Softirq, lockless.
 */
bool xf_detect_wants(struct xf_domain *dom, const struct xf_flow *flow);

/*
 * Account a new flow whose verdict was just applied with this owner (NULL
 * or without XF_OWNER_F_FOUND: unattributed, counted per domain). Under
 * dom->q.lock (which also guards the domain's detector table), BHs off.
 */
void xf_detect_account(struct xf_domain *dom, const struct xf_flow *flow,
		       const struct xf_owner *owner);

/* Process context: give dom its detector table if it has none. */
int xf_detect_table_alloc(struct xf_domain *dom);

/* XFILTER_CMD_ALERT_GET; filter is a domid or U32_MAX. */
int xf_detect_dump(struct sk_buff *skb, struct netlink_callback *cb,
		   u32 filter);

/* Module exit, after the hooks and netlink are gone. */
void xf_detect_exit(void);

#endif /* XF_KMOD_DETECT_H */
