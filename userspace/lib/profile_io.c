// SPDX-License-Identifier: GPL-2.0
/*
 * Profile files: the struct as bytes, nothing else. Reading validates the
 * header and every member against its struct size, since a profile file
 * is input like any other.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "profile.h"

static uint32_t u32_at(const struct xf_profile *p, uint32_t off)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)p + off, sizeof(v));
	return v;
}

int xf_profile_check(const struct xf_profile *p, struct xf_perr *e)
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
	for (i = 0; i < xf_nr_type_fields; i++) {
		const struct xf_type_field *tf = &xf_type_fields[i];
		struct xf_member m;
		uint32_t size;

		if (!tf->member)
			continue;
		memcpy(&m, (const uint8_t *)p + tf->prof_off, sizeof(m));
		if (!xf_member_present(&m)) {
			if (tf->flags & XF_FIELD_OPTIONAL)
				continue;
			xf_perr_set(e, "profile lacks required %s.%s",
				    tf->type, tf->member);
			return -1;
		}
		size = tf->size_off == XF_FIELD_NO_SIZE ? UINT32_MAX - 1
							: u32_at(p, tf->size_off);
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
		     struct xf_perr *e)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f) {
		xf_perr_set(e, "%s: %s", path, strerror(errno));
		return -1;
	}
	ok = fwrite(p, sizeof(*p), 1, f) == 1;
	if (fclose(f))
		ok = false;
	if (!ok) {
		xf_perr_set(e, "%s: write failed: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int xf_profile_read(const char *path, struct xf_profile *p,
		    struct xf_perr *e)
{
	struct xf_buf b;
	int ret;

	if (xf_buf_read_file(&b, path, e))
		return -1;
	if (b.len != sizeof(*p)) {
		xf_perr_set(e, "%s: %zu bytes, a profile has %zu (wrong file or version)",
			    path, b.len, sizeof(*p));
		xf_buf_free(&b);
		return -1;
	}
	memcpy(p, b.data, sizeof(*p));
	xf_buf_free(&b);
	ret = xf_profile_check(p, e);
	if (ret) {
		struct xf_perr inner = *e;

		xf_perr_set(e, "%s: %s", path, inner.msg);
	}
	return ret;
}
