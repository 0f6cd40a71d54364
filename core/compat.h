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
#include <linux/compiler.h>
#include <asm/barrier.h>
#elif defined(__XEN__)
#include <xen/types.h>
#include <xen/string.h>
#include <xen/rcupdate.h>
/*
 * Xen's public/xen.h defines it as 0x7FF0U; core/rule_text.c defines its
 * own, and -Werror refuses the redefinition. Same value: drop Xen's.
 */
#undef DOMID_FIRST_RESERVED
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#endif

/* For the few hot-path helpers the compiler will not inline on its own. */
#define XF_INLINE inline __attribute__((__always_inline__))

#ifndef XF_ARRAY_SIZE
#define XF_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/*
 * Memory ordering for structures read without a lock (the verdict cache):
 * XF_LOAD_PTR / XF_STORE_PTR (pointers, and the slot numbers the verdict
 * cache links entries by) are rcu_dereference / rcu_assign_pointer
 * (their raw forms in the kernel), consume/release atomics in userland.
 * Callers hold rcu_read_lock(), rcu_read_lock_bh() or the writer lock. XF_READ_ONCE/XF_WRITE_ONCE
 * are for scalars that readers update racily (cache deadlines, state).
 * XF_ADD_RELAXED is for counters bumped by concurrent readers.
 * XF_LOAD_ACQUIRE / XF_STORE_RELEASE pass a flag between CPUs (a grace
 * period's end).
 */
#if defined(__KERNEL__)
/*
 * What rcu_dereference_raw() and rcu_assign_pointer() expand to, without
 * linux/rcupdate.h (which drags bitops helpers into every core file).
 */
#define XF_LOAD_PTR(p) READ_ONCE(p)
#define XF_STORE_PTR(p, v) smp_store_release(&(p), v)
#define XF_READ_ONCE(x) READ_ONCE(x)
#define XF_WRITE_ONCE(x, v) WRITE_ONCE(x, v)
#define XF_LOAD_ACQUIRE(x) smp_load_acquire(&(x))
#define XF_STORE_RELEASE(x, v) smp_store_release(&(x), v)
#elif defined(__XEN__)
#define XF_LOAD_PTR(p) rcu_dereference(p)
#define XF_STORE_PTR(p, v) rcu_assign_pointer(p, v)
#define XF_READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define XF_WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#else
#define XF_LOAD_PTR(p) __atomic_load_n(&(p), __ATOMIC_CONSUME)
#define XF_STORE_PTR(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define XF_READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define XF_WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#endif
#ifndef XF_LOAD_ACQUIRE
#define XF_LOAD_ACQUIRE(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define XF_STORE_RELEASE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#endif
#define XF_ADD_RELAXED(x, v) __atomic_fetch_add(&(x), (v), __ATOMIC_RELAXED)

#endif /* XF_CORE_COMPAT_H */
