/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The last XF_WINDOW samples of a latency (microseconds) and their
 * percentiles, from a histogram kept with the window: a sample leaves its
 * bucket when it leaves the window. Buckets are exact below
 * XF_WINDOW_SUB, then XF_WINDOW_SUB per power of two: a percentile is the
 * top of its sample's bucket, at most 1/16 (6 %) above it, never above
 * the largest sample seen. Reading one costs a pass over 464 buckets, not
 * a sort of the window (xfilterd writes its figures every 100 ms while
 * busy, from the loop that serves the batches).
 */
#ifndef XF_USER_WINDOW_H
#define XF_USER_WINDOW_H

#include <stdint.h>

#define XF_WINDOW 4096
#define XF_WINDOW_SUB 16
#define XF_WINDOW_BUCKETS (XF_WINDOW_SUB + (32 - 4) * XF_WINDOW_SUB)

struct xf_window {
	uint32_t v[XF_WINDOW];
	uint32_t n, next;
	uint32_t max;		/* of every sample so far */
	uint32_t hist[XF_WINDOW_BUCKETS];
};

void xf_window_add(struct xf_window *w, uint32_t v);
/* The pct-th percentile (0..100) of the window; 0 when it is empty. */
uint32_t xf_window_pct(const struct xf_window *w, unsigned int pct);

#endif /* XF_USER_WINDOW_H */
