// SPDX-License-Identifier: GPL-2.0
/*
 * From a kernel file as shipped to the ELF vmlinux inside it.
 *
 * An x86 bzImage (boot protocol >= 2.08) says where its compressed payload
 * is: payload_offset/payload_length in the setup header, relative to the
 * start of the protected-mode code, which follows (setup_sects + 1) * 512
 * bytes of real-mode setup. The payload is the vmlinux ELF compressed with
 * the method the kernel was configured with (Debian 6.1/6.12: xz). When the
 * header is damaged we fall back to scanning for compressor signatures,
 * which is what scripts/extract-vmlinux does.
 */
#include <string.h>

#include "profile.h"

#define BZ_SETUP_SECTS	0x1f1
#define BZ_HDRS		0x202
#define BZ_VERSION	0x206
#define BZ_PAYLOAD_OFF	0x248
#define BZ_PAYLOAD_LEN	0x24c
#define BZ_SCAN_TRIES	64	/* signature hits tried before giving up */

struct comp_magic {
	const char *method;
	const uint8_t *magic;
	size_t len;
};

static const struct comp_magic comp_magics[] = {
	{ "xz", (const uint8_t *)"\xfd" "7zXZ\0", 6 },
	{ "zstd", (const uint8_t *)"\x28\xb5\x2f\xfd", 4 },
	{ "gzip", (const uint8_t *)"\x1f\x8b\x08", 3 },
	{ "lz4", (const uint8_t *)"\x02\x21\x4c\x18", 4 },
	/* lzma-alone: properties 0x5d, dictionary 2^n, unknown size */
	{ "lzma", (const uint8_t *)"\x5d\x00\x00", 3 },
	{ "bzip2", (const uint8_t *)"BZh", 3 },
	{ "lzo", (const uint8_t *)"\x89LZO", 4 },
};

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static const char *method_of(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(comp_magics) / sizeof(comp_magics[0]); i++)
		if (len >= comp_magics[i].len &&
		    !memcmp(p, comp_magics[i].magic, comp_magics[i].len))
			return comp_magics[i].method;
	return NULL;
}

/* Decompress at p and accept the result only if it is an ELF. */
static int try_payload(const uint8_t *p, size_t len, struct xf_buf *elf,
		       struct xf_perr *e)
{
	const char *method = method_of(p, len);

	if (!method) {
		xf_perr_set(e, "unknown compression (bytes %02x %02x %02x %02x)",
			    p[0], len > 1 ? p[1] : 0, len > 2 ? p[2] : 0,
			    len > 3 ? p[3] : 0);
		return -1;
	}
	if (xf_decompress(method, p, len, elf, e))
		return -1;
	if (xf_elf_check(elf, e)) {
		xf_perr_set(e, "%s payload is not an x86_64 ELF vmlinux",
			    method);
		xf_buf_free(elf);
		return -1;
	}
	return 0;
}

static int from_header(const struct xf_buf *bz, struct xf_buf *elf,
		       struct xf_perr *e)
{
	const uint8_t *d = bz->data;
	uint64_t base, off, len;
	unsigned int sects;

	if (bz->len < BZ_PAYLOAD_LEN + 4 || memcmp(d + BZ_HDRS, "HdrS", 4) ||
	    (d[BZ_VERSION] | d[BZ_VERSION + 1] << 8) < 0x208) {
		xf_perr_set(e, "no bzImage setup header (boot protocol 2.08+)");
		return -1;
	}
	sects = d[BZ_SETUP_SECTS] ? d[BZ_SETUP_SECTS] : 4;
	base = (uint64_t)(sects + 1) * 512;
	off = base + le32(d + BZ_PAYLOAD_OFF);
	len = le32(d + BZ_PAYLOAD_LEN);
	if (off > bz->len || len > bz->len - off || len < 4) {
		xf_perr_set(e, "bzImage payload (offset %llu, %llu bytes) lies outside the %zu-byte file",
			    (unsigned long long)off, (unsigned long long)len,
			    bz->len);
		return -1;
	}
	return try_payload(d + off, len, elf, e);
}

/* Damaged header: try each compressor signature, a bounded number. */
static int from_scan(const struct xf_buf *bz, struct xf_buf *elf,
		     struct xf_perr *e)
{
	unsigned int tries = 0;
	size_t i, k;

	for (i = 0; i + 8 <= bz->len && tries < BZ_SCAN_TRIES; i++) {
		for (k = 0; k < sizeof(comp_magics) / sizeof(comp_magics[0]); k++) {
			const struct comp_magic *m = &comp_magics[k];

			if (bz->len - i < m->len || memcmp(bz->data + i, m->magic, m->len))
				continue;
			tries++;
			if (!try_payload(bz->data + i, bz->len - i, elf, e))
				return 0;
		}
	}
	xf_perr_set(e, "no decompressible vmlinux found in the image");
	return -1;
}

int xf_bzimage_extract(const struct xf_buf *bz, struct xf_buf *elf,
		       struct xf_perr *e)
{
	struct xf_perr herr;

	if (!from_header(bz, elf, &herr))
		return 0;
	if (!from_scan(bz, elf, e))
		return 0;
	/* Report why the header path failed: that is the informative one. */
	xf_perr_set(e, "%s", herr.msg);
	return -1;
}

int xf_kernel_load(const char *path, struct xf_buf *img,
		   enum xf_kernel_kind *kind, struct xf_perr *e)
{
	struct xf_buf raw;

	if (xf_buf_read_file(&raw, path, e))
		return -1;
	if (raw.len >= 4 && !memcmp(raw.data, "\x7f" "ELF", 4)) {
		if (xf_elf_check(&raw, e))
			goto bad;
		*img = raw;
		*kind = XF_KERNEL_ELF;
		return 0;
	}
	if (raw.len >= 4 && raw.data[0] == 0x9f && raw.data[1] == 0xeb) {
		*img = raw;
		*kind = XF_KERNEL_BTF;
		return 0;
	}
	if (xf_bzimage_extract(&raw, img, e))
		goto bad;
	xf_buf_free(&raw);
	*kind = XF_KERNEL_ELF;
	return 0;
bad:
	{
		struct xf_perr inner = *e;

		xf_perr_set(e, "%s: %s", path, inner.msg);
	}
	xf_buf_free(&raw);
	return -1;
}
