// SPDX-License-Identifier: GPL-2.0
/*
 * Glue between core/frag and the kernel. The table of a domain lives as
 * long as the domain (allocated with it, freed at module exit); every call
 * takes the domain's frag_lock with interrupts off: the hook calls in from
 * softirq, the queue with its own lock held (q->lock, then frag_lock, never
 * the other way round).
 */
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "domain.h"
#include "frag.h"

/*
 * How long a first fragment's verdict is remembered. A first fragment held
 * for the verdict source is remembered as pending for as long, and again
 * once it has its verdict: keep it above verdict_timeout_ms.
 */
static unsigned int xf_frag_timeout_ms = 3000;
module_param_named(frag_timeout_ms, xf_frag_timeout_ms, uint, 0444);
MODULE_PARM_DESC(frag_timeout_ms, "ms later IP fragments follow their first fragment's verdict (default 3000)");

int xf_frag_table_alloc(struct xf_domain *dom)
{
	struct xf_frag_table *t;
	u8 seed[16];

	t = kvzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	get_random_bytes(seed, sizeof(seed));
	xf_frag_init(t, seed, msecs_to_jiffies(xf_frag_timeout_ms));
	memzero_explicit(seed, sizeof(seed));
	spin_lock_init(&dom->frag_lock);
	dom->frags = t;
	return 0;
}

void xf_frag_table_free(struct xf_domain *dom)
{
	kvfree(dom->frags);
	dom->frags = NULL;
}

void __xf_frag_note_k(struct xf_domain *dom, const struct xf_flow *f,
		      const struct xf_verdict *v)
{
	unsigned long flags;

	spin_lock_irqsave(&dom->frag_lock, flags);
	xf_frag_note(dom->frags, f, v, jiffies);
	spin_unlock_irqrestore(&dom->frag_lock, flags);
}

int xf_frag_lookup_k(struct xf_domain *dom, const struct xf_flow *f,
		     struct xf_verdict *v, struct xf_flow_key *first)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&dom->frag_lock, flags);
	ret = xf_frag_lookup(dom->frags, f, jiffies, v, first);
	spin_unlock_irqrestore(&dom->frag_lock, flags);
	return ret;
}
