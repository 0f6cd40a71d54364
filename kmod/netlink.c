// SPDX-License-Identifier: GPL-2.0
/*
 * The "xfilter" generic netlink family; the UAPI header is the manual.
 *
 * Input is validated strictly by one nla_policy per nesting level (the core
 * rejects unknown attributes, bad lengths and out-of-range values with an
 * extended ack); what a policy cannot say is checked here, and every
 * rejection names the attribute. Configuration changes are serialized by
 * xf_config_mutex; the family is not parallel_ops, so dumps and doits also
 * run one at a time.
 */
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <uapi/linux/xfilter.h>

#include "block.h"
#include "cache.h"
#include "compat.h"
#include "detect.h"
#include "domain.h"
#include "hook.h"
#include "hypercall.h"
#include "mirror.h"
#include "netlink.h"
#include "queue.h"
#include "rules.h"
#include "verdict.h"

enum { XF_GRP_BATCH, XF_GRP_LOG };

/* Bumped on every domain settings change: DOMAIN_GET's cb->seq. */
static u32 xf_config_gen = 1;

#define XF_REQUIRE(extack, nest, tb, type, msg) ({			\
	bool __missing = !(tb)[type];					\
	if (__missing) {						\
		NL_SET_ERR_ATTR_MISS(extack, nest, type);		\
		NL_SET_ERR_MSG(extack, msg);				\
	}								\
	__missing;							\
})

static const struct nla_policy xf_rule_policy[XFILTER_RULE_A_MAX + 1] = {
	[XFILTER_RULE_A_INDEX]		= { .type = NLA_U32 },
	[XFILTER_RULE_A_ACTION]		= NLA_POLICY_MAX(NLA_U8, XFILTER_ACTION_MIRROR),
	[XFILTER_RULE_A_DOMID]		= NLA_POLICY_MAX(NLA_U32, XFILTER_DOMID_MAX),
	[XFILTER_RULE_A_PROTO]		= { .type = NLA_U8 },
	[XFILTER_RULE_A_DST4]		= NLA_POLICY_EXACT_LEN(4),
	[XFILTER_RULE_A_DST6]		= NLA_POLICY_EXACT_LEN(16),
	[XFILTER_RULE_A_DST_PLEN]	= NLA_POLICY_MAX(NLA_U8, 128),
	[XFILTER_RULE_A_DPORT_MIN]	= { .type = NLA_U16 },
	[XFILTER_RULE_A_DPORT_MAX]	= { .type = NLA_U16 },
	[XFILTER_RULE_A_SPORT_MIN]	= { .type = NLA_U16 },
	[XFILTER_RULE_A_SPORT_MAX]	= { .type = NLA_U16 },
	[XFILTER_RULE_A_UID]		= { .type = NLA_U32 },
	[XFILTER_RULE_A_EUID]		= { .type = NLA_U32 },
	[XFILTER_RULE_A_GID]		= { .type = NLA_U32 },
	[XFILTER_RULE_A_PID]		= { .type = NLA_U32 },
	[XFILTER_RULE_A_COMM]		= { .type = NLA_NUL_STRING,
					    .len = XFILTER_COMM_LEN - 1 },
	[XFILTER_RULE_A_EXE]		= { .type = NLA_NUL_STRING,
					    .len = XFILTER_EXE_LEN - 1 },
	[XFILTER_RULE_A_MIRROR]		= { .type = NLA_NUL_STRING,
					    .len = IFNAMSIZ - 1 },
	[XFILTER_RULE_A_CGROUP]		= { .type = NLA_NUL_STRING,
					    .len = XFILTER_CGROUP_LEN - 1 },
	/* RULE_COUNT only: what to add to the rule's counters. */
	[XFILTER_RULE_A_PACKETS]	= { .type = NLA_U64 },
	[XFILTER_RULE_A_BYTES]		= { .type = NLA_U64 },
};

static struct netlink_range_validation xf_window_range = {
	.min = XF_DETECT_WINDOW_MIN_MS,
	.max = XF_DETECT_WINDOW_MAX_MS,
};

static struct netlink_range_validation xf_block_range = {
	.min = 1000,
	.max = 86400000,
};

static const struct nla_policy xf_domain_policy[XFILTER_DOMAIN_A_MAX + 1] = {
	[XFILTER_DOMAIN_A_DOMID]	= { .type = NLA_U32 },
	[XFILTER_DOMAIN_A_MODE]		= NLA_POLICY_MAX(NLA_U8, XFILTER_MODE_MAX),
	[XFILTER_DOMAIN_A_POLICY]	= NLA_POLICY_MAX(NLA_U8, XFILTER_ACTION_MAX),
	[XFILTER_DOMAIN_A_UNATTRIBUTED]	= NLA_POLICY_MAX(NLA_U8, XFILTER_ACTION_MAX),
	[XFILTER_DOMAIN_A_FAIL_POLICY]	= NLA_POLICY_MAX(NLA_U8, XFILTER_ACTION_DROP),
	[XFILTER_DOMAIN_A_DETECT]	= NLA_POLICY_MAX(NLA_U8, XFILTER_DETECT_MAX),
	[XFILTER_DOMAIN_A_DETECT_WINDOW_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &xf_window_range),
	[XFILTER_DOMAIN_A_DETECT_PORTS]	= NLA_POLICY_MAX(NLA_U32, XF_DETECT_EVENTS),
	[XFILTER_DOMAIN_A_DETECT_HOSTS]	= NLA_POLICY_MAX(NLA_U32, XF_DETECT_EVENTS),
	[XFILTER_DOMAIN_A_DETECT_FLOWS]	= { .type = NLA_U32 },
	[XFILTER_DOMAIN_A_DETECT_UNATTRIBUTED] = { .type = NLA_U32 },
	[XFILTER_DOMAIN_A_BLOCK_MS]	=
		NLA_POLICY_FULL_RANGE(NLA_U32, &xf_block_range),
};

static const struct nla_policy xf_owner_policy[XFILTER_OWNER_A_MAX + 1] = {
	[XFILTER_OWNER_A_FLAGS]		= NLA_POLICY_MASK(NLA_U32, XFILTER_OWNER_F_ALL),
	[XFILTER_OWNER_A_PID]		= { .type = NLA_U32 },
	[XFILTER_OWNER_A_TGID]		= { .type = NLA_U32 },
	[XFILTER_OWNER_A_PPID]		= { .type = NLA_U32 },
	[XFILTER_OWNER_A_UID]		= { .type = NLA_U32 },
	[XFILTER_OWNER_A_GID]		= { .type = NLA_U32 },
	[XFILTER_OWNER_A_EUID]		= { .type = NLA_U32 },
	[XFILTER_OWNER_A_EGID]		= { .type = NLA_U32 },
	[XFILTER_OWNER_A_CGROUP]	= { .type = NLA_U64 },
	[XFILTER_OWNER_A_COMM]		= { .type = NLA_NUL_STRING,
					    .len = XFILTER_COMM_LEN - 1 },
	[XFILTER_OWNER_A_EXE]		= { .type = NLA_NUL_STRING,
					    .len = XFILTER_EXE_LEN - 1 },
	[XFILTER_OWNER_A_CGROUP_PATH]	= { .type = NLA_NUL_STRING,
					    .len = XFILTER_CGROUP_LEN - 1 },
};

static const struct nla_policy xf_verdict_policy[XFILTER_VERDICT_A_MAX + 1] = {
	[XFILTER_VERDICT_A_FLOW_ID]	= { .type = NLA_U32 },
	[XFILTER_VERDICT_A_OWNER]	= NLA_POLICY_NESTED(xf_owner_policy),
	[XFILTER_VERDICT_A_ACTION]	= NLA_POLICY_MAX(NLA_U8, XFILTER_ACTION_MAX),
};

/* Output-only attributes are left out: strict validation rejects them. */
static const struct nla_policy xf_policy[XFILTER_A_MAX + 1] = {
	[XFILTER_A_RULE]		= NLA_POLICY_NESTED(xf_rule_policy),
	[XFILTER_A_DOMAIN]		= NLA_POLICY_NESTED(xf_domain_policy),
	[XFILTER_A_DOMID]		= { .type = NLA_U32 },
	[XFILTER_A_BATCH_ID]		= { .type = NLA_U32 },
	[XFILTER_A_VERDICTS]		= NLA_POLICY_NESTED_ARRAY(xf_verdict_policy),
	[XFILTER_A_GENERATION]		= { .type = NLA_U64 },	/* RULE_COUNT */
};

static bool xf_domid_valid(u32 domid)
{
	return domid <= XFILTER_DOMID_MAX;
}

/* ---- rules ---- */

static int xf_nl_parse_ports(struct nlattr **tb, int lo_a, int hi_a,
			     u16 *lo, u16 *hi, struct netlink_ext_ack *extack)
{
	if (!tb[lo_a] && tb[hi_a]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[hi_a],
				    "port range maximum without a minimum");
		return -EINVAL;
	}
	*lo = nla_get_u16(tb[lo_a]);
	*hi = tb[hi_a] ? nla_get_u16(tb[hi_a]) : *lo;
	if (*hi < *lo) {
		NL_SET_ERR_MSG_ATTR(extack, tb[hi_a],
				    "port range maximum below its minimum");
		return -EINVAL;
	}
	return 0;
}

static int xf_nl_parse_dst(struct nlattr **tb, struct xf_rule *r,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *a = tb[XFILTER_RULE_A_DST4] ?: tb[XFILTER_RULE_A_DST6];
	unsigned int bits, i;

	if (tb[XFILTER_RULE_A_DST4] && tb[XFILTER_RULE_A_DST6]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[XFILTER_RULE_A_DST6],
				    "give DST4 or DST6, not both");
		return -EINVAL;
	}
	if (!a) {
		if (tb[XFILTER_RULE_A_DST_PLEN]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[XFILTER_RULE_A_DST_PLEN],
					    "prefix length without an address");
			return -EINVAL;
		}
		return 0;
	}
	r->fields |= XF_RF_DST;
	r->dst_family = tb[XFILTER_RULE_A_DST4] ? XF_AF_INET : XF_AF_INET6;
	bits = nla_len(a) * 8;
	memcpy(r->dst, nla_data(a), nla_len(a));
	r->dst_plen = tb[XFILTER_RULE_A_DST_PLEN] ?
		      nla_get_u8(tb[XFILTER_RULE_A_DST_PLEN]) : bits;
	if (r->dst_plen > bits) {
		NL_SET_ERR_MSG_ATTR(extack, tb[XFILTER_RULE_A_DST_PLEN],
				    "prefix length longer than the address");
		return -EINVAL;
	}
	for (i = r->dst_plen; i < bits; i++) {
		if (r->dst[i / 8] & (0x80 >> (i % 8))) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "address has host bits set beyond the prefix length");
			return -EINVAL;
		}
	}
	return 0;
}

/* NL_SET_ERR_MSG_ATTR() takes literals only: one case per reason. */
static int xf_nl_parse_cgroup(struct nlattr *a, struct xf_rule *r,
			      struct netlink_ext_ack *extack)
{
	BUILD_BUG_ON(XFILTER_CGROUP_LEN != XF_CGROUP_LEN);
	r->fields |= XF_RF_CGROUP;
	nla_strscpy(r->cgroup, a, sizeof(r->cgroup));
	switch (xf_cgroup_path_check(r->cgroup)) {
	case 0:
		return 0;
	case XF_CGROUP_E_EMPTY:
		NL_SET_ERR_MSG_ATTR(extack, a, "empty cgroup path");
		break;
	case XF_CGROUP_E_RELATIVE:
		NL_SET_ERR_MSG_ATTR(extack, a, "cgroup path must start with '/'");
		break;
	case XF_CGROUP_E_CONTROL:
		NL_SET_ERR_MSG_ATTR(extack, a, "control byte in cgroup path");
		break;
	case XF_CGROUP_E_SLASH:
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "cgroup path with '//' or a trailing '/'");
		break;
	case XF_CGROUP_E_DOT:
		NL_SET_ERR_MSG_ATTR(extack, a, "'.' or '..' in cgroup path");
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, a, "cgroup path too long");
		break;
	}
	return -EINVAL;
}

static int xf_nl_parse_rule(struct nlattr *nest, struct xf_rule *r,
			    u32 *index, bool need_action,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[XFILTER_RULE_A_MAX + 1];
	static const struct {
		int attr;
		u32 field;
		size_t off;
	} ids[] = {
		{ XFILTER_RULE_A_UID, XF_RF_UID, offsetof(struct xf_rule, uid) },
		{ XFILTER_RULE_A_EUID, XF_RF_EUID, offsetof(struct xf_rule, euid) },
		{ XFILTER_RULE_A_GID, XF_RF_GID, offsetof(struct xf_rule, gid) },
		{ XFILTER_RULE_A_PID, XF_RF_PID, offsetof(struct xf_rule, pid) },
	};
	unsigned int i;
	int err;

	err = nla_parse_nested(tb, XFILTER_RULE_A_MAX, nest, xf_rule_policy,
			       extack);
	if (err)
		return err;
	if (tb[XFILTER_RULE_A_PACKETS] || tb[XFILTER_RULE_A_BYTES]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[XFILTER_RULE_A_PACKETS] ?:
				    tb[XFILTER_RULE_A_BYTES],
				    "counters are added with RULE_COUNT, not set here");
		return -EINVAL;
	}
	xf_rule_init(r);
	*index = tb[XFILTER_RULE_A_INDEX] ?
		 nla_get_u32(tb[XFILTER_RULE_A_INDEX]) : U32_MAX;
	if (!tb[XFILTER_RULE_A_ACTION]) {
		if (!need_action)
			return 0;
		XF_REQUIRE(extack, nest, tb, XFILTER_RULE_A_ACTION,
			   "a rule needs an action");
		return -EINVAL;
	}
	r->action = nla_get_u8(tb[XFILTER_RULE_A_ACTION]);
	if ((r->action == XF_ACT_MIRROR) != !!tb[XFILTER_RULE_A_MIRROR]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[XFILTER_RULE_A_ACTION],
				    "action mirror needs XFILTER_RULE_A_MIRROR, other actions refuse it");
		return -EINVAL;
	}
	if (tb[XFILTER_RULE_A_MIRROR]) {
		nla_strscpy(r->mirror_dev, tb[XFILTER_RULE_A_MIRROR],
			    sizeof(r->mirror_dev));
		if (!r->mirror_dev[0]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[XFILTER_RULE_A_MIRROR],
					    "empty device name");
			return -EINVAL;
		}
	}
	if (tb[XFILTER_RULE_A_DOMID]) {
		r->fields |= XF_RF_DOMID;
		r->domid = nla_get_u32(tb[XFILTER_RULE_A_DOMID]);
	}
	if (tb[XFILTER_RULE_A_PROTO]) {
		r->fields |= XF_RF_PROTO;
		r->proto = nla_get_u8(tb[XFILTER_RULE_A_PROTO]);
	}
	err = xf_nl_parse_dst(tb, r, extack);
	if (err)
		return err;
	if (tb[XFILTER_RULE_A_DPORT_MIN] || tb[XFILTER_RULE_A_DPORT_MAX]) {
		r->fields |= XF_RF_DPORT;
		err = xf_nl_parse_ports(tb, XFILTER_RULE_A_DPORT_MIN,
					XFILTER_RULE_A_DPORT_MAX, &r->dport_lo,
					&r->dport_hi, extack);
		if (err)
			return err;
	}
	if (tb[XFILTER_RULE_A_SPORT_MIN] || tb[XFILTER_RULE_A_SPORT_MAX]) {
		r->fields |= XF_RF_SPORT;
		err = xf_nl_parse_ports(tb, XFILTER_RULE_A_SPORT_MIN,
					XFILTER_RULE_A_SPORT_MAX, &r->sport_lo,
					&r->sport_hi, extack);
		if (err)
			return err;
	}
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		if (!tb[ids[i].attr])
			continue;
		r->fields |= ids[i].field;
		*(u32 *)((u8 *)r + ids[i].off) = nla_get_u32(tb[ids[i].attr]);
	}
	if (tb[XFILTER_RULE_A_COMM]) {
		r->fields |= XF_RF_COMM;
		nla_strscpy(r->comm, tb[XFILTER_RULE_A_COMM], sizeof(r->comm));
	}
	if (tb[XFILTER_RULE_A_EXE]) {
		r->fields |= XF_RF_EXE;
		nla_strscpy(r->exe, tb[XFILTER_RULE_A_EXE], sizeof(r->exe));
	}
	if (tb[XFILTER_RULE_A_CGROUP]) {
		err = xf_nl_parse_cgroup(tb[XFILTER_RULE_A_CGROUP], r, extack);
		if (err)
			return err;
	}
	if (xf_rule_check(r)) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "rule is not well formed");
		return -EINVAL;
	}
	return 0;
}

int xf_nl_put_rule(struct sk_buff *skb, int attr, const struct xf_rule *r,
		   u32 index)
{
	u32 f = r->fields;
	struct nlattr *nest;
	u64 now;

	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	if ((index != U32_MAX &&
	     nla_put_u32(skb, XFILTER_RULE_A_INDEX, index)) ||
	    nla_put_u8(skb, XFILTER_RULE_A_ACTION, r->action) ||
	    ((f & XF_RF_DOMID) &&
	     nla_put_u32(skb, XFILTER_RULE_A_DOMID, r->domid)) ||
	    ((f & XF_RF_PROTO) &&
	     nla_put_u8(skb, XFILTER_RULE_A_PROTO, r->proto)) ||
	    ((f & XF_RF_DST) &&
	     (nla_put(skb, r->dst_family == XF_AF_INET ? XFILTER_RULE_A_DST4 :
		      XFILTER_RULE_A_DST6,
		      r->dst_family == XF_AF_INET ? 4 : 16, r->dst) ||
	      nla_put_u8(skb, XFILTER_RULE_A_DST_PLEN, r->dst_plen))) ||
	    ((f & XF_RF_DPORT) &&
	     (nla_put_u16(skb, XFILTER_RULE_A_DPORT_MIN, r->dport_lo) ||
	      nla_put_u16(skb, XFILTER_RULE_A_DPORT_MAX, r->dport_hi))) ||
	    ((f & XF_RF_SPORT) &&
	     (nla_put_u16(skb, XFILTER_RULE_A_SPORT_MIN, r->sport_lo) ||
	      nla_put_u16(skb, XFILTER_RULE_A_SPORT_MAX, r->sport_hi))) ||
	    ((f & XF_RF_UID) && nla_put_u32(skb, XFILTER_RULE_A_UID, r->uid)) ||
	    ((f & XF_RF_EUID) &&
	     nla_put_u32(skb, XFILTER_RULE_A_EUID, r->euid)) ||
	    ((f & XF_RF_GID) && nla_put_u32(skb, XFILTER_RULE_A_GID, r->gid)) ||
	    ((f & XF_RF_PID) && nla_put_u32(skb, XFILTER_RULE_A_PID, r->pid)) ||
	    ((f & XF_RF_COMM) &&
	     nla_put_string(skb, XFILTER_RULE_A_COMM, r->comm)) ||
	    ((f & XF_RF_EXE) &&
	     nla_put_string(skb, XFILTER_RULE_A_EXE, r->exe)) ||
	    ((f & XF_RF_CGROUP) &&
	     nla_put_string(skb, XFILTER_RULE_A_CGROUP, r->cgroup)) ||
	    nla_put_u64_64bit(skb, XFILTER_RULE_A_PACKETS,
			      READ_ONCE(r->packets), XFILTER_RULE_A_PAD) ||
	    nla_put_u64_64bit(skb, XFILTER_RULE_A_BYTES, READ_ONCE(r->bytes),
			      XFILTER_RULE_A_PAD))
		goto cancel;
	if (r->expires_ms) {
		now = xf_now_ms();
		if (nla_put_u32(skb, XFILTER_RULE_A_EXPIRES_MS,
				r->expires_ms > now ?
				min_t(u64, r->expires_ms - now, U32_MAX) : 0))
			goto cancel;
	}
	if (r->action == XF_ACT_MIRROR) {
		u64 copies, drops, errors;

		xf_mirror_stats(r->mirror_slot, &copies, &drops, &errors);
		if (nla_put_string(skb, XFILTER_RULE_A_MIRROR, r->mirror_dev) ||
		    nla_put_u64_64bit(skb, XFILTER_RULE_A_MIRROR_COPIES, copies,
				      XFILTER_RULE_A_PAD) ||
		    nla_put_u64_64bit(skb, XFILTER_RULE_A_MIRROR_DROPS, drops,
				      XFILTER_RULE_A_PAD) ||
		    nla_put_u64_64bit(skb, XFILTER_RULE_A_MIRROR_ERRORS, errors,
				      XFILTER_RULE_A_PAD))
			goto cancel;
	}
	if ((r->alert && nla_put_u32(skb, XFILTER_RULE_A_ALERT, r->alert)) ||
	    (r->reason[0] &&
	     nla_put_string(skb, XFILTER_RULE_A_REASON, r->reason)))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int xf_nl_rule_add(struct sk_buff *skb, struct genl_info *info)
{
	struct xf_rule *r;
	u32 index;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, XFILTER_A_RULE)) {
		GENL_SET_ERR_MSG(info, "missing XFILTER_A_RULE");
		return -EINVAL;
	}
	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	err = xf_nl_parse_rule(info->attrs[XFILTER_A_RULE], r, &index, true,
			       info->extack);
	if (!err && r->action == XF_ACT_MIRROR) {
		/* Before the config mutex: this takes RTNL. */
		err = xf_mirror_bind(r->mirror_dev, info->extack);
		if (err > 0) {
			r->mirror_slot = err;
			err = 0;
		}
	}
	if (!err) {
		mutex_lock(&xf_config_mutex);
		err = xf_ruleset_insert(r, index, info->extack);
		mutex_unlock(&xf_config_mutex);
	}
	kfree(r);
	return err;
}

/*
 * A rule named by INDEX (RULE_DEL, RULE_COUNT): the first other attribute
 * of its nest, counters left out when they are what the command adds.
 */
static struct nlattr *xf_nl_rule_beyond_index(struct nlattr **tb,
					      bool counters)
{
	int a;

	for (a = XFILTER_RULE_A_ACTION; a <= XFILTER_RULE_A_MAX; a++) {
		if (counters && (a == XFILTER_RULE_A_PACKETS ||
				 a == XFILTER_RULE_A_BYTES))
			continue;
		if (tb[a])
			return tb[a];
	}
	return NULL;
}

/* A rule named by its match: a block of its domain first, then the table. */
static int xf_nl_rule_del_equal(const struct xf_rule *r,
				struct netlink_ext_ack *extack)
{
	struct xf_domain *dom = NULL;
	int err = -ENOENT;

	if (r->fields & XF_RF_DOMID)
		dom = xf_domain_hold(r->domid);
	mutex_lock(&xf_config_mutex);
	if (dom)
		err = xf_block_del(dom, r);
	if (err == -ENOENT)
		err = xf_ruleset_delete_equal(r, extack);
	mutex_unlock(&xf_config_mutex);
	if (dom)
		xf_domain_put(dom);
	return err;
}

static int xf_nl_rule_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *nest = info->attrs[XFILTER_A_RULE];
	struct nlattr *tb[XFILTER_RULE_A_MAX + 1];
	struct xf_rule *r;
	u32 index;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, XFILTER_A_RULE)) {
		GENL_SET_ERR_MSG(info, "missing XFILTER_A_RULE");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, XFILTER_RULE_A_MAX, nest, xf_rule_policy,
			       info->extack);
	if (err)
		return err;
	/* Exactly one way of naming the rule: its index or its match. */
	if (tb[XFILTER_RULE_A_INDEX]) {
		struct nlattr *extra = xf_nl_rule_beyond_index(tb, false);

		if (extra) {
			NL_SET_ERR_MSG_ATTR(info->extack, extra,
					    "name a rule by INDEX or by its match, not both");
			return -EINVAL;
		}
		mutex_lock(&xf_config_mutex);
		err = xf_ruleset_delete(nla_get_u32(tb[XFILTER_RULE_A_INDEX]),
					info->extack);
		mutex_unlock(&xf_config_mutex);
		return err;
	}
	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	err = xf_nl_parse_rule(nest, r, &index, true, info->extack);
	if (!err)
		err = xf_nl_rule_del_equal(r, info->extack);
	kfree(r);
	return err;
}

static int xf_nl_rule_count(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *nest = info->attrs[XFILTER_A_RULE];
	struct nlattr *tb[XFILTER_RULE_A_MAX + 1], *extra;
	u64 packets = 0, bytes = 0;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, XFILTER_A_GENERATION) ||
	    GENL_REQ_ATTR_CHECK(info, XFILTER_A_RULE))
		return -EINVAL;
	err = nla_parse_nested(tb, XFILTER_RULE_A_MAX, nest, xf_rule_policy,
			       info->extack);
	if (err)
		return err;
	if (!tb[XFILTER_RULE_A_INDEX]) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest, "missing XFILTER_RULE_A_INDEX");
		return -EINVAL;
	}
	extra = xf_nl_rule_beyond_index(tb, true);
	if (extra) {
		NL_SET_ERR_MSG_ATTR(info->extack, extra,
				    "only INDEX, PACKETS and BYTES name and count a rule here");
		return -EINVAL;
	}
	if (tb[XFILTER_RULE_A_PACKETS])
		packets = nla_get_u64(tb[XFILTER_RULE_A_PACKETS]);
	if (tb[XFILTER_RULE_A_BYTES])
		bytes = nla_get_u64(tb[XFILTER_RULE_A_BYTES]);
	mutex_lock(&xf_config_mutex);
	err = xf_ruleset_count(nla_get_u64(info->attrs[XFILTER_A_GENERATION]),
			       nla_get_u32(tb[XFILTER_RULE_A_INDEX]),
			       packets, bytes, info->extack);
	mutex_unlock(&xf_config_mutex);
	return err;
}

static int xf_nl_rule_flush(struct sk_buff *skb, struct genl_info *info)
{
	int err;

	mutex_lock(&xf_config_mutex);
	err = xf_ruleset_flush();
	mutex_unlock(&xf_config_mutex);
	return err;
}

/*
 * RULE_REPLACE: every top-level XFILTER_A_RULE of the message, in order,
 * becomes the rule table in one step (xfctl restore). The genl core has
 * validated each against xf_rule_policy already (strict); a message can
 * carry more rules than one nest could (nla_len is 16 bits). All are
 * parsed, and mirror devices bound, before the table is touched.
 */
static int xf_nl_rule_replace(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attrs = genlmsg_data(info->genlhdr), *a, *bad_nest = NULL;
	int len = genlmsg_len(info->genlhdr), rem, err = 0;
	struct xf_rule *rules;
	u32 n = 0, i = 0, bad = 0, index;

	nla_for_each_attr(a, attrs, len, rem)
		if (nla_type(a) == XFILTER_A_RULE)
			n++;
	if (n > XF_RULES_MAX) {
		GENL_SET_ERR_MSG(info, "more rules than the table holds");
		return -ENOSPC;
	}
	rules = kvmalloc_array(n ?: 1, sizeof(*rules), GFP_KERNEL);
	if (!rules)
		return -ENOMEM;
	nla_for_each_attr(a, attrs, len, rem) {
		if (nla_type(a) != XFILTER_A_RULE)
			continue;
		err = xf_nl_parse_rule(a, &rules[i], &index, true, info->extack);
		if (!err && index != U32_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "a replaced rule has no INDEX: rules are in message order");
			err = -EINVAL;
		}
		if (!err && rules[i].action == XF_ACT_MIRROR) {
			/* Before the config mutex: this takes RTNL. */
			err = xf_mirror_bind(rules[i].mirror_dev, info->extack);
			if (err > 0) {
				rules[i].mirror_slot = err;
				err = 0;
			}
		}
		if (err) {
			if (!info->extack->bad_attr)
				NL_SET_BAD_ATTR(info->extack, a);
			goto out;
		}
		i++;
	}
	mutex_lock(&xf_config_mutex);
	err = xf_ruleset_replace(rules, n, &bad, info->extack);
	mutex_unlock(&xf_config_mutex);
	if (err) {
		/* Point extack at the rule the table refused. */
		i = 0;
		nla_for_each_attr(a, attrs, len, rem)
			if (nla_type(a) == XFILTER_A_RULE && i++ == bad)
				bad_nest = a;
		if (bad_nest)
			NL_SET_BAD_ATTR(info->extack, bad_nest);
	}
out:
	kvfree(rules);
	return err;
}

/*
 * In the order they are consulted: every domain's blocks (block.c, no
 * index), then the operator's table. Cursor: args[0] phase (0 blocks,
 * 1 table), args[1..2] in the blocks, args[3] in the table. Any change of
 * either bumps the generation, which is the dump's consistency check.
 */
static int xf_nl_rule_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct xf_ruleset *rs;
	u32 i = cb->args[3];
	void *hdr;
	u64 gen;

	rcu_read_lock();
	rs = xf_ruleset_get();
	gen = READ_ONCE(rs->t.generation);
	cb->seq = (u32)gen ?: 1;
	if (!cb->args[0]) {
		if (xf_block_dump(skb, cb, gen)) {
			rcu_read_unlock();
			return skb->len;
		}
		cb->args[0] = 1;
	}
	for (; i < rs->t.n_rules; i++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &xf_genl_family,
				  NLM_F_MULTI, XFILTER_CMD_RULE_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (nla_put_u64_64bit(skb, XFILTER_A_GENERATION, gen,
				      XFILTER_A_PAD) ||
		    xf_nl_put_rule(skb, XFILTER_A_RULE, &rs->rules[i], i)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[3] = i;
	return skb->len;
}

/* ---- domains and statistics ---- */

static int xf_nl_put_stats(struct sk_buff *skb, int attr, const u64 *c)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = XFILTER_STATS_A_PACKETS; i <= XFILTER_STATS_A_MAX; i++) {
		if (i == XFILTER_STATS_A_PAD)
			continue;
		if (nla_put_u64_64bit(skb, i, c[i], XFILTER_STATS_A_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static void xf_detect_store(struct xf_detect_set *d,
			    const struct xf_detect_set *s)
{
	WRITE_ONCE(d->window_ms, s->window_ms);
	WRITE_ONCE(d->ports, s->ports);
	WRITE_ONCE(d->hosts, s->hosts);
	WRITE_ONCE(d->flows, s->flows);
	WRITE_ONCE(d->unattributed, s->unattributed);
	WRITE_ONCE(d->block_ms, s->block_ms);
	WRITE_ONCE(d->mode, s->mode);
}

static int xf_nl_detect_table(struct xf_domain *dom, void *arg)
{
	return xf_detect_table_alloc(dom);
}

/*
 * Under xf_config_mutex: the detector settings dom (NULL: the default)
 * will have, checked, in *det; tables allocated for every domain that
 * will need one. Nothing is changed yet.
 */
static int xf_nl_detect_set(struct nlattr **tb, struct xf_domain *dom,
			    struct xf_detect_set *det,
			    struct netlink_ext_ack *extack)
{
	struct xf_detect_cfg cfg;
	const char *why;

	if (dom)
		xf_detect_get(dom, det);
	else
		*det = xf_default_detect;
	if (tb[XFILTER_DOMAIN_A_DETECT])
		det->mode = nla_get_u8(tb[XFILTER_DOMAIN_A_DETECT]);
	if (tb[XFILTER_DOMAIN_A_DETECT_WINDOW_MS])
		det->window_ms = nla_get_u32(tb[XFILTER_DOMAIN_A_DETECT_WINDOW_MS]);
	if (tb[XFILTER_DOMAIN_A_DETECT_PORTS])
		det->ports = nla_get_u32(tb[XFILTER_DOMAIN_A_DETECT_PORTS]);
	if (tb[XFILTER_DOMAIN_A_DETECT_HOSTS])
		det->hosts = nla_get_u32(tb[XFILTER_DOMAIN_A_DETECT_HOSTS]);
	if (tb[XFILTER_DOMAIN_A_DETECT_FLOWS])
		det->flows = nla_get_u32(tb[XFILTER_DOMAIN_A_DETECT_FLOWS]);
	if (tb[XFILTER_DOMAIN_A_DETECT_UNATTRIBUTED])
		det->unattributed =
			nla_get_u32(tb[XFILTER_DOMAIN_A_DETECT_UNATTRIBUTED]);
	if (tb[XFILTER_DOMAIN_A_BLOCK_MS])
		det->block_ms = nla_get_u32(tb[XFILTER_DOMAIN_A_BLOCK_MS]);
	cfg.window_ms = det->window_ms;
	cfg.ports = det->ports;
	cfg.hosts = det->hosts;
	cfg.flows = det->flows;
	cfg.unattributed = det->unattributed;
	if (xf_detect_cfg_check(&cfg, &why)) {
		if (extack)
			extack->_msg = why;	/* a static string */
		return -EINVAL;
	}
	if (det->mode == XFILTER_DETECT_OFF)
		return 0;
	if (dom)
		return xf_detect_table_alloc(dom);
	return xf_domains_for_each(xf_nl_detect_table, NULL);
}

static int xf_nl_domain_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *nest = info->attrs[XFILTER_A_DOMAIN];
	struct nlattr *tb[XFILTER_DOMAIN_A_MAX + 1];
	const struct xf_dom_policy *pol;
	struct xf_domain *dom = NULL;
	struct xf_detect_set det;
	u8 dflt, unattr;
	u32 domid;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, XFILTER_A_DOMAIN)) {
		GENL_SET_ERR_MSG(info, "missing XFILTER_A_DOMAIN");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, XFILTER_DOMAIN_A_MAX, nest,
			       xf_domain_policy, info->extack);
	if (err)
		return err;
	if (XF_REQUIRE(info->extack, nest, tb, XFILTER_DOMAIN_A_DOMID,
		       "missing XFILTER_DOMAIN_A_DOMID"))
		return -EINVAL;
	domid = nla_get_u32(tb[XFILTER_DOMAIN_A_DOMID]);
	if (domid != XFILTER_DOMID_DEFAULT && !xf_domid_valid(domid)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[XFILTER_DOMAIN_A_DOMID],
				    "domid out of range");
		return -EINVAL;
	}
	if (domid != XFILTER_DOMID_DEFAULT) {
		dom = xf_domain_get(domid);
		if (!dom)
			return -ENOMEM;
	}

	mutex_lock(&xf_config_mutex);
	err = xf_nl_detect_set(tb, dom, &det, info->extack);
	if (err)
		goto out;
	if (tb[XFILTER_DOMAIN_A_POLICY] || tb[XFILTER_DOMAIN_A_UNATTRIBUTED]) {
		pol = xf_rules_policy(&xf_ruleset_locked()->t,
				      dom ? domid : XF_DOMID_ANY);
		dflt = tb[XFILTER_DOMAIN_A_POLICY] ?
		       nla_get_u8(tb[XFILTER_DOMAIN_A_POLICY]) : pol->dflt;
		unattr = tb[XFILTER_DOMAIN_A_UNATTRIBUTED] ?
			 nla_get_u8(tb[XFILTER_DOMAIN_A_UNATTRIBUTED]) :
			 pol->unattributed;
		err = xf_ruleset_set_policy(dom ? domid : XF_DOMID_ANY, dflt,
					    unattr, info->extack);
		if (err)
			goto out;
	}
	if (!dom) {
		if (tb[XFILTER_DOMAIN_A_MODE])
			WRITE_ONCE(xf_default_mode,
				   nla_get_u8(tb[XFILTER_DOMAIN_A_MODE]));
		if (tb[XFILTER_DOMAIN_A_FAIL_POLICY])
			WRITE_ONCE(xf_default_fail,
				   nla_get_u8(tb[XFILTER_DOMAIN_A_FAIL_POLICY]));
		xf_detect_store(&xf_default_detect, &det);
	} else {
		if (!dom->own) {
			WRITE_ONCE(dom->mode, READ_ONCE(xf_default_mode));
			WRITE_ONCE(dom->fail, READ_ONCE(xf_default_fail));
			xf_detect_store(&dom->det, &det);
			WRITE_ONCE(dom->own, true);
		}
		xf_detect_store(&dom->det, &det);
		if (tb[XFILTER_DOMAIN_A_MODE])
			WRITE_ONCE(dom->mode,
				   nla_get_u8(tb[XFILTER_DOMAIN_A_MODE]));
		if (tb[XFILTER_DOMAIN_A_FAIL_POLICY])
			WRITE_ONCE(dom->fail,
				   nla_get_u8(tb[XFILTER_DOMAIN_A_FAIL_POLICY]));
	}
	xf_config_gen++;
out:
	mutex_unlock(&xf_config_mutex);
	if (dom)
		xf_domain_put(dom);	/* stays if it has settings now */
	/* Put in hypervisor mode: Xen needs the guest's profile now. */
	if (!err && tb[XFILTER_DOMAIN_A_MODE] &&
	    nla_get_u8(tb[XFILTER_DOMAIN_A_MODE]) == XFILTER_MODE_HYPERVISOR &&
	    xf_hv_available())
		xf_nl_notify_profile(domid);
	return err;
}

static int xf_nl_put_domain(struct sk_buff *skb, struct netlink_callback *cb,
			    struct xf_domain *dom)
{
	const struct xf_dom_policy *pol;
	u64 c[__XFILTER_STATS_A_LAST];
	struct xf_detect_set det;
	u32 domid = dom ? dom->domid : XFILTER_DOMID_DEFAULT;
	u32 flags = 0;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &xf_genl_family, NLM_F_MULTI, XFILTER_CMD_DOMAIN_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, XFILTER_A_DOMAIN);
	if (!nest)
		goto cancel;
	rcu_read_lock();
	pol = xf_rules_policy(&xf_ruleset_get()->t,
			      dom ? domid : XF_DOMID_ANY);
	if (nla_put_u32(skb, XFILTER_DOMAIN_A_DOMID, domid) ||
	    nla_put_u8(skb, XFILTER_DOMAIN_A_POLICY, pol->dflt) ||
	    nla_put_u8(skb, XFILTER_DOMAIN_A_UNATTRIBUTED, pol->unattributed)) {
		rcu_read_unlock();
		goto cancel;
	}
	rcu_read_unlock();
	if (dom) {
		if (dom->own)
			flags |= XFILTER_DOMAIN_F_OWN;
		if (xf_verdict_source_present(dom))
			flags |= XFILTER_DOMAIN_F_SOURCE;
		xf_domain_stats_read(dom, c);
	}
	if (dom)
		xf_detect_get(dom, &det);
	else
		det = xf_default_detect;
	if (nla_put_u8(skb, XFILTER_DOMAIN_A_DETECT, det.mode) ||
	    nla_put_u32(skb, XFILTER_DOMAIN_A_DETECT_WINDOW_MS, det.window_ms) ||
	    nla_put_u32(skb, XFILTER_DOMAIN_A_DETECT_PORTS, det.ports) ||
	    nla_put_u32(skb, XFILTER_DOMAIN_A_DETECT_HOSTS, det.hosts) ||
	    nla_put_u32(skb, XFILTER_DOMAIN_A_DETECT_FLOWS, det.flows) ||
	    nla_put_u32(skb, XFILTER_DOMAIN_A_DETECT_UNATTRIBUTED,
			det.unattributed) ||
	    nla_put_u32(skb, XFILTER_DOMAIN_A_BLOCK_MS, det.block_ms))
		goto cancel;
	if (nla_put_u8(skb, XFILTER_DOMAIN_A_MODE,
		       dom ? xf_domain_mode(dom) : READ_ONCE(xf_default_mode)) ||
	    nla_put_u8(skb, XFILTER_DOMAIN_A_FAIL_POLICY,
		       dom ? xf_domain_fail(dom) : READ_ONCE(xf_default_fail)) ||
	    nla_put_u32(skb, XFILTER_DOMAIN_A_FLAGS, flags) ||
	    (dom && xf_nl_put_stats(skb, XFILTER_DOMAIN_A_STATS, c)))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Filter of a dump request, validated by the family policy. */
static int xf_nl_dump_domid(struct netlink_callback *cb, u32 *domid)
{
	struct nlattr **attrs = xf_genl_dump_attrs(cb);
	struct nlattr *tb[XFILTER_DOMAIN_A_MAX + 1];
	int err;

	*domid = U32_MAX;
	if (attrs[XFILTER_A_DOMID])
		*domid = nla_get_u32(attrs[XFILTER_A_DOMID]);
	if (attrs[XFILTER_A_DOMAIN]) {
		err = nla_parse_nested(tb, XFILTER_DOMAIN_A_MAX,
				       attrs[XFILTER_A_DOMAIN],
				       xf_domain_policy, cb->extack);
		if (err)
			return err;
		if (tb[XFILTER_DOMAIN_A_DOMID])
			*domid = nla_get_u32(tb[XFILTER_DOMAIN_A_DOMID]);
	}
	return 0;
}

/* Cursor: args[0] 0 = default entry next, 1 = domains; args[1] next domid. */
static int xf_nl_domain_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long id = cb->args[1];
	struct xf_domain *dom;
	u32 filter;
	int err;

	err = xf_nl_dump_domid(cb, &filter);
	if (err)
		return err;
	cb->seq = xf_config_gen;
	if (!cb->args[0]) {
		if ((filter == U32_MAX || filter == XFILTER_DOMID_DEFAULT) &&
		    xf_nl_put_domain(skb, cb, NULL))
			return skb->len;
		cb->args[0] = 1;
	}
	rcu_read_lock();
	while ((dom = xf_domain_next(&id))) {
		if ((filter == U32_MAX || filter == dom->domid) &&
		    xf_nl_put_domain(skb, cb, dom))
			break;
		id++;
	}
	rcu_read_unlock();
	cb->args[1] = id;
	return skb->len;
}

static int xf_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	u64 sum[__XFILTER_STATS_A_LAST] = {}, c[__XFILTER_STATS_A_LAST];
	unsigned long id = 0;
	struct xf_domain *dom;
	struct sk_buff *msg;
	void *hdr;
	int i;

	rcu_read_lock();
	while ((dom = xf_domain_next(&id))) {
		xf_domain_stats_read(dom, c);
		for (i = 0; i < __XFILTER_STATS_A_LAST; i++)
			sum[i] += c[i];
		id++;
	}
	sum[XFILTER_STATS_A_FLOWS] = xf_cache_count_k();
	rcu_read_unlock();

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &xf_genl_family, 0,
				XFILTER_CMD_STATS_GET);
	if (!hdr ||
	    xf_nl_put_stats(msg, XFILTER_A_STATS, sum) ||
	    nla_put_u64_64bit(msg, XFILTER_A_GENERATION,
			      xf_rules_generation(),
			      XFILTER_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* ---- flows ---- */

int xf_nl_put_key(struct sk_buff *skb, const struct xf_flow_key *key)
{
	int alen = key->family == XF_AF_INET ? 4 : 16;

	if (nla_put_u32(skb, XFILTER_FLOW_A_DOMID, key->domid) ||
	    nla_put_u8(skb, XFILTER_FLOW_A_FAMILY,
		       key->family == XF_AF_INET ? AF_INET : AF_INET6) ||
	    nla_put_u8(skb, XFILTER_FLOW_A_PROTO, key->proto) ||
	    nla_put(skb, XFILTER_FLOW_A_SADDR, alen, key->saddr) ||
	    nla_put(skb, XFILTER_FLOW_A_DADDR, alen, key->daddr) ||
	    nla_put_u16(skb, XFILTER_FLOW_A_SPORT, key->sport) ||
	    nla_put_u16(skb, XFILTER_FLOW_A_DPORT, key->dport))
		return -EMSGSIZE;
	return 0;
}

/*
 * Cursor: args[0] phase (0 cache, 1 pending flows), args[1..2] in the
 * cache, args[3] within a domain's pending flows, args[4] next domid.
 */
static int xf_nl_flow_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long id = cb->args[4];
	struct xf_domain *dom;
	u32 filter;
	int err;

	err = xf_nl_dump_domid(cb, &filter);
	if (err)
		return err;
	/*
	 * No consistency check: the cache and the pending flows change with
	 * every packet and have no generation, so cb->seq stays 0 and
	 * NLM_F_DUMP_INTR is never set (a flow may be missed or seen twice).
	 */
	if (cb->args[0] == 0) {
		err = xf_cache_dump_k(skb, cb, filter);
		if (err)
			return err < 0 ? err : skb->len;
		cb->args[0] = 1;
	}
	rcu_read_lock();
	while ((dom = xf_domain_next(&id))) {
		if ((filter == U32_MAX || filter == dom->domid) &&
		    xf_queue_dump(dom, skb, cb))
			break;
		id++;
	}
	rcu_read_unlock();
	cb->args[4] = id;
	return skb->len;
}

static int xf_nl_flow_flush(struct sk_buff *skb, struct genl_info *info)
{
	u32 domid = U32_MAX;

	if (info->attrs[XFILTER_A_DOMID]) {
		domid = nla_get_u32(info->attrs[XFILTER_A_DOMID]);
		if (!xf_domid_valid(domid)) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[XFILTER_A_DOMID],
					    "domid out of range");
			return -EINVAL;
		}
	}
	xf_cache_flush_k(domid);
	return 0;
}

/* ---- vifs ---- */

static int xf_nl_put_vif(struct sk_buff *skb, struct netlink_callback *cb,
			 struct xf_vif *vif)
{
	struct xf_vif_stats st;
	struct nlattr *nest, *sn;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &xf_genl_family, NLM_F_MULTI, XFILTER_CMD_VIF_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	xf_vif_stats_read(vif, &st);
	nest = nla_nest_start(skb, XFILTER_A_VIF);
	if (!nest ||
	    nla_put_u32(skb, XFILTER_VIF_A_IFINDEX, vif->dev->ifindex) ||
	    nla_put_string(skb, XFILTER_VIF_A_IFNAME, vif->dev->name) ||
	    nla_put_u32(skb, XFILTER_VIF_A_DOMID, vif->domid) ||
	    nla_put_u32(skb, XFILTER_VIF_A_HANDLE, vif->handle) ||
	    nla_put_u8(skb, XFILTER_VIF_A_HOOK, vif->kind))
		goto cancel;
	sn = nla_nest_start(skb, XFILTER_VIF_A_STATS);
	if (!sn ||
	    nla_put_u64_64bit(skb, XFILTER_STATS_A_PACKETS, st.packets,
			      XFILTER_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, XFILTER_STATS_A_BYTES, st.bytes,
			      XFILTER_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, XFILTER_STATS_A_ACCEPTED, st.accepted,
			      XFILTER_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, XFILTER_STATS_A_DROPPED, st.dropped,
			      XFILTER_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, XFILTER_STATS_A_QUEUED, st.queued,
			      XFILTER_STATS_A_PAD))
		goto cancel;
	nla_nest_end(skb, sn);
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int xf_nl_vif_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct xf_vif *vif;
	long n = 0;

	rtnl_lock();
	cb->seq = xf_vifs_gen;
	list_for_each_entry(vif, &xf_vifs, list) {
		if (n++ < cb->args[0])
			continue;
		if (xf_nl_put_vif(skb, cb, vif)) {
			n--;
			break;
		}
	}
	rtnl_unlock();
	cb->args[0] = n;
	return skb->len;
}

/* ---- batches and verdicts (the userland filter) ---- */

static struct xf_domain *xf_nl_domain_arg(struct genl_info *info)
{
	struct xf_domain *dom;
	u32 domid;

	if (GENL_REQ_ATTR_CHECK(info, XFILTER_A_DOMID)) {
		GENL_SET_ERR_MSG(info, "missing XFILTER_A_DOMID");
		return ERR_PTR(-EINVAL);
	}
	domid = nla_get_u32(info->attrs[XFILTER_A_DOMID]);
	dom = xf_domid_valid(domid) ? xf_domain_hold(domid) : NULL;
	if (!dom) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[XFILTER_A_DOMID],
				    "no such domain");
		return ERR_PTR(-ENOENT);
	}
	return dom;
}

static int xf_nl_batch_get_dom(struct xf_domain *dom, struct genl_info *info)
{
	struct nlattr *id_attr = info->attrs[XFILTER_A_BATCH_ID];
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(32768, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &xf_genl_family, 0,
				XFILTER_CMD_BATCH_GET);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	err = xf_queue_put_batch(dom, msg, !id_attr,
				 id_attr ? nla_get_u32(id_attr) : 0);
	if (err) {
		nlmsg_free(msg);
		if (err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack, id_attr,
					    "no such batch waiting");
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static void xf_nl_parse_owner(struct nlattr **tb, struct xf_owner *o)
{
	static const int ids[] = {
		XFILTER_OWNER_A_PID, XFILTER_OWNER_A_TGID, XFILTER_OWNER_A_PPID,
		XFILTER_OWNER_A_UID, XFILTER_OWNER_A_GID, XFILTER_OWNER_A_EUID,
		XFILTER_OWNER_A_EGID,
	};
	u32 *dst[] = {
		&o->pid, &o->tgid, &o->ppid, &o->uid, &o->gid, &o->euid,
		&o->egid,
	};
	int i;

	memset(o, 0, sizeof(*o));
	o->flags = tb[XFILTER_OWNER_A_FLAGS] ?
		   nla_get_u32(tb[XFILTER_OWNER_A_FLAGS]) : XF_OWNER_F_FOUND;
	for (i = 0; i < ARRAY_SIZE(ids); i++)
		if (tb[ids[i]])
			*dst[i] = nla_get_u32(tb[ids[i]]);
	if (tb[XFILTER_OWNER_A_CGROUP])
		o->cgroup_id = nla_get_u64(tb[XFILTER_OWNER_A_CGROUP]);
	if (tb[XFILTER_OWNER_A_COMM])
		nla_strscpy(o->comm, tb[XFILTER_OWNER_A_COMM], sizeof(o->comm));
	/*
	 * Without its path the exe or cgroup is unknown, whatever the flags
	 * say: an empty path would be a mismatch, not unknown.
	 */
	if (tb[XFILTER_OWNER_A_EXE])
		nla_strscpy(o->exe, tb[XFILTER_OWNER_A_EXE], sizeof(o->exe));
	else
		o->flags &= ~XF_OWNER_F_EXE;
	if (tb[XFILTER_OWNER_A_CGROUP_PATH])
		nla_strscpy(o->cgroup, tb[XFILTER_OWNER_A_CGROUP_PATH],
			    sizeof(o->cgroup));
	else
		o->flags &= ~XF_OWNER_F_CGROUP;
}

static int xf_nl_verdict_dom(struct xf_domain *dom, struct genl_info *info)
{
	struct nlattr *tb[XFILTER_VERDICT_A_MAX + 1];
	struct nlattr *otb[XFILTER_OWNER_A_MAX + 1];
	struct xf_owner *owner;
	struct nlattr *v;
	u32 batch;
	int rem, err = 0;

	if (GENL_REQ_ATTR_CHECK(info, XFILTER_A_BATCH_ID)) {
		GENL_SET_ERR_MSG(info, "missing XFILTER_A_BATCH_ID");
		return -EINVAL;
	}
	if (GENL_REQ_ATTR_CHECK(info, XFILTER_A_VERDICTS)) {
		GENL_SET_ERR_MSG(info, "missing XFILTER_A_VERDICTS");
		return -EINVAL;
	}
	batch = nla_get_u32(info->attrs[XFILTER_A_BATCH_ID]);
	owner = kmalloc(sizeof(*owner), GFP_KERNEL);
	if (!owner)
		return -ENOMEM;
	nla_for_each_nested(v, info->attrs[XFILTER_A_VERDICTS], rem) {
		err = nla_parse_nested(tb, XFILTER_VERDICT_A_MAX, v,
				       xf_verdict_policy, info->extack);
		if (err)
			break;
		if (XF_REQUIRE(info->extack, v, tb, XFILTER_VERDICT_A_FLOW_ID,
			       "a verdict needs XFILTER_VERDICT_A_FLOW_ID")) {
			err = -EINVAL;
			break;
		}
		if (tb[XFILTER_VERDICT_A_OWNER]) {
			err = nla_parse_nested(otb, XFILTER_OWNER_A_MAX,
					       tb[XFILTER_VERDICT_A_OWNER],
					       xf_owner_policy, info->extack);
			if (err)
				break;
			xf_nl_parse_owner(otb, owner);
		}
		/* Unknown or timed-out flows are counted as late, not errors. */
		xf_queue_verdict(dom, batch,
				 nla_get_u32(tb[XFILTER_VERDICT_A_FLOW_ID]),
				 tb[XFILTER_VERDICT_A_OWNER] ? owner : NULL,
				 tb[XFILTER_VERDICT_A_ACTION] ?
				 nla_get_u8(tb[XFILTER_VERDICT_A_ACTION]) : -1);
	}
	kfree(owner);
	xf_queue_drain_now(dom);
	return err;
}

/* The domain named by XFILTER_A_DOMID, held (it cannot go) while fn runs. */
static int xf_nl_on_domain(struct genl_info *info,
			   int (*fn)(struct xf_domain *dom,
				     struct genl_info *info))
{
	struct xf_domain *dom = xf_nl_domain_arg(info);
	int err;

	if (IS_ERR(dom))
		return PTR_ERR(dom);
	err = fn(dom, info);
	xf_domain_put(dom);
	return err;
}

static int xf_nl_batch_get(struct sk_buff *skb, struct genl_info *info)
{
	return xf_nl_on_domain(info, xf_nl_batch_get_dom);
}

static int xf_nl_verdict(struct sk_buff *skb, struct genl_info *info)
{
	return xf_nl_on_domain(info, xf_nl_verdict_dom);
}

bool xf_nl_batch_listeners(void)
{
	return genl_has_listeners(&xf_genl_family, &init_net, XF_GRP_BATCH);
}

/*
 * A batch small enough to fit in one page goes out with its flows, as
 * BATCH_GET would give them: the common case, one flow sent at once to an
 * idle source, then costs the source no round trip. A bigger one (a flood)
 * goes out as its id only, so notifications stay small on the socket.
 */
#define XF_NOTIFY_FLOWS_MAX 16

int xf_nl_notify_batch(struct xf_domain *dom, u32 batch_id, u32 n,
		       gfp_t gfp)
{
	struct sk_buff *msg;
	unsigned char *attrs;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &xf_genl_family, 0,
			  XFILTER_CMD_BATCH_NOTIFY);
	if (!hdr)
		goto too_big;
	attrs = skb_tail_pointer(msg);
	err = n <= XF_NOTIFY_FLOWS_MAX ?
	      xf_queue_put_batch(dom, msg, false, batch_id) : -EMSGSIZE;
	if (err == -ENOENT) {
		/* Answered or timed out meanwhile: nothing to ask. */
		nlmsg_free(msg);
		return 0;
	}
	if (err) {
		/* Too many flows: the id only, the source fetches them. */
		nlmsg_trim(msg, attrs);
		if (nla_put_u32(msg, XFILTER_A_DOMID, dom->domid) ||
		    nla_put_u32(msg, XFILTER_A_BATCH_ID, batch_id))
			goto too_big;
	}
	if (nla_put_u32(msg, XFILTER_A_COUNT, n))
		goto too_big;
	genlmsg_end(msg, hdr);
	return genlmsg_multicast(&xf_genl_family, msg, 0, XF_GRP_BATCH, gfp);
too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int xf_nl_notify_profile(u32 domid)
{
	struct sk_buff *msg;
	void *hdr;

	if (!xf_nl_batch_listeners())
		return -ENODEV;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &xf_genl_family, 0,
			  XFILTER_CMD_PROFILE_NOTIFY);
	if (!hdr || nla_put_u32(msg, XFILTER_A_DOMID, domid)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_multicast(&xf_genl_family, msg, 0, XF_GRP_BATCH,
				 GFP_KERNEL);
}

int xf_nl_put_owner(struct sk_buff *skb, int attr, const struct xf_owner *o)
{
	struct nlattr *nest = nla_nest_start(skb, attr);

	if (!nest ||
	    nla_put_u32(skb, XFILTER_OWNER_A_FLAGS, o->flags) ||
	    nla_put_u32(skb, XFILTER_OWNER_A_PID, o->pid) ||
	    nla_put_u32(skb, XFILTER_OWNER_A_TGID, o->tgid) ||
	    nla_put_u32(skb, XFILTER_OWNER_A_UID, o->uid) ||
	    nla_put_u32(skb, XFILTER_OWNER_A_GID, o->gid) ||
	    nla_put_u32(skb, XFILTER_OWNER_A_EUID, o->euid) ||
	    nla_put_u32(skb, XFILTER_OWNER_A_EGID, o->egid) ||
	    nla_put_string(skb, XFILTER_OWNER_A_COMM, o->comm) ||
	    ((o->flags & XF_OWNER_F_EXE) &&
	     nla_put_string(skb, XFILTER_OWNER_A_EXE, o->exe)) ||
	    ((o->flags & XF_OWNER_F_CGROUP) &&
	     (nla_put_u64_64bit(skb, XFILTER_OWNER_A_CGROUP, o->cgroup_id,
				XFILTER_OWNER_A_PAD) ||
	      nla_put_string(skb, XFILTER_OWNER_A_CGROUP_PATH, o->cgroup))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

bool xf_nl_log_listeners(void)
{
	return genl_has_listeners(&xf_genl_family, &init_net, XF_GRP_LOG);
}

void xf_nl_multicast_log(struct sk_buff *msg)
{
	genlmsg_multicast(&xf_genl_family, msg, 0, XF_GRP_LOG, GFP_ATOMIC);
}

/*
 * Log messages a domain may send a second (0: no limit). A guest decides
 * how many of its flows are logged (drops, unattributed, the fail policy
 * while its source is away), so without a bound it decides how many
 * GFP_ATOMIC allocations and broadcasts dom0 makes for it.
 */
static unsigned int xf_log_rate = 1000;
module_param_named(log_rate, xf_log_rate, uint, 0644);
MODULE_PARM_DESC(log_rate, "log messages a domain may send a second (default 1000; 0: no limit)");

/* Whether dom may send a log message now; if so, *left_out is reported. */
static bool xf_log_allowed(struct xf_domain *dom, u32 *left_out)
{
	unsigned int rate = READ_ONCE(xf_log_rate);
	unsigned long now = jiffies;

	if (rate) {
		if (time_after_eq(now, READ_ONCE(dom->log_start) + HZ)) {
			WRITE_ONCE(dom->log_start, now);
			atomic_set(&dom->log_sent, 0);
		}
		if (atomic_inc_return(&dom->log_sent) > rate) {
			atomic_inc(&dom->log_left_out);
			xf_dom_stat(dom, XFILTER_STATS_A_LOG_SUPPRESSED, 1);
			return false;
		}
	}
	*left_out = atomic_xchg(&dom->log_left_out, 0);
	return true;
}

/* The size of a log message, so that it takes no more than it needs. */
static size_t xf_nl_log_size(const struct xf_owner *o)
{
	size_t key = nla_total_size(4) * 2 + nla_total_size(1) * 4 +
		     nla_total_size(16) * 2 + nla_total_size(2) * 2;
	size_t owner = 0;

	if (o) {
		owner = nla_total_size(0) + nla_total_size(4) * 7 +
			nla_total_size(strnlen(o->comm, sizeof(o->comm)) + 1);
		if (o->flags & XF_OWNER_F_EXE)
			owner += nla_total_size(strnlen(o->exe,
							sizeof(o->exe)) + 1);
		if (o->flags & XF_OWNER_F_CGROUP)
			owner += nla_total_size_64bit(8) +
				 nla_total_size(strnlen(o->cgroup,
							sizeof(o->cgroup)) + 1);
	}
	return nla_total_size(0) + key + owner + nla_total_size(4);
}

void xf_nl_log(struct xf_domain *dom, const struct xf_flow_key *key,
	       const struct xf_verdict *v, u8 source,
	       const struct xf_owner *owner)
{
	struct sk_buff *msg;
	struct nlattr *nest;
	u32 left_out;
	void *hdr;

	if (!genl_has_listeners(&xf_genl_family, &init_net, XF_GRP_LOG) ||
	    !xf_log_allowed(dom, &left_out))
		return;
	msg = genlmsg_new(xf_nl_log_size(owner), GFP_ATOMIC | __GFP_NOWARN);
	if (!msg) {
		/* Reported with the next message that gets through. */
		atomic_add(left_out + 1, &dom->log_left_out);
		xf_dom_stat(dom, XFILTER_STATS_A_LOG_FAILED, 1);
		return;
	}
	hdr = genlmsg_put(msg, 0, 0, &xf_genl_family, 0, XFILTER_CMD_LOG);
	if (!hdr)
		goto err;
	if (left_out && nla_put_u32(msg, XFILTER_A_SUPPRESSED, left_out))
		goto err;
	nest = nla_nest_start(msg, XFILTER_A_FLOW);
	if (!nest || xf_nl_put_key(msg, key) ||
	    nla_put_u8(msg, XFILTER_FLOW_A_ACTION, v->action) ||
	    nla_put_u8(msg, XFILTER_FLOW_A_SOURCE, source) ||
	    (v->rule != XF_RULE_NONE &&
	     nla_put_u32(msg, XFILTER_FLOW_A_RULE, v->rule)) ||
	    (owner && xf_nl_put_owner(msg, XFILTER_FLOW_A_OWNER, owner)))
		goto err;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	/*
	 * -ENOBUFS: a listener's receive buffer was full (a monitor that
	 * does not keep up). Counted as failed and reported again with the
	 * next message, as for want of memory here.
	 */
	if (genlmsg_multicast(&xf_genl_family, msg, 0, XF_GRP_LOG,
			      GFP_ATOMIC) == -ENOBUFS) {
		atomic_add(left_out + 1, &dom->log_left_out);
		xf_dom_stat(dom, XFILTER_STATS_A_LOG_FAILED, 1);
	}
	return;
err:
	/* The size above is wrong: say so once, count it, lose nothing. */
	WARN_ON_ONCE(1);
	atomic_add(left_out + 1, &dom->log_left_out);
	xf_dom_stat(dom, XFILTER_STATS_A_LOG_FAILED, 1);
	nlmsg_free(msg);
}

/* ---- alerts ---- */

static int xf_nl_alert_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	u32 filter;
	int err;

	err = xf_nl_dump_domid(cb, &filter);
	if (err)
		return err;
	return xf_detect_dump(skb, cb, filter);
}

/* ---- the family ---- */

static const struct genl_ops xf_genl_ops[] = {
	{
		.cmd = XFILTER_CMD_RULE_ADD,
		.doit = xf_nl_rule_add,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = XFILTER_CMD_RULE_COUNT,
		.doit = xf_nl_rule_count,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = XFILTER_CMD_RULE_DEL,
		.doit = xf_nl_rule_del,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = XFILTER_CMD_RULE_FLUSH,
		.doit = xf_nl_rule_flush,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = XFILTER_CMD_RULE_GET,
		.dumpit = xf_nl_rule_dump,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = XFILTER_CMD_RULE_REPLACE,
		.doit = xf_nl_rule_replace,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = XFILTER_CMD_DOMAIN_SET,
		.doit = xf_nl_domain_set,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = XFILTER_CMD_DOMAIN_GET,
		.dumpit = xf_nl_domain_dump,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = XFILTER_CMD_STATS_GET,
		.doit = xf_nl_stats_get,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = XFILTER_CMD_FLOW_GET,
		.dumpit = xf_nl_flow_dump,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = XFILTER_CMD_FLOW_FLUSH,
		.doit = xf_nl_flow_flush,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = XFILTER_CMD_VIF_GET,
		.dumpit = xf_nl_vif_dump,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = XFILTER_CMD_BATCH_GET,
		.doit = xf_nl_batch_get,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = XFILTER_CMD_VERDICT,
		.doit = xf_nl_verdict,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = XFILTER_CMD_ALERT_GET,
		.dumpit = xf_nl_alert_dump,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group xf_mcgrps[] = {
	[XF_GRP_BATCH] = {
		.name = XFILTER_MCGRP_BATCH,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
	[XF_GRP_LOG] = {
		.name = XFILTER_MCGRP_LOG,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family xf_genl_family __ro_after_init = {
	.name = XFILTER_GENL_NAME,
	.version = XFILTER_GENL_VERSION,
	.maxattr = XFILTER_A_MAX,
	.policy = xf_policy,
	.module = THIS_MODULE,
	.ops = xf_genl_ops,
	.n_ops = ARRAY_SIZE(xf_genl_ops),
	.mcgrps = xf_mcgrps,
	.n_mcgrps = ARRAY_SIZE(xf_mcgrps),
};

int xf_nl_init(void)
{
	BUILD_BUG_ON((int)XFILTER_ACTION_ACCEPT != (int)XF_ACT_ACCEPT ||
		     (int)XFILTER_ACTION_DROP != (int)XF_ACT_DROP ||
		     (int)XFILTER_ACTION_LOG != (int)XF_ACT_LOG ||
		     (int)XFILTER_ACTION_LOG_DROP != (int)XF_ACT_LOG_DROP);
	BUILD_BUG_ON((int)XFILTER_SOURCE_RULE != (int)XF_SRC_RULE ||
		     (int)XFILTER_SOURCE_DEFAULT != (int)XF_SRC_DEFAULT ||
		     (int)XFILTER_SOURCE_UNATTRIBUTED != (int)XF_SRC_UNATTRIBUTED);
	BUILD_BUG_ON((int)XFILTER_OWNER_F_ALL != (int)XF_OWNER_F_ALL);
	return genl_register_family(&xf_genl_family);
}

void xf_nl_exit(void)
{
	genl_unregister_family(&xf_genl_family);
}
