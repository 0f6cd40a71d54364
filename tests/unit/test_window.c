// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/lib/window.c against a sorted copy of the same window: every
 * percentile at or above the exact one and at most 1/16 above it, exact
 * below 16 us, the window sliding (old samples leave their buckets), the
 * extremes (0, UINT32_MAX).
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "window.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t exact(const struct xf_window *w, unsigned int pct)
{
	static uint32_t tmp[XF_WINDOW];

	memcpy(tmp, w->v, w->n * sizeof(tmp[0]));
	qsort(tmp, w->n, sizeof(tmp[0]), cmp_u32);
	return tmp[(uint64_t)(w->n - 1) * pct / 100];
}

/* Every percentile of w within [exact, exact + exact / 16]. */
static int close_enough(const struct xf_window *w, unsigned int *bad_pct)
{
	unsigned int p;

	for (p = 0; p <= 100; p++) {
		uint64_t e = exact(w, p), got = xf_window_pct(w, p);

		if (got < e || got > e + e / 16) {
			*bad_pct = p;
			return 0;
		}
	}
	return 1;
}

int main(void)
{
	static struct xf_window w;
	unsigned int bad = 0, i;
	uint32_t seed = 12345;

	is(xf_window_pct(&w, 50), 0, "an empty window: 0");
	for (i = 0; i < 16; i++)
		xf_window_add(&w, i);
	is(xf_window_pct(&w, 50), 7, "below 16 us: exact (p50 of 0..15 is 7)");
	is(xf_window_pct(&w, 100), 15, "p100 is the largest sample");

	memset(&w, 0, sizeof(w));
	for (i = 0; i < 1000; i++) {
		seed = seed * 1103515245 + 12345;
		xf_window_add(&w, 200 + (seed >> 8) % 20000);
	}
	if (!ok(close_enough(&w, &bad), "1,000 samples: p0..p100 within 1/16 above exact"))
		diag("first off: p%u", bad);

	/* Slide a whole window: the first samples (all small) must leave. */
	memset(&w, 0, sizeof(w));
	for (i = 0; i < XF_WINDOW; i++) {
		seed = seed * 1103515245 + 12345;
		xf_window_add(&w, (seed >> 8) % 3000);
	}
	for (i = 0; i < XF_WINDOW; i++) {
		seed = seed * 1103515245 + 12345;
		xf_window_add(&w, 100000 + (seed >> 8) % 3000);
	}
	is(w.n, XF_WINDOW, "the window holds %u samples", XF_WINDOW);
	ok(xf_window_pct(&w, 0) >= 100000,
	   "the samples before it left the histogram (p0 %u)",
	   xf_window_pct(&w, 0));
	if (!ok(close_enough(&w, &bad), "after sliding: p0..p100 within 1/16"))
		diag("first off: p%u", bad);

	memset(&w, 0, sizeof(w));
	xf_window_add(&w, 0);
	xf_window_add(&w, UINT32_MAX);
	is(xf_window_pct(&w, 0), 0, "0 is a sample");
	is(xf_window_pct(&w, 100), UINT32_MAX, "UINT32_MAX is one (last bucket)");
	memset(&w, 0, sizeof(w));
	xf_window_add(&w, 1000);
	is(xf_window_pct(&w, 50), 1000, "one sample: itself, not its bucket's top");
	return tap_done();
}
