// SPDX-License-Identifier: GPL-2.0
/*
 * The page walk and its TLB (userspace/lib/mem_pt.c) over a made-up
 * backend: eight frames, one 4-level table mapping one kernel page. What
 * the TLB must never do: answer for a non-canonical address that shares
 * the cached page's bits 47..12, or keep a translation across a flush,
 * including when the flush generations run out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "tap.h"

#define VA 0xffff888000123000ULL	/* a direct-map page */
#define ALIAS (VA & 0x0000ffffffffffffULL)	/* bits 47..12 alike */

enum { PML4 = 1, PDPT, PD, PT, DATA_A, DATA_B, NFRAMES };

struct fake {
	struct xf_mem m;
	uint64_t frames[NFRAMES][XF_PAGE_SIZE / 8];
	unsigned int reads;
};

static int fake_read(struct xf_mem *m, uint64_t frame, uint32_t off,
		     void *buf, uint32_t len)
{
	struct fake *f = (struct fake *)m;

	if (frame >= NFRAMES || off + len > XF_PAGE_SIZE)
		return -EFAULT;
	f->reads++;
	memcpy(buf, (uint8_t *)f->frames[frame] + off, len);
	return 0;
}

static void fake_close(struct xf_mem *m)
{
	free(m);
}

static const struct xf_mem_ops fake_ops = { fake_read, fake_close };

static unsigned int idx(uint64_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

int main(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	uint64_t frame = 0, gen_max = ~0ULL >> XF_MEM_TLB_VPN_BITS;
	unsigned int reads;
	char buf[8];

	if (!f)
		return 1;
	f->m.ops = &fake_ops;
	f->m.root = (uint64_t)PML4 << 12;
	f->frames[PML4][idx(VA, 3)] = (uint64_t)PDPT << 12 | 1;
	f->frames[PDPT][idx(VA, 2)] = (uint64_t)PD << 12 | 1;
	f->frames[PD][idx(VA, 1)] = (uint64_t)PT << 12 | 1;
	f->frames[PT][idx(VA, 0)] = (uint64_t)DATA_A << 12 | 1;
	memcpy(f->frames[DATA_A], "frame-A", 8);
	memcpy(f->frames[DATA_B], "frame-B", 8);
	xf_mem_tlb_flush(&f->m);

	is(xf_mem_translate(&f->m, VA, &frame), 0, "the mapped page translates");
	is(frame, DATA_A, "to its frame");
	reads = f->reads;
	is(xf_mem_translate(&f->m, VA + 0x10, &frame), 0, "again, same page");
	is(f->reads - reads, 0, "from the TLB: no table read");

	is(xf_mem_translate(&f->m, ALIAS, &frame), -EFAULT,
	   "its non-canonical alias is refused, though the TLB holds the page");
	is(xf_mem_read(&f->m, ALIAS, buf, 8), -EFAULT,
	   "and reading through it too");

	/* The guest remaps the page: the TLB keeps it until a flush. */
	f->frames[PT][idx(VA, 0)] = (uint64_t)DATA_B << 12 | 1;
	xf_mem_translate(&f->m, VA, &frame);
	is(frame, DATA_A, "before a flush, the cached translation");
	xf_mem_tlb_flush(&f->m);
	is(xf_mem_read(&f->m, VA, buf, 8), 0, "after a flush, read again");
	ok(!memcmp(buf, "frame-B", 8), "through the new mapping (%.7s)", buf);

	/* The last generation, then the wrap: a full clear, never reuse. */
	f->m.tlb_gen = gen_max - 1;
	xf_mem_tlb_flush(&f->m);
	is(f->m.tlb_gen, gen_max, "generations count up to the last one");
	xf_mem_translate(&f->m, VA, &frame);
	f->frames[PT][idx(VA, 0)] = (uint64_t)DATA_A << 12 | 1;
	xf_mem_tlb_flush(&f->m);
	is(f->m.tlb_gen, 1, "then start again at 1");
	is(xf_mem_translate(&f->m, VA, &frame), 0, "after the wrap");
	is(frame, DATA_A, "the new mapping, not the last generation's");

	/* A non-present entry: no translation, nothing cached. */
	f->frames[PT][idx(VA, 0)] = 0;
	xf_mem_tlb_flush(&f->m);
	is(xf_mem_translate(&f->m, VA, &frame), -EFAULT, "a non-present page faults");
	reads = f->reads;
	xf_mem_translate(&f->m, VA, &frame);
	ok(f->reads > reads, "and is walked again next time (not cached)");

	xf_mem_close(&f->m);
	return tap_done();
}
