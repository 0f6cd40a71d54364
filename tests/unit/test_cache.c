// SPDX-License-Identifier: GPL-2.0 OR MIT
/* core/cache.c: TCP lifecycle, UDP expiry, eviction, generations, ENOMEM. */
#include <stdlib.h>

#include "tap.h"
#include "cache.h"
#include "frames.h"

static const uint8_t seed[16] = "0123456789abcdef";

/*
 * Userland ops: retires counted; a grace period ends at once, or (defer)
 * only when the test says so, as call_rcu would later.
 */
struct env {
	int retires;
	bool defer;
	struct xf_cache_limbo *pending;
};

static void t_retire(void *ctx, struct xf_cache_limbo *l)
{
	struct env *env = ctx;

	env->retires++;
	if (env->defer)
		env->pending = l;
	else
		xf_cache_limbo_done(l);
}

static const struct xf_cache_ops ops = { t_retire, NULL };

/* Storage for a table of up to 1024 entries, one test at a time. */
#define SLOTS_MAX 2049
static uint32_t bk[256];
static struct xf_cache_entry ent[SLOTS_MAX];
static struct xf_cache_slot sl[SLOTS_MAX];

static int init(struct xf_cache *c, uint32_t nbuckets,
		const struct xf_cache_params *p, const struct xf_cache_ops *o,
		struct env *env)
{
	return xf_cache_init(c, bk, nbuckets, ent, sl,
			     xf_cache_nslots(p->max_entries), p, o, env, seed);
}

/* Slots on the free list (bounded: a loop in it counts past nslots). */
static uint32_t free_slots(const struct xf_cache *c)
{
	uint32_t s, n = 0;

	for (s = c->free; s && n < c->nslots; s = c->slots[s].next)
		n++;
	return n;
}

/*
 * Every slot but 0 is in exactly one place: the free list, a limbo batch
 * or a bucket's chain; and the counts say so.
 */
static bool slots_accounted(const struct xf_cache *c)
{
	static uint8_t seen[SLOTS_MAX];
	uint32_t s, n, b, nfree = 0, nlimbo = 0, live = 0;
	unsigned int k;

	memset(seen, 0, sizeof(seen));
	for (s = c->free; s; s = c->slots[s].next, nfree++)
		if (s >= c->nslots || seen[s]++)
			return false;
	for (k = 0; k < 2; k++)
		for (n = 0, s = c->limbo[k].head; n < c->limbo[k].count;
		     n++, s = c->slots[s].next, nlimbo++)
			if (!s || s >= c->nslots || seen[s]++)
				return false;
	for (b = 0; b <= c->mask; b++)
		for (s = c->buckets[b]; s; s = c->entries[s].next, live++)
			if (s >= c->nslots || seen[s]++)
				return false;
	return nfree == free_slots(c) && live == c->count &&
	       nfree + nlimbo + live == c->nslots - 1;
}


static struct xf_cache_params params(void)
{
	struct xf_cache_params p = {
		.tcp_idle = 1000, .tcp_linger = 50, .udp_idle = 100,
		.other_idle = 30, .touch = 10, .max_entries = 1024,
		.unattributed_life = 1000,
	};
	return p;
}

static struct xf_flow flow(uint8_t proto, uint16_t sport, uint8_t flags)
{
	struct xf_flow f;

	memset(&f, 0, sizeof(f));
	f.key.family = XF_AF_INET;
	f.key.proto = proto;
	f.key.domid = 3;
	f.key.saddr[0] = 10;
	f.key.daddr[0] = 192;
	f.key.sport = sport;
	f.key.dport = 80;
	f.tcp_flags = flags;
	return f;
}

static struct xf_verdict verdict(uint8_t action, uint64_t gen)
{
	struct xf_verdict v = {
		.action = action, .source = XF_SRC_RULE, .rule = 4,
		.generation = gen,
	};

	return v;
}

#define GEN 5
#define SYN XF_TCP_SYN
#define ACK XF_TCP_ACK

static void test_tcp(void)
{
	struct xf_cache_params p = params();
	struct xf_verdict v = verdict(XF_ACT_DROP, GEN), out;
	struct env env = { 0 };
	struct xf_cache c;
	struct xf_flow f;

	is(init(&c, 64, &p, &ops, &env), 0, "init");
	f = flow(6, 1000, ACK);
	is(xf_cache_insert(&c, &f, &v, GEN, 0), XF_CACHE_E_NOT_CACHEABLE,
	   "tcp without syn not cached");
	f = flow(6, 1000, SYN);
	is(xf_cache_lookup(&c, &f, GEN, 0, &out), XF_CACHE_MISS, "syn misses");
	is(xf_cache_insert(&c, &f, &v, GEN, 0), 0, "insert on syn");
	is(c.count, 1, "one entry");
	is(xf_cache_lookup(&c, &f, GEN, 1, &out), XF_CACHE_MISS,
	   "a syn never hits (new connection may be another process)");
	f.tcp_flags = ACK;
	is(xf_cache_lookup(&c, &f, GEN, 1, &out), XF_CACHE_HIT, "ack hits");
	ok(out.action == XF_ACT_DROP && out.rule == 4 &&
	   out.source == XF_SRC_RULE && out.generation == GEN,
	   "verdict returned");
	f.tcp_flags = SYN | ACK;
	is(xf_cache_lookup(&c, &f, GEN, 1, &out), XF_CACHE_HIT,
	   "syn-ack (guest is the server) hits");

	/* Idle timeout, refreshed by traffic. */
	f.tcp_flags = ACK;
	is(xf_cache_lookup(&c, &f, GEN, 900, &out), XF_CACHE_HIT,
	   "hit before idle timeout");
	is(xf_cache_lookup(&c, &f, GEN, 1500, &out), XF_CACHE_HIT,
	   "traffic extended the deadline");
	is(xf_cache_lookup(&c, &f, GEN, 2501, &out), XF_CACHE_MISS,
	   "idle timeout");
	is(xf_cache_sweep(&c, GEN, 2501, 64), 1, "sweep reaps expired");
	is(free_slots(&c), c.nslots - 1, "its slot is free again");

	/* FIN: the last packets still hit, for tcp_linger only. */
	f.tcp_flags = SYN;
	xf_cache_insert(&c, &f, &v, GEN, 3000);
	f.tcp_flags = ACK | XF_TCP_FIN;
	is(xf_cache_lookup(&c, &f, GEN, 3010, &out), XF_CACHE_HIT,
	   "fin hits");
	f.tcp_flags = ACK;
	is(xf_cache_lookup(&c, &f, GEN, 3040, &out), XF_CACHE_HIT,
	   "final ack hits while lingering");
	is(xf_cache_lookup(&c, &f, GEN, 3059, &out), XF_CACHE_HIT,
	   "linger not extended by traffic (still inside)");
	is(xf_cache_lookup(&c, &f, GEN, 3060, &out), XF_CACHE_MISS,
	   "linger over");

	/* RST: that packet hits, nothing after. */
	f.tcp_flags = SYN;
	is(xf_cache_insert(&c, &f, &v, GEN, 4000), 0,
	   "reinsert over the expired entry");
	is(c.count, 1, "expired entry reaped on insert");
	f.tcp_flags = XF_TCP_RST;
	is(xf_cache_lookup(&c, &f, GEN, 4001, &out), XF_CACHE_HIT, "rst hits");
	f.tcp_flags = ACK;
	is(xf_cache_lookup(&c, &f, GEN, 4002, &out), XF_CACHE_MISS,
	   "after rst: miss");
	f.tcp_flags = XF_TCP_RST;
	is(xf_cache_insert(&c, &f, &v, GEN, 4002), XF_CACHE_E_NOT_CACHEABLE,
	   "rst not cached");
	f.tcp_flags = XF_TCP_FIN;
	is(xf_cache_insert(&c, &f, &v, GEN, 4002), XF_CACHE_E_NOT_CACHEABLE,
	   "fin not cached");

	/* The peer's FIN and RST, for callers that see them. */
	f.tcp_flags = SYN;
	xf_cache_insert(&c, &f, &v, GEN, 5000);
	xf_cache_note_peer(&c, &f.key, XF_TCP_FIN | ACK, 5001);
	f.tcp_flags = ACK;
	is(xf_cache_lookup(&c, &f, GEN, 5040, &out), XF_CACHE_HIT,
	   "peer fin: lingering");
	is(xf_cache_lookup(&c, &f, GEN, 5051, &out), XF_CACHE_MISS,
	   "peer fin: linger over");
	f.tcp_flags = SYN;
	xf_cache_insert(&c, &f, &v, GEN, 6000);
	xf_cache_note_peer(&c, &f.key, ACK, 6001);
	f.tcp_flags = ACK;
	is(xf_cache_lookup(&c, &f, GEN, 6002, &out), XF_CACHE_HIT,
	   "peer ack changes nothing");
	xf_cache_note_peer(&c, &f.key, XF_TCP_RST, 6003);
	is(xf_cache_lookup(&c, &f, GEN, 6004, &out), XF_CACHE_MISS,
	   "peer rst kills the entry");
	f.key.sport = 9;
	xf_cache_note_peer(&c, &f.key, XF_TCP_RST, 6003);
	ok(1, "peer rst for an unknown flow is ignored");

	/* Mid-connection pickup when asked for. */
	c.p.tcp_pickup = true;
	f.tcp_flags = ACK;
	is(xf_cache_insert(&c, &f, &v, GEN, 7000), 0, "pickup on ack");
	is(xf_cache_lookup(&c, &f, GEN, 7001, &out), XF_CACHE_HIT,
	   "picked-up flow hits");

	xf_cache_flush(&c);
	is(c.count, 0, "flush empties");
	ok(slots_accounted(&c), "every slot accounted for");
}

static void test_udp_other(void)
{
	struct xf_cache_params p = params();
	struct xf_verdict v = verdict(XF_ACT_ACCEPT, GEN), out;
	struct env env = { 0 };
	struct xf_cache c;
	struct xf_flow f;

	init(&c, 16, &p, &ops, &env);
	f = flow(17, 53, 0);
	is(xf_cache_insert(&c, &f, &v, GEN, 0), 0, "udp pseudo-session");
	is(xf_cache_lookup(&c, &f, GEN, 99, &out), XF_CACHE_HIT, "udp hit");
	is(xf_cache_lookup(&c, &f, GEN, 150, &out), XF_CACHE_HIT,
	   "udp refreshed by traffic");
	is(xf_cache_lookup(&c, &f, GEN, 199, &out), XF_CACHE_HIT,
	   "udp still alive");
	is(xf_cache_lookup(&c, &f, GEN, 205, &out), XF_CACHE_HIT,
	   "touch threshold: small gains skipped but deadline moved before");
	is(xf_cache_lookup(&c, &f, GEN, 400, &out), XF_CACHE_MISS,
	   "udp idle expiry");

	/* A mirror slot rides along with the verdict (mirror rules). */
	f = flow(17, 54, 0);
	v.action = XF_ACT_DROP;
	v.mirror = XF_MIRROR_SLOTS;
	v.unattributed = true;
	is(xf_cache_insert(&c, &f, &v, GEN, 0), 0, "udp with a mirror slot");
	is(xf_cache_lookup(&c, &f, GEN, 1, &out), XF_CACHE_HIT, "hit");
	is(out.mirror, XF_MIRROR_SLOTS, "the mirror slot comes back");
	is(out.action, XF_ACT_DROP, "with its action");
	ok(out.unattributed, "and the unattributed bit");
	v = verdict(XF_ACT_ACCEPT, GEN);

	f = flow(1, 7, 0);
	is(xf_cache_insert(&c, &f, &v, GEN, 0), 0, "icmp pseudo-session");
	is(xf_cache_lookup(&c, &f, GEN, 29, &out), XF_CACHE_HIT, "icmp hit");
	is(xf_cache_lookup(&c, &f, GEN, 100, &out), XF_CACHE_MISS,
	   "icmp other_idle");

	f = flow(17, 53, 0);
	f.frag = XF_FRAG_LATER;
	is(xf_cache_insert(&c, &f, &v, GEN, 0), XF_CACHE_E_NOT_CACHEABLE,
	   "later fragment not cached");
	is(xf_cache_lookup(&c, &f, GEN, 0, &out), XF_CACHE_MISS,
	   "later fragment never hits");
	xf_cache_flush(&c);
	ok(slots_accounted(&c), "no slot lost or linked twice");
}

static void test_generation(void)
{
	struct xf_cache_params p = params();
	struct xf_verdict v = verdict(XF_ACT_ACCEPT, GEN), out;
	struct env env = { 0 };
	struct xf_cache c;
	struct xf_flow f = flow(17, 1, 0);

	init(&c, 16, &p, &ops, &env);
	xf_cache_insert(&c, &f, &v, GEN, 0);
	is(xf_cache_lookup(&c, &f, GEN, 1, &out), XF_CACHE_HIT, "same gen");
	is(xf_cache_lookup(&c, &f, GEN + 1, 1, &out), XF_CACHE_MISS,
	   "rules changed: stale accept is a miss");
	is(xf_cache_insert(&c, &f, &v, GEN + 1, 1), XF_CACHE_E_STALE,
	   "verdict from old rules refused");
	is(c.stats.stale_inserts, 1, "counted");
	v.generation = GEN + 1;
	is(xf_cache_insert(&c, &f, &v, GEN + 1, 1), 0, "new verdict");
	is(c.stats.replaced + c.stats.reaped, 1, "old entry gone");
	is(c.count, 1, "one entry");
	is(xf_cache_sweep(&c, GEN + 2, 1, 16), 1, "sweep reaps stale gen");

	/* 2^32 generations later the tag would alias: flushed instead. */
	v.generation = GEN;
	xf_cache_insert(&c, &f, &v, GEN, 1);
	xf_cache_rules_changed(&c, GEN + 1);
	is(c.count, 1, "normal change keeps entries (lazy)");
	xf_cache_rules_changed(&c, (1ULL << 32) + GEN);
	is(c.count, 0, "epoch change flushes");
	is(xf_cache_lookup(&c, &f, (1ULL << 32) + GEN, 1, &out),
	   XF_CACHE_MISS, "aliasing tag cannot hit");
	v.generation = GEN;
	is(xf_cache_insert(&c, &f, &v, GEN, 1), XF_CACHE_E_STALE,
	   "old-epoch insert refused");
	v.generation = (1ULL << 32) + GEN;
	is(xf_cache_insert(&c, &f, &v, v.generation, 1), 0,
	   "new-epoch insert");
	xf_cache_flush(&c);
	ok(slots_accounted(&c), "no slot lost or linked twice");
}

static void test_alloc_and_bounds(void)
{
	struct xf_cache_params p = params();
	struct xf_verdict v = verdict(XF_ACT_ACCEPT, GEN), out;
	struct env env = { 0 };
	struct xf_cache c;
	struct xf_flow f;
	int i, hits;

	init(&c, 64, &p, &ops, &env);
	f = flow(17, 1, 0);
	v.action = 7;
	is(xf_cache_insert(&c, &f, &v, GEN, 0), XF_CACHE_E_INVAL,
	   "bad action refused");
	v.action = XF_ACT_ACCEPT;

	/* Replacing an entry for the same flow. */
	xf_cache_insert(&c, &f, &v, GEN, 0);
	v.action = XF_ACT_DROP;
	xf_cache_insert(&c, &f, &v, GEN, 0);
	is(c.count, 1, "same flow replaced, not duplicated");
	xf_cache_lookup(&c, &f, GEN, 0, &out);
	is(out.action, XF_ACT_DROP, "latest verdict wins");
	ok(xf_cache_remove(&c, &f.key), "remove");
	ok(!xf_cache_remove(&c, &f.key), "remove again: gone");

	/* max_entries: LRU-ish eviction keeps the table bounded. */
	c.p.max_entries = 16;
	for (i = 0; i < 200; i++) {
		f = flow(17, (uint16_t)i, 0);
		xf_cache_insert(&c, &f, &v, GEN, (uint64_t)i);
	}
	ok(c.count <= 16, "bounded at max_entries (%u)", c.count);
	ok(c.stats.evicted > 0, "evictions counted");
	hits = 0;
	for (i = 190; i < 200; i++) {
		f = flow(17, (uint16_t)i, 0);
		hits += xf_cache_lookup(&c, &f, GEN, 200, &out);
	}
	ok(hits >= 5, "recent flows mostly survive (%d/10)", hits);
	f = flow(17, 0, 0);
	is(xf_cache_lookup(&c, &f, GEN, 200, &out), XF_CACHE_MISS,
	   "oldest flow evicted");

	/* When everything live is evictable, expired ones go first. */
	xf_cache_flush(&c);
	init(&c, 1, &p, &ops, &env);
	c.p.max_entries = 1000;
	for (i = 0; i < 20; i++) {
		f = flow(17, (uint16_t)i, 0);
		xf_cache_insert(&c, &f, &v, GEN, 0);
	}
	is(c.count, XF_CACHE_CHAIN_MAX, "one bucket: chain capped");
	f = flow(17, 19, 0);
	is(xf_cache_lookup(&c, &f, GEN, 0, &out), XF_CACHE_HIT,
	   "newest in the capped chain");
	xf_cache_flush(&c);
	ok(slots_accounted(&c), "no slot lost or linked twice");

	is(init(&c, 3, &p, &ops, &env), XF_CACHE_E_INVAL,
	   "buckets not a power of two");
	is(xf_cache_init(&c, bk, 4, ent, sl, p.max_entries, &p, &ops, &env,
			 seed), XF_CACHE_E_INVAL, "no more slots than entries");
	is(xf_cache_init(&c, bk, 4, (void *)((char *)ent + 8), sl,
			 p.max_entries + 1, &p, &ops, &env, seed),
	   XF_CACHE_E_INVAL, "entries not 64-byte aligned");
	p.max_entries = 0;
	is(init(&c, 4, &p, &ops, &env), XF_CACHE_E_INVAL, "max_entries 0");
}

/* Per-domain records for the fair-share tests: domids 0..3. */
static struct xf_cache_dom doms[4];

static struct xf_cache_dom *t_dom(void *ctx, uint16_t domid)
{
	return domid < 4 ? &doms[domid] : NULL;
}

static const struct xf_cache_ops dom_ops = { t_retire, t_dom };

static struct xf_flow dom_flow(uint16_t domid, uint16_t sport)
{
	struct xf_flow f = flow(17, sport, 0);

	f.key.domid = domid;
	return f;
}

static int dom_hits(struct xf_cache *c, uint16_t domid, int n, uint64_t now)
{
	struct xf_verdict out;
	struct xf_flow f;
	int i, hits = 0;

	for (i = 0; i < n; i++) {
		f = dom_flow(domid, (uint16_t)i);
		hits += xf_cache_lookup(c, &f, GEN, now, &out) == XF_CACHE_HIT;
	}
	return hits;
}

static void test_domain_share(void)
{
	struct xf_cache_params p = params();
	struct xf_verdict v = verdict(XF_ACT_ACCEPT, GEN), out;
	struct env env = { 0 };
	struct xf_cache c;
	struct xf_flow f;
	int i, fails = 0;

	/* Two domains share 64 entries: 32 each. */
	memset(doms, 0, sizeof(doms));
	p.max_entries = 64;
	p.dom_min = 8;
	p.udp_idle = 100000;
	init(&c, 256, &p, &dom_ops, &env);
	for (i = 0; i < 10; i++) {
		f = dom_flow(2, (uint16_t)i);
		fails += !!xf_cache_insert(&c, &f, &v, GEN, (uint64_t)i);
	}
	is(fails, 0, "quiet domain 2 caches 10 flows");
	is(xf_cache_dom_share(&c, &doms[1]), 32,
	   "a newcomer's share: half of 64 (two domains)");
	for (i = 0; i < 1000; i++) {
		f = dom_flow(1, (uint16_t)(1000 + i));
		xf_cache_insert(&c, &f, &v, GEN, (uint64_t)(10 + i));
	}
	is(dom_hits(&c, 2, 10, 2000), 10,
	   "domain 1's flood of 1000 flows leaves domain 2's 10 cached");
	is(doms[2].pushed_out + doms[2].evicted, 0,
	   "no entry of domain 2 evicted");
	ok(doms[1].count <= 32, "domain 1 holds at most its share (%u)",
	   doms[1].count);
	ok(doms[1].evicted >= 1000 - 32 - doms[1].refused,
	   "domain 1 evicted its own (%llu, %llu refused)",
	   (unsigned long long)doms[1].evicted,
	   (unsigned long long)doms[1].refused);
	is(doms[2].count + doms[1].count, c.count, "per-domain counts add up");
	is(c.domains, 2, "two domains hold entries");
	f = dom_flow(1, 1999);
	is(xf_cache_lookup(&c, &f, GEN, 2000, &out), XF_CACHE_HIT,
	   "domain 1's newest flow is cached");

	/* A full table: a newcomer under its share takes from the biggest. */
	xf_cache_flush(&c);
	is(c.count + doms[1].count + doms[2].count + c.domains, 0,
	   "flush empties every domain");
	c.p.dom_min = 0;
	for (i = 0; i < 64; i++) {
		f = dom_flow(1, (uint16_t)i);
		xf_cache_insert(&c, &f, &v, GEN, (uint64_t)i);
	}
	is(doms[1].count, 64, "alone, domain 1 may fill the table");
	fails = 0;
	for (i = 0; i < 5; i++) {
		f = dom_flow(3, (uint16_t)i);
		fails += !!xf_cache_insert(&c, &f, &v, GEN, 100);
	}
	is(fails, 0, "domain 3 still gets entries in a full table");
	is(doms[1].pushed_out, 5, "they came out of domain 1's");
	is(c.count, 64, "the table stays full, not over");
	is(dom_hits(&c, 3, 5, 100), 5, "domain 3's flows cached");

	/* A domain's flush: its entries only; gone refuses inserts. */
	xf_cache_dom_flush(&c, &doms[3], true);
	is(doms[3].count, 0, "domain 3 flushed");
	is(dom_hits(&c, 3, 5, 100), 0, "its flows miss");
	is(c.count, doms[1].count, "domain 1's entries stay");
	f = dom_flow(3, 7);
	is(xf_cache_insert(&c, &f, &v, GEN, 100), XF_CACHE_E_REFUSED,
	   "a gone domain caches nothing");
	f = dom_flow(9, 7);
	is(xf_cache_insert(&c, &f, &v, GEN, 100), XF_CACHE_E_REFUSED,
	   "an unknown domain caches nothing");

	/* Fixed share: dom_max. */
	xf_cache_flush(&c);
	c.p.dom_max = 6;
	for (i = 0; i < 50; i++) {
		f = dom_flow(2, (uint16_t)i);
		xf_cache_insert(&c, &f, &v, GEN, 200 + (uint64_t)i);
	}
	is(doms[2].count, 6, "dom_max caps a domain alone too");
	/* A busy old flow outlives the domain's own churn. */
	f = dom_flow(2, 44);
	xf_cache_lookup(&c, &f, GEN, 100100, &out);
	for (i = 50; i < 56; i++) {
		f = dom_flow(2, (uint16_t)i);
		xf_cache_insert(&c, &f, &v, GEN, 100000 + (uint64_t)(i - 49));
	}
	f = dom_flow(2, 44);
	is(xf_cache_lookup(&c, &f, GEN, 100100, &out), XF_CACHE_HIT,
	   "the flow that had traffic was kept over newer idle ones");
	xf_cache_flush(&c);
	ok(slots_accounted(&c), "no slot lost or linked twice");
}

/*
 * An unlinked slot is reused only after its grace period: a reader still
 * on it never sees another flow's verdict there.
 */
static void test_limbo(void)
{
	struct xf_cache_params p = params();
	struct xf_verdict v = verdict(XF_ACT_ACCEPT, GEN), out;
	struct env env = { .defer = true };
	struct xf_cache c;
	struct xf_flow f;
	int i;

	/* Two entries, three slots: no room for one in limbo beside them. */
	p.max_entries = 2;
	is(xf_cache_init(&c, bk, 4, ent, sl, 3, &p, &ops, &env, seed), 0,
	   "init, max_entries + 1 slots");
	f = flow(17, 1, 0);
	is(xf_cache_insert(&c, &f, &v, GEN, 0), 0, "flow 1 cached");
	f = flow(17, 2, 0);
	is(xf_cache_insert(&c, &f, &v, GEN, 0), 0, "flow 2 cached");
	is(c.entries[1].key.sport, 1, "flow 1 in slot 1");
	f = flow(17, 1, 0);
	ok(xf_cache_remove(&c, &f.key), "flow 1 removed");
	f = flow(17, 3, 0);
	is(xf_cache_insert(&c, &f, &v, GEN, 0), XF_CACHE_E_NOMEM,
	   "no free slot while flow 1's waits for its grace period");
	is(c.stats.alloc_failed, 1, "counted");
	is(env.retires, 1, "its batch was handed to retire");
	is(c.entries[1].key.sport, 1, "slot 1 untouched");
	f = flow(17, 2, 0);
	is(xf_cache_lookup(&c, &f, GEN, 1, &out), XF_CACHE_HIT,
	   "flow 2 still cached");
	xf_cache_limbo_done(env.pending);
	f = flow(17, 3, 0);
	is(xf_cache_insert(&c, &f, &v, GEN, 0), 0,
	   "grace period over: flow 3 cached");
	is(c.entries[1].key.sport, 3, "in slot 1");
	ok(slots_accounted(&c), "slots accounted for");

	/* A domain's churn stops at its share in limbo; others go on. */
	memset(doms, 0, sizeof(doms));
	env.retires = 0;
	env.pending = NULL;
	p = params();
	p.max_entries = 64;
	p.dom_max = 4;
	init(&c, 64, &p, &dom_ops, &env);
	for (i = 0; i < 8; i++) {
		f = dom_flow(1, (uint16_t)i);
		if (xf_cache_insert(&c, &f, &v, GEN, (uint64_t)i))
			break;
	}
	is(i, 8, "domain 1 caches 8 flows, 4 evicted on the way");
	is(doms[1].count, 4, "it holds its share of 4");
	is(doms[1].limbo, 4, "its 4 evicted slots wait in limbo");
	f = dom_flow(1, 8);
	is(xf_cache_insert(&c, &f, &v, GEN, 8), XF_CACHE_E_REFUSED,
	   "its share in limbo: the next is refused");
	is(doms[1].refused, 1, "counted");
	for (i = 0; i < 4; i++) {
		f = dom_flow(2, (uint16_t)i);
		if (xf_cache_insert(&c, &f, &v, GEN, 8))
			break;
	}
	is(i, 4, "domain 2 still caches its flows");
	xf_cache_limbo_done(env.pending);
	f = dom_flow(1, 8);
	is(xf_cache_insert(&c, &f, &v, GEN, 9), 0,
	   "a grace period later, domain 1 caches again");
	is(doms[1].limbo, 4, "one slot came back, the insert evicted one more");
	xf_cache_dom_flush(&c, &doms[1], true);
	is(doms[1].limbo, 0, "a gone domain has nothing in limbo");
	xf_cache_limbo_done(env.pending);
	env.defer = false;
	xf_cache_sweep(&c, GEN, 10, 64);
	is(doms[1].limbo, 0, "and its slots coming back leave it alone");
	xf_cache_flush(&c);
	xf_cache_sweep(&c, GEN, 10, 64);
	is(free_slots(&c), c.nslots - 1, "every slot free again");
	ok(slots_accounted(&c), "slots accounted for");
}

static void test_hash(void)
{
	static const uint8_t seed2[16] = "fedcba9876543210";
	struct xf_cache_params p = params();
	struct env env = { 0 };
	struct xf_cache c, c2;
	struct xf_flow f = flow(6, 1, 0), g;
	uint32_t h;
	int i, same = 0;

	init(&c, 1, &p, &ops, &env);
	xf_cache_init(&c2, bk, 1, ent, sl, xf_cache_nslots(p.max_entries), &p,
		      &ops, &env, seed2);
	h = xf_cache_hash(&c, &f.key);
	is(h, xf_cache_hash(&c, &f.key), "hash is stable");
	ok(h != xf_cache_hash(&c2, &f.key), "hash depends on the seed");
	for (i = 0; i < (int)sizeof(f.key); i++) {
		g = f;
		if (i >= 4 && i < 16)
			continue;	/* ipv4: bytes not hashed, always 0 */
		if (i >= 20 && i < 32)
			continue;
		((uint8_t *)&g.key)[i] ^= 1;
		same += xf_cache_hash(&c, &g.key) == h;
	}
	is(same, 0, "every key byte changes the hash");
	f.key.family = XF_AF_INET6;
	g = f;
	g.key.saddr[15] = 1;
	ok(xf_cache_hash(&c, &f.key) != xf_cache_hash(&c, &g.key),
	   "ipv6 hashes the whole address");
	xf_flow_key_reverse(&g.key, &f.key);
	ok(g.key.sport == f.key.dport && g.key.daddr[0] == f.key.saddr[0],
	   "reverse key");
}

/*
 * Unsure verdicts (unattributed, or decided on owner fields the owner
 * lacked) of UDP and other flows live unattributed_life, never extended:
 * a new socket on the same ports is looked up again.
 */
static void test_unattributed(void)
{
	struct xf_cache_params p = params();
	struct xf_verdict v = verdict(XF_ACT_ACCEPT, GEN), out;
	struct env env = { 0 };
	struct xf_cache c;
	struct xf_flow f;

	p.unattributed_life = 20;
	is(init(&c, 64, &p, &ops, &env), 0, "init");
	v.unattributed = true;
	v.source = XF_SRC_UNATTRIBUTED;
	f = flow(17, 2000, 0);
	ok(xf_cache_short(&f, &v), "an unattributed udp verdict is short");
	is(xf_cache_insert(&c, &f, &v, GEN, 0), 0, "cached");
	is(c.stats.short_inserts, 1, "counted as short");
	is(xf_cache_lookup(&c, &f, GEN, 10, &out), XF_CACHE_HIT, "hit at 10");
	ok(out.unattributed && out.source == XF_SRC_UNATTRIBUTED &&
	   !out.uncertain, "hit says why: unattributed");
	is(xf_cache_lookup(&c, &f, GEN, 19, &out), XF_CACHE_HIT,
	   "hit at 19 (traffic at 10)");
	is(xf_cache_lookup(&c, &f, GEN, 20, &out), XF_CACHE_MISS,
	   "gone at 20 whatever the traffic: looked up again");
	is(xf_cache_sweep(&c, GEN, 20, 64), 1, "reaped");

	/* A sure verdict for the same flow lives the full idle time. */
	v.unattributed = false;
	v.source = XF_SRC_RULE;
	is(xf_cache_insert(&c, &f, &v, GEN, 30), 0, "attributed cached");
	is(c.stats.short_inserts, 1, "not short");
	is(xf_cache_lookup(&c, &f, GEN, 80, &out), XF_CACHE_HIT, "hit at 80");
	is(xf_cache_lookup(&c, &f, GEN, 170, &out), XF_CACHE_HIT,
	   "extended by traffic");
	/* An unsure verdict replaces it short. */
	v.uncertain = true;
	is(xf_cache_insert(&c, &f, &v, GEN, 200), 0, "uncertain replaces");
	is(xf_cache_lookup(&c, &f, GEN, 210, &out), XF_CACHE_HIT, "hit");
	ok(out.uncertain && !out.unattributed, "hit says why: uncertain");
	is(xf_cache_lookup(&c, &f, GEN, 220, &out), XF_CACHE_MISS,
	   "uncertain verdicts are short too");

	/* TCP: a new connection starts with a SYN, which never hits. */
	f = flow(6, 2001, SYN);
	v.uncertain = false;
	v.unattributed = true;
	ok(!xf_cache_short(&f, &v), "tcp is never short");
	is(xf_cache_insert(&c, &f, &v, GEN, 300), 0, "tcp cached");
	f.tcp_flags = ACK;
	is(xf_cache_lookup(&c, &f, GEN, 900, &out), XF_CACHE_HIT,
	   "tcp lives its idle time");
	f.tcp_flags = SYN;
	is(xf_cache_lookup(&c, &f, GEN, 901, &out), XF_CACHE_MISS,
	   "and a new connection (SYN) is decided afresh");

	/* unattributed_life 0: such verdicts are not cached at all. */
	xf_cache_flush(&c);
	p.unattributed_life = 0;
	is(init(&c, 64, &p, &ops, &env), 0, "init, life 0");
	f = flow(1, 7, 0);
	is(xf_cache_insert(&c, &f, &v, GEN, 0), XF_CACHE_E_NOT_CACHEABLE,
	   "life 0: an unattributed icmp verdict is not cached");
	is(c.count, 0, "nothing cached");
}

int main(void)
{
	test_unattributed();
	test_tcp();
	test_udp_other();
	test_generation();
	test_alloc_and_bounds();
	test_limbo();
	test_domain_share();
	test_hash();
	return tap_done();
}
