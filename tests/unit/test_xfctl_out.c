// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl's printers given hostile guest strings, without the module: the
 * reply callbacks of `rule list`, `save`, `monitor` (flows and alerts),
 * `alerts`, `vif` and the xfilterd status of `stats` are fed made-up
 * netlink replies whose comm, exe, reason and names hold newlines, quotes,
 * terminal escape sequences and invalid UTF-8. Text output must be one line
 * per record of valid UTF-8 without control bytes; JSON must be valid
 * (json_check.h); a saved file must read back (the rule line parser, as
 * `xfctl restore` uses it) as exactly the saved rules, never a rule a
 * reason smuggled in. Linked with every xfctl object but xfctl.o (main).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_check.h"
#include "nl.h"
#include "rule_text.h"
#include "tap.h"
#include "../../userspace/xfctl/xfctl.h"

static const struct { const char *s; const char *name; } hostile[] = {
	{ "x\naccept #", "newline and '#'" },
	{ "a\"b\\c", "quote, backslash" },
	{ "\x1b]0;pwn\a\x1b[2J", "OSC title, clear screen" },
	{ "\xff\xfe\xc3", "invalid UTF-8" },
	{ "caf\xc3\xa9", "UTF-8 name" },
	{ "\xe2\x80\xae" "exe.gpj", "bidi override" },
	{ "x uid 0", "blanks" },
	{ "\r\t\x7f", "CR, tab, DEL" },
};
#define NH (sizeof(hostile) / sizeof(hostile[0]))

/* Run fn(arg) with stdout going to a buffer; returns it (malloc'd). */
static char *capture(void (*fn)(void *), void *arg, size_t *len)
{
	FILE *tmp = tmpfile();
	int saved = dup(1);
	char *buf;
	long n;

	fflush(stdout);
	dup2(fileno(tmp), 1);
	fn(arg);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	n = ftell(tmp);
	buf = calloc(1, (size_t)n + 1);
	rewind(tmp);
	if (n > 0 && fread(buf, 1, (size_t)n, tmp) != (size_t)n)
		n = 0;
	fclose(tmp);
	*len = (size_t)n;
	return buf;
}

/* lines newline-terminated lines, each valid UTF-8 with no control byte. */
static bool text_safe(const char *s, size_t n, int lines)
{
	size_t i = 0;
	uint32_t cp;
	int l, seen = 0;

	while (i < n) {
		if (s[i] == '\n') {
			seen++;
			i++;
			continue;
		}
		l = xf_utf8_decode(s + i, n - i, &cp);
		if (!l || xf_text_unsafe_cp(cp))
			return false;
		i += (size_t)l;
	}
	return seen == lines && n && s[n - 1] == '\n';
}

static struct nl_msg *msg_new(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, 0x20, 0, 0, cmd, 1);
	return m;
}

static void put_owner(struct nl_msg *m, int attr, const char *h)
{
	struct nlattr *o = nla_nest_start(m, attr);
	char comm[16], exe[256];

	snprintf(comm, sizeof(comm), "%s", h);
	snprintf(exe, sizeof(exe), "/tmp/%s", h);
	nla_put_u32(m, XFILTER_OWNER_A_TGID, 412);
	nla_put_u32(m, XFILTER_OWNER_A_UID, 1001);
	nla_put_string(m, XFILTER_OWNER_A_COMM, comm);
	nla_put_string(m, XFILTER_OWNER_A_EXE, exe);
	nla_nest_end(m, o);
}

/* A dumped rule: drop, comm/exe of h, temporary with reason h. */
static struct nl_msg *rule_msg(const char *h, bool temporary)
{
	struct nl_msg *m = msg_new(XFILTER_CMD_RULE_GET);
	struct nlattr *r = nla_nest_start(m, XFILTER_A_RULE);
	char comm[16], exe[256], reason[64];

	snprintf(comm, sizeof(comm), "%s", h);
	snprintf(exe, sizeof(exe), "/tmp/%s", h);
	snprintf(reason, sizeof(reason), "alert 5: portscan by %s pid 412", h);
	nla_put_u32(m, XFILTER_RULE_A_INDEX, 0);
	nla_put_u8(m, XFILTER_RULE_A_ACTION, XF_ACT_DROP);
	nla_put_u32(m, XFILTER_RULE_A_DOMID, 7);
	nla_put_string(m, XFILTER_RULE_A_COMM, comm);
	nla_put_string(m, XFILTER_RULE_A_EXE, exe);
	if (temporary) {
		nla_put_u32(m, XFILTER_RULE_A_EXPIRES_MS, 5000);
		nla_put_u32(m, XFILTER_RULE_A_ALERT, 5);
		nla_put_string(m, XFILTER_RULE_A_REASON, reason);
	}
	nla_nest_end(m, r);
	return m;
}

struct job {
	struct nl_msg *msg;
	int (*cb)(struct nl_msg *, void *);
	void *arg;
	const char *pre, *post;	/* JSON array brackets, or NULL */
};

static void run_job(void *p)
{
	struct job *j = p;

	if (j->pre)
		fputs(j->pre, stdout);
	j->cb(j->msg, j->arg);
	if (j->post)
		fputs(j->post, stdout);
}

/* One message through cb in text (lines lines) and in JSON. */
static void check_cb(const char *what, const char *hname,
		     struct nl_msg *(*mk)(const char *), const char *h,
		     int (*cb)(struct nl_msg *, void *), void *arg,
		     bool array, int lines)
{
	struct job j = { .cb = cb, .arg = arg };
	size_t len;
	char *out;
	int k;

	for (k = 0; k < 2; k++) {
		xfctl_opts.json = k;
		j.msg = mk(h);
		j.pre = k && array ? "[" : NULL;
		j.post = k && array ? "]" : NULL;
		if (cb == xfctl_rule_list_cb) {
			struct xfctl_rule_list *l = arg;

			l->json = k;
			l->n = 0;
		}
		out = capture(run_job, &j, &len);
		if (k && !ok(json_valid(out, len), "%s -j, %s: valid JSON",
			     what, hname))
			diag("%s", out);
		if (!k && !ok(text_safe(out, len, lines),
			      "%s, %s: %d safe line(s)", what, hname, lines))
			diag("%s", out);
		free(out);
		nlmsg_free(j.msg);
	}
	xfctl_opts.json = false;
}

static struct nl_msg *mk_rule(const char *h) { return rule_msg(h, true); }

static struct nl_msg *mk_flow(const char *h)
{
	struct nl_msg *m = msg_new(XFILTER_CMD_LOG);
	struct nlattr *f = nla_nest_start(m, XFILTER_A_FLOW);
	uint8_t a[4] = { 10, 0, 0, 2 };

	nla_put_u32(m, XFILTER_FLOW_A_DOMID, 7);
	nla_put_u8(m, XFILTER_FLOW_A_FAMILY, 2);
	nla_put_u8(m, XFILTER_FLOW_A_PROTO, 6);
	nla_put_u8(m, XFILTER_FLOW_A_ACTION, XF_ACT_DROP);
	nla_put(m, XFILTER_FLOW_A_SADDR, 4, a);
	nla_put(m, XFILTER_FLOW_A_DADDR, 4, a);
	put_owner(m, XFILTER_FLOW_A_OWNER, h);
	nla_nest_end(m, f);
	return m;
}

static struct nlattr *alert_nest(struct nl_msg *m, const char *h)
{
	struct nlattr *a = nla_nest_start(m, XFILTER_A_ALERT), *r;
	char comm[16];

	snprintf(comm, sizeof(comm), "%s", h);
	nla_put_u32(m, XFILTER_ALERT_A_ID, 3);
	nla_put_u32(m, XFILTER_ALERT_A_DOMID, 7);
	nla_put_u32(m, XFILTER_ALERT_A_KINDS, 1);
	put_owner(m, XFILTER_ALERT_A_OWNER, h);
	/* Suggested rules carry no comm today; one that did must be safe. */
	r = nla_nest_start(m, XFILTER_ALERT_A_RULE);
	nla_put_u8(m, XFILTER_RULE_A_ACTION, XF_ACT_DROP);
	nla_put_string(m, XFILTER_RULE_A_COMM, comm);
	nla_nest_end(m, r);
	nla_nest_end(m, a);
	return a;
}

static struct nl_msg *mk_alert(const char *h)
{
	struct nl_msg *m = msg_new(XFILTER_CMD_ALERT);

	alert_nest(m, h);
	return m;
}

static int alert_cb(struct nl_msg *m, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1];

	xf_nl_parse(m, tb);
	xfctl_alert_print(tb[XFILTER_A_ALERT], xfctl_opts.json, UINT32_MAX,
			  true);
	return 0;
}

static struct nl_msg *mk_vif(const char *h)
{
	struct nl_msg *m = msg_new(XFILTER_CMD_VIF_GET);
	struct nlattr *v = nla_nest_start(m, XFILTER_A_VIF);
	char name[16];

	snprintf(name, sizeof(name), "%s", h);
	nla_put_string(m, XFILTER_VIF_A_IFNAME, name);
	nla_put_u32(m, XFILTER_VIF_A_IFINDEX, 4);
	nla_nest_end(m, v);
	return m;
}

static void check_save(const char *h, const char *hname)
{
	struct xfctl_rule_list l = { .save = true };
	struct xf_rule want, got;
	struct xf_rule_error e;
	struct nlattr *tb[XFILTER_A_MAX + 1];
	struct nl_msg *tmp = rule_msg(h, true), *keep = rule_msg(h, false);
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	uint32_t idx;
	int rules = 0, bad = 0;

	/* What xfctl save writes: the comment, then the kept rule. */
	l.f = open_memstream(&buf, &len);
	xf_nl_parse(tmp, tb);
	xf_rule_from_attrs(tb[XFILTER_A_RULE], &want, &idx);
	xfctl_save_temporary(l.f, &want);
	xfctl_rule_list_cb(keep, &l);
	fclose(l.f);
	xf_nl_parse(keep, tb);
	xf_rule_from_attrs(tb[XFILTER_A_RULE], &want, &idx);
	if (!ok(text_safe(buf, len, 2), "save, %s: two safe lines", hname))
		diag("%s", buf);
	/* What xfctl restore reads: '#' lines skipped, others parsed. */
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (*line == '#')
			continue;
		if (xf_rule_parse_line(line, strlen(line), &got, &e) ||
		    !xf_rule_equal(&got, &want))
			bad++;
		rules++;
	}
	if (!ok(rules == 1 && !bad, "save | restore, %s: exactly the kept rule",
	   hname))
		diag("%d rules, %d different", rules, bad);
	free(buf);
	nlmsg_free(tmp);
	nlmsg_free(keep);
}

static void check_daemon_stats(const char *h, const char *hname)
{
	char path[] = "/tmp/xfctl-out-XXXXXX", *buf = NULL, *json;
	size_t len = 0;
	FILE *f;
	int fd = mkstemp(path), k;

	f = fdopen(fd, "w");
	/* xfilterd writes names without blanks; cut h at the first one. */
	fprintf(f, "pid 1\nbatches 2\ndomain 7 x%.*s ready\n",
		(int)strcspn(h, " \n\t\r"), h);
	fclose(f);
	for (k = 0; k < 2; k++) {
		xfctl_opts.json = k;
		f = open_memstream(&buf, &len);
		if (k)
			fputs("{\"a\":0", f);
		xfctl_print_daemon_stats_file(f, path);
		if (k)
			fputc('}', f);
		fclose(f);
		if (k) {
			json = buf;
			if (!ok(json_valid(json, len), "stats -j xfilterd, %s: valid JSON",
			   hname))
		diag("%s", json);
		} else {
			if (!ok(text_safe(buf, len, 4), "stats xfilterd, %s: safe lines",
			   hname))
		diag("%s", buf);
		}
		free(buf);
		buf = NULL;
	}
	xfctl_opts.json = false;
	unlink(path);
}

/*
 * Replies from a module that omits attributes (version skew): domain show
 * and flows must print what they have, never dereference a missing one.
 */
static struct nl_msg *mk_bare_domain(const char *h)
{
	struct nl_msg *m = msg_new(XFILTER_CMD_DOMAIN_GET);
	struct nlattr *d = nla_nest_start(m, XFILTER_A_DOMAIN);

	nla_put_u32(m, XFILTER_DOMAIN_A_DOMID, 7);
	if (*h)		/* detect without its figures */
		nla_put_u8(m, XFILTER_DOMAIN_A_DETECT, 1);
	nla_nest_end(m, d);
	return m;
}

static struct nl_msg *mk_bare_flow(const char *h)
{
	struct nl_msg *m = msg_new(XFILTER_CMD_FLOW_GET);
	struct nlattr *f = nla_nest_start(m, XFILTER_A_FLOW);
	uint8_t a[3] = { 10, 0, 0 };

	/* libnl drops an empty nest: give the domid only, or a bad address. */
	if (*h)
		nla_put(m, XFILTER_FLOW_A_SADDR, 3, a);
	else
		nla_put_u32(m, XFILTER_FLOW_A_DOMID, 7);
	nla_nest_end(m, f);
	return m;
}

int main(void)
{
	struct xfctl_rule_list l = { .f = stdout };
	struct xfctl_monitor m = { .filter = false };
	int vifs = 0;
	size_t i;

	for (i = 0; i < NH; i++) {
		const char *h = hostile[i].s, *n = hostile[i].name;

		check_cb("rule list", n, mk_rule, h, xfctl_rule_list_cb, &l,
			 true, 1);
		check_cb("monitor flow", n, mk_flow, h, xfctl_monitor_cb, &m,
			 false, 1);
		/* An alert is two lines of text: the evidence, the rule. */
		check_cb("monitor alert", n, mk_alert, h, xfctl_monitor_cb, &m,
			 false, 2);
		check_cb("alerts", n, mk_alert, h, alert_cb, NULL, true, 2);
		vifs = 0;
		check_cb("vif", n, mk_vif, h, xfctl_vif_cb, &vifs, true, 1);
		check_save(h, n);
		check_daemon_stats(h, n);
	}
	for (i = 0; i < 2; i++) {
		const char *h = i ? "x" : "";

		vifs = 0;
		check_cb("domain show, attributes missing",
			 i ? "detect only" : "domid only", mk_bare_domain, h,
			 xfctl_domain_cb, &vifs, true, 1);
		vifs = 0;
		check_cb("flows, attributes missing",
			 i ? "3-byte saddr only" : "domid only", mk_bare_flow, h,
			 xfctl_flow_cb, &vifs, true, 1);
	}
	return tap_done();
}
