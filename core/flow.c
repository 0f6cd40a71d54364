// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Frame parser. The guest wrote every byte we look at, so each field is read
 * only after checking that it lies within the readable length, and every
 * length field in the packet is checked against what is really there before
 * it is used to find the next header. The one loop over attacker-chosen
 * structure (the IPv6 extension header chain) is capped at XF_IPV6_MAX_EXT.
 */
#include "flow.h"

#define IPV6_NH_HOPOPTS 0
#define IPV6_NH_ROUTING 43
#define IPV6_NH_FRAGMENT 44
#define IPV6_NH_ESP 50
#define IPV6_NH_AH 51
#define IPV6_NH_NONE 59
#define IPV6_NH_DSTOPTS 60

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * TCP's and UDP's source and destination ports, host order, into the key:
 * one load, swap and store (on every packet) where two of each took six.
 */
static inline void get_ports(struct xf_flow_key *key, const uint8_t *p)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint32_t w;

	memcpy(&w, p, 4);
	w = __builtin_bswap32(w);	/* dport, sport: each in host order */
	key->ports = w >> 16 | w << 16;
#else
	memcpy(&key->ports, p, 4);
#endif
}

/* Smallest header each L4 protocol needs in a first fragment (RFC 1858). */
static size_t l4_min_len(uint8_t proto)
{
	switch (proto) {
	case XF_IPPROTO_TCP:
		return 20;
	case XF_IPPROTO_UDP:
	case XF_IPPROTO_ICMP:
	case XF_IPPROTO_ICMPV6:
		return 8;
	default:
		return 0;
	}
}

/*
 * rlen: bytes of L4 readable at p; plen: L4 bytes the IP header says the
 * packet carries (plen >= rlen is guaranteed by the callers).
 */
static XF_INLINE int parse_l4(struct xf_flow *out, const uint8_t *p,
			       size_t rlen, size_t plen)
{
	struct xf_flow_key *key = &out->key;
	size_t doff;
	uint16_t ulen;
	uint8_t type;

	/* TCP ahead of the switch: most packets, and a jump table costs. */
	if (key->proto == XF_IPPROTO_TCP) {
		if (rlen < 20)
			return XF_FLOW_E_TRUNC_L4;
		/* Data offset below 5 words, or beyond the packet: crafted. */
		doff = (size_t)(p[12] >> 2) & ~(size_t)3;
		if (doff < 20 || doff > plen)
			return XF_FLOW_E_L4;
		get_ports(key, p);
		out->tcp_flags = p[13];
		return XF_FLOW_OK;
	}
	switch (key->proto) {
	case XF_IPPROTO_UDP:
		if (rlen < 8)
			return XF_FLOW_E_TRUNC_L4;
		/*
		 * 0 is legal only for IPv6 jumbograms; let it through. A first
		 * fragment carries part of the datagram its length counts.
		 */
		ulen = get_be16(p + 4);
		if (ulen && (ulen < 8 ||
			     (ulen > plen && out->frag != XF_FRAG_FIRST)))
			return XF_FLOW_E_L4;
		get_ports(key, p);
		return XF_FLOW_OK;
	case XF_IPPROTO_ICMP:
	case XF_IPPROTO_ICMPV6:
		if (rlen < 4)
			return XF_FLOW_E_TRUNC_L4;
		type = p[0];
		key->dport = (uint16_t)(type << 8 | p[1]);
		/* Echo request/reply: the identifier tells pings apart. */
		if ((key->proto == XF_IPPROTO_ICMP && (type == 8 || type == 0)) ||
		    (key->proto == XF_IPPROTO_ICMPV6 &&
		     (type == 128 || type == 129))) {
			if (rlen < 8)
				return XF_FLOW_E_TRUNC_L4;
			key->sport = get_be16(p + 4);
		}
		return XF_FLOW_OK;
	default:
		return XF_FLOW_OK;
	}
}

static XF_INLINE int parse_ipv4(struct xf_flow *out, const uint8_t *p,
				 size_t len, size_t pkt_len)
{
	struct xf_flow_key *key = &out->key;
	size_t ihl, tot, l4len;
	uint16_t frag;

	if (len < 20)
		return XF_FLOW_E_TRUNC_L3;
	/* Version 4 without options: nearly every packet, one compare. */
	ihl = 20;
	if (p[0] != 0x45) {
		if ((p[0] >> 4) != 4)
			return XF_FLOW_E_VERSION;
		ihl = (size_t)(p[0] & 0x0f) * 4;
		if (ihl < 20)
			return XF_FLOW_E_IHL;
		if (ihl > len)
			return XF_FLOW_E_TRUNC_L3;
	}
	tot = get_be16(p + 2);
	if (tot < ihl)
		return XF_FLOW_E_IP_LEN;
	if (tot > pkt_len)
		return XF_FLOW_E_TRUNC_L3;
	/* Ethernet pads short frames: bytes after tot are not the packet's. */
	if (len > tot)
		len = tot;
	out->pkt_len = (uint32_t)tot;

	key->family = XF_AF_INET;
	key->proto = p[9];
	memcpy(key->saddr, p + 12, 4);
	memcpy(key->daddr, p + 16, 4);

	frag = get_be16(p + 6);
	l4len = tot - ihl;
	if (frag & 0x3fff) {	/* MF or an offset: a fragment */
		out->frag_id = get_be16(p + 4);
		if (frag & 0x1fff) {
			out->frag = XF_FRAG_LATER;
			/* RFC 1858: an offset of 8 bytes rewrites TCP flags. */
			if ((frag & 0x1fff) == 1 &&
			    key->proto == XF_IPPROTO_TCP)
				return XF_FLOW_E_FRAG;
			return XF_FLOW_OK;
		}
		out->frag = XF_FRAG_FIRST;
		if (l4len < l4_min_len(key->proto))
			return XF_FLOW_E_FRAG;
	}
	out->l4_off = (uint16_t)(out->l3_off + ihl);
	return parse_l4(out, p + ihl, len - ihl, l4len);
}

static int parse_ipv6(struct xf_flow *out, const uint8_t *p, size_t len,
		      size_t pkt_len)
{
	struct xf_flow_key *key = &out->key;
	size_t off = 40, hlen, tot;
	bool seen_frag = false;
	uint8_t nh;
	unsigned int i;
	uint16_t fo;

	if (len < 40)
		return XF_FLOW_E_TRUNC_L3;
	if ((p[0] >> 4) != 6)
		return XF_FLOW_E_VERSION;
	tot = get_be16(p + 4);
	if (tot) {
		tot += 40;
		if (tot > pkt_len)
			return XF_FLOW_E_TRUNC_L3;
	} else {
		/* Jumbogram or GSO super-packet: the skb length rules. */
		tot = pkt_len;
	}
	if (len > tot)
		len = tot;
	out->pkt_len = tot > 0xffffffffU ? 0xffffffffU : (uint32_t)tot;

	key->family = XF_AF_INET6;
	memcpy(key->saddr, p + 8, 16);
	memcpy(key->daddr, p + 24, 16);
	nh = p[6];

	/* One iteration per extension header, plus the final upper layer. */
	for (i = 0; i <= XF_IPV6_MAX_EXT; i++) {
		switch (nh) {
		case IPV6_NH_HOPOPTS:
		case IPV6_NH_ROUTING:
		case IPV6_NH_DSTOPTS:
		case IPV6_NH_AH:
			/* Hop-by-hop is only valid right after the header. */
			if (nh == IPV6_NH_HOPOPTS && i)
				return XF_FLOW_E_EXT;
			if (i == XF_IPV6_MAX_EXT)
				return XF_FLOW_E_EXT_CHAIN;
			if (off + 2 > len)
				return XF_FLOW_E_TRUNC_L3;
			if (nh == IPV6_NH_AH)
				hlen = ((size_t)p[off + 1] + 2) * 4;
			else
				hlen = ((size_t)p[off + 1] + 1) * 8;
			if (off + hlen > tot)
				return XF_FLOW_E_EXT;
			nh = p[off];
			off += hlen;
			out->n_ext++;
			break;
		case IPV6_NH_FRAGMENT:
			if (i == XF_IPV6_MAX_EXT)
				return XF_FLOW_E_EXT_CHAIN;
			if (seen_frag)
				return XF_FLOW_E_EXT;
			seen_frag = true;
			if (off + 8 > len)
				return XF_FLOW_E_TRUNC_L3;
			nh = p[off];
			fo = get_be16(p + off + 2);
			out->frag_id = (uint32_t)get_be16(p + off + 4) << 16 |
				       get_be16(p + off + 6);
			off += 8;
			out->n_ext++;
			if (fo & 0xfff8) {
				/* Later fragment: no upper-layer header. */
				key->proto = nh;
				out->frag = XF_FRAG_LATER;
				/* As for IPv4: would rewrite the TCP flags. */
				if ((fo >> 3) == 1 && nh == XF_IPPROTO_TCP)
					return XF_FLOW_E_FRAG;
				return XF_FLOW_OK;
			}
			if (fo & 1)
				out->frag = XF_FRAG_FIRST;
			break;
		default:
			/* Upper layer (or ESP / no next header): done. */
			key->proto = nh;
			if (out->frag == XF_FRAG_FIRST &&
			    tot - off < l4_min_len(nh))
				return XF_FLOW_E_FRAG;
			if (nh == IPV6_NH_ESP || nh == IPV6_NH_NONE)
				return XF_FLOW_OK;
			out->l4_off = (uint16_t)(out->l3_off + off);
			/* Headers may end beyond the readable part. */
			hlen = tot - off;	/* L4 bytes in the packet */
			if (off > len)
				off = len;
			return parse_l4(out, p + off, len - off, hlen);
		}
	}
	/* Unreachable: the last iteration returns in every case. */
	return XF_FLOW_E_EXT_CHAIN;
}

static XF_INLINE int parse_l3(struct xf_flow *out, uint16_t ethertype,
			       const uint8_t *p, size_t len, size_t pkt_len)
{
	out->ethertype = ethertype;
	/* The readable part can never exceed the packet. */
	if (len > pkt_len)
		len = pkt_len;
	switch (ethertype) {
	case XF_ETH_P_IP:
		return parse_ipv4(out, p, len, pkt_len);
	case XF_ETH_P_IPV6:
		return parse_ipv6(out, p, len, pkt_len);
	default:
		return XF_FLOW_NOT_IP;
	}
}

int xf_flow_parse_l3(uint16_t ethertype, const uint8_t *buf, size_t len,
		     size_t pkt_len, uint16_t domid, struct xf_flow *out)
{
	memset(out, 0, sizeof(*out));
	out->key.domid = domid;
	return parse_l3(out, ethertype, buf, len, pkt_len);
}

int xf_flow_parse(const uint8_t *buf, size_t len, uint16_t domid,
		  struct xf_flow *out)
{
	size_t off = 14;
	uint16_t type;

	memset(out, 0, sizeof(*out));
	out->key.domid = domid;
	if (len < 14)
		return XF_FLOW_E_TRUNC_L2;
	type = get_be16(buf + 12);
	while (type == XF_ETH_P_8021Q || type == XF_ETH_P_8021AD) {
		if (out->n_vlan == XF_VLAN_MAX_TAGS)
			return XF_FLOW_E_VLAN;
		if (off + 4 > len)
			return XF_FLOW_E_TRUNC_L2;
		out->vlan_id = get_be16(buf + off) & 0x0fff;
		type = get_be16(buf + off + 2);
		off += 4;
		out->n_vlan++;
	}
	out->l3_off = (uint16_t)off;
	return parse_l3(out, type, buf + off, len - off, len - off);
}

const char *xf_flow_strerror(int status)
{
	switch (status) {
	case XF_FLOW_OK:
		return "ok";
	case XF_FLOW_NOT_IP:
		return "not IP";
	case XF_FLOW_E_TRUNC_L2:
		return "truncated link-layer header";
	case XF_FLOW_E_TRUNC_L3:
		return "truncated IP header";
	case XF_FLOW_E_TRUNC_L4:
		return "truncated transport header";
	case XF_FLOW_E_VLAN:
		return "too many VLAN tags";
	case XF_FLOW_E_VERSION:
		return "IP version does not match ethertype";
	case XF_FLOW_E_IHL:
		return "IPv4 header length below 20";
	case XF_FLOW_E_IP_LEN:
		return "IP length field inconsistent";
	case XF_FLOW_E_EXT:
		return "malformed IPv6 extension header";
	case XF_FLOW_E_EXT_CHAIN:
		return "IPv6 extension header chain too long";
	case XF_FLOW_E_FRAG:
		return "tiny or overlapping fragment";
	case XF_FLOW_E_L4:
		return "malformed transport header";
	default:
		return "unknown";
	}
}
