/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Scan and flood detection per guest process: for each (domain, owner) the
 * new flows the owner started in a sliding window, counted by distinct
 * destination ports (port scan), distinct destination hosts (host sweep,
 * spam, fan-out floods) and in total (flood). Crossing a threshold is a
 * hit, with the evidence and a ready-made rule that stops that owner.
 *
 * Why here: the owner of a new flow is known when its verdict is applied in
 * the module, whoever found it (xfilterd or the filter in Xen), so the
 * module calls xf_detect_flow() there and both modes get detection. The
 * table is plain data in caller storage, with no locking and no clock of
 * its own: the caller serializes calls per table and passes the time.
 *
 * What counts as a flow the owner started: a TCP flow whose first packet is
 * a SYN without ACK, and a UDP flow from a source port >= 1024. A server's
 * answers (SYN-ACKs, replies from a service port) are not counted, so a busy
 * web server is not a scanner however many clients it has.
 *
 * Unattributed flows (the walker found no owner: a socket closed before
 * the lookup, a hidden process) have no owner to count them against: they
 * are counted per domain, and more than cfg->unattributed of them in a
 * window is a hit of its own kind, "unattributed-flows N". A flood or scan
 * from short-lived sockets is thereby seen too. Such a hit names no owner
 * and suggests no rule (there is no owner to stop): the answer is the
 * domain's unattributed policy, or owner drop rules (core/rule.c).
 */
#ifndef XF_CORE_DETECT_H
#define XF_CORE_DETECT_H

#include "compat.h"
#include "flow.h"
#include "owner.h"
#include "rule.h"

#define XF_DETECT_EVENTS 64	/* new flows remembered per owner */
#define XF_DETECT_OWNERS 16	/* owners tracked per domain (LRU) */
#define XF_DETECT_WINDOW_MIN_MS 100
#define XF_DETECT_WINDOW_MAX_MS 3600000

/* Thresholds; 0 turns one off. ports and hosts are at most EVENTS. */
struct xf_detect_cfg {
	uint32_t window_ms;
	uint32_t ports;		/* distinct destination ports in the window */
	uint32_t hosts;		/* distinct destination addresses */
	uint32_t flows;		/* new flows in the window (any destination) */
	uint32_t unattributed;	/* unattributed new flows of the domain */
};

/* Which thresholds a hit crossed (bits). */
enum xf_detect_kind {
	XF_DETECT_PORTSCAN = 1U << 0,
	XF_DETECT_HOSTSCAN = 1U << 1,
	XF_DETECT_FLOOD = 1U << 2,
	XF_DETECT_UNATTRIBUTED = 1U << 3,	/* per domain, no owner */
	XF_DETECT_KIND_ALL = (1U << 4) - 1,
};

struct xf_detect_event {
	uint64_t t_ms;
	uint32_t host;		/* hash of the destination address */
	uint16_t dport;
	uint8_t proto;
	uint8_t pad;
};

struct xf_detect_owner {
	bool used;
	uint32_t tgid, uid;
	char comm[XF_COMM_LEN];
	uint64_t last_ms;
	uint64_t alerted_ms;	/* last hit; 0: none */
	uint64_t total;		/* counted flows since tracked (latency) */
	/* Flood: fixed buckets of one window, the previous one weighted. */
	uint64_t bucket_ms;
	uint32_t bucket_cur, bucket_prev;
	/* Ring of the newest events, oldest at head. */
	uint16_t head, n;
	uint16_t n_ports, n_hosts;	/* distinct among the ring's events */
	uint8_t one_proto;	/* the proto of every event, or 0 if mixed */
	uint8_t last_family;
	uint8_t last_daddr[16];
	uint16_t port_lo, port_hi;	/* over the ring */
	struct xf_detect_event ev[XF_DETECT_EVENTS];
};

/* A domain's unattributed new flows: the flood window, without owner. */
struct xf_detect_unattr {
	uint64_t bucket_ms;
	uint32_t bucket_cur, bucket_prev;
	uint64_t alerted_ms;	/* last hit; 0: none */
	uint64_t total;		/* counted since the table was made */
	uint64_t last_ms;
	uint16_t port_lo, port_hi;	/* of the flows since the last hit */
	uint8_t one_proto;	/* 0 if mixed */
	bool any;
};

struct xf_detect_table {
	struct xf_detect_owner o[XF_DETECT_OWNERS];
	struct xf_detect_unattr u;
};

/* What a hit reports. */
struct xf_detect_hit {
	uint32_t kinds;		/* enum xf_detect_kind */
	uint32_t n_ports, n_hosts, n_flows;
	uint32_t window_ms;
	uint64_t total;		/* counted flows of this owner so far */
	uint16_t port_lo, port_hi;
	uint8_t proto;		/* 0 if mixed */
	uint8_t family;		/* of dst, valid if n_hosts == 1 */
	uint8_t dst[16];
};

/* Does this new flow count as one the guest process started? */
bool xf_detect_counts(const struct xf_flow *flow);

/* Bound the configuration; returns 0 or -1 (and what is wrong in *why). */
int xf_detect_cfg_check(const struct xf_detect_cfg *cfg, const char **why);

void xf_detect_init(struct xf_detect_table *t);

/*
 * Account one new flow of owner at now_ms (any monotonic millisecond
 * clock). Returns 1 and fills *hit when a threshold is crossed; an owner
 * hits at most once per window. An owner without XF_OWNER_F_FOUND counts
 * towards the domain's unattributed flows instead (kind
 * XF_DETECT_UNATTRIBUTED, at most once per window too).
 */
int xf_detect_flow(struct xf_detect_table *t, const struct xf_detect_cfg *cfg,
		   const struct xf_flow *flow, const struct xf_owner *owner,
		   uint64_t now_ms, struct xf_detect_hit *hit);

/*
 * The rule that stops what the hit saw: domain domid, the owner by uid for
 * a regular user (uid >= 1000), by pid otherwise (a system user's other
 * processes keep working), the protocol, and the port or host when there
 * was only one. Action drop. An unattributed hit has no owner to stop:
 * the rule is left empty (fields 0), and must not be inserted.
 */
void xf_detect_suggest(const struct xf_detect_hit *hit,
		       const struct xf_owner *owner, uint16_t domid,
		       struct xf_rule *r);

#endif /* XF_CORE_DETECT_H */
