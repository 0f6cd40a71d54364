// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Parse + verdict-cache lookup per packet, the kernel hook's hit path, over
 * a mix of cached flows (hits) and uncached ones (misses, whose slow path
 * is not timed: the point is the cost every packet pays).
 *
 *   core-bench FLOWS PACKETS HIT_PERCENT [huge]
 *   core-bench FLOWS PACKETS load
 *
 * Prints "ns_per_packet hits misses". With "load", the baseline no cache
 * design can beat once its entries outgrow the CPU's caches: the ns of one
 * load that depends on the one before, at random over as many 64-byte
 * lines as FLOWS entries take (4 KiB pages). Under callgrind, run with
 * --toggle-collect=bench_loop to count the loop's instructions only.
 *
 * Memory: the table's arrays (sized as kmod/cache.c sizes them) on 4 KiB
 * pages by default, as vmalloc maps them, and as a Xen PV dom0 maps all of
 * its memory; with "huge", on transparent huge pages, as kmalloc_large
 * memory sits in a PVH dom0's or bare kernel's direct map (2 MiB / 1 GiB
 * pages).
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

/* Page-aligned, zeroed, and with "huge" on transparent huge pages. */
static void *table_mem(size_t len, int huge)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (huge)
		madvise(p, len, MADV_HUGEPAGE);	/* a hint: THP may say no */
	else
		madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

/* Without concurrent readers a grace period is over at once. */
static void b_retire(void *ctx, struct xf_cache_limbo *l)
{
	xf_cache_limbo_done(l);
}

static const struct xf_cache_ops ops = { b_retire, NULL };

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

static double ns_between(const struct timespec *t0, const struct timespec *t1)
{
	return (double)(t1->tv_sec - t0->tv_sec) * 1e9 +
	       (double)(t1->tv_nsec - t0->tv_nsec);
}

/* ns of a dependent load at random over n lines, k loads timed. */
static double load_ns(uint32_t n, uint32_t k)
{
	uint64_t *line = table_mem((size_t)n * 64, 0);
	uint32_t *order = malloc((size_t)n * sizeof(*order));
	struct timespec t0, t1;
	uint32_t i, j, t;
	uint64_t at = 0;

	if (!line || !order || n < 2)
		return -1;
	/* A random cycle through every line, so nothing can be guessed. */
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = (uint32_t)(xorshift() % (i + 1));
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < n; i++)
		line[(size_t)order[i] * 8] = (uint64_t)order[(i + 1) % n] * 8;
	for (i = 0; i < n; i++)	/* warm, as bench_loop is */
		at = line[at];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < k; i++)
		at = line[at];
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(order);
	if (at == 1)	/* never: keeps the chain alive */
		return -1;
	return ns_between(&t0, &t1) / k;
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
	struct xf_cache_entry *entries;
	struct xf_cache_slot *slots;
	uint32_t *buckets;
	uint32_t flows, npkts, hitpct, nb, i, nmiss, nslots;
	int huge;
	uint8_t *hit_frames, *miss_frames, **pkts, *ring, *src;
	struct timespec t0, t1;
	struct xf_cache c;
	struct xf_flow fl;
	uint64_t hits;
	double ns;

	if (argc == 4 && !strcmp(argv[3], "load")) {
		printf("%.1f\n", load_ns((uint32_t)strtoul(argv[1], NULL, 0),
					 (uint32_t)strtoul(argv[2], NULL, 0)));
		return 0;
	}
	if (argc != 4 && !(argc == 5 && !strcmp(argv[4], "huge")))
		return 2;
	flows = (uint32_t)strtoul(argv[1], NULL, 0);
	npkts = (uint32_t)strtoul(argv[2], NULL, 0);
	hitpct = (uint32_t)strtoul(argv[3], NULL, 0);
	for (nb = 1; nb < flows; nb <<= 1)
		;
	p.max_entries = flows;
	nslots = xf_cache_nslots(flows);
	huge = argc == 5;
	buckets = table_mem((size_t)nb * sizeof(*buckets), huge);
	entries = table_mem((size_t)nslots * sizeof(*entries), huge);
	slots = table_mem((size_t)nslots * sizeof(*slots), huge);
	if (!buckets || !entries || !slots)
		return 1;
	nmiss = flows / 10 + 1;
	hit_frames = malloc((size_t)flows * 64);
	miss_frames = malloc((size_t)nmiss * 64);
	pkts = malloc((size_t)npkts * sizeof(*pkts));
	if (!hit_frames || !miss_frames || !pkts ||
	    xf_cache_init(&c, buckets, nb, entries, slots, nslots, &p, &ops,
			  NULL, seed))
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
	ns = ns_between(&t0, &t1) / npkts;
	printf("%.1f %llu %llu %u\n", ns, (unsigned long long)hits,
	       (unsigned long long)(npkts - hits), c.count);
	xf_cache_flush(&c);
	free(hit_frames);
	free(miss_frames);
	free(pkts);
	free(ring);
	return 0;
}
