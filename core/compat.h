/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * core/ is built three times: into xfilter.ko, into the Xen filter module and
 * into userland. This header is the only place that knows which: core code
 * includes nothing else from its environment and uses only fixed-width
 * types, bool, size_t and mem{cpy,set,cmp}.
 */
#ifndef XF_CORE_COMPAT_H
#define XF_CORE_COMPAT_H

#if defined(__KERNEL__)
#include <linux/types.h>
#include <linux/string.h>
#elif defined(__XEN__)
#include <xen/types.h>
#include <xen/string.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#endif

#ifndef XF_ARRAY_SIZE
#define XF_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#endif /* XF_CORE_COMPAT_H */
