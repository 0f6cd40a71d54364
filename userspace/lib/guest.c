// SPDX-License-Identifier: GPL-2.0
/*
 * Sets up an introspection session (see guest.h). The order matters: the
 * profile first (it names the banner to look for), then the backend, then
 * the KASLR search over the backend's page-table roots, and only then the
 * walker, with the slide it needs.
 */
#include <stdio.h>
#include <string.h>

#include "guest.h"

int xf_guest_load_profile(const struct xf_guest_src *src, struct xf_profile *p,
			  struct xf_profile_path *x, char *err, size_t errlen)
{
	struct xf_profile_src ps = { 0 };
	struct xf_perr e = { "" };

	if (src->profile) {
		if (xf_profile_read(src->profile, p, x, &e)) {
			snprintf(err, errlen, "%s", e.msg);
			return -1;
		}
		return 0;
	}
	if (!src->kernel) {
		snprintf(err, errlen, "no guest kernel: give --kernel VMLINUZ|VMLINUX|BTF or --profile FILE");
		return -1;
	}
	ps.kernel = src->kernel;
	ps.system_map = src->system_map;
	if (xf_profile_build(&ps, p, x, &e)) {
		snprintf(err, errlen, "%s", e.msg);
		return -1;
	}
	return 0;
}

static int guest_finish(struct xf_guest *g, char *err, size_t errlen)
{
	const char *why = NULL;
	int r;

	if (xf_mem_find_slide(g->mem, &g->prof, &g->slide, err, errlen))
		return -1;
	r = xf_vmi_init(&g->vmi, &g->prof, xf_mem_read, g->mem, g->slide, &why);
	if (r) {
		snprintf(err, errlen, "walker: %s%s%s", xf_vmi_strerror(r),
			 why ? ": " : "", why ? why : "");
		return -1;
	}
	xf_guest_set_path(&g->vmi, &g->path);
	return 0;
}

void xf_guest_set_path(struct xf_vmi *v, const struct xf_profile_path *x)
{
	/* A path profile that does not fit only costs exe paths. */
	if (x->magic)
		xf_vmi_set_path(v, x, NULL);
}

int xf_guest_open_core(struct xf_guest *g, const char *core,
		       const struct xf_guest_src *src, char *err, size_t errlen)
{
	memset(g, 0, sizeof(*g));
	if (xf_mem_core_open(core, &g->mem, err, errlen))
		return -1;
	if (xf_guest_load_profile(src, &g->prof, &g->path, err, errlen) ||
	    guest_finish(g, err, errlen)) {
		xf_guest_close(g);
		return -1;
	}
	return 0;
}

int xf_guest_open_xen(struct xf_guest *g, uint32_t domid,
		      const struct xf_guest_src *src, char *err, size_t errlen)
{
	memset(g, 0, sizeof(*g));
	if (xf_mem_xen_open(domid, &g->mem, err, errlen))
		return -1;
	if (xf_guest_load_profile(src, &g->prof, &g->path, err, errlen) ||
	    guest_finish(g, err, errlen)) {
		xf_guest_close(g);
		return -1;
	}
	return 0;
}

void xf_guest_close(struct xf_guest *g)
{
	if (g->mem)
		xf_mem_close(g->mem);
	g->mem = NULL;
}
