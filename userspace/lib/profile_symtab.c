// SPDX-License-Identifier: GPL-2.0
/*
 * A name -> address table filled from kallsyms, __ksymtab or a System.map.
 * Names live in one growing arena (a kernel has ~100k-200k symbols), the
 * entries are sorted by name on the first lookup.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

#define XF_SYMTAB_MAX	(4u << 20)	/* symbols kept from any source */

void xf_symtab_free(struct xf_symtab *t)
{
	free(t->v);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 1024;
	void *np;

	while (ncap < need)
		ncap *= 2;
	if (ncap == *cap)
		return 0;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

int xf_symtab_add(struct xf_symtab *t, const char *name, size_t name_len,
		  uint64_t addr, char type)
{
	if (t->n >= XF_SYMTAB_MAX || name_len > 4096 ||
	    t->names_len + name_len + 1 > UINT32_MAX)
		return -1;
	if (grow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v)) ||
	    grow((void **)&t->names, &t->names_cap,
		 t->names_len + name_len + 1, 1))
		return -1;
	memcpy(t->names + t->names_len, name, name_len);
	t->names[t->names_len + name_len] = 0;
	t->v[t->n].addr = addr;
	t->v[t->n].name = (uint32_t)t->names_len;
	t->v[t->n].type = type;
	t->names_len += name_len + 1;
	t->n++;
	t->sorted = false;
	return 0;
}

/* qsort has no context argument; the arena is passed through this. */
static const char *sort_names;

static int by_name(const void *a, const void *b)
{
	const struct xf_sym *x = a, *y = b;

	return strcmp(sort_names + x->name, sort_names + y->name);
}

/* name, or name.N: GCC's name for a function-local static variable. */
static bool name_matches(const char *sym, const char *name, size_t len,
			 bool suffixed)
{
	if (strncmp(sym, name, len))
		return false;
	if (!suffixed)
		return sym[len] == 0;
	if (sym[len] != '.' || !sym[len + 1])
		return false;
	for (sym += len + 1; *sym; sym++)
		if (!isdigit((unsigned char)*sym))
			return false;
	return true;
}

static size_t lower_bound(const struct xf_symtab *t, const char *name)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(xf_sym_name(t, &t->v[mid]), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int lookup(struct xf_symtab *t, const char *name, bool suffixed,
		  uint64_t *addr)
{
	size_t len = strlen(name), i;
	uint64_t found = 0;
	bool have = false, have_global = false;

	/* "name" sorts before every "name.N", so both start here. */
	for (i = lower_bound(t, name);
	     i < t->n && !strncmp(xf_sym_name(t, &t->v[i]), name, len); i++) {
		bool global = isupper((unsigned char)t->v[i].type);

		if (!name_matches(xf_sym_name(t, &t->v[i]), name, len, suffixed))
			continue;

		if (have_global && !global)
			continue;
		if (global && !have_global) {
			have_global = true;
			have = false;
		}
		if (have && found != t->v[i].addr)
			return -2;
		found = t->v[i].addr;
		have = true;
	}
	if (!have)
		return -1;
	*addr = found;
	return 0;
}

int xf_symtab_lookup(struct xf_symtab *t, const char *name, uint64_t *addr)
{
	int r;

	if (!t->sorted) {
		sort_names = t->names;
		qsort(t->v, t->n, sizeof(*t->v), by_name);
		t->sorted = true;
	}
	r = lookup(t, name, false, addr);
	return r == -1 ? lookup(t, name, true, addr) : r;
}
