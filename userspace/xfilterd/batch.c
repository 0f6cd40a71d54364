// SPDX-License-Identifier: GPL-2.0
/*
 * One batch: its flows (from its notice, or BATCH_GET), attribution, one
 * VERDICT message with every flow.
 *
 * The batch comes from the module, but the flows in it were made by the
 * guest: addresses and ports are just data here, lengths are checked
 * before copying, and at most XFD_BATCH_MAX flows are taken (the module's
 * own limit is 256). A domain whose introspection is not ready gets its
 * fail policy as an explicit action, at once, instead of making its
 * packets wait for the verdict timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "flow.h"
#include "rule_text.h"
#include "xfilterd.h"

#define XFD_BATCH_MAX 256
#define XFD_DRAIN_BATCHES 16	/* per domain, at shutdown */
#define XFD_NOTICES 64
#define XFD_ANSWERED 8		/* per domain */
#define XFD_NOTIFIED 8		/* per domain */
/*
 * Bytes of one VERDICT message at most: libnl's socket takes up to 64 KiB
 * less 32 (SO_SNDBUF 32 KiB, doubled); past that, sendmsg() fails.
 */
#define XFD_VERDICT_MSG 32768

struct batch {
	uint32_t domid, id;
	int n;
	uint64_t built_us;	/* the flows' age_us are as of then; 0: unknown */
	struct xfd_flow f[XFD_BATCH_MAX];
};

/*
 * Notices that carried their flows (the module sends a batch of at most 16
 * with them), kept until their domain's turn in the round, which then costs
 * no BATCH_GET. One per domain, XFD_NOTICES in all; a batch whose notice
 * was not kept is fetched, as one whose notice had no flows.
 */
static struct {
	uint32_t domid, id;
	struct nl_msg *msg;	/* NULL: free slot */
} notices[XFD_NOTICES];

/*
 * The batches answered last, per domain: a notice read after its batch was
 * fetched and answered must not be answered again (the module would count
 * its verdicts as late), nor a batch answered but still there (the verdict
 * on its way) fetched and answered twice. Batch ids are never 0, and start
 * at random (a module reloaded under us does not repeat the last ids).
 */
static struct {
	uint32_t id[XFD_ANSWERED];
	unsigned int next;
} answered[XFD_DOMID_LIMIT];

static bool was_answered(uint32_t domid, uint32_t id)
{
	int i;

	for (i = 0; i < XFD_ANSWERED; i++)
		if (answered[domid].id[i] == id)
			return true;
	return false;
}

static void remember_answered(uint32_t domid, uint32_t id)
{
	answered[domid].id[answered[domid].next++ % XFD_ANSWERED] = id;
}

/*
 * The batches a notice told of and that are not served yet, per domain: a
 * domain stays in the round while it has one, and leaves it after its last
 * one is served, with no BATCH_GET that would only find nothing. Past
 * XFD_NOTIFIED (or a notice without its id) the domain is fetched from
 * until the module says it has no batch.
 */
static struct {
	uint32_t id[XFD_NOTIFIED];	/* 0: free */
	bool unknown;
} notified[XFD_DOMID_LIMIT];

/* Returns false for a batch already answered: nothing to serve. */
static bool notified_add(uint32_t domid, uint32_t id)
{
	int i, free_slot = -1;

	if (!id) {
		notified[domid].unknown = true;
		return true;
	}
	if (was_answered(domid, id))
		return false;
	for (i = 0; i < XFD_NOTIFIED; i++) {
		if (notified[domid].id[i] == id)
			return true;
		if (!notified[domid].id[i] && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		notified[domid].unknown = true;
	else
		notified[domid].id[free_slot] = id;
	return true;
}

static void notified_served(uint32_t domid, uint32_t id)
{
	int i;

	for (i = 0; i < XFD_NOTIFIED; i++)
		if (notified[domid].id[i] == id)
			notified[domid].id[i] = 0;
}

static bool notified_waits(uint32_t domid)
{
	int i;

	for (i = 0; i < XFD_NOTIFIED; i++)
		if (notified[domid].id[i])
			return true;
	return notified[domid].unknown;
}

/* The module has no batch of domid: forget what notices said. */
static void notified_none(uint32_t domid)
{
	memset(&notified[domid], 0, sizeof(notified[domid]));
}

bool xfd_batch_notice(uint32_t domid, uint32_t batch_id, struct nl_msg *msg)
{
	int i, free_slot = -1;

	if (!notified_add(domid, batch_id))
		return false;
	if (!msg || !batch_id)
		return true;
	for (i = 0; i < XFD_NOTICES; i++) {
		if (notices[i].msg && notices[i].domid == domid) {
			/*
			 * The older one is served first, unless it was (its
			 * batch fetched by a sweep before its notice was read).
			 */
			if (!was_answered(domid, notices[i].id))
				return true;
			nlmsg_free(notices[i].msg);
			notices[i].msg = NULL;
		}
		if (!notices[i].msg && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return true;
	nlmsg_get(msg);
	notices[free_slot].domid = domid;
	notices[free_slot].id = batch_id;
	notices[free_slot].msg = msg;
	return true;
}

static struct nl_msg *notice_take(uint32_t domid)
{
	struct nl_msg *msg;
	int i;

	for (i = 0; i < XFD_NOTICES; i++) {
		if (notices[i].msg && notices[i].domid == domid) {
			msg = notices[i].msg;
			notices[i].msg = NULL;
			return msg;
		}
	}
	return NULL;
}

static int parse_flow(struct nlattr *nest, uint32_t domid, struct xfd_flow *f)
{
	struct nlattr *tb[XFILTER_FLOW_A_MAX + 1];
	int alen;

	memset(f, 0, sizeof(*f));
	if (nla_parse_nested(tb, XFILTER_FLOW_A_MAX, nest, NULL) < 0 ||
	    !tb[XFILTER_FLOW_A_ID] || !tb[XFILTER_FLOW_A_FAMILY] ||
	    !tb[XFILTER_FLOW_A_PROTO] || !tb[XFILTER_FLOW_A_SADDR] ||
	    !tb[XFILTER_FLOW_A_DADDR])
		return -1;
	f->id = nla_get_u32(tb[XFILTER_FLOW_A_ID]);
	f->domid = domid;
	f->family = nla_get_u8(tb[XFILTER_FLOW_A_FAMILY]) == AF_INET6 ?
		    XF_AF_INET6 : XF_AF_INET;
	alen = f->family == XF_AF_INET6 ? 16 : 4;
	if (nla_len(tb[XFILTER_FLOW_A_SADDR]) != alen ||
	    nla_len(tb[XFILTER_FLOW_A_DADDR]) != alen)
		return -1;
	f->proto = nla_get_u8(tb[XFILTER_FLOW_A_PROTO]);
	memcpy(f->saddr, nla_data(tb[XFILTER_FLOW_A_SADDR]), alen);
	memcpy(f->daddr, nla_data(tb[XFILTER_FLOW_A_DADDR]), alen);
	if (tb[XFILTER_FLOW_A_SPORT])
		f->sport = nla_get_u16(tb[XFILTER_FLOW_A_SPORT]);
	if (tb[XFILTER_FLOW_A_DPORT])
		f->dport = nla_get_u16(tb[XFILTER_FLOW_A_DPORT]);
	if (tb[XFILTER_FLOW_A_AGE_US])
		f->age_us = nla_get_u32(tb[XFILTER_FLOW_A_AGE_US]);
	return 0;
}

static int batch_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1], *a;
	struct batch *b = arg;
	int rem;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_BATCH_ID] ||
	    !tb[XFILTER_A_FLOWS])
		return NL_SKIP;
	b->id = nla_get_u32(tb[XFILTER_A_BATCH_ID]);
	b->built_us = tb[XFILTER_A_TIME_NS] &&
		      nla_len(tb[XFILTER_A_TIME_NS]) == sizeof(uint64_t) ?
		      nla_get_u64(tb[XFILTER_A_TIME_NS]) / 1000 : 0;
	nla_for_each_nested(a, tb[XFILTER_A_FLOWS], rem) {
		if (b->n >= XFD_BATCH_MAX)
			break;
		if (parse_flow(a, b->domid, &b->f[b->n]) == 0)
			b->n++;
	}
	return NL_OK;
}

/* No flows yet: batch_cb() fills b from a BATCH_GET reply or a notice. */
static void batch_clear(struct batch *b)
{
	b->n = 0;
	b->id = 0;
	b->built_us = 0;
}

/*
 * BATCH_GETs sent, and those that found no batch: in rounds (notices) and
 * in sweeps. A round should fetch only what its notice did not carry, and
 * find nothing only for a batch that timed out meanwhile.
 */
static struct {
	unsigned long long fetches, empty;
} fetched[2];	/* [0] rounds, [1] sweeps */

void xfd_batch_stats(FILE *f)
{
	fprintf(f, "fetches %llu empty=%llu sweep_fetches=%llu sweep_empty=%llu\n",
		fetched[0].fetches, fetched[0].empty, fetched[1].fetches,
		fetched[1].empty);
}

static int batch_fetch(struct xf_nl *nl, struct batch *b)
{
	struct nl_msg *msg = xf_nl_msg(nl, XFILTER_CMD_BATCH_GET, 0);

	batch_clear(b);
	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, XFILTER_A_DOMID, b->domid);
	return xf_nl_request(nl, msg, batch_cb, b);
}

/* 0, or < 0 if it did not all fit (the caller cancels the verdict). */
static int put_owner(struct nl_msg *msg, const struct xf_owner *o)
{
	struct nlattr *n = nla_nest_start(msg, XFILTER_VERDICT_A_OWNER);
	char comm[XF_COMM_LEN], exe[XF_EXE_LEN], cg[XF_CGROUP_LEN];
	int err;

	if (!n)
		return -1;
	/* Guest bytes: terminate them ourselves before handing them on. */
	memcpy(comm, o->comm, sizeof(comm));
	comm[sizeof(comm) - 1] = 0;
	memcpy(exe, o->exe, sizeof(exe));
	exe[sizeof(exe) - 1] = 0;
	memcpy(cg, o->cgroup, sizeof(cg));
	cg[sizeof(cg) - 1] = 0;
	err = nla_put_u32(msg, XFILTER_OWNER_A_FLAGS, o->flags & XFILTER_OWNER_F_ALL) |
	      nla_put_u32(msg, XFILTER_OWNER_A_PID, o->pid) |
	      nla_put_u32(msg, XFILTER_OWNER_A_TGID, o->tgid) |
	      nla_put_u32(msg, XFILTER_OWNER_A_UID, o->uid) |
	      nla_put_u32(msg, XFILTER_OWNER_A_GID, o->gid) |
	      nla_put_u32(msg, XFILTER_OWNER_A_EUID, o->euid) |
	      nla_put_u32(msg, XFILTER_OWNER_A_EGID, o->egid) |
	      nla_put_string(msg, XFILTER_OWNER_A_COMM, comm);
	if (o->flags & XF_OWNER_F_PPID)
		err |= nla_put_u32(msg, XFILTER_OWNER_A_PPID, o->ppid);
	if (o->flags & XF_OWNER_F_EXE)
		err |= nla_put_string(msg, XFILTER_OWNER_A_EXE, exe);
	if (o->flags & XF_OWNER_F_CGROUP)
		err |= nla_put_u64(msg, XFILTER_OWNER_A_CGROUP, o->cgroup_id) |
		       nla_put_string(msg, XFILTER_OWNER_A_CGROUP_PATH, cg);
	nla_nest_end(msg, n);
	return err ? -1 : 0;
}

/*
 * Verdicts from b->f[*from] on, as many as fit in one message; *from moves
 * past them. A verdict goes whole or not at all: an owner cut short (its
 * exe or cgroup path left out, flags still claiming them) would let the
 * flow slip past the rules that need them. 256 owners with the longest
 * paths take about 160 KiB, so a big batch takes several messages.
 */
static int answer_part(struct xf_nl *nl, const struct batch *b, int action,
		       int *from)
{
	struct nl_msg *msg = nlmsg_alloc_size(XFD_VERDICT_MSG);
	struct nlattr *all, *v;
	int i;

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				 0, XFILTER_CMD_VERDICT, XFILTER_GENL_VERSION) ||
	    nla_put_u32(msg, XFILTER_A_DOMID, b->domid) < 0 ||
	    nla_put_u32(msg, XFILTER_A_BATCH_ID, b->id) < 0 ||
	    !(all = nla_nest_start(msg, XFILTER_A_VERDICTS))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	for (i = *from; i < b->n; i++) {
		v = nla_nest_start(msg, i);
		if (!v)
			break;
		if (nla_put_u32(msg, XFILTER_VERDICT_A_FLOW_ID, b->f[i].id) < 0 ||
		    (action >= 0 &&
		     nla_put_u8(msg, XFILTER_VERDICT_A_ACTION, action) < 0) ||
		    (action < 0 && b->f[i].attributed &&
		     put_owner(msg, &b->f[i].owner) < 0)) {
			nla_nest_cancel(msg, v);
			break;
		}
		nla_nest_end(msg, v);
	}
	if (i == *from) {	/* one verdict is far smaller than a message */
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	*from = i;
	nla_nest_end(msg, all);
	return xf_nl_request(nl, msg, NULL, NULL);
}

/* action < 0: let the module match its rules with the owner (or none). */
static int batch_answer(struct xf_nl *nl, const struct batch *b, int action)
{
	int from = 0, err = 0;

	while (from < b->n && !err)
		err = answer_part(nl, b, action, &from);
	return err;
}

static void log_flow(const struct xfd_dom *d, const struct xfd_flow *f)
{
	char s[INET6_ADDRSTRLEN], t[INET6_ADDRSTRLEN];
	char exe[XF_TEXT_QUOTE_MAX(XF_EXE_LEN)] = "-";
	char comm[XF_TEXT_QUOTE_MAX(XF_COMM_LEN)];
	int af = f->family == XF_AF_INET6 ? AF_INET6 : AF_INET;

	if (xfd_log_level < XFD_DEBUG)
		return;
	inet_ntop(af, f->saddr, s, sizeof(s));
	inet_ntop(af, f->daddr, t, sizeof(t));
	/* Guest bytes: through the one text escaper (core/rule_text.h). */
	xf_text_quote(f->owner.comm, strnlen(f->owner.comm, XF_COMM_LEN), comm,
		      sizeof(comm));
	if (f->owner.flags & XF_OWNER_F_EXE)
		xf_text_quote(f->owner.exe, strnlen(f->owner.exe, XF_EXE_LEN),
			      exe, sizeof(exe));
	if (f->attributed)
		xfd_dbg("dom %u flow %u proto %u %s:%u -> %s:%u: pid %u uid %u comm %s exe %s%s",
			d->domid, f->id, f->proto, s, f->sport, t, f->dport,
			f->owner.tgid, f->owner.uid, comm, exe,
			f->owner.flags & XF_OWNER_F_EXE_TRUNC ? " (truncated)" : "");
	else
		xfd_dbg("dom %u flow %u proto %u %s:%u -> %s:%u: unattributed",
			d->domid, f->id, f->proto, s, f->sport, t, f->dport);
}

static int dom_ready(uint32_t domid, struct xfd_dom **out)
{
	struct xfd_dom *d;
	int ready;

	pthread_mutex_lock(&xfd_dom_lock);
	for (d = xfd_doms; d; d = d->next)
		if (d->domid == domid && d->alive)
			break;
	ready = d && d->state == XFD_DOM_READY && d->g;
	pthread_mutex_unlock(&xfd_dom_lock);
	*out = d;
	return ready;
}

/* The batch its notice carried, if one was kept and is not answered yet. */
static bool batch_from_notice(struct batch *b)
{
	struct nl_msg *msg = notice_take(b->domid);

	batch_clear(b);
	if (!msg)
		return false;
	batch_cb(msg, b);
	nlmsg_free(msg);
	return b->n > 0 && !was_answered(b->domid, b->id);
}

/* Returns 1 if a batch was served, 0 if none waits, <0 on error. */
static int serve_one(struct xf_nl *nl, struct batch *b, bool sweep)
{
	uint32_t syn_us[XFD_BATCH_MAX];
	struct xfd_dom *d;
	uint64_t t0, t1, since;
	int i, err, action = -1, nattr = 0;

	if (!batch_from_notice(b)) {
		err = batch_fetch(nl, b);
		fetched[sweep].fetches++;
		if (err == -ENOENT || (!err && b->n == 0)) {
			fetched[sweep].empty++;
			notified_none(b->domid);
			return 0;
		}
		if (err) {
			xfd_warn("dom %u: fetching a batch: %s", b->domid,
				 xf_nl_strerror(nl, err));
			return err;
		}
		/* Answered but still there: leave it to the timeout. */
		if (was_answered(b->domid, b->id))
			return 0;
	}
	t0 = xfd_now_us();
	if (dom_ready(b->domid, &d)) {
		xfd_attribute(d, b->f, b->n, t0 + xfd_cfg.batch_budget_us);
	} else {
		action = xfd_fail_policy(nl, b->domid);
		xfd_dbg("dom %u: introspection not ready: batch %u (%d flows) gets the fail policy",
			b->domid, b->id, b->n);
	}
	err = batch_answer(nl, b, action);
	t1 = xfd_now_us();
	remember_answered(b->domid, b->id);
	notified_served(b->domid, b->id);
	if (err)
		xfd_warn("dom %u: verdicts for batch %u: %s", b->domid, b->id,
			 xf_nl_strerror(nl, err));
	/* The module's clock is ours (CLOCK_MONOTONIC): count the time its
	 * message waited to be read too. */
	since = b->built_us && b->built_us <= t0 ? b->built_us : t0;
	for (i = 0; i < b->n; i++) {
		syn_us[i] = b->f[i].age_us + (uint32_t)(t1 - since);
		if (b->f[i].attributed)
			nattr++;
		if (d && action < 0)
			log_flow(d, &b->f[i]);
	}
	if (d && action < 0) {
		d->batches++;
		d->flows += b->n;
		d->attributed += nattr;
		d->unattributed += b->n - nattr;
	}
	xfd_stats_batch(b->domid, b->n, t1 - t0, syn_us, b->n);
	return 1;
}

/*
 * One round: one batch of each domain in domids[0..n), so a guest flooding
 * new flows waits its turn like the others instead of holding the daemon
 * while a quiet guest's flows time out (the main loop reads notifications
 * between rounds: a domain notified meanwhile joins the next one). Keeps
 * in domids the domains that have more and returns how many: those served
 * a batch that were told of another one not served yet.
 */
int xfd_batch_round(struct xf_nl *nl, uint32_t *domids, int n, bool sweep)
{
	static struct batch b;	/* 20 KiB: not on the stack */
	int i, more = 0;

	for (i = 0; i < n; i++) {
		if (domids[i] >= XFD_DOMID_LIMIT)
			continue;
		b.domid = domids[i];
		if (serve_one(nl, &b, sweep) <= 0 || !notified_waits(domids[i]))
			continue;
		domids[more++] = domids[i];
	}
	return more;
}

void xfd_batch_drain_fail(struct xf_nl *nl)
{
	static struct batch b;
	struct xfd_dom *d;
	uint32_t ids[256], last;
	int n = 0, i, j, action;

	pthread_mutex_lock(&xfd_dom_lock);
	for (d = xfd_doms; d && n < 256; d = d->next)
		if (d->alive)
			ids[n++] = d->domid;
	pthread_mutex_unlock(&xfd_dom_lock);
	for (i = 0; i < n; i++) {
		action = -1;
		last = 0;
		for (j = 0; j < XFD_DRAIN_BATCHES; j++) {
			b.domid = ids[i];
			if (batch_fetch(nl, &b) || b.n == 0 || b.id == last)
				break;
			if (action < 0)
				action = xfd_fail_policy(nl, ids[i]);
			batch_answer(nl, &b, action);
			xfd_info("dom %u: shutdown: batch %u (%d flows) answered with the fail policy",
				 ids[i], b.id, b.n);
			last = b.id;
		}
	}
	for (i = 0; i < XFD_NOTICES; i++) {
		nlmsg_free(notices[i].msg);
		notices[i].msg = NULL;
	}
}
