// SPDX-License-Identifier: GPL-2.0
/*
 * A struct xf_rule (core/rule.h) to and from its XFILTER_A_RULE nest:
 * shared by xfctl (rule add, save, restore, list) and xfilterd (the
 * fleet store's rules, userspace/xfilterd/store.c), so both send and read
 * rules the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nl.h"
#include "rule.h"

int xf_rule_to_attrs(struct nl_msg *msg, const struct xf_rule *r,
		     uint32_t index)
{
	struct nlattr *n = nla_nest_start(msg, XFILTER_A_RULE);
	uint32_t f = r->fields;
	int err = 0;

	if (!n)
		return -ENOMEM;
	if (index != UINT32_MAX)
		err |= nla_put_u32(msg, XFILTER_RULE_A_INDEX, index);
	err |= nla_put_u8(msg, XFILTER_RULE_A_ACTION, r->action);
	if (f & XF_RF_DOMID)
		err |= nla_put_u32(msg, XFILTER_RULE_A_DOMID, r->domid);
	if (f & XF_RF_PROTO)
		err |= nla_put_u8(msg, XFILTER_RULE_A_PROTO, r->proto);
	if (f & XF_RF_DST) {
		err |= nla_put(msg, r->dst_family == XF_AF_INET ?
			       XFILTER_RULE_A_DST4 : XFILTER_RULE_A_DST6,
			       r->dst_family == XF_AF_INET ? 4 : 16, r->dst);
		err |= nla_put_u8(msg, XFILTER_RULE_A_DST_PLEN, r->dst_plen);
	}
	if (f & XF_RF_DPORT) {
		err |= nla_put_u16(msg, XFILTER_RULE_A_DPORT_MIN, r->dport_lo);
		err |= nla_put_u16(msg, XFILTER_RULE_A_DPORT_MAX, r->dport_hi);
	}
	if (f & XF_RF_SPORT) {
		err |= nla_put_u16(msg, XFILTER_RULE_A_SPORT_MIN, r->sport_lo);
		err |= nla_put_u16(msg, XFILTER_RULE_A_SPORT_MAX, r->sport_hi);
	}
	if (f & XF_RF_UID)
		err |= nla_put_u32(msg, XFILTER_RULE_A_UID, r->uid);
	if (f & XF_RF_EUID)
		err |= nla_put_u32(msg, XFILTER_RULE_A_EUID, r->euid);
	if (f & XF_RF_GID)
		err |= nla_put_u32(msg, XFILTER_RULE_A_GID, r->gid);
	if (f & XF_RF_PID)
		err |= nla_put_u32(msg, XFILTER_RULE_A_PID, r->pid);
	if (f & XF_RF_COMM)
		err |= nla_put_string(msg, XFILTER_RULE_A_COMM, r->comm);
	if (f & XF_RF_EXE)
		err |= nla_put_string(msg, XFILTER_RULE_A_EXE, r->exe);
	if (f & XF_RF_CGROUP)
		err |= nla_put_string(msg, XFILTER_RULE_A_CGROUP, r->cgroup);
	if (r->action == XF_ACT_MIRROR)
		err |= nla_put_string(msg, XFILTER_RULE_A_MIRROR, r->mirror_dev);
	if (err) {		/* the message is full: never send half a rule */
		nla_nest_cancel(msg, n);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, n);
	return 0;
}

/* Rebuild a struct xf_rule from a dumped XFILTER_A_RULE nest. */
int xf_rule_from_attrs(struct nlattr *nest, struct xf_rule *r,
		       uint32_t *index)
{
	struct nlattr *tb[XFILTER_RULE_A_MAX + 1];

	if (nla_parse_nested(tb, XFILTER_RULE_A_MAX, nest, NULL) < 0)
		return -1;
	xf_rule_init(r);
	/* None: a detection block, kept apart from the table (no index). */
	*index = tb[XFILTER_RULE_A_INDEX] ?
		 nla_get_u32(tb[XFILTER_RULE_A_INDEX]) : UINT32_MAX;
	if (tb[XFILTER_RULE_A_ACTION])
		r->action = nla_get_u8(tb[XFILTER_RULE_A_ACTION]);
	if (tb[XFILTER_RULE_A_DOMID]) {
		r->fields |= XF_RF_DOMID;
		r->domid = nla_get_u32(tb[XFILTER_RULE_A_DOMID]);
	}
	if (tb[XFILTER_RULE_A_PROTO]) {
		r->fields |= XF_RF_PROTO;
		r->proto = nla_get_u8(tb[XFILTER_RULE_A_PROTO]);
	}
	if (tb[XFILTER_RULE_A_DST4] || tb[XFILTER_RULE_A_DST6]) {
		struct nlattr *a = tb[XFILTER_RULE_A_DST4] ?
				   tb[XFILTER_RULE_A_DST4] :
				   tb[XFILTER_RULE_A_DST6];

		r->fields |= XF_RF_DST;
		r->dst_family = tb[XFILTER_RULE_A_DST4] ? XF_AF_INET :
							  XF_AF_INET6;
		memcpy(r->dst, nla_data(a), nla_len(a) > 16 ? 16 : nla_len(a));
		r->dst_plen = tb[XFILTER_RULE_A_DST_PLEN] ?
			      nla_get_u8(tb[XFILTER_RULE_A_DST_PLEN]) : 0;
	}
	if (tb[XFILTER_RULE_A_DPORT_MIN]) {
		r->fields |= XF_RF_DPORT;
		r->dport_lo = nla_get_u16(tb[XFILTER_RULE_A_DPORT_MIN]);
		r->dport_hi = tb[XFILTER_RULE_A_DPORT_MAX] ?
			      nla_get_u16(tb[XFILTER_RULE_A_DPORT_MAX]) :
			      r->dport_lo;
	}
	if (tb[XFILTER_RULE_A_SPORT_MIN]) {
		r->fields |= XF_RF_SPORT;
		r->sport_lo = nla_get_u16(tb[XFILTER_RULE_A_SPORT_MIN]);
		r->sport_hi = tb[XFILTER_RULE_A_SPORT_MAX] ?
			      nla_get_u16(tb[XFILTER_RULE_A_SPORT_MAX]) :
			      r->sport_lo;
	}
#define XF_U32(attr, bit, field)					\
	do {								\
		if (tb[attr]) {						\
			r->fields |= bit;				\
			r->field = nla_get_u32(tb[attr]);		\
		}							\
	} while (0)
	XF_U32(XFILTER_RULE_A_UID, XF_RF_UID, uid);
	XF_U32(XFILTER_RULE_A_EUID, XF_RF_EUID, euid);
	XF_U32(XFILTER_RULE_A_GID, XF_RF_GID, gid);
	XF_U32(XFILTER_RULE_A_PID, XF_RF_PID, pid);
#undef XF_U32
	if (tb[XFILTER_RULE_A_COMM]) {
		r->fields |= XF_RF_COMM;
		snprintf(r->comm, sizeof(r->comm), "%s",
			 nla_get_string(tb[XFILTER_RULE_A_COMM]));
	}
	if (tb[XFILTER_RULE_A_EXE]) {
		r->fields |= XF_RF_EXE;
		snprintf(r->exe, sizeof(r->exe), "%s",
			 nla_get_string(tb[XFILTER_RULE_A_EXE]));
	}
	if (tb[XFILTER_RULE_A_CGROUP]) {
		r->fields |= XF_RF_CGROUP;
		snprintf(r->cgroup, sizeof(r->cgroup), "%s",
			 nla_get_string(tb[XFILTER_RULE_A_CGROUP]));
	}
	if (tb[XFILTER_RULE_A_MIRROR])
		snprintf(r->mirror_dev, sizeof(r->mirror_dev), "%s",
			 nla_get_string(tb[XFILTER_RULE_A_MIRROR]));
	/* expires_ms holds the time left here (at least 1: "temporary"). */
	if (tb[XFILTER_RULE_A_EXPIRES_MS])
		r->expires_ms = nla_get_u32(tb[XFILTER_RULE_A_EXPIRES_MS]) + 1;
	if (tb[XFILTER_RULE_A_ALERT])
		r->alert = nla_get_u32(tb[XFILTER_RULE_A_ALERT]);
	if (tb[XFILTER_RULE_A_REASON])
		snprintf(r->reason, sizeof(r->reason), "%s",
			 nla_get_string(tb[XFILTER_RULE_A_REASON]));
	if (tb[XFILTER_RULE_A_PACKETS])
		r->packets = nla_get_u64(tb[XFILTER_RULE_A_PACKETS]);
	if (tb[XFILTER_RULE_A_BYTES])
		r->bytes = nla_get_u64(tb[XFILTER_RULE_A_BYTES]);
	return 0;
}
