/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule table of core/ (rules and per-domain policies), published under
 * RCU: readers in softirq match against whatever table they loaded, writers
 * (netlink, under xf_config_mutex) build a modified copy and swap it in.
 */
#ifndef XF_KMOD_RULES_H
#define XF_KMOD_RULES_H

#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/rcupdate.h>
#include <linux/timekeeping.h>

#include "rule.h"

#define XF_DOMS_MAX 1024	/* domains with a policy of their own */

struct xf_ruleset {
	struct rcu_head rcu;
	struct xf_rule_table t;
	struct xf_dom_policy doms[XF_DOMS_MAX];
	struct xf_rule rules[];
};

extern struct xf_ruleset __rcu *xf_ruleset;
/* Serializes every configuration change (rules, domain settings). */
extern struct mutex xf_config_mutex;

static inline struct xf_ruleset *xf_ruleset_get(void)
{
	return rcu_dereference(xf_ruleset);
}

static inline struct xf_ruleset *xf_ruleset_locked(void)
{
	return rcu_dereference_protected(xf_ruleset,
					 lockdep_is_held(&xf_config_mutex));
}

/* The current table's generation; any context. */
static inline u64 xf_rules_generation(void)
{
	u64 gen;

	rcu_read_lock();
	gen = xf_ruleset_get()->t.generation;
	rcu_read_unlock();
	return gen;
}

/* The clock of xf_rule.expires_ms: monotonic milliseconds. */
static inline u64 xf_now_ms(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_MSEC);
}

/*
 * Under xf_config_mutex: something the verdicts depend on besides the
 * table changed (a domain's blocks, block.c): a new generation for the
 * current table, in place, so that earlier cached verdicts are not used.
 */
void xf_rules_bump_locked(void);

int xf_rules_kinit(void);
void xf_rules_kexit(void);

/* All under xf_config_mutex; they bump the generation and tell the cache. */
int xf_ruleset_insert(const struct xf_rule *r, u32 at,
		      struct netlink_ext_ack *extack);
int xf_ruleset_delete(u32 at, struct netlink_ext_ack *extack);
int xf_ruleset_delete_equal(const struct xf_rule *r,
			    struct netlink_ext_ack *extack);
int xf_ruleset_count(u64 generation, u32 at, u64 packets, u64 bytes,
		     struct netlink_ext_ack *extack);
int xf_ruleset_flush(void);
/*
 * The rules become rules[0..n), in one publish: readers see the old table
 * or the new one, never a part or an empty table between. Domain policies
 * are kept. On error nothing changed and *bad is the rejected rule.
 */
int xf_ruleset_replace(const struct xf_rule *rules, u32 n, u32 *bad,
		       struct netlink_ext_ack *extack);
int xf_ruleset_set_policy(u16 domid, u8 dflt, u8 unattributed,
			  struct netlink_ext_ack *extack);

#endif /* XF_KMOD_RULES_H */
