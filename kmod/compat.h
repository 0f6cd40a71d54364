/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels xfilter.ko builds for (Debian's 6.1,
 * 6.12 from bookworm-backports/trixie and 7.x from sid), in one place:
 * every LINUX_VERSION_CODE test of kmod/ lives here and nowhere else.
 */
#ifndef XF_KMOD_COMPAT_H
#define XF_KMOD_COMPAT_H

#include <linux/version.h>
#include <net/genetlink.h>

/*
 * The attributes of a dump request, parsed against the family policy.
 * 6.2 ("genetlink: use struct genl_info for dumps", split ops) moved them
 * from genl_dumpit_info.attrs to genl_dumpit_info.info.attrs.
 */
static inline struct nlattr **xf_genl_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * The struct holding a timer, in the timer's callback. 6.16 renamed
 * from_timer() to timer_container_of(); 7.x has only the new name.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0)
#define xf_from_timer(var, timer, field) timer_container_of(var, timer, field)
#else
#define xf_from_timer(var, timer, field) from_timer(var, timer, field)
#endif

#endif /* XF_KMOD_COMPAT_H */
