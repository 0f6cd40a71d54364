/* SPDX-License-Identifier: GPL-2.0 */
/* The fuzzers' side of the snapshot (vmi_snapshot.h): tests/fuzz/snapshot.c. */
#ifndef XF_FUZZ_SNAPSHOT_H
#define XF_FUZZ_SNAPSHOT_H

#include "vmi_snapshot.h"

/* tests/fuzz/snapshot.c: the snapshot loaded, and a reader over it. */
extern struct vmi_snap_hdr hdr;
extern struct vmi_snap_page *pages;
extern struct vmi_snap_range *ranges;
extern uint64_t reads;		/* vmi_snap_read() calls, for budget checks */

/* Load $XF_VMI_SNAPSHOT (or build/fuzz/vmi-snapshot.bin); exits on error. */
void vmi_snap_load(const char *who);
/* The walker's read callback over the snapshot's pages. */
int vmi_snap_read(void *ctx, uint64_t va, void *buf, uint32_t len);

#endif
