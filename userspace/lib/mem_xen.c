// SPDX-License-Identifier: GPL-2.0
/*
 * A live Xen domain as guest memory, from dom0: frames are mapped read-only
 * through privcmd (libxenforeignmemory) and kept mapped in a 4-way
 * set-associative cache with LRU replacement, bounded per process. A map
 * and its later unmap are hypercalls and a TLB flush (about 300 us each
 * under TCG), and the walker touches the same few hundred pages (page
 * tables, the socket hashes, the tasks) on every batch: with a
 * direct-mapped cache two of them sharing a slot were mapped again on
 * every batch. The page-table roots are the vCPUs' CR3s (libxenctrl);
 * for a PV guest they and every page-table entry hold MFNs, which
 * xenforeignmemory_map() takes as they are; for HVM they hold GFNs, which
 * it takes too. So mem_pt.c walks both kinds the same way.
 *
 * The guest runs while we read it: a frame may be freed and reused under
 * us. Reads are of a snapshot that may be torn; the walker's checks catch
 * the result, and its tasklist_lock check catches the common race.
 */
#define __XEN_TOOLS__ 1
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenctrl.h>
#include <xenforeignmemory.h>

#include "mem.h"

/*
 * Frames kept mapped: 4 MiB of dom0 address space per guest at most, and
 * as many guest pages a PV guest cannot hand back to Xen while we hold
 * them. Each mapping is a VMA of its own, and the kernel allows a process
 * 65,530 by default (vm.max_map_count), the rest of xfilterd included:
 * past XEN_MAP_ALL_MAX in the whole process (48 guests whose caches are
 * full; a lookup's working set is a few hundred frames) a miss takes the
 * place of a mapped frame of its set, or, in a set with none, is read
 * through a mapping of its own, unmapped at once: slower (a map and an
 * unmap per read), never a failure.
 */
#define XEN_MAP_SETS 256	/* power of two */
#define XEN_MAP_WAYS 4
#define XEN_MAP_ALL_MAX 49152

static unsigned long xen_mapped_all;	/* atomic: xfilterd's threads */

struct xen_map {
	uint64_t frame;		/* ~0 when empty */
	uint64_t used;		/* mem_xen.clock at the last read */
	void *addr;
};

struct mem_xen {
	struct xf_mem m;
	xc_interface *xch;
	xenforeignmemory_handle *fmem;
	uint32_t domid;
	uint64_t clock;
	struct xen_map cache[XEN_MAP_SETS][XEN_MAP_WAYS];
};

static void seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static int xen_read_frame(struct xf_mem *m, uint64_t frame, uint32_t off,
			  void *buf, uint32_t len)
{
	struct mem_xen *x = (struct mem_xen *)m;
	/* Fibonacci hashing: frames a stride apart spread over the sets. */
	struct xen_map *set = x->cache[(frame * 0x9e3779b97f4a7c15ULL) >>
				       (64 - __builtin_ctz(XEN_MAP_SETS))];
	struct xen_map *c, *empty = NULL, *lru = NULL;
	xen_pfn_t pfn = frame;
	int merr = 0, i;
	void *addr;

	if (off > XF_PAGE_SIZE || len > XF_PAGE_SIZE - off)
		return -EINVAL;
	for (i = 0; i < XEN_MAP_WAYS; i++) {
		c = &set[i];
		if (c->frame == frame)
			goto hit;
		if (!c->addr) {
			if (!empty)
				empty = c;
		} else if (!lru || c->used < lru->used) {
			lru = c;	/* the least recently read */
		}
	}
	/*
	 * An empty way while there is room for one more mapping, else the
	 * set's least recently read one, if any (none: not kept).
	 */
	if (empty && __atomic_load_n(&xen_mapped_all, __ATOMIC_RELAXED) <
		     XEN_MAP_ALL_MAX)
		c = empty;
	else
		c = lru;
	addr = xenforeignmemory_map(x->fmem, x->domid, PROT_READ, 1, &pfn,
				    &merr);
	if (!addr)
		return -EFAULT;
	m->stats_maps++;
	if (merr || !c) {
		if (!merr)
			memcpy(buf, (const uint8_t *)addr + off, len);
		xenforeignmemory_unmap(x->fmem, addr, 1);
		return merr ? -EFAULT : 0;
	}
	if (c->addr)
		xenforeignmemory_unmap(x->fmem, c->addr, 1);
	else
		__atomic_fetch_add(&xen_mapped_all, 1, __ATOMIC_RELAXED);
	c->addr = addr;
	c->frame = frame;
hit:
	c->used = ++x->clock;
	memcpy(buf, (const uint8_t *)c->addr + off, len);
	return 0;
}

static void xen_close(struct xf_mem *m)
{
	struct mem_xen *x = (struct mem_xen *)m;
	unsigned int i, w;

	for (i = 0; i < XEN_MAP_SETS; i++)
		for (w = 0; w < XEN_MAP_WAYS; w++)
			if (x->cache[i][w].addr) {
				xenforeignmemory_unmap(x->fmem,
						       x->cache[i][w].addr, 1);
				__atomic_fetch_sub(&xen_mapped_all, 1,
						   __ATOMIC_RELAXED);
			}
	if (x->fmem)
		xenforeignmemory_close(x->fmem);
	if (x->xch)
		xc_interface_close(x->xch);
	free(x);
}

static const struct xf_mem_ops xen_ops = { xen_read_frame, xen_close };

int xf_mem_xen_open(uint32_t domid, struct xf_mem **out, char *err,
		    size_t errlen)
{
	struct mem_xen *x;
	xc_domaininfo_t info;	/* xc_dominfo_t and xc_domain_getinfo() left in 4.18 */
	unsigned int v;

	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->m.ops = &xen_ops;
	x->m.kind = "xen";
	x->domid = domid;
	for (v = 0; v < XEN_MAP_SETS * XEN_MAP_WAYS; v++)
		x->cache[v / XEN_MAP_WAYS][v % XEN_MAP_WAYS].frame = ~0ULL;
	xf_mem_tlb_flush(&x->m);
	x->xch = xc_interface_open(NULL, NULL, 0);
	if (!x->xch) {
		seterr(err, errlen, "cannot open libxenctrl (not dom0, or privcmd missing): %s",
		       strerror(errno));
		goto fail;
	}
	x->fmem = xenforeignmemory_open(NULL, 0);
	if (!x->fmem) {
		seterr(err, errlen, "cannot open xenforeignmemory: %s", strerror(errno));
		goto fail;
	}
	/* The first domain from domid on: Xen 4.17 to 4.20 have this call. */
	if (xc_domain_getinfolist(x->xch, domid, 1, &info) != 1 || info.domain != domid) {
		seterr(err, errlen, "no domain with id %u", domid);
		goto fail;
	}
	x->m.pv = !(info.flags & XEN_DOMINF_hvm_guest);
	for (v = 0; v <= info.max_vcpu_id && x->m.nr_cr3 < 4; v++) {
		vcpu_guest_context_any_t ctx;
		uint64_t cr3;

		if (xc_vcpu_getcontext(x->xch, domid, v, &ctx))
			continue;
		cr3 = ctx.x64.ctrlreg[3];
		/* PV: xen_pfn_to_cr3() is mfn << 12 on x86_64 (identity). */
		cr3 &= 0x000ffffffffff000ULL;
		if (cr3)
			x->m.cr3[x->m.nr_cr3++] = cr3;
	}
	if (!x->m.nr_cr3) {
		seterr(err, errlen, "domain %u: no vCPU context with a page-table root", domid);
		goto fail;
	}
	x->m.root = x->m.cr3[0];
	*out = &x->m;
	return 0;
fail:
	xen_close(&x->m);
	return -1;
}
