// SPDX-License-Identifier: GPL-2.0
/*
 * Exported symbols from __ksymtab and __ksymtab_gpl. With
 * CONFIG_HAVE_ARCH_PREL32_RELOCATIONS (x86_64) an entry is three s32:
 * value, name and namespace, each relative to its own address; names
 * point into __ksymtab_strings. Few symbols, but an independent source
 * that cross-checks the kallsyms decoding.
 */
#include <string.h>

#include "profile.h"

static int read_table(const struct xf_buf *elf, const char *sect,
		      const struct xf_elf_sect *strs, struct xf_symtab *t,
		      struct xf_perr *e)
{
	struct xf_elf_sect s;
	uint64_t i;

	if (!xf_elf_section(elf, sect, &s))
		return 0;	/* a kernel may export nothing GPL-only */
	for (i = 0; i + 12 <= s.size; i += 12) {
		int32_t rel[2];
		uint64_t value, name;
		const char *str;
		size_t max, len;

		memcpy(rel, elf->data + s.off + i, sizeof(rel));
		value = s.addr + i + (int64_t)rel[0];
		name = s.addr + i + 4 + (int64_t)rel[1];
		if (name < strs->addr || name - strs->addr >= strs->size) {
			xf_perr_set(e, "%s: entry %llu names outside __ksymtab_strings",
				    sect, (unsigned long long)(i / 12));
			return -1;
		}
		str = (const char *)elf->data + strs->off + (name - strs->addr);
		max = (size_t)(strs->size - (name - strs->addr));
		len = strnlen(str, max);
		if (len == max || len == 0) {
			xf_perr_set(e, "%s: entry %llu has an unterminated name",
				    sect, (unsigned long long)(i / 12));
			return -1;
		}
		/* Exported symbols are global: 'T' stands for any of them. */
		if (xf_symtab_add(t, str, len, value, 'T')) {
			xf_perr_set(e, "%s: out of memory", sect);
			return -1;
		}
	}
	return 0;
}

int xf_ksymtab_read(const struct xf_buf *elf, struct xf_symtab *t,
		    struct xf_perr *e)
{
	struct xf_elf_sect strs;

	if (!xf_elf_section(elf, "__ksymtab_strings", &strs)) {
		xf_perr_set(e, "no __ksymtab_strings section");
		return -1;
	}
	if (read_table(elf, "__ksymtab", &strs, t, e) ||
	    read_table(elf, "__ksymtab_gpl", &strs, t, e))
		return -1;
	if (!t->n) {
		xf_perr_set(e, "no exported symbols");
		return -1;
	}
	return 0;
}
