/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Verdict sources behind one interface: the kernel itself (rules without
 * owner fields, decided in filter.c), the userland filter (xfilterd, over
 * generic netlink) and the filter module in the hypervisor.
 */
#ifndef XF_KMOD_VERDICT_H
#define XF_KMOD_VERDICT_H

#include "domain.h"
#include "../core/flow.h"
#include "../core/owner.h"

struct xf_vsource {
	const char *name;
	/* Can it answer now? Softirq-safe. */
	bool (*present)(void);
	/*
	 * Tell it that batch id of dom holds n flows, allocating with gfp.
	 * From the work item (GFP_KERNEL), or from the receive path
	 * (GFP_ATOMIC) if atomic is set. -EAGAIN: not ready for dom yet, the
	 * queue submits it again later.
	 */
	int (*submit)(struct xf_domain *dom, u32 batch_id, u32 n, gfp_t gfp);
	bool atomic;
};

int xf_verdict_init(void);
void xf_verdict_exit(void);

/* The source of dom's current mode is there to ask (false for "off"). */
bool xf_verdict_source_present(struct xf_domain *dom);
int xf_verdict_submit(struct xf_domain *dom, u32 batch_id, u32 n);
/*
 * From the receive path: whether dom's source is there and can be told of
 * a batch at once (a multicast), and telling it; -EOPNOTSUPP if it must
 * be told by the work item (its mode changed meanwhile).
 */
bool xf_verdict_source_atomic(struct xf_domain *dom);
int xf_verdict_submit_atomic(struct xf_domain *dom, u32 batch_id, u32 n);

/*
 * From the receive path: check a new flow of dom with the hypervisor now,
 * if dom is in hypervisor mode and within its share of receive-path time
 * (top of verdict.c). 0: *v is the verdict, counted and logged as the
 * queue does a source's; otherwise the flow is to be held as usual
 * (-ENOENT: Xen has no profile of the guest yet, the queue asks for it).
 */
int xf_verdict_inline(struct xf_domain *dom, const struct xf_flow *flow,
		      struct xf_verdict *v);

/*
 * Decide a new flow of dom once its source answered: its owner is known
 * (NULL: unattributed) or the source forced an action (action >= 0). Counts
 * it as a source verdict and feeds the detector; under dom->q.lock, which
 * serialises the detector. The caller logs it (xf_nl_log()) after
 * unlocking. Returns the enum xfilter_source.
 */
u8 xf_verdict_decide(struct xf_domain *dom, const struct xf_flow *flow,
		     const struct xf_owner *owner, int action,
		     struct xf_verdict *v);

#endif /* XF_KMOD_VERDICT_H */
