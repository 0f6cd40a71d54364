// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl ps: a guest's processes and their inet sockets, read from outside.
 *
 *	xfctl [-j] [-p] ps DOMAIN [--kernel K] [--system-map M] [--profile P]
 *	xfctl [-j] [-p] ps --core FILE [--kernel K] [--system-map M] [--profile P]
 *
 * DOMAIN is a domid, name or UUID (xenstore). The guest kernel's profile is
 * built on the fly from its image (--kernel: vmlinuz, vmlinux or raw BTF),
 * or loaded (--profile); for a live domain the kernel defaults to the one
 * its libxl config booted. JSON (-j) is one array, one object per process,
 * in the schema of docs (design brief): pid, tgid, ppid, uid, gid, euid,
 * comm, exe (when known; exe_truncated when cut), sockets[{fd, family,
 * proto, state, laddr, lport, raddr, rport}].
 */
#include <arpa/inet.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"
#include "json.h"
#include "rule_text.h"
#include "xfctl.h"

#define PS_RETRIES 20		/* tasklist_lock held: retry this often */

struct ps_proc {
	struct xf_vmi_proc p;
	struct xf_vmi_sock *socks;
	size_t nsocks, cap;
};

struct ps_list {
	struct ps_proc *v;
	size_t n, cap;
	bool oom;
	struct xf_vmi *vmi;	/* to read each process's exe */
};

static int ps_on_proc(void *arg, const struct xf_vmi_proc *p)
{
	struct ps_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct ps_proc *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->oom = true;
			return 1;
		}
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	l->v[l->n].p = *p;
	/* Read now, while the walk's view holds; none for kernel threads. */
	if (l->vmi && !p->kthread)
		xf_vmi_exe(l->vmi, p->task, &l->v[l->n].p.owner);
	l->n++;
	return 0;
}

static int ps_on_sock(void *arg, const struct xf_vmi_proc *p,
		      const struct xf_vmi_sock *s)
{
	struct ps_list *l = arg;
	struct ps_proc *pp = &l->v[l->n - 1];

	if (pp->nsocks == pp->cap) {
		size_t cap = pp->cap ? 2 * pp->cap : 8;
		struct xf_vmi_sock *v = realloc(pp->socks, cap * sizeof(*v));

		if (!v) {
			l->oom = true;
			return 1;
		}
		pp->socks = v;
		pp->cap = cap;
	}
	pp->socks[pp->nsocks++] = *s;
	return 0;
}

static void ps_list_free(struct ps_list *l)
{
	struct xf_vmi *vmi = l->vmi;
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].socks);
	free(l->v);
	memset(l, 0, sizeof(*l));
	l->vmi = vmi;
}

static int cmp_proc(const void *a, const void *b)
{
	const struct ps_proc *x = a, *y = b;

	return x->p.owner.tgid < y->p.owner.tgid ? -1 :
	       x->p.owner.tgid > y->p.owner.tgid;
}

static int cmp_sock(const void *a, const void *b)
{
	const struct xf_vmi_sock *x = a, *y = b;

	return x->fd - y->fd;
}

static void addr_str(const struct xf_vmi_sock *s, const uint8_t *a, char *buf,
		     size_t len)
{
	inet_ntop(s->family == 6 ? AF_INET6 : AF_INET, a, buf, len);
}

/* ---- JSON ---------------------------------------------------------------- */

/* comm and exe are guest bytes: the one JSON string writer (json.h). */
static void json_str(FILE *f, const char *s, size_t max)
{
	xf_json_strn(f, s, strnlen(s, max));
}

static void ps_print_json(FILE *f, const struct ps_list *l, bool pretty)
{
	const char *nl = pretty ? "\n" : "", *i1 = pretty ? "  " : "",
		   *i2 = pretty ? "    " : "", *i3 = pretty ? "      " : "",
		   *sp = pretty ? " " : "";
	size_t i, j;

	fprintf(f, "[%s", nl);
	for (i = 0; i < l->n; i++) {
		const struct ps_proc *pp = &l->v[i];
		const struct xf_owner *o = &pp->p.owner;

		fprintf(f, "%s{%s%s\"pid\":%s%u,%s%s\"tgid\":%s%u,%s%s\"ppid\":%s%u,%s",
			i1, nl, i2, sp, o->pid, nl, i2, sp, o->tgid, nl, i2, sp,
			o->ppid, nl);
		fprintf(f, "%s\"uid\":%s%u,%s%s\"gid\":%s%u,%s%s\"euid\":%s%u,%s%s\"comm\":%s",
			i2, sp, o->uid, nl, i2, sp, o->gid, nl, i2, sp, o->euid, nl,
			i2, sp);
		json_str(f, o->comm, XF_COMM_LEN);
		if (o->flags & XF_OWNER_F_EXE) {
			fprintf(f, ",%s%s\"exe\":%s", nl, i2, sp);
			json_str(f, o->exe, XF_EXE_LEN);
			if (o->flags & XF_OWNER_F_EXE_TRUNC)
				fprintf(f, ",%s%s\"exe_truncated\":%strue", nl,
					i2, sp);
		}
		fprintf(f, ",%s%s\"sockets\":%s[", nl, i2, sp);
		for (j = 0; j < pp->nsocks; j++) {
			const struct xf_vmi_sock *s = &pp->socks[j];
			char la[INET6_ADDRSTRLEN], ra[INET6_ADDRSTRLEN];

			addr_str(s, s->laddr, la, sizeof(la));
			addr_str(s, s->raddr, ra, sizeof(ra));
			fprintf(f, "%s%s%s{\"fd\":%s%d,%s\"family\":%s\"%s\",%s\"proto\":%s\"%s\",%s"
				"\"state\":%s\"%s\",%s\"laddr\":%s\"%s\",%s\"lport\":%s%u,%s"
				"\"raddr\":%s\"%s\",%s\"rport\":%s%u}",
				j ? "," : "", nl, i3, sp, s->fd, sp, sp,
				s->family == 6 ? "inet6" : "inet", sp, sp,
				s->proto == 6 ? "tcp" : "udp", sp, sp,
				xf_vmi_state_name(s->state), sp, sp, la, sp, sp,
				s->lport, sp, sp, ra, sp, sp, s->rport);
		}
		fprintf(f, "%s%s]%s%s}%s%s", pp->nsocks ? nl : "",
			pp->nsocks ? i2 : "", nl, i1, i + 1 < l->n ? "," : "", nl);
	}
	fprintf(f, "]\n");
}

/* ---- table ----------------------------------------------------------------- */

static void endpoint(const struct xf_vmi_sock *s, const uint8_t *a,
		     uint16_t port, char *buf, size_t len)
{
	char ab[INET6_ADDRSTRLEN];

	addr_str(s, a, ab, sizeof(ab));
	snprintf(buf, len, s->family == 6 ? "[%s]:%u" : "%s:%u", ab, port);
}

/* exe for the table: the text escaper, "..." before a truncated one. */
static void exe_str(const struct xf_owner *o, char *buf, size_t len)
{
	size_t j = 0;

	buf[0] = 0;
	if (!(o->flags & XF_OWNER_F_EXE))
		return;
	if (o->flags & XF_OWNER_F_EXE_TRUNC)
		j = (size_t)snprintf(buf, len, "...");
	xf_text_quote(o->exe, strnlen(o->exe, XF_EXE_LEN), buf + j, len - j);
}

static void ps_print_table(FILE *f, const struct ps_list *l)
{
	size_t i, j, nsocks = 0;

	fprintf(f, "%7s %7s %6s %6s %6s %-15s %4s %-5s %-11s %-24s %-24s %s\n",
		"PID", "PPID", "UID", "EUID", "GID", "COMM", "FD", "PROTO",
		"STATE", "LOCAL", "REMOTE", "EXE");
	for (i = 0; i < l->n; i++) {
		const struct ps_proc *pp = &l->v[i];
		const struct xf_owner *o = &pp->p.owner;
		char comm[XF_TEXT_QUOTE_MAX(XF_COMM_LEN)];
		char exe[XF_TEXT_QUOTE_MAX(XF_EXE_LEN) + 3];

		exe_str(o, exe, sizeof(exe));
		xf_text_quote(o->comm, strnlen(o->comm, XF_COMM_LEN), comm,
			      sizeof(comm));
		fprintf(f, "%7u %7u %6u %6u %6u %-15s", o->tgid, o->ppid, o->uid,
			o->euid, o->gid, comm);
		if (!pp->nsocks)
			fprintf(f, "%*s%s\n", exe[0] ? 1 + 4 + 1 + 5 + 1 + 11 + 1 +
				24 + 1 + 24 + 1 : 0, "", exe);
		for (j = 0; j < pp->nsocks; j++) {
			const struct xf_vmi_sock *s = &pp->socks[j];
			char la[64], ra[64];

			endpoint(s, s->laddr, s->lport, la, sizeof(la));
			endpoint(s, s->raddr, s->rport, ra, sizeof(ra));
			if (j)
				fprintf(f, "%*s", 7 + 1 + 7 + 1 + 6 + 1 + 6 + 1 + 6 + 1 + 15, "");
			fprintf(f, " %4d %-5s %-11s %-24s ", s->fd,
				s->proto == 6 ? (s->family == 6 ? "tcp6" : "tcp") :
				(s->family == 6 ? "udp6" : "udp"),
				xf_vmi_state_name(s->state), la);
			if (!j && exe[0])
				fprintf(f, "%-24s %s\n", ra, exe);
			else
				fprintf(f, "%s\n", ra);
		}
		nsocks += pp->nsocks;
	}
	fprintf(f, "%zu processes, %zu inet sockets\n", l->n, nsocks);
}

/* ---- driver ---------------------------------------------------------------- */

static int ps_walk(struct xf_guest *g, struct ps_list *l)
{
	int r = XF_VMI_EAGAIN, tries;

	for (tries = 0; tries < PS_RETRIES && r == XF_VMI_EAGAIN; tries++) {
		if (tries)
			usleep(1000 << (tries < 6 ? tries : 6));
		ps_list_free(l);
		l->vmi = &g->vmi;
		xf_mem_tlb_flush(g->mem);	/* a live guest remaps */
		r = xf_vmi_walk(&g->vmi, ps_on_proc, ps_on_sock, l);
	}
	if (l->oom) {
		xfctl_err("out of memory");
		return -1;
	}
	if (r) {
		xfctl_err("walking the guest's task list: %s%s", xf_vmi_strerror(r),
			  r == XF_VMI_EAGAIN ? " (gave up)" : "");
		return -1;
	}
	return 0;
}

/* A dump is what it is: a lock held at dump time is reported, not retried. */
static int ps_walk_dump(struct xf_guest *g, struct ps_list *l)
{
	int r;

	l->vmi = &g->vmi;
	r = xf_vmi_walk(&g->vmi, ps_on_proc, ps_on_sock, l);

	if (r == XF_VMI_EAGAIN) {
		fprintf(stderr, "xfctl: warning: the dump was taken while the guest held tasklist_lock for write; the list may be inconsistent\n");
		ps_list_free(l);
		g->vmi.ignore_tasklist_lock = true;
		r = xf_vmi_walk(&g->vmi, ps_on_proc, ps_on_sock, l);
	}
	if (l->oom) {
		xfctl_err("out of memory");
		return -1;
	}
	if (r) {
		xfctl_err("walking the guest's task list: %s", xf_vmi_strerror(r));
		return -1;
	}
	return 0;
}

/* The kernel a live domain booted, from libxl's saved config. */
static char *ps_domain_kernel(uint32_t domid)
{
	char pat[96], *buf = NULL, *k, *end, *res = NULL;
	glob_t gl;
	FILE *f;
	long len;

	snprintf(pat, sizeof(pat), "/var/lib/xen/userdata-d.%u.*.libxl-json", domid);
	if (glob(pat, 0, NULL, &gl) || gl.gl_pathc < 1)
		return NULL;
	f = fopen(gl.gl_pathv[0], "r");
	globfree(&gl);
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && len < (1 << 24) &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = calloc(1, len + 1)) &&
	    fread(buf, 1, len, f) == (size_t)len &&
	    (k = strstr(buf, "\"kernel\": \"")) &&
	    (end = strchr(k + 11, '"')) && end > k + 11) {
		*end = 0;
		res = strdup(k + 11);
	}
	free(buf);
	fclose(f);
	return res;
}

static void ps_usage(FILE *f)
{
	fprintf(f,
		"Usage: xfctl [-j] [-p] ps DOMAIN [--kernel K] [--system-map M] [--profile P]\n"
		"       xfctl [-j] [-p] ps --core FILE [--kernel K] [--system-map M] [--profile P]\n"
		"  DOMAIN  a domid, domain name or UUID\n"
		"  K       the guest's kernel: vmlinuz, vmlinux or raw BTF\n");
}

int cmd_ps(int argc, char **argv)
{
	struct xf_guest_src src = { 0 };
	const char *core = NULL, *domain = NULL;
	char err[1024] = "", *kernel_alloc = NULL;
	struct ps_list l = { 0 };
	struct xf_guest g;
	int i, ret = 1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;

		if (!strcmp(a, "--core"))
			slot = &core;
		else if (!strcmp(a, "--kernel"))
			slot = &src.kernel;
		else if (!strcmp(a, "--system-map"))
			slot = &src.system_map;
		else if (!strcmp(a, "--profile"))
			slot = &src.profile;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help")) {
			ps_usage(stdout);
			return 0;
		} else if (a[0] == '-') {
			xfctl_err("ps: unknown option '%s'", a);
			ps_usage(stderr);
			return 2;
		} else if (!domain) {
			domain = a;
			continue;
		} else {
			xfctl_err("ps: unexpected argument '%s'", a);
			return 2;
		}
		if (i + 1 >= argc) {
			xfctl_err("ps: '%s' needs a value", a);
			return 2;
		}
		*slot = argv[++i];
	}
	if (!!core == !!domain) {
		xfctl_err(core ? "ps: give either DOMAIN or --core FILE, not both" :
			  "ps: which guest? give DOMAIN or --core FILE");
		ps_usage(stderr);
		return 2;
	}
	if (core) {
		if (xf_guest_open_core(&g, core, &src, err, sizeof(err))) {
			xfctl_err("ps: %s", err);
			return 1;
		}
	} else {
		uint32_t domid;

		if (xf_xen_resolve_domain(domain, &domid, err, sizeof(err))) {
			xfctl_err("ps: %s", err);
			return 1;
		}
		if (!src.kernel && !src.profile) {
			src.kernel = kernel_alloc = ps_domain_kernel(domid);
			if (!src.kernel) {
				xfctl_err("ps: domain '%s' (id %u): its kernel is not known from libxl's config; give --kernel or --profile",
					  domain, domid);
				return 1;
			}
		}
		if (xf_guest_open_xen(&g, domid, &src, err, sizeof(err))) {
			xfctl_err("ps: domain '%s' (id %u): %s", domain, domid, err);
			free(kernel_alloc);
			return 1;
		}
	}
	if ((core ? ps_walk_dump(&g, &l) : ps_walk(&g, &l)) == 0) {
		size_t k;

		qsort(l.v, l.n, sizeof(*l.v), cmp_proc);
		for (k = 0; k < l.n; k++)
			if (l.v[k].nsocks)	/* socks is NULL then: no qsort(NULL) */
				qsort(l.v[k].socks, l.v[k].nsocks, sizeof(*l.v[k].socks), cmp_sock);
		if (xfctl_opts.json)
			ps_print_json(stdout, &l, xfctl_opts.pretty);
		else
			ps_print_table(stdout, &l);
		ret = 0;
	}
	ps_list_free(&l);
	xf_guest_close(&g);
	free(kernel_alloc);
	return ret;
}
