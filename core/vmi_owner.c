// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The owner of a socket, from the socket itself: who opened it (the
 * file's f_cred, which no later setuid(), fd passing or exit changes),
 * the cgroup it was created in, and only when a rule needs it the task
 * that holds it. This is what netfilter's xt_owner and nft "meta skuid"
 * decide on, read from the outside in a constant number of reads, so an
 * unprivileged guest user cannot make attribution slow or wrong by
 * shaping the task list or fd tables: that only affects the task search,
 * which uid/euid/gid/cgroup rules never wait for.
 */
#include "vmi_priv.h"
#include "rule.h"

/*
 * file->f_cred: the credentials the socket was opened with (cred: the
 * pointer when the lookup read it along with the file, else 0).
 */
static int vmi_file_cred(struct xf_vmi *v, uint64_t file, uint64_t cred,
			 struct xf_owner *o)
{
	const struct xf_member *m = &v->prof->own.f_cred;
	int r;

	if (!xf_member_present(m))
		return XF_VMI_EPROFILE;
	if (cred) {
		if (!vmi_kptr_ok(cred, 8))
			return XF_VMI_EPTR;
	} else {
		r = vmi_member_ptr(v, file, m, 8, &cred);
		if (r)
			return r;
		if (!cred)
			return XF_VMI_ENOENT;
	}
	return vmi_cred_read(v, cred, o);
}

/* The holder's identity; the credentials stay the socket's. */
static void vmi_owner_task(struct xf_owner *o, const struct xf_vmi_proc *t)
{
	o->pid = t->owner.pid;
	o->tgid = t->owner.tgid;
	memcpy(o->comm, t->owner.comm, sizeof(o->comm));
	if (t->owner.flags & XF_OWNER_F_PPID) {
		o->ppid = t->owner.ppid;
		o->flags |= XF_OWNER_F_PPID;
	}
	o->flags |= XF_OWNER_F_TASK;
}

static int vmi_find_task(struct xf_vmi *v, uint64_t file, uint32_t uid,
			 bool by_uid, uint64_t hint_task, int32_t hint_fd,
			 struct xf_vmi_proc *t, int32_t *fd)
{
	int r;

	if (hint_task && vmi_hint_ok(v, hint_task, hint_fd, file)) {
		*fd = hint_fd;
		return vmi_proc_read(v, hint_task, t);
	}
	r = xf_vmi_tasklist_check(v);
	if (r)
		return r;
	r = vmi_holder_find(v, file, uid, by_uid, t, fd);
	if (r)
		return r;
	return xf_vmi_tasklist_check(v);
}

int xf_vmi_sock_ident(struct xf_vmi *v, const struct xf_vmi_sock *s,
		      struct xf_owner *o)
{
	int r;

	o->flags &= ~(XF_OWNER_F_FOUND | XF_OWNER_F_CGROUP |
		      XF_OWNER_F_CGROUP_TRUNC);
	if (!s->file || !vmi_kptr_ok(s->file, 8) || !vmi_kptr_ok(s->sk, 8))
		return XF_VMI_ENOENT;
	r = vmi_file_cred(v, s->file, s->cred, o);
	if (r == XF_VMI_EBUDGET)
		return r;
	if (r == 0)
		o->flags |= XF_OWNER_F_FOUND;
	/* No cgroup (a kernel or profile without it) fails no rule but cgroup. */
	if (vmi_sk_cgroup(v, s->sk, s->cgroup, o) == XF_VMI_EBUDGET)
		return XF_VMI_EBUDGET;
	return o->flags & XF_OWNER_F_FOUND ? XF_VMI_OK : r;
}

int xf_vmi_owner(struct xf_vmi *v, const struct xf_vmi_sock *s, uint32_t need,
		 uint64_t hint_task, int32_t hint_fd, struct xf_vmi_proc *p,
		 int32_t *fd)
{
	struct xf_owner *o;
	struct xf_vmi_proc t;
	int32_t tfd = -1;
	bool creds;
	int r;

	if (!v->prof || !s || !p)
		return XF_VMI_EINVAL;
	vmi_begin(v);
	memset(p, 0, sizeof(*p));
	o = &p->owner;
	if (fd)
		*fd = -1;
	if (!s->file || !vmi_kptr_ok(s->file, 8) || !vmi_kptr_ok(s->sk, 8))
		return XF_VMI_ENOENT;
	r = xf_vmi_sock_ident(v, s, o);
	if (r == XF_VMI_EBUDGET)
		return r;
	creds = o->flags & XF_OWNER_F_FOUND;
	if (creds && !(need & XF_RF_TASK))
		return XF_VMI_OK;

	r = vmi_find_task(v, s->file, o->uid, creds, hint_task, hint_fd, &t,
			  &tfd);
	if (r) {
		/* The socket's own word stands; only the task is missing. */
		return creds ? XF_VMI_OK : r;
	}
	if (!creds) {
		/* Older profile: the task's credentials, as before. */
		o->uid = t.owner.uid;
		o->gid = t.owner.gid;
		o->euid = t.owner.euid;
		o->egid = t.owner.egid;
		o->flags |= XF_OWNER_F_FOUND;
	}
	vmi_owner_task(o, &t);
	p->task = t.task;
	p->nr_threads = t.nr_threads;
	p->kthread = t.kthread;
	if (fd)
		*fd = tfd;
	return XF_VMI_OK;
}

const char *xf_vmi_owner_missing(const struct xf_profile *prof, bool *creds)
{
	const struct xf_prof_sockown *w = &prof->own;
	static const char *const cg[] = {
		"cgroup: sock.sk_cgrp_data.cgroup", "cgroup: cgroup.kn",
		"cgroup: kernfs_node.parent", "cgroup: kernfs_node.name",
		"cgroup: kernfs_node.id",
	};
	const struct xf_member *m[] = {
		&w->sk_cgrp, &w->cgroup_kn, &w->kn_parent, &w->kn_name, &w->kn_id,
	};
	uint32_t i;

	*creds = xf_member_present(&w->f_cred);
	if (!*creds)
		return "credentials: file.f_cred (taken from the task instead)";
	for (i = 0; i < XF_ARRAY_SIZE(m); i++)
		if (!xf_member_present(m[i]))
			return cg[i];
	if (!xf_member_present(&w->open_fds))
		return "task search: fdtable.open_fds (whole fd tables are read)";
	return NULL;
}
