/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Later IP fragments follow their first fragment (core/frag.h): one table
 * per domain, under its own BH-safe spinlock, entries timed in jiffies.
 */
#ifndef XF_KMOD_FRAG_H
#define XF_KMOD_FRAG_H

#include <linux/types.h>

#include "../core/frag.h"

struct xf_domain;

/* Process context, at domain creation / after the last packet. */
int xf_frag_table_alloc(struct xf_domain *dom);
void xf_frag_table_free(struct xf_domain *dom);

void __xf_frag_note_k(struct xf_domain *dom, const struct xf_flow *f,
		      const struct xf_verdict *v);

/*
 * A first fragment got verdict v, or (v NULL) waits for one. Any context;
 * a no-op for everything but first fragments.
 */
static inline void xf_frag_note_k(struct xf_domain *dom,
				  const struct xf_flow *f,
				  const struct xf_verdict *v)
{
	if (unlikely(f->frag == XF_FRAG_FIRST))
		__xf_frag_note_k(dom, f, v);
}

/* A later fragment: enum xf_frag_result, as xf_frag_lookup(). */
int xf_frag_lookup_k(struct xf_domain *dom, const struct xf_flow *f,
		     struct xf_verdict *v, struct xf_flow_key *first);

#endif /* XF_KMOD_FRAG_H */
