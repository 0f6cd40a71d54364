/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Internals shared by core/vmi*.c: the checked read primitives. Nothing in
 * the walker calls v->read directly; everything goes through vmi_read(),
 * which charges the per-call read budget, so a guest cannot make one call
 * do unbounded work however its lists are shaped.
 */
#ifndef XF_CORE_VMI_PRIV_H
#define XF_CORE_VMI_PRIV_H

#include "vmi.h"

/* x86-64: the kernel owns the upper canonical half. */
#define VMI_KERNEL_MIN 0xffff800000000000ULL

#define VMI_AF_INET 2		/* the guest kernel's AF_* numbers */
#define VMI_AF_INET6 10
#define VMI_SOCK_STREAM 1
#define VMI_SOCK_DGRAM 2
#define VMI_IPPROTO_TCP 6
#define VMI_IPPROTO_UDP 17
#define VMI_S_IFMT 0170000
#define VMI_S_IFSOCK 0140000
#define VMI_PF_KTHREAD 0x00200000
#define VMI_TCP_LISTEN 10

/* A struct read whole into a local buffer, then picked apart. */
#define VMI_BUF_MAX 512

static inline bool vmi_kptr_ok(uint64_t va, uint32_t align)
{
	return va >= VMI_KERNEL_MIN && va < ~0ULL - 0xffff &&
	       !(va & (uint64_t)(align - 1));
}

/* Start a top-level call: fresh budget. */
static inline void vmi_begin(struct xf_vmi *v)
{
	v->reads_left = v->lim.max_reads;
}

static inline uint64_t vmi_sym(const struct xf_vmi *v, uint64_t sym)
{
	return sym ? sym + v->slide : 0;
}

int vmi_read(struct xf_vmi *v, uint64_t va, void *buf, uint32_t len);
/*
 * Member of the struct at base as an unsigned integer (size 1..8, LE,
 * bitfields applied).
 */
int vmi_member(struct xf_vmi *v, uint64_t base, const struct xf_member *m,
	       uint64_t *out);
/*
 * A pointer member: NULL is returned as 0 with success; anything else must
 * pass vmi_kptr_ok(align) or XF_VMI_EPTR.
 */
int vmi_member_ptr(struct xf_vmi *v, uint64_t base, const struct xf_member *m,
		   uint32_t align, uint64_t *out);
/*
 * Members m[0..n) of the struct at base in one read, of the span from the
 * lowest to the end of the highest, when that fits VMI_SPAN_MAX (one read
 * each otherwise): members near each other cost one guest read, not one
 * each. An absent member reads as 0 (callers check presence); pointers
 * come back unchecked (vmi_kptr_ok() before use). The span buffer is on
 * the stack, in Xen too, under vmi_sk_decode()'s VMI_BUF_MAX one: small.
 */
#define VMI_SPAN_MAX 256
int vmi_members(struct xf_vmi *v, uint64_t base,
		const struct xf_member *const *m, uint32_t n, uint64_t *out);
/* The same, from a struct already copied into buf (len bytes). */
uint64_t vmi_buf_member(const uint8_t *buf, uint32_t len,
			const struct xf_member *m);

/*
 * Brent's cycle detection: O(1) memory, finds a cycle anywhere in a list
 * (not only through the head) within a small multiple of its length.
 */
struct vmi_cycle {
	uint64_t saved;
	uint32_t power, steps;
};

static inline void vmi_cycle_init(struct vmi_cycle *c, uint64_t start)
{
	c->saved = start;
	c->power = 1;
	c->steps = 0;
}

static inline bool vmi_cycle_step(struct vmi_cycle *c, uint64_t cur)
{
	if (cur == c->saved)
		return true;
	if (++c->steps == c->power) {
		c->saved = cur;
		c->power <<= 1;
		c->steps = 0;
	}
	return false;
}

/* vmi_task.c */
int vmi_proc_read(struct xf_vmi *v, uint64_t task, struct xf_vmi_proc *p);
/*
 * Distinct fd tables looked at per thread group (CLONE_THREAD without
 * CLONE_FILES is legal but rare).
 */
#define VMI_FILES_PER_PROC 4
struct vmi_files_set {
	uint64_t files[VMI_FILES_PER_PROC];
	uint32_t n;
};
/* The fd tables of a thread group, the leader's first, and its threads. */
int vmi_proc_files(struct xf_vmi *v, uint64_t leader, struct vmi_files_set *set,
		   uint32_t *nr_threads);
/*
 * Reads the fd array of a files_struct: fn(v, fd, file, arg) per slot in
 * use; stops when fn returns non-zero (that value is returned).
 */
int vmi_fd_each(struct xf_vmi *v, uint64_t files,
		int (*fn)(struct xf_vmi *v, int32_t fd, uint64_t file, void *arg),
		void *arg);

/* Credentials at cred (struct cred) into o's uid/gid/euid/egid. */
int vmi_cred_read(struct xf_vmi *v, uint64_t cred, struct xf_owner *o);

/*
 * vmi_cgroup.c: the cgroup of sock sk into o (XF_OWNER_F_CGROUP); cgrp is
 * sk's cgroup pointer when read already (struct xf_vmi_sock), else 0.
 */
#define VMI_CGROUP_DEPTH 256	/* kernfs levels followed at most */
int vmi_sk_cgroup(struct xf_vmi *v, uint64_t sk, uint64_t cgrp,
		  struct xf_owner *o);

/*
 * vmi_holder.c: a task holding file, searching tasks of real uid uid
 * first; p filled by vmi_proc_read(), *fd its slot.
 */
int vmi_holder_find(struct xf_vmi *v, uint64_t file, uint32_t uid,
		    bool by_uid, struct xf_vmi_proc *p, int32_t *fd);
/* The slot of file in files (open-fd bitmap; whole table without one). */
int vmi_fd_find(struct xf_vmi *v, uint64_t files, uint64_t file, int32_t *fd);
bool vmi_hint_ok(struct xf_vmi *v, uint64_t task, int32_t fd, uint64_t file);

/* vmi_sock.c */
int vmi_file_sock(struct xf_vmi *v, uint64_t file, struct xf_vmi_sock *s);
int vmi_sk_decode(struct xf_vmi *v, uint64_t sk, struct xf_vmi_sock *s);
/*
 * The same, and the 8 bytes at sk + next_off (a hash chain's next pointer)
 * when they lie in the sock_common it reads anyway: *got_next says so.
 */
int vmi_sk_decode_next(struct xf_vmi *v, uint64_t sk, struct xf_vmi_sock *s,
		       uint32_t next_off, uint64_t *next, bool *got_next);

#endif /* XF_CORE_VMI_PRIV_H */
