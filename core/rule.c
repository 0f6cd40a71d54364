// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Rule matching. The matcher runs on the miss path of every new flow, so it
 * stays a straight scan: rules are few (hundreds), the cache absorbs the
 * rest. Owner fields are looked at only after every cheap field matched, and
 * only if the caller already paid for attribution.
 */
#include "rule.h"

/* Bounded string equality: b (ours) is known NUL-terminated within n. */
static bool str_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (a[i] != b[i])
			return false;
		if (!a[i])
			return true;
	}
	return false;
}

static bool str_terminated(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!s[i])
			return true;
	return false;
}

static bool prefix_match(const uint8_t *addr, const uint8_t *pfx,
			 unsigned int plen)
{
	unsigned int bytes = plen / 8, bits = plen % 8;
	uint8_t mask;

	if (memcmp(addr, pfx, bytes))
		return false;
	if (!bits)
		return true;
	mask = (uint8_t)(0xff << (8 - bits));
	return (addr[bytes] & mask) == pfx[bytes];
}

static bool has_ports(uint8_t proto)
{
	return proto == XF_IPPROTO_TCP || proto == XF_IPPROTO_UDP;
}

/*
 * Whether the flow has an owner to find: a TCP or UDP socket in the guest.
 * ICMP, other protocols and later fragments (both ports 0, see flow.h; no
 * socket sends to or from port 0) have none, so "not found" says nothing
 * about hiding there.
 */
static bool has_owner(const struct xf_flow_key *k)
{
	return has_ports(k->proto) && (k->sport || k->dport);
}

/* Fields decidable from the packet alone. */
static bool match_net(const struct xf_rule *r, const struct xf_flow_key *k)
{
	uint32_t f = r->fields;

	if ((f & XF_RF_DOMID) && r->domid != k->domid)
		return false;
	if (f & XF_RF_DOMNAME)
		return false;
	if ((f & XF_RF_PROTO) && r->proto != k->proto)
		return false;
	if (f & XF_RF_DST) {
		if (r->dst_family != k->family ||
		    !prefix_match(k->daddr, r->dst, r->dst_plen))
			return false;
	}
	if (f & (XF_RF_DPORT | XF_RF_SPORT)) {
		/* Not ICMP, not a later fragment (its ports are not known). */
		if (!has_owner(k))
			return false;
		if ((f & XF_RF_DPORT) &&
		    (k->dport < r->dport_lo || k->dport > r->dport_hi))
			return false;
		if ((f & XF_RF_SPORT) &&
		    (k->sport < r->sport_lo || k->sport > r->sport_hi))
			return false;
	}
	return true;
}

/*
 * A cgroup rule matches its own cgroup and every cgroup below it, on whole
 * path components: "/a/b" matches "/a/b" and "/a/b/c", never "/a/bc". The
 * rule's path (ours) is known terminated and shorter than XF_CGROUP_LEN, so
 * o[n] is inside the guest's buffer; nothing past it is read.
 */
static bool cgroup_match(const char *o, const char *pfx)
{
	size_t n = 0;

	while (n < XF_CGROUP_LEN - 1 && pfx[n])
		n++;
	if (n == 1)		/* "/": the root holds every cgroup */
		return o[0] == '/';
	if (memcmp(o, pfx, n))
		return false;
	return o[n] == '\0' || o[n] == '/';
}

/*
 * What one rule's owner fields say about an owner: all match, one does
 * not, or one needs a part of the owner the walker did not get (the whole
 * owner without F_FOUND, the task without F_TASK, ...). An owner that is
 * missing something never passes an accept rule for it, and never escapes a
 * drop rule by it: see xf_rules_match().
 */
enum owner_match {
	OWNER_NO,
	OWNER_YES,
	OWNER_UNKNOWN,
};

static enum owner_match match_owner(const struct xf_rule *r,
				    const struct xf_owner *o)
{
	uint32_t f = r->fields, of = o->flags;
	bool unknown = false;

	/* Without the socket nothing else the walker said is trusted. */
	if (!(of & XF_OWNER_F_FOUND))
		return OWNER_UNKNOWN;
	if ((f & XF_RF_UID) && r->uid != o->uid)
		return OWNER_NO;
	if ((f & XF_RF_EUID) && r->euid != o->euid)
		return OWNER_NO;
	if ((f & XF_RF_GID) && r->gid != o->gid)
		return OWNER_NO;
	if (f & XF_RF_CGROUP) {
		/*
		 * A truncated path is unknown rather than a mismatch: a user
		 * with a delegated subtree can nest cgroups deep enough to get
		 * there, and must not leave a drop rule's subtree that way.
		 */
		if ((of & (XF_OWNER_F_CGROUP | XF_OWNER_F_CGROUP_TRUNC)) !=
		    XF_OWNER_F_CGROUP || o->cgroup[0] != '/')
			unknown = true;
		else if (!cgroup_match(o->cgroup, r->cgroup))
			return OWNER_NO;
	}
	if (f & XF_RF_TASK) {
		if (!(of & XF_OWNER_F_TASK))
			return OWNER_UNKNOWN;
		if ((f & XF_RF_PID) && r->pid != o->tgid)
			return OWNER_NO;
		if ((f & XF_RF_COMM) &&
		    !str_eq(o->comm, r->comm, XF_COMM_LEN))
			return OWNER_NO;
	}
	if (f & XF_RF_EXE) {
		/*
		 * A truncated path is longer than any rule can name: a
		 * mismatch, never a match by its tail.
		 */
		if (of & XF_OWNER_F_EXE_TRUNC)
			return OWNER_NO;
		if (!(of & XF_OWNER_F_EXE))
			unknown = true;
		else if (!str_eq(o->exe, r->exe, XF_EXE_LEN))
			return OWNER_NO;
	}
	return unknown ? OWNER_UNKNOWN : OWNER_YES;
}

const struct xf_dom_policy *xf_rules_policy(const struct xf_rule_table *t,
					    uint16_t domid)
{
	uint32_t i;

	for (i = 0; i < t->n_doms; i++)
		if (t->doms[i].domid == domid)
			return &t->doms[i];
	return &t->fallback;
}

/*
 * No verdict is cheaper to get by hiding. A flow whose owner could not be
 * found (or whose owner lacks a field a rule asks about) gets the worst
 * verdict any owner could have got: walking the rules in order, a rule
 * whose other fields match and whose owner fields are unknown decides if it
 * drops, is skipped if it accepts or logs, copies if it mirrors. Without
 * that, closing a socket before the lookup, or defeating the walker, would
 * be a way past "uid 1001 drop". Flows that have no owner to find skip
 * owner rules as before; then the unattributed policy (no F_FOUND) or the
 * default decides.
 */
int xf_rules_match(const struct xf_rule_table *t, const struct xf_flow_key *key,
		   const struct xf_owner *owner, struct xf_verdict *res)
{
	const struct xf_dom_policy *pol;
	const struct xf_rule *r;
	enum owner_match m;
	bool findable = has_owner(key), unsure = false;
	uint32_t i;

	res->generation = t->generation;
	res->unattributed = owner && !(owner->flags & XF_OWNER_F_FOUND);
	res->uncertain = false;
	res->mirror = 0;
	for (i = 0; i < t->n_rules; i++) {
		r = &t->rules[i];
		if (!match_net(r, key))
			continue;
		m = OWNER_YES;
		if (r->fields & XF_RF_OWNER) {
			if (!owner)
				return XF_MATCH_NEED_OWNER;
			m = match_owner(r, owner);
			if (m == OWNER_NO)
				continue;
			if (m == OWNER_UNKNOWN)
				unsure = true;
			if (m == OWNER_UNKNOWN &&
			    (!findable || (r->action != XF_ACT_MIRROR &&
					   !xf_action_drops(r->action))))
				continue;
		}
		if (r->action == XF_ACT_MIRROR) {
			if (!res->mirror)
				res->mirror = r->mirror_slot;
			continue;
		}
		res->action = r->action;
		res->source = XF_SRC_RULE;
		res->rule = (uint16_t)i;
		res->uncertain = unsure;
		return XF_MATCH_DECIDED;
	}

	pol = xf_rules_policy(t, key->domid);
	res->rule = XF_RULE_NONE;
	res->uncertain = unsure;
	/*
	 * Unattributed flows have their own policy. If it equals the default
	 * the answer is the same either way and attribution is not needed.
	 */
	if (!owner && pol->dflt != pol->unattributed)
		return XF_MATCH_NEED_OWNER;
	if (res->unattributed) {
		res->action = pol->unattributed;
		res->source = XF_SRC_UNATTRIBUTED;
	} else {
		res->action = pol->dflt;
		res->source = XF_SRC_DEFAULT;
	}
	return XF_MATCH_DECIDED;
}

void xf_rules_account(struct xf_rule_table *t, const struct xf_verdict *v,
		      uint32_t bytes)
{
	struct xf_rule *r;

	if (v->source != XF_SRC_RULE || v->generation != t->generation ||
	    v->rule >= t->n_rules)
		return;
	r = &t->rules[v->rule];
	XF_ADD_RELAXED(r->packets, 1);
	XF_ADD_RELAXED(r->bytes, bytes);
}

void xf_rule_init(struct xf_rule *r)
{
	memset(r, 0, sizeof(*r));
}

int xf_cgroup_path_check(const char *p)
{
	size_t i;

	if (!str_terminated(p, XF_CGROUP_LEN))
		return XF_CGROUP_E_LONG;
	if (!p[0])
		return XF_CGROUP_E_EMPTY;
	if (p[0] != '/')
		return XF_CGROUP_E_RELATIVE;
	for (i = 0; p[i]; i++) {
		if ((unsigned char)p[i] < ' ' || p[i] == 0x7f)
			return XF_CGROUP_E_CONTROL;
		/* One spelling per cgroup: no "//", no trailing '/'. */
		if (p[i] == '/' && i && (p[i - 1] == '/' || !p[i + 1]))
			return XF_CGROUP_E_SLASH;
		/* "." and ".." name no cgroup: refuse them as components. */
		if (p[i] == '.' && p[i - 1] == '/' &&
		    (!p[i + 1] || p[i + 1] == '/' ||
		     (p[i + 1] == '.' && (!p[i + 2] || p[i + 2] == '/'))))
			return XF_CGROUP_E_DOT;
	}
	return 0;
}

static bool dst_normalized(const struct xf_rule *r)
{
	unsigned int alen = r->dst_family == XF_AF_INET ? 4 : 16;
	unsigned int i, plen = r->dst_plen;
	uint8_t mask;

	for (i = 0; i < 16; i++) {
		if (i >= alen || i * 8 >= plen)
			mask = 0;
		else if ((i + 1) * 8 <= plen)
			mask = 0xff;
		else
			mask = (uint8_t)(0xff << (8 - (plen - i * 8)));
		if (r->dst[i] & ~mask)
			return false;
	}
	return true;
}

int xf_rule_check(const struct xf_rule *r)
{
	uint32_t f = r->fields;

	if (f & ~XF_RF_ALL)
		return XF_RULE_E_INVAL;
	if ((f & XF_RF_DOMID) && (f & XF_RF_DOMNAME))
		return XF_RULE_E_INVAL;
	if ((f & XF_RF_DOMNAME) &&
	    (!r->dom_name[0] || !str_terminated(r->dom_name, XF_DOM_NAME_LEN)))
		return XF_RULE_E_INVAL;
	if (r->action > XF_ACT_MAX && r->action != XF_ACT_MIRROR)
		return XF_RULE_E_INVAL;
	if (r->action == XF_ACT_MIRROR &&
	    (!r->mirror_dev[0] || !str_terminated(r->mirror_dev, XF_IFNAME_LEN) ||
	     r->mirror_slot > XF_MIRROR_SLOTS))
		return XF_RULE_E_INVAL;
	if (f & XF_RF_DST) {
		if (r->dst_family == XF_AF_INET) {
			if (r->dst_plen > 32)
				return XF_RULE_E_INVAL;
		} else if (r->dst_family == XF_AF_INET6) {
			if (r->dst_plen > 128)
				return XF_RULE_E_INVAL;
		} else {
			return XF_RULE_E_INVAL;
		}
		if (!dst_normalized(r))
			return XF_RULE_E_INVAL;
	}
	if ((f & XF_RF_DPORT) && r->dport_lo > r->dport_hi)
		return XF_RULE_E_INVAL;
	if ((f & XF_RF_SPORT) && r->sport_lo > r->sport_hi)
		return XF_RULE_E_INVAL;
	/* A port match on a portless protocol would never match: say so. */
	if ((f & (XF_RF_DPORT | XF_RF_SPORT)) && (f & XF_RF_PROTO) &&
	    !has_ports(r->proto))
		return XF_RULE_E_INVAL;
	if ((f & XF_RF_COMM) &&
	    (!r->comm[0] || !str_terminated(r->comm, XF_COMM_LEN)))
		return XF_RULE_E_INVAL;
	if ((f & XF_RF_EXE) &&
	    (!r->exe[0] || !str_terminated(r->exe, XF_EXE_LEN)))
		return XF_RULE_E_INVAL;
	if ((f & XF_RF_CGROUP) && xf_cgroup_path_check(r->cgroup))
		return XF_RULE_E_INVAL;
	return 0;
}

bool xf_rule_equal(const struct xf_rule *a, const struct xf_rule *b)
{
	uint32_t f = a->fields;

	if (f != b->fields || a->action != b->action)
		return false;
	if ((f & XF_RF_DOMID) && a->domid != b->domid)
		return false;
	if (a->action == XF_ACT_MIRROR &&
	    !str_eq(a->mirror_dev, b->mirror_dev, XF_IFNAME_LEN))
		return false;
	if ((f & XF_RF_DOMNAME) &&
	    !str_eq(a->dom_name, b->dom_name, XF_DOM_NAME_LEN))
		return false;
	if ((f & XF_RF_PROTO) && a->proto != b->proto)
		return false;
	if ((f & XF_RF_DST) &&
	    (a->dst_family != b->dst_family || a->dst_plen != b->dst_plen ||
	     memcmp(a->dst, b->dst, sizeof(a->dst))))
		return false;
	if ((f & XF_RF_DPORT) &&
	    (a->dport_lo != b->dport_lo || a->dport_hi != b->dport_hi))
		return false;
	if ((f & XF_RF_SPORT) &&
	    (a->sport_lo != b->sport_lo || a->sport_hi != b->sport_hi))
		return false;
	if ((f & XF_RF_UID) && a->uid != b->uid)
		return false;
	if ((f & XF_RF_EUID) && a->euid != b->euid)
		return false;
	if ((f & XF_RF_GID) && a->gid != b->gid)
		return false;
	if ((f & XF_RF_PID) && a->pid != b->pid)
		return false;
	if ((f & XF_RF_COMM) && !str_eq(a->comm, b->comm, XF_COMM_LEN))
		return false;
	if ((f & XF_RF_EXE) && !str_eq(a->exe, b->exe, XF_EXE_LEN))
		return false;
	if ((f & XF_RF_CGROUP) && !str_eq(a->cgroup, b->cgroup, XF_CGROUP_LEN))
		return false;
	return true;
}

void xf_rules_init(struct xf_rule_table *t, struct xf_rule *rules,
		   uint32_t rules_cap, struct xf_dom_policy *doms,
		   uint32_t doms_cap)
{
	memset(t, 0, sizeof(*t));
	t->rules = rules;
	t->rules_cap = rules_cap > XF_RULES_MAX ? XF_RULES_MAX : rules_cap;
	t->doms = doms;
	t->doms_cap = doms_cap;
	t->fallback.domid = XF_DOMID_ANY;
	t->fallback.dflt = XF_ACT_ACCEPT;
	t->fallback.unattributed = XF_ACT_ACCEPT;
	t->generation = 1;
}

int xf_rules_insert(struct xf_rule_table *t, uint32_t at,
		    const struct xf_rule *r)
{
	uint32_t i;
	int err;

	err = xf_rule_check(r);
	if (err)
		return err;
	if (r->fields & XF_RF_DOMNAME)
		return XF_RULE_E_UNRESOLVED;
	if (at > t->n_rules)
		return XF_RULE_E_RANGE;
	if (t->n_rules >= t->rules_cap)
		return XF_RULE_E_FULL;
	for (i = t->n_rules; i > at; i--)
		t->rules[i] = t->rules[i - 1];
	t->rules[at] = *r;
	t->rules[at].packets = 0;
	t->rules[at].bytes = 0;
	t->n_rules++;
	t->generation++;
	return 0;
}

int xf_rules_delete(struct xf_rule_table *t, uint32_t at)
{
	uint32_t i;

	if (at >= t->n_rules)
		return XF_RULE_E_RANGE;
	for (i = at; i + 1 < t->n_rules; i++)
		t->rules[i] = t->rules[i + 1];
	t->n_rules--;
	t->generation++;
	return 0;
}

void xf_rules_flush(struct xf_rule_table *t)
{
	t->n_rules = 0;
	t->generation++;
}

int xf_rules_set_policy(struct xf_rule_table *t, uint16_t domid, uint8_t dflt,
			uint8_t unattributed)
{
	struct xf_dom_policy *p = NULL;
	uint32_t i;

	if (dflt > XF_ACT_MAX || unattributed > XF_ACT_MAX)
		return XF_RULE_E_INVAL;
	if (domid == XF_DOMID_ANY) {
		p = &t->fallback;
	} else {
		for (i = 0; i < t->n_doms; i++)
			if (t->doms[i].domid == domid)
				p = &t->doms[i];
		if (!p) {
			if (t->n_doms >= t->doms_cap)
				return XF_RULE_E_FULL;
			p = &t->doms[t->n_doms++];
			p->domid = domid;
		}
	}
	p->dflt = dflt;
	p->unattributed = unattributed;
	t->generation++;
	return 0;
}
