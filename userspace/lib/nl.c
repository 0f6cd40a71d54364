// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink client for xfilter, over libnl-genl.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>

#include "nl.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct xf_nl_req {
	struct xf_nl *nl;
	xf_nl_reply_fn fn;
	void *arg;
	uint32_t seq;
	int err;
	bool done;
};

int xf_nl_open(struct xf_nl *nl)
{
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->bad_attr_off = -1;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		snprintf(nl->errmsg, sizeof(nl->errmsg), "out of memory");
		return -ENOMEM;
	}
	err = genl_connect(nl->sk);
	if (err < 0) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "cannot open a generic netlink socket: %s",
			 nl_geterror(err));
		goto fail;
	}
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	/* An error need not echo a big request (a VERDICT of 32 KiB). */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, XFILTER_GENL_NAME);
	if (nl->family < 0) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "generic netlink family '%s' not found (is xfilter.ko loaded?)",
			 XFILTER_GENL_NAME);
		err = -ENOENT;
		goto fail;
	}
	return 0;
fail:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return err < 0 ? err : -EIO;
}

void xf_nl_close(struct xf_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *xf_nl_msg(struct xf_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, XFILTER_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Pull NLMSGERR_ATTR_MSG / _OFFS out of an error message. */
static void xf_nl_extack(struct xf_nl *nl, struct nlmsghdr *hdr,
			 struct nlmsgerr *e)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	unsigned int off = sizeof(*e);
	struct nlattr *attrs;
	int len;

	if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(hdr->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	len = (int)hdr->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0)
		return;
	attrs = (struct nlattr *)((char *)e + off);
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s",
			 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_OFFS])
		nl->bad_attr_off = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	if (tb[NLMSGERR_ATTR_MISS_TYPE] && !tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "missing attribute %u",
			 nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
}

static int xf_nl_on_error(struct sockaddr_nl *who, struct nlmsgerr *e,
			  void *arg)
{
	struct xf_nl_req *req = arg;
	struct nlmsghdr *hdr = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);

	req->err = e->error;
	req->done = true;
	if (e->error)
		xf_nl_extack(req->nl, hdr, e);
	return NL_STOP;
}

static int xf_nl_on_finish(struct nl_msg *msg, void *arg)
{
	struct xf_nl_req *req = arg;

	req->done = true;
	return NL_STOP;
}

static int xf_nl_on_ack(struct nl_msg *msg, void *arg)
{
	struct xf_nl_req *req = arg;

	req->done = true;
	return NL_STOP;
}

static int xf_nl_on_valid(struct nl_msg *msg, void *arg)
{
	struct xf_nl_req *req = arg;

	if (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP_INTR)
		fprintf(stderr,
			"xfctl: warning: the table changed during the dump; output may be inconsistent\n");
	return req->fn ? req->fn(msg, req->arg) : NL_OK;
}

/*
 * Replies to this request only. libnl's own check expects the sequence
 * number after the last one answered: a request that was never sent (a
 * send error) or given up on (a receive error) would make it refuse every
 * reply from then on. Ours skips what an earlier request left behind.
 */
static int xf_nl_seq_check(struct nl_msg *msg, void *arg)
{
	struct xf_nl_req *req = arg;

	return nlmsg_hdr(msg)->nlmsg_seq == req->seq ? NL_OK : NL_SKIP;
}

int xf_nl_request(struct xf_nl *nl, struct nl_msg *msg, xf_nl_reply_fn fn,
		  void *arg)
{
	struct xf_nl_req req = { .nl = nl, .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int err;

	nl->errmsg[0] = 0;
	nl->bad_attr_off = -1;
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
	err = nl_send_auto(nl->sk, msg);
	req.seq = nlmsg_hdr(msg)->nlmsg_seq;	/* set by nl_send_auto */
	nlmsg_free(msg);
	if (err < 0) {
		snprintf(nl->errmsg, sizeof(nl->errmsg), "send: %s",
			 nl_geterror(err));
		return -EIO;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, xf_nl_seq_check, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, xf_nl_on_error, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, xf_nl_on_finish, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, xf_nl_on_ack, &req);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, xf_nl_on_valid, &req);
	while (!req.done) {
		err = nl_recvmsgs(nl->sk, cb);
		if (err < 0 && !req.done) {
			snprintf(nl->errmsg, sizeof(nl->errmsg), "receive: %s",
				 nl_geterror(err));
			req.err = -EIO;
			break;
		}
	}
	nl_cb_put(cb);
	return req.err;
}

int xf_nl_join(struct xf_nl *nl, const char *group)
{
	int grp = genl_ctrl_resolve_grp(nl->sk, XFILTER_GENL_NAME, group);
	int err;

	if (grp < 0) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "multicast group '%s' not found", group);
		return -ENOENT;
	}
	nl_socket_disable_seq_check(nl->sk);
	err = nl_socket_add_membership(nl->sk, grp);
	if (err < 0) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "cannot join group '%s': %s (CAP_NET_ADMIN is needed)",
			 group, nl_geterror(err));
		return -EPERM;
	}
	return 0;
}

int xf_nl_no_seq_check(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

int xf_nl_listen(struct xf_nl *nl, xf_nl_reply_fn fn, void *arg)
{
	struct xf_nl_req req = { .nl = nl, .fn = fn, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!cb)
		return -ENOMEM;
	/* Notifications carry sequence number 0: a fresh callback set would
	 * check them against ours and refuse every one. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, xf_nl_no_seq_check, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, xf_nl_on_valid, &req);
	err = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	return err < 0 ? -EIO : 0;
}

int xf_nl_parse(struct nl_msg *msg, struct nlattr **tb)
{
	return genlmsg_parse(nlmsg_hdr(msg), 0, tb, XFILTER_A_MAX, NULL);
}

const char *xf_nl_strerror(const struct xf_nl *nl, int err)
{
	static char buf[320];

	if (err == -EPERM)
		snprintf(buf, sizeof(buf),
			 "Operation not permitted (CAP_NET_ADMIN is needed)%s%s",
			 nl->errmsg[0] ? ": " : "", nl->errmsg);
	else if (nl->errmsg[0])
		snprintf(buf, sizeof(buf), "%s (%s)", nl->errmsg,
			 strerror(-err));
	else
		snprintf(buf, sizeof(buf), "%s", strerror(-err));
	return buf;
}
