// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Verdict cache. See cache.h for the concurrency contract; in short, the
 * lookup is lock-free and every structural change is made by one writer at
 * a time, publishing with XF_STORE_PTR and reusing a slot only after a
 * grace period (limbo). Entries are immutable once published except for
 * the two fields readers update (deadline, state), whose races are benign:
 * at worst an entry lives one linger period longer, or dies a bit early and
 * the next packet takes the slow path.
 */
#include "cache.h"

#define VERDICT_ACTION(v) ((v) & 0x3)
#define VERDICT_SOURCE(v) (((v) >> 2) & 0x3)
#define VERDICT_UNATTR 0x10
#define VERDICT_MIRROR(v) (((v) >> 5) & 0x7)	/* slot, XF_MIRROR_SLOTS */

/* SipHash-1-3 over 64-bit words: keyed, so guests cannot aim collisions. */
#define ROTL(x, b) ((uint64_t)(((x) << (b)) | ((x) >> (64 - (b)))))
#define SIPROUND(v0, v1, v2, v3)					\
	do {								\
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;			\
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;			\
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)

static inline uint64_t load64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t load32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The 8 bytes after the addresses: ports, domid, family, proto. */
#define KEY_TAIL 32

/*
 * SipHash-1-3 over a fixed-length, prefix-free encoding of the key: the
 * family byte in the first word says how many words follow (IPv4 keys carry
 * 8 bytes of address, IPv6 keys 32), so the usual length block is not needed
 * and is left out. Straight-line per family: this is on every packet.
 */
#define SIP_COMPRESS(m)						\
	do {								\
		v3 ^= (m);						\
		SIPROUND(v0, v1, v2, v3);				\
		v0 ^= (m);						\
	} while (0)

static XF_INLINE uint32_t hash_key(const struct xf_cache *c,
				   const struct xf_flow_key *k)
{
	const uint8_t *b = (const uint8_t *)k;
	uint64_t v0, v1, v2, v3, r;

	/* The key-dependent initial state, precomputed by xf_cache_init(). */
	v0 = c->sip[0];
	v1 = c->sip[1];
	v2 = c->sip[2];
	v3 = c->sip[3];
	SIP_COMPRESS(load64(b + KEY_TAIL));
	if (k->family == XF_AF_INET6) {
		SIP_COMPRESS(load64(k->saddr));
		SIP_COMPRESS(load64(k->saddr + 8));
		SIP_COMPRESS(load64(k->daddr));
		SIP_COMPRESS(load64(k->daddr + 8));
	} else {
		SIP_COMPRESS((uint64_t)load32(k->saddr) |
			     (uint64_t)load32(k->daddr) << 32);
	}
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	/* As the kernel's hsiphash: the low 32 bits. */
	r = v0 ^ v1 ^ v2 ^ v3;
	return (uint32_t)r;
}

uint32_t xf_cache_hash(const struct xf_cache *c, const struct xf_flow_key *k)
{
	return hash_key(c, k);
}

/*
 * The tail (ports, domid, family, proto) first: it differs most often and
 * says whether the addresses are 4 bytes (their other 12 are zero in every
 * key: xf_flow_parse() clears them) or 16.
 */
static inline bool key_eq(const struct xf_flow_key *a,
			  const struct xf_flow_key *b)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;

	if (load64(x + KEY_TAIL) != load64(y + KEY_TAIL))
		return false;
	if (a->family != XF_AF_INET6)
		return !((load64(x) ^ load64(y)) |
			 (load64(x + 16) ^ load64(y + 16)));
	return !((load64(x) ^ load64(y)) | (load64(x + 8) ^ load64(y + 8)) |
		 (load64(x + 16) ^ load64(y + 16)) |
		 (load64(x + 24) ^ load64(y + 24)));
}

void xf_flow_key_reverse(struct xf_flow_key *dst,
			 const struct xf_flow_key *src)
{
	struct xf_flow_key t = *src;

	memcpy(t.saddr, src->daddr, sizeof(t.saddr));
	memcpy(t.daddr, src->saddr, sizeof(t.daddr));
	t.sport = src->dport;
	t.dport = src->sport;
	*dst = t;
}

static uint64_t idle_timeout(const struct xf_cache *c, uint8_t proto)
{
	if (proto == XF_IPPROTO_TCP)
		return c->p.tcp_idle;
	if (proto == XF_IPPROTO_UDP)
		return c->p.udp_idle;
	return c->p.other_idle;
}

/*
 * An entry's verdict byte unpacked, for each of its 256 values, into the
 * first four members of struct xf_verdict (action, source, unattributed,
 * mirror): one load and one store on every cache hit, where unpacking
 * field by field took a dozen instructions.
 */
#define VB(v) { VERDICT_ACTION(v), VERDICT_SOURCE(v), \
		!!((v) & VERDICT_UNATTR), VERDICT_MIRROR(v) }
#define VB4(v) VB(v), VB((v) + 1), VB((v) + 2), VB((v) + 3)
#define VB16(v) VB4(v), VB4((v) + 4), VB4((v) + 8), VB4((v) + 12)
#define VB64(v) VB16(v), VB16((v) + 16), VB16((v) + 32), VB16((v) + 48)
static const uint8_t verdict_bytes[256][4] = {
	VB64(0), VB64(64), VB64(128), VB64(192)
};
#undef VB
#undef VB4
#undef VB16
#undef VB64
_Static_assert(offsetof(struct xf_verdict, source) == 1 &&
	       offsetof(struct xf_verdict, unattributed) == 2 &&
	       offsetof(struct xf_verdict, mirror) == 3 && sizeof(bool) == 1,
	       "verdict_bytes is the first four bytes of struct xf_verdict");

/* The verdict an entry holds, as xf_cache_lookup() returns it. */
static XF_INLINE void entry_verdict(const struct xf_cache_entry *e,
				    uint8_t state, struct xf_verdict *v)
{
	uint8_t verdict = e->verdict;

	memcpy(v, verdict_bytes[verdict], 4);
	v->rule = e->rule;
	v->uncertain = state == XF_CS_SHORT && !(verdict & VERDICT_UNATTR);
}

_Static_assert(sizeof(struct xf_cache_entry) == 64,
	       "a cache entry is one cache line");

/* Slot s's entry, or NULL for 0 and (a corrupted table) out of range. */
static XF_INLINE struct xf_cache_entry *entry_at(const struct xf_cache *c,
						 uint32_t s)
{
	return s && s < c->nslots ? &c->entries[s] : NULL;
}

static XF_INLINE struct xf_cache_entry *find(struct xf_cache *c,
					  const struct xf_flow_key *key)
{
	struct xf_cache_entry *e;
	uint32_t h = hash_key(c, key);
	unsigned int i;

	/*
	 * Writers keep chains at XF_CACHE_CHAIN_MAX; a reader racing with
	 * them may see one or two more. The bound is for a corrupted table,
	 * where a miss is the safe answer. Slot numbers are loaded as
	 * pointers are (XF_LOAD_PTR): the entry's address depends on them.
	 */
	e = entry_at(c, XF_LOAD_PTR(c->buckets[h & c->mask]));
	for (i = 1; e && !key_eq(&e->key, key); i++) {
		if (i == 2 * XF_CACHE_CHAIN_MAX)
			return NULL;
		e = entry_at(c, XF_LOAD_PTR(e->next));
	}
	return e;
}

const struct xf_cache_entry *xf_cache_first(const struct xf_cache *c,
					    uint32_t b)
{
	return entry_at(c, XF_LOAD_PTR(c->buckets[b & c->mask]));
}

const struct xf_cache_entry *xf_cache_next(const struct xf_cache *c,
					   const struct xf_cache_entry *e)
{
	return entry_at(c, XF_LOAD_PTR(e->next));
}

/* A TCP FIN or RST from either side; reader context. */
static void tcp_close_flags(struct xf_cache *c, struct xf_cache_entry *e,
			    uint8_t flags, uint8_t state, uint64_t now)
{
	if (flags & XF_TCP_RST) {
		XF_WRITE_ONCE(e->state, XF_CS_DEAD);
	} else if ((flags & XF_TCP_FIN) && state == XF_CS_OPEN) {
		XF_WRITE_ONCE(e->state, XF_CS_FIN);
		XF_WRITE_ONCE(e->deadline, now + c->p.tcp_linger);
	}
}

int xf_cache_lookup(struct xf_cache *c, const struct xf_flow *f,
		    uint64_t gen, uint64_t now, struct xf_verdict *v)
{
	struct xf_cache_entry *e;
	uint64_t deadline, next;
	uint8_t state;

	/* Never cached: see xf_cache_insert(). */
	if (f->frag == XF_FRAG_LATER)
		return XF_CACHE_MISS;
	/* Flags first: 0 on most packets, so the protocol is rarely read. */
	if ((f->tcp_flags & (XF_TCP_SYN | XF_TCP_ACK)) == XF_TCP_SYN &&
	    f->key.proto == XF_IPPROTO_TCP)
		return XF_CACHE_MISS;

	e = find(c, &f->key);
	if (!e || e->gen != (uint32_t)gen)
		return XF_CACHE_MISS;
	deadline = XF_READ_ONCE(e->deadline);
	if (now >= deadline)
		return XF_CACHE_MISS;
	state = XF_READ_ONCE(e->state);
	if (state == XF_CS_DEAD)
		return XF_CACHE_MISS;

	if ((f->tcp_flags & (XF_TCP_FIN | XF_TCP_RST)) &&
	    f->key.proto == XF_IPPROTO_TCP) {
		tcp_close_flags(c, e, f->tcp_flags, state, now);
	} else if (state == XF_CS_OPEN) {
		/* Skip the store unless it buys enough: shared cache line. */
		next = now + idle_timeout(c, f->key.proto);
		if (next - deadline >= c->p.touch)
			XF_WRITE_ONCE(e->deadline, next);
	}

	entry_verdict(e, state, v);
	v->generation = gen;
	return XF_CACHE_HIT;
}

void xf_cache_entry_verdict(const struct xf_cache_entry *e,
			    struct xf_verdict *v)
{
	entry_verdict(e, XF_READ_ONCE(e->state), v);
	v->generation = e->gen;
}

void xf_cache_note_peer(struct xf_cache *c, const struct xf_flow_key *key,
			uint8_t tcp_flags, uint64_t now)
{
	struct xf_cache_entry *e;
	uint8_t state;

	if (key->proto != XF_IPPROTO_TCP ||
	    !(tcp_flags & (XF_TCP_FIN | XF_TCP_RST)))
		return;
	e = find(c, key);
	if (!e)
		return;
	state = XF_READ_ONCE(e->state);
	if (state != XF_CS_DEAD)
		tcp_close_flags(c, e, tcp_flags, state, now);
}

void xf_cache_limbo_done(struct xf_cache_limbo *l)
{
	XF_STORE_RELEASE(l->done, true);
}

/* Writer side from here on. */

static bool is_gone(const struct xf_cache *c, const struct xf_cache_entry *e,
		    uint64_t gen, uint64_t now)
{
	return XF_READ_ONCE(e->state) == XF_CS_DEAD ||
	       now >= XF_READ_ONCE(e->deadline) || e->gen != (uint32_t)gen;
}

/* Closer to its deadline: the LRU-ish eviction order. */
static bool older(const struct xf_cache *c, uint32_t a, uint32_t b)
{
	return XF_READ_ONCE(c->entries[a].deadline) <
	       XF_READ_ONCE(c->entries[b].deadline);
}

/*
 * Limbo: a batch gathers unlinked slots while the other waits for its
 * grace period; a batch whose period is over goes back to the free list
 * and the gathered one is retired in its place. Called before every insert
 * and by the sweep, so slots come back as soon as they may.
 */
static void limbo_splice(struct xf_cache *c, struct xf_cache_limbo *l)
{
	struct xf_cache_slot *m;
	uint32_t s = l->head, n;

	/* Uncharge the domains; bounded by the count, as every walk here. */
	for (n = 0; n < l->count; n++, s = m->next) {
		m = &c->slots[s];
		if (m->dom && m->dom->limbo)
			m->dom->limbo--;
		m->dom = NULL;
	}
	c->slots[l->tail].next = c->free;
	c->free = l->head;
	l->head = l->tail = l->count = 0;
	l->waiting = false;
}

static void limbo_advance(struct xf_cache *c)
{
	struct xf_cache_limbo *l;
	unsigned int k;

	/* Twice: a retire that ends its period at once is spliced too. */
	for (k = 0; k < 2; k++) {
		l = &c->limbo[c->collecting ^ 1];
		if (l->waiting) {
			if (!XF_LOAD_ACQUIRE(l->done))
				return;
			limbo_splice(c, l);
		}
		l = &c->limbo[c->collecting];
		if (!l->count)
			return;
		l->done = false;
		l->waiting = true;
		c->collecting ^= 1;
		c->ops->retire(c->ctx, l);
	}
}

static void limbo_add(struct xf_cache *c, uint32_t s)
{
	struct xf_cache_limbo *l = &c->limbo[c->collecting];
	struct xf_cache_slot *m = &c->slots[s];

	m->next = 0;
	if (l->count)
		c->slots[l->tail].next = s;
	else
		l->head = s;
	l->tail = s;
	l->count++;
	if (m->dom)
		m->dom->limbo++;
}

/* Append slot s to its domain's list (newest last). */
static void dom_link(struct xf_cache *c, struct xf_cache_dom *d, uint32_t s)
{
	struct xf_cache_slot *m = &c->slots[s];

	m->dom = d;
	m->next = 0;
	m->prev = d->newest;
	if (d->newest)
		c->slots[d->newest].next = s;
	else
		d->oldest = s;
	d->newest = s;
	if (!d->count++)
		c->domains++;
	if (d != c->hog && (!c->hog || d->count > c->hog->count))
		c->hog = d;
}

static void dom_unlink(struct xf_cache *c, uint32_t s)
{
	struct xf_cache_slot *m = &c->slots[s];
	struct xf_cache_dom *d = m->dom;

	if (m->prev)
		c->slots[m->prev].next = m->next;
	else
		d->oldest = m->next;
	if (m->next)
		c->slots[m->next].prev = m->prev;
	else
		d->newest = m->prev;
	if (!--d->count)
		c->domains--;
}

/* Unlink the entry *link names (a bucket, or an entry's next) into limbo. */
static void unlink_entry(struct xf_cache *c, uint32_t *link)
{
	uint32_t s = *link;

	XF_WRITE_ONCE(*link, c->entries[s].next);
	c->count--;
	dom_unlink(c, s);
	limbo_add(c, s);
}

/* Unlink slot s found through its domain's list: find it in its bucket. */
static bool unlink_found(struct xf_cache *c, uint32_t s)
{
	uint32_t *link;
	unsigned int i;

	link = &c->buckets[hash_key(c, &c->entries[s].key) & c->mask];
	for (i = 0; *link && i < 2 * XF_CACHE_CHAIN_MAX; i++) {
		if (*link == s) {
			unlink_entry(c, link);
			return true;
		}
		link = &c->entries[*link].next;
	}
	return false;	/* a corrupted table: leave it */
}

/*
 * Reap what is gone in one bucket; returns the number reaped. The chain
 * bound guards against a corrupted table, as in find().
 */
static uint32_t reap_bucket(struct xf_cache *c, uint32_t b, uint64_t gen,
			    uint64_t now)
{
	uint32_t *link = &c->buckets[b];
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; *link && i < 2 * XF_CACHE_CHAIN_MAX; i++) {
		if (is_gone(c, &c->entries[*link], gen, now)) {
			unlink_entry(c, link);
			n++;
		} else {
			link = &c->entries[*link].next;
		}
	}
	c->stats.reaped += n;
	return n;
}

uint32_t xf_cache_dom_share(const struct xf_cache *c,
			    const struct xf_cache_dom *d)
{
	uint32_t n = c->domains + !d->count, share;

	if (c->p.dom_max)
		return c->p.dom_max;
	share = c->p.max_entries / (n ? n : 1);
	return share > c->p.dom_min ? share : c->p.dom_min;
}

/*
 * Evict one entry of d: among its XF_CACHE_DOM_SCAN oldest, the first gone
 * one, else the one closest to its deadline (an old flow that is still
 * busy has had its deadline pushed on and survives). Returns whether a
 * live entry went.
 */
static bool evict_own(struct xf_cache *c, struct xf_cache_dom *d,
		      uint64_t gen, uint64_t now)
{
	uint32_t s = d->oldest, victim = 0;
	unsigned int i;

	for (i = 0; s && i < XF_CACHE_DOM_SCAN; i++, s = c->slots[s].next) {
		if (is_gone(c, &c->entries[s], gen, now)) {
			if (unlink_found(c, s))
				c->stats.reaped++;
			return false;
		}
		if (!victim || older(c, s, victim))
			victim = s;
	}
	if (!victim || !unlink_found(c, victim))
		return false;
	c->stats.evicted++;
	return true;
}

/*
 * The table is full and d is under its share: clear what is gone in the
 * next few buckets; failing that, evict an entry of the domain that holds
 * the most, or, if that is d itself or unknown, the live entry closest to
 * its deadline among the buckets looked at.
 */
static void make_room(struct xf_cache *c, struct xf_cache_dom *d,
		      uint64_t gen, uint64_t now)
{
	uint32_t *victim = NULL, *link;
	struct xf_cache_dom *hog = c->hog, *vd;
	uint32_t reaped = 0, b, k;
	unsigned int i;

	for (k = 0; k < XF_CACHE_EVICT_SCAN; k++) {
		b = c->hand++ & c->mask;
		reaped += reap_bucket(c, b, gen, now);
		link = &c->buckets[b];
		for (i = 0; *link && i < 2 * XF_CACHE_CHAIN_MAX; i++) {
			if (!victim || older(c, *link, *victim))
				victim = link;
			link = &c->entries[*link].next;
		}
	}
	if (reaped)
		return;
	if (hog && hog != d && hog->count > d->count) {
		if (evict_own(c, hog, gen, now)) {
			hog->pushed_out++;
			c->stats.evicted_other++;
		}
		return;
	}
	if (!victim)
		return;
	vd = c->slots[*victim].dom;
	if (vd == d) {
		d->evicted++;
	} else {
		vd->pushed_out++;
		c->stats.evicted_other++;
	}
	unlink_entry(c, victim);
	c->stats.evicted++;
}

static bool cacheable(const struct xf_cache *c, const struct xf_flow *f)
{
	uint8_t fl = f->tcp_flags;

	if (f->frag == XF_FRAG_LATER)
		return false;	/* no ports: would alias port-0 flows */
	if (f->key.proto != XF_IPPROTO_TCP)
		return true;
	if (fl & (XF_TCP_FIN | XF_TCP_RST))
		return false;	/* closing: nothing more to cache */
	return (fl & (XF_TCP_SYN | XF_TCP_ACK)) == XF_TCP_SYN ||
	       c->p.tcp_pickup;
}

int xf_cache_insert(struct xf_cache *c, const struct xf_flow *f,
		    const struct xf_verdict *v, uint64_t cur_gen, uint64_t now)
{
	uint32_t *link, *oldest = NULL;
	bool unsure = xf_cache_short(f, v);
	uint64_t life = idle_timeout(c, f->key.proto);
	struct xf_cache_entry *e;
	struct xf_cache_dom *d;
	uint32_t b, s, len = 0;
	unsigned int i;

	if (!cacheable(c, f) || (unsure && !c->p.unattributed_life)) {
		c->stats.not_cacheable++;
		return XF_CACHE_E_NOT_CACHEABLE;
	}
	if (v->generation != cur_gen || (uint32_t)(cur_gen >> 32) != c->epoch) {
		c->stats.stale_inserts++;
		return XF_CACHE_E_STALE;
	}
	if (v->action > XF_ACT_MAX)
		return XF_CACHE_E_INVAL;
	d = c->ops->dom ? c->ops->dom(c->ctx, f->key.domid) : &c->all;
	if (!d || d->gone)
		return XF_CACHE_E_REFUSED;
	limbo_advance(c);
	/* Its share already waits in limbo: no more churn until it is back. */
	if (d->limbo >= xf_cache_dom_share(c, d)) {
		d->refused++;
		return XF_CACHE_E_REFUSED;
	}

	b = xf_cache_hash(c, &f->key) & c->mask;
	reap_bucket(c, b, cur_gen, now);
	/* Replace an entry for the same flow; find the bucket's oldest. */
	link = &c->buckets[b];
	for (i = 0; *link && i < 2 * XF_CACHE_CHAIN_MAX; i++) {
		if (key_eq(&c->entries[*link].key, &f->key)) {
			unlink_entry(c, link);
			c->stats.replaced++;
			continue;
		}
		/* Only the domain's own: a full bucket is no way in. */
		if (c->slots[*link].dom == d &&
		    (!oldest || older(c, *link, *oldest)))
			oldest = link;
		len++;
		link = &c->entries[*link].next;
	}
	if (len >= XF_CACHE_CHAIN_MAX) {
		if (!oldest) {
			d->refused++;
			return XF_CACHE_E_REFUSED;
		}
		unlink_entry(c, oldest);
		d->evicted++;
		c->stats.evicted++;
	}
	if (d->count >= xf_cache_dom_share(c, d) &&
	    evict_own(c, d, cur_gen, now))
		d->evicted++;
	if (c->count >= c->p.max_entries)
		make_room(c, d, cur_gen, now);
	if (c->count >= c->p.max_entries)
		return XF_CACHE_E_NOMEM;	/* nothing evictable found */

	s = c->free;
	if (!s) {
		c->stats.alloc_failed++;
		return XF_CACHE_E_NOMEM;
	}
	c->free = c->slots[s].next;
	e = &c->entries[s];
	memset(e, 0, sizeof(*e));
	e->key = f->key;
	e->gen = (uint32_t)cur_gen;
	e->rule = v->rule;
	e->verdict = (uint8_t)(v->action | (v->source & 0x3) << 2 |
			       (v->unattributed ? VERDICT_UNATTR : 0) |
			       (v->mirror & 0x7) << 5);
	e->state = XF_CS_OPEN;
	if (unsure) {
		e->state = XF_CS_SHORT;
		if (c->p.unattributed_life < life)
			life = c->p.unattributed_life;
		c->stats.short_inserts++;
	}
	e->deadline = now + life;
	e->next = c->buckets[b];
	dom_link(c, d, s);
	/* Every field above is visible before the entry is. */
	XF_STORE_PTR(c->buckets[b], s);
	c->count++;
	c->stats.inserts++;
	return 0;
}

bool xf_cache_remove(struct xf_cache *c, const struct xf_flow_key *key)
{
	uint32_t *link;
	unsigned int i;

	link = &c->buckets[xf_cache_hash(c, key) & c->mask];
	for (i = 0; *link && i < 2 * XF_CACHE_CHAIN_MAX; i++) {
		if (key_eq(&c->entries[*link].key, key)) {
			unlink_entry(c, link);
			return true;
		}
		link = &c->entries[*link].next;
	}
	return false;
}

uint32_t xf_cache_sweep(struct xf_cache *c, uint64_t gen, uint64_t now,
			uint32_t budget)
{
	uint32_t n = 0, k;

	if (budget > c->mask + 1)
		budget = c->mask + 1;
	for (k = 0; k < budget; k++)
		n += reap_bucket(c, c->hand++ & c->mask, gen, now);
	limbo_advance(c);
	return n;
}

void xf_cache_flush(struct xf_cache *c)
{
	uint32_t *link;
	uint32_t b;
	unsigned int i;

	for (b = 0; b <= c->mask; b++) {
		link = &c->buckets[b];
		for (i = 0; *link && i < 2 * XF_CACHE_CHAIN_MAX; i++)
			unlink_entry(c, link);
	}
}

/* Slots of d waiting in limbo no longer count against it (d goes). */
static void limbo_forget(struct xf_cache *c, struct xf_cache_dom *d)
{
	struct xf_cache_limbo *l;
	uint32_t s, n;
	unsigned int k;

	for (k = 0; k < 2; k++) {
		l = &c->limbo[k];
		for (n = 0, s = l->head; n < l->count; n++,
		     s = c->slots[s].next)
			if (c->slots[s].dom == d)
				c->slots[s].dom = NULL;
	}
	d->limbo = 0;
}

void xf_cache_dom_flush(struct xf_cache *c, struct xf_cache_dom *d, bool gone)
{
	uint32_t n = d->count;

	/* Bounded by the count: a corrupted list cannot loop forever. */
	while (d->oldest && n--)
		if (!unlink_found(c, d->oldest))
			break;
	if (gone) {
		limbo_forget(c, d);
		d->gone = true;
		if (c->hog == d)
			c->hog = NULL;
	}
}

void xf_cache_rules_changed(struct xf_cache *c, uint64_t new_gen)
{
	/*
	 * Entries tag the low 32 bits; when the high half moves, an old tag
	 * could come round again, so drop everything.
	 */
	if ((uint32_t)(new_gen >> 32) != c->epoch) {
		xf_cache_flush(c);
		c->epoch = (uint32_t)(new_gen >> 32);
	}
}

int xf_cache_init(struct xf_cache *c, uint32_t *buckets, uint32_t nbuckets,
		  struct xf_cache_entry *entries, struct xf_cache_slot *slots,
		  uint32_t nslots, const struct xf_cache_params *p,
		  const struct xf_cache_ops *ops, void *ctx,
		  const uint8_t seed[16])
{
	uint64_t k0, k1;
	uint32_t s;

	if (!nbuckets || (nbuckets & (nbuckets - 1)) || !p->max_entries ||
	    nslots <= p->max_entries || !ops || !ops->retire ||
	    ((uintptr_t)entries & 63))
		return XF_CACHE_E_INVAL;
	memset(c, 0, sizeof(*c));
	memset(buckets, 0, sizeof(*buckets) * nbuckets);
	memset(slots, 0, sizeof(*slots) * nslots);
	c->buckets = buckets;
	c->entries = entries;
	c->slots = slots;
	c->mask = nbuckets - 1;
	c->nslots = nslots;
	/* Free list in slot order: a new table fills its entries in order. */
	for (s = 1; s + 1 < nslots; s++)
		slots[s].next = s + 1;
	c->free = 1;
	c->p = *p;
	c->ops = ops;
	c->ctx = ctx;
	k0 = load64(seed);
	k1 = load64(seed + 8);
	c->sip[0] = k0 ^ 0x736f6d6570736575ULL;
	c->sip[1] = k1 ^ 0x646f72616e646f6dULL;
	c->sip[2] = k0 ^ 0x6c7967656e657261ULL;
	c->sip[3] = k1 ^ 0x7465646279746573ULL;
	return 0;
}
