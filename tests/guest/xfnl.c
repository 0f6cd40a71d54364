// SPDX-License-Identifier: GPL-2.0
/*
 * xfnl: raw generic netlink for the lab's kselftests, in dom0. Static and
 * without libnl so that it can send what xfctl never would.
 *
 *   xfnl respond [-d MS] [-a accept|drop|rules] [-n]
 *        join the "batch" group (the userland verdict source is then
 *        present), and answer every batch after MS ms with ACTION for all
 *        its flows (rules: no action, the rules decide as unattributed);
 *        -n never answers (packets stay held until the verdict timeout).
 *        Prints "ready" once joined and one line per batch answered.
 *   xfnl bad CASE
 *        send one malformed request; exit 0 if the kernel rejected it,
 *        printing "rejected errno=N: EXTACK", 1 if it was accepted.
 *        CASE: dst-len plen-range action-range mode-range unknown-attr
 *              port-order no-action verdict-no-flow-id not-nested
 *              add-counters count-stale count-match
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../include/uapi/linux/xfilter.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct req {
	struct nlmsghdr h;
	struct genlmsghdr g;
	char buf[8192];
};

static int fd;
static unsigned int seq = 1;
static char extack[256];

static void die(const char *what)
{
	fprintf(stderr, "xfnl: %s: %s\n", what, strerror(errno));
	exit(2);
}

static struct nlattr *put(struct nlmsghdr *h, int type, const void *data,
			  int len)
{
	struct nlattr *a = (struct nlattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static void put_u8(struct nlmsghdr *h, int t, unsigned char v) { put(h, t, &v, 1); }
static void put_u16(struct nlmsghdr *h, int t, unsigned short v) { put(h, t, &v, 2); }
static void put_u32(struct nlmsghdr *h, int t, unsigned int v) { put(h, t, &v, 4); }
static void put_u64(struct nlmsghdr *h, int t, unsigned long long v) { put(h, t, &v, 8); }

static struct nlattr *nest_start(struct nlmsghdr *h, int type)
{
	return put(h, type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct nlmsghdr *h, struct nlattr *a)
{
	a->nla_len = (char *)h + h->nlmsg_len - (char *)a;
}

static void req_init(struct req *r, int family, int cmd, int flags)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->h.nlmsg_type = family;
	r->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->h.nlmsg_seq = seq++;
	r->g.cmd = cmd;
	r->g.version = 1;
}

/* First attribute of type t in [a, a + len). */
static struct nlattr *find(struct nlattr *a, int len, int t)
{
	for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if ((a->nla_type & NLA_TYPE_MASK) == t)
			return a;
	return NULL;
}

#define DATA(a) ((void *)((char *)(a) + NLA_HDRLEN))
#define PLEN(a) ((int)(a)->nla_len - NLA_HDRLEN)

/*
 * Send r; collect the reply (if any) in out. Returns 0 or -errno from the
 * ack, with the extended ack message in extack[].
 */
static int talk(struct req *r, char *out, size_t outlen)
{
	static char rx[65536];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t n;

	extack[0] = 0;
	if (sendto(fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		die("send");
	for (;;) {
		struct nlmsghdr *h;

		n = recv(fd, rx, sizeof(rx), 0);
		if (n < 0)
			die("recv");
		for (h = (struct nlmsghdr *)rx; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->h.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				int off = sizeof(*e);

				if (!(h->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - sizeof(e->msg);
				if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
					struct nlattr *m = find((struct nlattr *)((char *)e + NLMSG_ALIGN(off)),
								h->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(off),
								NLMSGERR_ATTR_MSG);
					if (m)
						snprintf(extack, sizeof(extack), "%.*s",
							 PLEN(m), (char *)DATA(m));
				}
				return e->error;
			}
			if (out && h->nlmsg_len <= outlen)
				memcpy(out, h, h->nlmsg_len);
		}
	}
}

static int family_id;
static int batch_grp;

static void resolve(void)
{
	static char out[8192];
	struct nlattr *a, *g, *gi;
	struct nlmsghdr *h = (struct nlmsghdr *)out;
	struct req r;
	int len, rem;

	req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	put(&r.h, CTRL_ATTR_FAMILY_NAME, XFILTER_GENL_NAME,
	    sizeof(XFILTER_GENL_NAME));
	if (talk(&r, out, sizeof(out))) {
		fprintf(stderr, "xfnl: no family '%s' (module not loaded?)\n",
			XFILTER_GENL_NAME);
		exit(2);
	}
	a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	len = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	family_id = *(unsigned short *)DATA(find(a, len, CTRL_ATTR_FAMILY_ID));
	g = find(a, len, CTRL_ATTR_MCAST_GROUPS);
	if (!g)
		return;
	/* Nested array of {NAME, ID}. */
	for (gi = DATA(g), rem = PLEN(g); rem >= NLA_HDRLEN && gi->nla_len >= NLA_HDRLEN;
	     rem -= NLA_ALIGN(gi->nla_len),
	     gi = (struct nlattr *)((char *)gi + NLA_ALIGN(gi->nla_len))) {
		struct nlattr *name = find(DATA(gi), PLEN(gi), CTRL_ATTR_MCAST_GRP_NAME);
		struct nlattr *id = find(DATA(gi), PLEN(gi), CTRL_ATTR_MCAST_GRP_ID);

		if (name && id && !strcmp(DATA(name), XFILTER_MCGRP_BATCH))
			batch_grp = *(unsigned int *)DATA(id);
	}
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Fetch batch id of domid and answer each of its flows. */
static void answer(unsigned int domid, unsigned int id, int action)
{
	static char out[65536];
	struct nlmsghdr *h = (struct nlmsghdr *)out;
	struct nlattr *a, *flows, *f, *vs, *v;
	struct req r;
	int len, rem, n = 0, err;

	req_init(&r, family_id, XFILTER_CMD_BATCH_GET, 0);
	put_u32(&r.h, XFILTER_A_DOMID, domid);
	put_u32(&r.h, XFILTER_A_BATCH_ID, id);
	h->nlmsg_len = 0;
	err = talk(&r, out, sizeof(out));
	if (err || !h->nlmsg_len) {
		printf("batch %u dom %u: fetch failed %d %s\n", id, domid, err, extack);
		fflush(stdout);
		return;
	}
	a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	len = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	flows = find(a, len, XFILTER_A_FLOWS);
	if (!flows)
		return;
	req_init(&r, family_id, XFILTER_CMD_VERDICT, 0);
	put_u32(&r.h, XFILTER_A_DOMID, domid);
	put_u32(&r.h, XFILTER_A_BATCH_ID, id);
	vs = nest_start(&r.h, XFILTER_A_VERDICTS);
	for (f = DATA(flows), rem = PLEN(flows);
	     rem >= NLA_HDRLEN && f->nla_len >= NLA_HDRLEN && f->nla_len <= rem;
	     rem -= NLA_ALIGN(f->nla_len),
	     f = (struct nlattr *)((char *)f + NLA_ALIGN(f->nla_len))) {
		struct nlattr *fid = find(DATA(f), PLEN(f), XFILTER_FLOW_A_ID);

		if (!fid)
			continue;
		v = nest_start(&r.h, n++);
		put_u32(&r.h, XFILTER_VERDICT_A_FLOW_ID, *(unsigned int *)DATA(fid));
		if (action >= 0)
			put_u8(&r.h, XFILTER_VERDICT_A_ACTION, action);
		nest_end(&r.h, v);
	}
	nest_end(&r.h, vs);
	err = talk(&r, NULL, 0);
	printf("batch %u dom %u: %d flows answered (%d%s%s)\n", id, domid, n,
	       err, extack[0] ? " " : "", extack);
	fflush(stdout);
}

static int cmd_respond(int argc, char **argv)
{
	static char rx[65536];
	int grp, opt, action = XFILTER_ACTION_ACCEPT, delay = 0;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	bool never = false;
	int ev;

	while ((opt = getopt(argc, argv, "d:a:n")) != -1) {
		switch (opt) {
		case 'd': delay = atoi(optarg); break;
		case 'n': never = true; break;
		case 'a':
			action = !strcmp(optarg, "drop") ? XFILTER_ACTION_DROP :
				 !strcmp(optarg, "rules") ? -1 : XFILTER_ACTION_ACCEPT;
			break;
		default: return 2;
		}
	}
	if (!batch_grp) {
		fprintf(stderr, "xfnl: no group '%s'\n", XFILTER_MCGRP_BATCH);
		return 2;
	}
	/* Notifications on their own socket, requests on fd. */
	ev = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (ev < 0)
		die("socket");
	/*
	 * Bind first: an unbound socket has portid 0, the same as the
	 * kernel's, and netlink_broadcast() skips it (it would still count
	 * as a listener, so packets are held and nobody hears of them).
	 */
	if (bind(ev, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind");
	grp = batch_grp;
	if (setsockopt(ev, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		die("join batch group");
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		ssize_t n = recv(ev, rx, sizeof(rx), 0);
		struct nlmsghdr *h;

		if (n < 0) {
			if (errno == ENOBUFS)
				continue;
			die("recv");
		}
		for (h = (struct nlmsghdr *)rx; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			struct genlmsghdr *g = NLMSG_DATA(h);
			struct nlattr *a = (struct nlattr *)((char *)g + GENL_HDRLEN);
			int len = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
			struct nlattr *d, *b;

			if (h->nlmsg_type != family_id ||
			    g->cmd != XFILTER_CMD_BATCH_NOTIFY)
				continue;
			d = find(a, len, XFILTER_A_DOMID);
			b = find(a, len, XFILTER_A_BATCH_ID);
			if (!d || !b)
				continue;
			if (never) {
				printf("batch %u dom %u: not answering\n",
				       *(unsigned int *)DATA(b), *(unsigned int *)DATA(d));
				fflush(stdout);
				continue;
			}
			if (delay)
				msleep(delay);
			answer(*(unsigned int *)DATA(d), *(unsigned int *)DATA(b), action);
		}
	}
}

static int cmd_bad(const char *c)
{
	unsigned char addr3[3] = { 10, 0, 0 }, a4[4] = { 10, 0, 0, 1 };
	struct nlattr *n, *v;
	struct req r;
	int err;

	req_init(&r, family_id, XFILTER_CMD_RULE_ADD, 0);
	if (!strcmp(c, "not-nested")) {
		put_u32(&r.h, XFILTER_A_RULE, 1);
		goto send;
	}
	/* RULE_COUNT: an index from another generation; a match, not an index. */
	if (!strcmp(c, "count-stale") || !strcmp(c, "count-match")) {
		r.g.cmd = XFILTER_CMD_RULE_COUNT;
		put_u64(&r.h, XFILTER_A_GENERATION, c[6] == 's' ? 999999 : 0);
		n = nest_start(&r.h, XFILTER_A_RULE);
		put_u32(&r.h, XFILTER_RULE_A_INDEX, 0);
		if (c[6] == 'm')
			put_u8(&r.h, XFILTER_RULE_A_ACTION, XFILTER_ACTION_DROP);
		put_u64(&r.h, XFILTER_RULE_A_PACKETS, 5);
		nest_end(&r.h, n);
		goto send;
	}
	if (!strcmp(c, "verdict-no-flow-id") || !strcmp(c, "mode-range")) {
		if (c[0] == 'v') {
			r.g.cmd = XFILTER_CMD_VERDICT;
			put_u32(&r.h, XFILTER_A_DOMID, 0);
			put_u32(&r.h, XFILTER_A_BATCH_ID, 1);
			n = nest_start(&r.h, XFILTER_A_VERDICTS);
			v = nest_start(&r.h, 0);
			put_u8(&r.h, XFILTER_VERDICT_A_ACTION, 0);
			nest_end(&r.h, v);
			nest_end(&r.h, n);
		} else {
			r.g.cmd = XFILTER_CMD_DOMAIN_SET;
			n = nest_start(&r.h, XFILTER_A_DOMAIN);
			put_u32(&r.h, XFILTER_DOMAIN_A_DOMID, XFILTER_DOMID_DEFAULT);
			put_u8(&r.h, XFILTER_DOMAIN_A_MODE, 9);
			nest_end(&r.h, n);
		}
		goto send;
	}
	n = nest_start(&r.h, XFILTER_A_RULE);
	if (strcmp(c, "no-action"))
		put_u8(&r.h, XFILTER_RULE_A_ACTION,
		       !strcmp(c, "action-range") ? 7 : XFILTER_ACTION_DROP);
	if (!strcmp(c, "dst-len")) {
		put(&r.h, XFILTER_RULE_A_DST4, addr3, 3);
	} else if (!strcmp(c, "plen-range")) {
		put(&r.h, XFILTER_RULE_A_DST4, a4, 4);
		put_u8(&r.h, XFILTER_RULE_A_DST_PLEN, 33);
	} else if (!strcmp(c, "unknown-attr")) {
		put_u32(&r.h, XFILTER_RULE_A_MAX + 5, 1);
	} else if (!strcmp(c, "add-counters")) {
		put_u64(&r.h, XFILTER_RULE_A_PACKETS, 5);
	} else if (!strcmp(c, "port-order")) {
		put_u16(&r.h, XFILTER_RULE_A_DPORT_MIN, 80);
		put_u16(&r.h, XFILTER_RULE_A_DPORT_MAX, 22);
	} else if (strcmp(c, "no-action") && strcmp(c, "action-range")) {
		fprintf(stderr, "xfnl: unknown case '%s'\n", c);
		return 2;
	}
	nest_end(&r.h, n);
send:
	err = talk(&r, NULL, 0);
	if (!err) {
		printf("accepted\n");
		return 1;
	}
	printf("rejected errno=%d: %s\n", -err, extack);
	return 0;
}

int main(int argc, char **argv)
{
	int one = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: xfnl respond [-d MS] [-a accept|drop|rules] [-n] | bad CASE\n");
		return 2;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	resolve();
	if (!strcmp(argv[1], "respond"))
		return cmd_respond(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bad") && argc == 3)
		return cmd_bad(argv[2]);
	fprintf(stderr, "xfnl: unknown command '%s'\n", argv[1]);
	return 2;
}
