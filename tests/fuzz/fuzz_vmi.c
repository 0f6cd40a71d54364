// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the guest-kernel walker: a real guest's pages
 * (vmi_snapshot.h, path in $XF_VMI_SNAPSHOT) with the input's bytes
 * xor-ed into them, then a full walk, a hash-table lookup and an owner
 * search over the damaged memory. The point is what a hostile guest can
 * do: no crash, no sanitizer report, no hang (each call has a read budget
 * the harness also checks).
 *
 * Input: byte 0 picks the lookup's tuple; then 6-byte records
 * { u32 where, u8 xor, u8 span }: where picks one of the byte ranges the
 * walker read on the real dump (and a byte in it), so mutations land in
 * task_structs, fd arrays, socks and hash chains rather than in unread
 * bytes; span consecutive bytes get the xor, so pointers move wholesale.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmi.h"
#include "snapshot.h"

#define READ_BUDGET 400000
#define MAX_EDITS 512

static uint8_t *pristine;
static size_t total;

/* Byte offset in pages[] of a byte the walker read; see the header. */
static uint32_t snap_offset(uint32_t where)
{
	const struct vmi_snap_range *r = &ranges[where % hdr.nranges];
	uint64_t va = r->va + (where / hdr.nranges) % r->len;
	uint64_t pva = va & ~(uint64_t)(VMI_SNAP_PAGE - 1);
	size_t lo = 0, hi = hdr.npages;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pages[mid].va < pva)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == hdr.npages || pages[lo].va != pva)
		return 8;	/* the first data byte: harmless */
	return lo * sizeof(*pages) + 8 + (va - pva);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	vmi_snap_load("fuzz_vmi");
	total = (size_t)hdr.npages * sizeof(*pages);
	pristine = malloc(total);
	memcpy(pristine, pages, total);
	return 0;
}

struct count {
	uint32_t procs, socks;
	struct xf_vmi_sock first;
	struct xf_vmi *v;
};

/* xf_vmi_exe() has a budget of its own (core/vmi_exe.c VMI_EXE_READS). */
#define EXE_READS 1024

static int on_proc(void *arg, const struct xf_vmi_proc *p)
{
	struct count *c = arg;

	struct xf_owner o = p->owner;
	uint64_t outer = reads;

	/* Touch what the walker promised: comm is terminated. */
	if (memchr(p->owner.comm, 0, sizeof(p->owner.comm)) == NULL)
		abort();
	/* exe: terminated, absolute unless cut, within its own budget, and
	 * the walk's budget untouched. */
	reads = 0;
	if (xf_vmi_exe(c->v, p->task, &o) == 0) {
		size_t len = strnlen(o.exe, sizeof(o.exe));

		if (len == sizeof(o.exe) || !(o.flags & XF_OWNER_F_EXE) ||
		    (!(o.flags & XF_OWNER_F_EXE_TRUNC) && o.exe[0] != '/') ||
		    (len && o.exe[0] != '/'))
			abort();
	} else if (o.flags & (XF_OWNER_F_EXE | XF_OWNER_F_EXE_TRUNC) || o.exe[0]) {
		abort();
	}
	if (reads > EXE_READS + 1)
		abort();
	reads = outer;
	c->procs++;
	return 0;
}

static int on_sock(void *arg, const struct xf_vmi_proc *p,
		   const struct xf_vmi_sock *s)
{
	struct count *c = arg;

	if (c->socks++ == (uint32_t)(s->lport % 7))
		c->first = *s;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t edits[MAX_EDITS][2];
	size_t nedits = 0, i;
	struct count c = { 0 };
	struct xf_vmi v;
	struct xf_vmi_tuple t;
	struct xf_vmi_sock s;
	struct xf_vmi_proc p;
	uint8_t *bytes = (uint8_t *)pages;

	if (!size)
		return 0;
	/* Mutate only the page data, never the va keys of the index. */
	for (i = 1; i + 6 <= size && nedits < MAX_EDITS; i += 6) {
		uint32_t off;
		size_t k, span = data[i + 5] % 16 + 1;

		memcpy(&off, data + i, 4);
		off = snap_offset(off);
		for (k = 0; k < span && off + k < total &&
		     (off + k) % sizeof(*pages) >= 8; k++)
			bytes[off + k] ^= data[i + 4];
		edits[nedits][0] = off;
		edits[nedits++][1] = k;
	}
	if (xf_vmi_init(&v, &hdr.prof, vmi_snap_read, NULL, hdr.slide, NULL))
		abort();	/* the profile is untouched: must pass */
	if (hdr.path.magic && xf_vmi_set_path(&v, &hdr.path, NULL))
		abort();
	c.v = &v;
	v.lim.max_reads = READ_BUDGET;
	v.lim.max_tasks = 8192;
	v.lim.max_fds = 8192;
	reads = 0;
	xf_vmi_walk(&v, on_proc, on_sock, &c);
	if (reads > READ_BUDGET + 1)
		abort();	/* the budget did not hold */
	memset(&t, 0, sizeof(t));
	t.family = c.first.family ? c.first.family : 4;
	t.proto = data[0] & 1 ? 17 : 6;
	t.lport = c.first.lport ^ (data[0] >> 4);
	t.rport = c.first.rport;
	memcpy(t.laddr, c.first.laddr, 16);
	memcpy(t.raddr, c.first.raddr, 16);
	reads = 0;
	if (xf_vmi_sock_lookup(&v, &t, &s) == 0 && s.file) {
		reads = 0;
		xf_vmi_file_owner(&v, s.file, data[0] & 2 ? c.first.sk : 0,
				  data[0] >> 2, &p, NULL);
		if (reads > READ_BUDGET + 1)
			abort();
		/* The owner from the socket: creds, cgroup, task if asked. */
		reads = 0;
		if (xf_vmi_owner(&v, &s, data[0] & 8 ? 1U << 9 : 0,
				 data[0] & 2 ? c.first.sk : 0, data[0] >> 2, &p,
				 NULL) == 0 &&
		    (p.owner.flags & XF_OWNER_F_CGROUP) &&
		    !memchr(p.owner.cgroup, 0, sizeof(p.owner.cgroup)))
			abort();	/* an unterminated cgroup path */
	}
	if (reads > READ_BUDGET + 1)
		abort();
	/* Restore the pristine guest for the next input. */
	for (i = 0; i < nedits; i++)
		memcpy(bytes + edits[i][0], pristine + edits[i][0], edits[i][1]);
	return 0;
}
