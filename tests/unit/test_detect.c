// SPDX-License-Identifier: GPL-2.0 OR MIT
/* core/detect.c: distinct counts, the window, what counts, suggestions. */
#include "tap.h"
#include "detect.h"
#include "rule_text.h"

static struct xf_detect_table t;

static struct xf_flow flow(uint8_t proto, uint8_t flags, uint8_t host,
			   uint16_t sport, uint16_t dport)
{
	struct xf_flow f;

	memset(&f, 0, sizeof(f));
	f.key.domid = 3;
	f.key.family = XF_AF_INET;
	f.key.proto = proto;
	f.key.saddr[0] = 10;
	f.key.daddr[0] = 10;
	f.key.daddr[3] = host;
	f.key.sport = sport;
	f.key.dport = dport;
	f.tcp_flags = flags;
	return f;
}

static struct xf_owner owner(uint32_t tgid, uint32_t uid, const char *comm)
{
	struct xf_owner o;

	memset(&o, 0, sizeof(o));
	o.flags = XF_OWNER_F_FOUND;
	o.pid = o.tgid = tgid;
	o.uid = o.euid = uid;
	strcpy(o.comm, comm);
	return o;
}

static const struct xf_detect_cfg cfg = {
	.window_ms = 10000, .ports = 10, .hosts = 8, .flows = 40,
};

/* Feed n SYNs of o; returns the index of the flow that hit, or -1. */
static int syns(const struct xf_owner *o, int n, uint8_t host0, int dhost,
		uint16_t port0, int dport, uint64_t t0, uint64_t step,
		struct xf_detect_hit *hit)
{
	int i, at = -1;

	for (i = 0; i < n; i++) {
		struct xf_flow f = flow(XF_IPPROTO_TCP, XF_TCP_SYN,
					host0 + i * dhost, 40000 + i,
					port0 + i * dport);

		if (xf_detect_flow(&t, &cfg, &f, o, t0 + i * step, hit) && at < 0)
			at = i;
	}
	return at;
}

/* Unattributed new flows: per domain, one alert per window, no rule. */
static void test_unattributed(void)
{
	struct xf_detect_cfg c = cfg;
	struct xf_owner hidden = owner(0, 0, "");
	struct xf_owner alice = owner(400, 1001, "xfnet");
	struct xf_detect_hit hit;
	struct xf_flow f;
	struct xf_rule r;
	int i, at = -1, hits = 0;

	hidden.flags = 0;
	c.unattributed = 15;
	xf_detect_init(&t);
	for (i = 0; i < 30; i++) {
		f = flow(XF_IPPROTO_UDP, 0, 1, 40000 + i, 5000 + i);
		if (xf_detect_flow(&t, &c, &f, &hidden, 1000 + i * 10, &hit)) {
			hits++;
			if (at < 0)
				at = i;
		}
	}
	is(at, 14, "the 15th unattributed flow in the window raises the alert");
	is(hits, 1, "once per window");
	ok(hit.kinds == XF_DETECT_UNATTRIBUTED && hit.n_flows == 15 &&
	   hit.window_ms == 10000 && hit.total == 15,
	   "kind unattributed-flows, 15 flows, window, total");
	ok(hit.port_lo == 5000 && hit.port_hi == 5014 &&
	   hit.proto == XF_IPPROTO_UDP, "ports 5000-5014, udp");
	xf_detect_suggest(&hit, &hidden, 3, &r);
	is(r.fields, 0, "no owner to stop: no rule suggested");
	for (i = 0; i < XF_DETECT_OWNERS; i++)
		if (t.o[i].used)
			break;
	is(i, XF_DETECT_OWNERS, "no owner slot used for them");
	f = flow(XF_IPPROTO_UDP, 0, 1, 41000, 6000);
	is(xf_detect_flow(&t, &c, &f, &hidden, 1000 + 10000 + 200, &hit), 1,
	   "next window, still flooding: a new alert");
	ok(hit.port_lo == 5015 && hit.port_hi == 6000,
	   "reporting the ports since the last alert");

	/* They do not count against an owner, nor the owner against them. */
	xf_detect_init(&t);
	for (i = 0; i < 14; i++) {
		f = flow(XF_IPPROTO_TCP, XF_TCP_SYN, 1, 40000 + i, 80);
		hits = xf_detect_flow(&t, &c, &f, &alice, 1000 + i, &hit);
		f.key.sport++;
		hits += xf_detect_flow(&t, &c, &f, &hidden, 1000 + i, &hit);
		if (hits)
			break;
	}
	is(i, 14, "14 + 14 flows: neither threshold crossed");
	/* What is not a new flow the guest started is not counted. */
	xf_detect_init(&t);
	for (i = hits = 0; i < 50; i++) {
		f = flow(XF_IPPROTO_TCP, XF_TCP_SYN | XF_TCP_ACK, 1, 80,
			 30000 + i);
		hits += xf_detect_flow(&t, &c, &f, &hidden, 1000 + i, &hit);
		f = flow(XF_IPPROTO_UDP, 0, 1, 53, 30000 + i);
		hits += xf_detect_flow(&t, &c, &f, &hidden, 1000 + i, &hit);
		f = flow(XF_IPPROTO_ICMP, 0, 1, 0, 8 << 8);
		hits += xf_detect_flow(&t, &c, &f, &hidden, 1000 + i, &hit);
	}
	is(hits, 0, "unattributed SYN-ACKs, replies from port 53, ICMP: none");
	/* Off with 0. */
	c.unattributed = 0;
	xf_detect_init(&t);
	for (i = hits = 0; i < 100; i++) {
		f = flow(XF_IPPROTO_UDP, 0, 1, 40000 + i, 5000);
		hits += xf_detect_flow(&t, &c, &f, &hidden, 1000 + i, &hit);
	}
	is(hits, 0, "threshold 0: off");
}

int main(void)
{
	test_unattributed();
	struct xf_owner alice = owner(200, 1001, "xfnet");
	struct xf_owner web = owner(90, 33, "httpd");
	struct xf_owner root = owner(1, 0, "scan");
	struct xf_detect_hit hit;
	struct xf_flow f;
	struct xf_rule r;
	char text[XF_RULE_TEXT_MAX];
	const char *why;
	int at, i, hits;

	/* What counts. */
	f = flow(XF_IPPROTO_TCP, XF_TCP_SYN, 1, 40000, 80);
	ok(xf_detect_counts(&f), "a SYN counts");
	f.tcp_flags = XF_TCP_SYN | XF_TCP_ACK;
	ok(!xf_detect_counts(&f), "a SYN-ACK (a server's answer) does not");
	f.tcp_flags = XF_TCP_ACK;
	ok(!xf_detect_counts(&f), "a mid-stream ACK does not");
	f = flow(XF_IPPROTO_UDP, 0, 1, 40000, 53);
	ok(xf_detect_counts(&f), "UDP from an ephemeral port counts");
	f.key.sport = 53;
	ok(!xf_detect_counts(&f), "UDP from a service port does not");
	f = flow(XF_IPPROTO_ICMP, 0, 1, 0, 0x800);
	ok(!xf_detect_counts(&f), "ICMP does not");

	/* Configuration bounds. */
	ok(!xf_detect_cfg_check(&cfg, &why), "the test configuration is valid");
	{
		struct xf_detect_cfg c = cfg;
		int rc;

		why = "";
		c.ports = 65;
		rc = xf_detect_cfg_check(&c, &why);
		ok(rc, "ports > 64 refused (%s)", why);
		c = cfg;
		c.window_ms = 10;
		rc = xf_detect_cfg_check(&c, &why);
		ok(rc, "10 ms window refused (%s)", why);
		c = cfg;
		c.hosts = 1;
		rc = xf_detect_cfg_check(&c, &why);
		ok(rc, "threshold 1 refused (%s)", why);
	}

	/* A port scan of one host hits at the 10th distinct port. */
	xf_detect_init(&t);
	at = syns(&alice, 30, 1, 0, 1000, 1, 1000, 50, &hit);
	is(at, 9, "port scan: hit at the 10th new flow");
	ok(hit.kinds == XF_DETECT_PORTSCAN, "port scan: kind portscan only");
	is(hit.n_ports, 10, "port scan: 10 distinct ports");
	is(hit.n_hosts, 1, "port scan: 1 host");
	is(hit.total, 10, "port scan: 10 counted flows until the hit");
	is(hit.port_lo, 1000, "port scan: lowest port");
	is(hit.port_hi, 1009, "port scan: highest port");
	xf_detect_suggest(&hit, &alice, 3, &r);
	xf_rule_print(&r, text, sizeof(text));
	diag("suggested: %s", text);
	ok(!strcmp(text, "dom 3 uid 1001 proto tcp dst 10.0.0.1 drop"),
	   "port scan: rule by uid, proto, the one host");
	ok(!xf_rule_check(&r), "the suggested rule is well formed");
	/* Once per window. */
	is(syns(&alice, 10, 1, 0, 2000, 1, 3000, 10, &hit), -1,
	   "no second hit within the window");
	ok(syns(&alice, 10, 1, 0, 3000, 1, 12000, 10, &hit) >= 0,
	   "a hit again after the window");

	/* Host sweep on one port by a system user: by pid, with the port. */
	xf_detect_init(&t);
	at = syns(&root, 20, 1, 1, 25, 0, 1000, 100, &hit);
	is(at, 7, "host sweep: hit at the 8th host");
	ok(hit.kinds == XF_DETECT_HOSTSCAN, "host sweep: kind hostscan");
	xf_detect_suggest(&hit, &root, 3, &r);
	xf_rule_print(&r, text, sizeof(text));
	diag("suggested: %s", text);
	ok(!strcmp(text, "dom 3 pid 1 proto tcp dport 25 drop"),
	   "host sweep: rule by pid with the port");

	/* Slow scan: one port per 2 s never has 10 in a 10 s window. */
	xf_detect_init(&t);
	is(syns(&alice, 40, 1, 0, 1000, 1, 1000, 2000, &hit), -1,
	   "a slow scan (5 ports per window) does not hit");
	is(t.o[0].n_ports, 5, "the window holds 5 distinct ports");

	/* Repeated connections to one service: a flood only past 40. */
	xf_detect_init(&t);
	at = syns(&alice, 100, 1, 0, 25, 0, 1000, 10, &hit);
	is(at, 39, "flood: hit at the 40th flow to one port");
	ok(hit.kinds == XF_DETECT_FLOOD, "flood: kind flood only");
	xf_detect_init(&t);
	is(syns(&alice, 30, 1, 0, 25, 0, 1000, 10, &hit), -1,
	   "30 flows to one port in a window: no hit");

	/* A web server answering many clients is never counted. */
	xf_detect_init(&t);
	hits = 0;
	for (i = 0; i < 500; i++) {
		f = flow(XF_IPPROTO_TCP, XF_TCP_SYN | XF_TCP_ACK, 1 + i % 50,
			 80, 30000 + i);
		hits += xf_detect_flow(&t, &cfg, &f, &web, 1000 + i, &hit);
	}
	is(hits, 0, "500 SYN-ACKs to 50 clients from port 80: no hit");

	/* Owners are separate; unattributed flows are not counted. */
	xf_detect_init(&t);
	syns(&alice, 9, 1, 0, 1000, 1, 1000, 10, &hit);
	is(syns(&web, 9, 1, 0, 2000, 1, 1100, 10, &hit), -1,
	   "two owners with 9 ports each: no hit");
	{
		struct xf_owner hidden = alice;

		hidden.flags = 0;
		f = flow(XF_IPPROTO_TCP, XF_TCP_SYN, 1, 41000, 5000);
		is(xf_detect_flow(&t, &cfg, &f, &hidden, 1200, &hit), 0,
		   "an unattributed flow is not counted");
	}
	is(syns(&alice, 1, 1, 0, 1009, 1, 1200, 10, &hit), 0,
	   "alice's 10th port hits");

	/* More owners than slots: the least recently used goes. */
	xf_detect_init(&t);
	for (i = 0; i < XF_DETECT_OWNERS + 4; i++) {
		struct xf_owner o = owner(300 + i, 1001, "x");

		syns(&o, 2, 1, 0, 1000, 1, 1000 + i, 0, &hit);
	}
	for (hits = 0, i = 0; i < XF_DETECT_OWNERS; i++)
		hits += t.o[i].used;
	is(hits, XF_DETECT_OWNERS, "every slot in use, none overflowed");

	/* The ring wraps: 200 distinct ports keep the count at 64. */
	xf_detect_init(&t);
	{
		struct xf_detect_cfg c = cfg;

		c.ports = 0;
		c.flows = 0;
		c.hosts = 0;
		for (i = 0; i < 200; i++) {
			f = flow(XF_IPPROTO_TCP, XF_TCP_SYN, 1, 40000, 1000 + i);
			xf_detect_flow(&t, &c, &f, &alice, 1000 + i, &hit);
		}
		is(t.o[0].n_ports, XF_DETECT_EVENTS, "distinct ports capped by the ring");
		is(t.o[0].n_hosts, 1, "one host");
		is(t.o[0].n, XF_DETECT_EVENTS, "ring full");
	}
	return tap_done();
}
