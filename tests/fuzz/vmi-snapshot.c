// SPDX-License-Identifier: GPL-2.0
/*
 * vmi-snapshot DUMP_DIR OUT: records which guest pages the walker reads on
 * a real dump (a full walk, then a hash-table lookup and an owner search
 * for every socket) and writes them with the profile as the fuzzer's
 * starting guest (vmi_snapshot.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/vmi_dump.h"
#include "vmi_snapshot.h"

static uint64_t *pages;
static size_t npages, cap;
static struct vmi_snap_range *ranges;
static size_t nranges, rcap;
static struct xf_mem *mem;

static int record(void *ctx, uint64_t va, void *buf, uint32_t len)
{
	uint64_t p;

	if (xf_mem_read(mem, va, buf, len))
		return -1;
	if (nranges == rcap) {
		rcap = rcap ? 2 * rcap : 4096;
		ranges = realloc(ranges, rcap * sizeof(*ranges));
	}
	ranges[nranges++] = (struct vmi_snap_range){ va, len, 0 };
	for (p = va & ~4095ULL; p < va + len; p += 4096) {
		if (npages == cap) {
			cap = cap ? 2 * cap : 4096;
			pages = realloc(pages, cap * sizeof(*pages));
		}
		pages[npages++] = p;
	}
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct vmi_snap_range *x = a, *y = b;

	if (x->va != y->va)
		return x->va < y->va ? -1 : 1;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct dump_walk w = { 0 };
	struct vmi_snap_hdr h = { 0 };
	struct xf_guest g;
	struct xf_vmi v;
	size_t i, k, n = 0;
	FILE *f;

	if (argc != 3 || dump_open(&g, argv[1])) {
		fprintf(stderr, "usage: vmi-snapshot DUMP_DIR OUT\n");
		return 2;
	}
	mem = g.mem;
	xf_vmi_init(&v, &g.prof, record, NULL, g.slide, NULL);
	if (g.path.magic && xf_vmi_set_path(&v, &g.path, NULL)) {
		fprintf(stderr, "vmi-snapshot: path profile refused\n");
		return 1;
	}
	if (xf_vmi_walk(&v, dump_on_proc, dump_on_sock, &w)) {
		fprintf(stderr, "vmi-snapshot: walk failed\n");
		return 1;
	}
	for (i = 0; i < w.nprocs; i++) {
		struct xf_owner o = w.procs[i].owner;

		xf_vmi_exe(&v, w.procs[i].task, &o);
	}
	for (i = 0; i < w.nsocks; i++) {
		struct xf_vmi_tuple t;
		struct xf_vmi_sock s;
		struct xf_vmi_proc p;

		dump_tuple(&w.socks[i].s, &t);
		if (xf_vmi_sock_lookup(&v, &t, &s) == 0 && s.file && i % 8 == 0)
			xf_vmi_file_owner(&v, s.file, 0, -1, &p, NULL);
	}
	qsort(pages, npages, sizeof(*pages), cmp_u64);
	for (i = 0; i < npages; i++)
		if (!n || pages[n - 1] != pages[i])
			pages[n++] = pages[i];
	qsort(ranges, nranges, sizeof(*ranges), cmp_range);
	for (i = 0, k = 0; i < nranges; i++)
		if (!k || cmp_range(&ranges[k - 1], &ranges[i]))
			ranges[k++] = ranges[i];
	nranges = k;
	h.nranges = nranges;
	h.magic = VMI_SNAP_MAGIC;
	h.npages = n;
	h.slide = g.slide;
	h.prof = g.prof;
	h.path = g.path;
	f = fopen(argv[2], "wb");
	if (!f || fwrite(&h, sizeof(h), 1, f) != 1) {
		perror(argv[2]);
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct vmi_snap_page pg;

		pg.va = pages[i];
		if (xf_mem_read(mem, pages[i], pg.data, sizeof(pg.data)))
			memset(pg.data, 0, sizeof(pg.data));
		fwrite(&pg, sizeof(pg), 1, f);
	}
	fwrite(ranges, sizeof(*ranges), nranges, f);
	fclose(f);
	printf("%zu read ranges, %zu pages, %zu processes, %zu sockets\n", nranges, n, w.nprocs, w.nsocks);
	xf_guest_close(&g);
	return 0;
}
