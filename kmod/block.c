// SPDX-License-Identifier: GPL-2.0
/*
 * Rules of detection in block mode, kept per domain and apart from the
 * operator's table.
 *
 * Why apart: a guest decides how many alerts it raises. Its blocks live in
 * its own list of at most block_max rules, so it cannot fill the global
 * table (the operator's RULE_ADD never fails because of them), cannot make
 * other guests' flows scan its blocks, and a new block copies that short
 * list only, never the operator's table.
 *
 * Order: a domain's blocks are consulted before the operator's rules. A
 * block only ever drops, and only flows of the process (or uid) that
 * crossed a threshold in that domain, so it can narrow what the operator
 * allowed but never widen it or touch another guest; consulting it first
 * is what makes block mode stop a scanner the operator's rules happen to
 * accept. docs/security.md has the rest.
 *
 * Cache: a change of any domain's blocks bumps the generation of the
 * current table in place (O(1), no copy), so cached verdicts computed
 * before it are not used after it. xf_match() stamps its verdict with the
 * generation read before the blocks, so a verdict that raced a change is
 * refused by the cache.
 *
 * Lists are copied and published under xf_config_mutex, read under RCU,
 * freed after a grace period; they go with their domain.
 */
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "block.h"
#include "netlink.h"
#include "../core/rule_text.h"

#define XF_BLOCK_LIMIT 1024	/* upper bound of block_max */

static unsigned int xf_block_max = 64;
module_param_named(block_max, xf_block_max, uint, 0644);
MODULE_PARM_DESC(block_max,
		 "rules detection may add per domain in block mode (1..1024, default 64)");

struct xf_blocks {
	struct rcu_head rcu;
	struct xf_rule_table t;	/* no domain policies: fallback accepts */
	struct xf_rule rules[];
};

static void xf_block_expire_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(xf_block_expire_work, xf_block_expire_fn);
/* When the expiry work is due (monotonic ms, 0: not armed); config mutex. */
static u64 xf_block_due;

static struct xf_blocks *xf_blocks_locked(struct xf_domain *dom)
{
	return rcu_dereference_protected(dom->blocks,
					 lockdep_is_held(&xf_config_mutex));
}

/* -ENOENT: no block decides; else as xf_rules_match(). */
static int xf_block_match(struct xf_domain *dom, const struct xf_flow_key *key,
			  const struct xf_owner *owner, struct xf_verdict *v)
{
	struct xf_blocks *b = rcu_dereference(dom->blocks);
	int st;

	if (!b)
		return -ENOENT;
	st = xf_rules_match(&b->t, key, owner, v);
	if (st == XF_MATCH_NEED_OWNER)
		return st;
	if (v->source != XF_SRC_RULE)
		return -ENOENT;
	/* Counted per decided flow (a cache hit does not know the block). */
	xf_rules_account(&b->t, v, 0);
	/* Not an index of the operator's table: never account there. */
	v->rule = XF_RULE_NONE;
	v->mirror = 0;
	return XF_MATCH_DECIDED;
}

int xf_match(struct xf_domain *dom, struct xf_ruleset *rs,
	     const struct xf_flow_key *key, const struct xf_owner *owner,
	     struct xf_verdict *v)
{
	/* Pairs with smp_store_release() in xf_rules_bump_locked(). */
	u64 gen = smp_load_acquire(&rs->t.generation);
	int st = -ENOENT;

	if (dom)
		st = xf_block_match(dom, key, owner, v);
	if (st < 0)
		st = xf_rules_match(&rs->t, key, owner, v);
	v->generation = gen;
	return st;
}

static unsigned int xf_block_limit(void)
{
	return clamp_t(unsigned int, READ_ONCE(xf_block_max), 1,
		       XF_BLOCK_LIMIT);
}

/* A list of the rules of old (may be NULL) except skip, room for extra. */
static struct xf_blocks *xf_blocks_copy(struct xf_blocks *old, u32 skip,
					u32 extra)
{
	u32 i, n = old ? old->t.n_rules : 0;
	struct xf_blocks *b;

	b = kvzalloc(struct_size(b, rules, n + extra), GFP_KERNEL);
	if (!b)
		return NULL;
	xf_rules_init(&b->t, b->rules, n + extra, NULL, 0);
	for (i = 0; i < n; i++) {
		if (i == skip)
			continue;
		b->rules[b->t.n_rules] = old->rules[i];
		b->rules[b->t.n_rules].packets = READ_ONCE(old->rules[i].packets);
		b->t.n_rules++;
	}
	return b;
}

static void xf_blocks_publish(struct xf_domain *dom, struct xf_blocks *b)
{
	struct xf_blocks *old = xf_blocks_locked(dom);

	rcu_assign_pointer(dom->blocks, b);
	xf_rules_bump_locked();
	if (old)
		kvfree_rcu(old, rcu);
}

/* Under xf_config_mutex: have the expiry work run by expires_ms. */
static void xf_block_arm(u64 expires_ms)
{
	u64 now = xf_now_ms();

	if (xf_block_due && xf_block_due <= expires_ms)
		return;
	xf_block_due = expires_ms;
	mod_delayed_work(system_wq, &xf_block_expire_work,
			 expires_ms > now ?
			 msecs_to_jiffies(expires_ms - now) + 1 : 0);
}

int xf_block_add(struct xf_domain *dom, const struct xf_rule *r)
{
	struct xf_blocks *old = xf_blocks_locked(dom), *b;
	u32 i, n = old ? old->t.n_rules : 0;

	lockdep_assert_held(&xf_config_mutex);
	for (i = 0; i < n; i++)
		if (xf_rule_equal(&old->rules[i], r))
			return -EEXIST;
	if (n >= xf_block_limit())
		return -ENOSPC;
	b = xf_blocks_copy(old, U32_MAX, 1);
	if (!b)
		return -ENOMEM;
	if (xf_rules_insert(&b->t, b->t.n_rules, r)) {
		kvfree(b);
		return -EINVAL;
	}
	xf_blocks_publish(dom, b);
	if (r->expires_ms)
		xf_block_arm(r->expires_ms);
	return 0;
}

int xf_block_del(struct xf_domain *dom, const struct xf_rule *r)
{
	struct xf_blocks *old = xf_blocks_locked(dom), *b = NULL;
	u32 i, n = old ? old->t.n_rules : 0;

	lockdep_assert_held(&xf_config_mutex);
	for (i = 0; i < n; i++)
		if (xf_rule_equal(&old->rules[i], r))
			break;
	if (i == n)
		return -ENOENT;
	if (n > 1) {
		b = xf_blocks_copy(old, i, 0);
		if (!b)
			return -ENOMEM;
	}
	xf_blocks_publish(dom, b);
	return 0;
}

void xf_block_free(struct xf_domain *dom)
{
	kvfree(rcu_dereference_protected(dom->blocks, 1));
	RCU_INIT_POINTER(dom->blocks, NULL);
}

struct xf_expire_ctx {
	u64 now, next;		/* next: earliest expiry left, 0: none */
	char text[XF_RULE_TEXT_MAX];
};

static int xf_block_expire_dom(struct xf_domain *dom, void *arg)
{
	struct xf_blocks *old = xf_blocks_locked(dom), *b = NULL;
	struct xf_expire_ctx *c = arg;
	const struct xf_rule *r;
	u32 i, keep = 0;

	if (!old)
		return 0;
	for (i = 0; i < old->t.n_rules; i++) {
		r = &old->rules[i];
		if (r->expires_ms > c->now) {
			keep++;
			if (!c->next || r->expires_ms < c->next)
				c->next = r->expires_ms;
		}
	}
	if (keep == old->t.n_rules)
		return 0;
	if (keep) {
		b = kvzalloc(struct_size(b, rules, keep), GFP_KERNEL);
		if (!b) {
			c->next = c->now + 1000;	/* retry */
			return 0;
		}
		xf_rules_init(&b->t, b->rules, keep, NULL, 0);
	}
	for (i = 0; i < old->t.n_rules; i++) {
		r = &old->rules[i];
		if (r->expires_ms > c->now) {
			b->rules[b->t.n_rules] = *r;
			b->rules[b->t.n_rules].packets = READ_ONCE(r->packets);
			b->t.n_rules++;
			continue;
		}
		if (net_ratelimit()) {
			xf_rule_print(r, c->text, sizeof(c->text));
			/* The reason quotes a guest's comm: escaped (%pE). */
			pr_info("xfilter: block expired: %s (%*pE)\n", c->text,
				(int)strnlen(r->reason, sizeof(r->reason)),
				r->reason);
		}
	}
	xf_blocks_publish(dom, b);
	return 0;
}

static void xf_block_expire_fn(struct work_struct *work)
{
	struct xf_expire_ctx *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c) {
		schedule_delayed_work(&xf_block_expire_work, HZ);
		return;
	}
	mutex_lock(&xf_config_mutex);
	xf_block_due = 0;
	c->now = xf_now_ms();
	xf_domains_for_each(xf_block_expire_dom, c);
	if (c->next)
		xf_block_arm(c->next);
	mutex_unlock(&xf_config_mutex);
	kfree(c);
}

int xf_block_dump(struct sk_buff *skb, struct netlink_callback *cb, u64 gen)
{
	unsigned long id = cb->args[1];
	struct xf_domain *dom;
	struct xf_blocks *b;
	u32 i = cb->args[2];
	int ret = 0;
	void *hdr;

	rcu_read_lock();
	while ((dom = xf_domain_next(&id))) {
		b = rcu_dereference(dom->blocks);
		for (; b && i < b->t.n_rules; i++) {
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, &xf_genl_family,
					  NLM_F_MULTI, XFILTER_CMD_RULE_GET);
			if (!hdr)
				goto full;
			genl_dump_check_consistent(cb, hdr);
			if (nla_put_u64_64bit(skb, XFILTER_A_GENERATION, gen,
					      XFILTER_A_PAD) ||
			    xf_nl_put_rule(skb, XFILTER_A_RULE, &b->rules[i],
					   U32_MAX)) {
				genlmsg_cancel(skb, hdr);
				goto full;
			}
			genlmsg_end(skb, hdr);
		}
		i = 0;
		id++;
	}
	goto out;
full:
	ret = 1;
out:
	rcu_read_unlock();
	cb->args[1] = id;
	cb->args[2] = i;
	return ret;
}

/* After the block work is gone (nothing arms the expiry any more). */
void xf_block_exit(void)
{
	cancel_delayed_work_sync(&xf_block_expire_work);
}
