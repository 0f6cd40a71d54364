/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userland profile builder: turns a guest kernel as shipped (bzImage
 * vmlinuz, vmlinux ELF, or a raw BTF blob plus a symbol list) into a
 * struct xf_profile (include/xfilter/profile.h).
 *
 * Every input is hostile: all reads are bounds-checked, every loop has a
 * cap, decompression has an output limit. Errors are reported as one line
 * of text in struct xf_perr, naming what was missing or malformed.
 */
#ifndef XF_USER_PROFILE_H
#define XF_USER_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfilter/profile.h"

struct xf_perr {
	char msg[1024];
};

void xf_perr_set(struct xf_perr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* --- byte buffers and files ------------------------------------------ */

struct xf_buf {
	uint8_t *data;
	size_t len;
};

#define XF_FILE_MAX	(1ull << 30)	/* largest input file read */
#define XF_DECOMP_MAX	(1ull << 30)	/* largest decompressed kernel */

int xf_buf_read_file(struct xf_buf *b, const char *path, struct xf_perr *e);
void xf_buf_free(struct xf_buf *b);

/* --- kernel image: bzImage -> ELF ------------------------------------ */

enum xf_kernel_kind {
	XF_KERNEL_ELF,		/* vmlinux */
	XF_KERNEL_BTF,		/* raw BTF blob (/sys/kernel/btf/vmlinux) */
};

/*
 * Reads path; a bzImage is decompressed (gzip, xz, lzma, zstd, lz4) into
 * the ELF it carries. On success *kind says what img holds.
 */
int xf_kernel_load(const char *path, struct xf_buf *img,
		   enum xf_kernel_kind *kind, struct xf_perr *e);
int xf_bzimage_extract(const struct xf_buf *bz, struct xf_buf *elf,
		       struct xf_perr *e);
int xf_decompress(const char *method, const uint8_t *in, size_t in_len,
		  struct xf_buf *out, struct xf_perr *e);

/* --- ELF64 little-endian helpers (bounds-checked) -------------------- */

struct xf_elf_sect {
	uint64_t addr;
	uint64_t off;
	uint64_t size;
};

int xf_elf_check(const struct xf_buf *b, struct xf_perr *e);
bool xf_elf_section(const struct xf_buf *b, const char *name,
		    struct xf_elf_sect *s);
/* File offset of len bytes at virtual address va, via PT_LOAD. */
bool xf_elf_va_to_off(const struct xf_buf *b, uint64_t va, uint64_t len,
		      uint64_t *off);
/* Virtual address of the byte at file offset off, via PT_LOAD. */
bool xf_elf_off_to_va(const struct xf_buf *b, uint64_t off, uint64_t *va);
/* vaddr - paddr of the first PT_LOAD (x86_64: __START_KERNEL_map). */
bool xf_elf_kernel_map(const struct xf_buf *b, uint64_t *map);

/* --- symbol tables --------------------------------------------------- */

struct xf_sym {
	uint64_t addr;
	uint32_t name;		/* offset into xf_symtab.names */
	char type;		/* nm-style type letter, '?' if unknown */
};

struct xf_symtab {
	struct xf_sym *v;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
	bool sorted;
};

void xf_symtab_free(struct xf_symtab *t);
int xf_symtab_add(struct xf_symtab *t, const char *name, size_t name_len,
		  uint64_t addr, char type);
static inline const char *xf_sym_name(const struct xf_symtab *t,
				      const struct xf_sym *s)
{
	return t->names + s->name;
}

/*
 * Address of name. Static symbols may share a name: global (upper-case
 * type) definitions win; if several distinct addresses remain, returns
 * -2 (ambiguous). -1 if not found, 0 on success. Without an exact match,
 * a unique "name.N" (a function-local static, e.g. inet_ehash_secret.5)
 * is taken.
 */
int xf_symtab_lookup(struct xf_symtab *t, const char *name, uint64_t *addr);

/* The image's own compressed kallsyms tables (KALLSYMS_ALL for data). */
int xf_kallsyms_read(const struct xf_buf *elf, struct xf_symtab *t,
		     struct xf_perr *e);
/* Exported symbols: __ksymtab/__ksymtab_gpl (PREL32 entries). */
int xf_ksymtab_read(const struct xf_buf *elf, struct xf_symtab *t,
		    struct xf_perr *e);
/* System.map or /proc/kallsyms text: "ADDR TYPE NAME [module]". */
int xf_sysmap_parse(const struct xf_buf *text, struct xf_symtab *t,
		    struct xf_perr *e);

/* --- the profile ----------------------------------------------------- */

struct xf_profile_src {
	const char *kernel;	/* vmlinuz, vmlinux or raw BTF */
	const char *system_map;	/* optional System.map / kallsyms copy */
	const char *btf;	/* optional raw BTF overriding the image's */
};

/*
 * Fills p and x (struct xf_profile_path: the mount-tree members exe paths
 * need, kept apart from p whose size the hypercall ABI pins). A kernel
 * without them still gets a profile; x->magic is then 0 (no exe paths).
 */
int xf_profile_build(const struct xf_profile_src *src, struct xf_profile *p,
		     struct xf_profile_path *x, struct xf_perr *e);

/*
 * The type half, from BTF bytes (a .BTF section or a raw blob); usable on
 * its own so tests can feed doctored BTF.
 */
int xf_profile_fill_types(struct xf_profile *p, struct xf_profile_path *x,
			  const void *btf_data, size_t btf_len,
			  struct xf_perr *e);
/* The symbol half: fills p->sym from t; names every missing symbol. */
int xf_profile_fill_syms(struct xf_profile *p, struct xf_symtab *t,
			 struct xf_perr *e);

/*
 * Header and member sanity (magic, version, bounds): for any loaded file.
 * x may be NULL; x->magic == 0 means "no path members" and is valid.
 */
int xf_profile_check(const struct xf_profile *p,
		     const struct xf_profile_path *x, struct xf_perr *e);
/* A file is p's bytes, then x's when x->magic is set. */
int xf_profile_write(const char *path, const struct xf_profile *p,
		     const struct xf_profile_path *x, struct xf_perr *e);
/* Reads either form; x->magic is 0 after reading a file without x. */
int xf_profile_read(const char *path, struct xf_profile *p,
		    struct xf_profile_path *x, struct xf_perr *e);
/* A struct xf_profile_path header, no members found yet. */
void xf_profile_path_init(struct xf_profile_path *x);

/*
 * The tables that name every profile field: the builder fills from them,
 * `xfctl profile show` prints from them, the checker walks them.
 */
enum xf_field_flags {
	XF_FIELD_OPTIONAL = 1 << 0,
	/* prof_off and size_off are offsets in struct xf_profile_path. The
	 * whole of it is optional: a kernel lacking one of its required
	 * members gets no struct xf_profile_path (no exe paths), not an
	 * error. */
	XF_FIELD_PATH = 1 << 1,
};

#define XF_FIELD_NO_SIZE	UINT32_MAX

struct xf_type_field {
	const char *type;	/* BTF struct/union name */
	const char *member;	/* member path, '.'-separated; NULL: size */
	uint32_t prof_off;	/* offsetof(struct xf_profile, ...), or of
				 * struct xf_profile_path (XF_FIELD_PATH) */
	uint32_t size_off;	/* offsetof the uint32 size it must fit in,
				 * or XF_FIELD_NO_SIZE (none recorded) */
	unsigned int flags;
	const char *alt;	/* alternative member name, e.g. state */
};

struct xf_sym_field {
	const char *name;
	uint32_t prof_off;
	unsigned int flags;
};

/* Where a field lives: p or x, by XF_FIELD_PATH. */
static inline const uint8_t *xf_field_base(const struct xf_type_field *tf,
					   const struct xf_profile *p,
					   const struct xf_profile_path *x)
{
	return tf->flags & XF_FIELD_PATH ? (const uint8_t *)x
					 : (const uint8_t *)p;
}

extern const struct xf_type_field xf_type_fields[];
extern const size_t xf_nr_type_fields;
extern const struct xf_sym_field xf_sym_fields[];
extern const size_t xf_nr_sym_fields;

#endif /* XF_USER_PROFILE_H */
