/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * One rule of core/rule.h in the fixed layout of the xfilter hypercall
 * (include/xfilter/hypercall.h). Shared by the module, which pushes its
 * table to Xen, and by `xfctl hv rules`, so the two cannot drift apart.
 */
#ifndef XF_CORE_HV_RULE_H
#define XF_CORE_HV_RULE_H

#include "compat.h"
#include "rule.h"
#include "xfilter/hypercall.h"

static inline void xf_hv_rule_pack(struct xf_hv_rule *h, const struct xf_rule *r)
{
	_Static_assert(sizeof(h->comm) == sizeof(r->comm), "comm size");
	_Static_assert(sizeof(h->exe) == sizeof(r->exe), "exe size");

	memset(h, 0, sizeof(*h));
	h->fields = r->fields;
	h->domid = r->domid;
	h->proto = r->proto;
	h->action = r->action;
	h->dst_family = r->dst_family;
	h->dst_plen = r->dst_plen;
	h->dport_lo = r->dport_lo;
	h->dport_hi = r->dport_hi;
	h->sport_lo = r->sport_lo;
	h->sport_hi = r->sport_hi;
	memcpy(h->dst, r->dst, sizeof(h->dst));
	h->uid = r->uid;
	h->euid = r->euid;
	h->gid = r->gid;
	h->pid = r->pid;
	memcpy(h->comm, r->comm, sizeof(h->comm));
	memcpy(h->exe, r->exe, sizeof(h->exe));
}

#endif /* XF_CORE_HV_RULE_H */
