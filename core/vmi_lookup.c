// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The fast path: from a flow's 5-tuple to its struct sock through the
 * guest kernel's own hash tables, as the guest's network stack would find
 * it, then from the sock's file to a process.
 *
 *	TCP established/timewait/request: tcp_hashinfo.ehash, bucket
 *		inet_ehashfn() (jhash over the 4-tuple with the boot-time
 *		secrets inet_ehash_secret et al., read from the guest); without
 *		the secrets' addresses, a bounded scan of the whole table.
 *	TCP listeners: tcp_hashinfo.lhash2, bucket ipv{4,6}_portaddr_hash()
 *		of (local address, port), then of (wildcard, port).
 *	UDP: udp_table.hash, bucket (port + net_hash_mix) & mask.
 *
 * The hash functions are the kernel's (include/linux/jhash.h,
 * include/net/inet_hashtables.h, include/net/ipv6.h), keyed by values read
 * from the guest; a guest that lies about them only makes us miss.
 * Chains are bounded (limits.max_chain) and cycle-checked; hlist_nulls
 * chains end at an odd "pointer".
 */
#include "vmi_priv.h"

/* ---- the kernel's jhash ------------------------------------------------- */

#define JHASH_INITVAL 0xdeadbeefU

static inline uint32_t xf_rol32(uint32_t w, unsigned int s)
{
	return w << s | w >> (32 - s);
}

static uint32_t jhash_nwords(uint32_t a, uint32_t b, uint32_t c, uint32_t iv)
{
	a += iv;
	b += iv;
	c += iv;
	c ^= b; c -= xf_rol32(b, 14);
	a ^= c; a -= xf_rol32(c, 11);
	b ^= a; b -= xf_rol32(a, 25);
	c ^= b; c -= xf_rol32(b, 16);
	a ^= c; a -= xf_rol32(c, 4);
	b ^= a; b -= xf_rol32(a, 14);
	c ^= b; c -= xf_rol32(b, 24);
	return c;
}

static uint32_t jhash_3words(uint32_t a, uint32_t b, uint32_t c, uint32_t iv)
{
	return jhash_nwords(a, b, c, iv + JHASH_INITVAL + (3 << 2));
}

static uint32_t jhash_1word(uint32_t a, uint32_t iv)
{
	return jhash_nwords(a, 0, 0, iv + JHASH_INITVAL + (1 << 2));
}

/* jhash2() for exactly four words (an IPv6 address). */
static uint32_t jhash2_4(const uint32_t *k, uint32_t iv)
{
	uint32_t a, b, c;

	a = b = c = JHASH_INITVAL + (4 << 2) + iv;
	a += k[0];
	b += k[1];
	c += k[2];
	/* __jhash_mix */
	a -= c; a ^= xf_rol32(c, 4); c += b;
	b -= a; b ^= xf_rol32(a, 6); a += c;
	c -= b; c ^= xf_rol32(b, 8); b += a;
	a -= c; a ^= xf_rol32(c, 16); c += b;
	b -= a; b ^= xf_rol32(a, 19); a += c;
	c -= b; c ^= xf_rol32(b, 4); b += a;
	a += k[3];
	/* __jhash_final */
	c ^= b; c -= xf_rol32(b, 14);
	a ^= c; a -= xf_rol32(c, 11);
	b ^= a; b -= xf_rol32(a, 25);
	c ^= b; c -= xf_rol32(b, 16);
	a ^= c; a -= xf_rol32(c, 4);
	b ^= a; b -= xf_rol32(a, 14);
	c ^= b; c -= xf_rol32(b, 24);
	return c;
}

/* Addresses as the kernel loads them: 32-bit words in memory order. */
static uint32_t word(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t be16_raw(uint16_t host)
{
	return (uint16_t)(host >> 8 | host << 8);
}

static bool addr_any(const uint8_t *a, uint8_t family)
{
	static const uint8_t zero[16];

	return !memcmp(a, zero, family == 4 ? 4 : 16);
}

static bool addr_v4mapped(const uint8_t *a)
{
	static const uint8_t pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(a, pre, 12);
}

static uint32_t ipv4_portaddr_hash(uint32_t mix, const uint8_t *a, uint16_t port)
{
	return jhash_1word(word(a), mix) ^ port;
}

static uint32_t ipv6_portaddr_hash(uint32_t mix, const uint8_t *a, uint16_t port)
{
	uint32_t w[4] = { word(a), word(a + 4), word(a + 8), word(a + 12) };
	uint32_t h;

	if (addr_any(a, 6))
		h = jhash_1word(0, mix);
	else if (addr_v4mapped(a))
		h = jhash_1word(w[3], mix);
	else
		h = jhash2_4(w, mix);
	return h ^ port;
}

/* ---- guest values the hashes need ---------------------------------------- */

static uint64_t vmi_init_net(struct xf_vmi *v)
{
	return vmi_sym(v, v->prof->sym.init_net);
}

static int vmi_hash_mix(struct xf_vmi *v, uint32_t *mix)
{
	const struct xf_profile *pr = v->prof;
	uint64_t net = vmi_init_net(v), x;
	int r;

	if (v->hash_mix != ~0ULL) {
		*mix = v->hash_mix;
		return XF_VMI_OK;
	}
	/* A kernel without hash_mix (no CONFIG_NET_NS) mixes in zero. */
	if (!xf_member_fits(&pr->net.hash_mix, pr->net.net_size) || !net)
		return XF_VMI_EPROFILE;
	r = vmi_member(v, net, &pr->net.hash_mix, &x);
	if (r)
		return r;
	v->hash_mix = (uint32_t)x;
	*mix = x;
	return XF_VMI_OK;
}

static int vmi_secret(struct xf_vmi *v, uint64_t sym, uint32_t *out)
{
	uint64_t va = vmi_sym(v, sym);

	if (!va)
		return XF_VMI_EPROFILE;
	return vmi_read(v, va, out, 4);
}

/* The table the guest uses: per-netns pointer when the kernel has one. */
static int vmi_table(struct xf_vmi *v, const struct xf_member *netm,
		     uint64_t sym, uint64_t *table)
{
	const struct xf_profile *pr = v->prof;
	uint64_t net = vmi_init_net(v);

	*table = 0;
	if (net && xf_member_fits(netm, pr->net.net_size) && netm->size == 8 &&
	    vmi_member_ptr(v, net, netm, 8, table) == 0 && *table)
		return XF_VMI_OK;
	*table = vmi_sym(v, sym);
	return *table ? XF_VMI_OK : XF_VMI_EPROFILE;
}

/* ---- matching -------------------------------------------------------------- */

/* Both sides as 16 bytes, IPv4 v4-mapped, so mapped sockets compare. */
static void addr16(uint8_t *out, const uint8_t *a, uint8_t family)
{
	if (family == 6) {
		memcpy(out, a, 16);
		return;
	}
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, a, 4);
}

/*
 * Score a candidate like the kernel's compute_score(): -1 no match, higher
 * is more specific. wild allows a wildcard local address (listeners, UDP)
 * and an unconnected peer (UDP).
 */
static int vmi_score(const struct xf_vmi_tuple *t, const struct xf_vmi_sock *s,
		     bool wild)
{
	uint8_t tl[16], tr[16], sl[16], sr[16];
	int score = 0;

	if (s->lport != t->lport)
		return -1;
	if (t->family == 6 && s->family == 4)
		return -1;	/* an IPv4 socket never carries IPv6 */
	if (t->family == 4 && s->family == 6 && !addr_any(s->laddr, 6) &&
	    !addr_v4mapped(s->laddr))
		return -1;
	addr16(tl, t->laddr, t->family);
	addr16(tr, t->raddr, t->family);
	addr16(sl, s->laddr, s->family);
	addr16(sr, s->raddr, s->family);
	if (s->family == t->family)
		score += 1;
	if (!memcmp(sl, tl, 16))
		score += 4;
	else if (!wild || !addr_any(s->laddr, s->family))
		return -1;
	if (!wild || s->state == 1 /* connected UDP */) {
		if (s->rport != t->rport || memcmp(sr, tr, 16))
			return -1;
		score += 8;
	}
	return score;
}

struct vmi_chain {
	uint64_t first;		/* first node pointer */
	uint32_t node_off;	/* node inside struct sock */
	bool nulls;		/* hlist_nulls: ends at an odd value */
	bool wild;		/* see vmi_score() */
	uint8_t want_state;	/* 0: any, else only this TCP state */
};

/* Walks one chain; keeps the best-scoring match in *best. */
static int vmi_chain_walk(struct xf_vmi *v, const struct vmi_chain *c,
			  const struct xf_vmi_tuple *t, struct xf_vmi_sock *best,
			  int *best_score)
{
	const struct xf_profile *pr = v->prof;
	const struct xf_member *next = c->nulls ? &pr->lists.hlist_nulls_next :
						  &pr->lists.hlist_next;
	struct vmi_cycle cyc;
	uint64_t p = c->first, nx;
	uint32_t n;
	bool got;
	int r;

	vmi_cycle_init(&cyc, p);
	for (n = 0;; n++) {
		struct xf_vmi_sock s;
		int score;

		if (!p || (c->nulls && (p & 1)))
			return XF_VMI_OK;
		if (!vmi_kptr_ok(p, 8))
			return XF_VMI_EPTR;
		if (n >= v->lim.max_chain || (n && vmi_cycle_step(&cyc, p)))
			return XF_VMI_ELOOP;
		memset(&s, 0, sizeof(s));
		r = vmi_sk_decode_next(v, p - c->node_off, &s,
				       c->node_off + next->off, &nx, &got);
		if (r == XF_VMI_EBUDGET)
			return r;
		if (r == 0 && (!c->want_state || s.state == c->want_state)) {
			score = vmi_score(t, &s, c->wild);
			if (score > *best_score) {
				*best = s;
				*best_score = score;
			} else if (score >= 0 && score == *best_score &&
				   !xf_vmi_sock_same_owner(&s, best)) {
				best->tie = 1;
			}
		}
		if (got && next->size == 8) {
			p = nx;
			continue;
		}
		r = vmi_member(v, p, next, &p);
		if (r)
			return r;
	}
}

/* Node offset inside struct sock of a sock_common member. */
static uint32_t vmi_skc_node(const struct xf_vmi *v, const struct xf_member *m)
{
	return v->prof->sock.sk_common.off + m->off;
}

/* A hash table's pointer and mask, members of one struct: one read. */
static int vmi_ptr_and_mask(struct xf_vmi *v, uint64_t base,
			    const struct xf_member *table,
			    const struct xf_member *mask, uint64_t *tp,
			    uint64_t *mp)
{
	const struct xf_member *const m[2] = { table, mask };
	uint64_t x[2];
	int r;

	if (!xf_member_present(table) || !xf_member_present(mask))
		return XF_VMI_EPROFILE;
	r = vmi_members(v, base, m, 2, x);
	if (r)
		return r;
	if (x[0] && !vmi_kptr_ok(x[0], 8))
		return XF_VMI_EPTR;
	*tp = x[0];
	*mp = x[1];
	return XF_VMI_OK;
}

static int vmi_bucket_first(struct xf_vmi *v, uint64_t bucket,
			    const struct xf_member *head, uint64_t *first)
{
	return vmi_member(v, bucket, head, first);
}

/* ---- TCP -------------------------------------------------------------------- */

static int vmi_ehash_bucket(struct xf_vmi *v, const struct xf_vmi_tuple *t,
			    int variant, uint32_t *hash)
{
	const struct xf_prof_syms *sy = &v->prof->sym;
	uint32_t mix, secret, secret6, fh;
	int r;

	r = vmi_hash_mix(v, &mix);
	if (r)
		return r;
	if (t->family == 4 || (addr_v4mapped(t->raddr) && addr_v4mapped(t->laddr))) {
		const uint8_t *l = t->family == 4 ? t->laddr : t->laddr + 12;
		const uint8_t *f = t->family == 4 ? t->raddr : t->raddr + 12;

		if (variant)
			return XF_VMI_ENOENT;	/* IPv4 has one form */
		r = vmi_secret(v, sy->inet_ehash_secret, &secret);
		if (r)
			return r;
		*hash = jhash_3words(word(l), word(f),
				     (uint32_t)t->lport << 16 | be16_raw(t->rport),
				     secret + mix);
		return XF_VMI_OK;
	}
	r = vmi_secret(v, sy->inet6_ehash_secret, &secret6);
	if (r)
		return r;
	r = vmi_secret(v, sy->ipv6_hash_secret, &secret);
	if (r)
		return r;
	/*
	 * __ipv6_addr_jhash() is jhash2() over the whole address since the
	 * 2023 fix (in 6.1 stable too); before, it folded words 0 and 1 with
	 * a xor. variant 1 is the old form, tried when the new one misses.
	 */
	if (variant == 0) {
		const uint32_t fa[4] = { word(t->raddr), word(t->raddr + 4),
					 word(t->raddr + 8), word(t->raddr + 12) };

		fh = jhash2_4(fa, secret);
	} else {
		fh = jhash_3words(word(t->raddr) ^ word(t->raddr + 4),
				  word(t->raddr + 8), word(t->raddr + 12), secret);
	}
	*hash = jhash_3words(word(t->laddr + 12), fh,
			     (uint32_t)t->lport << 16 | be16_raw(t->rport),
			     secret6 + mix);
	return XF_VMI_OK;
}

static int vmi_tcp_established(struct xf_vmi *v, uint64_t hi,
			       const struct xf_vmi_tuple *t,
			       struct xf_vmi_sock *best, int *score)
{
	const struct xf_prof_hash *h = &v->prof->hash;
	struct vmi_chain c = {
		.node_off = vmi_skc_node(v, &v->prof->skc.skc_nulls_node),
		.nulls = true,
	};
	uint64_t ehash, mask, i, n;
	uint32_t hash;
	int r;

	r = vmi_ptr_and_mask(v, hi, &h->ehash, &h->ehash_mask, &ehash, &mask);
	if (r)
		return r;
	if (!ehash || !h->inet_ehash_bucket_size)
		return XF_VMI_ENOENT;
	if (vmi_ehash_bucket(v, t, 0, &hash) == 0) {
		int variant;

		for (variant = 0; variant < 2 && *score < 0; variant++) {
			if (variant && vmi_ehash_bucket(v, t, variant, &hash))
				break;
			i = hash & mask;
			r = vmi_bucket_first(v, ehash + i * h->inet_ehash_bucket_size,
					     &h->ehash_bucket_chain, &c.first);
			if (r)
				return r;
			r = vmi_chain_walk(v, &c, t, best, score);
			if (r == XF_VMI_EBUDGET)
				return r;
		}
		return XF_VMI_OK;
	}
	/* No secrets: every bucket, bounded. */
	n = mask + 1 < v->lim.max_buckets ? mask + 1 : v->lim.max_buckets;
	for (i = 0; i < n && *score < 0; i++) {
		r = vmi_bucket_first(v, ehash + i * h->inet_ehash_bucket_size,
				     &h->ehash_bucket_chain, &c.first);
		if (r)
			return r;
		r = vmi_chain_walk(v, &c, t, best, score);
		if (r == XF_VMI_EBUDGET)
			return r;
	}
	return XF_VMI_OK;
}

static int vmi_tcp_listener(struct xf_vmi *v, uint64_t hi,
			    const struct xf_vmi_tuple *t,
			    struct xf_vmi_sock *best, int *score)
{
	const struct xf_profile *pr = v->prof;
	const struct xf_prof_hash *h = &pr->hash;
	struct vmi_chain c = { .nulls = true, .wild = true,
			       .want_state = VMI_TCP_LISTEN };
	static const uint8_t any[16];
	uint64_t lhash2, mask;
	uint32_t mix, hs[2];
	int r, i;

	if (xf_member_present(&pr->skc.skc_nulls_node) &&
	    !xf_member_present(&pr->sock.icsk_listen_portaddr_node)) {
		c.node_off = vmi_skc_node(v, &pr->skc.skc_nulls_node);
	} else if (xf_member_fits(&pr->sock.icsk_listen_portaddr_node,
				  pr->sock.size)) {
		/* < 5.19: a plain hlist through icsk_listen_portaddr_node */
		c.node_off = pr->sock.icsk_listen_portaddr_node.off;
		c.nulls = false;
	} else {
		return XF_VMI_EPROFILE;
	}
	r = vmi_hash_mix(v, &mix);
	if (r)
		return r;
	r = vmi_ptr_and_mask(v, hi, &h->lhash2, &h->lhash2_mask, &lhash2, &mask);
	if (r)
		return r;
	if (!lhash2 || !h->inet_listen_hashbucket_size)
		return XF_VMI_ENOENT;
	if (t->family == 4)
		hs[0] = ipv4_portaddr_hash(mix, t->laddr, t->lport);
	else
		hs[0] = ipv6_portaddr_hash(mix, t->laddr, t->lport);
	/* The wildcard bucket: IPv4 any and IPv6 any hash alike. */
	hs[1] = ipv4_portaddr_hash(mix, any, t->lport);
	/*
	 * ilb_nulls_head is nulls_head, or before 5.19 the plain head at
	 * the same place (a union).
	 */
	for (i = 0; i < 2; i++) {
		if (i == 1 && hs[1] == hs[0])
			break;
		r = vmi_bucket_first(v, lhash2 + (uint64_t)(hs[i] & mask) *
				     h->inet_listen_hashbucket_size,
				     &h->ilb_nulls_head, &c.first);
		if (r)
			return r;
		r = vmi_chain_walk(v, &c, t, best, score);
		if (r == XF_VMI_EBUDGET)
			return r;
	}
	return XF_VMI_OK;
}

/* ---- UDP -------------------------------------------------------------------- */

static int vmi_udp(struct xf_vmi *v, const struct xf_vmi_tuple *t,
		   struct xf_vmi_sock *best, int *score)
{
	const struct xf_profile *pr = v->prof;
	const struct xf_prof_hash *h = &pr->hash;
	struct vmi_chain c = { .nulls = false, .wild = true };
	uint64_t table, hash, mask, i, n;
	uint32_t mix;
	int r;

	if (!xf_member_present(&pr->skc.skc_node))
		return XF_VMI_EPROFILE;
	c.node_off = vmi_skc_node(v, &pr->skc.skc_node);
	r = vmi_table(v, &pr->net.udp_table, pr->sym.udp_table, &table);
	if (r)
		return r;
	r = vmi_ptr_and_mask(v, table, &h->udp_hash, &h->udp_mask, &hash, &mask);
	if (r)
		return r;
	if (!hash || !h->udp_hslot_size)
		return XF_VMI_ENOENT;
	if (vmi_hash_mix(v, &mix) == 0) {
		i = (t->lport + mix) & mask;
		r = vmi_bucket_first(v, hash + i * h->udp_hslot_size,
				     &h->hslot_head, &c.first);
		if (r)
			return r;
		return vmi_chain_walk(v, &c, t, best, score);
	}
	n = mask + 1 < v->lim.max_buckets ? mask + 1 : v->lim.max_buckets;
	for (i = 0; i < n && *score < 0; i++) {
		r = vmi_bucket_first(v, hash + i * h->udp_hslot_size,
				     &h->hslot_head, &c.first);
		if (r)
			return r;
		r = vmi_chain_walk(v, &c, t, best, score);
		if (r == XF_VMI_EBUDGET)
			return r;
	}
	return XF_VMI_OK;
}

/*
 * sk->sk_socket (read with the sock) ->file, checked both ways; the file's
 * f_cred comes with its private_data, for the owner lookup that follows.
 */
static void vmi_sk_file(struct xf_vmi *v, struct xf_vmi_sock *s)
{
	const struct xf_profile *pr = v->prof;
	const struct xf_member *const fm[2] = {
		&pr->file.private_data, &pr->own.f_cred,
	};
	uint64_t sock = s->socket, file, x[2];

	s->file = 0;
	s->cred = 0;
	if (s->state == 6 || s->state == 12)
		return;		/* timewait/request socks have no socket */
	if (!sock || !vmi_kptr_ok(sock, 8))
		return;
	if (vmi_member_ptr(v, sock, &pr->socket.file, 8, &file) || !file)
		return;
	if (!xf_member_present(fm[0]) || vmi_members(v, file, fm, 2, x) ||
	    x[0] != sock)
		return;
	s->file = file;
	s->cred = x[1];
}

int xf_vmi_sock_lookup(struct xf_vmi *v, const struct xf_vmi_tuple *t,
		       struct xf_vmi_sock *s)
{
	const struct xf_profile *pr = v->prof;
	uint64_t hi;
	int score = -1, r;

	if (!pr || !t || !s || (t->family != 4 && t->family != 6))
		return XF_VMI_EINVAL;
	vmi_begin(v);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (t->proto == VMI_IPPROTO_UDP) {
		r = vmi_udp(v, t, s, &score);
	} else if (t->proto == VMI_IPPROTO_TCP) {
		r = vmi_table(v, &pr->net.tcp_hashinfo, pr->sym.tcp_hashinfo, &hi);
		if (r)
			return r;
		r = vmi_tcp_established(v, hi, t, s, &score);
		/* A request sock's owner is its listener. */
		if (r != XF_VMI_EBUDGET && (score < 0 || s->state == 12)) {
			struct xf_vmi_sock l;
			int lscore = -1;

			memset(&l, 0, sizeof(l));
			r = vmi_tcp_listener(v, hi, t, &l, &lscore);
			if (lscore >= 0) {
				*s = l;
				score = lscore;
			}
		}
	} else {
		return XF_VMI_EINVAL;
	}
	if (score < 0)
		return r ? r : XF_VMI_ENOENT;
	/*
	 * Two sockets of different users (or cgroups) bound to one port
	 * (SO_REUSEADDR) match an unconnected flow equally well: the guest
	 * does not say which one sent it, and taking the first in the chain
	 * would let a user send as the other one. No owner, then: the flow
	 * gets the worst verdict a rule with owner fields could give it.
	 */
	if (s->tie)
		return XF_VMI_ENOENT;
	s->fd = -1;
	vmi_sk_file(v, s);
	return XF_VMI_OK;
}

/* ---- from a file to its process ------------------------------------------ */

struct vmi_find {
	uint64_t file;
	int32_t fd;
};

static int vmi_find_fd(struct xf_vmi *v, int32_t fd, uint64_t file, void *arg)
{
	struct vmi_find *f = arg;

	if (file != f->file)
		return 0;
	f->fd = fd;
	return 1;
}

/* The hint is an answer from before: check the slot still holds file. */
bool vmi_hint_ok(struct xf_vmi *v, uint64_t task, int32_t fd,
			uint64_t file)
{
	const struct xf_prof_files *f = &v->prof->files;
	uint64_t files, fdt, max, arr, slot;

	if (!vmi_kptr_ok(task, 8) || fd < 0)
		return false;
	if (vmi_member_ptr(v, task, &v->prof->task.files, 8, &files) || !files ||
	    vmi_member_ptr(v, files, &f->fdt, 8, &fdt) || !fdt ||
	    vmi_member(v, fdt, &f->max_fds, &max) || (uint64_t)fd >= max ||
	    vmi_member_ptr(v, fdt, &f->fd, 8, &arr) || !arr)
		return false;
	if (vmi_read(v, arr + (uint64_t)fd * 8, &slot, 8))
		return false;
	return slot == file;
}

/*
 * One pass over the task list looking for file in fd tables: the leaders'
 * tables only (cheap: no thread list reads), or, in the second pass, the
 * tables of threads that do not share their leader's (rare).
 */
static int vmi_owner_scan(struct xf_vmi *v, uint64_t file, bool threads,
			  struct xf_vmi_proc *p, int32_t *fd)
{
	const struct xf_profile *pr = v->prof;
	uint64_t head, cur, next;
	struct vmi_cycle cyc;
	uint32_t n;
	int r;

	head = vmi_sym(v, pr->sym.init_task) + pr->task.tasks.off;
	cur = head;
	vmi_cycle_init(&cyc, head);
	for (n = 0;; n++) {
		struct vmi_files_set set = { .n = 0 };
		struct vmi_find f = { file, -1 };
		uint64_t task, files = 0;
		uint32_t i;

		r = vmi_member_ptr(v, cur, &pr->lists.list_next, 8, &next);
		if (r)
			return r;
		if (next == head)
			return XF_VMI_ENOENT;
		if (!next)
			return XF_VMI_EPTR;
		if (n >= v->lim.max_tasks || vmi_cycle_step(&cyc, next))
			return XF_VMI_ELOOP;
		cur = next;
		task = next - pr->task.tasks.off;
		if (vmi_member_ptr(v, task, &pr->task.files, 8, &files))
			files = 0;
		if (threads) {
			r = vmi_proc_files(v, task, &set, NULL);
			if (r)
				return r;
		} else if (files) {
			set.files[set.n++] = files;
		}
		for (i = 0; i < set.n; i++) {
			/* pass 2: the leader's table was searched in pass 1 */
			if (threads && set.files[i] == files)
				continue;
			r = vmi_fd_each(v, set.files[i], vmi_find_fd, &f);
			if (r == XF_VMI_EBUDGET)
				return r;
			if (f.fd >= 0) {
				if (fd)
					*fd = f.fd;
				return vmi_proc_read(v, task, p);
			}
		}
	}
}

int xf_vmi_file_owner(struct xf_vmi *v, uint64_t file, uint64_t hint_task,
		      int32_t hint_fd, struct xf_vmi_proc *p, int32_t *fd)
{
	int r;

	if (!v->prof || !p || !vmi_kptr_ok(file, 8))
		return XF_VMI_EINVAL;
	vmi_begin(v);
	if (hint_task && vmi_hint_ok(v, hint_task, hint_fd, file)) {
		if (fd)
			*fd = hint_fd;
		return vmi_proc_read(v, hint_task, p);
	}
	r = xf_vmi_tasklist_check(v);
	if (r)
		return r;
	r = vmi_owner_scan(v, file, false, p, fd);
	if (r == XF_VMI_ENOENT)
		r = vmi_owner_scan(v, file, true, p, fd);
	if (r)
		return r;
	return xf_vmi_tasklist_check(v);
}
