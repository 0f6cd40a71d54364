// SPDX-License-Identifier: GPL-2.0
/*
 * Who sent each flow of a batch, read from the guest kernel.
 *
 * Fast path per flow: the guest's own socket hash tables give the struct
 * sock of the 5-tuple; its owner is read from the socket itself (the
 * file's f_cred and the socket's cgroup, a constant number of reads), and
 * a process holding its file from a hint (the last process seen with that
 * file) or a search of the open-fd bitmaps, the socket's uid first
 * (xf_vmi_owner(), core/vmi.h). The
 * slow path is one full walk of every process and socket, done at most
 * once per batch and shared by every flow still unattributed: that is the
 * batch's consistent view. A flow neither finds (a hidden process, a socket
 * already closed, a raw socket, a walk that ran out of time) goes back
 * without an owner and gets its domain's unattributed policy.
 *
 * Everything read is the guest's; the walker bounds and checks it. Time is
 * bounded here: the batch has a deadline, tasklist_lock retries stop at it.
 */
#include <string.h>
#include <unistd.h>

#include "flow.h"
#include "rule.h"
#include "xfilterd.h"

#define XFD_EAGAIN_TRIES 5

/* The session still reads this guest's kernel (its banner is in place)? */
static bool session_ok(struct xf_guest *g)
{
	char buf[64];
	uint32_t n = g->prof.banner_len < sizeof(buf) ? g->prof.banner_len :
		     sizeof(buf);

	if (!n || !g->prof.sym.linux_banner)
		return true;
	if (xf_mem_read(g->mem, g->prof.sym.linux_banner + g->slide, buf, n))
		return false;
	return !memcmp(buf, g->prof.banner, n);
}

/*
 * The page-table root was the CR3 of whatever ran when we opened the
 * session; once that process is gone its page tables may be reused. Open
 * the memory again (fresh CR3s), keep the profile.
 */
static int session_reopen(struct xfd_dom *d)
{
	struct xf_guest *g = d->g;
	struct xf_mem *m;
	const char *why = NULL;
	char err[256];
	uint64_t slide;

	if (xf_mem_xen_open(d->domid, &m, err, sizeof(err)))
		goto fail;
	if (xf_mem_find_slide(m, &g->prof, &slide, err, sizeof(err)) ||
	    xf_vmi_init(&g->vmi, &g->prof, xf_mem_read, m, slide, &why)) {
		xf_mem_close(m);
		goto fail;
	}
	xf_guest_set_path(&g->vmi, &g->path);
	xf_mem_close(g->mem);
	g->mem = m;
	g->slide = slide;
	xfd_info("domain %u: page-table root went stale, reopened", d->domid);
	return 0;
fail:
	xfd_warn("domain %u: reopening guest memory: %s", d->domid,
		 why ? why : err);
	return -1;
}

static struct xfd_hint *hint_slot(struct xfd_dom *d, uint64_t file)
{
	return &d->hints[(file >> 6) % XFD_HINTS];
}

/*
 * The rule fields xfilterd asks the walker for. The module matches the
 * rules, not us, so we cannot tell whether any needs the task: ask for it
 * always (monitor and ps show pid and comm too). The credentials and the
 * cgroup come from the socket either way; a task not found only leaves
 * XF_OWNER_F_TASK clear.
 */
#define XFD_NEED (XF_RF_SOCKET | XF_RF_TASK)

static int fast_lookup(struct xfd_dom *d, struct xfd_flow *f)
{
	struct xf_vmi *v = &d->g->vmi;
	struct xf_vmi_tuple t = {
		.family = f->family, .proto = f->proto,
		.lport = f->sport, .rport = f->dport,
	};
	struct xf_vmi_sock s;
	struct xf_vmi_proc p;
	struct xfd_hint *h;
	int32_t fd = -1;
	int r;

	memcpy(t.laddr, f->saddr, 16);
	memcpy(t.raddr, f->daddr, 16);
	r = xf_vmi_sock_lookup(v, &t, &s);
	if (r)
		return r;
	if (!s.file)
		return XF_VMI_ENOENT;
	h = hint_slot(d, s.file);
	r = xf_vmi_owner(v, &s, XFD_NEED, h->file == s.file ? h->task : 0,
			 h->file == s.file ? h->fd : -1, &p, &fd);
	if (r)
		return r;
	f->owner = p.owner;
	f->attributed = true;
	if (!(p.owner.flags & XF_OWNER_F_TASK))
		return 0;
	h->file = s.file;
	h->task = p.task;
	h->fd = fd;
	/* No exe (a kernel without the members, a path we cannot vouch
	 * for) only means no exe rule matches this owner. */
	xf_vmi_exe(v, p.task, &f->owner);
	return 0;
}

/* ---- the slow path: one walk for the whole batch -------------------------- */

struct walk {
	struct xfd_flow *f;
	int n;
	uint8_t score[256];	/* best match so far per flow */
	bool tie[256];		/* another user's socket matched as well */
	uint64_t task[256];	/* its process, for the exe */
	struct xf_vmi_sock sock[256];	/* its socket, for the creds */
};

static bool is_zero(const uint8_t *a, int len)
{
	while (len--)
		if (*a++)
			return false;
	return true;
}

/* a (of family fam) names the IPv4/IPv6 address want of family wfam. */
static bool addr_eq(uint8_t fam, const uint8_t *a, uint8_t wfam,
		    const uint8_t *want)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (fam == wfam)
		return !memcmp(a, want, fam == XF_AF_INET6 ? 16 : 4);
	/* An IPv6 socket sending IPv4 uses a v4-mapped address. */
	return fam == XF_AF_INET6 && wfam == XF_AF_INET &&
	       !memcmp(a, mapped, 12) && !memcmp(a + 12, want, 4);
}

/* 3: connected to exactly this peer, 1: bound and unconnected, 0: no. */
static int sock_score(const struct xf_vmi_sock *s, const struct xfd_flow *f)
{
	int alen = s->family == XF_AF_INET6 ? 16 : 4;

	if (s->proto != f->proto || s->lport != f->sport)
		return 0;
	if (s->family != f->family &&
	    !(s->family == XF_AF_INET6 && f->family == XF_AF_INET))
		return 0;
	if (!is_zero(s->laddr, alen) &&
	    !addr_eq(s->family, s->laddr, f->family, f->saddr))
		return 0;
	if (s->rport == 0 && is_zero(s->raddr, alen))
		return 1;
	if (s->rport == f->dport &&
	    addr_eq(s->family, s->raddr, f->family, f->daddr))
		return 3;
	return 0;
}

static int walk_sock(void *arg, const struct xf_vmi_proc *p,
		     const struct xf_vmi_sock *s)
{
	struct walk *w = arg;
	int i, sc;

	for (i = 0; i < w->n; i++) {
		if (w->score[i] >= 3)
			continue;
		sc = sock_score(s, &w->f[i]);
		if (sc > w->score[i]) {
			w->score[i] = sc;
			w->tie[i] = false;
			w->f[i].owner = p->owner;
			w->task[i] = p->task;
			w->sock[i] = *s;
		} else if (sc && sc == w->score[i] && s->sk != w->sock[i].sk &&
			   !xf_vmi_sock_same_owner(s, &w->sock[i])) {
			w->tie[i] = true;	/* no owner, as on the fast path */
		}
	}
	return 0;
}

/*
 * The walk found the holder; the credentials and cgroup are the socket's
 * (f_cred), as on the fast path. A profile without them keeps the
 * holder's, as before.
 */
static void sock_creds(struct xf_vmi *v, const struct xf_vmi_sock *s,
		       struct xf_owner *o)
{
	struct xf_vmi_proc p;

	if (xf_vmi_owner(v, s, 0, 0, -1, &p, NULL) ||
	    !(p.owner.flags & XF_OWNER_F_FOUND))
		return;
	o->uid = p.owner.uid;
	o->gid = p.owner.gid;
	o->euid = p.owner.euid;
	o->egid = p.owner.egid;
	o->cgroup_id = p.owner.cgroup_id;
	memcpy(o->cgroup, p.owner.cgroup, sizeof(o->cgroup));
	o->flags |= p.owner.flags & (XF_OWNER_F_CGROUP | XF_OWNER_F_CGROUP_TRUNC);
}

static int full_walk(struct xfd_dom *d, struct xfd_flow **todo, int n,
		     uint64_t deadline_us)
{
	static struct xfd_flow copy[256];
	struct walk w = { .f = copy, .n = n };
	int i, r = XF_VMI_EAGAIN, tries;

	for (tries = 0; r == XF_VMI_EAGAIN && tries < XFD_EAGAIN_TRIES; tries++) {
		if (tries) {
			if (xfd_now_us() + 2000 >= deadline_us)
				break;
			usleep(1000);
		}
		for (i = 0; i < n; i++)
			copy[i] = *todo[i];
		memset(w.score, 0, sizeof(w.score));
		memset(w.tie, 0, sizeof(w.tie));
		r = xf_vmi_walk(&d->g->vmi, NULL, walk_sock, &w);
	}
	d->walks++;
	if (r) {
		xfd_dbg("domain %u: full walk: %s", d->domid, xf_vmi_strerror(r));
		return r;
	}
	for (i = 0; i < n; i++) {
		if (!w.score[i] || w.tie[i])
			continue;
		todo[i]->owner = copy[i].owner;
		todo[i]->attributed = true;
		sock_creds(&d->g->vmi, &w.sock[i], &todo[i]->owner);
		xf_vmi_exe(&d->g->vmi, w.task[i], &todo[i]->owner);
	}
	return 0;
}

void xfd_attribute(struct xfd_dom *d, struct xfd_flow *f, int n,
		   uint64_t deadline_us)
{
	struct xfd_flow *todo[256];
	int i, r, tries, left = 0;

	/* One view per batch: translations are re-read from now on. */
	xf_mem_tlb_flush(d->g->mem);
	if (!session_ok(d->g) && session_reopen(d))
		return;
	for (i = 0; i < n && i < 256; i++) {
		f[i].attributed = false;
		if (f[i].proto != 6 && f[i].proto != 17)
			continue;	/* ICMP etc.: no socket to find */
		r = XF_VMI_EAGAIN;
		for (tries = 0; r == XF_VMI_EAGAIN && tries < XFD_EAGAIN_TRIES &&
		     xfd_now_us() < deadline_us; tries++)
			r = fast_lookup(d, &f[i]);
		if (r == 0)
			d->fast_hits++;
		else
			todo[left++] = &f[i];
	}
	if (left && xfd_now_us() < deadline_us)
		full_walk(d, todo, left, deadline_us);
}
