/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's guest: the pages of a real dump that one full walk (with
 * each process's exe path) and one lookup per socket touched, with the profile and KASLR slide to read them.
 * Written by tests/fuzz/vmi-snapshot.c at fuzz run start (never committed):
 *
 *	struct vmi_snap_hdr, then npages x { uint64_t va; uint8_t data[4096]; }
 *	sorted by va, then nranges x struct vmi_snap_range: the (va, len) of
 *	every distinct read the walker made, where mutations do most harm.
 */
#ifndef XF_FUZZ_VMI_SNAPSHOT_H
#define XF_FUZZ_VMI_SNAPSHOT_H

#include <stdint.h>

#include <xfilter/profile.h>

#define VMI_SNAP_MAGIC 0x53564658u	/* "XFVS" */
#define VMI_SNAP_PAGE 4096

struct vmi_snap_hdr {
	uint32_t magic;
	uint32_t npages;
	uint64_t slide;
	uint32_t nranges;
	uint32_t _pad;
	struct xf_profile prof;
	struct xf_profile_path path;	/* exe paths: magic 0 if none */
};

struct vmi_snap_page {
	uint64_t va;
	uint8_t data[VMI_SNAP_PAGE];
};

struct vmi_snap_range {
	uint64_t va;
	uint32_t len;
	uint32_t _pad;
};

#endif
