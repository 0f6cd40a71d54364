// SPDX-License-Identifier: GPL-2.0
/*
 * Profile files: struct xf_profile as bytes, then struct xf_profile_path
 * as bytes when the kernel had its members (older files and kernels
 * without them: struct xf_profile alone). Reading validates the headers
 * and every member against its struct size, since a profile file is input
 * like any other.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "profile.h"

static uint32_t u32_at(const uint8_t *base, uint32_t off)
{
	uint32_t v;

	memcpy(&v, base + off, sizeof(v));
	return v;
}

void xf_profile_path_init(struct xf_profile_path *x)
{
	memset(x, 0, sizeof(*x));
	x->magic = XF_PROFILE_PATH_MAGIC;
	x->version = XF_PROFILE_PATH_VERSION;
	x->size = sizeof(*x);
}

int xf_profile_check(const struct xf_profile *p,
		     const struct xf_profile_path *x, struct xf_perr *e)
{
	size_t i;

	if (p->magic != XF_PROFILE_MAGIC) {
		xf_perr_set(e, "not an xfilter profile (bad magic)");
		return -1;
	}
	if (p->version != XF_PROFILE_VERSION || p->size != sizeof(*p)) {
		xf_perr_set(e, "profile version %u, %u bytes; this build reads version %u, %zu bytes: rebuild it",
			    p->version, p->size, XF_PROFILE_VERSION, sizeof(*p));
		return -1;
	}
	if (p->arch != XF_PROFILE_ARCH_X86_64) {
		xf_perr_set(e, "profile is for unknown architecture %u", p->arch);
		return -1;
	}
	if (!memchr(p->banner, 0, sizeof(p->banner)) ||
	    !memchr(p->release, 0, sizeof(p->release)) ||
	    p->banner_len != strlen(p->banner)) {
		xf_perr_set(e, "profile banner/release strings are malformed");
		return -1;
	}
	if (x && x->magic && (x->magic != XF_PROFILE_PATH_MAGIC ||
			      x->version != XF_PROFILE_PATH_VERSION ||
			      x->size != sizeof(*x))) {
		xf_perr_set(e, "profile path members: version %u, %u bytes; this build reads version %u, %zu bytes: rebuild it",
			    x->version, x->size, XF_PROFILE_PATH_VERSION,
			    sizeof(*x));
		return -1;
	}
	for (i = 0; i < xf_nr_type_fields; i++) {
		const struct xf_type_field *tf = &xf_type_fields[i];
		const uint8_t *base = xf_field_base(tf, p, x);
		struct xf_member m;
		uint32_t size;

		if (!tf->member)
			continue;
		if ((tf->flags & XF_FIELD_PATH) && (!x || !x->magic))
			continue;
		memcpy(&m, base + tf->prof_off, sizeof(m));
		if (!xf_member_present(&m)) {
			if (tf->flags & XF_FIELD_OPTIONAL)
				continue;
			xf_perr_set(e, "profile lacks required %s.%s",
				    tf->type, tf->member);
			return -1;
		}
		size = tf->size_off == XF_FIELD_NO_SIZE ? UINT32_MAX - 1
							: u32_at(base, tf->size_off);
		if (!xf_member_fits(&m, size) || m.bit_size > 64 ||
		    (m.bit_size && (m.size > 8 ||
				    m.bit_shift + m.bit_size > 8u * m.size))) {
			xf_perr_set(e, "profile member %s.%s (offset %u, %u bytes) does not fit its struct (%u bytes)",
				    tf->type, tf->member, m.off, m.size, size);
			return -1;
		}
	}
	for (i = 0; i < xf_nr_sym_fields; i++) {
		uint64_t a;

		memcpy(&a, (const uint8_t *)p + xf_sym_fields[i].prof_off,
		       sizeof(a));
		if (!a && !(xf_sym_fields[i].flags & XF_FIELD_OPTIONAL)) {
			xf_perr_set(e, "profile lacks required symbol %s",
				    xf_sym_fields[i].name);
			return -1;
		}
	}
	return 0;
}

int xf_profile_write(const char *path, const struct xf_profile *p,
		     const struct xf_profile_path *x, struct xf_perr *e)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f) {
		xf_perr_set(e, "%s: %s", path, strerror(errno));
		return -1;
	}
	ok = fwrite(p, sizeof(*p), 1, f) == 1;
	if (ok && x && x->magic)
		ok = fwrite(x, sizeof(*x), 1, f) == 1;
	if (fclose(f))
		ok = false;
	if (!ok) {
		xf_perr_set(e, "%s: write failed: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int xf_profile_read(const char *path, struct xf_profile *p,
		    struct xf_profile_path *x, struct xf_perr *e)
{
	struct xf_buf b;
	int ret;

	if (xf_buf_read_file(&b, path, e))
		return -1;
	if (b.len != sizeof(*p) && b.len != sizeof(*p) + sizeof(*x)) {
		xf_perr_set(e, "%s: %zu bytes, a profile has %zu or %zu (wrong file or version)",
			    path, b.len, sizeof(*p), sizeof(*p) + sizeof(*x));
		xf_buf_free(&b);
		return -1;
	}
	memcpy(p, b.data, sizeof(*p));
	memset(x, 0, sizeof(*x));
	if (b.len > sizeof(*p)) {
		memcpy(x, b.data + sizeof(*p), sizeof(*x));
		if (!x->magic) {
			xf_perr_set(e, "%s: path members without a header", path);
			xf_buf_free(&b);
			return -1;
		}
	}
	xf_buf_free(&b);
	ret = xf_profile_check(p, x, e);
	if (ret) {
		struct xf_perr inner = *e;

		xf_perr_set(e, "%s: %s", path, inner.msg);
	}
	return ret;
}
