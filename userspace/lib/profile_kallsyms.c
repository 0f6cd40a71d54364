// SPDX-License-Identifier: GPL-2.0
/*
 * Recover the kernel's own symbol table from the kallsyms data that
 * scripts/kallsyms.c compiles into .rodata, as vmlinux-to-elf does. No
 * symbol tells us where the tables are, so they are found by shape and
 * every guess is validated before use:
 *
 *  kallsyms_token_table	256 NUL-terminated tokens. A character that
 *				occurs in symbol names is its own token, so
 *				tokens 0x30..0x39 are "0".."9": we search
 *				for "0\0" "1\0" ... "9\0" and walk back 48.
 *  kallsyms_token_index	256 u16 offsets into token_table, right after
 *				it (8-aligned): must match exactly.
 *  kallsyms_markers		u32 offset into names of every 256th symbol;
 *				starts with 0, ascending; before token_table
 *				(6.1.y and later put kallsyms_seqs_of_names,
 *				3 bytes a symbol, in between).
 *  kallsyms_num_syms		u32 right before kallsyms_names (8-aligned).
 *  kallsyms_names		per symbol: length (1 byte, or 2 with the top
 *				bit set, >= 6.1) then that many token
 *				numbers; expanded, the first char is the
 *				nm type letter.
 *  kallsyms_offsets		s32 per symbol, and kallsyms_relative_base
 *				(u64): before num_syms (<= 6.1) or after
 *				token_index (later 6.x). With ABSOLUTE_PERCPU,
 *				offsets >= 0 are absolute (per-cpu symbols)
 *				and the rest relative_base - 1 - offset.
 *				7.x dropped relative_base: each offset is
 *				relative to its own address (offset_to_ptr),
 *				right after token_index.
 *
 * The data is untrusted: every read is checked against the buffer, every
 * scan has a window, and names are clamped to KSYM_NAME_LEN.
 */
#include <stdlib.h>
#include <string.h>

#include "profile.h"

#define KS_NAME_MAX	512		/* KSYM_NAME_LEN in 6.1 */
#define KS_SYMS_MAX	(4u << 20)
#define KS_TOKEN_MAX	256		/* longest token we accept */
#define KS_SCAN_WINDOW	(48u << 20)	/* how far back markers/names may be */
#define KS_MARKER_TRIES	256
#define KS_TT_TRIES	256

struct ks {
	const struct xf_buf *elf;
	const uint8_t *d;
	size_t len;
	size_t tt, ti, ti_end;		/* token table, index, index end */
	uint16_t tok_off[256];
	uint16_t tok_len[256];
	size_t markers;			/* offset of kallsyms_markers */
	size_t nmarkers_run;		/* ascending run length seen there */
	size_t num_pos, names, names_end;
	uint32_t num;
};

static bool rd32(const struct ks *k, size_t off, uint32_t *v)
{
	if (off > k->len || k->len - off < 4)
		return false;
	memcpy(v, k->d + off, 4);
	return true;
}

static bool rd64(const struct ks *k, size_t off, uint64_t *v)
{
	if (off > k->len || k->len - off < 8)
		return false;
	memcpy(v, k->d + off, 8);
	return true;
}

static size_t align_up(size_t x, size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* Parse 256 tokens from start; fill tok_off/tok_len; return end or 0. */
static size_t parse_tokens(struct ks *k, size_t start)
{
	size_t p = start;
	int i;

	for (i = 0; i < 256; i++) {
		const uint8_t *z;
		size_t max = k->len - p;

		if (p >= k->len)
			return 0;
		if (max > KS_TOKEN_MAX + 1)
			max = KS_TOKEN_MAX + 1;
		z = memchr(k->d + p, 0, max);
		if (!z || z == k->d + p || p - start > UINT16_MAX)
			return 0;
		k->tok_off[i] = (uint16_t)(p - start);
		k->tok_len[i] = (uint16_t)(z - (k->d + p));
		p = (size_t)(z - k->d) + 1;
	}
	return p;
}

static bool check_token_index(struct ks *k, size_t ti)
{
	int i;

	if (ti > k->len || k->len - ti < 512)
		return false;
	for (i = 0; i < 256; i++) {
		uint16_t v;

		memcpy(&v, k->d + ti + 2 * i, 2);
		if (v != k->tok_off[i])
			return false;
	}
	return true;
}

/* hit is where "0\0" sits: token 0x30. Walk back 48 tokens to token 0. */
static bool try_token_table(struct ks *k, size_t hit)
{
	size_t p = hit, end, a;
	int i;

	for (i = 0; i < 0x30; i++) {
		size_t n = 0;

		if (p < 2 || k->d[p - 1] != 0)
			return false;
		p--;
		while (p > 0 && k->d[p - 1] != 0 && n < KS_TOKEN_MAX) {
			p--;
			n++;
		}
		if (n == 0 || n >= KS_TOKEN_MAX)
			return false;
	}
	end = parse_tokens(k, p);
	if (!end)
		return false;
	for (a = 2; a <= 8; a *= 2) {
		if (check_token_index(k, align_up(end, a))) {
			k->tt = p;
			k->ti = align_up(end, a);
			k->ti_end = k->ti + 512;
			return true;
		}
	}
	return false;
}

static bool find_token_table(struct ks *k)
{
	static const char digits[] = "0\0" "1\0" "2\0" "3\0" "4\0"
				     "5\0" "6\0" "7\0" "8\0" "9";
	const uint8_t *p = k->d, *hit;
	unsigned int tries = 0;

	while (tries++ < KS_TT_TRIES &&
	       (hit = memmem(p, k->len - (size_t)(p - k->d), digits,
			     sizeof(digits))) != NULL) {
		if (try_token_table(k, (size_t)(hit - k->d)))
			return true;
		p = hit + 1;
	}
	return false;
}

/* Length header of the names entry at off; 0 if malformed. */
static size_t entry_len(const struct ks *k, size_t off, size_t *hdr)
{
	size_t n;

	if (off >= k->len)
		return 0;
	n = k->d[off];
	*hdr = 1;
	if (n & 0x80) {
		if (off + 1 >= k->len)
			return 0;
		n = (n & 0x7f) | (size_t)k->d[off + 1] << 7;
		*hdr = 2;
	}
	return n;
}

/*
 * Does names at `names` hold num entries whose every 256th start matches
 * the markers at k->markers, ending just before the markers?
 */
static bool check_names(struct ks *k, size_t names, uint32_t num)
{
	size_t off = names, i;

	for (i = 0; i < num; i++) {
		size_t hdr, n = entry_len(k, off, &hdr);

		if (i % 256 == 0) {
			uint32_t m;

			if (!rd32(k, k->markers + 4 * (i / 256), &m) ||
			    m != off - names)
				return false;
		}
		if (n == 0 || n > k->len - off - hdr)
			return false;
		off += hdr + n;
		if (off > k->markers)
			return false;
	}
	if (k->markers - off >= 8)
		return false;
	k->names = names;
	k->names_end = off;
	k->num = num;
	return true;
}

/* With the markers candidate at k->markers, find num_syms and names. */
static bool find_names(struct ks *k)
{
	size_t lo = k->markers > KS_SCAN_WINDOW ? k->markers - KS_SCAN_WINDOW : 0;
	uint32_t max_last = 0;
	size_t a, reach;

	/* names can be no longer than the last marker plus one full group */
	rd32(k, k->markers + 4 * (k->nmarkers_run - 1), &max_last);
	reach = (size_t)max_last + 256 * 260 + 16;
	if (k->markers > reach && k->markers - reach > lo)
		lo = k->markers - reach;

	for (a = k->markers - (k->markers % 4); a >= lo + 4; a -= 4) {
		size_t names_at[2] = { a + 4, align_up(a + 4, 8) }, j;
		uint32_t num, last;
		size_t l;

		if (!rd32(k, a, &num) || num == 0 || num > KS_SYMS_MAX)
			continue;
		l = (num + 255) / 256;
		if (l > k->nmarkers_run ||
		    !rd32(k, k->markers + 4 * (l - 1), &last))
			continue;
		for (j = 0; j < 2; j++) {
			size_t names = names_at[j];

			if (j == 1 && names == names_at[0])
				continue;
			/* The last group holds <= 256 entries <= 2+255 bytes */
			if (names + last > k->markers ||
			    k->markers - (names + last) > 256 * 260)
				continue;
			if (check_names(k, names, num)) {
				k->num_pos = a;
				return true;
			}
		}
	}
	return false;
}

/* Ascending u32 run length at off, starting with 0. */
static size_t marker_run(const struct ks *k, size_t off)
{
	uint32_t prev, v;
	size_t n = 1;

	if (!rd32(k, off, &prev) || prev != 0)
		return 0;
	while (n < KS_SYMS_MAX / 256 + 1 && rd32(k, off + 4 * n, &v) &&
	       v > prev && v - prev <= 256 * 260) {
		prev = v;
		n++;
	}
	return n;
}

static bool find_markers_and_names(struct ks *k)
{
	size_t lo = k->tt > KS_SCAN_WINDOW ? k->tt - KS_SCAN_WINDOW : 0;
	unsigned int tries = 0;
	size_t p;

	for (p = (k->tt & ~(size_t)3); p >= lo + 4 && tries < KS_MARKER_TRIES;
	     p -= 4) {
		size_t run = marker_run(k, p - 4);

		/* Require a few markers: kernels have far more than 1k symbols */
		if (run < 4)
			continue;
		tries++;
		k->markers = p - 4;
		k->nmarkers_run = run;
		if (find_names(k))
			return true;
	}
	return false;
}

/* Decode entry at *off into name (NUL-terminated); advance *off. */
static bool expand(const struct ks *k, size_t *off, char *name, size_t *len)
{
	size_t hdr, n = entry_len(k, *off, &hdr), i, out = 0;

	for (i = 0; i < n; i++) {
		uint8_t t = k->d[*off + hdr + i];
		size_t tl = k->tok_len[t];

		if (out + tl >= KS_NAME_MAX)
			tl = KS_NAME_MAX - 1 - out;
		memcpy(name + out, k->d + k->tt + k->tok_off[t], tl);
		out += tl;
	}
	name[out] = 0;
	*len = out;
	*off += hdr + n;
	return out >= 2;
}

static bool kernel_half(uint64_t a)
{
	return a >= 0xffff800000000000ull;
}

/*
 * How kallsyms_offsets encodes an address:
 *  KS_BASE		relative to kallsyms_relative_base (<= 6.x); with
 *			ABSOLUTE_PERCPU, offsets >= 0 are absolute and the
 *			rest relative_base - 1 - offset
 *  KS_PC		relative to the entry's own address, as
 *			offset_to_ptr() reads it (7.x, scripts/kallsyms
 *			--pc-relative: ".long _text - . + (addr - _text)")
 */
enum ks_enc { KS_BASE, KS_PC };

/*
 * A wrong guess of the table's place can still decode to sorted kernel
 * addresses (old offsets read PC-relative grow with their own address), so
 * the table must place a symbol the ELF places too: kallsyms_offsets itself
 * (KALLSYMS_ALL), else _text at the start of .text (x86_64's linker
 * script puts it there).
 */
static bool self_consistent(const struct ks *k, size_t off,
			    struct xf_symtab *t)
{
	struct xf_elf_sect text;
	uint64_t a, want;

	if (!xf_symtab_lookup(t, "kallsyms_offsets", &a))
		return xf_elf_off_to_va(k->elf, off, &want) && a == want;
	if (!xf_symtab_lookup(t, "_text", &a) &&
	    xf_elf_section(k->elf, ".text", &text))
		return a == text.addr;
	return true;
}

/* Decode addresses with offsets at off (and base at base_off for KS_BASE). */
static int decode(struct ks *k, size_t off, enum ks_enc enc, size_t base_off,
		  struct xf_symtab *t)
{
	size_t names = k->names, i, descents = 0;
	uint64_t base = 0, prev = 0, va = 0;
	bool percpu = false;
	char name[KS_NAME_MAX];

	if (off > k->len || k->len - off < 4ull * k->num)
		return -1;
	if (enc == KS_BASE && (!rd64(k, base_off, &base) || !kernel_half(base)))
		return -1;
	if (enc == KS_PC && !xf_elf_off_to_va(k->elf, off, &va))
		return -1;
	for (i = 0; enc == KS_BASE && i < k->num; i++) {
		int32_t o;

		memcpy(&o, k->d + off + 4 * i, 4);
		if (o < 0)
			percpu = true;
	}
	for (i = 0; i < k->num; i++) {
		uint64_t addr;
		size_t len;
		int32_t o;

		memcpy(&o, k->d + off + 4 * i, 4);
		if (enc == KS_PC)
			addr = va + 4 * i + (uint64_t)(int64_t)o;
		else if (!percpu)
			addr = base + (uint32_t)o;
		else if (o >= 0)
			addr = (uint64_t)o;
		else
			addr = base - 1 - (int64_t)o;
		if (enc == KS_PC && !kernel_half(addr))
			return -1;
		if (addr < prev)
			descents++;
		prev = addr;
		if (!expand(k, &names, name, &len) ||
		    xf_symtab_add(t, name + 1, len - 1, addr, name[0]))
			return -1;
	}
	/* kallsyms is sorted by address: a wrong guess is far from sorted. */
	if (descents > k->num / 1000 || !self_consistent(k, off, t))
		return -1;
	return 0;
}

static int decode_any(struct ks *k, struct xf_symtab *t)
{
	struct {
		size_t off, base;
		enum ks_enc enc;
	} cand[4];
	size_t olen = align_up(4ull * k->num, 8), i;

	/* <= 6.1: offsets, relative_base, num_syms, names, ... */
	cand[0].base = k->num_pos >= 8 ? k->num_pos - 8 : 0;
	cand[0].off = cand[0].base >= olen ? cand[0].base - olen : SIZE_MAX;
	cand[0].enc = KS_BASE;
	/* later 6.x: ..., token_index, offsets, relative_base */
	cand[1].off = align_up(k->ti_end, 8);
	cand[1].base = align_up(cand[1].off + 4ull * k->num, 8);
	cand[1].enc = KS_BASE;
	/* 7.x: ..., token_index, offsets (4-aligned), no relative_base */
	cand[2].off = align_up(k->ti_end, 4);
	cand[3].off = align_up(k->ti_end, 8);
	cand[2].enc = cand[3].enc = KS_PC;
	cand[2].base = cand[3].base = 0;
	for (i = 0; i < 4; i++) {
		if (cand[i].off == SIZE_MAX ||
		    (i == 3 && cand[3].off == cand[2].off))
			continue;
		if (!decode(k, cand[i].off, cand[i].enc, cand[i].base, t))
			return 0;
		xf_symtab_free(t);
	}
	return -1;
}

int xf_kallsyms_read(const struct xf_buf *elf, struct xf_symtab *t,
		     struct xf_perr *e)
{
	struct ks *k = calloc(1, sizeof(*k));
	int ret = -1;

	if (!k) {
		xf_perr_set(e, "kallsyms: out of memory");
		return -1;
	}
	k->elf = elf;
	k->d = elf->data;
	k->len = elf->len;
	if (!find_token_table(k))
		xf_perr_set(e, "kallsyms: no kallsyms_token_table/token_index in the image (CONFIG_KALLSYMS off?)");
	else if (!find_markers_and_names(k))
		xf_perr_set(e, "kallsyms: found the token table but no consistent kallsyms_markers/kallsyms_names");
	else if (decode_any(k, t))
		xf_perr_set(e, "kallsyms: found %u names but no consistent kallsyms_offsets (relative_base or PC-relative)",
			    k->num);
	else
		ret = 0;
	free(k);
	return ret;
}
