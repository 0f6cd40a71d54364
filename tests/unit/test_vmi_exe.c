// SPDX-License-Identifier: GPL-2.0
/*
 * Executable paths (core/vmi_exe.c) against a hand-built guest: a made-up
 * struct layout, a root mount with /usr/bin/prog, a filesystem mounted on
 * /mnt, a bind mount, then a hostile guest: d_parent cycles, absurd name
 * lengths, names with '/' or NUL, mount-parent loops, a mount outside the
 * init root, a path longer than XF_EXE_LEN, wild pointers, a profile that
 * does not fit. The walker must give the path d_path() would, or no exe.
 */
#include <stdlib.h>
#include <string.h>

#include "guest_mem.h"
#include "tap.h"
#include "vmi.h"

/* The made-up kernel: only what the path walk and xf_vmi_init() need. */
enum {
	T_TASKS = 0, T_PID = 16, T_TGID = 20, T_PARENT = 24, T_THREAD = 40,
	T_COMM = 64, T_RCRED = 80, T_FILES = 96, T_MM = 104, T_FS = 120,
	T_SIZE = 256,
	MM_EXE = 48, MM_SIZE = 128,
	F_PATH_MNT = 24, F_PATH_DENTRY = 32, F_SIZE = 64,
	D_PARENT = 8, D_LEN = 20, D_NAME = 24, D_SIZE = 192,	/* hash_len: hash 16, len 20 */
	MNT_VFS = 32, MNT_PARENT = 16, MNT_MOUNTPOINT = 24, MNT_SIZE = 128,
	VFS_ROOT = 0, VFS_SIZE = 32,
	FS_ROOT = 24, FS_SIZE = 64,	/* root.mnt at 24, root.dentry at 32 */
};

static struct xf_profile prof;
static struct xf_profile_path xpath;

static void make_profile(void)
{
	struct xf_profile *p = &prof;
	struct xf_prof_vfs *f = &xpath.vfs;

	memset(p, 0, sizeof(*p));
	memset(&p->task, 0xff, sizeof(*p) - offsetof(struct xf_profile, task));
	p->magic = XF_PROFILE_MAGIC;
	p->version = XF_PROFILE_VERSION;
	p->arch = XF_PROFILE_ARCH_X86_64;
	p->size = sizeof(*p);
	p->task.size = T_SIZE;
	p->task.tasks = M(T_TASKS, 16);
	p->task.pid = M(T_PID, 4);
	p->task.tgid = M(T_TGID, 4);
	p->task.real_parent = M(T_PARENT, 8);
	p->task.thread_node = M(T_THREAD, 16);
	p->task.comm = M(T_COMM, 16);
	p->task.real_cred = M(T_RCRED, 8);
	p->task.files = M(T_FILES, 8);
	p->task.mm = M(T_MM, 8);
	p->mm.size = MM_SIZE;
	p->mm.exe_file = M(MM_EXE, 8);
	p->cred.size = 64;
	p->cred.uid = M(4, 4);
	p->cred.gid = M(8, 4);
	p->cred.euid = M(20, 4);
	p->cred.egid = M(24, 4);
	p->files.files_struct_size = 64;
	p->files.fdtable_size = 32;
	p->files.fdt = M(0, 8);
	p->files.max_fds = M(0, 4);
	p->files.fd = M(8, 8);
	p->file.size = F_SIZE;
	p->file.dentry_size = D_SIZE;
	p->file.f_op = M(0, 8);
	p->file.f_inode = M(8, 8);
	p->file.private_data = M(16, 8);
	p->file.f_path_dentry = M(F_PATH_DENTRY, 8);
	p->file.d_parent = M(D_PARENT, 8);
	p->file.d_name_name = M(D_NAME, 8);
	p->file.d_name_len = M(D_LEN, 4);
	p->inode.size = 64;
	p->inode.i_mode = M(0, 2);
	p->socket.size = 48;
	p->socket.type = M(4, 2);
	p->socket.file = M(16, 8);
	p->socket.sk = M(24, 8);
	p->skc.size = 136;
	p->skc.skc_daddr = M(0, 4);
	p->skc.skc_rcv_saddr = M(4, 4);
	p->skc.skc_dport = M(12, 2);
	p->skc.skc_num = M(14, 2);
	p->skc.skc_family = M(16, 2);
	p->skc.skc_state = M(18, 1);
	p->sock.size = 256;
	p->sock.sk_common = M(0, 136);
	p->sock.sk_protocol = M(140, 2);
	p->sock.sk_type = M(142, 2);
	p->sock.sk_socket = M(152, 8);
	p->lists.list_head_size = 16;
	p->lists.hlist_node_size = 16;
	p->lists.list_next = M(0, 8);
	p->lists.hlist_next = M(0, 8);
	p->sym.init_task = BASE;

	memset(&xpath, 0, sizeof(xpath));
	xpath.magic = XF_PROFILE_PATH_MAGIC;
	xpath.version = XF_PROFILE_PATH_VERSION;
	xpath.size = sizeof(xpath);
	f->file_size = F_SIZE;
	f->task_size = T_SIZE;
	f->mount_size = MNT_SIZE;
	f->vfsmount_size = VFS_SIZE;
	f->fs_struct_size = FS_SIZE;
	f->f_path_mnt = M(F_PATH_MNT, 8);
	f->mnt = M(MNT_VFS, VFS_SIZE);
	f->mnt_parent = M(MNT_PARENT, 8);
	f->mnt_mountpoint = M(MNT_MOUNTPOINT, 8);
	f->mnt_root = M(VFS_ROOT, 8);
	f->task_fs = M(T_FS, 8);
	f->fs_root_mnt = M(FS_ROOT, 8);
	f->fs_root_dentry = M(FS_ROOT + 8, 8);
}

/* Memory map. */
#define TASK(i) (BASE + 0x1000 + (i) * 0x1000ULL)
#define MM(i) (BASE + 0x20000 + (i) * 0x100ULL)
#define FILE(i) (BASE + 0x30000 + (i) * 0x100ULL)
#define DENT(i) (BASE + 0x40000 + (i) * 0x100ULL)	/* i < 1024 */
#define NAME(i) (BASE + 0x80000 + (i) * 0x200ULL)	/* i < 1024 */
#define MOUNT(i) (BASE + 0xf0000 + (i) * 0x100ULL)
#define VFS(i) (MOUNT(i) + MNT_VFS)
#define FS (BASE + 0xff000)

static void dentry(int i, int parent, const char *name)
{
	put64(DENT(i) + D_PARENT, DENT(parent));
	put32(DENT(i) + D_LEN, (uint32_t)strlen(name));
	put64(DENT(i) + D_NAME, NAME(i));
	put(NAME(i), name, (uint32_t)strlen(name) + 1);
}

static void mount(int i, int parent, int mountpoint, int root)
{
	put64(MOUNT(i) + MNT_PARENT, MOUNT(parent));
	put64(MOUNT(i) + MNT_MOUNTPOINT, DENT(mountpoint));
	put64(VFS(i) + VFS_ROOT, DENT(root));
}

/* Task 1's exe is dentry d on mount m. */
static void exe(int d, int m)
{
	put64(FILE(1) + F_PATH_DENTRY, DENT(d));
	put64(FILE(1) + F_PATH_MNT, VFS(m));
}

/*
 * Mount 0 (the root fs): /usr/bin/prog, /mnt, /home/x/bin/tool, /opt.
 * Mount 1: another fs (root dentry 10) on /mnt, holding tool (11).
 * Mount 2: a bind mount of /home/x (dentry 6) on /opt (12).
 */
static void make_guest(void)
{
	memset(mem, 0, sizeof(mem));
	/* init_task->fs->root = (mount 0, dentry 0) */
	put64(BASE + T_FS, FS);
	put64(FS + FS_ROOT, VFS(0));
	put64(FS + FS_ROOT + 8, DENT(0));
	put64(TASK(1) + T_MM, MM(1));
	put64(MM(1) + MM_EXE, FILE(1));
	dentry(0, 0, "/");
	dentry(1, 0, "usr");
	dentry(2, 1, "bin");
	dentry(3, 2, "prog");
	dentry(4, 0, "mnt");
	dentry(5, 0, "home");
	dentry(6, 5, "x");
	dentry(7, 6, "bin");
	dentry(8, 7, "tool");
	dentry(12, 0, "opt");
	dentry(10, 10, "/");		/* root of the fs on /mnt */
	dentry(11, 10, "tool");
	mount(0, 0, 0, 0);		/* the root mount is its own parent */
	mount(1, 0, 4, 10);		/* fs 10 on /mnt */
	mount(2, 0, 12, 6);		/* bind of /home/x on /opt */
	exe(3, 0);
}

static int path(struct xf_vmi *v, struct xf_owner *o)
{
	memset(o, 0, sizeof(*o));
	reads = 0;
	return xf_vmi_exe(v, TASK(1), o);
}

int main(void)
{
	struct xf_profile_path bad;
	struct xf_owner o;
	struct xf_vmi v;
	const char *why;
	int r, i;

	make_profile();
	make_guest();
	is(xf_vmi_init(&v, &prof, rd, NULL, 0, &why), 0, "synthetic profile accepted");
	is(path(&v, &o), XF_VMI_EPROFILE, "no path profile: no exe");
	ok(!(o.flags & XF_OWNER_F_EXE), "and no XF_OWNER_F_EXE");
	is(xf_vmi_set_path(&v, &xpath, &why), 0, "path profile accepted");

	/* --- the sane guest --- */
	r = path(&v, &o);
	ok(r == 0 && !strcmp(o.exe, "/usr/bin/prog") && o.flags == XF_OWNER_F_EXE,
	   "exe on the root mount: '%s'", o.exe);
	ok(reads < 20, "in a few reads (%llu)", (unsigned long long)reads);
	exe(11, 1);
	r = path(&v, &o);
	ok(r == 0 && !strcmp(o.exe, "/mnt/tool"), "exe across a mount point: '%s'", o.exe);
	exe(8, 2);
	r = path(&v, &o);
	ok(r == 0 && !strcmp(o.exe, "/opt/bin/tool"),
	   "exe in a bind mount: from its mount point, not its fs root: '%s'", o.exe);
	exe(8, 0);
	r = path(&v, &o);
	ok(r == 0 && !strcmp(o.exe, "/home/x/bin/tool"), "same file through the root mount: '%s'", o.exe);
	exe(0, 0);
	r = path(&v, &o);
	ok(r == 0 && !strcmp(o.exe, "/"), "the root itself is '/'");
	make_guest();
	put64(MM(1) + MM_EXE, 0);
	is(path(&v, &o), XF_VMI_ENOENT, "no exe_file: ENOENT");
	put64(TASK(1) + T_MM, 0);
	is(path(&v, &o), XF_VMI_ENOENT, "kernel thread (no mm): ENOENT");
	ok(!(o.flags & XF_OWNER_F_EXE) && !o.exe[0], "and exe stays empty");

	/* --- what d_path() would not reach from the init root --- */
	make_guest();
	mount(1, 1, 4, 10);		/* fs 10 is a tree of its own */
	exe(11, 1);
	is(path(&v, &o), XF_VMI_ENOENT,
	   "mount outside the init root (another namespace): no exe, not '/tool'");
	make_guest();
	dentry(3, 3, "prog");		/* IS_ROOT but not the mount's root */
	is(path(&v, &o), XF_VMI_ENOENT, "disconnected dentry: no exe");
	make_guest();
	put64(FS + FS_ROOT + 8, DENT(1));	/* init chrooted to /usr */
	r = path(&v, &o);
	ok(r == 0 && !strcmp(o.exe, "/bin/prog"), "paths are from the init root: '%s'", o.exe);

	/* --- hostile dentries --- */
	make_guest();
	put64(DENT(1) + D_PARENT, DENT(2));	/* usr <-> bin */
	r = path(&v, &o);
	ok(r == XF_VMI_ELOOP && !(o.flags & XF_OWNER_F_EXE),
	   "d_parent cycle: ELOOP after a bounded walk (%llu reads)",
	   (unsigned long long)reads);
	ok(reads < 600, "bounded by the depth cap");
	make_guest();
	put32(DENT(2) + D_LEN, 0x7fffffff);
	is(path(&v, &o), XF_VMI_EPTR, "absurd name length refused");
	put32(DENT(2) + D_LEN, 0);
	is(path(&v, &o), XF_VMI_EPTR, "empty name refused");
	make_guest();
	put(NAME(2), "b/n", 4);
	is(path(&v, &o), XF_VMI_EPTR, "name with '/' refused");
	put(NAME(2), "b\0n", 4);
	is(path(&v, &o), XF_VMI_EPTR, "name with a NUL inside its length refused");
	make_guest();
	put64(DENT(2) + D_NAME, 0x00007fff00001000ULL);
	is(path(&v, &o), XF_VMI_EPTR, "user-space name pointer refused");
	make_guest();
	put64(DENT(2) + D_PARENT, DENT(1) + 3);
	is(path(&v, &o), XF_VMI_EPTR, "misaligned d_parent refused");
	make_guest();
	put64(DENT(2) + D_PARENT, 0xffffc90000000000ULL);
	is(path(&v, &o), XF_VMI_EREAD, "unmapped d_parent: read error, no crash");
	make_guest();
	put64(FILE(1) + F_PATH_MNT, 0);
	is(path(&v, &o), XF_VMI_EPTR, "file without a mount refused");

	/* --- hostile mounts --- */
	make_guest();
	mount(1, 2, 4, 10);
	mount(2, 1, 12, 6);		/* mount parents loop 1 <-> 2 ... */
	put64(VFS(2) + VFS_ROOT, DENT(4));	/* ... and mount points too */
	put64(VFS(1) + VFS_ROOT, DENT(12));
	put64(MOUNT(1) + MNT_MOUNTPOINT, DENT(4));
	put64(MOUNT(2) + MNT_MOUNTPOINT, DENT(12));
	exe(12, 1);
	r = path(&v, &o);
	ok(r == XF_VMI_ELOOP, "mount parent loop: ELOOP (%d, %llu reads)", r,
	   (unsigned long long)reads);
	make_guest();
	put64(MOUNT(1) + MNT_PARENT, 0);
	exe(11, 1);
	is(path(&v, &o), XF_VMI_ENOENT, "mount without a parent: no exe");

	/* --- long paths: cut from the front, flagged, never matched --- */
	make_guest();
	{
		char name[200];

		memset(name, 'a', sizeof(name) - 1);
		name[sizeof(name) - 1] = 0;
		dentry(20, 0, name);
		dentry(21, 20, name);
		dentry(22, 21, "prog");
		exe(22, 0);
		r = path(&v, &o);
		ok(r == 0 && (o.flags & XF_OWNER_F_EXE_TRUNC) &&
		   (o.flags & XF_OWNER_F_EXE) && strlen(o.exe) < XF_EXE_LEN &&
		   o.exe[0] == '/' && !strcmp(o.exe + strlen(o.exe) - 5, "/prog"),
		   "path longer than XF_EXE_LEN: its end, flagged truncated (%zu bytes)",
		   strlen(o.exe));
	}
	/* a chain deeper than the cap, but legal names */
	make_guest();
	for (i = 0; i < 200; i++)
		dentry(100 + i, i ? 100 + i - 1 : 0, "d");
	exe(299, 0);
	r = path(&v, &o);
	ok(r == XF_VMI_ELOOP && !(o.flags & XF_OWNER_F_EXE),
	   "200 components: over the depth cap, no exe");
	for (i = 0; i < 100; i++)
		dentry(100 + i, i ? 100 + i - 1 : 0, "d");
	exe(199, 0);
	r = path(&v, &o);
	ok(r == 0 && strlen(o.exe) == 200 && !(o.flags & XF_OWNER_F_EXE_TRUNC),
	   "100 components of 'd': whole (%zu bytes)", strlen(o.exe));

	/* --- the caller's read budget is its own --- */
	make_guest();
	v.reads_left = 7;
	r = path(&v, &o);
	ok(r == 0 && v.reads_left == 7, "xf_vmi_exe keeps the caller's budget");
	v.lim.max_reads = 5;
	is(path(&v, &o), XF_VMI_EBUDGET, "and has a budget of its own");
	xf_vmi_limits_default(&v.lim);

	/* --- profiles that do not fit --- */
	bad = xpath;
	bad.magic = 0;
	is(xf_vmi_set_path(&v, &bad, &why), XF_VMI_EPROFILE, "bad path magic refused");
	ok(!v.path, "and exe is off");
	bad = xpath;
	bad.vfs.mnt_parent.off = MNT_SIZE - 4;
	is(xf_vmi_set_path(&v, &bad, &why), XF_VMI_EPROFILE,
	   "mount member past its struct refused (%s)", why ? why : "-");
	bad = xpath;
	bad.vfs.file_size = F_SIZE + 8;
	is(xf_vmi_set_path(&v, &bad, &why), XF_VMI_EPROFILE,
	   "path profile of another build refused (%s)", why ? why : "-");
	bad = xpath;
	bad.vfs.mnt.size = 8;
	is(xf_vmi_set_path(&v, &bad, &why), XF_VMI_EPROFILE,
	   "vfsmount not inside struct mount refused");
	{
		struct xf_profile p2 = prof;

		p2.file.d_name_len.off = D_SIZE;
		is(xf_vmi_init(&v, &p2, rd, NULL, 0, &why), 0, "main profile fine without dentry members");
		is(xf_vmi_set_path(&v, &xpath, &why), XF_VMI_EPROFILE,
		   "but exe needs d_name.len inside struct dentry");
	}
	return tap_done();
}
