// SPDX-License-Identifier: GPL-2.0
/*
 * The walker against a hand-built guest: a synthetic kernel memory image
 * with its own struct layout (a profile made up here, so nothing depends
 * on a real kernel), then a hostile one: task list cycles, garbage and
 * misaligned pointers, an fd table claiming 4 billion slots, a thread
 * ring that loops, a socket whose file does not point back, comm without
 * a NUL, a held tasklist_lock, a tiny read budget, broken profiles.
 */
#include <stdlib.h>
#include <string.h>

#include "guest_mem.h"
#include "tap.h"
#include "vmi.h"

#define SYM_SOCKOPS 0xffffffff81e00000ULL	/* not in memory: compared only */

/* Offsets of the made-up kernel. */
enum {
	T_TASKS = 0, T_PID = 16, T_TGID = 20, T_PARENT = 24, T_LEADER = 32,
	T_THREAD = 40, T_SIGNAL = 56, T_COMM = 64, T_RCRED = 80, T_CRED = 88,
	T_FILES = 96, T_MM = 104, T_FLAGS = 112, T_SIZE = 256,
	C_UID = 4, C_GID = 8, C_EUID = 20, C_EGID = 24,
	FS_FDT = 0, FT_MAX = 0, FT_FD = 8,
	F_OP = 0, F_INODE = 8, F_PRIV = 16,
	S_TYPE = 4, S_FILE = 16, S_SK = 24,
	K_DADDR = 0, K_SADDR = 4, K_DPORT = 12, K_NUM = 14, K_FAMILY = 16,
	K_STATE = 18, K_NODE = 24, K_V6D = 56, K_V6S = 72, K_SIZE = 136,
	SK_PROTO = 140, SK_TYPE = 142, SK_UID = 144, SK_SOCKET = 152,
};

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
	p->task.group_leader = M(T_LEADER, 8);
	p->task.thread_node = M(T_THREAD, 16);
	p->task.signal = M(T_SIGNAL, 8);
	p->task.comm = M(T_COMM, 16);
	p->task.real_cred = M(T_RCRED, 8);
	p->task.cred = M(T_CRED, 8);
	p->task.files = M(T_FILES, 8);
	p->task.mm = M(T_MM, 8);
	p->task.flags = M(T_FLAGS, 4);
	p->signal.size = 64;
	p->signal.thread_head = M(0, 16);
	p->cred.size = 64;
	p->cred.uid = M(C_UID, 4);
	p->cred.gid = M(C_GID, 4);
	p->cred.euid = M(C_EUID, 4);
	p->cred.egid = M(C_EGID, 4);
	p->files.files_struct_size = 64;
	p->files.fdtable_size = 32;
	p->files.fdt = M(FS_FDT, 8);
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
	p->skc.skc_nulls_node = M(K_NODE, 16);
	p->skc.skc_v6_daddr = M(K_V6D, 16);
	p->skc.skc_v6_rcv_saddr = M(K_V6S, 16);
	p->sock.size = 256;
	p->sock.sk_common = M(0, K_SIZE);
	p->sock.sk_protocol = M(SK_PROTO, 2);
	p->sock.sk_type = M(SK_TYPE, 2);
	p->sock.sk_uid = M(SK_UID, 4);
	p->sock.sk_socket = M(SK_SOCKET, 8);
	p->lists.list_head_size = 16;
	p->lists.hlist_node_size = 16;
	p->lists.list_next = M(0, 8);
	p->lists.list_prev = M(8, 8);
	p->lists.hlist_first = M(0, 8);
	p->lists.hlist_next = M(0, 8);
	p->lists.hlist_nulls_first = M(0, 8);
	p->lists.hlist_nulls_next = M(0, 8);
	p->sym.init_task = BASE;
	p->sym.tasklist_lock = BASE + 0x100;
	p->sym.socket_file_ops = SYM_SOCKOPS;
}

/* Memory map of the synthetic guest: one 4 KiB area per object. */
#define TASK(i) (BASE + 0x1000 + (i) * 0x1000ULL)	/* i = 0..15 */
#define CRED(i) (BASE + 0x20000 + (i) * 0x100ULL)
#define SIG(i) (BASE + 0x30000 + (i) * 0x100ULL)
#define FILES(i) (BASE + 0x40000 + (i) * 0x1000ULL)
#define FDT(i) (FILES(i) + 0x100)
#define FDARR(i) (FILES(i) + 0x200)
#define FILE(i) (BASE + 0x60000 + (i) * 0x100ULL)
#define INODE(i) (BASE + 0x70000 + (i) * 0x100ULL)
#define SOCK(i) (BASE + 0x80000 + (i) * 0x100ULL)
#define SK(i) (BASE + 0x90000 + (i) * 0x200ULL)

static void link_tasks(const int *order, int n)
{
	uint64_t prev = BASE + T_TASKS;	/* init_task */
	int i;

	for (i = 0; i < n; i++) {
		put64(prev, TASK(order[i]) + T_TASKS);
		prev = TASK(order[i]) + T_TASKS;
	}
	put64(prev, BASE + T_TASKS);
}

static void make_task(int i, uint32_t pid, uint32_t uid, const char *comm,
		      int nthreads)
{
	uint64_t t = TASK(i), head = SIG(i), prev;
	char c[16] = { 0 };
	int k;

	put32(t + T_PID, pid);
	put32(t + T_TGID, pid);
	put64(t + T_PARENT, BASE);	/* init_task, tgid 0 */
	put64(t + T_LEADER, t);
	put64(t + T_SIGNAL, SIG(i));
	memcpy(c, comm, strnlen(comm, sizeof(c)));
	put(t + T_COMM, c, 16);
	put64(t + T_RCRED, CRED(i));
	put64(t + T_CRED, CRED(i));
	put64(t + T_FILES, FILES(i));
	put64(t + T_MM, BASE + 0xf0000);
	put32(CRED(i) + C_UID, uid);
	put32(CRED(i) + C_GID, uid + 100);
	put32(CRED(i) + C_EUID, uid);
	put32(CRED(i) + C_EGID, uid + 100);
	/* signal->thread_head -> leader -> threads -> head; the threads
	 * (TASK(8 + 2i + k)) are not on the task list */
	prev = head;
	for (k = 0; k < nthreads; k++) {
		uint64_t th = k ? TASK(8 + 2 * i + k - 1) : t;

		if (k) {
			put32(th + T_PID, pid + k);
			put32(th + T_TGID, pid);
			put64(th + T_FILES, FILES(i));
		}
		put64(prev, th + T_THREAD);
		prev = th + T_THREAD;
	}
	put64(prev, head);
	put64(FILES(i) + FS_FDT, FDT(i));
	put32(FDT(i) + FT_MAX, 64);
	put64(FDT(i) + FT_FD, FDARR(i));
}

/* fd of task i -> file f -> socket f -> sk f. */
static void make_sock(int task, int fd, int f, int family, int proto,
		      uint8_t state, uint16_t lport, uint16_t rport)
{
	put64(FDARR(task) + fd * 8, FILE(f));
	put64(FILE(f) + F_OP, SYM_SOCKOPS);
	put64(FILE(f) + F_INODE, INODE(f));
	put16(INODE(f), 0140755);
	put64(FILE(f) + F_PRIV, SOCK(f));
	put64(SOCK(f) + S_FILE, FILE(f));
	put64(SOCK(f) + S_SK, SK(f));
	put16(SK(f) + K_FAMILY, family);
	put16(SK(f) + K_NUM, lport);
	put16(SK(f) + K_DPORT, (uint16_t)(rport >> 8 | rport << 8));
	mem[SK(f) + K_STATE - BASE] = state;
	put32(SK(f) + K_SADDR, 0x0100007f);
	put32(SK(f) + K_DADDR, 0x0100007f);
	mem[SK(f) + K_V6S + 15 - BASE] = 1;	/* ::1 */
	put16(SK(f) + SK_PROTO, proto);
	put16(SK(f) + SK_TYPE, proto == 6 ? 1 : 2);
	put32(SK(f) + SK_UID, 4242);
}

static void make_guest(void)
{
	static const int order[] = { 0, 1, 2 };

	memset(mem, 0, sizeof(mem));
	make_task(0, 1, 0, "init", 1);
	make_task(1, 100, 1001, "alice-srv", 3);
	make_task(2, 200, 1002, "bob", 1);
	link_tasks(order, 3);
	make_sock(1, 3, 0, 2, 6, 10, 80, 0);	/* tcp LISTEN */
	make_sock(1, 4, 1, 10, 17, 7, 53, 0);	/* udp6 */
	make_sock(2, 5, 2, 2, 6, 1, 40000, 80);	/* tcp ESTABLISHED */
	/* a regular file: f_op elsewhere */
	put64(FDARR(2) + 0, FILE(9));
	put64(FILE(9) + F_OP, SYM_SOCKOPS + 64);
}

struct seen {
	int procs, socks, threads;
	uint32_t pids[32], uids[32];
	struct xf_vmi_sock s[32];
	uint32_t sock_pid[32];
	char comm[32][16];
};

static int on_proc(void *arg, const struct xf_vmi_proc *p)
{
	struct seen *s = arg;

	if (s->procs < 32) {
		s->pids[s->procs] = p->owner.tgid;
		s->uids[s->procs] = p->owner.uid;
		memcpy(s->comm[s->procs], p->owner.comm, 16);
	}
	s->threads += p->nr_threads;
	s->procs++;
	return 0;
}

static int on_sock(void *arg, const struct xf_vmi_proc *p,
		   const struct xf_vmi_sock *so)
{
	struct seen *s = arg;

	if (s->socks < 32) {
		s->s[s->socks] = *so;
		s->sock_pid[s->socks] = p->owner.tgid;
	}
	s->socks++;
	return 0;
}

static int walk(struct xf_vmi *v, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	reads = 0;
	return xf_vmi_walk(v, on_proc, on_sock, s);
}

int main(void)
{
	struct xf_vmi v;
	struct seen s;
	const char *why;
	int r;

	make_profile();
	make_guest();
	is(xf_vmi_init(&v, &prof, rd, NULL, 0, &why), 0, "synthetic profile accepted");

	/* --- a sane guest --- */
	r = walk(&v, &s);
	is(r, 0, "walk succeeds");
	is(s.procs, 3, "three processes (init_task itself not listed)");
	ok(s.pids[0] == 1 && s.pids[1] == 100 && s.pids[2] == 200, "pids in list order");
	ok(s.uids[1] == 1001 && s.uids[2] == 1002, "uids from real_cred");
	ok(!strcmp(s.comm[1], "alice-srv"), "comm copied");
	is(s.threads, 1 + 3 + 1, "threads folded into their processes");
	is(s.socks, 3, "three inet sockets, the regular file skipped");
	ok(s.s[0].fd == 3 && s.s[0].proto == 6 && s.s[0].state == 10 &&
	   s.s[0].lport == 80 && s.s[0].family == 4 && s.sock_pid[0] == 100,
	   "tcp listener decoded and attributed");
	ok(s.s[1].family == 6 && s.s[1].proto == 17 && s.s[1].laddr[15] == 1,
	   "udp6 socket decoded with its IPv6 address");
	ok(s.s[2].rport == 80 && s.s[2].lport == 40000 && s.s[2].sk_uid == 4242 &&
	   s.sock_pid[2] == 200, "established tcp: ports in host order, sk_uid");

	/* --- tasklist_lock held for write: retryable, distinct --- */
	mem[0x100] = 0xff;
	is(walk(&v, &s), XF_VMI_EAGAIN, "tasklist_lock write-held: XF_VMI_EAGAIN");
	v.ignore_tasklist_lock = true;
	is(walk(&v, &s), 0, "write-held lock ignored on request (dumps)");
	v.ignore_tasklist_lock = false;
	mem[0x100] = 0;
	mem[0x101] = 0x05;	/* qrwlock cnts 0x500: two readers + a waiting writer */
	is(walk(&v, &s), 0, "tasklist_lock read-held: walk proceeds");
	mem[0x101] = 0;

	/* --- a cycle in the task list that never returns to init_task --- */
	put64(TASK(2) + T_TASKS, TASK(1) + T_TASKS);
	r = walk(&v, &s);
	is(r, XF_VMI_ELOOP, "task list cycle detected");
	ok(reads < 1000, "and found quickly (%llu reads)", (unsigned long long)reads);
	/* self-loop */
	put64(TASK(1) + T_TASKS, TASK(1) + T_TASKS);
	is(walk(&v, &s), XF_VMI_ELOOP, "self-loop detected");
	make_guest();

	/* --- garbage pointers --- */
	put64(BASE + T_TASKS, 0x00007fffdeadbee0ULL);
	is(walk(&v, &s), XF_VMI_EPTR, "user-space task pointer rejected");
	put64(BASE + T_TASKS, TASK(0) + T_TASKS + 3);
	is(walk(&v, &s), XF_VMI_EPTR, "misaligned task pointer rejected");
	put64(BASE + T_TASKS, 0xffffc90000000000ULL);
	is(walk(&v, &s), XF_VMI_EREAD, "unmapped task pointer: read error, no crash");
	make_guest();
	put64(TASK(1) + T_RCRED, 0xffffffffffffff00ULL);
	r = walk(&v, &s);
	ok(r == 0 && s.procs == 2, "task with a wild cred pointer skipped, walk goes on");
	make_guest();
	put64(FDARR(1) + 8 * 7, 0x4141414141414141ULL);
	put64(FDARR(1) + 8 * 8, FILE(5) + 1);
	r = walk(&v, &s);
	ok(r == 0 && s.socks == 3, "garbage fd slots skipped");
	make_guest();
	put64(SOCK(0) + S_FILE, FILE(3));
	r = walk(&v, &s);
	ok(r == 0 && s.socks == 2, "socket whose file does not point back is ignored");
	make_guest();
	put16(SK(1) + K_FAMILY, 1);	/* AF_UNIX */
	r = walk(&v, &s);
	ok(r == 0 && s.socks == 2, "non-inet family skipped");
	make_guest();
	put16(SK(0) + SK_TYPE, 3);	/* SOCK_RAW */
	r = walk(&v, &s);
	ok(r == 0 && s.socks == 2, "raw socket skipped");

	/* --- huge fd table --- */
	make_guest();
	put32(FDT(1) + FT_MAX, 0xffffffff);
	r = walk(&v, &s);
	ok(r == 0 && reads < 5000, "max_fds 0xffffffff: clamped, bounded (%llu reads)",
	   (unsigned long long)reads);
	v.lim.max_fds = 1 << 20;
	put64(FDT(1) + FT_FD, BASE + MEMSZ - 0x1000);
	r = walk(&v, &s);
	ok(r == 0 && reads < 100000, "fd array running off memory: stops at the end (%llu reads)",
	   (unsigned long long)reads);
	xf_vmi_limits_default(&v.lim);

	/* --- comm without NUL --- */
	make_guest();
	put(TASK(2) + T_COMM, "0123456789abcdefXYZ", 16);
	walk(&v, &s);
	ok(strlen(s.comm[2]) == 15 && !memcmp(s.comm[2], "0123456789abcde", 15),
	   "comm without NUL: cut at 15 bytes and terminated");

	/* --- thread ring that loops without returning to its head --- */
	make_guest();
	put64(TASK(10) + T_THREAD, TASK(10) + T_THREAD);
	r = walk(&v, &s);
	ok(r == 0 && s.procs == 3, "looping thread list: bounded, process still listed");

	/* --- read budget --- */
	make_guest();
	v.lim.max_reads = 20;
	is(walk(&v, &s), XF_VMI_EBUDGET, "read budget exhausted is reported");
	ok(reads <= 21, "and no read past it (%llu)", (unsigned long long)reads);
	xf_vmi_limits_default(&v.lim);

	/* --- long but legal list hits max_tasks --- */
	{
		static const int order[] = { 0, 1, 2, 3, 4, 5, 6 };
		int i;

		make_guest();
		for (i = 3; i < 7; i++)
			make_task(i, 300 + i, 7, "x", 1);
		link_tasks(order, 7);
		v.lim.max_tasks = 4;
		is(walk(&v, &s), XF_VMI_ELOOP, "more tasks than max_tasks: ELOOP");
		xf_vmi_limits_default(&v.lim);
		is(walk(&v, &s), 0, "same list under the default cap: fine");
		is(s.procs, 7, "seven processes");
	}

	/* --- callbacks can stop the walk --- */
	make_guest();
	{
		struct xf_vmi_proc p;
		int32_t fd = -1;

		is(xf_vmi_file_owner(&v, FILE(2), 0, -1, &p, &fd), 0, "file owner found by scan");
		ok(p.owner.tgid == 200 && fd == 5, "owner pid 200 fd 5");
		is(xf_vmi_file_owner(&v, FILE(2), TASK(2), 5, &p, &fd), 0, "hint accepted");
		is(xf_vmi_file_owner(&v, FILE(2), TASK(1), 5, &p, &fd), 0,
		   "wrong hint falls back to the scan");
		ok(p.owner.tgid == 200, "and still finds pid 200");
		is(xf_vmi_file_owner(&v, FILE(7), 0, -1, &p, &fd), XF_VMI_ENOENT,
		   "file held by no one: ENOENT");
	}

	/* --- broken profiles --- */
	{
		struct xf_profile bad = prof;

		bad.magic = 0;
		is(xf_vmi_init(&v, &bad, rd, NULL, 0, &why), XF_VMI_EPROFILE, "bad magic refused");
		bad = prof;
		bad.task.comm.off = T_SIZE - 4;
		is(xf_vmi_init(&v, &bad, rd, NULL, 0, &why), XF_VMI_EPROFILE,
		   "member past its struct refused");
		ok(why && !strcmp(why, "task.comm"), "error names task.comm (%s)", why ? why : "-");
		bad = prof;
		bad.cred.uid.size = 16;
		is(xf_vmi_init(&v, &bad, rd, NULL, 0, &why), XF_VMI_EPROFILE,
		   "oversized scalar refused");
		bad = prof;
		bad.skc.size = 4096;
		bad.sock.size = 8192;
		is(xf_vmi_init(&v, &bad, rd, NULL, 0, &why), XF_VMI_EPROFILE,
		   "sock_common too big for the walker's buffer refused");
		/*
		 * Members copied whole must have the size copied: a 1-byte
		 * address at the end of sock_common, or one IPv6 address
		 * without the other, read past the walker's buffer before.
		 */
		bad = prof;
		bad.skc.skc_daddr.off = bad.skc.size - 1;
		bad.skc.skc_daddr.size = 1;
		is(xf_vmi_init(&v, &bad, rd, NULL, 0, &why), XF_VMI_EPROFILE,
		   "1-byte skc_daddr refused");
		ok(why && !strcmp(why, "skc.skc_daddr"), "error names skc.skc_daddr (%s)",
		   why ? why : "-");
		bad = prof;
		bad.skc.skc_v6_rcv_saddr.off = XF_MEMBER_ABSENT;
		is(xf_vmi_init(&v, &bad, rd, NULL, 0, &why), XF_VMI_EPROFILE,
		   "skc_v6_daddr without skc_v6_rcv_saddr refused");
		bad = prof;
		bad.skc.skc_v6_daddr.size = 8;
		is(xf_vmi_init(&v, &bad, rd, NULL, 0, &why), XF_VMI_EPROFILE,
		   "8-byte IPv6 address refused");
		bad = prof;
		bad.sock.sk_common.size = bad.skc.size - 8;
		is(xf_vmi_init(&v, &bad, rd, NULL, 0, &why), XF_VMI_EPROFILE,
		   "sock.sk_common smaller than sock_common refused");
		bad = prof;
		bad.skc.skc_v6_daddr.off = XF_MEMBER_ABSENT;
		bad.skc.skc_v6_rcv_saddr.off = XF_MEMBER_ABSENT;
		is(xf_vmi_init(&v, &bad, rd, NULL, 0, &why), 0,
		   "a kernel without IPv6 (both absent) is fine");
	}
	return tap_done();
}
