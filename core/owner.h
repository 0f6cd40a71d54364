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

enum xf_owner_flags {
	/*
	 * An owning socket and task were found. Without this flag the flow is
	 * unattributed (hidden process, race with socket teardown, raw
	 * socket, walk gave up): only rules without owner fields can match
	 * it and the domain's unattributed policy applies.
	 */
	XF_OWNER_F_FOUND = 1U << 0,
	XF_OWNER_F_EXE = 1U << 1,	/* exe[] is valid */
	XF_OWNER_F_PPID = 1U << 2,	/* ppid is valid */
	XF_OWNER_F_CGROUP = 1U << 3,	/* cgroup_id is valid */
	/*
	 * The path did not fit in XF_EXE_LEN - 1 bytes: exe[] holds its end
	 * (whole trailing components, from a '/'). Never matches an exe rule.
	 */
	XF_OWNER_F_EXE_TRUNC = 1U << 4,
	XF_OWNER_F_ALL = (1U << 5) - 1,
};

struct xf_owner {
	uint32_t flags;		/* enum xf_owner_flags */
	uint32_t pid;		/* guest task->pid (thread id) */
	uint32_t tgid;		/* guest task->tgid: what ps calls the pid */
	uint32_t ppid;		/* tgid of the real parent */
	uint32_t uid, gid;	/* real ids */
	uint32_t euid, egid;	/* effective ids */
	uint64_t cgroup_id;
	char comm[XF_COMM_LEN];	/* NUL-terminated, NUL-padded */
	/*
	 * NUL-terminated, when XF_OWNER_F_EXE: the executable's path from
	 * the guest's root (core/vmi_exe.c).
	 */
	char exe[XF_EXE_LEN];
};

#endif /* XF_CORE_OWNER_H */
