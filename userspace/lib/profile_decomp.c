// SPDX-License-Identifier: GPL-2.0
/*
 * Decompressors for the payload of a bzImage: gzip (zlib), xz and lzma
 * (liblzma), zstd (libzstd), lz4 legacy frames (liblz4). Output is capped
 * at XF_DECOMP_MAX so a decompression bomb ends in an error, and every
 * loop stops when the input stops making progress.
 */
#include <lz4.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "profile.h"

/* Grow out so that at least `need` more bytes fit; fails at the cap. */
static int out_reserve(struct xf_buf *out, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : (size_t)64 << 20;
	uint8_t *p;

	if (need > XF_DECOMP_MAX - out->len)
		return -1;
	while (ncap - out->len < need)
		ncap *= 2;
	if (ncap > XF_DECOMP_MAX)
		ncap = XF_DECOMP_MAX;
	if (ncap == *cap)
		return 0;
	p = realloc(out->data, ncap);
	if (!p)
		return -1;
	out->data = p;
	*cap = ncap;
	return 0;
}

static int gunzip(const uint8_t *in, size_t in_len, struct xf_buf *out,
		  size_t *cap, struct xf_perr *e)
{
	z_stream z = { 0 };
	int ret;

	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		xf_perr_set(e, "gzip: inflateInit failed");
		return -1;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = in_len > UINT32_MAX ? UINT32_MAX : (uInt)in_len;
	do {
		if (out_reserve(out, cap, 1 << 20)) {
			inflateEnd(&z);
			xf_perr_set(e, "gzip: output exceeds %llu bytes",
				    (unsigned long long)XF_DECOMP_MAX);
			return -1;
		}
		z.next_out = out->data + out->len;
		z.avail_out = (uInt)(*cap - out->len);
		ret = inflate(&z, Z_NO_FLUSH);
		out->len = *cap - z.avail_out;
	} while (ret == Z_OK);
	inflateEnd(&z);
	/* A truncated stream ends in Z_BUF_ERROR: no progress possible. */
	if (ret != Z_STREAM_END) {
		xf_perr_set(e, "gzip: corrupt or truncated data (%d)", ret);
		return -1;
	}
	return 0;
}

static int unxz(const uint8_t *in, size_t in_len, bool alone,
		struct xf_buf *out, size_t *cap, struct xf_perr *e)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret ret;

	/* The kernel's xz/lzma use small dictionaries; 256 MiB is ample. */
	ret = alone ? lzma_alone_decoder(&s, 256 << 20)
		    : lzma_stream_decoder(&s, 256 << 20, 0);
	if (ret != LZMA_OK) {
		xf_perr_set(e, "xz: decoder init failed (%d)", ret);
		return -1;
	}
	s.next_in = in;
	s.avail_in = in_len;
	do {
		if (out_reserve(out, cap, 1 << 20)) {
			lzma_end(&s);
			xf_perr_set(e, "xz: output exceeds %llu bytes",
				    (unsigned long long)XF_DECOMP_MAX);
			return -1;
		}
		s.next_out = out->data + out->len;
		s.avail_out = *cap - out->len;
		ret = lzma_code(&s, LZMA_FINISH);
		out->len = *cap - s.avail_out;
	} while (ret == LZMA_OK);
	lzma_end(&s);
	if (ret != LZMA_STREAM_END) {
		xf_perr_set(e, "%s: corrupt or truncated data (%d)",
			    alone ? "lzma" : "xz", ret);
		return -1;
	}
	return 0;
}

static int unzstd(const uint8_t *in, size_t in_len, struct xf_buf *out,
		  size_t *cap, struct xf_perr *e)
{
	ZSTD_DStream *d = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, in_len, 0 };
	size_t ret = 1;

	if (!d) {
		xf_perr_set(e, "zstd: out of memory");
		return -1;
	}
	/* The kernel is built with a large window (--ultra -22). */
	ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 31);
	while (ret != 0) {
		ZSTD_outBuffer ob;

		if (out_reserve(out, cap, 1 << 20)) {
			ZSTD_freeDStream(d);
			xf_perr_set(e, "zstd: output exceeds %llu bytes",
				    (unsigned long long)XF_DECOMP_MAX);
			return -1;
		}
		ob.dst = out->data;
		ob.size = *cap;
		ob.pos = out->len;
		ret = ZSTD_decompressStream(d, &ob, &ib);
		out->len = ob.pos;
		if (ZSTD_isError(ret)) {
			ZSTD_freeDStream(d);
			xf_perr_set(e, "zstd: %s", ZSTD_getErrorName(ret));
			return -1;
		}
		/* Room left and all input eaten: it wants input we lack. */
		if (ret && ib.pos == ib.size && ob.pos < ob.size) {
			ZSTD_freeDStream(d);
			xf_perr_set(e, "zstd: truncated data");
			return -1;
		}
	}
	ZSTD_freeDStream(d);
	return 0;
}

/*
 * lz4 -l (legacy) frames, as the kernel builds them: magic 0x184c2102, then
 * blocks of le32 compressed size + data, each expanding to at most 8 MiB.
 * The kernel appends the le32 uncompressed size, which ends the loop
 * (its value reads as a block size larger than what remains).
 */
static int unlz4(const uint8_t *in, size_t in_len, struct xf_buf *out,
		 size_t *cap, struct xf_perr *e)
{
	const size_t blk_max = 8 << 20;
	size_t pos = 4;

	while (in_len - pos >= 4) {
		uint32_t clen;
		int n;

		memcpy(&clen, in + pos, 4);
		if (clen == 0x184c2102) {	/* concatenated frame */
			pos += 4;
			continue;
		}
		if (clen > in_len - pos - 4 || clen > (uint32_t)LZ4_compressBound(blk_max))
			break;
		if (out_reserve(out, cap, blk_max)) {
			xf_perr_set(e, "lz4: output exceeds %llu bytes",
				    (unsigned long long)XF_DECOMP_MAX);
			return -1;
		}
		n = LZ4_decompress_safe((const char *)in + pos + 4,
					(char *)out->data + out->len, (int)clen,
					(int)blk_max);
		if (n < 0) {
			xf_perr_set(e, "lz4: corrupt block at %zu", pos);
			return -1;
		}
		out->len += (size_t)n;
		pos += 4 + clen;
	}
	if (!out->len) {
		xf_perr_set(e, "lz4: no data");
		return -1;
	}
	return 0;
}

int xf_decompress(const char *method, const uint8_t *in, size_t in_len,
		  struct xf_buf *out, struct xf_perr *e)
{
	size_t cap = 0;
	int ret;

	out->data = NULL;
	out->len = 0;
	if (!strcmp(method, "gzip"))
		ret = gunzip(in, in_len, out, &cap, e);
	else if (!strcmp(method, "xz"))
		ret = unxz(in, in_len, false, out, &cap, e);
	else if (!strcmp(method, "lzma"))
		ret = unxz(in, in_len, true, out, &cap, e);
	else if (!strcmp(method, "zstd"))
		ret = unzstd(in, in_len, out, &cap, e);
	else if (!strcmp(method, "lz4") && in_len >= 4)
		ret = unlz4(in, in_len, out, &cap, e);
	else {
		xf_perr_set(e, "unsupported compression '%s'", method);
		ret = -1;
	}
	if (ret)
		xf_buf_free(out);
	return ret;
}
