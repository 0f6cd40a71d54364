// SPDX-License-Identifier: GPL-2.0 OR MIT
/* core/rule_text.c: errors that name the token, and parse(print(r)) == r. */
#include <stdlib.h>

#include "tap.h"
#include "rule_text.h"

static int parse(const char *s, struct xf_rule *r, struct xf_rule_error *e)
{
	return xf_rule_parse_line(s, strlen(s), r, e);
}

/* text parses, prints as want (NULL: as text), and round-trips. */
static void good(const char *text, const char *want)
{
	struct xf_rule_error e;
	struct xf_rule r, r2;
	char buf[512], name[128];
	size_t n, i;

	/* Keep the TAP line on one line. */
	for (i = 0; text[i] && i < sizeof(name) - 1; i++)
		name[i] = (text[i] < ' ') ? '?' : text[i];
	name[i] = '\0';
	if (!want)
		want = text;
	if (!ok(parse(text, &r, &e) == 0, "parse: %s", name)) {
		diag("%s at %d '%s'", e.msg, e.index, e.token);
		return;
	}
	n = xf_rule_print(&r, buf, sizeof(buf));
	if (!ok(n == strlen(want) && !strcmp(buf, want), "print: %s", want))
		diag("printed '%s'", buf);
	ok(parse(buf, &r2, &e) == 0 && xf_rule_equal(&r, &r2),
	   "round trip: %s", buf);
}

static void bad(const char *text, int code, int index, const char *token)
{
	struct xf_rule_error e;
	struct xf_rule r;
	int ret = parse(text, &r, &e);

	if (!ok(ret == code && e.code == code && e.index == index &&
		!strcmp(e.token, token), "error %d at %d '%s': %s", code,
		index, token, text))
		diag("got %d at %d '%s' (%s)", ret, e.index, e.token, e.msg);
}

static void test_good(void)
{
	good("dom 7 uid 1001 dport 25 drop", NULL);
	good("drop", NULL);
	good("accept", NULL);
	good("log", NULL);
	good("log-drop", NULL);
	good("dport 25 dom 7 drop uid 1001", "dom 7 uid 1001 dport 25 drop");
	good("dom any accept", "accept");
	good("dom 0 accept", NULL);
	good("dom 32751 accept", NULL);
	good("dom web-1.example accept", NULL);
	good("dom 1b4e28ba-2fa1-11d2-883f-0016d3cca427 drop", NULL);
	good("uid 0 euid 4294967295 gid 5 pid 1 comm sshd exe /usr/sbin/sshd "
	     "proto tcp dst 10.0.0.0/8 sport 1024-65535 dport 22 log-drop",
	     NULL);
	good("proto udp dport 0-65535 accept", NULL);
	good("proto icmp drop", NULL);
	good("proto icmpv6 drop", NULL);
	good("proto 47 drop", NULL);
	good("proto 6 drop", "proto tcp drop");
	good("dst 192.168.1.7 accept", NULL);
	good("dst 192.168.1.7/32 accept", "dst 192.168.1.7 accept");
	good("dst 10.1.2.3/8 accept", "dst 10.0.0.0/8 accept");
	good("dst 0.0.0.0/0 accept", NULL);
	good("dst 10.1.2.3/31 accept", "dst 10.1.2.2/31 accept");
	good("dst 2001:db8::/32 drop", NULL);
	good("dst 2001:0DB8:0:0:0:0:0:1 drop", "dst 2001:db8::1 drop");
	good("dst ::1 drop", NULL);
	good("dst :: drop", NULL);
	good("dst ::/0 drop", NULL);
	good("dst 1:: drop", NULL);
	good("dst 1:0:0:2:0:0:0:3 drop", "dst 1:0:0:2::3 drop");
	good("dst 1:0:2:0:3:0:4:0 drop", NULL);
	good("dst 1:0:0:2:0:0:3:4 drop", "dst 1::2:0:0:3:4 drop");
	good("dst ::ffff:192.0.2.1 drop", "dst ::ffff:c000:201 drop");
	good("dst fe80::1/10 drop", "dst fe80::/10 drop");
	good("dst 2001:db8:1:2:3:4:5:6/127 drop",
	     "dst 2001:db8:1:2:3:4:5:6/127 drop");
	good("comm \"Web Content\" drop", NULL);
	good("comm \"a\\\"b\\\\c\" drop", NULL);
	good("comm \"\\x01\\x7f\\xff\" drop", NULL);
	good("comm \"#x\" drop", NULL);
	good("comm \"plain\" drop", "comm plain drop");
	good("  drop   # trailing comment", "drop");
	good("\tdport\t80\taccept\n", "dport 80 accept");
	good("cgroup /system.slice/docker-1.scope drop", NULL);
	good("cgroup / accept", NULL);
	good("uid 1000 exe /bin/nc cgroup /user.slice proto udp drop", NULL);
	good("proto tcp cgroup /a drop", "cgroup /a proto tcp drop");
	good("cgroup \"/my app/x\\\"y\" drop", NULL);
	/* Valid UTF-8 is printed as it is (core/rule_text.c xf_text_quote). */
	good("cgroup \"/\\xc3\\xa9t\\xc3\\xa9\" drop", "cgroup /\xc3\xa9t\xc3\xa9 drop");
	good("cgroup /a.b/..c/...d/.e drop", NULL);
}

/* A bad cgroup path is refused with its own message and the token. */
static void bad_cgroup(const char *text, const char *token, const char *msg)
{
	struct xf_rule_error e;
	struct xf_rule r;
	int ret = parse(text, &r, &e);

	if (!ok(ret == XF_TEXT_E_VALUE && e.index == 1 &&
		!strcmp(e.token, token) && !strcmp(e.msg, msg),
		"cgroup refused '%s': %s", token, msg))
		diag("got %d at %d '%s' (%s)", ret, e.index, e.token, e.msg);
}

static void test_cgroup(void)
{
	char text[400], path[300];
	struct xf_rule_error e;
	struct xf_rule r;

	bad_cgroup("cgroup \"\" drop", "", "empty cgroup path");
	bad_cgroup("cgroup system.slice drop", "system.slice",
		   "cgroup path must start with '/'");
	bad_cgroup("cgroup \"/a\\x0ab\" drop", "/a\\x0ab",
		   "control byte in cgroup path");
	bad_cgroup("cgroup \"/a\\x00b\" drop", "/a\\x00b",
		   "control byte in cgroup path");
	bad_cgroup("cgroup \"/a\\x7f\" drop", "/a\\x7f",
		   "control byte in cgroup path");
	bad_cgroup("cgroup /a/ drop", "/a/",
		   "cgroup path with '//' or a trailing '/'");
	bad_cgroup("cgroup //a drop", "//a",
		   "cgroup path with '//' or a trailing '/'");
	bad_cgroup("cgroup /a/../b drop", "/a/../b",
		   "'.' or '..' in cgroup path");
	bad_cgroup("cgroup /a/. drop", "/a/.", "'.' or '..' in cgroup path");
	memset(path, 'x', sizeof(path));
	path[0] = '/';
	path[255] = '\0';
	snprintf(text, sizeof(text), "cgroup %s drop", path);
	is(parse(text, &r, &e), 0, "255-byte cgroup path accepted");
	ok(strlen(r.cgroup) == 255, "and kept whole");
	path[255] = 'x';
	path[256] = '\0';
	snprintf(text, sizeof(text), "cgroup %s drop", path);
	is(parse(text, &r, &e), XF_TEXT_E_VALUE, "256-byte cgroup path refused");
	ok(!strcmp(e.msg, "cgroup path too long (255 bytes at most)") &&
	   e.index == 1, "with its message: %s", e.msg);
	bad("cgroup /a cgroup /b drop", XF_TEXT_E_DUPLICATE, 2, "cgroup");
	bad("cgroup", XF_TEXT_E_MISSING, 0, "cgroup");
	{
		const char *argv[] = { "cgroup", "relative/x", "drop" };

		is(xf_rule_parse_argv(3, argv, &r, &e), XF_TEXT_E_VALUE,
		   "argv: relative cgroup refused");
		ok(!strcmp(e.token, "relative/x") &&
		   !strcmp(e.msg, "cgroup path must start with '/'"),
		   "argv error names the token and why");
	}
	xf_rule_init(&r);
	r.fields = XF_RF_CGROUP;
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "check: empty cgroup");
	memset(r.cgroup, 'a', sizeof(r.cgroup));
	r.cgroup[0] = '/';
	is(xf_rule_check(&r), XF_RULE_E_INVAL, "check: unterminated cgroup");
}

static void test_bad(void)
{
	char long_exe[400];

	bad("dom 7 uid 1001 dport 25 dorp", XF_TEXT_E_UNKNOWN, 6, "dorp");
	bad("dom 7 uid x1001 drop", XF_TEXT_E_VALUE, 3, "x1001");
	bad("uid 4294967296 drop", XF_TEXT_E_VALUE, 1, "4294967296");
	bad("uid 01 drop", XF_TEXT_E_VALUE, 1, "01");
	bad("uid -1 drop", XF_TEXT_E_VALUE, 1, "-1");
	bad("dport 70000 drop", XF_TEXT_E_VALUE, 1, "70000");
	bad("dport 20-10 drop", XF_TEXT_E_VALUE, 1, "20-10");
	bad("dport 10- drop", XF_TEXT_E_VALUE, 1, "10-");
	bad("sport -5 drop", XF_TEXT_E_VALUE, 1, "-5");
	bad("dom 32752 drop", XF_TEXT_E_VALUE, 1, "32752");
	bad("dom web/1 drop", XF_TEXT_E_VALUE, 1, "web/1");
	bad("proto tcpx drop", XF_TEXT_E_VALUE, 1, "tcpx");
	bad("proto 256 drop", XF_TEXT_E_VALUE, 1, "256");
	bad("dst 10.0.0 drop", XF_TEXT_E_VALUE, 1, "10.0.0");
	bad("dst 10.0.0.256 drop", XF_TEXT_E_VALUE, 1, "10.0.0.256");
	bad("dst 10.0.0.1/33 drop", XF_TEXT_E_VALUE, 1, "10.0.0.1/33");
	bad("dst 10.0.0.1/ drop", XF_TEXT_E_VALUE, 1, "10.0.0.1/");
	bad("dst 10..0.1 drop", XF_TEXT_E_VALUE, 1, "10..0.1");
	bad("dst 1:2:3:4:5:6:7:8:9 drop", XF_TEXT_E_VALUE, 1,
	    "1:2:3:4:5:6:7:8:9");
	bad("dst 1::2::3 drop", XF_TEXT_E_VALUE, 1, "1::2::3");
	bad("dst 1:2 drop", XF_TEXT_E_VALUE, 1, "1:2");
	bad("dst :1 drop", XF_TEXT_E_VALUE, 1, ":1");
	bad("dst 1: drop", XF_TEXT_E_VALUE, 1, "1:");
	bad("dst 12345:: drop", XF_TEXT_E_VALUE, 1, "12345::");
	bad("dst ::1:2:3:4:5:6:7:8 drop", XF_TEXT_E_VALUE, 1,
	    "::1:2:3:4:5:6:7:8");
	bad("dst ::/129 drop", XF_TEXT_E_VALUE, 1, "::/129");
	bad("dst g:: drop", XF_TEXT_E_VALUE, 1, "g::");
	bad("comm abcdefghijklmnop drop", XF_TEXT_E_VALUE, 1,
	    "abcdefghijklmnop");
	bad("comm \"\" drop", XF_TEXT_E_VALUE, 1, "");
	bad("comm \"a\\x00\" drop", XF_TEXT_E_VALUE, 1, "a\\x00");
	bad("uid 1 uid 2 drop", XF_TEXT_E_DUPLICATE, 2, "uid");
	bad("dom any dom 7 drop", XF_TEXT_E_DUPLICATE, 2, "dom");
	bad("drop accept", XF_TEXT_E_DUPLICATE, 1, "accept");
	bad("uid 1", XF_TEXT_E_NO_ACTION, 2, "");
	bad("", XF_TEXT_E_NO_ACTION, 0, "");
	bad("drop uid", XF_TEXT_E_MISSING, 1, "uid");
	bad("proto icmp dport 5 drop", XF_TEXT_E_INVALID, -1, "");
	bad("comm \"abc drop", XF_TEXT_E_QUOTE, 1, "\"abc");
	bad("comm \"a\\q\" drop", XF_TEXT_E_QUOTE, 1, "\"a\\q\"");
	bad("comm \"a\\x4\" drop", XF_TEXT_E_QUOTE, 1, "\"a\\x4\"");
	bad("comm \"a\"b drop", XF_TEXT_E_QUOTE, 1, "\"a\"b");
	bad("comm a\"b drop", XF_TEXT_E_QUOTE, 1, "a\"b");
	bad("comm \"a\\", XF_TEXT_E_QUOTE, 1, "\"a\\");

	memset(long_exe, 'a', sizeof(long_exe));
	memcpy(long_exe, "exe /", 5);
	memcpy(long_exe + 390, " drop", 6);
	{
		struct xf_rule_error e;
		struct xf_rule r;

		is(parse(long_exe, &r, &e), XF_TEXT_E_TOO_LONG,
		   "token longer than any field");
		is(e.index, 1, "too long: index");
		is(strlen(e.token), XF_TEXT_TOKEN_MAX - 1,
		   "error token cut to fit");
	}
	{
		const char *many[65];
		struct xf_rule_error e;
		struct xf_rule r;
		int i;

		for (i = 0; i < 65; i++)
			many[i] = "drop";
		is(xf_rule_parse_argv(65, many, &r, &e), XF_TEXT_E_TOO_LONG,
		   "65 argv tokens");
		is(e.index, 64, "too many tokens: index");
	}
}

static void test_argv(void)
{
	const char *argv[] = { "dom", "7", "comm", "Web Content", "drop" };
	const char *bad_argv[] = { "dom", "7", "frobnicate", "drop" };
	struct xf_rule_error e;
	struct xf_rule r, r2;
	char buf[128];

	is(xf_rule_parse_argv(5, argv, &r, &e), 0, "argv parse");
	ok(!strcmp(r.comm, "Web Content"), "argv value verbatim");
	xf_rule_print(&r, buf, sizeof(buf));
	ok(!strcmp(buf, "dom 7 comm \"Web Content\" drop"), "argv print");
	is(parse(buf, &r2, &e), 0, "argv print parses as a line");
	ok(xf_rule_equal(&r, &r2), "argv round trip");
	/* snprintf semantics for a short buffer. */
	is(xf_rule_print(&r, buf, 5), strlen("dom 7 comm \"Web Content\" drop"),
	   "print returns full length");
	ok(!strcmp(buf, "dom "), "short buffer cut and terminated");
	is(xf_rule_print(&r, NULL, 0), 29, "size 0 just measures");

	is(xf_rule_parse_argv(4, bad_argv, &r, &e), XF_TEXT_E_UNKNOWN,
	   "argv unknown keyword");
	ok(e.index == 2 && !strcmp(e.token, "frobnicate") &&
	   !strcmp(e.msg, "unknown keyword"), "argv error names the token");
	ok(!strcmp(xf_action_name(9), "?"), "unknown action name");
}

/* Random valid rules survive print/parse. */
static void test_random_round_trip(void)
{
	static const uint8_t protos[] = { 6, 17, 1, 58, 47 };
	struct xf_rule_error e;
	struct xf_rule r, r2;
	char buf[600];
	int i, j, fails = 0;

	srand(3);
	for (i = 0; i < 5000; i++) {
		xf_rule_init(&r);
		r.action = (uint8_t)(rand() % 4);
		if (rand() & 1) {
			r.fields |= XF_RF_DOMID;
			r.domid = (uint16_t)(rand() % 0x7ff0);
		}
		if (rand() & 1) {
			r.fields |= XF_RF_UID;
			r.uid = (uint32_t)rand() * 3u;
		}
		if (rand() & 1) {
			r.fields |= XF_RF_COMM;
			for (j = 0; j < 1 + rand() % 15; j++)
				r.comm[j] = (char)(1 + rand() % 255);
		}
		if (rand() & 1) {
			r.fields |= XF_RF_PROTO;
			r.proto = protos[rand() % 5];
		}
		if (rand() & 1) {
			r.fields |= XF_RF_DST;
			r.dst_family = (rand() & 1) ? XF_AF_INET : XF_AF_INET6;
			r.dst_plen = r.dst_family == XF_AF_INET6 ? 128 : 32;
			for (j = 0; j < (r.dst_family == XF_AF_INET ? 4 : 16);
			     j++)
				r.dst[j] = (rand() & 1) ? 0 : (uint8_t)rand();
		}
		if ((rand() & 1) && (!(r.fields & XF_RF_PROTO) || r.proto == 6 ||
				     r.proto == 17)) {
			r.fields |= XF_RF_DPORT;
			r.dport_lo = (uint16_t)rand();
			r.dport_hi = r.dport_lo + (uint16_t)(rand() % 2 ?
							     0 : rand() % 100);
			if (r.dport_hi < r.dport_lo)
				r.dport_hi = r.dport_lo;
		}
		if (xf_rule_check(&r))
			continue;
		xf_rule_print(&r, buf, sizeof(buf));
		if (parse(buf, &r2, &e) || !xf_rule_equal(&r, &r2)) {
			if (!fails++)
				diag("failed: %s (%s at %d)", buf, e.msg,
				     e.index);
		}
	}
	is(fails, 0, "5000 random rules round-trip");
}

/* Every string at full length and every byte escaped: the worst case. */
static void test_longest_text(void)
{
	static char buf[XF_RULE_TEXT_MAX];
	struct xf_rule_error e;
	struct xf_rule r, r2;
	size_t n;

	memset(&r, 0, sizeof(r));
	r.fields = XF_RF_DOMNAME | XF_RF_COMM | XF_RF_EXE | XF_RF_CGROUP;
	memset(r.dom_name, 'a', sizeof(r.dom_name) - 1);
	r.cgroup[0] = '/';
	memset(r.cgroup + 1, 0xe3, sizeof(r.cgroup) - 2);
	memset(r.comm, 0xcb, sizeof(r.comm) - 1);
	r.exe[0] = '/';
	memset(r.exe + 1, 0xe3, sizeof(r.exe) - 2);
	r.action = XF_ACT_DROP;
	is(xf_rule_check(&r), 0, "longest rule is valid");
	n = xf_rule_print(&r, buf, sizeof(buf));
	ok(n > 1000 && n < sizeof(buf), "longest rule fits XF_RULE_TEXT_MAX");
	is(parse(buf, &r2, &e), 0, "longest rule parses back");
	ok(xf_rule_equal(&r, &r2), "longest rule round trip");
}

int main(void)
{
	test_good();
	test_bad();
	test_argv();
	test_cgroup();
	test_random_round_trip();
	test_longest_text();
	return tap_done();
}
