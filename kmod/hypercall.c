// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor verdict source: xfilter_op, hypercall __HYPERVISOR_arch_7,
 * answered by the filter module in Xen (hypervisor-stub/). Its argument
 * structs (include/xfilter/hypercall.h) carry dom0 buffers as plain
 * addresses; Xen copies from and to them with copy_from/to_guest, so every
 * buffer here is ordinary kernel memory of this (dom0) kernel.
 *
 * The call goes through _hypercallN() from <asm/xen/hypercall.h>, which on
 * Debian's 6.1 and later kernels is a call through the xen_hypercall static
 * call: modules may not use hypercall_page (no longer exported).
 *
 * At load the module probes: a stock Xen answers -ENOSYS (no such
 * hypercall), and the hypervisor mode is then unavailable (verdict.c gives
 * such domains their fail policy at once).
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <xen/xen.h>
#include <asm/xen/hypercall.h>

#include "domain.h"
#include "hypercall.h"
#include "hv_rule.h"
#include "netlink.h"
#include "queue.h"

#define __HYPERVISOR_xfilter_op __HYPERVISOR_arch_7

static_assert(__HYPERVISOR_xfilter_op == XF_HV_HYPERCALL_NR);

static bool xf_hv_ok;
static u32 xf_hv_batch;

/* cmd is an XF_HV_* op: the version this header describes goes with it. */
static long xf_hv_call(unsigned int cmd, void *arg)
{
	return _hypercall2(long, xfilter_op, xf_hv_cmd(cmd), arg);
}

int xf_hv_probe(void)
{
	struct xf_hv_probe *p;
	long rc;

	if (!xen_domain() || !xen_initial_domain())
		return -ENODEV;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	rc = xf_hv_call(XF_HV_PROBE, p);
	if (!rc && (p->magic != XF_HV_MAGIC || p->version != XF_HV_ABI_VERSION ||
		    p->profile_size != sizeof(struct xf_profile) ||
		    !p->max_batch)) {
		pr_warn("xfilter: hypervisor filter speaks another ABI (magic %#x version %u profile %u): not used\n",
			p->magic, p->version, p->profile_size);
		rc = -EPROTO;
	}
	if (!rc) {
		xf_hv_batch = min_t(u32, p->max_batch, XF_HV_BATCH_MAX);
		pr_info("xfilter: hypervisor filter available (abi %u, batch %u, rules %u)\n",
			p->version, xf_hv_batch, p->max_rules);
	}
	WRITE_ONCE(xf_hv_ok, !rc);
	kfree(p);
	return rc;
}

bool xf_hv_available(void)
{
	return READ_ONCE(xf_hv_ok);
}

u32 xf_hv_max_batch(void)
{
	return xf_hv_available() ? xf_hv_batch : 0;
}

int xf_hv_load_profile(u16 domid, const struct xf_profile *prof, u64 slide)
{
	struct xf_hv_profile op = {
		.domid = domid,
		.size = sizeof(*prof),
		.slide = slide,
	};
	struct xf_profile *copy;
	long rc;

	if (!xf_hv_available())
		return -ENODEV;
	copy = kmemdup(prof, sizeof(*prof), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	op.profile = (u64)(uintptr_t)copy;
	rc = xf_hv_call(XF_HV_PROFILE, &op);
	kfree(copy);
	return rc;
}

int xf_hv_clear_profile(u16 domid)
{
	struct xf_hv_profile op = {
		.domid = domid,
		.flags = XF_HV_PROFILE_F_CLEAR,
	};

	if (!xf_hv_available())
		return -ENODEV;
	return xf_hv_call(XF_HV_PROFILE, &op);
}

int xf_hv_load_rules(const struct xf_rule_table *t)
{
	struct xf_hv_rules op = {
		.generation = t->generation ?: 1,
		.n_rules = t->n_rules,
		.n_doms = t->n_doms,
		.fallback = {
			.domid = XF_DOMID_ANY,
			.dflt = t->fallback.dflt,
			.unattributed = t->fallback.unattributed,
		},
	};
	struct xf_hv_dom_policy *doms = NULL;
	struct xf_hv_rule *rules = NULL;
	u32 i;
	long rc;

	if (!xf_hv_available())
		return -ENODEV;
	if (t->n_rules > XF_HV_RULES_MAX || t->n_doms > XF_HV_DOMS_MAX)
		return -E2BIG;
	rc = -ENOMEM;
	if (t->n_rules) {
		rules = vmalloc(array_size(t->n_rules, sizeof(*rules)));
		if (!rules)
			goto out;
	}
	if (t->n_doms) {
		doms = kcalloc(t->n_doms, sizeof(*doms), GFP_KERNEL);
		if (!doms)
			goto out;
	}
	/*
	 * vmalloc memory is fine for Xen: it walks this kernel's page
	 * tables like any other dom0 address.
	 */
	for (i = 0; i < t->n_rules; i++)
		xf_hv_rule_pack(&rules[i], &t->rules[i]);
	for (i = 0; i < t->n_doms; i++) {
		doms[i].domid = t->doms[i].domid;
		doms[i].dflt = t->doms[i].dflt;
		doms[i].unattributed = t->doms[i].unattributed;
	}
	op.rules = (u64)(uintptr_t)rules;
	op.doms = (u64)(uintptr_t)doms;
	rc = xf_hv_call(XF_HV_RULES, &op);
out:
	vfree(rules);
	kfree(doms);
	return rc;
}

int xf_hv_check(u16 domid, const struct xf_hv_flow *flows,
		struct xf_hv_result *res, u32 n)
{
	struct xf_hv_check op = {
		.domid = domid,
		.n = n,
		.flows = (u64)(uintptr_t)flows,
		.results = (u64)(uintptr_t)res,
	};
	long rc;

	if (!xf_hv_available())
		return -ENODEV;
	if (!n || n > xf_hv_batch)
		return -E2BIG;
	rc = xf_hv_call(XF_HV_CHECK, &op);
	if (!rc && op.done != n)
		rc = -EIO;
	return rc;
}

int xf_hv_counters(struct xf_hv_counters *c, bool reset)
{
	if (!xf_hv_available())
		return -ENODEV;
	memset(c, 0, sizeof(*c));
	c->flags = reset ? XF_HV_COUNTERS_F_RESET : 0;
	return xf_hv_call(XF_HV_COUNTERS, c);
}

void xf_hv_sync_rules(const struct xf_rule_table *t)
{
	int err;

	if (!xf_hv_available())
		return;
	err = xf_hv_load_rules(t);
	if (err)
		pr_warn_ratelimited("xfilter: rule table (generation %llu) not pushed to Xen: %d\n",
				    t->generation, err);
}

/* Flows of one batch the module hands to Xen (queue.c caps a batch at 256). */
#define XF_HV_SUBMIT_MAX 256

struct xf_hv_submit_buf {
	struct xf_flow_key keys[XF_HV_SUBMIT_MAX];
	u32 ids[XF_HV_SUBMIT_MAX];
	struct xf_hv_flow flows[XF_HV_BATCH_MAX];
	struct xf_hv_result res[XF_HV_BATCH_MAX];
	struct xf_owner owner;
};

static void xf_hv_flow_from_key(struct xf_hv_flow *f,
				const struct xf_flow_key *k)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->saddr, k->saddr, sizeof(f->saddr));
	memcpy(f->daddr, k->daddr, sizeof(f->daddr));
	f->sport = k->sport;
	f->dport = k->dport;
	f->family = k->family;
	f->proto = k->proto;
}

static void xf_hv_owner_to(struct xf_owner *o, const struct xf_hv_owner *h)
{
	memset(o, 0, sizeof(*o));
	/* What Xen's walker reads: no exe or cgroup path (not in the ABI). */
	o->flags = h->flags & (XF_OWNER_F_FOUND | XF_OWNER_F_PPID |
			       XF_OWNER_F_TASK);
	o->pid = h->pid;
	o->tgid = h->tgid;
	o->ppid = h->ppid;
	o->uid = h->uid;
	o->gid = h->gid;
	o->euid = h->euid;
	o->egid = h->egid;
	memcpy(o->comm, h->comm, sizeof(o->comm));
	o->comm[sizeof(o->comm) - 1] = '\0';
}

/* The owner Xen found for r, filled into buf; NULL: unattributed. */
static const struct xf_owner *xf_hv_owner_of(const struct xf_hv_result *r,
					     struct xf_owner *buf)
{
	if (r->status || !(r->owner.flags & XF_OWNER_F_FOUND))
		return NULL;
	xf_hv_owner_to(buf, &r->owner);
	return buf;
}

/* DOMID_FIRST_RESERVED and above: not a guest. */
static bool xf_hv_guest(const struct xf_domain *dom)
{
	return dom->domid < 0x7ff0;
}

int xf_hv_check_one(struct xf_domain *dom, const struct xf_flow_key *key,
		    struct xf_owner *buf, const struct xf_owner **owner)
{
	struct xf_hv_result res;
	struct xf_hv_flow flow;
	int err;

	if (!xf_hv_guest(dom))
		return -EINVAL;
	xf_hv_flow_from_key(&flow, key);
	err = xf_hv_check(dom->domid, &flow, &res, 1);
	if (!err)
		*owner = xf_hv_owner_of(&res, buf);
	return err;
}

/* Ask xfilterd (netlink.c) for dom's profile, at most every 500 ms. */
static void xf_hv_want_profile(struct xf_domain *dom)
{
	unsigned long last = READ_ONCE(dom->hv_asked);

	if (last && time_before(jiffies, last + msecs_to_jiffies(500)))
		return;
	WRITE_ONCE(dom->hv_asked, jiffies ?: 1);
	xf_nl_notify_profile(dom->domid);
}

int xf_hv_submit_batch(struct xf_domain *dom, u32 batch_id, u32 n)
{
	struct xf_hv_submit_buf *buf;
	int cnt, off, chunk, i, err = 0;

	if (!xf_hv_available())
		return -ENODEV;
	if (!xf_hv_guest(dom))
		return -EINVAL;
	buf = kmalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	cnt = xf_queue_batch_flows(dom, batch_id, buf->keys, buf->ids,
				   XF_HV_SUBMIT_MAX);
	if (cnt < 0) {
		err = cnt;
		goto out;
	}
	for (off = 0; off < cnt; off += chunk) {
		chunk = min_t(int, cnt - off, xf_hv_batch);
		for (i = 0; i < chunk; i++)
			xf_hv_flow_from_key(&buf->flows[i], &buf->keys[off + i]);
		err = xf_hv_check(dom->domid, buf->flows, buf->res, chunk);
		if (err == -ENOENT && !off) {
			/*
			 * Xen has no profile of this guest (just put in
			 * hypervisor mode, rebooted, or cleared): ask
			 * xfilterd for it and let the queue retry until the
			 * verdict deadline, instead of failing the batch.
			 */
			xf_hv_want_profile(dom);
			err = -EAGAIN;
			goto out;
		}
		if (err) {
			pr_warn_ratelimited("xfilter: d%u: hypervisor check failed: %d\n",
					    dom->domid, err);
			break;
		}
		for (i = 0; i < chunk; i++)
			xf_queue_verdict(dom, batch_id, buf->ids[off + i],
					 xf_hv_owner_of(&buf->res[i],
							&buf->owner), -1);
	}
	xf_queue_kick(dom);
out:
	kfree(buf);
	return err;
}
