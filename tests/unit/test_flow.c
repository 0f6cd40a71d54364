// SPDX-License-Identifier: GPL-2.0 OR MIT
/* core/flow.c: valid frames of every kind, then each way to break them. */
#include <stdio.h>
#include <stdlib.h>

#include "tap.h"
#include "flow.h"
#include "frag.h"
#include "frames.h"

static int parse(const struct frame *f, struct xf_flow *out)
{
	return xf_flow_parse(f->b, f->len, 7, out);
}

/* Parse from L3 with only len bytes of it readable. */
static int parse_l3_short(const struct frame *f, size_t readable,
			  struct xf_flow *out)
{
	uint16_t type = (uint16_t)(f->b[f->l3 - 2] << 8 | f->b[f->l3 - 1]);

	return xf_flow_parse_l3(type, f->b + f->l3, readable, f->len - f->l3,
				7, out);
}

static void test_ipv4_tcp(void)
{
	struct xf_flow fl;
	struct frame f;
	int i, bad;

	frame_ipv4(&f, 6, 0x0a000001, 0x0a000002, 0, 20, 0);
	frame_tcp(&f, 40000, 25, 0x02);
	is(parse(&f, &fl), XF_FLOW_OK, "ipv4 tcp parses");
	is(fl.key.family, XF_AF_INET, "family inet");
	is(fl.key.proto, 6, "proto tcp");
	is(fl.key.sport, 40000, "sport");
	is(fl.key.dport, 25, "dport");
	is(fl.key.domid, 7, "domid carried");
	is(fl.tcp_flags, 0x02, "tcp flags");
	is(fl.l3_off, 14, "l3 offset");
	is(fl.l4_off, 34, "l4 offset");
	is(fl.pkt_len, 40, "pkt_len from total length");
	ok(fl.key.saddr[0] == 10 && fl.key.saddr[3] == 1 &&
	   fl.key.daddr[3] == 2, "addresses in network order");
	bad = 0;
	for (i = 4; i < 16; i++)
		bad |= fl.key.saddr[i] | fl.key.daddr[i];
	ok(!bad, "ipv4 key tail is zero");

	/* Every truncation of the frame is an error, never a parse. */
	bad = 0;
	for (i = 0; i < (int)f.len; i++) {
		int r = xf_flow_parse(f.b, (size_t)i, 7, &fl);

		if (r >= 0 || (i < 14 && r != XF_FLOW_E_TRUNC_L2) ||
		    (i >= 14 && r != XF_FLOW_E_TRUNC_L3))
			bad++;
	}
	is(bad, 0, "every truncated ipv4 frame: TRUNC_L2 or TRUNC_L3");

	/* Headers-only view (kernel hook): a cut TCP header is TRUNC_L4. */
	is(parse_l3_short(&f, 20 + 19, &fl), XF_FLOW_E_TRUNC_L4,
	   "tcp header cut in readable part: TRUNC_L4");
	is(parse_l3_short(&f, 19, &fl), XF_FLOW_E_TRUNC_L3,
	   "ip header cut in readable part: TRUNC_L3");
	is(parse_l3_short(&f, 40, &fl), XF_FLOW_OK, "l3 entry parses");
	is(fl.l3_off, 0, "l3 entry: l3_off 0");
	is(fl.l4_off, 20, "l3 entry: l4_off 20");
}

static void test_ipv4_header(void)
{
	struct xf_flow fl;
	struct frame f;

	frame_ipv4(&f, 6, 1, 2, 40, 20, 0);
	frame_tcp(&f, 1, 2, 0x10);
	is(parse(&f, &fl), XF_FLOW_OK, "ipv4 with 40 bytes of options");
	is(fl.l4_off, 14 + 60, "options skipped");
	is(fl.key.dport, 2, "ports after options");

	frame_ipv4(&f, 6, 1, 2, 0, 20, 0);
	f.b[14] = 0x64;	/* version 6 in an IPv4 ethertype */
	is(parse(&f, &fl), XF_FLOW_E_VERSION, "ipv4 ethertype, version 6");
	f.b[14] = 0x44;
	is(parse(&f, &fl), XF_FLOW_E_IHL, "ihl 4 rejected");
	f.b[14] = 0x40;
	is(parse(&f, &fl), XF_FLOW_E_IHL, "ihl 0 rejected");
	f.b[14] = 0x4f;	/* 60 bytes of header, frame has 40 */
	is(parse(&f, &fl), XF_FLOW_E_TRUNC_L3, "ihl beyond the frame");
	f.b[14] = 0x46;
	put16(f.b + 16, 22);	/* total length < ihl */
	is(parse(&f, &fl), XF_FLOW_E_IP_LEN, "total length below ihl");
	put16(f.b + 16, 41);
	f.b[14] = 0x45;
	is(parse(&f, &fl), XF_FLOW_E_TRUNC_L3, "total length beyond frame");

	/* Ethernet padding after a short packet is not part of it. */
	frame_ipv4(&f, 17, 1, 2, 0, 8, 0);
	frame_udp(&f, 53, 53);
	f.len = 60;
	is(parse(&f, &fl), XF_FLOW_OK, "padded frame parses");
	is(fl.pkt_len, 28, "padding excluded from pkt_len");

	frame_ipv4(&f, 47, 1, 2, 0, 4, 0);	/* GRE: no ports */
	is(parse(&f, &fl), XF_FLOW_OK, "unknown L4 parses");
	ok(fl.key.sport == 0 && fl.key.dport == 0, "unknown L4: no ports");
}

static void test_ipv4_frag(void)
{
	struct xf_flow fl;
	struct frame f;

	frame_ipv4(&f, 6, 1, 2, 0, 20, 0);
	frame_tcp(&f, 1000, 80, 0x18);
	put16(f.b + 14 + 6, 0x2000);	/* MF, offset 0 */
	is(parse(&f, &fl), XF_FLOW_OK, "first fragment parses");
	is(fl.frag, XF_FRAG_FIRST, "first fragment marked");
	is(fl.key.dport, 80, "first fragment has ports");

	put16(f.b + 14 + 6, 0x0010);	/* offset 16 * 8 */
	is(parse(&f, &fl), XF_FLOW_OK, "later fragment parses");
	is(fl.frag, XF_FRAG_LATER, "later fragment marked");
	ok(fl.key.sport == 0 && fl.key.dport == 0 && fl.l4_off == 0,
	   "later fragment: no ports, no l4");
	is(fl.key.proto, 6, "later fragment keeps proto");

	put16(f.b + 14 + 6, 0x2001);	/* offset 8 bytes into TCP */
	is(parse(&f, &fl), XF_FLOW_E_FRAG, "tcp offset-1 fragment rejected");

	/* A fragmented datagram's UDP length counts all its fragments. */
	frame_ipv4(&f, 17, 1, 2, 0, 1480, 0);
	frame_udp(&f, 4000, 53);
	put16(f.b + f.l4 + 4, 3008);
	put16(f.b + 14 + 6, 0x2000);	/* MF, offset 0 */
	is(parse(&f, &fl), XF_FLOW_OK, "first udp fragment of 3008 B parses");
	ok(fl.frag == XF_FRAG_FIRST && fl.key.dport == 53,
	   "first udp fragment: marked, with ports");
	put16(f.b + 14 + 6, 0);		/* the same, unfragmented: a lie */
	is(parse(&f, &fl), XF_FLOW_E_L4, "udp length beyond a whole packet");

	frame_ipv4(&f, 6, 1, 2, 0, 8, 0);	/* tiny first fragment */
	put16(f.b + 14 + 6, 0x2000);
	is(parse(&f, &fl), XF_FLOW_E_FRAG, "tiny first tcp fragment rejected");
	frame_ipv4(&f, 17, 1, 2, 0, 4, 0);
	put16(f.b + 14 + 6, 0x2000);
	is(parse(&f, &fl), XF_FLOW_E_FRAG, "tiny first udp fragment rejected");
}

static void test_l4(void)
{
	struct xf_flow fl;
	struct frame f;

	frame_ipv4(&f, 6, 1, 2, 0, 20, 0);
	frame_tcp(&f, 1, 2, 0);
	f.b[f.l4 + 12] = 4 << 4;
	is(parse(&f, &fl), XF_FLOW_E_L4, "tcp data offset 4 rejected");
	f.b[f.l4 + 12] = 6 << 4;	/* 24 bytes, packet has 20 */
	is(parse(&f, &fl), XF_FLOW_E_L4, "tcp data offset beyond packet");
	frame_ipv4(&f, 6, 1, 2, 0, 19, 0);
	is(parse(&f, &fl), XF_FLOW_E_TRUNC_L4, "19-byte tcp header");

	frame_ipv4(&f, 17, 1, 2, 0, 12, 0);
	frame_udp(&f, 5353, 53);
	is(parse(&f, &fl), XF_FLOW_OK, "udp parses");
	ok(fl.key.sport == 5353 && fl.key.dport == 53, "udp ports");
	put16(f.b + f.l4 + 4, 7);
	is(parse(&f, &fl), XF_FLOW_E_L4, "udp length 7 rejected");
	put16(f.b + f.l4 + 4, 13);
	is(parse(&f, &fl), XF_FLOW_E_L4, "udp length beyond packet");
	put16(f.b + f.l4 + 4, 0);
	is(parse(&f, &fl), XF_FLOW_OK, "udp length 0 tolerated");
	frame_ipv4(&f, 17, 1, 2, 0, 7, 0);
	is(parse(&f, &fl), XF_FLOW_E_TRUNC_L4, "7-byte udp header");

	frame_ipv4(&f, 1, 1, 2, 0, 8, 0);
	f.b[f.l4] = 8;
	put16(f.b + f.l4 + 4, 0x1234);
	is(parse(&f, &fl), XF_FLOW_OK, "icmp echo parses");
	is(fl.key.dport, 8 << 8, "icmp type/code in dport");
	is(fl.key.sport, 0x1234, "icmp echo id in sport");
	frame_ipv4(&f, 1, 1, 2, 0, 4, 0);
	f.b[f.l4] = 3;
	f.b[f.l4 + 1] = 1;
	is(parse(&f, &fl), XF_FLOW_OK, "4-byte icmp unreachable parses");
	is(fl.key.dport, 3 << 8 | 1, "unreachable type/code");
	is(fl.key.sport, 0, "no id for unreachable");
	f.b[f.l4] = 0;	/* echo reply needs 8 bytes */
	is(parse(&f, &fl), XF_FLOW_E_TRUNC_L4, "short icmp echo reply");
	frame_ipv4(&f, 1, 1, 2, 0, 3, 0);
	is(parse(&f, &fl), XF_FLOW_E_TRUNC_L4, "3-byte icmp");
}

static void test_vlan(void)
{
	struct xf_flow fl;
	struct frame f;

	frame_ipv4(&f, 6, 1, 2, 0, 20, 1);
	frame_tcp(&f, 1, 2, 0);
	is(parse(&f, &fl), XF_FLOW_OK, "one vlan tag");
	is(fl.n_vlan, 1, "tag counted");
	is(fl.vlan_id, 100, "vid");
	is(fl.l3_off, 18, "l3 after tag");
	frame_ipv4(&f, 6, 1, 2, 0, 20, 2);
	frame_tcp(&f, 1, 2, 0);
	put16(f.b + 12, 0x88a8);
	is(parse(&f, &fl), XF_FLOW_OK, "802.1ad + 802.1Q");
	is(fl.vlan_id, 101, "inner vid");
	frame_ipv4(&f, 6, 1, 2, 0, 20, 3);
	is(parse(&f, &fl), XF_FLOW_E_VLAN, "three tags rejected");
	frame_ipv4(&f, 6, 1, 2, 0, 20, 1);
	is(xf_flow_parse(f.b, 17, 7, &fl), XF_FLOW_E_TRUNC_L2,
	   "cut vlan tag");
	frame_eth(&f, 0x0806, 0);
	f.len = 42;
	is(parse(&f, &fl), XF_FLOW_NOT_IP, "arp is not ip");
	is(fl.ethertype, 0x0806, "ethertype reported");
	is(xf_flow_parse_l3(0x0806, f.b, 28, 28, 1, &fl), XF_FLOW_NOT_IP,
	   "l3 entry: arp is not ip");
}

static void test_ipv6(void)
{
	static const uint8_t chain4[] = { 0, 60, 43, 51 };
	static const uint8_t nine[] = { 0, 60, 60, 60, 60, 60, 60, 60, 60 };
	static const uint8_t eight[] = { 0, 60, 60, 60, 60, 60, 60, 60 };
	static const uint8_t hbh_late[] = { 60, 0 };
	static const uint8_t frag[] = { 44 };
	static const uint8_t frag2[] = { 44, 44 };
	struct xf_flow fl;
	struct frame f;
	int i, bad;

	frame_ipv6(&f, 6, NULL, 0, 0, 20);
	frame_tcp(&f, 5000, 443, 0x02);
	is(parse(&f, &fl), XF_FLOW_OK, "ipv6 tcp parses");
	is(fl.key.family, XF_AF_INET6, "family inet6");
	ok(fl.key.saddr[0] == 0x20 && fl.key.saddr[15] == 1 &&
	   fl.key.daddr[15] == 2, "ipv6 addresses");
	is(fl.key.dport, 443, "ipv6 dport");
	is(fl.pkt_len, 60, "ipv6 pkt_len");
	bad = 0;
	for (i = 0; i < (int)f.len; i++)
		if (xf_flow_parse(f.b, (size_t)i, 7, &fl) >= 0)
			bad++;
	is(bad, 0, "every truncated ipv6 frame is an error");

	f.b[14] = 0x40;
	is(parse(&f, &fl), XF_FLOW_E_VERSION, "ipv6 ethertype, version 4");

	frame_ipv6(&f, 17, chain4, 4, 0, 8);
	frame_udp(&f, 1, 2);
	is(parse(&f, &fl), XF_FLOW_OK, "hbh, dstopts, routing, ah chain");
	is(fl.n_ext, 4, "four extension headers");
	is(fl.key.proto, 17, "upper layer after chain");
	is(fl.key.dport, 2, "ports after chain");

	frame_ipv6(&f, 17, eight, 8, 0, 8);
	frame_udp(&f, 1, 2);
	is(parse(&f, &fl), XF_FLOW_OK, "eight extension headers allowed");
	frame_ipv6(&f, 17, nine, 9, 0, 8);
	is(parse(&f, &fl), XF_FLOW_E_EXT_CHAIN, "nine: chain too long");
	frame_ipv6(&f, 17, hbh_late, 2, 0, 8);
	is(parse(&f, &fl), XF_FLOW_E_EXT, "hop-by-hop not first");

	frame_ipv6(&f, 17, chain4, 4, 0, 8);
	f.b[14 + 40 + 1] = 200;	/* hbh claims 1608 bytes */
	is(parse(&f, &fl), XF_FLOW_E_EXT, "ext header longer than packet");
	frame_ipv6(&f, 17, chain4, 4, 0, 8);
	is(parse_l3_short(&f, 41, &fl), XF_FLOW_E_TRUNC_L3,
	   "ext header cut in readable part");
	is(parse_l3_short(&f, 40 + 32 + 4, &fl), XF_FLOW_E_TRUNC_L4,
	   "udp cut after chain in readable part");

	frame_ipv6(&f, 6, frag, 1, 0x0001, 20);	/* M=1, offset 0 */
	frame_tcp(&f, 1, 22, 0x02);
	is(parse(&f, &fl), XF_FLOW_OK, "ipv6 first fragment");
	is(fl.frag, XF_FRAG_FIRST, "ipv6 first fragment marked");
	is(fl.key.dport, 22, "ipv6 first fragment ports");
	frame_ipv6(&f, 6, frag, 1, 0x0010, 20);	/* offset 16 */
	is(parse(&f, &fl), XF_FLOW_OK, "ipv6 later fragment");
	is(fl.frag, XF_FRAG_LATER, "ipv6 later fragment marked");
	is(fl.key.proto, 6, "later fragment proto");
	is(fl.key.dport, 0, "later fragment no ports");
	frame_ipv6(&f, 6, frag, 1, 0x0001, 12);
	is(parse(&f, &fl), XF_FLOW_E_FRAG, "ipv6 tiny first fragment");
	frame_ipv6(&f, 17, frag, 1, 0x0001, 1448);
	frame_udp(&f, 4000, 53);
	put16(f.b + f.l4 + 4, 3008);
	is(parse(&f, &fl), XF_FLOW_OK, "ipv6 first udp fragment of 3008 B");
	ok(fl.frag == XF_FRAG_FIRST && fl.key.dport == 53,
	   "ipv6 first udp fragment: marked, with ports");
	frame_ipv6(&f, 6, frag2, 2, 0x0000, 20);
	is(parse(&f, &fl), XF_FLOW_E_EXT, "two fragment headers");
	frame_ipv6(&f, 6, frag, 1, 0, 20);
	is(parse_l3_short(&f, 44, &fl), XF_FLOW_E_TRUNC_L3,
	   "fragment header cut");

	frame_ipv6(&f, 50, NULL, 0, 0, 16);
	is(parse(&f, &fl), XF_FLOW_OK, "esp stops the walk");
	is(fl.key.proto, 50, "esp proto");
	frame_ipv6(&f, 59, NULL, 0, 0, 0);
	is(parse(&f, &fl), XF_FLOW_OK, "no next header");

	frame_ipv6(&f, 58, NULL, 0, 0, 8);
	f.b[f.l4] = 128;
	put16(f.b + f.l4 + 4, 77);
	is(parse(&f, &fl), XF_FLOW_OK, "icmpv6 echo");
	ok(fl.key.dport == 128 << 8 && fl.key.sport == 77, "icmpv6 id/type");

	frame_ipv6(&f, 6, NULL, 0, 0, 20);
	frame_tcp(&f, 1, 2, 0);
	put16(f.b + 18, 21);
	is(parse(&f, &fl), XF_FLOW_E_TRUNC_L3, "payload length beyond frame");
	put16(f.b + 18, 0);
	is(parse(&f, &fl), XF_FLOW_OK, "payload length 0 uses frame");
	is(fl.pkt_len, 60, "jumbo: pkt_len from frame");
}

static void test_strerror(void)
{
	int i, bad = 0;

	for (i = XF_FLOW_E_L4; i <= XF_FLOW_NOT_IP; i++)
		if (!strcmp(xf_flow_strerror(i), "unknown"))
			bad++;
	is(bad, 0, "every status has a message");
	ok(!strcmp(xf_flow_strerror(-100), "unknown"), "unknown status");
}

/* Random bytes after a valid Ethernet/IP start: must never crash. */
static void test_random(void)
{
	struct xf_flow fl;
	struct frame f;
	int i, r, seen_ok = 0;
	size_t j;

	srand(1);
	for (i = 0; i < 20000; i++) {
		frame_eth(&f, (i & 1) ? 0x86dd : 0x0800, i % 3 == 0);
		f.len = f.l3 + (size_t)(rand() % 200);
		for (j = f.l3; j < f.len; j++)
			f.b[j] = (uint8_t)rand();
		f.b[f.l3] = (i & 1) ? 0x60 : 0x45;
		if (!(i & 1))
			put16(f.b + f.l3 + 2, (uint16_t)(f.len - f.l3));
		r = parse(&f, &fl);
		if (r == XF_FLOW_OK) {
			seen_ok++;
			if (fl.l4_off > f.len)
				break;
		}
	}
	is(i, 20000, "random frames: no l4 offset beyond the frame");
	ok(seen_ok > 0, "random frames: some parse (%d)", seen_ok);
}

/* A UDP datagram of 3 fragments, IPv4 (v6 = 0) or IPv6, IP id id. */
static void frag_frame(struct frame *f, int v6, int part, uint32_t id,
		       uint16_t sport)
{
	static const uint8_t fh[] = { 44 };
	/* offset in 8-byte units: part 0 at 0, then 185 (1480 bytes) on */
	uint16_t off = (uint16_t)(part * 185);
	uint16_t mf = part < 2;

	if (v6) {
		frame_ipv6(f, 17, fh, 1, (uint16_t)(off << 3 | mf), 40);
		/* identification: bytes 4..7 of the fragment header */
		put16(f->b + f->l3 + 40 + 4, (uint16_t)(id >> 16));
		put16(f->b + f->l3 + 40 + 6, (uint16_t)id);
	} else {
		frame_ipv4(f, 17, 0x0a000002, 0x0a000001, 0, 40, 0);
		put16(f->b + f->l3 + 4, (uint16_t)id);
		put16(f->b + f->l3 + 6, (uint16_t)(mf << 13 | off));
	}
	if (!part)
		frame_udp(f, sport, 53);
	if (!part)	/* the UDP length covers the whole datagram */
		put16(f->b + f->l4 + 4, 8);
}

static void test_frag_ids(void)
{
	struct xf_flow fl;
	struct frame f;
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		const char *fam = v6 ? "ipv6" : "ipv4";

		frag_frame(&f, v6, 0, v6 ? 0x12345678 : 0x1234, 4000);
		is(parse(&f, &fl), XF_FLOW_OK, "%s first fragment", fam);
		ok(fl.frag == XF_FRAG_FIRST && fl.key.sport == 4000,
		   "%s first fragment with its ports", fam);
		is(fl.frag_id, v6 ? 0x12345678 : 0x1234, "%s first: ip id", fam);
		frag_frame(&f, v6, 1, v6 ? 0x12345678 : 0x1234, 4000);
		is(parse(&f, &fl), XF_FLOW_OK, "%s middle fragment", fam);
		ok(fl.frag == XF_FRAG_LATER && !fl.key.sport && !fl.key.dport,
		   "%s middle: later, no ports", fam);
		is(fl.frag_id, v6 ? 0x12345678 : 0x1234, "%s later: ip id", fam);
		frag_frame(&f, v6, 2, v6 ? 0x12345678 : 0x1234, 4000);
		is(parse(&f, &fl), XF_FLOW_OK, "%s last fragment", fam);
		is(fl.frag, XF_FRAG_LATER, "%s last: later", fam);
	}
	frame_ipv4(&f, 17, 1, 2, 0, 8, 0);
	frame_udp(&f, 1, 2);
	is(parse(&f, &fl), XF_FLOW_OK, "unfragmented");
	ok(fl.frag == XF_FRAG_NONE && fl.frag_id == 0, "unfragmented: no id");
}

/* RFC 1858 / RFC 5722 in both families. */
static void test_frag_overlap(void)
{
	static const uint8_t fh[] = { 44 };
	struct xf_flow fl;
	struct frame f;

	frame_ipv6(&f, 6, fh, 1, 1 << 3, 20);	/* offset 8 bytes into TCP */
	is(parse(&f, &fl), XF_FLOW_E_FRAG,
	   "ipv6 tcp fragment at offset 8 (rewrites the flags) rejected");
	frame_ipv6(&f, 6, fh, 1, 2 << 3, 20);
	is(parse(&f, &fl), XF_FLOW_OK, "ipv6 tcp fragment at offset 16 ok");
	frame_ipv6(&f, 17, fh, 1, 1 << 3, 20);
	is(parse(&f, &fl), XF_FLOW_OK,
	   "ipv6 udp fragment at offset 8 (past the 8-byte header) ok");
	frame_ipv6(&f, 6, fh, 1, 1, 16);	/* first, TCP header cut */
	is(parse(&f, &fl), XF_FLOW_E_FRAG, "ipv6 tiny first tcp fragment");
	frame_ipv6(&f, 6, fh, 1, 1, 24);	/* first, data offset 7 words */
	frame_tcp(&f, 1, 2, 0x02);
	f.b[f.l4 + 12] = 7 << 4;
	is(parse(&f, &fl), XF_FLOW_E_L4,
	   "ipv6 first fragment without the whole TCP header (options)");
	frame_ipv4(&f, 6, 1, 2, 0, 24, 0);
	frame_tcp(&f, 1, 2, 0x02);
	f.b[f.l4 + 12] = 7 << 4;
	put16(f.b + f.l3 + 6, 0x2000);
	is(parse(&f, &fl), XF_FLOW_E_L4,
	   "ipv4 first fragment without the whole TCP header (options)");
}

static struct xf_flow parsed(int v6, int part, uint32_t id, uint16_t sport)
{
	struct xf_flow fl;
	struct frame f;

	frag_frame(&f, v6, part, id, sport);
	if (parse(&f, &fl) != XF_FLOW_OK)
		diag("frag_frame did not parse");
	return fl;
}

/* core/frag.c: later fragments follow their first one. */
static void test_frag_table(void)
{
	static struct xf_frag_table t;
	static const uint8_t seed[16] = "fragfragfragfrag";
	struct xf_verdict v, out;
	struct xf_flow_key first;
	struct xf_flow a, b;
	int v6, i, known;

	for (v6 = 0; v6 < 2; v6++) {
		const char *fam = v6 ? "ipv6" : "ipv4";

		xf_frag_init(&t, seed, 100);
		memset(&v, 0, sizeof(v));
		v.action = XF_ACT_DROP;
		v.mirror = 2;
		a = parsed(v6, 0, 77, 4000);
		b = parsed(v6, 1, 77, 4000);
		is(xf_frag_lookup(&t, &b, 0, &out, &first), XF_FRAG_UNKNOWN,
		   "%s: no first fragment seen: unknown", fam);
		xf_frag_note(&t, &a, &v, 0);
		is(xf_frag_lookup(&t, &b, 10, &out, &first), XF_FRAG_KNOWN,
		   "%s: later fragment finds its first", fam);
		ok(out.action == XF_ACT_DROP && out.mirror == 2 &&
		   out.rule == XF_RULE_NONE, "%s: and its verdict", fam);
		b = parsed(v6, 2, 77, 4000);
		is(xf_frag_lookup(&t, &b, 20, &out, &first), XF_FRAG_KNOWN,
		   "%s: the last one too", fam);
		b = parsed(v6, 1, 78, 4000);
		is(xf_frag_lookup(&t, &b, 20, &out, &first), XF_FRAG_UNKNOWN,
		   "%s: another ip id: unknown", fam);
		b = parsed(v6, 1, 77, 4000);
		b.key.domid = 8;
		is(xf_frag_lookup(&t, &b, 20, &out, &first), XF_FRAG_UNKNOWN,
		   "%s: another domain: unknown", fam);
		b = parsed(v6, 1, 77, 4000);
		b.key.proto = 6;
		is(xf_frag_lookup(&t, &b, 20, &out, &first), XF_FRAG_UNKNOWN,
		   "%s: another protocol: unknown", fam);
		b = parsed(v6, 1, 77, 4000);
		is(xf_frag_lookup(&t, &b, 100, &out, &first), XF_FRAG_UNKNOWN,
		   "%s: forgotten after its life", fam);

		/* Pending: the first fragment waits for the verdict source. */
		a = parsed(v6, 0, 90, 4001);
		xf_frag_note(&t, &a, NULL, 200);
		b = parsed(v6, 1, 90, 4001);
		is(xf_frag_lookup(&t, &b, 210, &out, &first), XF_FRAG_PENDING,
		   "%s: first still held: pending", fam);
		ok(first.sport == 4001 && first.dport == 53 &&
		   !memcmp(first.saddr, a.key.saddr, 16),
		   "%s: with the flow to queue behind", fam);
		v.action = XF_ACT_ACCEPT;
		v.mirror = 0;
		xf_frag_note(&t, &a, &v, 220);
		is(xf_frag_lookup(&t, &b, 230, &out, &first), XF_FRAG_KNOWN,
		   "%s: then its verdict", fam);
		is(out.action, XF_ACT_ACCEPT, "%s: accept", fam);

		/* Not fragments: ignored. */
		b = parsed(v6, 0, 91, 4002);
		is(xf_frag_lookup(&t, &b, 230, &out, &first), XF_FRAG_UNKNOWN,
		   "%s: a first fragment is not looked up", fam);
	}

	/* Bounded: 10x the table's size, the newest are still known. */
	xf_frag_init(&t, seed, 1000000);
	memset(&v, 0, sizeof(v));
	for (i = 0; i < 10 * XF_FRAG_SETS * XF_FRAG_WAYS; i++) {
		a = parsed(0, 0, (uint32_t)i, 5000);
		xf_frag_note(&t, &a, &v, (uint64_t)i);
	}
	ok(t.stats.evicted > 0, "full sets evict (%llu)",
	   (unsigned long long)t.stats.evicted);
	for (i = 10 * XF_FRAG_SETS * XF_FRAG_WAYS - 16, known = 0;
	     i < 10 * XF_FRAG_SETS * XF_FRAG_WAYS; i++) {
		b = parsed(0, 1, (uint32_t)i & 0xffff, 5000);
		known += xf_frag_lookup(&t, &b, (uint64_t)i, &out, &first) ==
			 XF_FRAG_KNOWN;
	}
	is(known, 16, "the 16 newest datagrams are still known");
	xf_frag_flush(&t);
	is(xf_frag_lookup(&t, &b, 0, &out, &first), XF_FRAG_UNKNOWN,
	   "flushed");
}

int main(void)
{
	test_frag_ids();
	test_frag_overlap();
	test_frag_table();
	test_ipv4_tcp();
	test_ipv4_header();
	test_ipv4_frag();
	test_l4();
	test_vlan();
	test_ipv6();
	test_strerror();
	test_random();
	return tap_done();
}
