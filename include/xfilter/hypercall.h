/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The xfilter hypercall: the ABI between dom0 (xfilter.ko, or a tool going
 * through /dev/xen/privcmd) and the filter module inside Xen
 * (hypervisor-stub/). Defined once here, included by both sides.
 *
 *	long HYPERVISOR_xfilter_op(unsigned int cmd, struct xf_hv_<cmd> *arg);
 *
 * Number __HYPERVISOR_arch_7 (55), set aside by Xen for architecture use.
 * A stock Xen answers -ENOSYS: the hypervisor filter is not there.
 *
 * Commands (argument struct in brackets, IN/OUT as seen from dom0), each
 * with its own version (below):
 *
 *	XF_HV_PROBE [xf_hv_probe] OUT: ABI version, limits, rule generation.
 *	XF_HV_COUNTERS [xf_hv_counters] IN flags (RESET), OUT the counters.
 *	XF_HV_PROFILE [xf_hv_profile] IN: load (or with F_CLEAR drop) the
 *		introspection profile of one domain: a struct xf_profile
 *		(include/xfilter/profile.h) at address `profile`, and the
 *		guest's KASLR slide. Xen checks the profile and that the
 *		guest's linux_banner reads as banner[] before accepting it
 *		(-EINVAL bad profile, -ENOEXEC banner mismatch).
 *	XF_HV_RULES [xf_hv_rules] IN: replace the whole rule table (rules
 *		and per-domain policies), tagged with the caller's generation.
 *	XF_HV_CHECK [xf_hv_check] IN: flows of one domain; OUT: one
 *		xf_hv_result each (verdict and owner), written to `results`.
 *		Preemptible: Xen checks for pending work between two flows
 *		and continues the call as a hypercall continuation from
 *		`done` (the caller passes 0 and gets done == n back). Work
 *		between two checks is one flow's walk, bounded in reads.
 *
 * Rules of the ABI: only fixed-width integers and char arrays, natural
 * alignment with explicit padding, no pointers (dom0 buffers are passed as
 * uint64_t addresses in dom0's own address space), so 32-bit and 64-bit
 * builds agree and Xen needs no compat translation. Every reserved field
 * and padding must be zero, every unknown flag is rejected (-EINVAL).
 *
 * Versions: every sub-op has its own, XF_HV_<CMD>_VERSION, raised when its
 * argument struct or its meaning changes, so that one sub-op can change
 * without the others. The caller says which version it speaks in the top
 * byte of cmd (xf_hv_cmd() below); Xen refuses any other with -EACCES, as
 * a domctl with another interface_version, so no caller is ever answered
 * in a layout it does not know. A top byte of 0 is a caller from before
 * per-op versions (XF_HV_ABI_VERSION 2): it speaks version 1 of each.
 * XF_HV_ABI_VERSION, which the probe reports, counts changes of the
 * hypercall as a whole (its number, how commands and versions are coded).
 *
 * Errors (negative errno): -EPERM (dummy XSM, SILO) or -EACCES (FLASK)
 * the caller may not use xfilter_op (xsm_xfilter_op: by default only the
 * control domain may), -EOPNOTSUPP unknown cmd, -EACCES a version of the
 * cmd that this Xen does not speak, -EFAULT an address is not readable/writable,
 * -EINVAL malformed argument, -E2BIG a count over its cap, -ESRCH no such
 * domain (or the caller's own / a dying one), -EPERM also for a domain
 * that is never inspected (control, hardware, xenstore, device-model stub
 * domains), -EPERM or -EACCES for one that XSM does not let the caller
 * read (xsm_xfilter_op on that domain; FLASK: domain2 { xfilter_op }), -ENOENT no profile loaded for the domain,
 * -ENOMEM.
 */
#ifndef XF_HYPERCALL_H
#define XF_HYPERCALL_H

#if defined(__KERNEL__)
#include <linux/types.h>
#elif defined(__XEN__)
#include <xen/types.h>
#else
#include <stdint.h>
#endif

#define XF_HV_HYPERCALL_NR	55	/* __HYPERVISOR_arch_7 */
#define XF_HV_ABI_VERSION	3	/* 2: counters.preempted, 3: per-cmd versions */
#define XF_HV_MAGIC		0x56485846u	/* "FXHV" */

enum xf_hv_cmd {
	XF_HV_PROBE = 0,
	XF_HV_COUNTERS = 1,
	XF_HV_PROFILE = 2,
	XF_HV_RULES = 3,
	XF_HV_CHECK = 4,
	__XF_HV_CMD_LAST,
};

/* The version of each command's struct and meaning (see "Versions"). */
#define XF_HV_PROBE_VERSION	1
#define XF_HV_COUNTERS_VERSION	1
#define XF_HV_PROFILE_VERSION	1
#define XF_HV_RULES_VERSION	1
#define XF_HV_CHECK_VERSION	1

#define XF_HV_CMD_VER_SHIFT	24
#define XF_HV_CMD_OP(cmd)	((uint32_t)(cmd) & ((1u << XF_HV_CMD_VER_SHIFT) - 1))
#define XF_HV_CMD_VER(cmd)	((uint32_t)(cmd) >> XF_HV_CMD_VER_SHIFT)

/* The version of command op this header describes, 0 for an unknown op. */
static inline uint32_t xf_hv_cmd_version(uint32_t op)
{
	switch (op) {
	case XF_HV_PROBE: return XF_HV_PROBE_VERSION;
	case XF_HV_COUNTERS: return XF_HV_COUNTERS_VERSION;
	case XF_HV_PROFILE: return XF_HV_PROFILE_VERSION;
	case XF_HV_RULES: return XF_HV_RULES_VERSION;
	case XF_HV_CHECK: return XF_HV_CHECK_VERSION;
	}
	return 0;
}

/* cmd as a caller passes it: op with the version it speaks in the top byte. */
static inline uint32_t xf_hv_cmd(uint32_t op)
{
	return op | xf_hv_cmd_version(op) << XF_HV_CMD_VER_SHIFT;
}

/* Caps Xen enforces; the probe reports the values in force. */
#define XF_HV_BATCH_MAX		64	/* flows per XF_HV_CHECK */
#define XF_HV_RULES_MAX		1024	/* rules per table */
#define XF_HV_DOMS_MAX		1024	/* per-domain policies per table */
#define XF_HV_PROFILES_MAX	64	/* domains with a profile loaded */

struct xf_hv_probe {
	uint32_t magic;			/* OUT: XF_HV_MAGIC */
	uint32_t version;		/* OUT: XF_HV_ABI_VERSION */
	uint32_t max_batch;		/* OUT: XF_HV_BATCH_MAX */
	uint32_t max_rules;
	uint32_t max_doms;
	uint32_t max_profiles;
	uint32_t profile_size;		/* OUT: sizeof(struct xf_profile) */
	uint32_t nr_profiles;		/* OUT: profiles loaded now */
	uint64_t generation;		/* OUT: of the rule table (0: none) */
	uint32_t n_rules;		/* OUT: rules in the table */
	uint32_t _pad;
};

#define XF_HV_COUNTERS_F_RESET	(1u << 0)	/* zero after reading */
#define XF_HV_COUNTERS_F_ALL	XF_HV_COUNTERS_F_RESET

/*
 * Times in ns of Xen's NOW(). A "check" is one flow of a batch:
 * attribution (guest walk) plus rule matching; a "call" is a whole
 * XF_HV_CHECK including pause/unpause. Percentiles come from a log-linear
 * histogram (8 steps per power of two: within 12.5 %, rounded up).
 */
struct xf_hv_counters {
	uint32_t flags;			/* IN: XF_HV_COUNTERS_F_* */
	uint32_t _pad;
	uint64_t calls;			/* XF_HV_CHECK calls that ran */
	uint64_t checks;		/* flows checked */
	uint64_t found;			/* ... with an owner found */
	uint64_t unattributed;		/* ... without */
	uint64_t retries;		/* walks retried (tasklist_lock held) */
	uint64_t reads;			/* guest memory reads */
	uint64_t read_faults;		/* reads of unmapped/foreign memory */
	uint64_t rejected;		/* calls refused (any error) */
	uint64_t check_ns_total;
	uint64_t check_ns_max;
	uint64_t check_ns_p50;
	uint64_t check_ns_p99;
	uint64_t call_ns_total;
	uint64_t call_ns_max;
	uint64_t pause_ns_total;	/* domain_pause() itself */
	uint64_t pause_ns_max;
	/* calls that gave the pCPU back mid-batch and continued (v2) */
	uint64_t preempted;
};

#define XF_HV_PROFILE_F_CLEAR	(1u << 0)	/* drop the domain's profile */
#define XF_HV_PROFILE_F_ALL	XF_HV_PROFILE_F_CLEAR

struct xf_hv_profile {
	uint16_t domid;			/* IN */
	uint16_t _pad;
	uint32_t flags;			/* IN: XF_HV_PROFILE_F_* */
	uint32_t size;			/* IN: sizeof(struct xf_profile) */
	uint32_t _pad2;
	uint64_t slide;			/* IN: KASLR virtual slide (0: none) */
	uint64_t profile;		/* IN: address of struct xf_profile */
};

/*
 * One rule, as core/rule.h struct xf_rule without its counters and with an
 * explicit layout. dom_name is not carried: the caller resolves names to
 * domids before pushing (an unresolved rule is refused).
 */
struct xf_hv_rule {
	uint32_t fields;		/* enum xf_rule_fields */
	uint16_t domid;
	uint8_t proto;
	uint8_t action;			/* enum xf_action, XF_ACT_MIRROR */
	uint8_t dst_family;
	uint8_t dst_plen;
	uint16_t dport_lo, dport_hi;
	uint16_t sport_lo, sport_hi;
	uint16_t _pad;
	uint8_t dst[16];
	uint32_t uid, euid, gid, pid;
	char comm[16];			/* XF_COMM_LEN, NUL-terminated */
	char exe[256];			/* XF_EXE_LEN, NUL-terminated */
};

struct xf_hv_dom_policy {
	uint16_t domid;			/* 0xffff (XF_DOMID_ANY): fallback */
	uint8_t dflt;			/* XF_ACT_* */
	uint8_t unattributed;		/* XF_ACT_* */
};

struct xf_hv_rules {
	uint64_t generation;		/* IN: must be non-zero */
	uint64_t rules;			/* IN: address of n_rules xf_hv_rule */
	uint64_t doms;			/* IN: address of n_doms policies */
	uint32_t n_rules;
	uint32_t n_doms;
	struct xf_hv_dom_policy fallback; /* IN: domains without a policy */
	uint32_t _pad;
};

/* A flow as seen leaving the guest: s = inside the guest, d = the peer. */
struct xf_hv_flow {
	uint8_t saddr[16];		/* network order; IPv4 in [0..3] */
	uint8_t daddr[16];
	uint16_t sport;			/* host order */
	uint16_t dport;
	uint8_t family;			/* 4 or 6 (XF_AF_INET/INET6) */
	uint8_t proto;			/* 6 TCP, 17 UDP, ... */
	uint16_t _pad;
};

struct xf_hv_owner {
	uint32_t flags;			/* enum xf_owner_flags */
	uint32_t pid, tgid, ppid;
	uint32_t uid, gid, euid, egid;
	char comm[16];
};

/* Attribution status of a result: 0 found, else a negative XF_VMI_E*. */
struct xf_hv_result {
	uint8_t action;			/* enum xf_action */
	uint8_t source;			/* enum xf_verdict_source */
	uint16_t rule;			/* index or 0xffff */
	int32_t status;			/* core/vmi.h XF_VMI_OK or XF_VMI_E* */
	uint64_t generation;		/* of the table that decided */
	struct xf_hv_owner owner;
	uint64_t task;			/* guest task_struct of the owner */
	int32_t fd;			/* its fd, -1 if unknown */
	uint32_t check_ns;		/* time this flow took in Xen */
};

/*
 * Xen reads a flow's owner from its socket (credentials, cgroup) and looks
 * for the task holding it only when a rule for the domain has a pid, comm
 * or exe field. F_TASK asks for the task (pid, tgid, comm in the result)
 * for every flow anyway: for display and diagnostics (xfctl hv check),
 * at the cost of a task search per flow.
 */
#define XF_HV_CHECK_F_TASK	(1u << 0)
#define XF_HV_CHECK_F_ALL	XF_HV_CHECK_F_TASK

struct xf_hv_check {
	uint16_t domid;			/* IN */
	uint16_t _pad;
	uint32_t flags;			/* IN: XF_HV_CHECK_F_* */
	uint32_t n;			/* IN: flows, 1..XF_HV_BATCH_MAX */
	uint32_t done;			/* IN: 0; OUT: results written (n) */
	uint64_t flows;			/* IN: address of n xf_hv_flow */
	uint64_t results;		/* IN: address of n xf_hv_result */
};

_Static_assert(sizeof(struct xf_hv_probe) == 48, "xf_hv_probe layout");
_Static_assert(sizeof(struct xf_hv_counters) == 144, "xf_hv_counters layout");
_Static_assert(sizeof(struct xf_hv_profile) == 32, "xf_hv_profile layout");
_Static_assert(sizeof(struct xf_hv_rule) == 324, "xf_hv_rule layout");
_Static_assert(sizeof(struct xf_hv_dom_policy) == 4, "xf_hv_dom_policy layout");
_Static_assert(sizeof(struct xf_hv_rules) == 40, "xf_hv_rules layout");
_Static_assert(sizeof(struct xf_hv_flow) == 40, "xf_hv_flow layout");
_Static_assert(sizeof(struct xf_hv_owner) == 48, "xf_hv_owner layout");
_Static_assert(sizeof(struct xf_hv_result) == 80, "xf_hv_result layout");
_Static_assert(sizeof(struct xf_hv_check) == 32, "xf_hv_check layout");

#endif /* XF_HYPERCALL_H */
