// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzers' guest (vmi_snapshot.h): loading a snapshot written by
 * tests/fuzz/vmi-snapshot.c and reading guest virtual addresses from it,
 * shared by fuzz_vmi (mutated memory) and fuzz_profile (mutated profile).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

struct vmi_snap_hdr hdr;
struct vmi_snap_page *pages;
struct vmi_snap_range *ranges;
uint64_t reads;

int vmi_snap_read(void *ctx, uint64_t va, void *buf, uint32_t len)
{
	uint8_t *out = buf;

	reads++;
	while (len) {
		uint64_t pva = va & ~(uint64_t)(VMI_SNAP_PAGE - 1);
		uint32_t off = va - pva, n = VMI_SNAP_PAGE - off;
		size_t lo = 0, hi = hdr.npages;

		if (n > len)
			n = len;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (pages[mid].va < pva)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == hdr.npages || pages[lo].va != pva)
			return -1;
		memcpy(out, pages[lo].data + off, n);
		out += n;
		va += n;
		len -= n;
	}
	return 0;
}

void vmi_snap_load(const char *who)
{
	const char *path = getenv("XF_VMI_SNAPSHOT");
	FILE *f;

	if (!path)
		path = "build/fuzz/vmi-snapshot.bin";
	f = fopen(path, "rb");
	if (!f || fread(&hdr, sizeof(hdr), 1, f) != 1 || hdr.magic != VMI_SNAP_MAGIC ||
	    !hdr.npages || !hdr.nranges) {
		fprintf(stderr, "%s: no snapshot at %s (tests/fuzz/run makes one)\n",
			who, path);
		exit(1);
	}
	pages = calloc(hdr.npages, sizeof(*pages));
	ranges = calloc(hdr.nranges, sizeof(*ranges));
	if (!pages || !ranges ||
	    fread(pages, sizeof(*pages), hdr.npages, f) != hdr.npages ||
	    fread(ranges, sizeof(*ranges), hdr.nranges, f) != hdr.nranges) {
		fprintf(stderr, "%s: short snapshot %s\n", who, path);
		exit(1);
	}
	fclose(f);
}
