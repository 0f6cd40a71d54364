// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-virtual reads over a frame reader: an x86-64 4-level page walk
 * from CR3 (1 GiB and 2 MiB pages included), cached per 4 KiB page in a
 * direct-mapped TLB that a new generation flushes. Entries come from the
 * guest: the walk takes only the 40 frame bits (no reserved bits, no
 * NX/PAT confusion) and gives up on a non-present entry; it has exactly
 * four steps, so it always ends.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define PTE_P 0x1ULL
#define PTE_PS 0x80ULL
#define PTE_ADDR 0x000ffffffffff000ULL

#define TLB_VPN_MASK ((1ULL << XF_MEM_TLB_VPN_BITS) - 1)
#define TLB_GEN_MAX (~0ULL >> XF_MEM_TLB_VPN_BITS)

static bool canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

void xf_mem_tlb_flush(struct xf_mem *m)
{
	if (m->tlb_gen && m->tlb_gen < TLB_GEN_MAX) {
		m->tlb_gen++;
		return;
	}
	/* First use, or the generations ran out: tag 0 matches nothing. */
	memset(m->tlb, 0, sizeof(m->tlb));
	m->tlb_gen = 1;
}

static int pt_entry(struct xf_mem *m, uint64_t table, unsigned int idx,
		    uint64_t *e)
{
	return m->ops->read_frame(m, table >> 12, idx * 8, e, 8);
}

static int pt_walk(struct xf_mem *m, uint64_t va, uint64_t *frame)
{
	uint64_t e, table = m->root & PTE_ADDR;
	int level;

	for (level = 3; level >= 0; level--) {
		unsigned int idx = (va >> (12 + 9 * level)) & 511;

		if (pt_entry(m, table, idx, &e))
			return -EFAULT;
		if (!(e & PTE_P))
			return -EFAULT;
		if ((level == 2 || level == 1) && (e & PTE_PS)) {
			uint64_t span = 1ULL << (12 + 9 * level);
			uint64_t base = e & PTE_ADDR & ~(span - 1);

			*frame = (base + (va & (span - 1))) >> 12;
			return 0;
		}
		table = e & PTE_ADDR;
	}
	*frame = table >> 12;
	return 0;
}

int xf_mem_translate(struct xf_mem *m, uint64_t va, uint64_t *frame)
{
	uint64_t vpn = (va >> 12) & TLB_VPN_MASK;
	uint64_t tag = vpn | m->tlb_gen << XF_MEM_TLB_VPN_BITS;
	struct xf_mem_tlb *t = &m->tlb[vpn & (XF_MEM_TLB - 1)];
	int r;

	/* Never mapped; and the tag holds only bits 47..12, which a
	 * non-canonical va would share with a canonical one. */
	if (!canonical(va))
		return -EFAULT;
	if (t->tag == tag) {
		m->stats_hits++;
		*frame = t->frame;
		return 0;
	}
	m->stats_walks++;
	r = pt_walk(m, va, frame);
	if (r)
		return r;
	t->tag = tag;
	t->frame = *frame;
	return 0;
}

int xf_mem_read(void *ctx, uint64_t va, void *buf, uint32_t len)
{
	struct xf_mem *m = ctx;
	uint8_t *out = buf;

	while (len) {
		uint32_t off = va & (XF_PAGE_SIZE - 1);
		uint32_t n = XF_PAGE_SIZE - off < len ? XF_PAGE_SIZE - off : len;
		uint64_t frame;

		if (xf_mem_translate(m, va, &frame))
			return -EFAULT;
		if (m->ops->read_frame(m, frame, off, out, n))
			return -EFAULT;
		va += n;
		out += n;
		len -= n;
	}
	return 0;
}

void xf_mem_close(struct xf_mem *m)
{
	if (m && m->ops->close)
		m->ops->close(m);
}
