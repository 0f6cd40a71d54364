/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory backends for the walker (core/vmi.h): a live Xen domain
 * (mem_xen.c: privcmd through libxenforeignmemory) or an ELF core file
 * (mem_core.c: QEMU dump-guest-memory and `xl dump-core`). Each supplies
 * one thing, reading part of a guest frame; mem_pt.c turns that into
 * guest-virtual reads by walking the guest's x86-64 page tables from a
 * CR3, with a small translation cache. mem_kaslr.c finds the kernel's
 * KASLR slide.
 *
 * "Frame" is what the guest's page tables hold: a guest physical frame
 * for HVM guests and QEMU dumps, a machine frame (MFN) for PV guests.
 * Everything read is guest-controlled: the page walk checks every entry,
 * and no read goes outside what the backend really has.
 */
#ifndef XF_USER_MEM_H
#define XF_USER_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfilter/profile.h"

#define XF_PAGE_SIZE 4096U
#define XF_MEM_TLB 65536	/* cached translations (power of two): 1 MiB,
				 * enough for a big guest's kernel working set */
#define XF_MEM_TLB_VPN_BITS 36	/* a canonical va's page: bits 47..12 */

struct xf_mem;

struct xf_mem_ops {
	/* Reads len bytes at off in frame (off + len <= XF_PAGE_SIZE). */
	int (*read_frame)(struct xf_mem *m, uint64_t frame, uint32_t off,
			  void *buf, uint32_t len);
	void (*close)(struct xf_mem *m);
};

struct xf_mem_tlb {
	/*
	 * The page (bits 47..12 of a canonical va) and, above it, the
	 * generation it was filled in: a flush is one increment of
	 * xf_mem.tlb_gen, not 1 MiB of stores on every batch.
	 */
	uint64_t tag;
	uint64_t frame;
};

struct xf_mem {
	const struct xf_mem_ops *ops;
	const char *kind;	/* "qemu-core", "xl-core", "xen" */
	uint64_t cr3[4];	/* candidate page-table roots (byte address) */
	unsigned int nr_cr3;
	uint64_t root;		/* the root in use, one of cr3[] */
	bool pv;		/* page tables hold MFNs */
	/* From a VMCOREINFO note, when the dump has one. */
	bool have_kernel_offset;
	uint64_t kernel_offset;
	uint64_t stats_walks, stats_hits;
	uint64_t stats_maps;	/* frames the backend had to map (xen) */
	uint64_t tlb_gen;	/* 0: never flushed, nothing valid */
	struct xf_mem_tlb tlb[XF_MEM_TLB];
};

/* Common errors are one line in err (may be NULL). */
int xf_mem_core_open(const char *path, struct xf_mem **m, char *err,
		     size_t errlen);
int xf_mem_xen_open(uint32_t domid, struct xf_mem **m, char *err,
		    size_t errlen);
void xf_mem_close(struct xf_mem *m);

/* The walker's read callback: ctx is the struct xf_mem. */
int xf_mem_read(void *ctx, uint64_t va, void *buf, uint32_t len);
/* Guest virtual address -> frame, through the page tables of m->root. */
int xf_mem_translate(struct xf_mem *m, uint64_t va, uint64_t *frame);
void xf_mem_tlb_flush(struct xf_mem *m);

/*
 * KASLR: finds the virtual slide (added to the profile's link addresses)
 * and the page-table root that maps the kernel, checking linux_banner and
 * init_task's comm ("swapper/0"). Uses VMCOREINFO's KERNELOFFSET first
 * when present.
 */
int xf_mem_find_slide(struct xf_mem *m, const struct xf_profile *p,
		      uint64_t *slide, char *err, size_t errlen);

/*
 * Resolves a domid, a domain name or a UUID through xenstore: 0, or
 * -ENOENT (no such running domain), -EEXIST (ambiguous), -EIO, -EINVAL.
 */
int xf_xen_resolve_domain(const char *token, uint32_t *domid, char *err,
			  size_t errlen);
/* A domid's name and UUID (xenstore): 0, or -errno (-ENOENT: no UUID). */
int xf_xen_domain_identity(uint32_t domid, char *name, size_t namelen,
			   char *uuid, size_t uuidlen);

#endif /* XF_USER_MEM_H */
