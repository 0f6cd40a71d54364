// SPDX-License-Identifier: GPL-2.0
/*
 * xf_vmi_owner() against a hand-built guest (its own made-up layout):
 * credentials come from the socket file's f_cred, not from the task (a
 * task that setuid()s after opening its socket does not change them); the
 * cgroup path is built from the kernfs chain, truncated from the front,
 * and a cyclic or garbage chain gives no cgroup at all; the task is
 * looked for only when asked, through open-fd bitmaps (a process holding
 * fd 65535 costs its bitmap, not 65536 slots), the socket's uid first (32
 * such processes of another user do not use up a flow's budget).
 */
#include <stdlib.h>
#include <string.h>

#include "guest_mem.h"
#include "tap.h"
#include "vmi.h"
#include "rule.h"

#define SYM_SOCKOPS 0xffffffff81e00000ULL

enum {
	T_TASKS = 0, T_PID = 16, T_TGID = 20, T_PARENT = 24, T_THREAD = 40,
	T_SIGNAL = 56, T_COMM = 64, T_RCRED = 80, T_FILES = 96, T_SIZE = 256,
	C_UID = 4, C_GID = 8, C_EUID = 20, C_EGID = 24,
	FT_MAX = 0, FT_FD = 8, FT_OPEN = 16, FT_SIZE = 56,
	F_OP = 0, F_INODE = 8, F_PRIV = 16, F_CRED = 24,
	S_TYPE = 4, S_FILE = 16, S_SK = 24,
	K_DADDR = 0, K_SADDR = 4, K_DPORT = 12, K_NUM = 14, K_FAMILY = 16,
	K_STATE = 18, K_NODE = 24, K_SIZE = 56,
	SK_PROTO = 60, SK_TYPE = 62, SK_UID = 64, SK_SOCKET = 72, SK_CGRP = 80,
	CG_KN = 8, KN_PARENT = 8, KN_NAME = 16, KN_ID = 40,
};

#define NTASK 128
#define TASK(i) (BASE + 0x1000 + (i) * 0x100ULL)	/* 0x1000..0x9000 */
#define CRED(i) (BASE + 0x9000 + (i) * 0x20ULL)	/* ids end at 28 */
#define FILES(i) (BASE + 0xa000 + (i) * 0x100ULL)	/* + fdt at 0x40 */
#define FDT(i) (FILES(i) + 0x40)
#define BITS(i) (FILES(i) + 0x80)			/* 64 fds */
#define FDARR(i) (BASE + 0x20000 + (i) * 0x200ULL)
#define FILE(i) (BASE + 0x30000 + (i) * 0x100ULL)	/* socket at +0x80 */
#define SOCK(i) (FILE(i) + 0x80)
#define SK(i) (BASE + 0x40000 + (i) * 0x200ULL)
#define CGRP(i) (BASE + 0x50000 + (i) * 0x20ULL)
#define KN(i) (BASE + 0x58000 + (i) * 0x40ULL)
#define NAME(i) (BASE + 0x60000 + (i) * 0x40ULL)
#define BIGFDT (BASE + 0x6f000)
#define BIGBITS (BASE + 0x70000)			/* 65536 bits */
#define BIGFDARR (BASE + 0x80000)			/* 65536 slots */

static struct xf_profile prof;

static void make_profile(void)
{
	struct xf_profile *p = &prof;

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
	p->task.signal = M(T_SIGNAL, 8);
	p->task.comm = M(T_COMM, 16);
	p->task.real_cred = M(T_RCRED, 8);
	p->task.files = M(T_FILES, 8);
	p->signal.size = 64;
	p->signal.thread_head = M(0, 16);
	p->cred.size = 64;
	p->cred.uid = M(C_UID, 4);
	p->cred.gid = M(C_GID, 4);
	p->cred.euid = M(C_EUID, 4);
	p->cred.egid = M(C_EGID, 4);
	p->files.files_struct_size = 64;
	p->files.fdtable_size = FT_SIZE;
	p->files.fdt = M(0, 8);
	p->files.max_fds = M(FT_MAX, 4);
	p->files.fd = M(FT_FD, 8);
	p->file.size = 64;
	p->file.f_op = M(F_OP, 8);
	p->file.f_inode = M(F_INODE, 8);
	p->file.private_data = M(F_PRIV, 8);
	p->inode.size = 64;
	p->inode.i_mode = M(0, 2);
	p->socket.size = 48;
	p->socket.type = M(S_TYPE, 2);
	p->socket.file = M(S_FILE, 8);
	p->socket.sk = M(S_SK, 8);
	p->skc.size = K_SIZE;
	p->skc.skc_daddr = M(K_DADDR, 4);
	p->skc.skc_rcv_saddr = M(K_SADDR, 4);
	p->skc.skc_dport = M(K_DPORT, 2);
	p->skc.skc_num = M(K_NUM, 2);
	p->skc.skc_family = M(K_FAMILY, 2);
	p->skc.skc_state = M(K_STATE, 1);
	p->skc.skc_node = M(K_NODE, 16);
	p->sock.size = 128;
	p->sock.sk_common = M(0, K_SIZE);
	p->sock.sk_protocol = M(SK_PROTO, 2);
	p->sock.sk_type = M(SK_TYPE, 2);
	p->sock.sk_uid = M(SK_UID, 4);
	p->sock.sk_socket = M(SK_SOCKET, 8);
	p->lists.list_head_size = 16;
	p->lists.hlist_node_size = 16;
	p->lists.list_next = M(0, 8);
	p->lists.list_prev = M(8, 8);
	p->lists.hlist_next = M(0, 8);
	p->own.cgroup_size = 32;
	p->own.kernfs_node_size = 64;
	p->own.f_cred = M(F_CRED, 8);
	p->own.sk_cgrp = M(SK_CGRP, 8);
	p->own.cgroup_kn = M(CG_KN, 8);
	p->own.kn_parent = M(KN_PARENT, 8);
	p->own.kn_name = M(KN_NAME, 8);
	p->own.kn_id = M(KN_ID, 8);
	p->own.open_fds = M(FT_OPEN, 8);
	p->sym.init_task = BASE;
	p->sym.tasklist_lock = BASE + 0x100;
	p->sym.socket_file_ops = SYM_SOCKOPS;
}

static void link_tasks(int n)
{
	uint64_t prev = BASE + T_TASKS;
	int i;

	for (i = 0; i < n; i++) {
		put64(prev, TASK(i) + T_TASKS);
		prev = TASK(i) + T_TASKS;
	}
	put64(prev, BASE + T_TASKS);
}

static void make_cred(int c, uint32_t uid)
{
	put32(CRED(c) + C_UID, uid);
	put32(CRED(c) + C_GID, uid + 100);
	put32(CRED(c) + C_EUID, uid);
	put32(CRED(c) + C_EGID, uid + 100);
}

/* Task i, uid in cred i, a 64-slot fd table with nothing open. */
static void make_task(int i, uint32_t pid, uint32_t uid)
{
	uint64_t t = TASK(i);
	char comm[16] = { 0 };

	put32(t + T_PID, pid);
	put32(t + T_TGID, pid);
	put64(t + T_PARENT, BASE);
	put64(t + T_SIGNAL, 0);		/* no thread list */
	snprintf(comm, sizeof(comm), "task-%u", pid);
	put(t + T_COMM, comm, 16);
	put64(t + T_RCRED, CRED(i));
	put64(t + T_FILES, FILES(i));
	make_cred(i, uid);
	put64(FILES(i), FDT(i));
	put32(FDT(i) + FT_MAX, 64);
	put64(FDT(i) + FT_FD, FDARR(i));
	put64(FDT(i) + FT_OPEN, BITS(i));
}

static void open_fd(int task, int fd, uint64_t file)
{
	uint64_t w;

	put64(FDARR(task) + fd * 8, file);
	memcpy(&w, mem + (BITS(task) + (fd / 64) * 8 - BASE), 8);
	put64(BITS(task) + (fd / 64) * 8, w | 1ULL << (fd % 64));
}

/* Socket f (UDP, port) opened with the credentials cred (a CRED index). */
static void make_sock(int f, int cred, uint16_t port)
{
	put64(FILE(f) + F_OP, SYM_SOCKOPS);
	put64(FILE(f) + F_PRIV, SOCK(f));
	put64(FILE(f) + F_CRED, CRED(cred));
	put64(SOCK(f) + S_FILE, FILE(f));
	put64(SOCK(f) + S_SK, SK(f));
	put16(SK(f) + K_FAMILY, 2);
	put16(SK(f) + K_NUM, port);
	put16(SK(f) + SK_PROTO, 17);
	put16(SK(f) + SK_TYPE, 2);
	put64(SK(f) + SK_SOCKET, SOCK(f));
	put64(SK(f) + SK_CGRP, 0);
}

/* kernfs node n named name under parent (-1: the root), cgroup n. */
static void make_kn(int n, int parent, const char *name, uint64_t id)
{
	put64(KN(n) + KN_PARENT, parent < 0 ? 0 : KN(parent));
	put64(KN(n) + KN_NAME, NAME(n));
	put(NAME(n), name, strlen(name) + 1);
	put64(KN(n) + KN_ID, id);
	put64(CGRP(n) + CG_KN, KN(n));
}

static struct xf_vmi_sock sock_of(int f)
{
	struct xf_vmi_sock s;

	memset(&s, 0, sizeof(s));
	s.sk = SK(f);
	s.file = FILE(f);
	s.fd = -1;
	return s;
}

static struct xf_vmi v;

static int owner(int f, uint32_t need, struct xf_vmi_proc *p, int32_t *fd,
		 uint64_t *nreads)
{
	struct xf_vmi_sock s = sock_of(f);
	uint64_t before = v.reads;
	int r = xf_vmi_owner(&v, &s, need, 0, -1, p, fd);

	if (nreads)
		*nreads = v.reads - before;
	return r;
}

static void base_guest(void)
{
	memset(mem, 0, sizeof(mem));
	make_task(0, 1, 0);
	make_task(1, 100, 1001);
	make_task(2, 200, 1002);
	link_tasks(3);
	make_cred(30, 0);		/* root's cred, as a socket opened it */
	make_sock(0, 1, 5000);		/* alice's */
	open_fd(1, 3, FILE(0));
	make_sock(1, 30, 5001);		/* opened by root, held by bob */
	open_fd(2, 4, FILE(1));
}

static void test_creds(void)
{
	struct xf_vmi_proc p;
	int32_t fd;
	uint64_t n;
	int r;

	base_guest();
	r = owner(0, 0, &p, &fd, &n);
	ok(r == 0 && (p.owner.flags & XF_OWNER_F_FOUND) && p.owner.uid == 1001 &&
	   p.owner.gid == 1101 && p.owner.euid == 1001 && p.owner.egid == 1101,
	   "creds from f_cred");
	ok(!(p.owner.flags & XF_OWNER_F_TASK) && fd == -1 && p.task == 0,
	   "no task field needed: no task looked for");
	ok(n <= 4, "constant cost without cgroup: %llu reads", (unsigned long long)n);

	/* bob's process got the socket from root (or opened it, then
	 * setresuid()): the socket's credentials are root's */
	r = owner(1, 0, &p, &fd, NULL);
	ok(r == 0 && p.owner.uid == 0 && p.owner.gid == 100,
	   "task's cred changed after the socket was opened: the socket's creds (uid %u)",
	   p.owner.uid);
	r = owner(1, XF_RF_PID, &p, &fd, NULL);
	ok(r == 0 && (p.owner.flags & XF_OWNER_F_TASK) && p.owner.tgid == 200 &&
	   fd == 4 && p.task == TASK(2) && p.owner.uid == 0 &&
	   !strcmp(p.owner.comm, "task-200"),
	   "pid needed: holder found (tgid %u fd %d), creds still the socket's",
	   p.owner.tgid, fd);
	make_cred(2, 0);		/* bob's task turns root now */
	make_cred(30, 1002);		/* (and what f_cred says is not the task's) */
	r = owner(1, XF_RF_COMM, &p, &fd, NULL);
	ok(r == 0 && p.owner.uid == 1002 && p.owner.tgid == 200,
	   "creds follow f_cred, not the holder's real_cred");

	/* a hint that still holds: cheap */
	{
		struct xf_vmi_sock s = sock_of(0);
		uint64_t before = v.reads;

		r = xf_vmi_owner(&v, &s, XF_RF_PID, TASK(1), 3, &p, &fd);
		ok(r == 0 && p.owner.tgid == 100 && fd == 3 && v.reads - before < 20,
		   "checked hint: %llu reads", (unsigned long long)(v.reads - before));
		r = xf_vmi_owner(&v, &s, XF_RF_PID, TASK(2), 3, &p, &fd);
		ok(r == 0 && p.owner.tgid == 100 && fd == 3,
		   "stale hint: searched instead");
	}

	/* held by nobody (the holder exited, the file lives on elsewhere) */
	base_guest();
	put64(FDARR(1) + 3 * 8, 0);
	r = owner(0, XF_RF_PID, &p, &fd, NULL);
	ok(r == 0 && (p.owner.flags & XF_OWNER_F_FOUND) &&
	   !(p.owner.flags & XF_OWNER_F_TASK) && p.owner.uid == 1001,
	   "no holder found: attributed by the socket, no task");

	/* garbage f_cred, no file */
	base_guest();
	put64(FILE(0) + F_CRED, 0x00007fff00001000ULL);
	put64(CRED(30) + C_UID, 4444);
	put64(FILE(1) + F_CRED, CRED(30) + 2);
	r = owner(0, 0, &p, &fd, NULL);
	ok(r == 0 && p.owner.uid == 1001 && (p.owner.flags & XF_OWNER_F_TASK) &&
	   p.owner.tgid == 100, "user-space f_cred pointer: not followed, the holder's creds");
	r = owner(1, 0, &p, &fd, NULL);
	ok(r == 0 && p.owner.uid == 1002 && (p.owner.flags & XF_OWNER_F_TASK),
	   "misaligned f_cred pointer: not followed, the holder's creds");
	{
		struct xf_vmi_sock s = sock_of(0);

		s.file = 0;
		is(xf_vmi_owner(&v, &s, 0, 0, -1, &p, &fd), XF_VMI_ENOENT,
		   "socket without a file: not attributed (sk_uid says nothing of gid)");
	}
}

static void test_old_profile(void)
{
	struct xf_profile old = prof;
	struct xf_vmi v2;
	struct xf_vmi_sock s;
	struct xf_vmi_proc p;
	int32_t fd;
	int r;

	base_guest();
	old.own.f_cred.off = XF_MEMBER_ABSENT;
	old.own.open_fds.off = XF_MEMBER_ABSENT;
	old.own.sk_cgrp.off = XF_MEMBER_ABSENT;
	is(xf_vmi_init(&v2, &old, rd, NULL, 0, NULL), 0,
	   "profile without the socket-owner members accepted");
	s = sock_of(1);
	r = xf_vmi_owner(&v2, &s, 0, 0, -1, &p, &fd);
	ok(r == 0 && p.owner.uid == 1002 && (p.owner.flags & XF_OWNER_F_TASK) &&
	   fd == 4 && !(p.owner.flags & XF_OWNER_F_CGROUP),
	   "without f_cred: creds from the holder (whole fd table), as before");
	old = prof;
	old.own.kn_id.off = 200;	/* past kernfs_node_size */
	is(xf_vmi_init(&v2, &old, rd, NULL, 0, NULL), XF_VMI_EPROFILE,
	   "member outside its struct refused");
	old = prof;
	old.own.f_cred.off = 60;	/* 8 bytes at 60 of a 64-byte file */
	is(xf_vmi_init(&v2, &old, rd, NULL, 0, NULL), XF_VMI_EPROFILE,
	   "f_cred overlapping the end of struct file refused");
}

static void test_cgroup(void)
{
	struct xf_vmi_proc p;
	uint64_t n;
	int i, r;

	base_guest();
	make_kn(0, -1, "", 1);
	make_kn(1, 0, "system.slice", 40);
	make_kn(2, 1, "x.service", 77);
	put64(SK(0) + SK_CGRP, CGRP(2));
	r = owner(0, 0, &p, NULL, &n);
	ok(r == 0 && (p.owner.flags & XF_OWNER_F_CGROUP) &&
	   !(p.owner.flags & XF_OWNER_F_CGROUP_TRUNC) &&
	   !strcmp(p.owner.cgroup, "/system.slice/x.service") &&
	   p.owner.cgroup_id == 77, "cgroup path \"%s\" id %llu", p.owner.cgroup,
	   (unsigned long long)p.owner.cgroup_id);
	ok(n <= 4 + 2 + 2 * 2 + 1, "creds + cgroup of depth 2: %llu reads",
	   (unsigned long long)n);
	put64(SK(0) + SK_CGRP, CGRP(0));
	r = owner(0, 0, &p, NULL, NULL);
	ok(r == 0 && (p.owner.flags & XF_OWNER_F_CGROUP) &&
	   !strcmp(p.owner.cgroup, "/") && p.owner.cgroup_id == 1, "root cgroup: \"/\"");

	/* 20 levels of 19-character names: 400 bytes, does not fit */
	make_kn(3, 0, "aaaaaaaaaaaaaaaaaa0", 3);
	for (i = 4; i < 23; i++) {
		char name[20];

		snprintf(name, sizeof(name), "aaaaaaaaaaaaaaaaa%02d", i - 3);
		make_kn(i, i - 1, name, i);
	}
	put64(SK(0) + SK_CGRP, CGRP(22));
	r = owner(0, 0, &p, NULL, NULL);
	ok(r == 0 && (p.owner.flags & XF_OWNER_F_CGROUP) &&
	   (p.owner.flags & XF_OWNER_F_CGROUP_TRUNC) && p.owner.cgroup[0] == '/' &&
	   strlen(p.owner.cgroup) < XF_CGROUP_LEN &&
	   !strcmp(p.owner.cgroup + strlen(p.owner.cgroup) - 20, "/aaaaaaaaaaaaaaaaa19"),
	   "too long: truncated flag, the path's end from a '/' (%zu bytes)",
	   strlen(p.owner.cgroup));

	/* a cycle that never reaches the root */
	make_kn(1, 2, "system.slice", 40);
	put64(SK(0) + SK_CGRP, CGRP(2));
	r = owner(0, 0, &p, NULL, &n);
	ok(r == 0 && (p.owner.flags & XF_OWNER_F_FOUND) &&
	   !(p.owner.flags & XF_OWNER_F_CGROUP) && p.owner.uid == 1001,
	   "cyclic parent chain: no cgroup, creds still read");
	ok(n < 2 * 2 * 256 + 16, "... and bounded (%llu reads)", (unsigned long long)n);
	/* self-parent, empty names */
	make_kn(1, 1, "system.slice", 40);
	put64(SK(0) + SK_CGRP, CGRP(1));
	r = owner(0, 0, &p, NULL, NULL);
	ok(r == 0 && !(p.owner.flags & XF_OWNER_F_CGROUP), "self-parent: no cgroup");
	make_kn(1, 0, "", 40);
	r = owner(0, 0, &p, NULL, NULL);
	ok(r == 0 && !(p.owner.flags & XF_OWNER_F_CGROUP), "empty name below root: no cgroup");
	make_kn(1, 0, "a/b", 40);
	r = owner(0, 0, &p, NULL, NULL);
	ok(r == 0 && !(p.owner.flags & XF_OWNER_F_CGROUP), "'/' in a name: no cgroup");
	/* a name without a NUL within NAME_MAX */
	make_kn(1, 0, "x", 40);
	memset(mem + (NAME(1) - BASE), 'n', 0x40 * 8);
	r = owner(0, 0, &p, NULL, NULL);
	ok(r == 0 && !(p.owner.flags & XF_OWNER_F_CGROUP), "unterminated name: no cgroup");
	/* garbage pointers */
	make_kn(1, 0, "system.slice", 40);
	put64(KN(1) + KN_NAME, 0x0000000000401000ULL);
	r = owner(0, 0, &p, NULL, NULL);
	ok(r == 0 && !(p.owner.flags & XF_OWNER_F_CGROUP), "user-space name pointer: no cgroup");
	put64(KN(1) + KN_NAME, NAME(1));
	put64(KN(1) + KN_PARENT, 0xffffc90000000000ULL);
	r = owner(0, 0, &p, NULL, NULL);
	ok(r == 0 && !(p.owner.flags & XF_OWNER_F_CGROUP), "unmapped parent: no cgroup");
	put64(KN(1) + KN_PARENT, KN(0) + 3);
	r = owner(0, 0, &p, NULL, NULL);
	ok(r == 0 && !(p.owner.flags & XF_OWNER_F_CGROUP), "misaligned parent: no cgroup");
	/* a name that ends at the last byte of guest memory's page */
	put64(KN(1) + KN_PARENT, KN(0));
	put64(KN(1) + KN_NAME, BASE + MEMSZ - 4);
	put(BASE + MEMSZ - 4, "abc", 4);
	r = owner(0, 0, &p, NULL, NULL);
	ok(r == 0 && !strcmp(p.owner.cgroup, "/abc"),
	   "name at the end of mapped memory read without crossing it (\"%s\")",
	   p.owner.cgroup);
}

/* Task i holds fd 0, 1, 2 and 65535 in a 65536-slot table (the BIG one). */
static void make_big_table(void)
{
	put32(BIGFDT + FT_MAX, 65536);
	put64(BIGFDT + FT_FD, BIGFDARR);
	put64(BIGFDT + FT_OPEN, BIGBITS);
	put64(BIGBITS, 7);
	put64(BIGBITS + (65535 / 64) * 8, 1ULL << 63);
	put64(BIGFDARR, FILE(9));
	put64(BIGFDARR + 8, FILE(9));
	put64(BIGFDARR + 16, FILE(9));
	put64(BIGFDARR + 65535ULL * 8, FILE(9));
}

static void test_big_fd(void)
{
	struct xf_vmi_proc p;
	int32_t fd = -1;
	uint64_t n, before;
	int r;

	base_guest();
	make_big_table();
	put64(FILES(1), BIGFDT);	/* alice: dup2(0, 65535) */
	make_sock(9, 1, 5009);
	r = owner(9, XF_RF_PID, &p, &fd, &n);
	ok(r == 0 && p.owner.tgid == 100 && fd == 0,
	   "holder of a 65536-slot table found (fd %d)", fd);
	/* the socket only at fd 65535 */
	put64(BIGFDARR, FILE(8));
	put64(BIGFDARR + 8, FILE(8));
	put64(BIGFDARR + 16, FILE(8));
	r = owner(9, XF_RF_PID, &p, &fd, &n);
	ok(r == 0 && p.owner.tgid == 100 && fd == 65535,
	   "socket at fd 65535 found");
	ok(n <= 64, "cost by open fds: %llu reads for 65536 slots (16 bitmap reads)",
	   (unsigned long long)n);
	before = v.reads;
	r = xf_vmi_file_owner(&v, FILE(9), 0, -1, &p, &fd);
	ok(r == 0 && fd == 65535 && v.reads - before >= 1024,
	   "the whole-table scan pays %llu reads for it",
	   (unsigned long long)(v.reads - before));
	/* a bitmap claiming every slot open: bounded by max_fds and ours */
	memset(mem + (BIGBITS - BASE), 0xff, 8192);
	v.lim.max_fds = 4096;
	r = owner(9, XF_RF_PID, &p, &fd, &n);
	ok(r == 0 && !(p.owner.flags & XF_OWNER_F_TASK) && n < 4096 / 64 * 2 + 64,
	   "all bits set, table clamped to limits.max_fds: %llu reads",
	   (unsigned long long)n);
	xf_vmi_limits_default(&v.lim);
}

static void test_fairness(void)
{
	struct xf_vmi_proc p;
	int32_t fd = -1;
	uint64_t n, before;
	int i, r;

	/*
	 * 32 processes of uid 2000, each with fd 65535 open, before the
	 * victim (uid 1001) in the task list.
	 */
	memset(mem, 0, sizeof(mem));
	make_big_table();
	make_task(0, 1, 0);
	for (i = 1; i <= 32; i++) {
		make_task(i, 1000 + i, 2000);
		put64(FILES(i), BIGFDT);
		put64(FILES(i) + 8, i);	/* distinct files_structs, one table */
	}
	make_task(33, 500, 1001);
	link_tasks(34);
	make_sock(0, 33, 6000);
	open_fd(33, 3, FILE(0));
	make_sock(1, 1, 6001);		/* the attacker's own socket, at fd 65535 */
	put64(BIGFDARR + 65535ULL * 8, FILE(1));

	v.lim.max_reads = 300;
	r = owner(0, XF_RF_PID, &p, &fd, &n);
	ok(r == 0 && (p.owner.flags & XF_OWNER_F_TASK) && p.owner.tgid == 500 && fd == 3,
	   "victim's flow finds its task within 300 reads behind 32 dup2(0, 65535) processes (%llu reads)",
	   (unsigned long long)n);
	ok(n <= 7 * 34 + 30,
	   "a process with a huge table costs others at most 7 reads (%llu)",
	   (unsigned long long)n);
	before = v.reads;
	r = xf_vmi_file_owner(&v, FILE(0), 0, -1, &p, &fd);
	is(r, XF_VMI_EBUDGET, "the old scan runs out of the same budget (%llu reads)",
	   (unsigned long long)(v.reads - before));
	/* the attacker's flows pay for the attacker's tables */
	v.lim.max_reads = 20;
	r = owner(1, XF_RF_PID, &p, &fd, &n);
	ok(r == 0 && (p.owner.flags & XF_OWNER_F_FOUND) && p.owner.uid == 2000,
	   "attacker's flow: attributed by its socket whatever the budget (task %s)",
	   p.owner.flags & XF_OWNER_F_TASK ? "found" : "not found");
	v.lim.max_reads = 1000;
	r = owner(1, XF_RF_PID, &p, &fd, &n);
	ok(r == 0 && p.owner.tgid == 1001 && fd == 65535,
	   "... and its task with a budget for one table (%llu reads)",
	   (unsigned long long)n);
	xf_vmi_limits_default(&v.lim);
}

/*
 * More other-user tasks than PASS_SAME puts aside (64): the rest of the
 * list is walked from where it stopped, and the holder (who setuid()ed
 * after opening) is still found.
 */
static void test_defer_overflow(void)
{
	struct xf_vmi_proc p;
	int32_t fd = -1;
	uint64_t n, before;
	int i, r;

	memset(mem, 0, sizeof(mem));
	make_task(0, 1, 0);
	for (i = 1; i <= 100; i++)
		make_task(i, 1000 + i, 3000);
	make_task(101, 600, 4000);	/* was 1001 when it opened the socket */
	link_tasks(102);
	make_cred(120, 1001);
	make_sock(0, 120, 7000);
	open_fd(101, 5, FILE(0));
	r = owner(0, XF_RF_PID, &p, &fd, &n);
	ok(r == 0 && p.owner.tgid == 600 && fd == 5 && p.owner.uid == 1001,
	   "holder past 100 other-uid tasks found (%llu reads)", (unsigned long long)n);
	before = v.reads;
	r = xf_vmi_file_owner(&v, FILE(0), 0, -1, &p, &fd);
	ok(r == 0 && n <= v.reads - before + 3 * 102 + 20,
	   "within one list walk of the old scan's %llu reads",
	   (unsigned long long)(v.reads - before));
}

int main(void)
{
	const char *why = NULL;

	make_profile();
	memset(mem, 0, sizeof(mem));
	if (xf_vmi_init(&v, &prof, rd, NULL, 0, &why))
		diag("profile refused: %s", why ? why : "?");
	is(xf_vmi_init(&v, &prof, rd, NULL, 0, &why), 0, "synthetic profile accepted");
	test_creds();
	test_old_profile();
	test_cgroup();
	test_big_fd();
	test_fairness();
	test_defer_overflow();
	return tap_done();
}
