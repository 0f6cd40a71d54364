// SPDX-License-Identifier: GPL-2.0
/*
 * Struct sizes and member offsets from BTF, through libbpf's BTF API.
 * Members may sit inside anonymous structs/unions (sock_common's
 * skc_daddr, mm_struct's everything), so lookups recurse into unnamed
 * members; a path "a.b.c" descends through named embedded members.
 * libbpf validates the BTF it parses; recursion and modifier chains are
 * still capped here, since the blob may come from the guest.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "profile.h"

#define BTF_ANON_DEPTH	8	/* nesting of anonymous structs/unions */
#define BTF_PATH_MAX	8	/* components in a member path */
#define BTF_MOD_MAX	32	/* typedef/const/volatile chain */

/* Strip typedefs and qualifiers; 0 if the chain is too long or broken. */
static __u32 skip_mods(const struct btf *btf, __u32 id)
{
	int i;

	for (i = 0; i < BTF_MOD_MAX; i++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return 0;
		if (!btf_is_mod(t) && !btf_is_typedef(t))
			return id;
		id = t->type;
	}
	return 0;
}

struct found {
	uint64_t bit_off;
	__u32 type;
	__u32 bitfield;
};

static int find_member(const struct btf *btf, __u32 id, const char *name,
		       size_t name_len, int depth, struct found *f)
{
	const struct btf_type *t;
	const struct btf_member *m;
	__u16 i, n;

	id = skip_mods(btf, id);
	t = id ? btf__type_by_id(btf, id) : NULL;
	if (!t || !btf_is_composite(t) || depth > BTF_ANON_DEPTH)
		return -1;
	m = btf_members(t);
	n = btf_vlen(t);
	for (i = 0; i < n; i++) {
		const char *mn = btf__name_by_offset(btf, m[i].name_off);
		struct found sub;

		if (mn && *mn) {
			if (strlen(mn) != name_len || memcmp(mn, name, name_len))
				continue;
			f->bit_off = btf_member_bit_offset(t, i);
			f->type = m[i].type;
			f->bitfield = btf_member_bitfield_size(t, i);
			return 0;
		}
		if (!find_member(btf, m[i].type, name, name_len, depth + 1, &sub)) {
			f->bit_off = btf_member_bit_offset(t, i) + sub.bit_off;
			f->type = sub.type;
			f->bitfield = sub.bitfield;
			return 0;
		}
	}
	return -1;
}

static __s32 find_struct(const struct btf *btf, const char *name)
{
	__s32 id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);

	return id > 0 ? id : btf__find_by_name_kind(btf, name, BTF_KIND_UNION);
}

/* Resolve "a.b.c" within struct id into an xf_member. */
static int resolve_path(const struct btf *btf, __s32 id, const char *path,
			struct xf_member *out)
{
	uint64_t bit_off = 0;
	struct found f = { 0 };
	const char *p = path;
	__s64 size;
	int depth;

	for (depth = 0; depth < BTF_PATH_MAX; depth++) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		if (find_member(btf, depth ? f.type : (__u32)id, p, len, 0, &f))
			return -1;
		bit_off += f.bit_off;
		if (!dot)
			break;
		if (f.bitfield)
			return -1;
		p = dot + 1;
	}
	if (depth == BTF_PATH_MAX || bit_off / 8 >= XF_MEMBER_ABSENT)
		return -1;
	out->off = (uint32_t)(bit_off / 8);
	if (f.bitfield) {
		unsigned int shift = bit_off % 8;
		unsigned int bytes = (shift + f.bitfield + 7) / 8;

		if (bytes > 8)
			return -1;
		out->size = (uint16_t)bytes;
		out->bit_shift = (uint8_t)shift;
		out->bit_size = (uint8_t)f.bitfield;
		return 0;
	}
	size = btf__resolve_size(btf, f.type);
	if (bit_off % 8 || size <= 0 || size > UINT16_MAX)
		return -1;
	out->size = (uint16_t)size;
	out->bit_shift = 0;
	out->bit_size = 0;
	return 0;
}

/* Append "what" to the comma-separated list of missing items. */
static void note_missing(char *buf, size_t len, const char *a, const char *b)
{
	size_t used = strlen(buf);

	if (used + 1 >= len)
		return;
	snprintf(buf + used, len - used, "%s%s%s%s", used ? ", " : "", a,
		 b ? "." : "", b ? b : "");
}

static int fill_one(const struct btf *btf, const struct xf_type_field *tf,
		    uint8_t *base)
{
	__s32 id = find_struct(btf, tf->type);
	struct xf_member m;
	__s64 size;

	if (!tf->member) {
		uint32_t v = 0;

		if (id <= 0 || (size = btf__resolve_size(btf, id)) <= 0 ||
		    size > (__s64)UINT32_MAX - 1) {
			memcpy(base + tf->prof_off, &v, sizeof(v));
			return -1;
		}
		v = (uint32_t)size;
		memcpy(base + tf->prof_off, &v, sizeof(v));
		return 0;
	}
	memset(&m, 0, sizeof(m));
	m.off = XF_MEMBER_ABSENT;
	if (id > 0 && resolve_path(btf, id, tf->member, &m) &&
	    (!tf->alt || resolve_path(btf, id, tf->alt, &m))) {
		memset(&m, 0, sizeof(m));
		m.off = XF_MEMBER_ABSENT;
	}
	memcpy(base + tf->prof_off, &m, sizeof(m));
	return m.off == XF_MEMBER_ABSENT ? -1 : 0;
}

int xf_profile_fill_types(struct xf_profile *p, struct xf_profile_path *x,
			  const void *data, size_t len, struct xf_perr *e)
{
	char missing[sizeof(e->msg) - 64] = "";
	bool path_ok = true;
	struct btf *btf;
	size_t i;

	if (len > UINT32_MAX) {
		xf_perr_set(e, "BTF: %zu bytes is too large", len);
		return -1;
	}
	btf = btf__new(data, (__u32)len);
	if (!btf) {
		xf_perr_set(e, "BTF: cannot parse (%s)", strerror(errno));
		return -1;
	}
	if (x)
		xf_profile_path_init(x);
	for (i = 0; i < xf_nr_type_fields; i++) {
		const struct xf_type_field *tf = &xf_type_fields[i];

		if (tf->flags & XF_FIELD_PATH) {
			/* All or nothing, and never an error. */
			if (x && fill_one(btf, tf, (uint8_t *)x))
				path_ok = false;
			continue;
		}
		if (fill_one(btf, tf, (uint8_t *)p) &&
		    !(tf->flags & XF_FIELD_OPTIONAL))
			note_missing(missing, sizeof(missing), tf->type,
				     tf->member);
	}
	if (x && !path_ok)
		x->magic = 0;
	btf__free(btf);
	if (missing[0]) {
		xf_perr_set(e, "BTF lacks: %s", missing);
		return -1;
	}
	return 0;
}
