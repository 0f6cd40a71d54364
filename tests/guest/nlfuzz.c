// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: random requests to the "xfilter" generic netlink family
 * (tests/kselftest/41-netlink-fuzz.sh). Static, no libnl: it builds what no
 * client would. Runs in dom0 of the lab (build/guest/ lands in /xf/bin).
 *
 *   nlfuzz [-n COUNT] [-s SEED] [-u]
 *
 * Each request: a command from 0 to XFILTER_CMD_MAX + 2, sometimes
 * NLM_F_DUMP, and a random attribute tree up to depth 3: random types
 * (known and unknown), lengths 0..4000 (exact-size attributes one byte off,
 * unterminated and oversized strings), random bytes, nests where scalars are
 * due and scalars where nests are; now and then a truncated genl header.
 *
 * Every reply is checked: an NLMSG_ERROR with errno <= 0 and its request's
 * sequence number, NLMSG_DONE, or a message of the family whose attributes
 * parse to the end. -u (unprivileged caller): every admin command must fail
 * with EPERM. Exit 1 on a malformed reply, a missing reply (1 s), a success
 * the caller was not entitled to; prints a summary line:
 *   nlfuzz sent=N acked=N errors=N answers=N eperm=N bad=N timeouts=N
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../../include/uapi/linux/xfilter.h"

#define BUFSZ 65536

static int fd;
static uint16_t family;
static uint32_t seq = 1;
static unsigned char tx[BUFSZ], rx[BUFSZ];
static struct {
	long sent, acked, errors, answers, eperm, bad, timeouts;
} st;

static uint32_t rnd(uint32_t n) { return n ? (uint32_t)random() % n : 0; }

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/*
 * Admin commands per the UAPI header: every command the family answers
 * (the gets and dumps show guest data); the rest are notifications.
 */
static bool admin(int cmd)
{
	switch (cmd) {
	case XFILTER_CMD_RULE_ADD: case XFILTER_CMD_RULE_DEL:
	case XFILTER_CMD_RULE_FLUSH: case XFILTER_CMD_RULE_GET:
	case XFILTER_CMD_DOMAIN_SET: case XFILTER_CMD_DOMAIN_GET:
	case XFILTER_CMD_STATS_GET: case XFILTER_CMD_FLOW_GET:
	case XFILTER_CMD_FLOW_FLUSH: case XFILTER_CMD_VIF_GET:
	case XFILTER_CMD_BATCH_GET: case XFILTER_CMD_VERDICT:
	case XFILTER_CMD_ALERT_GET:
		return true;
	}
	return false;
}

/* One random attribute at p (room bytes left); returns its aligned size. */
static size_t put_attr(unsigned char *p, size_t room, int depth)
{
	static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 8, 9, 15, 16, 17, 255,
				       256, 257, 1000, 4000 };
	struct nlattr *a = (struct nlattr *)p;
	size_t len, used;
	uint32_t k = rnd(10);

	if (room < NLA_HDRLEN + 8)
		return 0;
	a->nla_type = rnd(4) ? rnd(24) : rnd(65536);
	if (depth < 3 && k < 4) {	/* a nest, maybe flagged as one */
		size_t off = NLA_HDRLEN, n = rnd(6), i;

		if (rnd(2))
			a->nla_type |= NLA_F_NESTED;
		for (i = 0; i < n; i++) {
			used = put_attr(p + off, room - off, depth + 1);
			if (!used)
				break;
			off += used;
		}
		a->nla_len = off;
		return NLA_ALIGN(off);
	}
	len = lens[rnd(sizeof(lens) / sizeof(lens[0]))];
	if (len > room - NLA_HDRLEN - 4)
		len = room - NLA_HDRLEN - 4;
	if (k == 4) {			/* a string, terminated or not */
		memset(p + NLA_HDRLEN, 'A' + rnd(26), len);
		if (len && rnd(2))
			p[NLA_HDRLEN + len - 1] = 0;
	} else {
		for (size_t i = 0; i < len; i++)
			p[NLA_HDRLEN + i] = rnd(4) ? rnd(256) : 0xff * rnd(2);
	}
	a->nla_len = NLA_HDRLEN + len;
	/* now and then a length that overruns the message */
	if (depth == 0 && rnd(50) == 0)
		a->nla_len += 64;
	return NLA_ALIGN(NLA_HDRLEN + len);
}

static bool reply_attrs_ok(const unsigned char *p, size_t len)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return false;
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			return true;
		len -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
	return len == 0;
}

/*
 * Read replies to sequence s until its ack/error or DONE. Returns the errno
 * of the final error (0 for success or DONE), -1 on a malformed reply,
 * -2 on a timeout.
 */
static int recv_replies(uint32_t s, bool *answered)
{
	for (;;) {
		ssize_t n = recv(fd, rx, sizeof(rx), 0);
		struct nlmsghdr *h;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -2;
			if (errno == ENOBUFS)	/* a dump larger than our buffer */
				continue;
			die("recv");
		}
		for (h = (struct nlmsghdr *)rx; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != s)
				continue;	/* a late reply to an earlier request */
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) || e->error > 0)
					return -1;
				return -e->error;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type != family ||
			    h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				return -1;
			{
				struct genlmsghdr *g = NLMSG_DATA(h);

				if (g->cmd > XFILTER_CMD_MAX ||
				    !reply_attrs_ok((unsigned char *)g + GENL_HDRLEN,
						    h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN)))
					return -1;
			}
			*answered = true;
			if (!(h->nlmsg_flags & NLM_F_MULTI))
				return 0;	/* a single answer; the ack follows */
		}
	}
}

static void resolve_family(void)
{
	struct nlmsghdr *h = (struct nlmsghdr *)tx;
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct nlattr *a = (struct nlattr *)((char *)g + GENL_HDRLEN);
	ssize_t n;

	memset(tx, 0, 256);
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + sizeof(XFILTER_GENL_NAME);
	memcpy((char *)a + NLA_HDRLEN, XFILTER_GENL_NAME, sizeof(XFILTER_GENL_NAME));
	h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(a->nla_len);
	h->nlmsg_type = GENL_ID_CTRL;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = seq++;
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	if (send(fd, tx, h->nlmsg_len, 0) < 0)
		die("send");
	n = recv(fd, rx, sizeof(rx), 0);
	if (n < 0)
		die("recv");
	h = (struct nlmsghdr *)rx;
	if (h->nlmsg_type == NLMSG_ERROR) {
		fprintf(stderr, "nlfuzz: no family %s\n", XFILTER_GENL_NAME);
		exit(2);
	}
	n = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	for (a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	     n >= NLA_HDRLEN; n -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			family = *(uint16_t *)((char *)a + NLA_HDRLEN);
	if (!family) {
		fprintf(stderr, "nlfuzz: family id not found\n");
		exit(2);
	}
}

static void one(bool unpriv, long i)
{
	struct nlmsghdr *h = (struct nlmsghdr *)tx;
	struct genlmsghdr *g = NLMSG_DATA(h);
	size_t off = NLMSG_LENGTH(GENL_HDRLEN), n = rnd(8), k, used;
	bool answered = false;
	int cmd = rnd(XFILTER_CMD_MAX + 3), r;

	memset(tx, 0, sizeof(tx));
	for (k = 0; k < n; k++) {
		used = put_attr(tx + off, 16384 - off, 0);
		if (!used)
			break;
		off += used;
	}
	h->nlmsg_len = off;
	if (rnd(40) == 0)		/* a truncated genl header */
		h->nlmsg_len = NLMSG_LENGTH(rnd(GENL_HDRLEN));
	h->nlmsg_type = family;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (rnd(3) == 0 ? NLM_F_DUMP : 0);
	h->nlmsg_seq = seq++;
	g->cmd = cmd;
	g->version = rnd(8) ? XFILTER_GENL_VERSION : rnd(256);
	if (send(fd, tx, h->nlmsg_len, 0) < 0) {
		st.errors++;	/* refused at the socket (e.g. too short) */
		return;
	}
	st.sent++;
	r = recv_replies(h->nlmsg_seq, &answered);
	if (r == -2) {
		st.timeouts++;
		fprintf(stderr, "nlfuzz: #%ld cmd %d: no reply\n", i, cmd);
		return;
	}
	if (r == -1) {
		st.bad++;
		fprintf(stderr, "nlfuzz: #%ld cmd %d: malformed reply\n", i, cmd);
		return;
	}
	if (answered)
		st.answers++;
	if (r == 0)
		st.acked++;
	else
		st.errors++;
	if (r == EPERM)
		st.eperm++;
	if (unpriv && admin(cmd) && r != EPERM &&
	    h->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN)) {
		st.bad++;
		fprintf(stderr, "nlfuzz: #%ld admin cmd %d as unprivileged: errno %d, not EPERM\n",
			i, cmd, r);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 1 };
	long count = 10000, i;
	unsigned seed = 1;
	bool unpriv = false;
	int one_ = 1, c;

	while ((c = getopt(argc, argv, "n:s:u")) != -1) {
		switch (c) {
		case 'n': count = atol(optarg); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'u': unpriv = true; break;
		default:
			fprintf(stderr, "usage: nlfuzz [-n COUNT] [-s SEED] [-u]\n");
			return 2;
		}
	}
	srandom(seed);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, 270 /* SOL_NETLINK */, NETLINK_EXT_ACK, &one_, sizeof(one_));
	resolve_family();
	for (i = 0; i < count; i++)
		one(unpriv, i);
	printf("nlfuzz sent=%ld acked=%ld errors=%ld answers=%ld eperm=%ld bad=%ld timeouts=%ld\n",
	       st.sent, st.acked, st.errors, st.answers, st.eperm, st.bad, st.timeouts);
	return st.bad || st.timeouts ? 1 : 0;
}
