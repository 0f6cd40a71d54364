/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Hand-made frames for the core/ tests and benchmark: build a valid frame,
 * then break one field at a time.
 */
#ifndef XF_TEST_FRAMES_H
#define XF_TEST_FRAMES_H

#include <stdint.h>
#include <string.h>

struct frame {
	uint8_t b[2048];
	size_t len;
	size_t l3;	/* offset of the IP header */
	size_t l4;	/* offset of the L4 header */
};

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet header with optional VLAN tags (ntags of 0x8100). */
static inline size_t frame_eth(struct frame *f, uint16_t type, int ntags)
{
	size_t off = 12;
	int i;

	memset(f, 0, sizeof(*f));
	memset(f->b, 0x02, 12);
	for (i = 0; i < ntags; i++) {
		put16(f->b + off, 0x8100);
		put16(f->b + off + 2, (uint16_t)(100 + i));
		off += 4;
	}
	put16(f->b + off, type);
	f->l3 = off + 2;
	return f->l3;
}

/* IPv4 + L4 header of l4len bytes (zeroed), optlen bytes of options. */
static inline void frame_ipv4(struct frame *f, uint8_t proto, uint32_t saddr,
			      uint32_t daddr, size_t optlen, size_t l4len,
			      int ntags)
{
	size_t l3 = frame_eth(f, 0x0800, ntags), ihl = 20 + optlen;
	uint8_t *ip = f->b + l3;

	ip[0] = (uint8_t)(0x40 | (ihl / 4));
	put16(ip + 2, (uint16_t)(ihl + l4len));
	ip[8] = 64;
	ip[9] = proto;
	put16(ip + 12, (uint16_t)(saddr >> 16));
	put16(ip + 14, (uint16_t)saddr);
	put16(ip + 16, (uint16_t)(daddr >> 16));
	put16(ip + 18, (uint16_t)daddr);
	memset(ip + 20, 1, optlen);	/* NOPs */
	f->l4 = l3 + ihl;
	f->len = f->l4 + l4len;
}

static inline void frame_tcp(struct frame *f, uint16_t sport, uint16_t dport,
			     uint8_t flags)
{
	uint8_t *t = f->b + f->l4;

	put16(t, sport);
	put16(t + 2, dport);
	t[12] = 5 << 4;
	t[13] = flags;
}

static inline void frame_udp(struct frame *f, uint16_t sport, uint16_t dport)
{
	uint8_t *u = f->b + f->l4;

	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(f->len - f->l4));
}

/*
 * IPv6 with a chain of extension headers: exts[i] is the header type, each
 * 8 bytes long (fragment headers get offset/M from frag_field).
 */
static inline void frame_ipv6(struct frame *f, uint8_t proto,
			      const uint8_t *exts, int n_ext,
			      uint16_t frag_field, size_t l4len)
{
	size_t l3 = frame_eth(f, 0x86dd, 0), off;
	uint8_t *ip = f->b + l3, *nhp = ip + 6;
	int i;

	ip[0] = 0x60;
	ip[7] = 64;
	ip[8] = 0x20;
	ip[9] = 0x01;
	ip[23] = 1;		/* saddr 2001::1 */
	ip[24] = 0x20;
	ip[25] = 0x01;
	ip[39] = 2;		/* daddr 2001::2 */
	off = 40;
	for (i = 0; i < n_ext; i++) {
		*nhp = exts[i];
		nhp = ip + off;
		ip[off + 1] = 0;	/* 8 bytes */
		if (exts[i] == 44)
			put16(ip + off + 2, frag_field);
		if (exts[i] == 51)
			ip[off + 1] = 0;	/* AH: (0 + 2) * 4 = 8 */
		off += 8;
	}
	*nhp = proto;
	put16(ip + 4, (uint16_t)(off - 40 + l4len));
	f->l4 = l3 + off;
	f->len = f->l4 + l4len;
}

#endif /* XF_TEST_FRAMES_H */
