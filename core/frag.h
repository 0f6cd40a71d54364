/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Later IP fragments follow their first fragment. A later fragment (IPv4
 * offset != 0, IPv6 fragment header with offset != 0) has no L4 header:
 * no ports to match, no socket to look up. Its datagram was decided when
 * its first fragment was, which core/flow.c only accepts if it holds the
 * whole L4 header (RFC 1858: no tiny first fragment, no TCP fragment at
 * offset 8 that rewrites the flags), so the verdict of the first fragment
 * is the datagram's. This table remembers it, per (domain, family,
 * protocol, source, destination, IP identification), for `life` ticks.
 *
 * A later fragment whose first fragment is unknown (never seen, forgotten,
 * or still waiting for its verdict and no longer findable) gets the
 * unattributed treatment: the rules without owner or port fields, then the
 * unattributed policy (core/rule.c: it has no owner to find).
 *
 * Bounded: XF_FRAG_SETS sets of XF_FRAG_WAYS entries, a keyed hash picks
 * the set, a full set loses the entry closest to its deadline. One table
 * per domain, so a guest sending fragments thrashes only its own. Not
 * thread-safe: the caller serializes every call (kernel: a spinlock).
 */
#ifndef XF_CORE_FRAG_H
#define XF_CORE_FRAG_H

#include "compat.h"
#include "flow.h"
#include "rule.h"

#define XF_FRAG_WAYS 4
#define XF_FRAG_SETS 64		/* 256 datagrams per domain */

enum xf_frag_state {
	XF_FRAG_S_FREE = 0,
	XF_FRAG_S_PENDING,	/* first fragment held for its verdict */
	XF_FRAG_S_KNOWN,	/* action and mirror valid */
};

struct xf_frag_entry {
	struct xf_flow_key first;	/* the first fragment's flow */
	uint32_t id;			/* IP identification */
	uint8_t state;			/* enum xf_frag_state */
	uint8_t action;			/* enum xf_action */
	uint8_t mirror;			/* mirror slot, 0: none */
	uint8_t unattributed;		/* the first's verdict was */
	uint64_t deadline;		/* in the caller's ticks */
};

struct xf_frag_stats {
	uint64_t noted;		/* first fragments remembered */
	uint64_t hits;		/* later fragments that found theirs */
	uint64_t misses;	/* later fragments without a known first */
	uint64_t evicted;	/* live entries pushed out of a full set */
};

struct xf_frag_table {
	struct xf_frag_entry e[XF_FRAG_SETS * XF_FRAG_WAYS];
	uint64_t k0, k1;	/* hash key, secret from the guest */
	uint64_t life;		/* ticks a first fragment is remembered */
	struct xf_frag_stats stats;
};

enum xf_frag_result {
	XF_FRAG_UNKNOWN = 0,	/* unattributed treatment */
	XF_FRAG_KNOWN = 1,	/* *v holds the first fragment's verdict */
	XF_FRAG_PENDING = 2,	/* *first: the flow to queue behind */
};

void xf_frag_init(struct xf_frag_table *t, const uint8_t seed[16],
		  uint64_t life);
/*
 * Remember first fragment f (frag == XF_FRAG_FIRST): its verdict v, or,
 * with v NULL, that it waits for one. Anything else is ignored.
 */
void xf_frag_note(struct xf_frag_table *t, const struct xf_flow *f,
		  const struct xf_verdict *v, uint64_t now);
/*
 * A later fragment f (frag == XF_FRAG_LATER). KNOWN fills *v with the
 * first fragment's action, mirror slot and unattributed bit (source
 * XF_SRC_DEFAULT, rule XF_RULE_NONE: a fragment counts against no rule);
 * PENDING fills *first. Anything but a later fragment is UNKNOWN.
 */
int xf_frag_lookup(struct xf_frag_table *t, const struct xf_flow *f,
		   uint64_t now, struct xf_verdict *v,
		   struct xf_flow_key *first);
void xf_frag_flush(struct xf_frag_table *t);

#endif /* XF_CORE_FRAG_H */
