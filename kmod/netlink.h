/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "xfilter" generic netlink family (include/uapi/linux/xfilter.h).
 */
#ifndef XF_KMOD_NETLINK_H
#define XF_KMOD_NETLINK_H

#include <net/genetlink.h>

#include "domain.h"
#include "../core/flow.h"
#include "../core/owner.h"
#include "../core/rule.h"

extern struct genl_family xf_genl_family;

int xf_nl_init(void);
void xf_nl_exit(void);

int xf_nl_put_key(struct sk_buff *skb, const struct xf_flow_key *key);
/* Any context; a no-op without listeners. */
void xf_nl_log(struct xf_domain *dom, const struct xf_flow_key *key,
	       const struct xf_verdict *v, u8 source,
	       const struct xf_owner *owner);
bool xf_nl_batch_listeners(void);
bool xf_nl_log_listeners(void);
/* Send msg to the log group; any context. */
void xf_nl_multicast_log(struct sk_buff *msg);
/* Nested attribute attr holding a rule (index U32_MAX: none) / an owner. */
int xf_nl_put_rule(struct sk_buff *skb, int attr, const struct xf_rule *r,
		   u32 index);
int xf_nl_put_owner(struct sk_buff *skb, int attr, const struct xf_owner *o);
/* Process context. */
int xf_nl_notify_batch(struct xf_domain *dom, u32 batch_id, u32 n,
		       gfp_t gfp);
/* Process context: ask xfilterd to load domid's profile into Xen. */
int xf_nl_notify_profile(u32 domid);

#endif /* XF_KMOD_NETLINK_H */
