/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One introspection session: a memory backend (core file or live Xen
 * domain), the guest kernel's profile (built from its image on the fly, or
 * loaded) and the walker set up over both with the KASLR slide found.
 * Shared by `xfctl ps`, xfilterd, the tests and the benchmark.
 */
#ifndef XF_USER_GUEST_H
#define XF_USER_GUEST_H

#include "mem.h"
#include "profile.h"
#include "vmi.h"

struct xf_guest_src {
	const char *kernel;	/* vmlinuz, vmlinux or raw BTF */
	const char *system_map;	/* optional */
	const char *profile;	/* a built profile instead of kernel */
};

struct xf_guest {
	struct xf_mem *mem;
	struct xf_profile prof;
	struct xf_profile_path path;	/* magic 0: no exe paths */
	struct xf_vmi vmi;
	uint64_t slide;
};

/* Errors: one line naming the file or token at fault in err. */
int xf_guest_load_profile(const struct xf_guest_src *src, struct xf_profile *p,
			  struct xf_profile_path *x, char *err, size_t errlen);
/* After xf_vmi_init(): hands x to the walker if it has path members. */
void xf_guest_set_path(struct xf_vmi *v, const struct xf_profile_path *x);
int xf_guest_open_core(struct xf_guest *g, const char *core,
		       const struct xf_guest_src *src, char *err, size_t errlen);
int xf_guest_open_xen(struct xf_guest *g, uint32_t domid,
		      const struct xf_guest_src *src, char *err, size_t errlen);
void xf_guest_close(struct xf_guest *g);

#endif /* XF_USER_GUEST_H */
