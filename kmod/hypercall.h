/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module side of the xfilter hypercall (include/xfilter/hypercall.h):
 * the filter module inside Xen, behind the "hypervisor" verdict source.
 */
#ifndef XF_KMOD_HYPERCALL_H
#define XF_KMOD_HYPERCALL_H

#include <linux/types.h>
#include <xfilter/hypercall.h>
#include <xfilter/profile.h>

#include "rule.h"

struct xf_domain;

/*
 * Ask Xen at module load. 0: the filter is there (limits recorded);
 * -ENOSYS: a stock Xen; -ENODEV: not running on Xen. Process context.
 */
int xf_hv_probe(void);
/* The probe succeeded: hypervisor mode can be served. Any context. */
bool xf_hv_available(void);
/* Flows per XF_HV_CHECK that Xen accepts (0 if unavailable). */
u32 xf_hv_max_batch(void);

/*
 * The calls below sleep (GFP_KERNEL buffers) and return 0 or -errno as Xen
 * answered, -ENODEV if the probe failed.
 */
int xf_hv_load_profile(u16 domid, const struct xf_profile *prof, u64 slide);
int xf_hv_clear_profile(u16 domid);
/* Push the whole table (rules, per-domain policies, generation). */
int xf_hv_load_rules(const struct xf_rule_table *t);
/* n flows of domid, 1..xf_hv_max_batch(); res[] gets one result each. */
int xf_hv_check(u16 domid, const struct xf_hv_flow *flows,
		struct xf_hv_result *res, u32 n);
int xf_hv_counters(struct xf_hv_counters *c, bool reset);
/*
 * One flow of dom from the receive path (softirq): no allocation, no
 * sleep. 0 with *owner the owner Xen found (filled into buf) or NULL
 * (unattributed), -ENOENT when Xen holds no profile of the guest, -errno
 * when Xen could not answer.
 */
int xf_hv_check_one(struct xf_domain *dom, const struct xf_flow_key *key,
		    struct xf_owner *buf, const struct xf_owner **owner);

/*
 * The hypervisor verdict source's submit (verdict.c): send batch_id's
 * flows to Xen in chunks of xf_hv_max_batch(), and answer each with the
 * owner Xen found (the module's own table decides, so the verdict is the
 * same as in userland mode). Flows Xen could not answer time out to the
 * fail policy. Process context (the queue's work item).
 */
int xf_hv_submit_batch(struct xf_domain *dom, u32 batch_id, u32 n);
/* Push a changed rule table if the filter is there; under the config mutex. */
void xf_hv_sync_rules(const struct xf_rule_table *t);

#endif /* XF_KMOD_HYPERCALL_H */
