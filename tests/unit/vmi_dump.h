/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the dump-based walker tests and the benchmark: open a dump made
 * by scripts/make-dump.sh (DIR/core, DIR/kernel) and collect a full walk
 * into arrays.
 */
#ifndef XF_TEST_VMI_DUMP_H
#define XF_TEST_VMI_DUMP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"

struct dump_sock {
	struct xf_vmi_sock s;
	uint32_t tgid;
};

struct dump_walk {
	struct xf_vmi_proc *procs;
	size_t nprocs, capp;
	struct dump_sock *socks;
	size_t nsocks, caps;
};

static int dump_on_proc(void *arg, const struct xf_vmi_proc *p)
{
	struct dump_walk *w = arg;

	if (w->nprocs == w->capp) {
		w->capp = w->capp ? 2 * w->capp : 256;
		w->procs = realloc(w->procs, w->capp * sizeof(*w->procs));
	}
	w->procs[w->nprocs++] = *p;
	return 0;
}

static int dump_on_sock(void *arg, const struct xf_vmi_proc *p,
			const struct xf_vmi_sock *s)
{
	struct dump_walk *w = arg;

	if (w->nsocks == w->caps) {
		w->caps = w->caps ? 2 * w->caps : 1024;
		w->socks = realloc(w->socks, w->caps * sizeof(*w->socks));
	}
	w->socks[w->nsocks].s = *s;
	w->socks[w->nsocks++].tgid = p->owner.tgid;
	return 0;
}

static void dump_walk_free(struct dump_walk *w)
{
	free(w->procs);
	free(w->socks);
	memset(w, 0, sizeof(*w));
}

/* dir: a make-dump.sh output directory; $XF_PROFILE, if set, a profile
 * to use instead of building one from the kernel. 0 or prints why not. */
static int dump_open(struct xf_guest *g, const char *dir)
{
	char core[4096], kfile[4096], kernel[4096] = "", err[1024];
	struct xf_guest_src src = { 0 };
	FILE *f;

	snprintf(core, sizeof(core), "%s/core", dir);
	snprintf(kfile, sizeof(kfile), "%s/kernel", dir);
	f = fopen(kfile, "r");
	if (!f)
		return -1;
	if (!fgets(kernel, sizeof(kernel), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	kernel[strcspn(kernel, "\n")] = 0;
	src.kernel = kernel;
	/* A prebuilt profile (xfctl profile build) saves a second under
	 * valgrind. */
	src.profile = getenv("XF_PROFILE");
	if (xf_guest_open_core(g, core, &src, err, sizeof(err))) {
		printf("# %s\n", err);
		return -1;
	}
	return 0;
}

static void dump_tuple(const struct xf_vmi_sock *s, struct xf_vmi_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = s->family;
	t->proto = s->proto;
	t->lport = s->lport;
	t->rport = s->rport;
	memcpy(t->laddr, s->laddr, 16);
	memcpy(t->raddr, s->raddr, 16);
}

#endif /* XF_TEST_VMI_DUMP_H */
