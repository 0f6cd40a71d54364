// SPDX-License-Identifier: GPL-2.0
/*
 * Just enough ELF64 (little-endian, x86_64) to find sections and map
 * virtual addresses to file offsets in a vmlinux. Every header, table and
 * string is bounds-checked against the buffer: the image is untrusted.
 */
#include <elf.h>
#include <string.h>

#include "profile.h"

/* off + len lies inside the buffer (overflow-safe). */
static bool in_buf(const struct xf_buf *b, uint64_t off, uint64_t len)
{
	return off <= b->len && len <= b->len - off;
}

/*
 * Headers are copied out rather than cast in place: a hostile file may put
 * its tables at unaligned offsets.
 */
static Elf64_Ehdr ehdr_copy(const struct xf_buf *b)
{
	Elf64_Ehdr h;

	memcpy(&h, b->data, sizeof(h));
	return h;
}

int xf_elf_check(const struct xf_buf *b, struct xf_perr *e)
{
	Elf64_Ehdr hdr, *h = &hdr;

	if (b->len < sizeof(*h) || memcmp(b->data, ELFMAG, SELFMAG)) {
		xf_perr_set(e, "not an ELF file");
		return -1;
	}
	hdr = ehdr_copy(b);
	if (h->e_ident[EI_CLASS] != ELFCLASS64 ||
	    h->e_ident[EI_DATA] != ELFDATA2LSB || h->e_machine != EM_X86_64) {
		xf_perr_set(e, "ELF is not x86_64 little-endian 64-bit");
		return -1;
	}
	if (h->e_shentsize != sizeof(Elf64_Shdr) ||
	    !in_buf(b, h->e_shoff, (uint64_t)h->e_shnum * sizeof(Elf64_Shdr)) ||
	    h->e_shstrndx >= h->e_shnum) {
		xf_perr_set(e, "ELF section header table is malformed");
		return -1;
	}
	if (h->e_phnum && (h->e_phentsize != sizeof(Elf64_Phdr) ||
			   !in_buf(b, h->e_phoff,
				   (uint64_t)h->e_phnum * sizeof(Elf64_Phdr)))) {
		xf_perr_set(e, "ELF program header table is malformed");
		return -1;
	}
	return 0;
}

/* Callers have passed xf_elf_check(), so i < e_shnum/e_phnum is in range. */
static Elf64_Shdr shdr(const struct xf_buf *b, unsigned int i)
{
	Elf64_Shdr sh;

	memcpy(&sh, b->data + ehdr_copy(b).e_shoff + i * sizeof(sh), sizeof(sh));
	return sh;
}

static Elf64_Phdr phdr(const struct xf_buf *b, unsigned int i)
{
	Elf64_Phdr ph;

	memcpy(&ph, b->data + ehdr_copy(b).e_phoff + i * sizeof(ph), sizeof(ph));
	return ph;
}

bool xf_elf_section(const struct xf_buf *b, const char *name,
		    struct xf_elf_sect *s)
{
	Elf64_Ehdr h = ehdr_copy(b);
	Elf64_Shdr strtab = shdr(b, h.e_shstrndx), *strs = &strtab;
	size_t want = strlen(name) + 1;
	unsigned int i;

	if (!in_buf(b, strs->sh_offset, strs->sh_size))
		return false;
	for (i = 0; i < h.e_shnum; i++) {
		Elf64_Shdr shc = shdr(b, i), *sh = &shc;

		if (sh->sh_name >= strs->sh_size ||
		    strs->sh_size - sh->sh_name < want ||
		    memcmp(b->data + strs->sh_offset + sh->sh_name, name, want))
			continue;
		if (sh->sh_type == SHT_NOBITS ||
		    !in_buf(b, sh->sh_offset, sh->sh_size))
			return false;
		s->addr = sh->sh_addr;
		s->off = sh->sh_offset;
		s->size = sh->sh_size;
		return true;
	}
	return false;
}

bool xf_elf_va_to_off(const struct xf_buf *b, uint64_t va, uint64_t len,
		      uint64_t *off)
{
	unsigned int i, n = ehdr_copy(b).e_phnum;

	for (i = 0; i < n; i++) {
		Elf64_Phdr phc = phdr(b, i), *ph = &phc;

		if (ph->p_type != PT_LOAD || va < ph->p_vaddr ||
		    va - ph->p_vaddr > ph->p_filesz ||
		    len > ph->p_filesz - (va - ph->p_vaddr))
			continue;
		if (!in_buf(b, ph->p_offset + (va - ph->p_vaddr), len))
			return false;
		*off = ph->p_offset + (va - ph->p_vaddr);
		return true;
	}
	return false;
}

bool xf_elf_off_to_va(const struct xf_buf *b, uint64_t off, uint64_t *va)
{
	unsigned int i, n = ehdr_copy(b).e_phnum;

	for (i = 0; i < n; i++) {
		Elf64_Phdr phc = phdr(b, i), *ph = &phc;

		if (ph->p_type != PT_LOAD || off < ph->p_offset ||
		    off - ph->p_offset >= ph->p_filesz)
			continue;
		*va = ph->p_vaddr + (off - ph->p_offset);
		return true;
	}
	return false;
}

bool xf_elf_kernel_map(const struct xf_buf *b, uint64_t *map)
{
	unsigned int i, n = ehdr_copy(b).e_phnum;

	for (i = 0; i < n; i++) {
		Elf64_Phdr phc = phdr(b, i), *ph = &phc;

		if (ph->p_type == PT_LOAD && ph->p_vaddr > ph->p_paddr) {
			*map = ph->p_vaddr - ph->p_paddr;
			return true;
		}
	}
	return false;
}
