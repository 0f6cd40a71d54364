// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The cgroup a socket was created in, as the guest prints it in
 * /proc/PID/cgroup ("0::/system.slice/ssh.service"): sk->sk_cgrp_data
 * .cgroup is the socket's cgroup v2 cgroup (the root one on a v1-only
 * system), cgroup->kn its kernfs directory, and the path is the names of
 * the kernfs_node parents up to the hierarchy root (parent NULL), whose
 * own name is not part of the path. cgroup_id is kn->id, what the guest's
 * bpf_get_current_cgroup_id() and name_to_handle_at() call the cgroup id.
 *
 * The guest controls every byte: the chain is cycle-checked and at most
 * VMI_CGROUP_DEPTH long, names are bounded, non-empty and without '/', and
 * the path is built from the leaf backwards so that when it does not fit,
 * what we keep is its end from a '/' (XF_OWNER_F_CGROUP_TRUNC: a path we
 * cannot vouch for never matches a cgroup rule). Cost: one read for the
 * cgroup (two when the lookup has not read sk's cgroup pointer with the
 * sock), then one per level plus one per name (two when a name crosses a
 * page).
 */
#include "vmi_priv.h"

#define VMI_NAME_MAX 256	/* kernfs names are at most NAME_MAX (255) */
#define VMI_PAGE 4096ULL

struct vmi_kn {
	uint64_t parent, name, id;
};

/* parent, name and id of one kernfs_node, in one read when they are close. */
static int vmi_kn_read(struct xf_vmi *v, uint64_t kn, struct vmi_kn *k)
{
	const struct xf_prof_sockown *w = &v->prof->own;
	const struct xf_member *const m[3] = { &w->kn_parent, &w->kn_name,
					       &w->kn_id };
	uint64_t x[3];
	int r;

	if (!vmi_kptr_ok(kn, 8))
		return XF_VMI_EPTR;
	r = vmi_members(v, kn, m, 3, x);
	if (r)
		return r;
	k->parent = x[0];
	k->name = x[1];
	k->id = x[2];
	if (k->parent && !vmi_kptr_ok(k->parent, 8))
		return XF_VMI_EPTR;
	return XF_VMI_OK;
}

/*
 * A kernfs name into buf (VMI_NAME_MAX bytes), its length in *len. Read up
 * to the end of its page first: the next page may not be mapped, and most
 * names end well before it.
 */
static int vmi_kn_name(struct xf_vmi *v, uint64_t name, char *buf,
		       uint32_t *len)
{
	uint32_t got = 0, i;
	int r;

	if (!vmi_kptr_ok(name, 1))
		return XF_VMI_EPTR;
	while (got < VMI_NAME_MAX) {
		uint64_t va = name + got;
		uint32_t n = VMI_PAGE - (va & (VMI_PAGE - 1));

		if (n > VMI_NAME_MAX - got)
			n = VMI_NAME_MAX - got;
		r = vmi_read(v, va, buf + got, n);
		if (r)
			return r;
		for (i = got; i < got + n; i++) {
			if (!buf[i]) {
				*len = i;
				return XF_VMI_OK;
			}
		}
		got += n;
	}
	return XF_VMI_EPTR;	/* no NUL within NAME_MAX: not a name */
}

/* A path component: not empty, no '/' (compat.h has no memchr). */
static bool vmi_name_ok(const char *name, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if (name[i] == '/')
			return false;
	return len > 0;
}

int vmi_sk_cgroup(struct xf_vmi *v, uint64_t sk, uint64_t cgrp,
		  struct xf_owner *o)
{
	const struct xf_profile *pr = v->prof;
	const struct xf_prof_sockown *w = &pr->own;
	char path[XF_CGROUP_LEN], name[VMI_NAME_MAX];
	uint32_t pos = XF_CGROUP_LEN - 1, depth, len;
	uint64_t kn, id = 0;
	struct vmi_cycle cyc;
	bool trunc = false;
	int r;

	o->flags &= ~(XF_OWNER_F_CGROUP | XF_OWNER_F_CGROUP_TRUNC);
	if (!xf_member_present(&w->sk_cgrp) || !xf_member_present(&w->cgroup_kn) ||
	    !xf_member_present(&w->kn_parent) || !xf_member_present(&w->kn_name) ||
	    !xf_member_present(&w->kn_id))
		return XF_VMI_EPROFILE;
	if (cgrp) {
		if (!vmi_kptr_ok(cgrp, 8))
			return XF_VMI_EPTR;
	} else {
		r = vmi_member_ptr(v, sk, &w->sk_cgrp, 8, &cgrp);
		if (r)
			return r;
		if (!cgrp)
			return XF_VMI_ENOENT;
	}
	r = vmi_member_ptr(v, cgrp, &w->cgroup_kn, 8, &kn);
	if (r)
		return r;
	if (!kn)
		return XF_VMI_ENOENT;
	path[pos] = '\0';
	vmi_cycle_init(&cyc, kn);
	for (depth = 0;; depth++) {
		struct vmi_kn k;

		if (depth >= VMI_CGROUP_DEPTH || (depth && vmi_cycle_step(&cyc, kn)))
			return XF_VMI_ELOOP;
		r = vmi_kn_read(v, kn, &k);
		if (r)
			return r;
		if (!depth)
			id = k.id;
		if (!k.parent)
			break;		/* the root: not part of the path */
		if (!trunc) {
			r = vmi_kn_name(v, k.name, name, &len);
			if (r)
				return r;
			if (!vmi_name_ok(name, len))
				return XF_VMI_EPTR;
			if (len + 1 > pos) {
				trunc = true;	/* keep walking: is it real? */
			} else {
				pos -= len;
				memcpy(path + pos, name, len);
				path[--pos] = '/';
			}
		}
		kn = k.parent;
	}
	if (pos == XF_CGROUP_LEN - 1 && !trunc)
		path[--pos] = '/';	/* the root cgroup */
	memcpy(o->cgroup, path + pos, XF_CGROUP_LEN - pos);
	memset(o->cgroup + (XF_CGROUP_LEN - pos), 0, pos);
	o->cgroup_id = id;
	o->flags |= XF_OWNER_F_CGROUP | (trunc ? XF_OWNER_F_CGROUP_TRUNC : 0);
	return XF_VMI_OK;
}
