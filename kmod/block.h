/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rules detection adds in block mode: a short list per domain, apart
 * from the operator's table, consulted before it (docs/security.md).
 */
#ifndef XF_KMOD_BLOCK_H
#define XF_KMOD_BLOCK_H

#include <net/genetlink.h>

#include "domain.h"
#include "rules.h"

/*
 * Decide a flow of dom: its blocks first, then the operator's table rs.
 * Same contract as xf_rules_match(); the verdict carries the generation
 * read before the blocks were, so a verdict computed across a change of
 * either is refused by the cache. Under RCU (rs and dom->blocks).
 */
int xf_match(struct xf_domain *dom, struct xf_ruleset *rs,
	     const struct xf_flow_key *key, const struct xf_owner *owner,
	     struct xf_verdict *v);

/*
 * Under xf_config_mutex: add r (with expires_ms set) to dom's blocks.
 * 0, -EEXIST (an equal one is there), -ENOSPC (block_max reached),
 * -EINVAL, -ENOMEM.
 */
int xf_block_add(struct xf_domain *dom, const struct xf_rule *r);
/* Under xf_config_mutex: delete dom's block equal to r; 0 or -ENOENT. */
int xf_block_del(struct xf_domain *dom, const struct xf_rule *r);
/* Domain going (no reader left): free its list. */
void xf_block_free(struct xf_domain *dom);

/*
 * RULE_GET dump of every domain's blocks (no XFILTER_RULE_A_INDEX: they
 * are not in the operator's table). Cursor: args[1] domid, args[2] index.
 * Returns 1 when the skb is full.
 */
int xf_block_dump(struct sk_buff *skb, struct netlink_callback *cb, u64 gen);

void xf_block_exit(void);

#endif /* XF_KMOD_BLOCK_H */
