/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A made-up guest's kernel memory for the walker's unit tests: MEMSZ bytes
 * mapped at BASE, filled with put*(), read by the walker through rd()
 * (which counts reads and refuses anything outside the image).
 */
#ifndef XF_TESTS_GUEST_MEM_H
#define XF_TESTS_GUEST_MEM_H

#include <stdint.h>
#include <string.h>

#include "vmi.h"

#define BASE 0xffff888000000000ULL
#define MEMSZ (1U << 20)

static uint8_t mem[MEMSZ];
static uint64_t reads;

static inline int rd(void *ctx, uint64_t va, void *buf, uint32_t len)
{
	reads++;
	if (va < BASE || va - BASE > MEMSZ || len > MEMSZ - (va - BASE))
		return -1;
	memcpy(buf, mem + (va - BASE), len);
	return 0;
}

static inline void put(uint64_t va, const void *v, uint32_t len)
{
	memcpy(mem + (va - BASE), v, len);
}

static inline void put64(uint64_t va, uint64_t v) { put(va, &v, 8); }
static inline void put32(uint64_t va, uint32_t v) { put(va, &v, 4); }
static inline void put16(uint64_t va, uint16_t v) { put(va, &v, 2); }

#define M(o, s) ((struct xf_member){ (o), (s), 0, 0 })

#endif /* XF_TESTS_GUEST_MEM_H */
