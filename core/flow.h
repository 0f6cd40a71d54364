/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Flow parsing: one pass over a frame the guest wrote, every byte of which
 * is hostile. Every read is preceded by a length check against the bytes
 * the caller says are readable; nothing is ever read past them.
 */
#ifndef XF_CORE_FLOW_H
#define XF_CORE_FLOW_H

#include "compat.h"

#define XF_ETH_P_IP 0x0800
#define XF_ETH_P_IPV6 0x86dd
#define XF_ETH_P_8021Q 0x8100
#define XF_ETH_P_8021AD 0x88a8

#define XF_IPPROTO_ICMP 1
#define XF_IPPROTO_TCP 6
#define XF_IPPROTO_UDP 17
#define XF_IPPROTO_ICMPV6 58

#define XF_AF_INET 4
#define XF_AF_INET6 6

/* TCP flags as on the wire (byte 13 of the header). */
#define XF_TCP_FIN 0x01
#define XF_TCP_SYN 0x02
#define XF_TCP_RST 0x04
#define XF_TCP_PSH 0x08
#define XF_TCP_ACK 0x10

#define XF_VLAN_MAX_TAGS 2	/* 802.1ad outer + 802.1Q inner */
#define XF_IPV6_MAX_EXT 8	/* extension headers walked before giving up */

/*
 * The cache and the matcher key. 40 bytes, no implicit padding: the cache
 * hashes and compares it as five 64-bit words, so every byte must be
 * written (xf_flow_parse* zero the whole key first).
 *
 * IPv4 addresses sit in saddr[0..3]/daddr[0..3], the rest is zero. Addresses
 * are in network byte order, ports in host order. For ICMP and ICMPv6,
 * dport is type << 8 | code and sport the echo identifier (0 for other
 * types); rules never apply port matches to them. Later fragments have both
 * ports 0.
 */
struct xf_flow_key {
	uint8_t saddr[16];
	uint8_t daddr[16];
	union {
		struct {
			uint16_t sport;
			uint16_t dport;
		};
		uint32_t ports;	/* both at once (core/flow.c) */
	};
	uint16_t domid;
	uint8_t family;		/* XF_AF_INET or XF_AF_INET6 */
	uint8_t proto;		/* IP protocol, after the IPv6 extension headers */
};

enum xf_frag {
	XF_FRAG_NONE = 0,
	XF_FRAG_FIRST,		/* offset 0, more fragments: ports are valid */
	XF_FRAG_LATER,		/* offset != 0: no L4 header, ports are 0 */
};

struct xf_flow {
	struct xf_flow_key key;
	uint8_t tcp_flags;	/* XF_TCP_*, 0 unless proto is TCP */
	uint8_t frag;		/* enum xf_frag */
	uint8_t n_vlan;		/* tags skipped */
	uint8_t n_ext;		/* IPv6 extension headers skipped */
	uint16_t vlan_id;	/* innermost tag's VID, valid if n_vlan */
	uint16_t l3_off;	/* from the start of the buffer given */
	uint16_t l4_off;	/* 0 if there is no L4 header (later frag) */
	uint16_t ethertype;	/* after VLAN tags */
	uint32_t pkt_len;	/* L3 length: IPv4 total length or 40 + payload */
	/*
	 * Fragments (frag != XF_FRAG_NONE): the IP identification, IPv4's
	 * 16 bits or the IPv6 fragment header's 32, that ties a later
	 * fragment to its first (core/frag.h).
	 */
	uint32_t frag_id;
};

/*
 * Return values. XF_FLOW_OK and XF_FLOW_NOT_IP are successful parses (the
 * latter: ARP, LLDP, ... only ethertype and vlan fields are set). Everything
 * negative is a frame that must not be trusted; each cause has its own code
 * so counters can tell a short frame from a crafted one.
 */
enum xf_flow_status {
	XF_FLOW_OK = 0,
	XF_FLOW_NOT_IP = 1,
	XF_FLOW_E_TRUNC_L2 = -1,	/* Ethernet header or VLAN tag cut */
	XF_FLOW_E_TRUNC_L3 = -2,	/* IP header, options or ext header cut */
	XF_FLOW_E_TRUNC_L4 = -3,	/* TCP/UDP/ICMP header cut */
	XF_FLOW_E_VLAN = -4,		/* more than XF_VLAN_MAX_TAGS tags */
	XF_FLOW_E_VERSION = -5,		/* IP version does not match ethertype */
	XF_FLOW_E_IHL = -6,		/* IPv4 header length < 20 */
	XF_FLOW_E_IP_LEN = -7,		/* IP length field inconsistent */
	XF_FLOW_E_EXT = -8,		/* malformed IPv6 extension header */
	XF_FLOW_E_EXT_CHAIN = -9,	/* more than XF_IPV6_MAX_EXT headers */
	XF_FLOW_E_FRAG = -10,		/* tiny first or overlapping frag */
	XF_FLOW_E_L4 = -11,		/* TCP data offset or UDP length bad */
};

/* Parse an Ethernet frame; len bytes at buf are readable and all there is. */
int xf_flow_parse(const uint8_t *buf, size_t len, uint16_t domid,
		  struct xf_flow *out);

/*
 * Parse from the L3 header, given the ethertype (host order). This is the
 * kernel hook's entry: skb->data points at L3 and skb->protocol says what it
 * is. Only len bytes are readable (the linear headers); pkt_len is the
 * full L3 length of the packet (skb->len), used for the IP length checks.
 */
int xf_flow_parse_l3(uint16_t ethertype, const uint8_t *buf, size_t len,
		     size_t pkt_len, uint16_t domid, struct xf_flow *out);

const char *xf_flow_strerror(int status);

#endif /* XF_CORE_FLOW_H */
