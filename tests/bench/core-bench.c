// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Parse + verdict-cache lookup per packet, the kernel hook's hit path, over
 * a mix of cached flows (hits) and uncached ones (misses, whose slow path
 * is not timed: the point is the cost every packet pays).
 *
 *   core-bench FLOWS PACKETS HIT_PERCENT [huge]
 *
 * Prints "ns_per_packet hits misses". Under callgrind, run with
 * --toggle-collect=bench_loop to count the loop's instructions only.
 *
 * Memory: entries from malloc() on 4 KiB pages by default; with "huge",
 * the bucket array and the entries (packed at their size, as a kmem_cache
 * packs them) on transparent huge pages, as the kernel's slab and kmalloc
 * memory sits in its direct map (2 MiB / 1 GiB pages): at 100 K flows and
 * more, a TLB miss per lookup is then the bench's, not the kernel's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>

#include "cache.h"
#include "flow.h"
#include "../unit/frames.h"

#define FRAME_LEN 54	/* Ethernet + IPv4 + TCP, no payload */
#define ETH_LEN 14
#define L3_LEN (FRAME_LEN - ETH_LEN)

/* "huge": one region for every entry, carved in order, never reused. */
static char *arena;
static size_t arena_off, arena_len;

static void *huge_pages(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_HUGEPAGE);	/* a hint: THP may say no */
	return p;
}

static void *b_alloc(void *ctx, size_t size)
{
	void *p;

	if (!arena)
		return malloc(size);
	size = (size + 7) & ~(size_t)7;	/* KMEM_CACHE's alignment */
	if (arena_off + size > arena_len)
		return NULL;
	p = arena + arena_off;
	arena_off += size;
	return p;
}

static void b_free(void *ctx, struct xf_cache_entry *e)
{
	if (!arena)
		free(e);
}

static const struct xf_cache_ops ops = { b_alloc, b_free, NULL };

static uint64_t rng = 88172645463325252ULL;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void make_frame(uint8_t *dst, uint32_t i, uint8_t flags)
{
	struct frame f;

	/* Many guest ports towards a spread of servers: distinct 5-tuples. */
	frame_ipv4(&f, 6, 0x0a000000 | (i >> 14), 0xc0000000 | (i * 2654435761u
			>> 8), 0, 20, 0);
	frame_tcp(&f, (uint16_t)(1024 + (i & 0x3fff)), 443, flags);
	memcpy(dst, f.b, FRAME_LEN);
}

/* noinline: callgrind's --toggle-collect counts exactly this. */
__attribute__((noinline)) uint64_t bench_loop(struct xf_cache *c,
					      uint8_t **pkts, uint32_t n,
					      uint64_t now)
{
	struct xf_verdict v;
	struct xf_flow fl;
	uint64_t hits = 0;
	uint32_t i;

	/*
	 * As kmod/filter.c: the L3 parser, the ethertype being the skb's
	 * (netback's eth_type_trans() read it, and the VLAN tags).
	 */
	for (i = 0; i < n; i++) {
		if (xf_flow_parse_l3(XF_ETH_P_IP, pkts[i] + ETH_LEN, L3_LEN,
				     L3_LEN, 3, &fl) != XF_FLOW_OK)
			continue;
		hits += xf_cache_lookup(c, &fl, 1, now, &v) == XF_CACHE_HIT;
	}
	return hits;
}

int main(int argc, char **argv)
{
	struct xf_cache_params p = {
		.tcp_idle = 1ULL << 40, .tcp_linger = 1000, .udp_idle = 1000,
		.other_idle = 1000, .touch = 1ULL << 30,
	};
	struct xf_verdict v = {
		.action = XF_ACT_ACCEPT, .source = XF_SRC_DEFAULT,
		.rule = XF_RULE_NONE, .generation = 1,
	};
	uint8_t seed[16] = "benchbenchbench";
	struct xf_cache_entry **buckets;
	uint32_t flows, npkts, hitpct, nb, i, nmiss;
	uint8_t *hit_frames, *miss_frames, **pkts, *ring, *src;
	struct timespec t0, t1;
	struct xf_cache c;
	struct xf_flow fl;
	uint64_t hits;
	double ns;

	if (argc != 4 && !(argc == 5 && !strcmp(argv[4], "huge")))
		return 2;
	flows = (uint32_t)strtoul(argv[1], NULL, 0);
	npkts = (uint32_t)strtoul(argv[2], NULL, 0);
	hitpct = (uint32_t)strtoul(argv[3], NULL, 0);
	for (nb = 1; nb < flows; nb <<= 1)
		;
	p.max_entries = flows;
	if (argc == 5) {
		arena_len = (size_t)flows * sizeof(struct xf_cache_entry);
		arena = huge_pages(arena_len);
		buckets = huge_pages(nb * sizeof(*buckets));
		if (!arena || !buckets)
			return 1;
	} else {
		buckets = calloc(nb, sizeof(*buckets));
	}
	nmiss = flows / 10 + 1;
	hit_frames = malloc((size_t)flows * 64);
	miss_frames = malloc((size_t)nmiss * 64);
	pkts = malloc((size_t)npkts * sizeof(*pkts));
	if (!buckets || !hit_frames || !miss_frames || !pkts ||
	    xf_cache_init(&c, buckets, nb, &p, &ops, NULL, seed))
		return 1;

	/* Cache every hit flow with its SYN, keep an ACK frame to replay. */
	for (i = 0; i < flows; i++) {
		make_frame(hit_frames + (size_t)i * 64, i, XF_TCP_SYN);
		xf_flow_parse(hit_frames + (size_t)i * 64, FRAME_LEN, 3, &fl);
		if (xf_cache_insert(&c, &fl, &v, 1, 0))
			return 1;
		hit_frames[(size_t)i * 64 + 14 + 20 + 13] = XF_TCP_ACK;
	}
	for (i = 0; i < nmiss; i++)
		make_frame(miss_frames + (size_t)i * 64, flows + i, XF_TCP_ACK);
	/*
	 * Flows in uniformly random order (the worst case for the cache
	 * table), but each packet in its own buffer laid out in arrival
	 * order, like a receive ring: in the kernel the headers were just
	 * written by netback and are hot, the flow table is not.
	 */
	ring = malloc((size_t)npkts * 64);
	if (!ring)
		return 1;
	for (i = 0; i < npkts; i++) {
		if (xorshift() % 100 < hitpct)
			src = hit_frames + (xorshift() % flows) * 64;
		else
			src = miss_frames + (xorshift() % nmiss) * 64;
		pkts[i] = ring + (size_t)i * 64;
		memcpy(pkts[i], src, 64);
	}

	bench_loop(&c, pkts, npkts < 10000 ? npkts : 10000, 1);	/* warm */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	hits = bench_loop(&c, pkts, npkts, 2);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	      (double)(t1.tv_nsec - t0.tv_nsec)) / npkts;
	printf("%.1f %llu %llu %u\n", ns, (unsigned long long)hits,
	       (unsigned long long)(npkts - hits), c.count);
	xf_cache_flush(&c);
	if (!arena)
		free(buckets);
	free(hit_frames);
	free(miss_frames);
	free(pkts);
	free(ring);
	return 0;
}
