// SPDX-License-Identifier: GPL-2.0 OR MIT
/* core/rule.c: order, each field, prefixes, ranges, owner-needed logic. */
#include "tap.h"
#include "rule.h"
#include "rule_text.h"

static struct xf_rule rules[16];
static struct xf_dom_policy doms[2];
static struct xf_rule_table t;

/* Append a rule given in text form (the tests read better that way). */
static int add(const char *text)
{
	struct xf_rule_error err;
	struct xf_rule r;
	int ret;

	ret = xf_rule_parse_line(text, strlen(text), &r, &err);
	if (ret) {
		diag("parse '%s': %s at %d '%s'", text, err.msg, err.index,
		     err.token);
		return ret;
	}
	return xf_rules_insert(&t, t.n_rules, &r);
}

static struct xf_flow_key key4(uint16_t domid, uint8_t proto, uint8_t a,
			       uint8_t b, uint8_t c, uint8_t d, uint16_t dport)
{
	struct xf_flow_key k;

	memset(&k, 0, sizeof(k));
	k.domid = domid;
	k.family = XF_AF_INET;
	k.proto = proto;
	k.saddr[0] = 10;
	k.daddr[0] = a;
	k.daddr[1] = b;
	k.daddr[2] = c;
	k.daddr[3] = d;
	k.sport = 40000;
	k.dport = dport;
	return k;
}

static struct xf_owner owner(uint32_t uid, const char *comm)
{
	struct xf_owner o;

	memset(&o, 0, sizeof(o));
	o.flags = XF_OWNER_F_FOUND | XF_OWNER_F_TASK;
	o.pid = 101;
	o.tgid = 100;
	o.uid = uid;
	o.euid = uid;
	o.gid = 50;
	strcpy(o.comm, comm);
	return o;
}

static void test_order_and_fields(void)
{
	struct xf_flow_key k = key4(7, 6, 192, 0, 2, 1, 25);
	struct xf_owner o = owner(1001, "sendmail");
	struct xf_verdict v;

	xf_rules_init(&t, rules, 16, doms, 2);
	is(add("dom 7 uid 1001 dport 25 drop"), 0, "add owner rule");
	is(add("dom 7 dport 25 log"), 0, "add net rule");
	is(add("proto udp accept"), 0, "add udp rule");

	is(xf_rules_match(&t, &k, NULL, &v), XF_MATCH_NEED_OWNER,
	   "owner rule could match: need owner");
	is(xf_rules_match(&t, &k, &o, &v), XF_MATCH_DECIDED, "decided");
	ok(v.action == XF_ACT_DROP && v.rule == 0 && v.source == XF_SRC_RULE,
	   "first rule wins for uid 1001");
	o.uid = 1002;
	xf_rules_match(&t, &k, &o, &v);
	ok(v.action == XF_ACT_LOG && v.rule == 1, "other uid falls to rule 1");
	k.domid = 8;
	is(xf_rules_match(&t, &k, NULL, &v), XF_MATCH_DECIDED,
	   "other domain: no owner rule applies, decided without owner");
	ok(v.source == XF_SRC_DEFAULT && v.rule == XF_RULE_NONE &&
	   v.action == XF_ACT_ACCEPT, "default policy");
	k = key4(7, 17, 1, 1, 1, 1, 25);
	is(xf_rules_match(&t, &k, NULL, &v), XF_MATCH_NEED_OWNER,
	   "udp/25 also reaches the owner rule (no proto in it)");
	k.dport = 26;
	is(xf_rules_match(&t, &k, NULL, &v), XF_MATCH_DECIDED,
	   "udp/26 decided by proto udp without owner");
	is(v.rule, 2, "rule 2");
}

static void test_owner_needed(void)
{
	struct xf_flow_key k = key4(3, 6, 8, 8, 8, 8, 443);
	struct xf_owner o = owner(0, "curl"), none;
	struct xf_verdict v;

	xf_rules_init(&t, rules, 16, doms, 2);
	is(add("dport 443 accept"), 0, "net rule first");
	is(add("uid 0 drop"), 0, "owner rule second");
	is(xf_rules_match(&t, &k, NULL, &v), XF_MATCH_DECIDED,
	   "net rule before owner rule decides without owner");
	is(v.rule, 0, "rule 0");
	k.dport = 80;
	is(xf_rules_match(&t, &k, NULL, &v), XF_MATCH_NEED_OWNER,
	   "owner rule reached: need owner");
	xf_rules_match(&t, &k, &o, &v);
	ok(v.action == XF_ACT_DROP && v.rule == 1, "uid 0 dropped");

	memset(&none, 0, sizeof(none));
	is(xf_rules_match(&t, &k, &none, &v), XF_MATCH_DECIDED,
	   "unattributed decides");
	ok(v.unattributed && v.source == XF_SRC_RULE && v.rule == 1 &&
	   v.action == XF_ACT_DROP,
	   "unattributed: the owner drop rule its other fields reach decides");

	/* Unattributed policy differs from default: owner needed at end. */
	xf_rules_flush(&t);
	is(xf_rules_set_policy(&t, 3, XF_ACT_ACCEPT, XF_ACT_DROP), 0,
	   "policy accept / unattributed drop");
	is(xf_rules_match(&t, &k, NULL, &v), XF_MATCH_NEED_OWNER,
	   "differing policies need the owner");
	xf_rules_match(&t, &k, &none, &v);
	ok(v.action == XF_ACT_DROP && v.source == XF_SRC_UNATTRIBUTED,
	   "unattributed dropped");
	xf_rules_match(&t, &k, &o, &v);
	ok(v.action == XF_ACT_ACCEPT && v.source == XF_SRC_DEFAULT,
	   "attributed accepted");
	is(xf_rules_set_policy(&t, 3, XF_ACT_DROP, XF_ACT_DROP), 0,
	   "update policy in place");
	is(t.n_doms, 1, "no duplicate domain entry");
	is(xf_rules_match(&t, &k, NULL, &v), XF_MATCH_DECIDED,
	   "equal policies decide without owner");
	is(v.action, XF_ACT_DROP, "domain default drop");
	k.domid = 4;
	xf_rules_match(&t, &k, NULL, &v);
	is(v.action, XF_ACT_ACCEPT, "other domain: fallback");
	is(xf_rules_set_policy(&t, XF_DOMID_ANY, XF_ACT_DROP, XF_ACT_DROP), 0,
	   "set fallback");
	xf_rules_match(&t, &k, NULL, &v);
	is(v.action, XF_ACT_DROP, "fallback applies");
	is(xf_rules_set_policy(&t, 5, 0, 0), 0, "second domain");
	is(xf_rules_set_policy(&t, 6, 0, 0), XF_RULE_E_FULL, "doms full");
	is(xf_rules_set_policy(&t, 5, 9, 0), XF_RULE_E_INVAL, "bad action");
}

static void test_fields(void)
{
	struct xf_flow_key k;
	struct xf_owner o = owner(1000, "nc");
	struct xf_verdict v;

	xf_rules_init(&t, rules, 16, doms, 2);
	xf_rules_set_policy(&t, XF_DOMID_ANY, XF_ACT_DROP, XF_ACT_DROP);
	add("dst 192.168.0.0/16 dport 1000-2000 accept");
	add("dst 2001:db8::/32 accept");
	add("sport 53 proto udp accept");
	add("proto icmp accept");
	add("gid 50 comm nc pid 100 euid 1000 dport 9 log-drop");
	add("exe /usr/bin/nc dport 10 accept");

	k = key4(1, 6, 192, 168, 3, 4, 1500);
	xf_rules_match(&t, &k, NULL, &v);
	is(v.rule, 0, "prefix /16 and range match");
	k.dport = 999;
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "below range: no match");
	k.dport = 2000;
	xf_rules_match(&t, &k, NULL, &v);
	is(v.rule, 0, "range end inclusive");
	k.dport = 1000;
	k.daddr[1] = 169;
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "outside prefix");

	memset(&k, 0, sizeof(k));
	k.family = XF_AF_INET6;
	k.proto = 6;
	k.daddr[0] = 0x20;
	k.daddr[1] = 0x01;
	k.daddr[2] = 0x0d;
	k.daddr[3] = 0xb8;
	k.daddr[15] = 9;
	xf_rules_match(&t, &k, NULL, &v);
	is(v.rule, 1, "ipv6 prefix");
	k.daddr[3] = 0xb9;
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "outside ipv6 prefix");
	k = key4(1, 6, 192, 168, 3, 4, 1500);
	k.family = XF_AF_INET6;
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "v4 prefix never matches v6 flow");

	k = key4(1, 17, 1, 1, 1, 1, 5000);
	k.sport = 53;
	xf_rules_match(&t, &k, NULL, &v);
	is(v.rule, 2, "sport + proto");
	k.proto = 6;
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "wrong proto");

	k = key4(1, 1, 1, 1, 1, 1, 8 << 8);
	xf_rules_match(&t, &k, NULL, &v);
	is(v.rule, 3, "icmp");
	k = key4(1, 1, 192, 168, 0, 1, 1500);
	xf_rules_match(&t, &k, NULL, &v);
	is(v.rule, 3, "port rule never matches icmp (type/code in dport)");

	k = key4(1, 6, 1, 1, 1, 1, 9);
	xf_rules_match(&t, &k, &o, &v);
	ok(v.rule == 4 && v.action == XF_ACT_LOG_DROP, "all owner fields");
	o.gid = 51;
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "gid mismatch");
	o = owner(1000, "nc");
	o.tgid = 99;
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "pid matches tgid");
	o = owner(1000, "ncat");
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "comm mismatch");
	o = owner(1000, "nc");
	o.euid = 0;
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "euid mismatch");
	o = owner(1000, "nc");
	memset(o.comm, 'A', sizeof(o.comm));	/* unterminated */
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "unterminated comm from guest");

	k.dport = 10;
	o = owner(1, "x");
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "exe rule: owner without exe");
	o.flags |= XF_OWNER_F_EXE;
	strcpy(o.exe, "/usr/bin/nc");
	xf_rules_match(&t, &k, &o, &v);
	is(v.rule, 5, "exe matches");
	o.flags |= XF_OWNER_F_EXE_TRUNC;
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "truncated exe never matches");
	o.flags &= ~XF_OWNER_F_EXE_TRUNC;
	strcpy(o.exe, "/usr/bin/nc2");
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "exe prefix is not a match");
}

static void test_table_ops(void)
{
	struct xf_flow_key k = key4(1, 6, 1, 2, 3, 4, 22);
	struct xf_verdict v, v2;
	struct xf_rule r;
	uint64_t gen;
	int i;

	xf_rules_init(&t, rules, 4, doms, 2);
	gen = t.generation;
	add("dport 22 drop");
	ok(t.generation != gen, "insert bumps generation");
	xf_rules_match(&t, &k, NULL, &v);
	xf_rules_account(&t, &v, 100);
	xf_rules_account(&t, &v, 50);
	ok(rules[0].packets == 2 && rules[0].bytes == 150, "counters");
	xf_rule_init(&r);
	r.action = XF_ACT_ACCEPT;
	r.fields = XF_RF_DPORT;
	r.dport_lo = r.dport_hi = 22;
	is(xf_rules_insert(&t, 0, &r), 0, "insert at head");
	xf_rules_account(&t, &v, 10);
	ok(rules[1].packets == 2 && rules[0].packets == 0,
	   "stale verdict not accounted");
	is(rules[1].action, XF_ACT_DROP, "old rule shifted down");
	xf_rules_match(&t, &k, NULL, &v2);
	ok(v2.rule == 0 && v2.action == XF_ACT_ACCEPT, "new head matches");
	is(xf_rules_insert(&t, 5, &r), XF_RULE_E_RANGE, "insert past end");
	add("drop");
	add("drop");
	is(add("drop"), XF_RULE_E_FULL, "table full");
	is(xf_rules_delete(&t, 0), 0, "delete head");
	xf_rules_match(&t, &k, NULL, &v2);
	ok(v2.rule == 0 && v2.action == XF_ACT_DROP, "back to drop");
	is(xf_rules_delete(&t, 3), XF_RULE_E_RANGE, "delete out of range");
	xf_rules_flush(&t);
	is(t.n_rules, 0, "flush");

	r.fields = XF_RF_DOMNAME;
	strcpy(r.dom_name, "web1");
	is(xf_rules_insert(&t, 0, &r), XF_RULE_E_UNRESOLVED,
	   "unresolved domain refused");
	r.fields = 1U << 20;
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "unknown field bit");
	xf_rule_init(&r);
	r.action = 4;
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "bad action");
	xf_rule_init(&r);
	r.fields = XF_RF_DST;
	r.dst_family = XF_AF_INET;
	r.dst_plen = 33;
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "v4 plen 33");
	r.dst_family = XF_AF_INET6;
	r.dst_plen = 129;
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "v6 plen 129");
	r.dst_family = 5;
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "bad family");
	r.dst_family = XF_AF_INET;
	r.dst_plen = 8;
	r.dst[0] = 10;
	r.dst[1] = 1;
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "host bits set");
	r.dst[1] = 0;
	is(xf_rule_check(&r), 0, "masked prefix ok");
	r.dst[5] = 1;
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "v4 rule with v6 bytes");
	xf_rule_init(&r);
	r.fields = XF_RF_SPORT;
	r.sport_lo = 5;
	r.sport_hi = 4;
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "inverted range");
	xf_rule_init(&r);
	r.fields = XF_RF_COMM;
	memset(r.comm, 'a', sizeof(r.comm));
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "unterminated comm");
	r.fields = XF_RF_EXE;
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "empty exe");
	r.fields = XF_RF_DOMID | XF_RF_DOMNAME;
	strcpy(r.dom_name, "x");
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "domid and name");
	r.fields = XF_RF_PROTO | XF_RF_DPORT;
	r.proto = 1;
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "port on icmp");

	/* The match loop is bounded by n_rules even with a full table. */
	xf_rules_init(&t, rules, 16, doms, 2);
	for (i = 0; i < 16; i++)
		add("dport 1 drop");
	xf_rules_match(&t, &k, NULL, &v);
	is(v.source, XF_SRC_DEFAULT, "16 non-matching rules scanned");
}

/* Mirror rules copy, never decide; the first matching one names the slot. */
static void test_mirror(void)
{
	struct xf_flow_key k = key4(3, XF_IPPROTO_TCP, 10, 0, 0, 1, 80);
	struct xf_owner alice = owner(1001, "xfnet");
	struct xf_verdict v;
	char text[XF_RULE_TEXT_MAX];

	xf_rules_init(&t, rules, 16, doms, 2);
	ok(!add("dom 3 dport 80 mirror ids0"), "mirror rule parses");
	rules[0].mirror_slot = 2;
	ok(!add("dom 3 mirror dum1"), "second mirror rule");
	rules[1].mirror_slot = 5;
	ok(!add("dom 3 dport 80 drop"), "then a drop");
	is(xf_rules_match(&t, &k, NULL, &v), XF_MATCH_DECIDED, "decided");
	is(v.action, XF_ACT_DROP, "the verdict is the drop rule's");
	is(v.rule, 2, "decided by rule 2");
	is(v.mirror, 2, "copied to the first matching mirror rule's slot");
	k.dport = 81;
	xf_rules_match(&t, &k, NULL, &v);
	is(v.mirror, 5, "port 81: only the second mirror rule matches");
	is(v.source, XF_SRC_DEFAULT, "and the policy decides");
	xf_rule_print(&rules[0], text, sizeof(text));
	ok(!strcmp(text, "dom 3 dport 80 mirror ids0"), "printed back: %s", text);
	ok(add("mirror") != 0, "mirror without a device is refused");
	ok(add("mirror a/b") != 0, "a device name with '/' is refused");
	ok(add("mirror abcdefghijklmnop") != 0, "a 16-byte device name is refused");
	ok(add("drop mirror x") != 0, "two actions are refused");
	/* An owner mirror rule needs the owner. */
	xf_rules_init(&t, rules, 16, doms, 2);
	add("uid 1001 mirror ids0");
	rules[0].mirror_slot = 1;
	is(xf_rules_match(&t, &k, NULL, &v), XF_MATCH_NEED_OWNER,
	   "a uid mirror rule needs the owner");
	xf_rules_match(&t, &k, &alice, &v);
	is(v.mirror, 1, "alice's flow is mirrored");
	is(v.action, XF_ACT_ACCEPT, "and accepted by the policy");
	{
		struct xf_rule a = rules[0], b = rules[0];

		strcpy(b.mirror_dev, "other");
		ok(!xf_rule_equal(&a, &b), "mirror rules to other devices differ");
	}
}

static struct xf_owner cg_owner(const char *path, uint32_t flags)
{
	struct xf_owner o = owner(1000, "app");

	o.flags |= flags;
	snprintf(o.cgroup, sizeof(o.cgroup), "%s", path);
	return o;
}

/* cgroup rules: prefix on whole components, never by a truncated path. */
static void test_cgroup(void)
{
	struct xf_flow_key k = key4(1, XF_IPPROTO_TCP, 1, 1, 1, 1, 80);
	struct xf_owner o;
	struct xf_verdict v;
	struct xf_rule r;

	xf_rules_init(&t, rules, 16, doms, 2);
	is(add("cgroup /a/b drop"), 0, "add cgroup /a/b drop");
	is(add("cgroup /c accept"), 0, "add cgroup /c accept");
	xf_rules_set_policy(&t, XF_DOMID_ANY, XF_ACT_DROP, XF_ACT_DROP);
	is(xf_rules_match(&t, &k, NULL, &v), XF_MATCH_NEED_OWNER,
	   "a cgroup rule needs the owner");
	o = cg_owner("/a/b", XF_OWNER_F_CGROUP);
	xf_rules_match(&t, &k, &o, &v);
	ok(v.rule == 0 && !v.uncertain, "/a/b matches itself");
	o = cg_owner("/a/b/c/d", XF_OWNER_F_CGROUP);
	xf_rules_match(&t, &k, &o, &v);
	is(v.rule, 0, "/a/b matches /a/b/c/d");
	o = cg_owner("/a/bc", XF_OWNER_F_CGROUP);
	xf_rules_match(&t, &k, &o, &v);
	ok(v.source == XF_SRC_DEFAULT && !v.uncertain,
	   "/a/b does not match /a/bc");
	o = cg_owner("/a", XF_OWNER_F_CGROUP);
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "/a/b does not match its parent /a");
	o = cg_owner("/c", XF_OWNER_F_CGROUP);
	xf_rules_match(&t, &k, &o, &v);
	ok(v.rule == 1 && v.action == XF_ACT_ACCEPT, "/c accepted");
	o = cg_owner("/c", XF_OWNER_F_CGROUP | XF_OWNER_F_CGROUP_TRUNC);
	xf_rules_match(&t, &k, &o, &v);
	ok(v.rule == 0 && v.uncertain,
	   "a truncated path never escapes a drop rule (deep nesting is no way out)");
	o = cg_owner("/a/b", 0);
	xf_rules_match(&t, &k, &o, &v);
	ok(v.rule == 0 && v.action == XF_ACT_DROP && v.uncertain &&
	   !v.unattributed, "no cgroup read: the drop rule applies");
	xf_rules_delete(&t, 0);
	o = cg_owner("/c", XF_OWNER_F_CGROUP | XF_OWNER_F_CGROUP_TRUNC);
	xf_rules_match(&t, &k, &o, &v);
	ok(v.source == XF_SRC_DEFAULT && v.action == XF_ACT_DROP &&
	   v.uncertain, "nor passes an accept rule");
	/* The guest's buffer is not terminated: nothing past it is read. */
	o = cg_owner("", XF_OWNER_F_CGROUP);
	memset(o.cgroup, 'a', sizeof(o.cgroup));
	o.cgroup[0] = '/';
	xf_rules_match(&t, &k, &o, &v);
	is(v.source, XF_SRC_DEFAULT, "unterminated guest path: no match");

	xf_rules_init(&t, rules, 16, doms, 2);
	add("cgroup / drop");
	o = cg_owner("/", XF_OWNER_F_CGROUP);
	xf_rules_match(&t, &k, &o, &v);
	is(v.rule, 0, "cgroup / matches the root");
	o = cg_owner("/x/y", XF_OWNER_F_CGROUP);
	xf_rules_match(&t, &k, &o, &v);
	is(v.rule, 0, "and everything below it");

	xf_rule_init(&r);
	r.fields = XF_RF_CGROUP;
	strcpy(r.cgroup, "/a/b");
	rules[0] = r;
	strcpy(r.cgroup, "/a/c");
	ok(!xf_rule_equal(&rules[0], &r), "rules on other cgroups differ");
	strcpy(r.cgroup, "/a/b");
	ok(xf_rule_equal(&rules[0], &r), "same cgroup: equal");
	strcpy(r.cgroup, "a/b");
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "relative cgroup refused");
	is(xf_cgroup_path_check("/a//b"), XF_CGROUP_E_SLASH, "'//' refused");
	is(xf_cgroup_path_check("/a/.."), XF_CGROUP_E_DOT, "'..' refused");
	is(xf_cgroup_path_check("/a\tb"), XF_CGROUP_E_CONTROL, "tab refused");
	is(xf_cgroup_path_check("/"), 0, "root ok");
}

/*
 * Which parts of the owner each field needs: uid/euid/gid the socket
 * (F_FOUND), pid/comm the task (F_TASK), exe the path (F_EXE, whole).
 */
static void test_owner_parts(void)
{
	struct xf_flow_key k = key4(1, XF_IPPROTO_TCP, 1, 1, 1, 1, 80);
	struct xf_owner o;
	struct xf_verdict v;

	xf_rules_init(&t, rules, 16, doms, 2);
	add("pid 100 accept");
	add("comm app accept");
	add("uid 1000 accept");
	xf_rules_set_policy(&t, XF_DOMID_ANY, XF_ACT_DROP, XF_ACT_DROP);
	o = owner(1000, "app");
	xf_rules_match(&t, &k, &o, &v);
	ok(v.rule == 0 && !v.uncertain, "with the task: pid rule");
	o.flags = XF_OWNER_F_FOUND;
	xf_rules_match(&t, &k, &o, &v);
	ok(v.rule == 2 && v.uncertain,
	   "socket without task: pid and comm accept rules skipped, uid decides");
	o.flags = XF_OWNER_F_TASK;
	xf_rules_match(&t, &k, &o, &v);
	ok(v.source == XF_SRC_UNATTRIBUTED && v.unattributed,
	   "task without F_FOUND is unattributed: nothing accepts it");

	xf_rules_init(&t, rules, 16, doms, 2);
	add("uid 1001 pid 7 drop");
	add("exe /bin/nc drop");
	o = owner(1000, "app");
	o.flags = XF_OWNER_F_FOUND;
	xf_rules_match(&t, &k, &o, &v);
	ok(v.rule == 1 && v.uncertain,
	   "uid mismatch beats the unknown pid; exe unknown: its drop applies");
	o = owner(1001, "app");
	o.flags = XF_OWNER_F_FOUND;
	xf_rules_match(&t, &k, &o, &v);
	ok(v.rule == 0 && v.action == XF_ACT_DROP,
	   "uid 1001 without its task: the pid drop rule applies");
	o = owner(1000, "app");
	xf_rules_match(&t, &k, &o, &v);
	ok(v.rule == 1 && v.uncertain, "task without exe: exe drop applies");
	o.flags |= XF_OWNER_F_EXE;
	strcpy(o.exe, "/bin/sh");
	xf_rules_match(&t, &k, &o, &v);
	ok(v.source == XF_SRC_DEFAULT && !v.uncertain, "other exe: default");
	o.flags |= XF_OWNER_F_EXE_TRUNC;
	strcpy(o.exe, "/bin/nc");
	xf_rules_match(&t, &k, &o, &v);
	ok(v.source == XF_SRC_DEFAULT,
	   "a truncated path is longer than any rule's: no match");
}

/*
 * "No verdict cheaper to get by hiding": an unattributed TCP/UDP flow gets
 * the worst verdict any owner could have got.
 */
static void test_unattributed(void)
{
	struct xf_flow_key k = key4(1, XF_IPPROTO_UDP, 10, 0, 0, 1, 53);
	struct xf_owner none, alice = owner(1001, "dig");
	struct xf_verdict v;

	memset(&none, 0, sizeof(none));
	xf_rules_init(&t, rules, 16, doms, 2);
	add("uid 1000 accept");			/* 0 */
	add("uid 1001 dport 22 drop");		/* 1 */
	add("comm dig dport 53 log-drop");	/* 2 */
	add("uid 1002 log");			/* 3 */
	add("uid 1003 mirror ids0");		/* 4 */
	rules[4].mirror_slot = 3;
	add("dport 123 accept");		/* 5 */
	add("uid 1004 drop");			/* 6 */
	xf_rules_set_policy(&t, XF_DOMID_ANY, XF_ACT_ACCEPT, XF_ACT_ACCEPT);

	xf_rules_match(&t, &k, &alice, &v);
	ok(v.rule == 2 && !v.unattributed, "attributed: comm dig log-drop");
	xf_rules_match(&t, &k, &none, &v);
	ok(v.rule == 2 && v.action == XF_ACT_LOG_DROP && v.unattributed &&
	   v.source == XF_SRC_RULE,
	   "unattributed: accept skipped, the log-drop it could match decides");
	k.dport = 22;
	xf_rules_match(&t, &k, &none, &v);
	ok(v.rule == 1 && v.action == XF_ACT_DROP, "dport 22: rule 1 drops");
	k.dport = 123;
	xf_rules_match(&t, &k, &none, &v);
	ok(v.rule == 5 && v.action == XF_ACT_ACCEPT && v.mirror == 3,
	   "dport 123: log skipped, mirrored, net rule 5 accepts");
	k.dport = 124;
	xf_rules_match(&t, &k, &none, &v);
	ok(v.rule == 6 && v.action == XF_ACT_DROP,
	   "dport 124: the last owner drop rule decides");
	xf_rules_delete(&t, 6);
	xf_rules_match(&t, &k, &none, &v);
	ok(v.source == XF_SRC_UNATTRIBUTED && v.action == XF_ACT_ACCEPT,
	   "no owner drop rule reached: the unattributed policy");
	xf_rules_set_policy(&t, XF_DOMID_ANY, XF_ACT_ACCEPT, XF_ACT_DROP);
	xf_rules_match(&t, &k, &none, &v);
	ok(v.source == XF_SRC_UNATTRIBUTED && v.action == XF_ACT_DROP,
	   "unattributed drop policy");
	xf_rules_set_policy(&t, XF_DOMID_ANY, XF_ACT_ACCEPT, XF_ACT_ACCEPT);

	/* No owner to find: owner rules are skipped, as before. */
	xf_rules_init(&t, rules, 16, doms, 2);
	add("uid 1001 drop");
	k = key4(1, XF_IPPROTO_ICMP, 10, 0, 0, 1, 8 << 8);
	xf_rules_match(&t, &k, &none, &v);
	ok(v.source == XF_SRC_UNATTRIBUTED && v.action == XF_ACT_ACCEPT,
	   "icmp: nothing to hide, owner drop rule skipped");
	k = key4(1, XF_IPPROTO_UDP, 10, 0, 0, 1, 0);
	k.sport = 0;
	xf_rules_match(&t, &k, &none, &v);
	ok(v.source == XF_SRC_UNATTRIBUTED,
	   "later fragment (ports 0): owner drop rule skipped");
	xf_rules_init(&t, rules, 16, doms, 2);
	add("dport 0-65535 accept");
	add("sport 0 accept");
	xf_rules_set_policy(&t, XF_DOMID_ANY, XF_ACT_ACCEPT, XF_ACT_DROP);
	xf_rules_match(&t, &k, &none, &v);
	ok(v.source == XF_SRC_UNATTRIBUTED && v.action == XF_ACT_DROP,
	   "later fragment: no port rule matches its unknown ports");
	xf_rules_init(&t, rules, 16, doms, 2);
	add("uid 1001 drop");
	k = key4(1, XF_IPPROTO_TCP, 10, 0, 0, 1, 80);
	xf_rules_match(&t, &k, &none, &v);
	ok(v.rule == 0 && v.action == XF_ACT_DROP, "tcp: the drop rule");
	is(xf_rules_match(&t, &k, NULL, &v), XF_MATCH_NEED_OWNER,
	   "not yet attributed: the owner is still asked for");
}

int main(void)
{
	test_cgroup();
	test_owner_parts();
	test_unattributed();
	test_mirror();
	test_order_and_fields();
	test_owner_needed();
	test_fields();
	test_table_ops();
	return tap_done();
}
