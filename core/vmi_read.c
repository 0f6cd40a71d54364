// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Checked reads of guest memory and the profile check that makes every
 * later member access safe: a member the walker uses is read only if
 * xf_vmi_init() found it inside its struct, with a size it can handle.
 */
#include "vmi_priv.h"

void xf_vmi_limits_default(struct xf_vmi_limits *lim)
{
	lim->max_tasks = 65536;		/* pid_max default is 32768..4M */
	lim->max_threads = 4096;
	lim->max_fds = 65536;
	lim->max_chain = 4096;
	lim->max_buckets = 1U << 20;
	lim->max_reads = 64ULL << 20;
}

int vmi_read(struct xf_vmi *v, uint64_t va, void *buf, uint32_t len)
{
	if (!v->reads_left)
		return XF_VMI_EBUDGET;
	v->reads_left--;
	v->reads++;
	if (len == 0 || va + len < va)
		return XF_VMI_EPTR;
	return v->read(v->ctx, va, buf, len) ? XF_VMI_EREAD : XF_VMI_OK;
}

static uint64_t vmi_le(const uint8_t *b, const struct xf_member *m)
{
	uint64_t x = 0;
	int i;

	for (i = m->size - 1; i >= 0; i--)
		x = x << 8 | b[i];
	if (m->bit_size) {
		x >>= m->bit_shift;
		if (m->bit_size < 64)
			x &= (1ULL << m->bit_size) - 1;
	}
	return x;
}

int vmi_member(struct xf_vmi *v, uint64_t base, const struct xf_member *m,
	       uint64_t *out)
{
	uint8_t b[8];
	int r;

	if (m->off == XF_MEMBER_ABSENT || m->size == 0 || m->size > 8)
		return XF_VMI_EPROFILE;
	r = vmi_read(v, base + m->off, b, m->size);
	if (r)
		return r;
	*out = vmi_le(b, m);
	return XF_VMI_OK;
}

int vmi_member_ptr(struct xf_vmi *v, uint64_t base, const struct xf_member *m,
		   uint32_t align, uint64_t *out)
{
	int r = vmi_member(v, base, m, out);

	if (r)
		return r;
	if (*out && !vmi_kptr_ok(*out, align))
		return XF_VMI_EPTR;
	return XF_VMI_OK;
}

int vmi_members(struct xf_vmi *v, uint64_t base,
		const struct xf_member *const *m, uint32_t n, uint64_t *out)
{
	uint8_t buf[VMI_SPAN_MAX];
	/* 64-bit: a profile may claim an offset near 4 GiB (off + size wraps) */
	uint64_t lo = ~0ULL, hi = 0;
	uint32_t i;
	int r;

	for (i = 0; i < n; i++) {
		out[i] = 0;
		if (!xf_member_present(m[i]))
			continue;
		if (m[i]->size == 0 || m[i]->size > 8)
			return XF_VMI_EPROFILE;
		if (m[i]->off < lo)
			lo = m[i]->off;
		if ((uint64_t)m[i]->off + m[i]->size > hi)
			hi = (uint64_t)m[i]->off + m[i]->size;
	}
	if (!hi)
		return XF_VMI_OK;
	if (hi - lo > sizeof(buf)) {
		/* an odd layout: one read each */
		for (i = 0; i < n; i++) {
			if (!xf_member_present(m[i]))
				continue;
			r = vmi_member(v, base, m[i], &out[i]);
			if (r)
				return r;
		}
		return XF_VMI_OK;
	}
	r = vmi_read(v, base + lo, buf, (uint32_t)(hi - lo));
	if (r)
		return r;
	for (i = 0; i < n; i++)
		if (xf_member_present(m[i]))
			out[i] = vmi_le(buf + (m[i]->off - lo), m[i]);
	return XF_VMI_OK;
}

uint64_t vmi_buf_member(const uint8_t *buf, uint32_t len,
			const struct xf_member *m)
{
	/* Callers only pass members that xf_vmi_init() checked fit len. */
	if (m->off == XF_MEMBER_ABSENT || m->size == 0 || m->size > 8 ||
	    m->off > len || m->size > len - m->off)
		return 0;
	return vmi_le(buf + m->off, m);
}

/* ---- profile check ----------------------------------------------------- */

enum { SCALAR = 1, OPTIONAL = 2 };

struct vmi_need {
	const char *name;
	const struct xf_member *m;
	uint32_t struct_size;
	uint32_t flags;
	uint32_t size;		/* the exact size the walker copies, 0: any */
};

#define NEED(grp, sz, mem, fl) { #grp "." #mem, &p->grp.mem, p->grp.sz, fl, 0 }
/* A member copied whole (memcpy), not read as an integer: its exact size. */
#define NEED_SIZE(grp, sz, mem, fl, n) \
	{ #grp "." #mem, &p->grp.mem, p->grp.sz, fl, n }

static int vmi_check_members(const struct xf_profile *p, const char **why)
{
	const struct vmi_need need[] = {
		NEED(task, size, tasks, 0),
		NEED(task, size, pid, SCALAR),
		NEED(task, size, tgid, SCALAR),
		NEED(task, size, real_parent, SCALAR),
		NEED(task, size, comm, 0),
		NEED(task, size, real_cred, SCALAR),
		NEED(task, size, files, SCALAR),
		NEED(task, size, signal, SCALAR | OPTIONAL),
		NEED(task, size, thread_node, OPTIONAL),
		NEED(task, size, thread_group, OPTIONAL),
		NEED(task, size, mm, SCALAR | OPTIONAL),
		NEED(task, size, flags, SCALAR | OPTIONAL),
		NEED(signal, size, thread_head, OPTIONAL),
		NEED(cred, size, uid, SCALAR),
		NEED(cred, size, gid, SCALAR),
		NEED(cred, size, euid, SCALAR),
		NEED(cred, size, egid, SCALAR),
		NEED(files, files_struct_size, fdt, SCALAR),
		NEED(files, fdtable_size, max_fds, SCALAR),
		NEED(files, fdtable_size, fd, SCALAR),
		NEED(file, size, f_op, SCALAR),
		NEED(file, size, f_inode, SCALAR),
		NEED(file, size, private_data, SCALAR),
		NEED(inode, size, i_mode, SCALAR),
		NEED(socket, size, type, SCALAR),
		NEED(socket, size, file, SCALAR),
		NEED(socket, size, sk, SCALAR),
		NEED_SIZE(skc, size, skc_daddr, SCALAR, 4),
		NEED_SIZE(skc, size, skc_rcv_saddr, SCALAR, 4),
		NEED(skc, size, skc_dport, SCALAR),
		NEED(skc, size, skc_num, SCALAR),
		NEED(skc, size, skc_family, SCALAR),
		NEED(skc, size, skc_state, SCALAR),
		NEED(skc, size, skc_net, SCALAR | OPTIONAL),
		NEED_SIZE(skc, size, skc_v6_daddr, OPTIONAL, 16),
		NEED_SIZE(skc, size, skc_v6_rcv_saddr, OPTIONAL, 16),
		NEED(skc, size, skc_node, OPTIONAL),
		NEED(skc, size, skc_nulls_node, OPTIONAL),
		NEED(sock, size, sk_common, 0),
		NEED(sock, size, sk_protocol, SCALAR),
		NEED(sock, size, sk_type, SCALAR),
		NEED(sock, size, sk_uid, SCALAR | OPTIONAL),
		NEED(sock, size, sk_socket, SCALAR),
		NEED(own, cgroup_size, cgroup_kn, SCALAR | OPTIONAL),
		NEED(own, kernfs_node_size, kn_parent, SCALAR | OPTIONAL),
		NEED(own, kernfs_node_size, kn_name, SCALAR | OPTIONAL),
		NEED(own, kernfs_node_size, kn_id, SCALAR | OPTIONAL),
		NEED(lists, list_head_size, list_next, SCALAR),
		NEED(lists, hlist_node_size, hlist_next, SCALAR),
		NEED(lists, list_head_size, hlist_first, SCALAR | OPTIONAL),
		NEED(lists, list_head_size, hlist_nulls_first, SCALAR | OPTIONAL),
		NEED(lists, hlist_node_size, hlist_nulls_next, SCALAR | OPTIONAL),
	};
	const struct vmi_need other[] = {
		/* members of struct xf_prof_sockown in other groups' structs */
		{ "own.f_cred", &p->own.f_cred, p->file.size, SCALAR | OPTIONAL, 0 },
		{ "own.sk_cgrp", &p->own.sk_cgrp, p->sock.size, SCALAR | OPTIONAL, 0 },
		{ "own.open_fds", &p->own.open_fds, p->files.fdtable_size,
		  SCALAR | OPTIONAL, 0 },
	};
	size_t i;

	for (i = 0; i < XF_ARRAY_SIZE(need) + XF_ARRAY_SIZE(other); i++) {
		const struct vmi_need *n = i < XF_ARRAY_SIZE(need) ? &need[i] :
					   &other[i - XF_ARRAY_SIZE(need)];

		if (!xf_member_present(n->m) && (n->flags & OPTIONAL))
			continue;
		if (!xf_member_fits(n->m, n->struct_size) ||
		    ((n->flags & SCALAR) && n->m->size > 8) ||
		    (n->size && (n->m->size != n->size || n->m->bit_size)) ||
		    (n->m->bit_size && n->m->bit_shift + n->m->bit_size >
		     8 * n->m->size)) {
			*why = n->name;
			return XF_VMI_EPROFILE;
		}
	}
	if (p->task.comm.size < 2) {
		*why = "task.comm";
		return XF_VMI_EPROFILE;
	}
	/*
	 * sock_common is read whole into a VMI_BUF_MAX buffer and must be
	 * what sock.sk_common says it is; IPv6 needs both addresses or none.
	 */
	if (p->skc.size > VMI_BUF_MAX || p->skc.size != p->sock.sk_common.size) {
		*why = "skc.size";
		return XF_VMI_EPROFILE;
	}
	if (xf_member_present(&p->skc.skc_v6_daddr) !=
	    xf_member_present(&p->skc.skc_v6_rcv_saddr)) {
		*why = "skc.skc_v6_rcv_saddr";
		return XF_VMI_EPROFILE;
	}
	if (!xf_member_present(&p->task.thread_node) &&
	    !xf_member_present(&p->task.thread_group)) {
		*why = "task.thread_node";
		return XF_VMI_EPROFILE;
	}
	if (!p->sym.init_task) {
		*why = "sym.init_task";
		return XF_VMI_EPROFILE;
	}
	return XF_VMI_OK;
}

int xf_vmi_init(struct xf_vmi *v, const struct xf_profile *prof,
		xf_vmi_read_fn read, void *ctx, uint64_t slide,
		const char **why)
{
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = NULL;
	memset(v, 0, sizeof(*v));
	if (!prof || !read)
		return XF_VMI_EINVAL;
	if (prof->magic != XF_PROFILE_MAGIC || prof->version != XF_PROFILE_VERSION ||
	    prof->size != sizeof(*prof) || prof->arch != XF_PROFILE_ARCH_X86_64) {
		*why = "header (magic/version/size/arch)";
		return XF_VMI_EPROFILE;
	}
	if (vmi_check_members(prof, why))
		return XF_VMI_EPROFILE;
	v->prof = prof;
	v->read = read;
	v->ctx = ctx;
	v->slide = slide;
	v->hash_mix = ~0ULL;
	xf_vmi_limits_default(&v->lim);
	return XF_VMI_OK;
}

const char *xf_vmi_state_name(uint8_t state)
{
	static const char *const names[] = {
		"UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
		"FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK",
		"LISTEN", "CLOSING", "NEW_SYN_RECV", "BOUND_INACTIVE",
	};

	return state < XF_ARRAY_SIZE(names) ? names[state] : "UNKNOWN";
}

const char *xf_vmi_strerror(int err)
{
	switch (err) {
	case XF_VMI_OK: return "success";
	case XF_VMI_EREAD: return "guest memory unreadable";
	case XF_VMI_EPTR: return "invalid guest pointer";
	case XF_VMI_ELOOP: return "guest list cycles or exceeds its limit";
	case XF_VMI_EAGAIN: return "guest task list locked for write (retry)";
	case XF_VMI_EPROFILE: return "profile does not fit this walker";
	case XF_VMI_ENOENT: return "not found";
	case XF_VMI_EBUDGET: return "read budget exhausted";
	case XF_VMI_ESTOP: return "stopped by callback";
	case XF_VMI_EINVAL: return "invalid argument";
	}
	return "unknown error";
}
