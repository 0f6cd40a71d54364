// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target for the frame parser. The first byte picks the entry
 * point (Ethernet, or L3 with a readable prefix shorter than the packet),
 * the rest is the frame. A successful parse must describe the input
 * consistently; a parsed key then goes through the matcher and the cache
 * so they see hostile keys too.
 */
#include <stdlib.h>

#include "cache.h"
#include "flow.h"
#include "rule.h"

static void f_retire(void *ctx, struct xf_cache_limbo *l)
{
	xf_cache_limbo_done(l);
}

static const struct xf_cache_ops ops = { f_retire, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xf_cache_entry entries[9];
	static struct xf_cache_slot slots[9];
	static uint32_t buckets[8];
	static struct xf_rule rules[1];
	static struct xf_dom_policy doms[1];
	struct xf_cache_params p = {
		.tcp_idle = 10, .tcp_linger = 2, .udp_idle = 5,
		.other_idle = 1, .touch = 1, .max_entries = 4,
	};
	struct xf_rule_table t;
	struct xf_verdict v;
	struct xf_cache c;
	struct xf_flow fl;
	uint8_t *buf;
	size_t len, readable;
	int r;

	if (size < 1)
		return 0;
	len = size - 1;
	/* A copy of exactly len bytes, so ASan sees any overread. */
	buf = malloc(len ? len : 1);
	memcpy(buf, data + 1, len);
	if (data[0] & 1) {
		r = xf_flow_parse(buf, len, 1, &fl);
	} else {
		readable = len ? (data[0] >> 1) % (len + 1) : 0;
		r = xf_flow_parse_l3((data[0] & 2) ? XF_ETH_P_IPV6 :
				     XF_ETH_P_IP, buf, readable, len, 1, &fl);
	}
	if (r == XF_FLOW_OK) {
		if (fl.l4_off > len || fl.l3_off > len)
			abort();
		if (fl.key.family != XF_AF_INET && fl.key.family != XF_AF_INET6)
			abort();
		xf_rules_init(&t, rules, 1, doms, 1);
		xf_rules_match(&t, &fl.key, NULL, &v);
		xf_cache_init(&c, buckets, 8, entries, slots,
			      xf_cache_nslots(p.max_entries), &p, &ops, NULL,
			      (const uint8_t *)"fuzzfuzzfuzzfuzz");
		xf_cache_insert(&c, &fl, &v, t.generation, 0);
		xf_cache_lookup(&c, &fl, t.generation, 1, &v);
		xf_cache_flush(&c);
	} else if (r != XF_FLOW_NOT_IP && r >= 0) {
		abort();
	}
	free(buf);
	return 0;
}
