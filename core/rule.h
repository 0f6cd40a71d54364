/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Rules: an ordered table, first match wins. The table is plain data in
 * caller storage: the kernel publishes a new table under RCU (or a writer
 * lock) and readers call xf_rules_match() on whatever table they hold. Only
 * the per-rule counters are written by readers, with relaxed atomic adds.
 */
#ifndef XF_CORE_RULE_H
#define XF_CORE_RULE_H

#include "compat.h"
#include "flow.h"
#include "owner.h"

#define XF_DOM_NAME_LEN 64	/* domain name or UUID, as typed */
#define XF_RULE_NONE 0xffff	/* "no rule": a policy decided */
#define XF_RULES_MAX 0xfffe	/* rule indices fit in 16 bits */
#define XF_DOMID_ANY 0xffff	/* xf_rules_set_policy(): the fallback */
#define XF_RULE_REASON_LEN 64

enum xf_action {
	XF_ACT_ACCEPT = 0,
	XF_ACT_DROP = 1,
	XF_ACT_LOG = 2,		/* log and accept */
	XF_ACT_LOG_DROP = 3,	/* log and drop */
	__XF_ACT_LAST,
	XF_ACT_MAX = __XF_ACT_LAST - 1,
};

/*
 * A rule action that is not a verdict: packets of matching flows are
 * copied to the device mirror_dev, and matching goes on to the next rule
 * for the verdict. The first matching mirror rule names the copy's target.
 */
#define XF_ACT_MIRROR 4
#define XF_IFNAME_LEN 16	/* IFNAMSIZ */
#define XF_MIRROR_SLOTS 7	/* mirror targets at a time (3 bits) */

static inline bool xf_action_drops(uint8_t a)
{
	return a == XF_ACT_DROP || a == XF_ACT_LOG_DROP;
}

static inline bool xf_action_logs(uint8_t a)
{
	return a == XF_ACT_LOG || a == XF_ACT_LOG_DROP;
}

/* Which fields of a rule must match. Owner fields need attribution. */
enum xf_rule_fields {
	XF_RF_DOMID = 1U << 0,
	XF_RF_DOMNAME = 1U << 1,	/* unresolved: see struct xf_rule */
	XF_RF_PROTO = 1U << 2,
	XF_RF_DST = 1U << 3,
	XF_RF_DPORT = 1U << 4,
	XF_RF_SPORT = 1U << 5,
	XF_RF_UID = 1U << 6,
	XF_RF_EUID = 1U << 7,
	XF_RF_GID = 1U << 8,
	XF_RF_PID = 1U << 9,
	XF_RF_COMM = 1U << 10,
	XF_RF_EXE = 1U << 11,
	XF_RF_CGROUP = 1U << 12,	/* cgroup path prefix */
	XF_RF_ALL = (1U << 13) - 1,
	XF_RF_OWNER = XF_RF_UID | XF_RF_EUID | XF_RF_GID | XF_RF_PID |
		      XF_RF_COMM | XF_RF_EXE | XF_RF_CGROUP,
	/* Fields read from the socket itself (constant cost). */
	XF_RF_SOCKET = XF_RF_UID | XF_RF_EUID | XF_RF_GID | XF_RF_CGROUP,
	/* Fields that need the task holding the socket. */
	XF_RF_TASK = XF_RF_PID | XF_RF_COMM | XF_RF_EXE,
};

/*
 * One rule. Domain: XF_RF_DOMID with a numeric domid, or no domain field
 * (any domain), or XF_RF_DOMNAME with the name/UUID token kept verbatim in
 * dom_name for the caller (xfctl, xfilterd) to resolve: rules are stored
 * against a guest's name or UUID and pushed to the kernel with the current
 * domid. A rule with an unresolved name never matches and is refused by
 * xf_rules_insert(), so an unresolved drop cannot silently become a hole.
 *
 * pid matches the owner's tgid (what ps shows), uid/gid the real ids, euid
 * the effective uid. comm and exe are exact, NUL-terminated strings.
 * dst is stored masked to dst_plen; dport/sport are inclusive ranges and
 * only match TCP and UDP flows (a port rule never matches ICMP or a later
 * fragment).
 */
struct xf_rule {
	uint32_t fields;	/* enum xf_rule_fields */
	uint16_t domid;
	uint8_t proto;
	uint8_t action;		/* enum xf_action or XF_ACT_MIRROR */
	uint8_t dst_family;	/* XF_AF_INET or XF_AF_INET6 */
	uint8_t dst_plen;
	uint16_t dport_lo, dport_hi;
	uint16_t sport_lo, sport_hi;
	uint8_t dst[16];
	uint32_t uid, euid, gid, pid;
	char comm[XF_COMM_LEN];
	char exe[XF_EXE_LEN];
	/*
	 * XF_RF_CGROUP: a cgroup v2 path ("/system.slice/docker-1.scope");
	 * it matches the owner's cgroup and every cgroup below it, on whole
	 * components ("/a" matches "/a" and "/a/b", not "/ab").
	 */
	char cgroup[XF_CGROUP_LEN];
	char dom_name[XF_DOM_NAME_LEN];
	/*
	 * XF_ACT_MIRROR: the device, and its slot (1..XF_MIRROR_SLOTS) as
	 * given by the module that delivers the copies; 0: none (userland,
	 * Xen: matched, never copied). Only the name is identity.
	 */
	char mirror_dev[XF_IFNAME_LEN];
	uint8_t mirror_slot;
	/* Counters: not part of the rule's identity (xf_rule_equal). */
	uint64_t packets;
	uint64_t bytes;
	/*
	 * Rules the module added itself (detection in block mode): when the
	 * rule goes (the caller's millisecond clock; 0: never) and why.
	 * Not part of the rule's identity either.
	 */
	uint64_t expires_ms;
	uint32_t alert;		/* id of the alert that added it; 0: none */
	char reason[XF_RULE_REASON_LEN];	/* NUL-terminated, may be "" */
};

/* Policy of one domain when no rule matches. */
struct xf_dom_policy {
	uint16_t domid;
	uint8_t dflt;		/* XF_ACT_ACCEPT or XF_ACT_DROP (or log forms) */
	uint8_t unattributed;	/* for flows without an owner */
};

/*
 * The table. rules and doms point at caller storage of rules_cap and
 * doms_cap entries. generation changes on every modification through the
 * functions below; verdicts (and cache entries) carry the generation they
 * were computed under.
 */
struct xf_rule_table {
	struct xf_rule *rules;
	uint32_t n_rules, rules_cap;
	struct xf_dom_policy *doms;
	uint32_t n_doms, doms_cap;
	struct xf_dom_policy fallback;	/* domains without their own entry */
	uint64_t generation;
};

enum xf_match_status {
	XF_MATCH_DECIDED = 0,
	/*
	 * A rule with owner fields (or an unattributed policy that differs
	 * from the default) could decide this flow: attribute it and call
	 * again with the owner.
	 */
	XF_MATCH_NEED_OWNER = 1,
};

enum xf_verdict_source {
	XF_SRC_RULE = 0,
	XF_SRC_DEFAULT = 1,
	XF_SRC_UNATTRIBUTED = 2,
};

/*
 * The first four members are, in this order, what a verdict-cache entry
 * packs in one byte: core/cache.c unpacks it with one table load.
 */
struct xf_verdict {
	uint8_t action;		/* enum xf_action */
	uint8_t source;		/* enum xf_verdict_source */
	bool unattributed;	/* decided with an owner lacking F_FOUND */
	uint8_t mirror;		/* slot of the first matching mirror rule, 0 */
	uint16_t rule;		/* index, or XF_RULE_NONE */
	/*
	 * A rule on owner fields the owner lacked was reached (skipped if it
	 * accepts, deciding if it drops): the verdict may change once the
	 * walker finds more, so it is not cached as a sure one.
	 */
	bool uncertain;
	uint64_t generation;	/* of the table that decided */
};

/* Errors of the table functions, negative. */
enum xf_rule_err {
	XF_RULE_E_FULL = -1,
	XF_RULE_E_RANGE = -2,	/* index out of range */
	XF_RULE_E_INVAL = -3,	/* rule not well formed */
	XF_RULE_E_UNRESOLVED = -4, /* domain name not resolved to a domid */
};

void xf_rules_init(struct xf_rule_table *t, struct xf_rule *rules,
		   uint32_t rules_cap, struct xf_dom_policy *doms,
		   uint32_t doms_cap);
/* Check a rule is well formed (ranges, prefix, known bits, strings). */
int xf_rule_check(const struct xf_rule *r);
/* Insert at index (n_rules appends); counters are reset. */
int xf_rules_insert(struct xf_rule_table *t, uint32_t at,
		    const struct xf_rule *r);
int xf_rules_delete(struct xf_rule_table *t, uint32_t at);
void xf_rules_flush(struct xf_rule_table *t);
/* Set a domain's policy; XF_DOMID_ANY sets the fallback. */
int xf_rules_set_policy(struct xf_rule_table *t, uint16_t domid, uint8_t dflt,
			uint8_t unattributed);
const struct xf_dom_policy *xf_rules_policy(const struct xf_rule_table *t,
					    uint16_t domid);

/*
 * Decide a flow. owner is NULL when the caller has not attributed the flow
 * yet; the result is then XF_MATCH_NEED_OWNER if the owner could change the
 * outcome, and the caller attributes and calls again (an owner without
 * XF_OWNER_F_FOUND means "tried, unattributed"). Counters are not touched:
 * call xf_rules_account() once the verdict is applied.
 */
int xf_rules_match(const struct xf_rule_table *t, const struct xf_flow_key *key,
		   const struct xf_owner *owner, struct xf_verdict *res);
/* Per-rule counters; ignored if the table changed since the verdict. */
void xf_rules_account(struct xf_rule_table *t, const struct xf_verdict *v,
		      uint32_t bytes);
/*
 * Check a rule's cgroup path: 0 or why it is refused. A path is absolute,
 * shorter than XF_CGROUP_LEN, free of control bytes, "//", a trailing '/'
 * (except "/" itself) and "." or ".." components, so each cgroup has one
 * spelling and xf_rule_equal() can compare paths as strings.
 */
enum xf_cgroup_err {
	XF_CGROUP_E_LONG = -1,
	XF_CGROUP_E_EMPTY = -2,
	XF_CGROUP_E_RELATIVE = -3,
	XF_CGROUP_E_CONTROL = -4,
	XF_CGROUP_E_SLASH = -5,
	XF_CGROUP_E_DOT = -6,
};
int xf_cgroup_path_check(const char *p);
/* Same match spec and action (counters ignored). */
bool xf_rule_equal(const struct xf_rule *a, const struct xf_rule *b);
/* Zero a rule: matches everything, accepts. */
void xf_rule_init(struct xf_rule *r);

#endif /* XF_CORE_RULE_H */
