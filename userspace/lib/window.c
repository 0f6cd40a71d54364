// SPDX-License-Identifier: GPL-2.0
/*
 * A window of latency samples and its percentiles: see window.h.
 */
#include "window.h"

static unsigned int bucket_of(uint32_t v)
{
	unsigned int e;

	if (v < XF_WINDOW_SUB)
		return v;
	e = 31 - __builtin_clz(v);	/* 4..31 */
	return XF_WINDOW_SUB + (e - 4) * XF_WINDOW_SUB +
	       ((v >> (e - 4)) & (XF_WINDOW_SUB - 1));
}

/* The largest value bucket b holds. */
static uint32_t bucket_top(unsigned int b)
{
	unsigned int e, sub;

	if (b < XF_WINDOW_SUB)
		return b;
	e = (b - XF_WINDOW_SUB) / XF_WINDOW_SUB + 4;
	sub = (b - XF_WINDOW_SUB) % XF_WINDOW_SUB;
	return (uint32_t)(((uint64_t)(XF_WINDOW_SUB + sub + 1) << (e - 4)) - 1);
}

void xf_window_add(struct xf_window *w, uint32_t v)
{
	if (w->n == XF_WINDOW)
		w->hist[bucket_of(w->v[w->next])]--;	/* leaves the window */
	w->v[w->next] = v;
	w->hist[bucket_of(v)]++;
	w->next = (w->next + 1) % XF_WINDOW;
	if (w->n < XF_WINDOW)
		w->n++;
	if (v > w->max)
		w->max = v;
}

uint32_t xf_window_pct(const struct xf_window *w, unsigned int pct)
{
	uint32_t k, seen = 0, top;
	unsigned int b;

	if (!w->n)
		return 0;
	/* 0-based rank, as a sorted window's [(n - 1) * pct / 100]. */
	k = (uint32_t)((uint64_t)(w->n - 1) * (pct > 100 ? 100 : pct) / 100);
	for (b = 0; b < XF_WINDOW_BUCKETS; b++) {
		seen += w->hist[b];
		if (seen > k) {
			top = bucket_top(b);
			return top < w->max ? top : w->max;
		}
	}
	return w->max;
}
