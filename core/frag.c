// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * First-fragment verdicts for later fragments (see frag.h). Small and
 * fixed: a set-associative table in caller storage, no allocation, every
 * loop bounded by XF_FRAG_WAYS.
 */
#include "frag.h"

static inline uint64_t load64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Keyed multiply-xorshift over the identifying fields. Not a MAC: the key
 * only keeps a guest from aiming all its datagrams at one set of its own
 * table, which would cost it its own fragments and nothing else.
 */
static uint32_t frag_hash(const struct xf_frag_table *t,
			  const struct xf_flow_key *k, uint32_t id)
{
	uint64_t h = t->k0, w[5];
	unsigned int i;

	w[0] = load64(k->saddr) ^ load64(k->saddr + 8);
	w[1] = load64(k->daddr) ^ load64(k->daddr + 8);
	w[2] = (uint64_t)id << 32 | (uint64_t)k->domid << 16 |
	       (uint64_t)k->family << 8 | k->proto;
	w[3] = load64(k->saddr + 8);
	w[4] = load64(k->daddr + 8);
	for (i = 0; i < XF_ARRAY_SIZE(w); i++) {
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	h ^= t->k1;
	h *= 0xbf58476d1ce4e5b9ULL;
	return (uint32_t)(h >> 32);
}

/* Same datagram: everything but the ports (a later fragment has none). */
static bool same_datagram(const struct xf_frag_entry *e,
			  const struct xf_flow_key *k, uint32_t id)
{
	return e->id == id && e->first.domid == k->domid &&
	       e->first.family == k->family && e->first.proto == k->proto &&
	       !memcmp(e->first.saddr, k->saddr, sizeof(k->saddr)) &&
	       !memcmp(e->first.daddr, k->daddr, sizeof(k->daddr));
}

static struct xf_frag_entry *set_of(struct xf_frag_table *t,
				    const struct xf_flow_key *k, uint32_t id)
{
	return &t->e[(frag_hash(t, k, id) % XF_FRAG_SETS) * XF_FRAG_WAYS];
}

void xf_frag_init(struct xf_frag_table *t, const uint8_t seed[16],
		  uint64_t life)
{
	memset(t, 0, sizeof(*t));
	t->k0 = load64(seed) ^ 0x736f6d6570736575ULL;
	t->k1 = load64(seed + 8) ^ 0x646f72616e646f6dULL;
	t->life = life;
}

void xf_frag_note(struct xf_frag_table *t, const struct xf_flow *f,
		  const struct xf_verdict *v, uint64_t now)
{
	struct xf_frag_entry *set, *e = NULL;
	unsigned int i;

	if (f->frag != XF_FRAG_FIRST)
		return;
	set = set_of(t, &f->key, f->frag_id);
	/* The same datagram again (a retransmission), else a free slot. */
	for (i = 0; i < XF_FRAG_WAYS; i++) {
		if (set[i].state != XF_FRAG_S_FREE &&
		    same_datagram(&set[i], &f->key, f->frag_id)) {
			e = &set[i];
			break;
		}
	}
	for (i = 0; !e && i < XF_FRAG_WAYS; i++)
		if (set[i].state == XF_FRAG_S_FREE || now >= set[i].deadline)
			e = &set[i];
	if (!e) {
		e = &set[0];
		for (i = 1; i < XF_FRAG_WAYS; i++)
			if (set[i].deadline < e->deadline)
				e = &set[i];
		t->stats.evicted++;
	}
	e->first = f->key;
	e->id = f->frag_id;
	e->deadline = now + t->life;
	if (v) {
		e->state = XF_FRAG_S_KNOWN;
		e->action = v->action;
		e->mirror = v->mirror;
		e->unattributed = v->unattributed;
	} else {
		e->state = XF_FRAG_S_PENDING;
		e->action = 0;
		e->mirror = 0;
		e->unattributed = 0;
	}
	t->stats.noted++;
}

int xf_frag_lookup(struct xf_frag_table *t, const struct xf_flow *f,
		   uint64_t now, struct xf_verdict *v,
		   struct xf_flow_key *first)
{
	struct xf_frag_entry *set, *e;
	unsigned int i;

	if (f->frag != XF_FRAG_LATER)
		return XF_FRAG_UNKNOWN;
	set = set_of(t, &f->key, f->frag_id);
	for (i = 0; i < XF_FRAG_WAYS; i++) {
		e = &set[i];
		if (e->state == XF_FRAG_S_FREE || now >= e->deadline ||
		    !same_datagram(e, &f->key, f->frag_id))
			continue;
		t->stats.hits++;
		if (e->state == XF_FRAG_S_PENDING) {
			*first = e->first;
			return XF_FRAG_PENDING;
		}
		memset(v, 0, sizeof(*v));
		v->action = e->action;
		v->mirror = e->mirror;
		v->unattributed = e->unattributed;
		v->source = XF_SRC_DEFAULT;
		v->rule = XF_RULE_NONE;
		return XF_FRAG_KNOWN;
	}
	t->stats.misses++;
	return XF_FRAG_UNKNOWN;
}

void xf_frag_flush(struct xf_frag_table *t)
{
	memset(t->e, 0, sizeof(t->e));
}
