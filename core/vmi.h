/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The guest-kernel walker: who inside a guest owns which inet socket,
 * read from the outside through one callback,
 *
 *	int read(void *ctx, uint64_t guest_va, void *buf, uint32_t len);
 *
 * (0 on success, negative if any byte of the range is unreadable) and a
 * struct xf_profile (include/xfilter/profile.h) that says where things are
 * in this guest kernel build. The same code runs in userland over a core
 * file or mapped frames, in xfilter.ko and in Xen.
 *
 * Trust: the guest controls every byte read. Every pointer is checked
 * (kernel half, canonical, aligned) before it is followed, every loop has a
 * hard cap from struct xf_vmi_limits, lists are cycle-checked, the total
 * number of reads per call is bounded by limits.max_reads, and strings are
 * copied with a bound and NUL-terminated here. A guest that lies can make
 * the walker report wrong or missing owners, never crash or hang it.
 *
 * Locking: a live guest keeps running while it is read. Like the xFilter
 * paper, the walker reads tasklist_lock before and after a task walk; a
 * lock held for write gives XF_VMI_EAGAIN, which the caller retries (or
 * reports). Nothing here allocates: output goes through callbacks or
 * caller-provided structs.
 */
#ifndef XF_CORE_VMI_H
#define XF_CORE_VMI_H

#include "compat.h"
#include "owner.h"
#include <xfilter/profile.h>

/* Results: 0 or a negative XF_VMI_E*. */
enum xf_vmi_err {
	XF_VMI_OK = 0,
	XF_VMI_EREAD = -1,	/* the backend could not read an address */
	XF_VMI_EPTR = -2,	/* a pointer failed the range/alignment check */
	XF_VMI_ELOOP = -3,	/* a list cycles or exceeds its cap */
	XF_VMI_EAGAIN = -4,	/* tasklist_lock held for write: retry */
	XF_VMI_EPROFILE = -5,	/* the profile lacks or misplaces a member */
	XF_VMI_ENOENT = -6,	/* lookup: no such socket / owner */
	XF_VMI_EBUDGET = -7,	/* limits.max_reads exhausted */
	XF_VMI_ESTOP = -8,	/* a callback asked to stop */
	XF_VMI_EINVAL = -9,	/* bad argument from the caller */
};

/* Caps on what one call may do; xf_vmi_limits_default() fills sane ones. */
struct xf_vmi_limits {
	uint32_t max_tasks;	/* thread-group leaders per walk */
	uint32_t max_threads;	/* threads looked at per process */
	uint32_t max_fds;	/* fd slots per table (clamps max_fds) */
	uint32_t max_chain;	/* entries per hash chain */
	uint32_t max_buckets;	/* buckets per full-table scan */
	uint64_t max_reads;	/* read callbacks per top-level call */
};

typedef int (*xf_vmi_read_fn)(void *ctx, uint64_t va, void *buf, uint32_t len);

struct xf_vmi {
	const struct xf_profile *prof;
	/* Mount-tree members for exe paths (xf_vmi_set_path()); NULL: none. */
	const struct xf_profile_path *path;
	xf_vmi_read_fn read;
	void *ctx;
	uint64_t slide;		/* KASLR: added to every profile symbol */
	struct xf_vmi_limits lim;
	uint64_t reads_left;	/* budget of the current call */
	uint64_t reads;		/* statistics: read callbacks made */
	uint64_t hash_mix;	/* init_net's hash_mix, ~0 until read */
	/*
	 * A memory dump cannot be retried: a lock held at dump time would
	 * fail forever. Forensic callers set this to walk anyway and warn.
	 */
	bool ignore_tasklist_lock;
};

/* One process (thread-group leader, threads folded in). */
struct xf_vmi_proc {
	struct xf_owner owner;
	uint64_t task;		/* guest address of the leader's task_struct */
	uint32_t nr_threads;	/* threads seen (>= 1) */
	uint32_t kthread;	/* no mm: a kernel thread */
};

/*
 * One inet socket behind a file descriptor. Ports in host order,
 * addresses in network order (IPv4 in the first 4 bytes).
 */
struct xf_vmi_sock {
	int32_t fd;		/* -1 when found through a hash table */
	uint8_t family;		/* XF_AF_INET or XF_AF_INET6 (core/flow.h) */
	uint8_t proto;		/* 6 TCP, 17 UDP */
	uint8_t state;		/* the kernel's TCP_* number, see name() */
	uint8_t tie;		/* lookup: another user's socket matched as well */
	uint8_t laddr[16];
	uint8_t raddr[16];
	uint16_t lport, rport;
	uint32_t sk_uid;	/* sock.sk_uid: the creator's uid */
	uint64_t sk;		/* struct sock (or timewait/request sock) */
	uint64_t file;		/* struct file, 0 if none */
	/*
	 * Read along with the sock and its file, so that the owner lookup
	 * that follows costs no read of its own for them; 0: not read
	 * (xf_vmi_owner() then reads them). Unchecked guest pointers.
	 */
	uint64_t socket;	/* sk->sk_socket */
	uint64_t cgroup;	/* sk->sk_cgrp_data.cgroup */
	uint64_t cred;		/* file->f_cred */
};

/*
 * Two socks that match a flow equally well (SO_REUSEADDR) give it an owner
 * only if they have the same one: same creator uid and cgroup. Otherwise
 * the guest does not say which one sent it (xf_vmi_sock_lookup()).
 */
static inline bool xf_vmi_sock_same_owner(const struct xf_vmi_sock *a,
					  const struct xf_vmi_sock *b)
{
	return a->sk_uid == b->sk_uid && a->cgroup == b->cgroup;
}

/* Callbacks return 0 to go on, anything else to stop with XF_VMI_ESTOP. */
typedef int (*xf_vmi_proc_fn)(void *arg, const struct xf_vmi_proc *p);
typedef int (*xf_vmi_sock_fn)(void *arg, const struct xf_vmi_proc *p,
			      const struct xf_vmi_sock *s);

/* A flow as the guest sees it: l = inside the guest, r = the peer. */
struct xf_vmi_tuple {
	uint8_t family;		/* XF_AF_INET or XF_AF_INET6 */
	uint8_t proto;		/* 6 or 17 */
	uint16_t lport, rport;	/* host order */
	uint8_t laddr[16];
	uint8_t raddr[16];
};

void xf_vmi_limits_default(struct xf_vmi_limits *lim);

/*
 * Checks the profile (magic, version, size, every member the walker uses
 * fits its struct); on failure *why names the first bad member.
 */
int xf_vmi_init(struct xf_vmi *v, const struct xf_profile *prof,
		xf_vmi_read_fn read, void *ctx, uint64_t slide,
		const char **why);

/* Full walk: every process, then each of its inet sockets. */
int xf_vmi_walk(struct xf_vmi *v, xf_vmi_proc_fn proc_fn,
		xf_vmi_sock_fn sock_fn, void *arg);

/*
 * Fast path, in two steps. xf_vmi_sock_lookup() finds the struct sock of a
 * flow through the guest's own hash tables (TCP established and listening,
 * UDP) and fills *s (fd = -1, file from sk->sk_socket->file, sk_uid).
 * xf_vmi_file_owner() then finds a process holding that file: first the
 * caller's hint (task and fd from an earlier answer, checked), else a
 * bounded scan of fd tables that compares pointers only.
 */
int xf_vmi_sock_lookup(struct xf_vmi *v, const struct xf_vmi_tuple *t,
		       struct xf_vmi_sock *s);
int xf_vmi_file_owner(struct xf_vmi *v, uint64_t file, uint64_t hint_task,
		      int32_t hint_fd, struct xf_vmi_proc *p, int32_t *fd);

/*
 * The owner of a socket found by xf_vmi_sock_lookup(), read from the
 * socket itself first (core/vmi_owner.c), in one call with one budget:
 *
 *  - credentials from the socket file's f_cred (the opener's, fixed when
 *    the socket was opened): uid, gid, euid, egid and XF_OWNER_F_FOUND,
 *    in a constant number of reads;
 *  - the cgroup the socket was created in (sk_cgrp_data): cgroup_id and
 *    the v2 path, XF_OWNER_F_CGROUP (and _TRUNC), in reads bounded by the
 *    path's depth;
 *  - only when need (enum xf_rule_fields, core/rule.h) has a task field
 *    (XF_RF_TASK): a task holding the file, XF_OWNER_F_TASK with pid,
 *    tgid, comm (ppid), p->task and *fd. First the caller's hint (checked),
 *    then the tasks whose real uid is the socket's, then the others,
 *    through the open-fd bitmaps: a table costs reads by its open fds, not
 *    its size, and another user's processes cost a few reads each until
 *    the socket's own user's are exhausted.
 *
 * 0 when the credentials were read (the flow is attributed); a task not
 * found only leaves XF_OWNER_F_TASK clear. A profile without f_cred
 * (older builder) takes the credentials from the task found instead, as
 * before. A socket without a file (orphaned, kernel socket) is
 * XF_VMI_ENOENT: sk_uid alone would say nothing about gid rules.
 */
int xf_vmi_owner(struct xf_vmi *v, const struct xf_vmi_sock *s, uint32_t need,
		 uint64_t hint_task, int32_t hint_fd, struct xf_vmi_proc *p,
		 int32_t *fd);

/*
 * The socket part of xf_vmi_owner() alone: f_cred's ids (XF_OWNER_F_FOUND)
 * and the cgroup (XF_OWNER_F_CGROUP) into o, the rest of o untouched. It
 * does not start a fresh budget, so it may be called from a walk's
 * sock_fn (xfctl ps: the socket's creator and cgroup next to its holder).
 */
int xf_vmi_sock_ident(struct xf_vmi *v, const struct xf_vmi_sock *s,
		      struct xf_owner *o);

/*
 * What xf_vmi_owner() cannot read with this profile: NULL if nothing is
 * missing, else "cgroup: kernfs_node.id" and the like (the first member
 * the builder did not find), for the operator's log.
 */
const char *xf_vmi_owner_missing(const struct xf_profile *prof, bool *creds);

/*
 * Executable paths (optional). xf_vmi_set_path() checks x against the
 * profile (call it after xf_vmi_init(), which forgets it) and enables
 * xf_vmi_exe(): the path of task->mm->exe_file as d_path() would print it
 * from the init process's root, into o->exe with XF_OWNER_F_EXE (and
 * XF_OWNER_F_EXE_TRUNC when it did not fit: o->exe then holds the path's
 * end, from a '/'). A kernel thread, a file outside the init root (another
 * mount namespace, a detached mount) or any inconsistency gives an error
 * and leaves the flags clear: such an owner never matches an exe rule.
 * Bounded by its own small read budget; the caller's is left as it was,
 * so it may be called from a walk callback.
 */
int xf_vmi_set_path(struct xf_vmi *v, const struct xf_profile_path *x,
		    const char **why);
int xf_vmi_exe(struct xf_vmi *v, uint64_t task, struct xf_owner *o);

/* Reads tasklist_lock: XF_VMI_EAGAIN if held for write. */
int xf_vmi_tasklist_check(struct xf_vmi *v);

/* "ESTABLISHED", "LISTEN", ... as the kernel names TCP states. */
const char *xf_vmi_state_name(uint8_t state);
const char *xf_vmi_strerror(int err);

#endif /* XF_CORE_VMI_H */
