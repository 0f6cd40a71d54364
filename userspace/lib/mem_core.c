// SPDX-License-Identifier: GPL-2.0
/*
 * ELF core files as guest memory, read-only through mmap:
 *
 *  - QEMU `dump-guest-memory` (ELF ET_CORE): guest-physical memory in
 *    PT_LOAD segments (p_paddr), one "QEMU" note per vCPU holding a
 *    QEMUCPUState with CR3, and a VMCOREINFO note if the guest had one.
 *  - `xl dump-core`: section-based; .xen_pages holds the pages in the
 *    order of .xen_p2m ({pfn, mfn} pairs: PV, page tables hold MFNs) or
 *    .xen_pfn (HVM, frame = pfn); .xen_prstatus holds one
 *    vcpu_guest_context per vCPU, ctrlreg[3] the page-table root.
 *
 * The file is hostile too: every header, note and table is bounds-checked
 * against the mapping before use.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"

/* QEMUCPUState (qemu target/i386/arch_dump.c): version, size, 18 GPRs,
 * 10 segment descriptors of 24 bytes, then cr[5]. */
#define QEMU_CPUSTATE_CR3 (8 + 18 * 8 + 10 * 24 + 3 * 8)
/* vcpu_guest_context (x86_64): fpu_ctxt[512], flags, cpu_user_regs (200),
 * trap_ctxt[256] (16 each), ldt_base, ldt_ents, gdt_frames[16], gdt_ents,
 * kernel_ss, kernel_sp, then ctrlreg[8]. */
#define XEN_CTX_CR3 (512 + 8 + 200 + 256 * 16 + 2 * 8 + 16 * 8 + 8 + 2 * 8 + 3 * 8)
#define XEN_CTX_SIZE 5168

struct core_seg {
	uint64_t paddr, size, off;
};

struct core_frame {
	uint64_t frame, index;
};

struct mem_core {
	struct xf_mem m;
	const uint8_t *map;
	size_t len;
	/* QEMU: physical segments, sorted by paddr */
	struct core_seg *segs;
	size_t nsegs;
	/* xl: frame -> page index, sorted by frame */
	struct core_frame *frames;
	size_t nframes;
	uint64_t pages_off;
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

static bool in_file(const struct mem_core *c, uint64_t off, uint64_t len)
{
	return off <= c->len && len <= c->len - off;
}

static int qemu_read_frame(struct xf_mem *m, uint64_t frame, uint32_t off,
			   void *buf, uint32_t len)
{
	struct mem_core *c = (struct mem_core *)m;
	uint64_t pa = (frame << 12) + off;
	size_t lo = 0, hi = c->nsegs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct core_seg *s = &c->segs[mid];

		if (pa < s->paddr) {
			hi = mid;
		} else if (pa - s->paddr >= s->size) {
			lo = mid + 1;
		} else {
			if (len > s->size - (pa - s->paddr))
				return -EFAULT;
			memcpy(buf, c->map + s->off + (pa - s->paddr), len);
			return 0;
		}
	}
	return -EFAULT;
}

static int xl_read_frame(struct xf_mem *m, uint64_t frame, uint32_t off,
			 void *buf, uint32_t len)
{
	struct mem_core *c = (struct mem_core *)m;
	size_t lo = 0, hi = c->nframes;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (frame < c->frames[mid].frame) {
			hi = mid;
		} else if (frame > c->frames[mid].frame) {
			lo = mid + 1;
		} else {
			memcpy(buf, c->map + c->pages_off +
			       c->frames[mid].index * XF_PAGE_SIZE + off, len);
			return 0;
		}
	}
	return -EFAULT;
}

static void core_close(struct xf_mem *m)
{
	struct mem_core *c = (struct mem_core *)m;

	munmap((void *)c->map, c->len);
	free(c->segs);
	free(c->frames);
	free(c);
}

static const struct xf_mem_ops qemu_ops = { qemu_read_frame, core_close };
static const struct xf_mem_ops xl_ops = { xl_read_frame, core_close };

static int cmp_seg(const void *a, const void *b)
{
	const struct core_seg *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

static int cmp_frame(const void *a, const void *b)
{
	const struct core_frame *x = a, *y = b;

	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static void add_cr3(struct xf_mem *m, uint64_t cr3)
{
	unsigned int i;

	cr3 &= 0x000ffffffffff000ULL;
	if (!cr3)
		return;
	for (i = 0; i < m->nr_cr3; i++)
		if (m->cr3[i] == cr3)
			return;
	if (m->nr_cr3 < 4)
		m->cr3[m->nr_cr3++] = cr3;
}

/* "KERNELOFFSET=1c000000" in VMCOREINFO's text. */
static void parse_vmcoreinfo(struct xf_mem *m, const char *p, size_t len)
{
	static const char key[] = "KERNELOFFSET=";
	size_t i;

	for (i = 0; i + sizeof(key) - 1 < len; i++) {
		if ((i == 0 || p[i - 1] == '\n') &&
		    !memcmp(p + i, key, sizeof(key) - 1)) {
			char tmp[24];
			size_t j, k = i + sizeof(key) - 1;

			for (j = 0; j < sizeof(tmp) - 1 && k + j < len &&
			     p[k + j] != '\n'; j++)
				tmp[j] = p[k + j];
			tmp[j] = 0;
			m->kernel_offset = strtoull(tmp, NULL, 16);
			m->have_kernel_offset = true;
			return;
		}
	}
}

static void qemu_notes(struct mem_core *c, uint64_t off, uint64_t size)
{
	uint64_t end = off + size;

	while (off + 12 <= end) {
		const uint32_t *h = (const uint32_t *)(c->map + off);
		uint64_t namesz = h[0], descsz = h[1];
		uint32_t type = h[2];
		uint64_t name = off + 12;
		uint64_t desc = name + ((namesz + 3) & ~3ULL);
		uint64_t next = desc + ((descsz + 3) & ~3ULL);

		if (next > end || next <= off)
			return;
		if (namesz == 5 && !memcmp(c->map + name, "QEMU", 5) && type == 0 &&
		    descsz >= QEMU_CPUSTATE_CR3 + 8) {
			uint64_t cr3;

			memcpy(&cr3, c->map + desc + QEMU_CPUSTATE_CR3, 8);
			add_cr3(&c->m, cr3);
		} else if (namesz == 11 && !memcmp(c->map + name, "VMCOREINFO", 11)) {
			parse_vmcoreinfo(&c->m, (const char *)c->map + desc, descsz);
		}
		off = next;
	}
}

static int open_qemu(struct mem_core *c, const Elf64_Ehdr *eh, char *err,
		     size_t errlen)
{
	size_t i;

	if (eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !in_file(c, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr))) {
		seterr(err, errlen, "bad program header table");
		return -EINVAL;
	}
	c->segs = calloc(eh->e_phnum ? eh->e_phnum : 1, sizeof(*c->segs));
	if (!c->segs)
		return -ENOMEM;
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(c->map + eh->e_phoff) + i;

		if (!in_file(c, ph->p_offset, ph->p_filesz))
			continue;	/* truncated dump: keep what is there */
		if (ph->p_type == PT_NOTE)
			qemu_notes(c, ph->p_offset, ph->p_filesz);
		else if (ph->p_type == PT_LOAD && ph->p_filesz)
			c->segs[c->nsegs++] = (struct core_seg){ ph->p_paddr,
				ph->p_filesz, ph->p_offset };
	}
	if (!c->nsegs) {
		seterr(err, errlen, "no memory (PT_LOAD) segments");
		return -EINVAL;
	}
	qsort(c->segs, c->nsegs, sizeof(*c->segs), cmp_seg);
	for (i = 1; i < c->nsegs; i++)
		if (c->segs[i].paddr < c->segs[i - 1].paddr + c->segs[i - 1].size) {
			seterr(err, errlen, "overlapping memory segments");
			return -EINVAL;
		}
	c->m.ops = &qemu_ops;
	c->m.kind = "qemu-core";
	return 0;
}

static const Elf64_Shdr *xl_section(struct mem_core *c, const Elf64_Ehdr *eh,
				    const char *name)
{
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(c->map + eh->e_shoff);
	const Elf64_Shdr *strs;
	size_t i;

	if (eh->e_shstrndx >= eh->e_shnum)
		return NULL;
	strs = &sh[eh->e_shstrndx];
	if (!in_file(c, strs->sh_offset, strs->sh_size))
		return NULL;
	for (i = 0; i < eh->e_shnum; i++) {
		size_t nlen = strlen(name) + 1;

		if (sh[i].sh_name < strs->sh_size &&
		    nlen <= strs->sh_size - sh[i].sh_name &&
		    !memcmp(c->map + strs->sh_offset + sh[i].sh_name, name, nlen) &&
		    in_file(c, sh[i].sh_offset, sh[i].sh_size))
			return &sh[i];
	}
	return NULL;
}

static int open_xl(struct mem_core *c, const Elf64_Ehdr *eh, char *err,
		   size_t errlen)
{
	const Elf64_Shdr *pages, *p2m, *pfn, *prs;
	size_t i, n;

	pages = xl_section(c, eh, ".xen_pages");
	p2m = xl_section(c, eh, ".xen_p2m");
	pfn = xl_section(c, eh, ".xen_pfn");
	prs = xl_section(c, eh, ".xen_prstatus");
	if (!pages || (!p2m && !pfn)) {
		seterr(err, errlen, "xl dump-core without .xen_pages/.xen_p2m");
		return -EINVAL;
	}
	n = pages->sh_size / XF_PAGE_SIZE;
	if (p2m)
		n = n < p2m->sh_size / 16 ? n : p2m->sh_size / 16;
	else
		n = n < pfn->sh_size / 8 ? n : pfn->sh_size / 8;
	c->frames = calloc(n ? n : 1, sizeof(*c->frames));
	if (!c->frames)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		uint64_t f;

		/* PV page tables hold MFNs: index pages by gmfn. */
		if (p2m)
			memcpy(&f, c->map + p2m->sh_offset + i * 16 + 8, 8);
		else
			memcpy(&f, c->map + pfn->sh_offset + i * 8, 8);
		c->frames[i] = (struct core_frame){ f, i };
	}
	c->nframes = n;
	c->pages_off = pages->sh_offset;
	qsort(c->frames, n, sizeof(*c->frames), cmp_frame);
	c->m.pv = p2m != NULL;
	if (prs) {
		uint64_t esz = prs->sh_entsize >= XEN_CTX_CR3 + 8 ?
			       prs->sh_entsize : XEN_CTX_SIZE;

		for (i = 0; (i + 1) * esz <= prs->sh_size && i < 4; i++) {
			uint64_t cr3;

			memcpy(&cr3, c->map + prs->sh_offset + i * esz +
			       XEN_CTX_CR3, 8);
			/* PV x86_64: xen_pfn_to_cr3(mfn) == mfn << 12 */
			add_cr3(&c->m, cr3);
		}
	}
	c->m.ops = &xl_ops;
	c->m.kind = "xl-core";
	return 0;
}

int xf_mem_core_open(const char *path, struct xf_mem **out, char *err,
		     size_t errlen)
{
	struct mem_core *c;
	const Elf64_Ehdr *eh;
	struct stat st;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		seterr(err, errlen, "%s: not an ELF core (too small)", path);
		close(fd);
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->len = st.st_size;
	c->map = mmap(NULL, c->len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (c->map == MAP_FAILED) {
		seterr(err, errlen, "%s: mmap: %s", path, strerror(errno));
		free(c);
		return -EIO;
	}
	eh = (const Elf64_Ehdr *)c->map;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64) {
		seterr(err, errlen, "%s: not an x86-64 ELF64 core", path);
		r = -EINVAL;
		goto fail;
	}
	xf_mem_tlb_flush(&c->m);
	if (eh->e_shnum && eh->e_shentsize == sizeof(Elf64_Shdr) &&
	    in_file(c, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)) &&
	    xl_section(c, eh, ".xen_pages"))
		r = open_xl(c, eh, err, errlen);
	else if (eh->e_type == ET_CORE)
		r = open_qemu(c, eh, err, errlen);
	else {
		seterr(err, errlen, "%s: neither a QEMU nor an xl core", path);
		r = -EINVAL;
	}
	if (r)
		goto fail;
	if (!c->m.nr_cr3) {
		seterr(err, errlen, "%s: no vCPU state with CR3 in the core", path);
		r = -EINVAL;
		goto fail;
	}
	c->m.root = c->m.cr3[0];
	*out = &c->m;
	return 0;
fail:
	if (err && !err[0])
		seterr(err, errlen, "%s: malformed core", path);
	core_close(&c->m);
	return r;
}
