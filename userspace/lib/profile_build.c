// SPDX-License-Identifier: GPL-2.0
/*
 * xf_profile_build(): kernel file (+ optional symbol list, raw BTF) in,
 * struct xf_profile out.
 *
 * Symbols come from the image's kallsyms unless a System.map/kallsyms
 * copy is given. Whatever the source, if the image has __ksymtab the
 * exported ones among our symbols are compared with it: a wrong kallsyms
 * guess, or a System.map from another build, is an error, never a
 * profile that points the walker at the wrong memory.
 */
#include <stdio.h>
#include <string.h>

#include "profile.h"

#define X86_64_START_KERNEL_MAP	0xffffffff80000000ull
#define BANNER_PREFIX		"Linux version "

static uint64_t *sym_slot(struct xf_profile *p, const struct xf_sym_field *sf)
{
	return (uint64_t *)((uint8_t *)p + sf->prof_off);
}

int xf_profile_fill_syms(struct xf_profile *p, struct xf_symtab *t,
			 struct xf_perr *e)
{
	char missing[sizeof(e->msg) - 64] = "";
	size_t i;

	for (i = 0; i < xf_nr_sym_fields; i++) {
		const struct xf_sym_field *sf = &xf_sym_fields[i];
		uint64_t addr = 0;
		int r = xf_symtab_lookup(t, sf->name, &addr);
		size_t used = strlen(missing);

		*sym_slot(p, sf) = r ? 0 : addr;
		if ((!r && addr) || (sf->flags & XF_FIELD_OPTIONAL))
			continue;
		snprintf(missing + used, sizeof(missing) - used, "%s%s%s",
			 used ? ", " : "", sf->name,
			 r == -2 ? " (ambiguous)" : "");
	}
	if (missing[0]) {
		xf_perr_set(e, "symbols not found: %s", missing);
		return -1;
	}
	return 0;
}

/* Compare with the exported symbols; counts how many were checked. */
static int crosscheck_ksymtab(const struct xf_buf *elf, struct xf_profile *p,
			      struct xf_perr *e)
{
	struct xf_symtab ks = { 0 };
	struct xf_perr kerr;
	size_t i, checked = 0;

	if (xf_ksymtab_read(elf, &ks, &kerr))
		return 0;	/* nothing exported: nothing to compare */
	for (i = 0; i < xf_nr_sym_fields; i++) {
		uint64_t want, have = *sym_slot(p, &xf_sym_fields[i]);

		if (!have || xf_symtab_lookup(&ks, xf_sym_fields[i].name, &want))
			continue;
		if (want != have) {
			xf_perr_set(e, "symbol %s: %#llx from the symbol source but %#llx in __ksymtab (symbols from another build?)",
				    xf_sym_fields[i].name,
				    (unsigned long long)have,
				    (unsigned long long)want);
			xf_symtab_free(&ks);
			return -1;
		}
		checked++;
	}
	xf_symtab_free(&ks);
	if (checked)
		p->flags |= XF_PROFILE_F_KSYMTAB;
	return 0;
}

/* linux_banner's bytes and the release in it, for KASLR checks. */
static int fill_banner(const struct xf_buf *elf, struct xf_profile *p,
		       struct xf_perr *e)
{
	const char *s, *rel;
	uint64_t off, avail;
	size_t len, rlen;

	if (!xf_elf_va_to_off(elf, p->sym.linux_banner, 1, &off)) {
		xf_perr_set(e, "linux_banner %#llx is not in the image",
			    (unsigned long long)p->sym.linux_banner);
		return -1;
	}
	s = (const char *)elf->data + off;
	avail = elf->len - off;
	len = strnlen(s, avail < XF_PROFILE_BANNER_LEN - 1 ? avail
						      : XF_PROFILE_BANNER_LEN - 1);
	if (len < sizeof(BANNER_PREFIX) ||
	    memcmp(s, BANNER_PREFIX, sizeof(BANNER_PREFIX) - 1)) {
		xf_perr_set(e, "linux_banner does not read \"" BANNER_PREFIX "...\"");
		return -1;
	}
	memcpy(p->banner, s, len);
	p->banner[len] = 0;
	p->banner_len = (uint32_t)len;
	rel = p->banner + sizeof(BANNER_PREFIX) - 1;
	rlen = strcspn(rel, " \n");
	if (rlen == 0 || rlen >= XF_PROFILE_RELEASE_LEN) {
		xf_perr_set(e, "linux_banner holds no kernel release");
		return -1;
	}
	memcpy(p->release, rel, rlen);
	p->release[rlen] = 0;
	return 0;
}

static int symbols_from(const struct xf_profile_src *src,
			const struct xf_buf *elf, struct xf_profile *p,
			struct xf_perr *e)
{
	struct xf_symtab t = { 0 };
	int ret;

	if (src->system_map) {
		struct xf_buf text;

		if (xf_buf_read_file(&text, src->system_map, e))
			return -1;
		ret = xf_sysmap_parse(&text, &t, e);
		xf_buf_free(&text);
		if (ret) {
			struct xf_perr inner = *e;

			xf_perr_set(e, "%s: %s", src->system_map, inner.msg);
			goto out;
		}
		p->flags |= XF_PROFILE_F_SYSTEM_MAP;
	} else if (!elf) {
		xf_perr_set(e, "%s is raw BTF: a symbol list (--system-map) is needed too",
			    src->kernel);
		return -1;
	} else {
		ret = xf_kallsyms_read(elf, &t, e);
		if (ret)
			goto out;
		p->flags |= XF_PROFILE_F_KALLSYMS;
		p->nr_kallsyms = (uint32_t)t.n;
	}
	ret = xf_profile_fill_syms(p, &t, e);
	if (!ret && elf)
		ret = crosscheck_ksymtab(elf, p, e);
out:
	xf_symtab_free(&t);
	return ret;
}

static int types_from(const struct xf_profile_src *src,
		      const struct xf_buf *img, enum xf_kernel_kind kind,
		      struct xf_profile *p, struct xf_profile_path *x,
		      struct xf_perr *e)
{
	struct xf_elf_sect s;
	struct xf_buf raw;
	int ret;

	if (src->btf) {
		if (xf_buf_read_file(&raw, src->btf, e))
			return -1;
		ret = xf_profile_fill_types(p, x, raw.data, raw.len, e);
		xf_buf_free(&raw);
		p->flags |= XF_PROFILE_F_BTF_RAW;
		return ret;
	}
	if (kind == XF_KERNEL_BTF) {
		p->flags |= XF_PROFILE_F_BTF_RAW;
		return xf_profile_fill_types(p, x, img->data, img->len, e);
	}
	if (!xf_elf_section(img, ".BTF", &s)) {
		xf_perr_set(e, "%s has no .BTF section (CONFIG_DEBUG_INFO_BTF off?): give a BTF blob",
			    src->kernel);
		return -1;
	}
	p->flags |= XF_PROFILE_F_BTF_ELF;
	return xf_profile_fill_types(p, x, img->data + s.off, s.size, e);
}

int xf_profile_build(const struct xf_profile_src *src, struct xf_profile *p,
		     struct xf_profile_path *x, struct xf_perr *e)
{
	enum xf_kernel_kind kind;
	const struct xf_buf *elf;
	struct xf_buf img;
	int ret;

	memset(p, 0, sizeof(*p));
	memset(x, 0, sizeof(*x));
	p->magic = XF_PROFILE_MAGIC;
	p->version = XF_PROFILE_VERSION;
	p->arch = XF_PROFILE_ARCH_X86_64;
	p->size = sizeof(*p);
	p->kernel_map = X86_64_START_KERNEL_MAP;

	if (xf_kernel_load(src->kernel, &img, &kind, e))
		return -1;
	elf = kind == XF_KERNEL_ELF ? &img : NULL;

	ret = types_from(src, &img, kind, p, x, e);
	if (!ret)
		ret = symbols_from(src, elf, p, e);
	if (!ret && elf) {
		xf_elf_kernel_map(elf, &p->kernel_map);
		ret = fill_banner(elf, p, e);
	}
	if (!ret && p->sym._text >= p->kernel_map)
		p->phys_start = p->sym._text - p->kernel_map;
	xf_buf_free(&img);
	if (!ret)
		ret = xf_profile_check(p, x, e);
	return ret;
}
