// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Processes: the task list from init_task, thread groups, creds, comm and
 * fd tables. Only thread-group leaders are on init_task.tasks; threads are
 * reached through signal->thread_head (or the older thread_group ring) and
 * only matter here for the fd tables they might not share.
 */
#include "vmi_priv.h"

/* fd slots fetched per read. */
#define VMI_FD_CHUNK 64

int xf_vmi_tasklist_check(struct xf_vmi *v)
{
	uint64_t lock = vmi_sym(v, v->prof->sym.tasklist_lock);
	uint8_t wlocked;
	int r;

	if (!lock || v->ignore_tasklist_lock)
		return XF_VMI_OK;	/* unknown: cannot check, walk anyway */
	/*
	 * rwlock_t is a qrwlock on x86: the low byte of cnts is 0xff while
	 * a writer holds it (_QW_LOCKED). Readers do not disturb the list.
	 */
	r = vmi_read(v, lock, &wlocked, 1);
	if (r)
		return r;
	return wlocked ? XF_VMI_EAGAIN : XF_VMI_OK;
}

static void vmi_comm_copy(char *dst, const uint8_t *src, uint32_t len)
{
	uint32_t i;

	memset(dst, 0, XF_COMM_LEN);
	for (i = 0; i < len && i < XF_COMM_LEN - 1 && src[i]; i++)
		dst[i] = src[i];
}

/* The four ids: they sit within a few bytes of each other, one read. */
int vmi_cred_read(struct xf_vmi *v, uint64_t cred, struct xf_owner *o)
{
	const struct xf_prof_cred *c = &v->prof->cred;
	const struct xf_member *const m[4] = { &c->uid, &c->gid, &c->euid,
					       &c->egid };
	uint64_t x[4];
	int r;

	if (!cred || !vmi_kptr_ok(cred, 4))
		return XF_VMI_EPTR;
	r = vmi_members(v, cred, m, 4, x);
	if (r)
		return r;
	o->uid = (uint32_t)x[0];
	o->gid = (uint32_t)x[1];
	o->euid = (uint32_t)x[2];
	o->egid = (uint32_t)x[3];
	return XF_VMI_OK;
}

int vmi_proc_read(struct xf_vmi *v, uint64_t task, struct xf_vmi_proc *p)
{
	const struct xf_prof_task *t = &v->prof->task;
	uint8_t comm[64];
	uint64_t x, parent, cred;
	uint32_t len = t->comm.size < sizeof(comm) ? t->comm.size : sizeof(comm);
	int r;

	memset(p, 0, sizeof(*p));
	p->task = task;
	p->nr_threads = 1;
	r = vmi_member(v, task, &t->pid, &x);
	if (r)
		return r;
	p->owner.pid = x;
	r = vmi_member(v, task, &t->tgid, &x);
	if (r)
		return r;
	p->owner.tgid = x;
	r = vmi_read(v, task + t->comm.off, comm, len);
	if (r)
		return r;
	vmi_comm_copy(p->owner.comm, comm, len);
	/*
	 * The objective credentials, real_cred, are what /proc/PID/status
	 * shows and what the kernel checks others against; task->cred may
	 * be a temporary override.
	 */
	r = vmi_member_ptr(v, task, &t->real_cred, 8, &cred);
	if (r)
		return r;
	r = vmi_cred_read(v, cred, &p->owner);
	if (r)
		return r;
	/* Our parent's tgid, as getppid() would say. */
	if (vmi_member_ptr(v, task, &t->real_parent, 8, &parent) == 0 &&
	    parent && vmi_member(v, parent, &t->tgid, &x) == 0) {
		p->owner.ppid = x;
		p->owner.flags |= XF_OWNER_F_PPID;
	}
	if (xf_member_present(&t->flags) &&
	    vmi_member(v, task, &t->flags, &x) == 0)
		p->kthread = !!(x & VMI_PF_KTHREAD);
	else if (xf_member_present(&t->mm) &&
		 vmi_member(v, task, &t->mm, &x) == 0)
		p->kthread = !x;
	/*
	 * The task's own credentials: what a full walk or xfctl ps shows.
	 * xf_vmi_owner() replaces them with the socket's (f_cred).
	 */
	p->owner.flags |= XF_OWNER_F_FOUND | XF_OWNER_F_TASK;
	return XF_VMI_OK;
}

static void vmi_files_add(struct vmi_files_set *set, uint64_t files)
{
	uint32_t i;

	if (!files)
		return;
	for (i = 0; i < set->n; i++)
		if (set->files[i] == files)
			return;
	if (set->n < VMI_FILES_PER_PROC)
		set->files[set->n++] = files;
}

/*
 * Collects the fd tables of a thread group. The thread list head lives in
 * signal_struct (>= 6.7 the only one; 6.1 has both); the older
 * thread_group ring has no separate head and ends back at the leader.
 */
static int vmi_threads_files(struct xf_vmi *v, uint64_t leader,
			     struct vmi_files_set *set, uint32_t *nr)
{
	const struct xf_profile *pr = v->prof;
	const struct xf_prof_task *t = &pr->task;
	uint64_t head, cur, next, files, sig;
	struct xf_member link;
	struct vmi_cycle cyc;
	uint32_t n, ring = 0;
	int r;

	*nr = 1;
	if (xf_member_present(&t->thread_node) && xf_member_present(&t->signal) &&
	    xf_member_present(&pr->signal.thread_head)) {
		r = vmi_member_ptr(v, leader, &t->signal, 8, &sig);
		if (r)
			return r;
		if (!sig)
			return XF_VMI_OK;
		head = sig + pr->signal.thread_head.off;
		link = t->thread_node;
	} else {
		head = leader + t->thread_group.off;
		link = t->thread_group;
		ring = 1;	/* the leader is the head, not on the list */
	}
	cur = head;
	vmi_cycle_init(&cyc, head);
	for (n = 0;; n++) {
		uint64_t task;

		r = vmi_member_ptr(v, cur, &pr->lists.list_next, 8, &next);
		if (r)
			return r;
		if (next == head || !next)
			break;
		if (n >= v->lim.max_threads || vmi_cycle_step(&cyc, next))
			return XF_VMI_ELOOP;
		task = next - link.off;
		if (task != leader &&
		    vmi_member_ptr(v, task, &t->files, 8, &files) == 0)
			vmi_files_add(set, files);
		cur = next;
	}
	*nr = n + ring ? n + ring : 1;
	return XF_VMI_OK;
}

int vmi_proc_files(struct xf_vmi *v, uint64_t leader, struct vmi_files_set *set,
		   uint32_t *nr_threads)
{
	uint64_t files;
	uint32_t nr = 1;
	int r;

	set->n = 0;
	if (vmi_member_ptr(v, leader, &v->prof->task.files, 8, &files) == 0)
		vmi_files_add(set, files);
	/* A broken thread list costs the threads' tables, not the leader's. */
	r = vmi_threads_files(v, leader, set, &nr);
	if (nr_threads)
		*nr_threads = nr;
	return r == XF_VMI_EBUDGET ? r : XF_VMI_OK;
}

int vmi_fd_each(struct xf_vmi *v, uint64_t files,
		int (*fn)(struct xf_vmi *v, int32_t fd, uint64_t file, void *arg),
		void *arg)
{
	const struct xf_prof_files *f = &v->prof->files;
	uint64_t fdt, fdarr, max, chunk[VMI_FD_CHUNK];
	uint32_t i, j, n;
	int r;

	r = vmi_member_ptr(v, files, &f->fdt, 8, &fdt);
	if (r)
		return r;
	if (!fdt)
		return XF_VMI_OK;
	r = vmi_member(v, fdt, &f->max_fds, &max);
	if (r)
		return r;
	r = vmi_member_ptr(v, fdt, &f->fd, 8, &fdarr);
	if (r)
		return r;
	if (!fdarr)
		return XF_VMI_OK;
	/* max_fds is the guest's word: clamp it to ours. */
	n = max < v->lim.max_fds ? (uint32_t)max : v->lim.max_fds;
	for (i = 0; i < n; i += VMI_FD_CHUNK) {
		uint32_t k = n - i < VMI_FD_CHUNK ? n - i : VMI_FD_CHUNK;

		if (fdarr + (uint64_t)i * 8 < fdarr)
			return XF_VMI_EPTR;
		r = vmi_read(v, fdarr + (uint64_t)i * 8, chunk, k * 8);
		if (r)
			return r;
		for (j = 0; j < k; j++) {
			if (!chunk[j])
				continue;
			if (!vmi_kptr_ok(chunk[j], 8))
				continue;	/* garbage slot: not a file */
			r = fn(v, (int32_t)(i + j), chunk[j], arg);
			if (r)
				return r;
		}
	}
	return XF_VMI_OK;
}

/* ---- the full walk ------------------------------------------------------ */

struct vmi_walk_ctx {
	const struct xf_vmi_proc *proc;
	xf_vmi_sock_fn sock_fn;
	void *arg;
};

static int vmi_walk_fd(struct xf_vmi *v, int32_t fd, uint64_t file, void *arg)
{
	struct vmi_walk_ctx *w = arg;
	struct xf_vmi_sock s;
	int r = vmi_file_sock(v, file, &s);

	if (r == XF_VMI_EBUDGET)
		return r;
	if (r)
		return XF_VMI_OK;	/* not an inet socket, or unreadable */
	s.fd = fd;
	return w->sock_fn(w->arg, w->proc, &s) ? XF_VMI_ESTOP : XF_VMI_OK;
}

static int vmi_walk_files(struct xf_vmi *v, uint64_t files, void *arg)
{
	int r = vmi_fd_each(v, files, vmi_walk_fd, arg);

	/* One bad fd table must not hide the rest of the guest. */
	return r == XF_VMI_ESTOP || r == XF_VMI_EBUDGET ? r : XF_VMI_OK;
}

int xf_vmi_walk(struct xf_vmi *v, xf_vmi_proc_fn proc_fn,
		xf_vmi_sock_fn sock_fn, void *arg)
{
	const struct xf_profile *pr = v->prof;
	uint64_t head, cur, next;
	struct vmi_cycle cyc;
	struct vmi_walk_ctx w = { NULL, sock_fn, arg };
	uint32_t n;
	int r;

	if (!pr)
		return XF_VMI_EINVAL;
	vmi_begin(v);
	r = xf_vmi_tasklist_check(v);
	if (r)
		return r;
	head = vmi_sym(v, pr->sym.init_task) + pr->task.tasks.off;
	cur = head;
	vmi_cycle_init(&cyc, head);
	for (n = 0;; n++) {
		struct xf_vmi_proc p;
		struct vmi_files_set set;
		uint64_t task;
		uint32_t i;

		r = vmi_member_ptr(v, cur, &pr->lists.list_next, 8, &next);
		if (r)
			return r;
		if (next == head)
			break;
		if (!next)
			return XF_VMI_EPTR;
		if (n >= v->lim.max_tasks || vmi_cycle_step(&cyc, next))
			return XF_VMI_ELOOP;
		task = next - pr->task.tasks.off;
		cur = next;
		r = vmi_proc_read(v, task, &p);
		if (r == XF_VMI_EBUDGET)
			return r;
		if (r)
			continue;	/* unreadable task: skip, keep walking */
		r = vmi_proc_files(v, task, &set, &p.nr_threads);
		if (r)
			return r;
		if (proc_fn && proc_fn(arg, &p))
			return XF_VMI_ESTOP;
		if (!sock_fn)
			continue;
		w.proc = &p;
		for (i = 0; i < set.n; i++) {
			r = vmi_walk_files(v, set.files[i], &w);
			if (r)
				return r;
		}
	}
	/* The list may have changed under us if a writer came in. */
	return xf_vmi_tasklist_check(v);
}
