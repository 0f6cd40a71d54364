/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The owner of a flow: who inside the guest sent it. Filled by the guest
 * kernel walker (core/vmi*.c) from guest memory, consumed by the rule matcher
 * (core/rule.c). Every string here is copied out of memory the guest
 * controls: the walker must bound each copy and NUL-terminate it, the matcher
 * never trusts a terminator it did not put there itself.
 */
#ifndef XF_CORE_OWNER_H
#define XF_CORE_OWNER_H

#include "compat.h"

#define XF_COMM_LEN 16		/* TASK_COMM_LEN in the guest kernel */
#define XF_EXE_LEN 256		/* longer executable paths are truncated */
#define XF_CGROUP_LEN 256	/* cgroup v2 path; longer ones are truncated */

enum xf_owner_flags {
	/*
	 * The flow's socket was found and its credentials read: uid, gid,
	 * euid, egid are valid. They come from the socket itself (the socket
	 * file's f_cred, what xt_owner and nft "meta skuid" use), recorded
	 * when the socket was opened, so no unprivileged guest user can
	 * change them, and they cost a constant number of reads. Without
	 * this flag the flow is unattributed (hidden socket, race with
	 * socket teardown, raw socket, walk gave up): see core/rule.c for
	 * what such a flow gets.
	 */
	XF_OWNER_F_FOUND = 1U << 0,
	XF_OWNER_F_EXE = 1U << 1,	/* exe[] is valid */
	XF_OWNER_F_PPID = 1U << 2,	/* ppid is valid */
	XF_OWNER_F_CGROUP = 1U << 3,	/* cgroup_id and cgroup[] are valid */
	/*
	 * The path did not fit in XF_EXE_LEN - 1 bytes: exe[] holds its end
	 * (whole trailing components, from a '/'). Never matches an exe rule.
	 */
	XF_OWNER_F_EXE_TRUNC = 1U << 4,
	/*
	 * A task holding the socket was found: pid, tgid, comm are valid.
	 * Looked for only when a rule needs pid, comm or exe (or for
	 * display); a pid/comm/exe rule never matches without it.
	 */
	XF_OWNER_F_TASK = 1U << 5,
	/* The cgroup path was longer than XF_CGROUP_LEN - 1: never matches. */
	XF_OWNER_F_CGROUP_TRUNC = 1U << 6,
	XF_OWNER_F_ALL = (1U << 7) - 1,
};

struct xf_owner {
	uint32_t flags;		/* enum xf_owner_flags */
	uint32_t pid;		/* guest task->pid (thread id) */
	uint32_t tgid;		/* guest task->tgid: what ps calls the pid */
	uint32_t ppid;		/* tgid of the real parent */
	uint32_t uid, gid;	/* real ids */
	uint32_t euid, egid;	/* effective ids */
	uint64_t cgroup_id;	/* kernfs id of the socket's cgroup */
	char comm[XF_COMM_LEN];	/* NUL-terminated, NUL-padded */
	/*
	 * NUL-terminated, when XF_OWNER_F_EXE: the executable's path from
	 * the guest's root (core/vmi_exe.c).
	 */
	char exe[XF_EXE_LEN];
	/*
	 * NUL-terminated, when XF_OWNER_F_CGROUP: the cgroup v2 path of the
	 * cgroup the socket was created in (sk->sk_cgrp_data), as the guest
	 * shows it in /proc/PID/cgroup ("/system.slice/foo.service"; "/" for
	 * the root).
	 */
	char cgroup[XF_CGROUP_LEN];
};

#endif /* XF_CORE_OWNER_H */
