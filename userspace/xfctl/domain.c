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

/* "10" or "10s" seconds, "500ms": milliseconds, or -1. */
static long parse_ms(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *s == '-' || v > 86400000)
		return -1;
	if (!strcmp(end, "ms"))
		return v;
	if (!*end || !strcmp(end, "s"))
		return v <= 86400 ? (long)v * 1000 : -1;
	return -1;
}

static long parse_count(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	return end == s || *end || *s == '-' || v > 1000000 ? -1 : (long)v;
}

static int lookup(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static int parse_domid(const char *s, uint32_t *domid)
{
	char err[160];

	char *end;

	*domid = strtoul(s, &end, 10);
	if (*s && !*end)
		return 0;
	if (!strcmp(s, "default")) {
		*domid = XFILTER_DOMID_DEFAULT;
		return 0;
	}
	if (xf_xen_resolve_domain(s, domid, err, sizeof(err))) {
		xfctl_err("domain '%s': %s", s, err);
		return -1;
	}
	return 0;
}

static int domain_set(struct xf_nl *nl, int argc, char **argv)
{
	struct nl_msg *msg;
	struct nlattr *n;
	uint32_t domid;
	int i, v, err;

	if (argc < 1) {
		xfctl_err("domain set needs a DOMAIN");
		return 2;
	}
	if (parse_domid(argv[0], &domid))
		return 2;
	msg = xf_nl_msg(nl, XFILTER_CMD_DOMAIN_SET, 0);
	n = nla_nest_start(msg, XFILTER_A_DOMAIN);
	nla_put_u32(msg, XFILTER_DOMAIN_A_DOMID, domid);
	for (i = 1; i < argc; i += 2) {
		const char *k = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int attr;

		if (!val) {
			xfctl_err("'%s' needs a value", k);
			goto bad;
		}
		if (!strcmp(k, "mode")) {
			v = lookup(mode_names, 3, val);
			attr = XFILTER_DOMAIN_A_MODE;
		} else if (!strcmp(k, "policy") || !strcmp(k, "unattributed") ||
			   !strcmp(k, "fail")) {
			v = xf_action_parse(val, strlen(val));
			attr = !strcmp(k, "policy") ? XFILTER_DOMAIN_A_POLICY :
			       !strcmp(k, "fail") ? XFILTER_DOMAIN_A_FAIL_POLICY :
			       XFILTER_DOMAIN_A_UNATTRIBUTED;
			if (attr == XFILTER_DOMAIN_A_FAIL_POLICY && v > 1)
				v = -1;
		} else if (!strcmp(k, "detect")) {
			v = lookup(detect_names, 3, val);
			attr = XFILTER_DOMAIN_A_DETECT;
		} else if (!strcmp(k, "window") || !strcmp(k, "block-time")) {
			long ms = parse_ms(val);

			if (ms < 0) {
				xfctl_err("bad value '%s' for %s (seconds, or N ms)",
					  val, k);
				goto bad;
			}
			nla_put_u32(msg, !strcmp(k, "window") ?
				    XFILTER_DOMAIN_A_DETECT_WINDOW_MS :
				    XFILTER_DOMAIN_A_BLOCK_MS, ms);
			continue;
		} else if (!strcmp(k, "unattributed-flows")) {
			long n = parse_count(val);

			if (n < 0) {
				xfctl_err("bad value '%s' for %s (a count)",
					  val, k);
				goto bad;
			}
			nla_put_u32(msg, XFILTER_DOMAIN_A_DETECT_UNATTRIBUTED, n);
			continue;
		} else if (!strcmp(k, "ports") || !strcmp(k, "hosts") ||
			   !strcmp(k, "flows")) {
			long n = parse_count(val);

			if (n < 0 || (strcmp(k, "flows") && (n == 1 || n > 64))) {
				xfctl_err("bad value '%s' for %s (%s)", val, k,
					  strcmp(k, "flows") ? "0 or 2..64" :
					  "a count");
				goto bad;
			}
			nla_put_u32(msg, !strcmp(k, "ports") ?
				    XFILTER_DOMAIN_A_DETECT_PORTS :
				    !strcmp(k, "hosts") ?
				    XFILTER_DOMAIN_A_DETECT_HOSTS :
				    XFILTER_DOMAIN_A_DETECT_FLOWS, n);
			continue;
		} else {
			xfctl_err("unknown domain setting '%s' (mode, policy, unattributed, fail, detect, window, ports, hosts, flows, unattributed-flows, block-time)",
				  k);
			goto bad;
		}
		if (v < 0) {
			xfctl_err("bad value '%s' for %s", val, k);
			goto bad;
		}
		nla_put_u8(msg, attr, v);
	}
	nla_nest_end(msg, n);
	err = xf_nl_request(nl, msg, NULL, NULL);
	if (err)
		xfctl_err("%s", xf_nl_strerror(nl, err));
	return err ? 1 : 0;
bad:
	nlmsg_free(msg);
	return 2;
}

static uint32_t u32_of(struct nlattr **d, int a)
{
	return d[a] && nla_len(d[a]) >= 4 ? nla_get_u32(d[a]) : 0;
}

static const char *detect_name(struct nlattr **d)
{
	uint8_t v = nla_get_u8(d[XFILTER_DOMAIN_A_DETECT]);

	return v < 3 ? detect_names[v] : "?";
}

static int domain_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1], *d[XFILTER_DOMAIN_A_MAX + 1];
	int *n = arg;
	uint32_t domid;
	int mode;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_DOMAIN] ||
	    nla_parse_nested(d, XFILTER_DOMAIN_A_MAX, tb[XFILTER_A_DOMAIN],
			     NULL) < 0 || !d[XFILTER_DOMAIN_A_DOMID])
		return NL_SKIP;
	domid = nla_get_u32(d[XFILTER_DOMAIN_A_DOMID]);
	mode = d[XFILTER_DOMAIN_A_MODE] ? nla_get_u8(d[XFILTER_DOMAIN_A_MODE]) : 0;
	if (mode > 2)
		mode = 0;
	if (xfctl_opts.json) {
		printf("%s%s{\"domain\":", (*n)++ ? "," : "",
		       xfctl_opts.pretty ? "\n  " : "");
		if (domid == XFILTER_DOMID_DEFAULT)
			printf("\"default\"");
		else
			printf("%u", domid);
		printf(",\"mode\":\"%s\",\"policy\":\"%s\",\"unattributed\":\"%s\",\"fail\":\"%s\"",
		       mode_names[mode],
		       xf_action_name(nla_get_u8(d[XFILTER_DOMAIN_A_POLICY])),
		       xf_action_name(nla_get_u8(d[XFILTER_DOMAIN_A_UNATTRIBUTED])),
		       xf_action_name(nla_get_u8(d[XFILTER_DOMAIN_A_FAIL_POLICY])));
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
	       xf_action_name(nla_get_u8(d[XFILTER_DOMAIN_A_POLICY])),
	       xf_action_name(nla_get_u8(d[XFILTER_DOMAIN_A_UNATTRIBUTED])),
	       xf_action_name(nla_get_u8(d[XFILTER_DOMAIN_A_FAIL_POLICY])));
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

static int domain_show(struct xf_nl *nl, int argc, char **argv)
{
	struct nl_msg *msg = xf_nl_msg(nl, XFILTER_CMD_DOMAIN_GET, NLM_F_DUMP);
	uint32_t domid;
	int err, n = 0;

	if (argc >= 1) {
		if (parse_domid(argv[0], &domid)) {
			nlmsg_free(msg);
			return 2;
		}
		nla_put_u32(msg, XFILTER_A_DOMID, domid);
	}
	if (xfctl_opts.json)
		putchar('[');
	err = xf_nl_request(nl, msg, domain_cb, &n);
	if (xfctl_opts.json)
		printf("%s]\n", xfctl_opts.pretty ? "\n" : "");
	if (err)
		xfctl_err("%s", xf_nl_strerror(nl, err));
	return err ? 1 : 0;
}

int cmd_domain(int argc, char **argv)
{
	struct xf_nl nl;
	int ret;

	argc--, argv++;
	if (xf_nl_open(&nl)) {
		xfctl_err("%s", nl.errmsg);
		return 1;
	}
	if (argc == 0 || !strcmp(argv[0], "show") || !strcmp(argv[0], "list")) {
		ret = domain_show(&nl, argc ? argc - 1 : 0, argv + 1);
	} else if (!strcmp(argv[0], "set")) {
		ret = domain_set(&nl, argc - 1, argv + 1);
	} else {
		xfctl_err("unknown domain command '%s' (show, set)", argv[0]);
		ret = 2;
	}
	xf_nl_close(&nl);
	return ret;
}
