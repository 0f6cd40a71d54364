// SPDX-License-Identifier: GPL-2.0
/*
 * Copy-update-publish of the core/ rule table. A change allocates a table
 * with room for one more rule, copies the current one (counters included),
 * applies the change with the core/ function and publishes it; the old one
 * is freed after a grace period. Counter increments that land on the old
 * table during the switch are lost, which is acceptable for statistics.
 */
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/mm.h>

#include "cache.h"
#include "hypercall.h"
#include "rules.h"

struct xf_ruleset __rcu *xf_ruleset;
/* Serializes writers of xf_ruleset and the domain settings. */
DEFINE_MUTEX(xf_config_mutex);

static struct xf_ruleset *xf_ruleset_alloc(u32 cap)
{
	struct xf_ruleset *rs;

	rs = kvzalloc(struct_size(rs, rules, cap), GFP_KERNEL);
	if (!rs)
		return NULL;
	xf_rules_init(&rs->t, rs->rules, cap, rs->doms, XF_DOMS_MAX);
	return rs;
}

/* A writable copy of the current table with room for extra more rules. */
static struct xf_ruleset *xf_ruleset_copy(u32 extra)
{
	struct xf_ruleset *old = xf_ruleset_locked();
	struct xf_ruleset *rs;
	u32 i;

	rs = xf_ruleset_alloc(old->t.n_rules + extra);
	if (!rs)
		return NULL;
	for (i = 0; i < old->t.n_rules; i++) {
		rs->rules[i] = old->rules[i];
		rs->rules[i].packets = READ_ONCE(old->rules[i].packets);
		rs->rules[i].bytes = READ_ONCE(old->rules[i].bytes);
	}
	memcpy(rs->doms, old->doms, sizeof(rs->doms));
	rs->t.n_rules = old->t.n_rules;
	rs->t.n_doms = old->t.n_doms;
	rs->t.fallback = old->t.fallback;
	rs->t.generation = old->t.generation;
	return rs;
}

static void xf_ruleset_publish(struct xf_ruleset *rs)
{
	struct xf_ruleset *old = xf_ruleset_locked();

	rcu_assign_pointer(xf_ruleset, rs);
	xf_cache_rules_changed_k(rs->t.generation);
	/* Keep the filter in Xen in step (fast mode); see hypercall.c. */
	xf_hv_sync_rules(&rs->t);
	kvfree_rcu(old, rcu);
}

static const char *xf_rule_errmsg(int err)
{
	switch (err) {
	case XF_RULE_E_FULL:
		return "rule table is full";
	case XF_RULE_E_RANGE:
		return "rule index out of range";
	case XF_RULE_E_UNRESOLVED:
		return "domain name not resolved to a domid";
	default:
		return "rule is not well formed";
	}
}

/* NL_SET_ERR_MSG() wants a literal; these are static strings too. */
static void xf_set_errmsg(struct netlink_ext_ack *extack, const char *msg)
{
	if (extack)
		extack->_msg = msg;
}

static int xf_rule_errno(int err)
{
	switch (err) {
	case XF_RULE_E_FULL:
		return -ENOSPC;
	case XF_RULE_E_RANGE:
		return -ERANGE;
	default:
		return -EINVAL;
	}
}

int xf_ruleset_insert(const struct xf_rule *r, u32 at,
		      struct netlink_ext_ack *extack)
{
	struct xf_ruleset *rs;
	int err;

	lockdep_assert_held(&xf_config_mutex);
	rs = xf_ruleset_copy(1);
	if (!rs)
		return -ENOMEM;
	if (at == U32_MAX)
		at = rs->t.n_rules;
	err = xf_rules_insert(&rs->t, at, r);
	if (err) {
		xf_set_errmsg(extack, xf_rule_errmsg(err));
		kvfree(rs);
		return xf_rule_errno(err);
	}
	xf_ruleset_publish(rs);
	return 0;
}

int xf_ruleset_delete(u32 at, struct netlink_ext_ack *extack)
{
	struct xf_ruleset *rs;
	int err;

	lockdep_assert_held(&xf_config_mutex);
	rs = xf_ruleset_copy(0);
	if (!rs)
		return -ENOMEM;
	err = xf_rules_delete(&rs->t, at);
	if (err) {
		xf_set_errmsg(extack, xf_rule_errmsg(err));
		kvfree(rs);
		return xf_rule_errno(err);
	}
	xf_ruleset_publish(rs);
	return 0;
}

int xf_ruleset_delete_equal(const struct xf_rule *r,
			    struct netlink_ext_ack *extack)
{
	struct xf_ruleset *cur = xf_ruleset_locked();
	u32 i;

	for (i = 0; i < cur->t.n_rules; i++)
		if (xf_rule_equal(&cur->rules[i], r))
			return xf_ruleset_delete(i, extack);
	NL_SET_ERR_MSG(extack, "no such rule");
	return -ENOENT;
}

int xf_ruleset_count(u64 generation, u32 at, u64 packets, u64 bytes,
		     struct netlink_ext_ack *extack)
{
	struct xf_ruleset *cur = xf_ruleset_locked();
	struct xf_ruleset *rs;

	lockdep_assert_held(&xf_config_mutex);
	if (cur->t.generation != generation) {
		NL_SET_ERR_MSG(extack, "the rule table changed since that generation");
		return -ESTALE;
	}
	if (at >= cur->t.n_rules) {
		NL_SET_ERR_MSG(extack, "rule index out of range");
		return -ERANGE;
	}
	/* A copy: the receive path adds to the live counters without a lock. */
	rs = xf_ruleset_copy(0);
	if (!rs)
		return -ENOMEM;
	rs->rules[at].packets += packets;
	rs->rules[at].bytes += bytes;
	xf_ruleset_publish(rs);
	return 0;
}

int xf_ruleset_flush(void)
{
	struct xf_ruleset *rs;

	lockdep_assert_held(&xf_config_mutex);
	rs = xf_ruleset_copy(0);
	if (!rs)
		return -ENOMEM;
	xf_rules_flush(&rs->t);
	xf_ruleset_publish(rs);
	return 0;
}

int xf_ruleset_replace(const struct xf_rule *rules, u32 n, u32 *bad,
		       struct netlink_ext_ack *extack)
{
	struct xf_ruleset *old = xf_ruleset_locked();
	struct xf_ruleset *rs;
	u32 i;
	int err;

	lockdep_assert_held(&xf_config_mutex);
	rs = xf_ruleset_alloc(n);
	if (!rs)
		return -ENOMEM;
	/* Domain policies stay; only the rules are new (counters at 0). */
	memcpy(rs->doms, old->doms, sizeof(rs->doms));
	rs->t.n_doms = old->t.n_doms;
	rs->t.fallback = old->t.fallback;
	rs->t.generation = old->t.generation + 1;
	for (i = 0; i < n; i++) {
		err = xf_rules_insert(&rs->t, i, &rules[i]);
		if (err) {
			*bad = i;
			xf_set_errmsg(extack, xf_rule_errmsg(err));
			kvfree(rs);
			return xf_rule_errno(err);
		}
	}
	xf_ruleset_publish(rs);
	return 0;
}

int xf_ruleset_set_policy(u16 domid, u8 dflt, u8 unattributed,
			  struct netlink_ext_ack *extack)
{
	struct xf_ruleset *rs;
	int err;

	lockdep_assert_held(&xf_config_mutex);
	rs = xf_ruleset_copy(0);
	if (!rs)
		return -ENOMEM;
	err = xf_rules_set_policy(&rs->t, domid, dflt, unattributed);
	if (err) {
		xf_set_errmsg(extack, err == XF_RULE_E_FULL ?
			      "too many domains with a policy" :
			      "bad policy");
		kvfree(rs);
		return xf_rule_errno(err);
	}
	xf_ruleset_publish(rs);
	return 0;
}

void xf_rules_bump_locked(void)
{
	struct xf_ruleset *rs = xf_ruleset_locked();
	u64 gen = rs->t.generation + 1;

	/* Pairs with smp_load_acquire() in xf_match(). */
	smp_store_release(&rs->t.generation, gen);
	xf_cache_rules_changed_k(gen);
}

int xf_rules_kinit(void)
{
	struct xf_ruleset *rs = xf_ruleset_alloc(0);

	if (!rs)
		return -ENOMEM;
	RCU_INIT_POINTER(xf_ruleset, rs);
	return 0;
}

void xf_rules_kexit(void)
{
	kvfree(rcu_dereference_protected(xf_ruleset, 1));
	RCU_INIT_POINTER(xf_ruleset, NULL);
}
