// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl domain set DOMAIN|default [mode off|userland|hypervisor]
 *                  [policy accept|drop] [unattributed accept|drop]
 *                  [fail accept|drop] [detect off|alert|block]
 *                  [window SECS|MSms] [ports N] [hosts N] [flows N]
 *                  [unattributed-flows N] [block-time SECS]
 * xfctl domain [show [DOMAIN]]
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "nl.h"
#include "rule_text.h"
#include "xfctl.h"

void xfctl_print_stats(FILE *f, struct nlattr *nest, const char *indent);

static const char *const mode_names[] = { "off", "userland", "hypervisor" };
static const char *const detect_names[] = { "off", "alert", "block" };

/*
 * A domid (digits, strictly, 0..XFILTER_DOMID_MAX), "default", or a guest
 * name or UUID (xenstore). A token that starts like a number must be one.
 */
static int parse_domid(const char *s, uint32_t *domid)
{
	char err[160];

	if (!strcmp(s, "default")) {
		*domid = XFILTER_DOMID_DEFAULT;
		return 0;
	}
	if (*s == '-' || *s == '+' || (*s && strspn(s, "0123456789") == strlen(s)))
		return xfctl_u32("domain id", s, 0, XFILTER_DOMID_MAX, domid);
	if (xf_xen_resolve_domain(s, domid, err, sizeof(err))) {
		xfctl_err("domain '%s': %s", s, err);
		return -1;
	}
	return 0;
}

static const char domain_usage[] =
	"Usage: xfctl [-j] [-p] domain [show [DOMAIN|default]]\n"
	"       xfctl domain set DOMAIN|default SETTING VALUE...\n"
	"SETTING: mode off|userland|hypervisor  policy accept|drop\n"
	"         unattributed accept|drop  fail accept|drop\n"
	"         detect off|alert|block  window SECS|MSms (0.1 s..3600 s)\n"
	"         ports N  hosts N (0 or 2..64)  flows N  block-time SECS (1..86400)\n"
	"DOMAIN: a domid, a guest name or UUID. See xfctl(8).\n";

/*
 * The settings of domain set, checked; with msg, also put into it. Run
 * once without msg before netlink opens, so a typo never reaches it.
 */
static int domain_args(int argc, char **argv, struct nl_msg *msg)
{
	char err[256];

	if (xf_domain_settings(argc - 1, argv + 1, msg, err, sizeof(err))) {
		if (argc < 2)
			xfctl_err("domain set %s %s", argc ? argv[0] : "DOMAIN",
				  err);
		else
			xfctl_err("%s", err);
		return msg && !strcmp(err, "out of memory") ? 1 : 2;
	}
	return 0;
}

static int domain_set(struct xf_nl *nl, uint32_t domid, int argc, char **argv)
{
	struct nl_msg *msg;
	struct nlattr *n;
	int err;

	msg = xf_nl_msg(nl, XFILTER_CMD_DOMAIN_SET, 0);
	n = msg ? nla_nest_start(msg, XFILTER_A_DOMAIN) : NULL;
	if (!n || nla_put_u32(msg, XFILTER_DOMAIN_A_DOMID, domid) ||
	    domain_args(argc, argv, msg)) {
		xfctl_err("out of memory");
		nlmsg_free(msg);
		return 1;
	}
	nla_nest_end(msg, n);
	err = xf_nl_request(nl, msg, NULL, NULL);
	if (err)
		xfctl_err("%s", xf_nl_strerror(nl, err));
	return err ? 1 : 0;
}

static uint32_t u32_of(struct nlattr **d, int a)
{
	return d[a] && nla_len(d[a]) >= 4 ? nla_get_u32(d[a]) : 0;
}

/* Every attribute may be missing (an older or newer module): checked. */
static int u8_of(struct nlattr **d, int a)
{
	return d[a] && nla_len(d[a]) >= 1 ? nla_get_u8(d[a]) : -1;
}

static const char *action_of(struct nlattr **d, int a)
{
	int v = u8_of(d, a);

	return v < 0 ? "?" : xf_action_name((uint8_t)v);
}

static const char *detect_name(struct nlattr **d)
{
	int v = u8_of(d, XFILTER_DOMAIN_A_DETECT);

	return v >= 0 && v < 3 ? detect_names[v] : "?";
}

int xfctl_domain_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1], *d[XFILTER_DOMAIN_A_MAX + 1];
	int *n = arg;
	uint32_t domid;
	int mode;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_DOMAIN] ||
	    nla_parse_nested(d, XFILTER_DOMAIN_A_MAX, tb[XFILTER_A_DOMAIN],
			     NULL) < 0 || !d[XFILTER_DOMAIN_A_DOMID])
		return NL_SKIP;
	domid = u32_of(d, XFILTER_DOMAIN_A_DOMID);
	mode = u8_of(d, XFILTER_DOMAIN_A_MODE);
	if (mode < 0 || mode > 2)
		mode = 0;
	if (xfctl_opts.json) {
		/* domid is a number everywhere; the default entry is 65535. */
		printf("%s%s{\"domid\":%u,\"default\":%s", (*n)++ ? "," : "",
		       xfctl_opts.pretty ? "\n  " : "", domid,
		       domid == XFILTER_DOMID_DEFAULT ? "true" : "false");
		printf(",\"mode\":\"%s\",\"policy\":\"%s\",\"unattributed\":\"%s\",\"fail\":\"%s\"",
		       mode_names[mode],
		       action_of(d, XFILTER_DOMAIN_A_POLICY),
		       action_of(d, XFILTER_DOMAIN_A_UNATTRIBUTED),
		       action_of(d, XFILTER_DOMAIN_A_FAIL_POLICY));
		if (d[XFILTER_DOMAIN_A_DETECT])
			printf(",\"detect\":\"%s\",\"detect_window_ms\":%u,\"detect_ports\":%u,\"detect_hosts\":%u,\"detect_flows\":%u,\"detect_unattributed_flows\":%u,\"block_ms\":%u",
			       detect_name(d), u32_of(d, XFILTER_DOMAIN_A_DETECT_WINDOW_MS),
			       u32_of(d, XFILTER_DOMAIN_A_DETECT_PORTS),
			       u32_of(d, XFILTER_DOMAIN_A_DETECT_HOSTS),
			       u32_of(d, XFILTER_DOMAIN_A_DETECT_FLOWS),
			       u32_of(d, XFILTER_DOMAIN_A_DETECT_UNATTRIBUTED),
			       u32_of(d, XFILTER_DOMAIN_A_BLOCK_MS));
		if (d[XFILTER_DOMAIN_A_STATS]) {
			printf(",\"stats\":{");
			xfctl_print_stats(stdout, d[XFILTER_DOMAIN_A_STATS], "");
			printf("}");
		}
		printf("}");
		return NL_OK;
	}
	if (domid == XFILTER_DOMID_DEFAULT)
		printf("domain default");
	else
		printf("domain %u", domid);
	printf(" mode %s policy %s unattributed %s fail %s", mode_names[mode],
	       action_of(d, XFILTER_DOMAIN_A_POLICY),
	       action_of(d, XFILTER_DOMAIN_A_UNATTRIBUTED),
	       action_of(d, XFILTER_DOMAIN_A_FAIL_POLICY));
	if (d[XFILTER_DOMAIN_A_DETECT])
		printf(" detect %s window %ums ports %u hosts %u flows %u unattributed-flows %u block-time %us",
		       detect_name(d), u32_of(d, XFILTER_DOMAIN_A_DETECT_WINDOW_MS),
		       u32_of(d, XFILTER_DOMAIN_A_DETECT_PORTS),
		       u32_of(d, XFILTER_DOMAIN_A_DETECT_HOSTS),
		       u32_of(d, XFILTER_DOMAIN_A_DETECT_FLOWS),
		       u32_of(d, XFILTER_DOMAIN_A_DETECT_UNATTRIBUTED),
		       u32_of(d, XFILTER_DOMAIN_A_BLOCK_MS) / 1000);
	putchar('\n');
	if (d[XFILTER_DOMAIN_A_STATS] && !arg)
		return NL_OK;
	if (d[XFILTER_DOMAIN_A_STATS])
		xfctl_print_stats(stdout, d[XFILTER_DOMAIN_A_STATS], "    ");
	return NL_OK;
}

static int domain_show(struct xf_nl *nl, bool one, uint32_t domid)
{
	struct nl_msg *msg = xf_nl_msg(nl, XFILTER_CMD_DOMAIN_GET, NLM_F_DUMP);
	int err, n = 0;

	if (!msg || (one && nla_put_u32(msg, XFILTER_A_DOMID, domid))) {
		nlmsg_free(msg);
		xfctl_err("out of memory");
		return 1;
	}
	if (xfctl_opts.json)
		putchar('[');
	err = xf_nl_request(nl, msg, xfctl_domain_cb, &n);
	if (xfctl_opts.json)
		printf("%s]\n", xfctl_opts.pretty ? "\n" : "");
	if (err)
		xfctl_err("%s", xf_nl_strerror(nl, err));
	return err ? 1 : 0;
}

int cmd_domain(int argc, char **argv)
{
	bool set = false, one = false;
	uint32_t domid = 0;
	struct xf_nl nl;
	int ret;

	argc--, argv++;
	if (argc && xfctl_is_help(argv[0])) {
		fputs(domain_usage, stdout);
		return 0;
	}
	if (argc == 0 || !strcmp(argv[0], "show") || !strcmp(argv[0], "list")) {
		if (argc > 2) {
			xfctl_err("unexpected argument '%s' (domain show [DOMAIN])",
				  argv[2]);
			return 2;
		}
		one = argc == 2;
		if (one && parse_domid(argv[1], &domid))
			return 2;
	} else if (!strcmp(argv[0], "set")) {
		set = true;
		if (argc < 2) {
			xfctl_err("domain set needs a DOMAIN (a domid, name, UUID or default)");
			return 2;
		}
		if (parse_domid(argv[1], &domid) ||
		    domain_args(argc - 1, argv + 1, NULL))
			return 2;
	} else {
		xfctl_err("unknown domain command '%s' (show, set, help)", argv[0]);
		return 2;
	}
	if (xf_nl_open(&nl)) {
		xfctl_err("%s", nl.errmsg);
		return 1;
	}
	ret = set ? domain_set(&nl, domid, argc - 1, argv + 1) :
		    domain_show(&nl, one, domid);
	xf_nl_close(&nl);
	return ret;
}
