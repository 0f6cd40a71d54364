/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verdict cache of core/, one for all domains (the key has the domid),
 * each domain holding at most its share (core/cache.h): lock-free lookups
 * in softirq under RCU, writers under a spinlock.
 */
#ifndef XF_KMOD_CACHE_H
#define XF_KMOD_CACHE_H

#include <linux/types.h>

#include "../core/cache.h"

struct sk_buff;
struct netlink_callback;

int xf_cache_kinit(void);
void xf_cache_kexit(void);

/* Softirq, under RCU: XF_CACHE_HIT fills *v. */
int xf_cache_lookup_k(const struct xf_flow *f, u64 gen, struct xf_verdict *v);
/*
 * Any context: cache a verdict computed under generation v->generation.
 * 0 or a negative enum xf_cache_err (the verdict then applies uncached).
 */
int xf_cache_insert_k(const struct xf_flow *f, const struct xf_verdict *v);
void xf_cache_rules_changed_k(u64 gen);
/* Forget the entries of one domain, or all with domid U32_MAX. */
void xf_cache_flush_k(u32 domid);
/* Forget a domain's entries for good, before its record is freed. */
void xf_cache_dom_gone_k(struct xf_cache_dom *d);
u32 xf_cache_count_k(void);

/*
 * Dump entries into skb from the cursor in cb->args[1..2], filtered by
 * domid (U32_MAX: all). Returns 0 when done, 1 when the skb is full,
 * negative on error.
 */
int xf_cache_dump_k(struct sk_buff *skb, struct netlink_callback *cb,
		    u32 domid);

#endif /* XF_KMOD_CACHE_H */
