// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * From a struct file to the inet socket behind it, and the decoding of a
 * struct sock (its sock_common part: the 5-tuple and state). A file is a
 * socket when its f_op is socket_file_ops or, without that symbol, when
 * its inode is S_IFSOCK; the struct socket it points to must point back at
 * the same file, which rejects most garbage before any sock is read.
 */
#include "vmi_priv.h"

int vmi_sk_decode_next(struct xf_vmi *v, uint64_t sk, struct xf_vmi_sock *s,
		       uint32_t next_off, uint64_t *next, bool *got_next)
{
	const struct xf_profile *pr = v->prof;
	const struct xf_prof_sock_common *c = &pr->skc;
	const struct xf_member *const tail[5] = {
		&pr->sock.sk_protocol, &pr->sock.sk_type, &pr->sock.sk_uid,
		&pr->sock.sk_socket, &pr->own.sk_cgrp,
	};
	uint8_t buf[VMI_BUF_MAX];
	uint64_t skc = sk + pr->sock.sk_common.off, x[5], dport;
	uint32_t len = c->size, at;
	uint16_t family;
	int r;

	if (got_next)
		*got_next = false;
	if (!vmi_kptr_ok(sk, 8))
		return XF_VMI_EPTR;
	r = vmi_read(v, skc, buf, len);
	if (r)
		return r;
	/* The hash chain's next pointer lies in sock_common: read already. */
	at = next_off - pr->sock.sk_common.off;
	if (got_next && next_off >= pr->sock.sk_common.off && at <= len &&
	    len - at >= 8) {
		memcpy(next, buf + at, 8);
		*got_next = true;
	}
	family = vmi_buf_member(buf, len, &c->skc_family);
	if (family == VMI_AF_INET)
		s->family = 4;
	else if (family == VMI_AF_INET6 && xf_member_fits(&c->skc_v6_daddr, len) &&
		 xf_member_fits(&c->skc_v6_rcv_saddr, len))
		s->family = 6;
	else
		return XF_VMI_ENOENT;
	s->state = vmi_buf_member(buf, len, &c->skc_state);
	s->lport = vmi_buf_member(buf, len, &c->skc_num);
	dport = vmi_buf_member(buf, len, &c->skc_dport);
	s->rport = (uint16_t)((dport & 0xff) << 8 | (dport >> 8 & 0xff));
	memset(s->laddr, 0, sizeof(s->laddr));
	memset(s->raddr, 0, sizeof(s->raddr));
	if (s->family == 4) {
		memcpy(s->laddr, buf + c->skc_rcv_saddr.off, 4);
		memcpy(s->raddr, buf + c->skc_daddr.off, 4);
	} else {
		/* both v6 members checked above, 16 bytes each at init */
		memcpy(s->laddr, buf + c->skc_v6_rcv_saddr.off, 16);
		memcpy(s->raddr, buf + c->skc_v6_daddr.off, 16);
	}
	s->sk = sk;
	/* Timewait and request socks end at sock_common: nothing more. */
	if (s->state == 6 || s->state == 12) {
		s->proto = VMI_IPPROTO_TCP;
		s->sk_uid = 0;
		s->file = 0;
		s->socket = s->cgroup = s->cred = 0;
		return XF_VMI_OK;
	}
	/*
	 * sk_type, sk_protocol, sk_uid, sk_socket and the cgroup lie within
	 * ~150 bytes of each other (6.x): one read for the five.
	 */
	if (!xf_member_present(tail[0]) || !xf_member_present(tail[1]))
		return XF_VMI_EPROFILE;
	r = vmi_members(v, sk, tail, 5, x);
	if (r)
		return r;
	s->proto = x[0];
	if (!((x[1] == VMI_SOCK_STREAM && s->proto == VMI_IPPROTO_TCP) ||
	      (x[1] == VMI_SOCK_DGRAM && s->proto == VMI_IPPROTO_UDP)))
		return XF_VMI_ENOENT;	/* raw, SCTP, MPTCP, UDP-Lite, ... */
	s->sk_uid = x[2];
	s->socket = x[3];
	s->cgroup = x[4];
	return XF_VMI_OK;
}

int vmi_sk_decode(struct xf_vmi *v, uint64_t sk, struct xf_vmi_sock *s)
{
	return vmi_sk_decode_next(v, sk, s, 0, NULL, NULL);
}

static bool vmi_file_is_socket(struct xf_vmi *v, uint64_t file)
{
	const struct xf_profile *pr = v->prof;
	uint64_t fop, inode, mode;

	if (vmi_member(v, file, &pr->file.f_op, &fop))
		return false;
	if (pr->sym.socket_file_ops)
		return fop == vmi_sym(v, pr->sym.socket_file_ops);
	if (vmi_member_ptr(v, file, &pr->file.f_inode, 8, &inode) || !inode)
		return false;
	if (vmi_member(v, inode, &pr->inode.i_mode, &mode))
		return false;
	return (mode & VMI_S_IFMT) == VMI_S_IFSOCK;
}

int vmi_file_sock(struct xf_vmi *v, uint64_t file, struct xf_vmi_sock *s)
{
	const struct xf_profile *pr = v->prof;
	uint64_t sock, back, sk;
	int r;

	if (!vmi_file_is_socket(v, file))
		return v->reads_left ? XF_VMI_ENOENT : XF_VMI_EBUDGET;
	r = vmi_member_ptr(v, file, &pr->file.private_data, 8, &sock);
	if (r)
		return r;
	if (!sock)
		return XF_VMI_ENOENT;
	/* socket->file must lead back here, or this is not our socket. */
	r = vmi_member(v, sock, &pr->socket.file, &back);
	if (r)
		return r;
	if (back != file)
		return XF_VMI_EPTR;
	r = vmi_member_ptr(v, sock, &pr->socket.sk, 8, &sk);
	if (r)
		return r;
	if (!sk)
		return XF_VMI_ENOENT;
	memset(s, 0, sizeof(*s));
	r = vmi_sk_decode(v, sk, s);
	if (r)
		return r;
	s->file = file;
	return XF_VMI_OK;
}
