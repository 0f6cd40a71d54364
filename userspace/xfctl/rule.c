// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl rule add [index N] RULE... | del N | del RULE... | list | flush
 * RULE is core/rule_text's syntax; domain names are resolved to domids.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "nl.h"
#include "rule_text.h"
#include "xfctl.h"

/* Parse an rule_text rule in argv, resolving a domain name. */
int xfctl_rule_parse(int argc, char **argv, struct xf_rule *r)
{
	struct xf_rule_error e;
	char err[160];
	uint32_t domid;

	if (xf_rule_parse_argv(argc, (const char *const *)argv, r, &e)) {
		if (e.code == XF_TEXT_E_NO_ACTION || e.code == XF_TEXT_E_MISSING ||
		    e.code == XF_TEXT_E_TOO_LONG) {
			char q[XF_TEXT_QUOTE_MAX(XF_TEXT_TOKEN_MAX)];

			xf_text_quote(e.token, strlen(e.token), q, sizeof(q));
			if (e.code == XF_TEXT_E_NO_ACTION)
				xfctl_err("bad rule: %s", e.msg);
			else if (e.code == XF_TEXT_E_MISSING)
				xfctl_err("bad rule: '%s' needs a value", q);
			else if (e.index >= XF_TEXT_MAX_TOKENS)
				xfctl_err("bad rule: more than %d words",
					  XF_TEXT_MAX_TOKENS);
			else
				xfctl_err("bad rule at '%s': too long", q);
		} else if (e.index >= 0)
			xfctl_err("bad rule at '%s': %s", e.token, e.msg);
		else
			xfctl_err("bad rule: %s", e.msg);
		return -1;
	}
	if (r->fields & XF_RF_DOMNAME) {
		if (xf_xen_resolve_domain(r->dom_name, &domid, err,
					  sizeof(err))) {
			xfctl_err("dom '%s': %s", r->dom_name, err);
			return -1;
		}
		r->fields &= ~XF_RF_DOMNAME;
		r->fields |= XF_RF_DOMID;
		r->domid = domid;
		memset(r->dom_name, 0, sizeof(r->dom_name));
	}
	return 0;
}

int xfctl_rule_send(struct xf_nl *nl, uint8_t cmd, const struct xf_rule *r,
		    uint32_t index)
{
	struct nl_msg *msg = xf_nl_msg(nl, cmd, 0);
	int err;

	if (!msg || xf_rule_to_attrs(msg, r, index))
		return -ENOMEM;
	err = xf_nl_request(nl, msg, NULL, NULL);
	if (err)
		xfctl_err("%s", xf_nl_strerror(nl, err));
	return err;
}

/* A MIRROR rule's device counters: copies, drops, errors. */
static void mirror_counts(struct nlattr *nest, unsigned long long *c)
{
	struct nlattr *tb[XFILTER_RULE_A_MAX + 1];
	static const int a[3] = {
		XFILTER_RULE_A_MIRROR_COPIES, XFILTER_RULE_A_MIRROR_DROPS,
		XFILTER_RULE_A_MIRROR_ERRORS,
	};
	int i;

	memset(c, 0, 3 * sizeof(*c));
	if (nla_parse_nested(tb, XFILTER_RULE_A_MAX, nest, NULL) < 0)
		return;
	for (i = 0; i < 3; i++)
		if (tb[a[i]] && nla_len(tb[a[i]]) >= 8)
			c[i] = nla_get_u64(tb[a[i]]);
}

int xfctl_rule_list_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1];
	struct xfctl_rule_list *l = arg;
	struct xf_rule r;
	char text[XF_RULE_TEXT_MAX];
	unsigned long long mc[3];
	uint32_t index;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_RULE] ||
	    xf_rule_from_attrs(tb[XFILTER_A_RULE], &r, &index))
		return NL_SKIP;
	xf_rule_print(&r, text, sizeof(text));
	mirror_counts(tb[XFILTER_A_RULE], mc);
	if (l->save) {
		fprintf(l->f, "%s\n", text);
	} else if (l->json) {
		fprintf(l->f, "%s%s{", l->n ? "," : "",
			xfctl_opts.pretty ? "\n  " : "");
		if (index != UINT32_MAX)
			fprintf(l->f, "\"index\":%u,", index);
		fprintf(l->f, "\"rule\":");
		xf_json_str(l->f, text);
		fprintf(l->f, ",\"packets\":%llu,\"bytes\":%llu",
			(unsigned long long)r.packets,
			(unsigned long long)r.bytes);
		if (r.action == XF_ACT_MIRROR)
			fprintf(l->f, ",\"mirror_copies\":%llu,\"mirror_drops\":%llu,\"mirror_errors\":%llu",
				mc[0], mc[1], mc[2]);
		if (r.expires_ms)
			fprintf(l->f, ",\"expires_ms\":%llu",
				(unsigned long long)r.expires_ms - 1);
		if (r.alert)
			fprintf(l->f, ",\"alert\":%u", r.alert);
		if (r.reason[0]) {
			fprintf(l->f, ",\"reason\":");
			xf_json_str(l->f, r.reason);
		}
		fputc('}', l->f);
	} else {
		if (index != UINT32_MAX)
			fprintf(l->f, "%4u", index);
		else
			fprintf(l->f, "   -");	/* a detection block */
		fprintf(l->f, "  %-60s  %llu pkts %llu bytes", text,
			(unsigned long long)r.packets,
			(unsigned long long)r.bytes);
		if (r.action == XF_ACT_MIRROR)
			fprintf(l->f, "  copies %llu drops %llu errors %llu",
				mc[0], mc[1], mc[2]);
		if (r.expires_ms)
			fprintf(l->f, "  expires %llus",
				(unsigned long long)(r.expires_ms - 1 + 999) / 1000);
		if (r.reason[0]) {
			char why[XF_TEXT_QUOTE_MAX(XF_RULE_REASON_LEN)];

			/* The reason holds a guest's comm (detect block). */
			xf_text_quote(r.reason, strnlen(r.reason, sizeof(r.reason)),
				      why, sizeof(why));
			fprintf(l->f, "  (%s)", why);
		}
		fputc('\n', l->f);
	}
	l->n++;
	return NL_OK;
}

int xfctl_rule_list(struct xf_nl *nl, FILE *f, bool save)
{
	struct xfctl_rule_list l = { .f = f, .json = xfctl_opts.json && !save,
			       .save = save };
	struct nl_msg *msg = xf_nl_msg(nl, XFILTER_CMD_RULE_GET, NLM_F_DUMP);
	int err;

	if (!msg)
		return -ENOMEM;
	if (l.json)
		fputc('[', f);
	err = xf_nl_request(nl, msg, xfctl_rule_list_cb, &l);
	if (l.json)
		fprintf(f, "%s]\n", xfctl_opts.pretty ? "\n" : "");
	if (err)
		xfctl_err("%s", xf_nl_strerror(nl, err));
	return err;
}

/*
 * The owner's exe and cgroup path are read by xfilterd only (mode
 * userland): the filter in Xen does not read them yet (neither is in the
 * hypercall ABI). There such an owner field is always unknown, so the rule
 * never accepts and, if it drops, drops every flow its other fields match
 * (core/rule.c: no verdict is cheaper to get by hiding). Say so when such a
 * rule is added for a domain in mode hypervisor.
 */
struct hv_doms {
	uint32_t rule_domid;	/* UINT32_MAX: any domain */
	int hits;
	uint32_t first;
};

static int hv_dom_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1], *d[XFILTER_DOMAIN_A_MAX + 1];
	struct hv_doms *h = arg;
	uint32_t domid;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_DOMAIN] ||
	    nla_parse_nested(d, XFILTER_DOMAIN_A_MAX, tb[XFILTER_A_DOMAIN],
			     NULL) < 0 || !d[XFILTER_DOMAIN_A_DOMID] ||
	    !d[XFILTER_DOMAIN_A_MODE] ||
	    nla_get_u8(d[XFILTER_DOMAIN_A_MODE]) != XFILTER_MODE_HYPERVISOR)
		return NL_OK;
	domid = nla_get_u32(d[XFILTER_DOMAIN_A_DOMID]);
	if (h->rule_domid == UINT32_MAX || domid == h->rule_domid ||
	    domid == XFILTER_DOMID_DEFAULT) {
		if (!h->hits++)
			h->first = domid;
	}
	return NL_OK;
}

static void warn_exe_hypervisor(struct xf_nl *nl, const struct xf_rule *r)
{
	struct hv_doms h = {
		.rule_domid = r->fields & XF_RF_DOMID ? r->domid : UINT32_MAX,
	};
	struct nl_msg *msg;

	const char *what = r->fields & XF_RF_EXE ? "exe" : "cgroup";
	const char *does = xf_action_drops(r->action) ?
		"drops every flow its other fields match" : "never matches";
	char dom[32];

	if (!(r->fields & (XF_RF_EXE | XF_RF_CGROUP)))
		return;
	msg = xf_nl_msg(nl, XFILTER_CMD_DOMAIN_GET, NLM_F_DUMP);
	if (!msg || xf_nl_request(nl, msg, hv_dom_cb, &h) || !h.hits)
		return;
	if (h.first == XFILTER_DOMID_DEFAULT)
		snprintf(dom, sizeof(dom), "the default mode");
	else
		snprintf(dom, sizeof(dom), "domain %u", h.first);
	fprintf(stderr, "xfctl: warning: %s is hypervisor, where %s is not read: there this rule %s\n",
		dom, what, does);
}

static const char rule_usage[] =
	"Usage: xfctl [-j] [-p] rule [list]\n"
	"       xfctl rule add [index N] RULE\n"
	"       xfctl rule del N | del RULE\n"
	"       xfctl rule flush\n"
	"RULE: [dom DOMAIN] [uid N] [euid N] [gid N] [pid N] [comm STR] [exe PATH]\n"
	"      [proto tcp|udp|icmp|icmpv6|N] [dst ADDR[/PLEN]] [sport N[-M]]\n"
	"      [dport N[-M]] accept|drop|log|log-drop|mirror DEV\n"
	"See xfctl(8).\n";

enum rule_op { OP_LIST, OP_FLUSH, OP_ADD, OP_DEL_INDEX, OP_DEL_RULE };

/* Digits or a sign: meant as a number, so it must parse as one. */
static bool looks_numeric(const char *s)
{
	return (*s >= '0' && *s <= '9') || *s == '-' || *s == '+';
}

/* Everything is parsed (and domain names resolved) before netlink opens. */
static int rule_args(int argc, char **argv, enum rule_op *op,
		     struct xf_rule *r, uint32_t *index)
{
	const char *cmd = argc ? argv[0] : "list";

	*index = UINT32_MAX;
	if (argc && xfctl_is_help(cmd)) {
		fputs(rule_usage, stdout);
		return -1;
	}
	if (!strcmp(cmd, "list") || !strcmp(cmd, "show") ||
	    !strcmp(cmd, "flush")) {
		*op = strcmp(cmd, "flush") ? OP_LIST : OP_FLUSH;
		if (argc > 1) {
			xfctl_err("unexpected argument '%s' (rule %s takes none)",
				  argv[1], cmd);
			return 2;
		}
		return 0;
	}
	if (!strcmp(cmd, "add")) {
		argc--, argv++;
		*op = OP_ADD;
		if (argc && !strcmp(argv[0], "index")) {
			if (argc < 2) {
				xfctl_err("index needs a value (rule add index N RULE)");
				return 2;
			}
			if (xfctl_u32("index", argv[1], 0, XF_RULES_MAX - 1,
				      index))
				return 2;
			argc -= 2, argv += 2;
		}
		if (!argc) {
			xfctl_err("rule add needs a RULE with an action (accept, drop, log, log-drop, mirror DEV)");
			return 2;
		}
		return xfctl_rule_parse(argc, argv, r) ? 2 : 0;
	}
	if (!strcmp(cmd, "del") || !strcmp(cmd, "delete")) {
		argc--, argv++;
		if (!argc) {
			xfctl_err("rule del needs an index or a RULE with its action");
			return 2;
		}
		if (argc == 1 && looks_numeric(argv[0])) {
			*op = OP_DEL_INDEX;
			return xfctl_u32("rule index", argv[0], 0,
					 XF_RULES_MAX - 1, index) ? 2 : 0;
		}
		*op = OP_DEL_RULE;
		return xfctl_rule_parse(argc, argv, r) ? 2 : 0;
	}
	xfctl_err("unknown rule command '%s' (add, del, list, flush, help)",
		  cmd);
	return 2;
}

int cmd_rule(int argc, char **argv)
{
	struct nl_msg *msg;
	struct nlattr *n;
	struct xf_rule r;
	struct xf_nl nl;
	uint32_t index;
	enum rule_op op;
	int err;

	err = rule_args(argc - 1, argv + 1, &op, &r, &index);
	if (err)
		return err < 0 ? 0 : err;
	if (xf_nl_open(&nl)) {
		xfctl_err("%s", nl.errmsg);
		return 1;
	}
	switch (op) {
	case OP_LIST:
		err = xfctl_rule_list(&nl, stdout, false);
		break;
	case OP_FLUSH:
		err = xf_nl_request(&nl, xf_nl_msg(&nl, XFILTER_CMD_RULE_FLUSH, 0),
				    NULL, NULL);
		if (err)
			xfctl_err("%s", xf_nl_strerror(&nl, err));
		break;
	case OP_ADD:
		err = xfctl_rule_send(&nl, XFILTER_CMD_RULE_ADD, &r, index);
		if (!err)
			warn_exe_hypervisor(&nl, &r);
		break;
	case OP_DEL_INDEX:
		msg = xf_nl_msg(&nl, XFILTER_CMD_RULE_DEL, 0);
		n = msg ? nla_nest_start(msg, XFILTER_A_RULE) : NULL;
		if (!n || nla_put_u32(msg, XFILTER_RULE_A_INDEX, index)) {
			nlmsg_free(msg);
			err = -ENOMEM;
			xfctl_err("out of memory");
			break;
		}
		nla_nest_end(msg, n);
		err = xf_nl_request(&nl, msg, NULL, NULL);
		if (err)
			xfctl_err("%s", xf_nl_strerror(&nl, err));
		break;
	case OP_DEL_RULE:
		err = xfctl_rule_send(&nl, XFILTER_CMD_RULE_DEL, &r, UINT32_MAX);
		break;
	}
	xf_nl_close(&nl);
	return err ? 1 : 0;
}
