// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * From a struct file to the inet socket behind it, and the decoding of a
 * struct sock (its sock_common part: the 5-tuple and state). A file is a
 * socket when its f_op is socket_file_ops or, without that symbol, when
 * its inode is S_IFSOCK; the struct socket it points to must point back at
 * the same file, which rejects most garbage before any sock is read.
 */
#include "vmi_priv.h"

int vmi_sk_decode(struct xf_vmi *v, uint64_t sk, struct xf_vmi_sock *s)
{
	const struct xf_profile *pr = v->prof;
	const struct xf_prof_sock_common *c = &pr->skc;
	uint8_t buf[VMI_BUF_MAX];
	uint64_t skc = sk + pr->sock.sk_common.off, x;
	uint32_t len = c->size;
	uint16_t family;
	int r;

	if (!vmi_kptr_ok(sk, 8))
		return XF_VMI_EPTR;
	r = vmi_read(v, skc, buf, len);
	if (r)
		return r;
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
	x = vmi_buf_member(buf, len, &c->skc_dport);
	s->rport = (uint16_t)((x & 0xff) << 8 | (x >> 8 & 0xff));
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
		return XF_VMI_OK;
	}
	r = vmi_member(v, sk, &pr->sock.sk_protocol, &x);
	if (r)
		return r;
	s->proto = x;
	r = vmi_member(v, sk, &pr->sock.sk_type, &x);
	if (r)
		return r;
	if (!((x == VMI_SOCK_STREAM && s->proto == VMI_IPPROTO_TCP) ||
	      (x == VMI_SOCK_DGRAM && s->proto == VMI_IPPROTO_UDP)))
		return XF_VMI_ENOENT;	/* raw, SCTP, MPTCP, UDP-Lite, ... */
	s->sk_uid = 0;
	if (xf_member_present(&pr->sock.sk_uid) &&
	    vmi_member(v, sk, &pr->sock.sk_uid, &x) == 0)
		s->sk_uid = x;
	return XF_VMI_OK;
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
