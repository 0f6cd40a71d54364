// SPDX-License-Identifier: GPL-2.0
/*
 * KASLR: the guest kernel runs at its link address plus a slide that we
 * must find, never assume. x86-64 slides the image in 2 MiB steps
 * (CONFIG_PHYSICAL_ALIGN) within the 1 GiB kernel image area, so there are
 * at most 512 candidates; each is checked the way Volatility does:
 * linux_banner must read as the profile's banner at the slid address, and
 * init_task's comm must be "swapper/0" (or "swapper"). VMCOREINFO's
 * KERNELOFFSET, when the dump has it, is tried first.
 *
 * The physical slide needs no search: addresses are translated through
 * the guest's own page tables. The right root is one of the vCPUs' CR3s;
 * with PTI a vCPU caught in user mode holds the user copy (bit 12 set),
 * which maps almost no kernel, so the kernel copy is tried as well.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

#define KASLR_ALIGN 0x200000ULL
#define KASLR_RANGE 0x40000000ULL

static bool banner_at(struct xf_mem *m, const struct xf_profile *p,
		      uint64_t slide)
{
	char buf[XF_PROFILE_BANNER_LEN];
	uint32_t n = p->banner_len;

	if (n == 0 || n >= sizeof(buf))
		n = strnlen(p->banner, sizeof(p->banner) - 1);
	if (n == 0)
		return false;
	if (xf_mem_read(m, p->sym.linux_banner + slide, buf, n))
		return false;
	return !memcmp(buf, p->banner, n);
}

static bool swapper_at(struct xf_mem *m, const struct xf_profile *p,
		       uint64_t slide)
{
	char comm[16] = "";

	if (!xf_member_present(&p->task.comm) || !p->sym.init_task)
		return true;	/* nothing to check with */
	if (xf_mem_read(m, p->sym.init_task + slide + p->task.comm.off, comm,
			sizeof(comm) - 1))
		return false;
	return !strncmp(comm, "swapper/0", 10) || !strncmp(comm, "swapper", 8);
}

static bool slide_ok(struct xf_mem *m, const struct xf_profile *p,
		     uint64_t slide)
{
	return banner_at(m, p, slide) && swapper_at(m, p, slide);
}

static bool try_root(struct xf_mem *m, const struct xf_profile *p,
		     uint64_t root, uint64_t *slide)
{
	uint64_t s;

	m->root = root;
	xf_mem_tlb_flush(m);
	if (m->have_kernel_offset && slide_ok(m, p, m->kernel_offset)) {
		*slide = m->kernel_offset;
		return true;
	}
	for (s = 0; s < KASLR_RANGE; s += KASLR_ALIGN) {
		if (slide_ok(m, p, s)) {
			*slide = s;
			return true;
		}
	}
	return false;
}

int xf_mem_find_slide(struct xf_mem *m, const struct xf_profile *p,
		      uint64_t *slide, char *err, size_t errlen)
{
	unsigned int i;

	if (!p->sym.linux_banner) {
		snprintf(err, errlen, "profile has no linux_banner: cannot find the KASLR slide");
		return -1;
	}
	for (i = 0; i < m->nr_cr3; i++) {
		if (try_root(m, p, m->cr3[i], slide))
			return 0;
		/* PTI: the kernel half lives in the other 4 KiB of an 8 KiB pgd */
		if ((m->cr3[i] & 0x1000) && try_root(m, p, m->cr3[i] & ~0x1000ULL, slide))
			return 0;
	}
	snprintf(err, errlen,
		 "kernel not found in guest memory: the banner of %s is at no KASLR slide (wrong kernel for this guest?)",
		 p->release[0] ? p->release : "the profile's kernel");
	return -1;
}
