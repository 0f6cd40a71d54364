// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Executable paths: task->mm->exe_file->f_path, printed the way the
 * guest's d_path() would from the init process's root (init_task->fs->root):
 * dentry names up the d_parent chain, and at the root of each mount on to
 * the dentry it is mounted on (mount.mnt_mountpoint) in the parent mount.
 *
 * Everything is the guest's: names are length-checked (1..255 bytes, no
 * '/' or NUL), the number of components and of mount crossings is capped,
 * and a chain that never reaches the init root (a cycle, a detached or
 * foreign-namespace mount, a disconnected dentry) is an error, not a
 * shorter path: an owner whose exe we cannot vouch for has none, so it
 * never matches an exe rule.
 */
#include "vmi_priv.h"

#define VMI_EXE_DEPTH 128	/* path components (PATH_MAX / 2 / 16) */
#define VMI_EXE_MOUNTS 32	/* mount points crossed */
#define VMI_EXE_READS 1024	/* reads one path may take */
#define VMI_NAME_MAX 255	/* NAME_MAX */

/* A pointer member that must be present, sized 8 and inside its struct. */
static bool ptr_fits(const struct xf_member *m, uint32_t struct_size)
{
	return xf_member_fits(m, struct_size) && m->size == 8 && !m->bit_size;
}

int xf_vmi_set_path(struct xf_vmi *v, const struct xf_profile_path *x,
		    const char **why)
{
	const struct xf_profile *p = v->prof;
	const struct xf_prof_vfs *f = &x->vfs;
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = NULL;
	v->path = NULL;
	if (!p)
		return XF_VMI_EINVAL;
	if (x->magic != XF_PROFILE_PATH_MAGIC ||
	    x->version != XF_PROFILE_PATH_VERSION || x->size != sizeof(*x)) {
		*why = "path header (magic/version/size)";
		return XF_VMI_EPROFILE;
	}
	/* Both profiles must describe the same build. */
	if (f->file_size != p->file.size || f->task_size != p->task.size) {
		*why = "path.vfs sizes differ from the profile's";
		return XF_VMI_EPROFILE;
	}
	if (!ptr_fits(&p->task.mm, p->task.size) ||
	    !ptr_fits(&p->mm.exe_file, p->mm.size) ||
	    !ptr_fits(&p->file.f_path_dentry, p->file.size) ||
	    !ptr_fits(&p->file.d_parent, p->file.dentry_size) ||
	    !ptr_fits(&p->file.d_name_name, p->file.dentry_size) ||
	    !xf_member_fits(&p->file.d_name_len, p->file.dentry_size) ||
	    p->file.d_name_len.size > 8) {
		*why = "task.mm, mm.exe_file, file.f_path_dentry or dentry members";
		return XF_VMI_EPROFILE;
	}
	if (!ptr_fits(&f->f_path_mnt, f->file_size) ||
	    !xf_member_fits(&f->mnt, f->mount_size) ||
	    !ptr_fits(&f->mnt_parent, f->mount_size) ||
	    !ptr_fits(&f->mnt_mountpoint, f->mount_size) ||
	    !ptr_fits(&f->mnt_root, f->vfsmount_size) ||
	    f->mnt.size < f->vfsmount_size ||
	    !ptr_fits(&f->task_fs, f->task_size) ||
	    !ptr_fits(&f->fs_root_mnt, f->fs_struct_size) ||
	    !ptr_fits(&f->fs_root_dentry, f->fs_struct_size)) {
		*why = "path.vfs members";
		return XF_VMI_EPROFILE;
	}
	v->path = x;
	return XF_VMI_OK;
}

/* The output, built backwards from the end of buf. */
struct vmi_pathbuf {
	char buf[XF_EXE_LEN];
	uint32_t pos;		/* start of the path in buf */
	bool trunc;
};

/* Prepends "/name"; false (and trunc) when it does not fit. */
static bool pb_prepend(struct vmi_pathbuf *pb, const uint8_t *name,
		       uint32_t len)
{
	if (len + 1 > pb->pos) {
		pb->trunc = true;
		return false;
	}
	pb->pos -= len;
	memcpy(pb->buf + pb->pos, name, len);
	pb->buf[--pb->pos] = '/';
	return true;
}

struct vmi_dentry {
	uint64_t parent, name;
	uint32_t len;
};

static int dentry_read(struct xf_vmi *v, uint64_t d, struct vmi_dentry *out)
{
	const struct xf_prof_file *f = &v->prof->file;
	const struct xf_member *const m[3] = { &f->d_parent, &f->d_name_name,
					       &f->d_name_len };
	uint64_t x[3];
	int r;

	r = vmi_members(v, d, m, 3, x);
	if (r)
		return r;
	out->parent = x[0];
	out->name = x[1];
	if (!vmi_kptr_ok(out->parent, 8) || !vmi_kptr_ok(out->name, 1))
		return XF_VMI_EPTR;
	if (x[2] == 0 || x[2] > VMI_NAME_MAX)
		return XF_VMI_EPTR;	/* no real name is empty or longer */
	out->len = (uint32_t)x[2];
	return XF_VMI_OK;
}

/* Where the mount walk stands: a vfsmount, its struct mount, its root. */
struct vmi_mnt {
	uint64_t vfsmnt, mount, root;
};

static int mnt_enter(struct xf_vmi *v, uint64_t vfsmnt, struct vmi_mnt *m)
{
	const struct xf_prof_vfs *f = &v->path->vfs;

	if (!vmi_kptr_ok(vfsmnt, 8) || vfsmnt < VMI_KERNEL_MIN + f->mnt.off)
		return XF_VMI_EPTR;
	m->vfsmnt = vfsmnt;
	m->mount = vfsmnt - f->mnt.off;
	return vmi_member_ptr(v, vfsmnt, &f->mnt_root, 8, &m->root);
}

static int vmi_exe_path(struct xf_vmi *v, uint64_t task, struct vmi_pathbuf *pb)
{
	const struct xf_profile *p = v->prof;
	const struct xf_prof_vfs *f = &v->path->vfs;
	uint64_t mm, file, dentry, vfsmnt, fs, root_mnt = 0, root_dentry = 0;
	uint32_t depth = 0, mounts = 0;
	uint8_t name[VMI_NAME_MAX];
	struct vmi_mnt m;
	int r;

	r = vmi_member_ptr(v, task, &p->task.mm, 8, &mm);
	if (r)
		return r;
	if (!mm)
		return XF_VMI_ENOENT;		/* kernel thread */
	r = vmi_member_ptr(v, mm, &p->mm.exe_file, 8, &file);
	if (r)
		return r;
	if (!file)
		return XF_VMI_ENOENT;
	r = vmi_member_ptr(v, file, &p->file.f_path_dentry, 8, &dentry);
	if (r)
		return r;
	r = vmi_member_ptr(v, file, &f->f_path_mnt, 8, &vfsmnt);
	if (r)
		return r;
	if (!dentry || !vfsmnt)
		return XF_VMI_EPTR;
	/* The root d_path() stops at: the init process's, as /proc shows. */
	r = vmi_member_ptr(v, vmi_sym(v, p->sym.init_task), &f->task_fs,
			   8, &fs);
	if (r)
		return r;
	if (!fs)
		return XF_VMI_EPTR;
	r = vmi_member_ptr(v, fs, &f->fs_root_mnt, 8, &root_mnt);
	if (r)
		return r;
	r = vmi_member_ptr(v, fs, &f->fs_root_dentry, 8, &root_dentry);
	if (r)
		return r;
	if (!root_mnt || !root_dentry)
		return XF_VMI_EPTR;
	r = mnt_enter(v, vfsmnt, &m);
	if (r)
		return r;

	pb->pos = XF_EXE_LEN - 1;
	pb->buf[pb->pos] = '\0';
	pb->trunc = false;
	for (;;) {
		struct vmi_dentry d;
		uint64_t parent, i;

		if (dentry == root_dentry && m.vfsmnt == root_mnt)
			break;
		if (dentry == m.root) {
			/* Root of this mount: go on where it is mounted. */
			r = vmi_member_ptr(v, m.mount, &f->mnt_parent, 8,
					   &parent);
			if (r)
				return r;
			if (!parent || parent == m.mount)
				return XF_VMI_ENOENT;	/* not under our root */
			if (++mounts > VMI_EXE_MOUNTS)
				return XF_VMI_ELOOP;
			r = vmi_member_ptr(v, m.mount, &f->mnt_mountpoint,
					   8, &dentry);
			if (r)
				return r;
			if (!dentry)
				return XF_VMI_EPTR;
			r = mnt_enter(v, parent + f->mnt.off, &m);
			if (r)
				return r;
			continue;
		}
		r = dentry_read(v, dentry, &d);
		if (r)
			return r;
		if (d.parent == dentry)
			return XF_VMI_ENOENT;	/* disconnected (IS_ROOT) */
		if (++depth > VMI_EXE_DEPTH)
			return XF_VMI_ELOOP;
		if (!pb->trunc) {
			r = vmi_read(v, d.name, name, d.len);
			if (r)
				return r;
			for (i = 0; i < d.len; i++)
				if (name[i] == '/' || name[i] == '\0')
					return XF_VMI_EPTR;
			/*
			 * Once full, keep walking without names: the path
			 * must still reach the root to count.
			 */
			pb_prepend(pb, name, d.len);
		}
		dentry = d.parent;
	}
	if (pb->pos == XF_EXE_LEN - 1 && !pb->trunc)
		pb->buf[--pb->pos] = '/';	/* the root itself */
	return XF_VMI_OK;
}

int xf_vmi_exe(struct xf_vmi *v, uint64_t task, struct xf_owner *o)
{
	struct vmi_pathbuf pb;
	uint64_t outer = v->reads_left;
	int r;

	o->flags &= ~(XF_OWNER_F_EXE | XF_OWNER_F_EXE_TRUNC);
	memset(o->exe, 0, sizeof(o->exe));
	if (!v->prof || !v->path)
		return XF_VMI_EPROFILE;
	v->reads_left = v->lim.max_reads < VMI_EXE_READS ? v->lim.max_reads :
							   VMI_EXE_READS;
	r = vmi_exe_path(v, task, &pb);
	v->reads_left = outer;
	if (r)
		return r;
	memcpy(o->exe, pb.buf + pb.pos, XF_EXE_LEN - pb.pos);
	o->flags |= XF_OWNER_F_EXE | (pb.trunc ? XF_OWNER_F_EXE_TRUNC : 0);
	return XF_VMI_OK;
}
