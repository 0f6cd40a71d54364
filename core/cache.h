/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Verdict cache: per-flow verdicts so that only the first packet of a flow
 * pays for rule matching and guest introspection.
 *
 * Concurrency: xf_cache_lookup() takes no lock and may run on many CPUs at
 * once (the kernel calls it under rcu_read_lock() in softirq). Every other
 * function changes the table and must be serialized by the caller (a
 * spinlock in the kernel). Readers write only two fields of an entry,
 * racily and harmlessly: the deadline (extended on hits) and the state
 * (FIN/RST seen).
 *
 * Memory: the caller gives the table all its storage at init, so a lookup
 * touches two arrays and no allocator's layout. An entry is one 64-byte,
 * 64-byte-aligned line in an array of slots (everything a hit reads: one
 * cache miss per entry); buckets and chains link slots by 32-bit number, so
 * the bucket array is half the size of an array of pointers and stays in
 * the CPU's cache. The writer's bookkeeping (domain lists, free list) sits
 * in a parallel array the hit path never reads. Entries are published with
 * XF_STORE_PTR; an unlinked slot goes to limbo, and only comes back to the
 * free list once ops->retire's grace period has ended (kernel: call_rcu
 * on a whole batch of slots), so no reader still on it sees it reused.
 *
 * Time is a caller-chosen monotonic tick (kernel: jiffies; userland: ns or
 * ms); every timeout in struct xf_cache_params is in the same unit.
 *
 * TCP: an entry is created after the verdict on a SYN (or on any packet if
 * tcp_pickup), refreshed by traffic up to tcp_idle. We see only what the
 * guest sends, so "FIN/RST in both directions" is read as follows: a RST
 * from the guest kills the entry at once; a FIN from the guest (an active
 * close, or the guest's answer to the peer's FIN in a passive close) starts
 * a tcp_linger countdown that traffic no longer extends, so the last ACKs
 * still hit; a peer RST silences the guest and the entry dies by idle
 * timeout. A caller that also sees the peer's packets (the hypervisor, or a
 * hook on the vif's transmit side) reports them with xf_cache_note_peer()
 * and gets the same treatment for the other direction. A SYN without ACK
 * never hits: a new connection on a reused tuple may be another process.
 *
 * UDP and everything else (ICMP echo, other protocols) are pseudo-sessions
 * that live while traffic keeps coming within udp_idle / other_idle.
 *
 * Unsure verdicts (xf_cache_short(): decided without the whole owner, e.g.
 * the socket was closed before the lookup) of those pseudo-sessions are
 * never cached as if attributed: they get the state XF_CS_SHORT and a
 * life of unattributed_life that traffic does not extend, so a new socket
 * on the same ports is looked up again soon; with unattributed_life 0 they
 * are not cached at all. TCP needs none of that: a new connection starts
 * with a SYN, which never hits.
 *
 * Rule changes: each entry records the (low 32 bits of the) rule generation
 * its verdict was computed under; a lookup with any other generation is a
 * miss, so no entry outlives the rules that produced it. The caller calls
 * xf_cache_rules_changed() under its lock after every rule change, which
 * flushes everything once every 2^32 generations so the 32-bit tag cannot
 * wrap onto an old entry.
 *
 * Size: at most max_entries entries and XF_CACHE_CHAIN_MAX per bucket.
 *
 * Fair share: every entry belongs to its domain's struct xf_cache_dom
 * (ops->dom, the caller's per-domain record), which lists the domain's
 * entries oldest first. A domain holds at most its share of the table:
 * dom_max if set, else max_entries divided among the domains that hold
 * entries, but never less than dom_min. A domain at its share makes room
 * for a new flow by evicting one of its own entries (the one closest to
 * expiry among its oldest few), never another domain's, so a guest that
 * floods new flows churns its own share and leaves the others' cached
 * flows alone. Only when the whole table is full while the inserting
 * domain is under its share (shares shrink as domains arrive) is another
 * domain's entry evicted: one of the domain holding the most. A full
 * bucket is likewise relieved of the inserting domain's own oldest entry;
 * a bucket full of other domains' entries refuses the insert (the keyed
 * hash makes that rare). Dead, expired and stale entries go first.
 * Slots a domain's entries left in limbo count against it too: a domain
 * with its share in limbo inserts nothing until a grace period has passed,
 * so a guest that churns flows faster than grace periods end cannot take
 * the free slots of the others (xf_cache_nslots() leaves room for every
 * share twice over: live and in limbo).
 */
#ifndef XF_CORE_CACHE_H
#define XF_CORE_CACHE_H

#include "compat.h"
#include "flow.h"
#include "rule.h"

#define XF_CACHE_CHAIN_MAX 8	/* entries per bucket, enforced by writers */
#define XF_CACHE_EVICT_SCAN 8	/* buckets the clock hand looks at */
#define XF_CACHE_DOM_SCAN 4	/* oldest entries of a domain looked at */

struct xf_cache_dom;

enum xf_cache_state {
	XF_CS_OPEN = 0,
	XF_CS_FIN = 1,		/* lingering: deadline no longer extended */
	XF_CS_DEAD = 2,		/* RST seen: a miss; reaped by the writer */
	XF_CS_SHORT = 3,	/* unsure verdict: deadline never extended */
};

/*
 * What a hit reads, and nothing else: one cache line. Slot 0 is never used,
 * so 0 ends a chain.
 */
struct xf_cache_entry {
	struct xf_flow_key key;
	uint64_t deadline;	/* in ticks; written by readers */
	uint32_t next;		/* slot of the next entry in the bucket */
	uint32_t gen;		/* low 32 bits of the rule generation */
	uint16_t rule;		/* index or XF_RULE_NONE */
	uint8_t verdict;	/* action | source << 2 | unattributed << 4 */
	uint8_t state;		/* enum xf_cache_state; written by readers */
} __attribute__((__aligned__(64)));

/* A slot's writer-only part, beside its entry (same index). */
struct xf_cache_slot {
	/*
	 * Linked: the domain's list, oldest first. Free or in limbo: next
	 * links the free list or the limbo batch.
	 */
	uint32_t prev, next;
	/* Linked, or in limbo: the domain it counts against (may be NULL). */
	struct xf_cache_dom *dom;
};

/*
 * A domain's part of the cache, in the caller's per-domain record, under
 * the writer lock (counters may be read racily). It must stay until
 * xf_cache_dom_flush() has run for it with gone.
 */
struct xf_cache_dom {
	uint32_t oldest, newest;	/* slots */
	uint32_t count;
	uint32_t limbo;		/* its unlinked slots not yet free */
	bool gone;		/* flushed for good: refuses inserts */
	uint64_t evicted;	/* own entries evicted for its own new flows */
	uint64_t pushed_out;	/* own entries evicted for another domain */
	uint64_t refused;	/* inserts refused (bucket full, limbo full) */
};

/*
 * Unlinked slots waiting for a grace period, handed to ops->retire as one
 * batch. The caller calls xf_cache_limbo_done() on it once no reader can
 * still be on any of its slots, from any context.
 */
struct xf_cache_limbo {
	uint32_t head, tail, count;
	bool waiting;		/* retired, grace period not over */
	bool done;		/* set by xf_cache_limbo_done() */
	uint64_t reclaim[2];	/* the caller's (kernel: struct rcu_head) */
};

struct xf_cache_ops {
	/*
	 * Under the writer lock, any context: start a grace period for l
	 * (kernel: call_rcu). Userland without concurrent readers may call
	 * xf_cache_limbo_done(l) at once.
	 */
	void (*retire)(void *ctx, struct xf_cache_limbo *l);
	/*
	 * Optional, under the writer lock: the record of the domain a new
	 * entry belongs to, NULL to refuse it. Without it every entry
	 * belongs to one record (c->all), whose share is the whole table.
	 */
	struct xf_cache_dom *(*dom)(void *ctx, uint16_t domid);
};

struct xf_cache_params {
	uint64_t tcp_idle;
	uint64_t tcp_linger;	/* after a FIN */
	uint64_t udp_idle;
	uint64_t other_idle;
	/* Hits extend a deadline only if it gains at least this much. */
	uint64_t touch;
	/* Life of an unsure non-TCP verdict (0: never cached). */
	uint64_t unattributed_life;
	uint32_t max_entries;
	uint32_t dom_max;	/* a domain's share; 0: divided fairly */
	uint32_t dom_min;	/* the least share a domain gets */
	bool tcp_pickup;	/* also create TCP entries mid-connection */
};

struct xf_cache_stats {
	uint64_t inserts;
	uint64_t replaced;
	uint64_t evicted;	/* live entries pushed out for space */
	uint64_t evicted_other;	/* ... of a domain not the inserter */
	uint64_t reaped;	/* dead, expired or stale entries removed */
	uint64_t alloc_failed;	/* no free slot: all used or in limbo */
	uint64_t not_cacheable;
	uint64_t stale_inserts;	/* verdict from an older generation */
	uint64_t short_inserts;	/* unsure verdicts cached as XF_CS_SHORT */
};

struct xf_cache {
	uint32_t *buckets;	/* slot of each chain's first entry */
	struct xf_cache_entry *entries;	/* caller storage, nslots */
	struct xf_cache_slot *slots;	/* caller storage, nslots */
	uint32_t mask;
	uint32_t nslots;
	uint32_t count;
	uint32_t free;		/* free list: first slot */
	uint32_t hand;		/* clock hand for eviction and sweeps */
	uint32_t epoch;		/* generation >> 32 of current entries */
	uint32_t domains;	/* domains holding entries */
	unsigned int collecting;	/* the limbo[] gathering slots */
	struct xf_cache_limbo limbo[2];
	struct xf_cache_dom *hog;	/* held the most when last looked */
	struct xf_cache_dom all;	/* without ops->dom */
	uint64_t sip[4];	/* SipHash state after keying */
	struct xf_cache_params p;
	const struct xf_cache_ops *ops;
	void *ctx;
	struct xf_cache_stats stats;
};

enum xf_cache_status {
	XF_CACHE_MISS = 0,
	XF_CACHE_HIT = 1,
};

enum xf_cache_err {
	XF_CACHE_E_INVAL = -1,
	XF_CACHE_E_NOMEM = -2,
	XF_CACHE_E_STALE = -3,		/* verdict generation is not current */
	XF_CACHE_E_NOT_CACHEABLE = -4,	/* e.g. TCP without SYN, later frag */
	XF_CACHE_E_REFUSED = -5,	/* no room the domain may take */
};

/*
 * Whether a verdict for f is unsure, so cached short (see above): decided
 * for an unattributed owner, or on owner fields the owner lacked, for a
 * flow that is not TCP.
 */
static inline bool xf_cache_short(const struct xf_flow *f,
				  const struct xf_verdict *v)
{
	return (v->unattributed || v->uncertain) &&
	       f->key.proto != XF_IPPROTO_TCP;
}

/*
 * Slots for a table of max_entries: room for every entry twice (live, and
 * in limbo after eviction) and slot 0, which is never used.
 */
static inline uint32_t xf_cache_nslots(uint32_t max_entries)
{
	return 2 * max_entries + 1;
}

/*
 * buckets: nbuckets slot numbers, nbuckets a power of two (>= max_entries
 * is a good size). entries and slots: nslots each, at least max_entries +
 * 1 (xf_cache_nslots() is the size to use); entries 64-byte aligned.
 * seed: 16 random bytes, secret from the guest, so it cannot aim flows at
 * one bucket.
 */
int xf_cache_init(struct xf_cache *c, uint32_t *buckets, uint32_t nbuckets,
		  struct xf_cache_entry *entries, struct xf_cache_slot *slots,
		  uint32_t nslots, const struct xf_cache_params *p,
		  const struct xf_cache_ops *ops, void *ctx,
		  const uint8_t seed[16]);

/* l's grace period is over: its slots may be reused (any context). */
void xf_cache_limbo_done(struct xf_cache_limbo *l);

/*
 * Lock-free. gen is the generation of the rule table the caller would
 * otherwise match against (read in the same RCU section). On a hit, *v is
 * filled as xf_rules_match() would have (with generation = gen), so
 * xf_rules_account() works on it (uncertain: the entry is XF_CS_SHORT and
 * was not decided unattributed). A FIN or RST in f updates the entry.
 */
int xf_cache_lookup(struct xf_cache *c, const struct xf_flow *f,
		    uint64_t gen, uint64_t now, struct xf_verdict *v);

/*
 * Lock-free too: a TCP packet of the peer's direction (FIN, RST); key is
 * the guest's (sending) side, see xf_flow_key_reverse().
 */
void xf_cache_note_peer(struct xf_cache *c, const struct xf_flow_key *key,
			uint8_t tcp_flags, uint64_t now);

/*
 * The rest need the writer lock. insert caches the verdict v computed for
 * f; cur_gen is the current rule generation (a verdict from an older one is
 * refused). Returns 0 or a negative enum xf_cache_err; on failure the
 * caller simply applies v uncached.
 */
int xf_cache_insert(struct xf_cache *c, const struct xf_flow *f,
		    const struct xf_verdict *v, uint64_t cur_gen, uint64_t now);
bool xf_cache_remove(struct xf_cache *c, const struct xf_flow_key *key);
void xf_cache_rules_changed(struct xf_cache *c, uint64_t new_gen);
/* Reap dead/expired/stale entries in up to budget buckets; returns reaped. */
uint32_t xf_cache_sweep(struct xf_cache *c, uint64_t gen, uint64_t now,
			uint32_t budget);
void xf_cache_flush(struct xf_cache *c);
/*
 * Remove every entry of d; with gone, d refuses inserts from now on (before
 * its record is freed).
 */
void xf_cache_dom_flush(struct xf_cache *c, struct xf_cache_dom *d, bool gone);
/*
 * The verdict e holds, as a hit would return it, with generation = the
 * entry's own (low 32 bits): for dumps, not for deciding.
 */
void xf_cache_entry_verdict(const struct xf_cache_entry *e,
			    struct xf_verdict *v);

/*
 * Reader side, for dumps (under rcu_read_lock()): the first entry of
 * bucket b, the entry after e in its bucket; NULL at the end.
 */
const struct xf_cache_entry *xf_cache_first(const struct xf_cache *c,
					    uint32_t b);
const struct xf_cache_entry *xf_cache_next(const struct xf_cache *c,
					   const struct xf_cache_entry *e);

/* The most entries d may hold now. */
uint32_t xf_cache_dom_share(const struct xf_cache *c,
			    const struct xf_cache_dom *d);

uint32_t xf_cache_hash(const struct xf_cache *c, const struct xf_flow_key *k);
/* The key of the opposite direction (swap addresses and ports). */
void xf_flow_key_reverse(struct xf_flow_key *dst,
			 const struct xf_flow_key *src);

#endif /* XF_CORE_CACHE_H */
