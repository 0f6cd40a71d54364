// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the profile check: a real guest's pages and its
 * real profile (vmi_snapshot.h), with the input's bytes xor-ed into the
 * *profile*, then xf_vmi_init() and, when it accepts, a full walk, a
 * lookup and an owner search. A profile reaches Xen from dom0 and a
 * profile file from anywhere: whatever offsets and sizes it claims, what
 * xf_vmi_init() accepts must never make the walker read outside its own
 * buffers (ASan), loop, or exceed its budget.
 *
 * Input: byte 0 picks the lookup's tuple; then 4-byte records
 * { u16 where, u8 op, u8 val } on the 32-bit words of struct xf_profile
 * past its header (magic, version, arch, size stay valid, or every input
 * would be refused at once). The ops are what a bad profile does to a
 * struct xf_member { u32 off; u16 size; u8 bit_shift, bit_size; }: a
 * member made absent, set to a small value (1-byte sizes, offsets at a
 * struct's end), moved by a little, or any bits flipped.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmi.h"
#include "snapshot.h"

#define READ_BUDGET 200000

static struct xf_profile pristine;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	vmi_snap_load("fuzz_profile");
	pristine = hdr.prof;
	return 0;
}

static int on_proc(void *arg, const struct xf_vmi_proc *p)
{
	if (!memchr(p->owner.comm, 0, sizeof(p->owner.comm)))
		abort();
	return 0;
}

static int on_sock(void *arg, const struct xf_vmi_proc *p,
		   const struct xf_vmi_sock *s)
{
	struct xf_vmi_sock *first = arg;

	if (!first->sk)
		*first = *s;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The header: xf_vmi_init() refuses anything else there outright. */
	const size_t head = offsetof(struct xf_profile, size) + sizeof(hdr.prof.size);
	struct xf_profile prof = pristine;
	uint8_t *bytes = (uint8_t *)&prof;
	struct xf_vmi_sock first = { 0 }, s;
	struct xf_vmi_tuple t;
	struct xf_vmi_proc p;
	struct xf_vmi v;
	size_t i;

	if (!size)
		return 0;
	for (i = 1; i + 4 <= size; i += 4) {
		const size_t words = (sizeof(prof) - head) / 4;
		uint16_t where;
		uint32_t w;
		uint8_t *at;

		memcpy(&where, data + i, 2);
		at = bytes + head + (where % words) * 4;
		memcpy(&w, at, 4);
		switch (data[i + 2] & 3) {
		case 0: w = XF_MEMBER_ABSENT; break;
		case 1: w = data[i + 3]; break;
		case 2: w += (int8_t)data[i + 3]; break;
		case 3: w ^= (uint32_t)data[i + 3] << (8 * (data[i + 2] >> 6)); break;
		}
		memcpy(at, &w, 4);
	}
	if (xf_vmi_init(&v, &prof, vmi_snap_read, NULL, hdr.slide, NULL))
		return 0;	/* refused: nothing to walk */
	v.lim.max_reads = READ_BUDGET;
	v.lim.max_tasks = 4096;
	v.lim.max_fds = 4096;
	reads = 0;
	xf_vmi_walk(&v, on_proc, on_sock, &first);
	if (reads > READ_BUDGET + 1)
		abort();
	memset(&t, 0, sizeof(t));
	t.family = first.family ? first.family : 4;
	t.proto = data[0] & 1 ? 17 : 6;
	t.lport = first.lport;
	t.rport = first.rport;
	memcpy(t.laddr, first.laddr, 16);
	memcpy(t.raddr, first.raddr, 16);
	reads = 0;
	if (xf_vmi_sock_lookup(&v, &t, &s) == 0 && s.file) {
		reads = 0;
		xf_vmi_file_owner(&v, s.file, 0, -1, &p, NULL);
	}
	if (reads > READ_BUDGET + 1)
		abort();
	return 0;
}
