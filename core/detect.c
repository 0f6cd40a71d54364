// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Scan and flood detection: see detect.h. Every operation is O(EVENTS) per
 * new flow: distinct counts are kept up to date as events enter and leave
 * the ring, by checking whether another event in the ring has the same
 * port (host).
 */
#include "detect.h"

#define XF_DETECT_UID_USER 1000	/* first uid of a regular user */

bool xf_detect_counts(const struct xf_flow *flow)
{
	if (flow->frag == XF_FRAG_LATER)
		return false;
	if (flow->key.proto == XF_IPPROTO_TCP)
		return (flow->tcp_flags & (XF_TCP_SYN | XF_TCP_ACK)) ==
		       XF_TCP_SYN;
	if (flow->key.proto == XF_IPPROTO_UDP)
		return flow->key.sport >= 1024;
	return false;
}

int xf_detect_cfg_check(const struct xf_detect_cfg *cfg, const char **why)
{
	if (cfg->window_ms < XF_DETECT_WINDOW_MIN_MS ||
	    cfg->window_ms > XF_DETECT_WINDOW_MAX_MS) {
		*why = "window out of range (100 ms .. 1 h)";
		return -1;
	}
	if (cfg->ports > XF_DETECT_EVENTS || cfg->hosts > XF_DETECT_EVENTS) {
		*why = "port and host thresholds are at most 64";
		return -1;
	}
	if (cfg->ports == 1 || cfg->hosts == 1) {
		*why = "a threshold of 1 would flag every flow";
		return -1;
	}
	return 0;
}

void xf_detect_init(struct xf_detect_table *t)
{
	memset(t, 0, sizeof(*t));
}

/* FNV-1a over the address: equal addresses, equal hashes. */
static uint32_t host_hash(const struct xf_flow_key *k)
{
	uint32_t h = 2166136261u;
	int i, n = k->family == XF_AF_INET ? 4 : 16;

	for (i = 0; i < n; i++)
		h = (h ^ k->daddr[i]) * 16777619u;
	return h ^ k->family;
}

static struct xf_detect_event *ev_at(struct xf_detect_owner *o, unsigned int i)
{
	return &o->ev[(o->head + i) % XF_DETECT_EVENTS];
}

/* Is there an event in the ring, other than skip, with this port/host? */
static bool ring_has_port(struct xf_detect_owner *o, uint16_t port,
			  const struct xf_detect_event *skip)
{
	unsigned int i;

	for (i = 0; i < o->n; i++) {
		const struct xf_detect_event *e = ev_at(o, i);

		if (e != skip && e->dport == port)
			return true;
	}
	return false;
}

static bool ring_has_host(struct xf_detect_owner *o, uint32_t host,
			  const struct xf_detect_event *skip)
{
	unsigned int i;

	for (i = 0; i < o->n; i++) {
		const struct xf_detect_event *e = ev_at(o, i);

		if (e != skip && e->host == host)
			return true;
	}
	return false;
}

static void ring_pop(struct xf_detect_owner *o)
{
	struct xf_detect_event *e = ev_at(o, 0);

	if (!ring_has_port(o, e->dport, e))
		o->n_ports--;
	if (!ring_has_host(o, e->host, e))
		o->n_hosts--;
	o->head = (o->head + 1) % XF_DETECT_EVENTS;
	o->n--;
}

static void ring_push(struct xf_detect_owner *o,
		      const struct xf_detect_event *ne)
{
	if (o->n == XF_DETECT_EVENTS)
		ring_pop(o);
	if (!ring_has_port(o, ne->dport, NULL))
		o->n_ports++;
	if (!ring_has_host(o, ne->host, NULL))
		o->n_hosts++;
	*ev_at(o, o->n) = *ne;
	o->n++;
}

static void ring_summary(struct xf_detect_owner *o)
{
	unsigned int i;

	o->one_proto = o->n ? ev_at(o, 0)->proto : 0;
	o->port_lo = 0xffff;
	o->port_hi = 0;
	for (i = 0; i < o->n; i++) {
		const struct xf_detect_event *e = ev_at(o, i);

		if (e->proto != o->one_proto)
			o->one_proto = 0;
		if (e->dport < o->port_lo)
			o->port_lo = e->dport;
		if (e->dport > o->port_hi)
			o->port_hi = e->dport;
	}
}

static bool same_owner(const struct xf_detect_owner *o,
		       const struct xf_owner *w)
{
	return o->used && o->tgid == w->tgid && o->uid == w->uid &&
	       !memcmp(o->comm, w->comm, XF_COMM_LEN);
}

/* The owner's slot: its own, a free one, or the least recently used. */
static struct xf_detect_owner *owner_slot(struct xf_detect_table *t,
					  const struct xf_owner *w)
{
	struct xf_detect_owner *o, *lru = &t->o[0];
	unsigned int i;

	for (i = 0; i < XF_DETECT_OWNERS; i++) {
		o = &t->o[i];
		if (same_owner(o, w))
			return o;
		if (!o->used) {
			lru = o;
			break;
		}
		if (o->last_ms < lru->last_ms)
			lru = o;
	}
	memset(lru, 0, sizeof(*lru));
	lru->used = true;
	lru->tgid = w->tgid;
	lru->uid = w->uid;
	memcpy(lru->comm, w->comm, XF_COMM_LEN);
	lru->comm[XF_COMM_LEN - 1] = 0;
	return lru;
}

/*
 * Sliding-window estimate of the flows in the last window (two buckets),
 * counting one more at now.
 */
static uint32_t window_count(uint64_t *bucket_ms, uint32_t *cur,
			     uint32_t *prev, uint32_t window, uint64_t now)
{
	uint64_t age;

	if (!*bucket_ms || now < *bucket_ms ||
	    now - *bucket_ms >= 2 * (uint64_t)window) {
		*bucket_ms = now ? now : 1;
		*prev = 0;
		*cur = 0;
	} else if (now - *bucket_ms >= window) {
		*bucket_ms += window;
		*prev = *cur;
		*cur = 0;
	}
	(*cur)++;
	age = now >= *bucket_ms ? now - *bucket_ms : 0;	/* < window */
	return *cur + (uint32_t)((uint64_t)*prev * (window - age) / window);
}

static uint32_t flood_count(struct xf_detect_owner *o, uint32_t window,
			    uint64_t now)
{
	return window_count(&o->bucket_ms, &o->bucket_cur, &o->bucket_prev,
			    window, now);
}

/* The domain's unattributed new flows: see detect.h. */
static int unattributed_flow(struct xf_detect_table *t,
			     const struct xf_detect_cfg *cfg,
			     const struct xf_flow *flow, uint64_t now_ms,
			     struct xf_detect_hit *hit)
{
	struct xf_detect_unattr *u = &t->u;
	uint32_t window = cfg->window_ms, n;
	uint16_t port = flow->key.dport;

	if (!cfg->unattributed)
		return 0;
	u->total++;
	u->last_ms = now_ms;
	if (!u->any) {
		u->any = true;
		u->port_lo = u->port_hi = port;
		u->one_proto = flow->key.proto;
	} else {
		if (port < u->port_lo)
			u->port_lo = port;
		if (port > u->port_hi)
			u->port_hi = port;
		if (u->one_proto != flow->key.proto)
			u->one_proto = 0;
	}
	n = window_count(&u->bucket_ms, &u->bucket_cur, &u->bucket_prev,
			 window, now_ms);
	if (n < cfg->unattributed ||
	    (u->alerted_ms && now_ms >= u->alerted_ms &&
	     now_ms - u->alerted_ms < window))
		return 0;
	u->alerted_ms = now_ms ? now_ms : 1;
	memset(hit, 0, sizeof(*hit));
	hit->kinds = XF_DETECT_UNATTRIBUTED;
	hit->n_flows = n;
	hit->window_ms = window;
	hit->total = u->total;
	hit->port_lo = u->port_lo;
	hit->port_hi = u->port_hi;
	hit->proto = u->one_proto;
	hit->family = flow->key.family;
	u->any = false;		/* the next hit reports its own range */
	return 1;
}

int xf_detect_flow(struct xf_detect_table *t, const struct xf_detect_cfg *cfg,
		   const struct xf_flow *flow, const struct xf_owner *owner,
		   uint64_t now_ms, struct xf_detect_hit *hit)
{
	struct xf_detect_owner *o;
	struct xf_detect_event ne;
	uint32_t window = cfg->window_ms, kinds = 0, flows;

	if (!xf_detect_counts(flow) || window < XF_DETECT_WINDOW_MIN_MS)
		return 0;
	if (!(owner->flags & XF_OWNER_F_FOUND))
		return unattributed_flow(t, cfg, flow, now_ms, hit);
	o = owner_slot(t, owner);
	if (now_ms < o->last_ms)	/* a clock going back: start over */
		o->n = o->n_ports = o->n_hosts = 0;
	o->last_ms = now_ms;
	o->total++;
	while (o->n && now_ms - ev_at(o, 0)->t_ms >= window)
		ring_pop(o);
	memset(&ne, 0, sizeof(ne));
	ne.t_ms = now_ms;
	ne.host = host_hash(&flow->key);
	ne.dport = flow->key.dport;
	ne.proto = flow->key.proto;
	ring_push(o, &ne);
	o->last_family = flow->key.family;
	memcpy(o->last_daddr, flow->key.daddr, sizeof(o->last_daddr));
	flows = flood_count(o, window, now_ms);

	if (cfg->ports && o->n_ports >= cfg->ports)
		kinds |= XF_DETECT_PORTSCAN;
	if (cfg->hosts && o->n_hosts >= cfg->hosts)
		kinds |= XF_DETECT_HOSTSCAN;
	if (cfg->flows && flows >= cfg->flows)
		kinds |= XF_DETECT_FLOOD;
	if (!kinds || (o->alerted_ms && now_ms - o->alerted_ms < window))
		return 0;
	o->alerted_ms = now_ms ? now_ms : 1;
	ring_summary(o);
	memset(hit, 0, sizeof(*hit));
	hit->kinds = kinds;
	hit->n_ports = o->n_ports;
	hit->n_hosts = o->n_hosts;
	hit->n_flows = flows;
	hit->window_ms = window;
	hit->total = o->total;
	hit->port_lo = o->port_lo;
	hit->port_hi = o->port_hi;
	hit->proto = o->one_proto;
	hit->family = o->last_family;
	memcpy(hit->dst, o->last_daddr, sizeof(hit->dst));
	return 1;
}

void xf_detect_suggest(const struct xf_detect_hit *hit,
		       const struct xf_owner *owner, uint16_t domid,
		       struct xf_rule *r)
{
	xf_rule_init(r);
	if (hit->kinds & XF_DETECT_UNATTRIBUTED)
		return;		/* no owner to stop */
	r->action = XF_ACT_DROP;
	r->fields = XF_RF_DOMID;
	r->domid = domid;
	if (owner->uid >= XF_DETECT_UID_USER) {
		r->fields |= XF_RF_UID;
		r->uid = owner->uid;
	} else {
		r->fields |= XF_RF_PID;
		r->pid = owner->tgid;
	}
	if (hit->proto) {
		r->fields |= XF_RF_PROTO;
		r->proto = hit->proto;
	}
	if (hit->n_ports == 1 && hit->proto) {
		r->fields |= XF_RF_DPORT;
		r->dport_lo = r->dport_hi = hit->port_lo;
	}
	if (hit->n_hosts == 1) {
		r->fields |= XF_RF_DST;
		r->dst_family = hit->family;
		r->dst_plen = hit->family == XF_AF_INET ? 32 : 128;
		memcpy(r->dst, hit->dst, hit->family == XF_AF_INET ? 4 : 16);
	}
}
