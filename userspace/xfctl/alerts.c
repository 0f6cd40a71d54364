// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl [-j] alerts [list] [DOMAIN]: the scan and flood alerts the module
 * holds (its ring of the newest 64), oldest first, one line (or one JSON
 * object) each:
 *
 *	alert 3 dom 1 portscan pid 412 tid 412 ppid 1 uid 1001 euid 1001 gid 1001
 *	    comm xfnet: 20 ports 2000-2019, 1 host, 20 flows in 10000 ms,
 *	    20 flows until the alert; alerted
 *	    rule: xfctl rule add dom 1 uid 1001 proto tcp dst 10.0.0.1 drop
 *
 * xfctl monitor prints the same as they happen.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "nl.h"
#include "rule_text.h"
#include "xfctl.h"

static const char *const response_names[] = {
	[XFILTER_ALERT_ALERTED] = "alerted",
	[XFILTER_ALERT_BLOCKING] = "blocking",
	[XFILTER_ALERT_BLOCKED] = "blocked",
	[XFILTER_ALERT_BLOCK_EXISTS] = "blocked (rule existed)",
	[XFILTER_ALERT_BLOCK_FAILED] = "block failed",
};

static uint32_t get32(struct nlattr **tb, int a)
{
	return tb[a] && nla_len(tb[a]) >= 4 ? nla_get_u32(tb[a]) : 0;
}

static uint16_t get16(struct nlattr **tb, int a)
{
	return tb[a] && nla_len(tb[a]) >= 2 ? nla_get_u16(tb[a]) : 0;
}

static void print_kinds(uint32_t k, bool json)
{
	static const char *const names[] = {
		"portscan", "hostscan", "flood", "unattributed-flows",
	};
	int i, n = 0;

	if (json)
		printf("\"kinds\":[");
	for (i = 0; i < 4; i++) {
		if (!(k & (1U << i)))
			continue;
		printf(json ? "%s\"%s\"" : "%s%s", n++ ? (json ? "," : "+") : "",
		       names[i]);
	}
	if (json)
		putchar(']');
}

/* One XFILTER_A_ALERT nest; domid filter U32_MAX: all. Returns 1 if shown. */
int xfctl_alert_print(struct nlattr *nest, bool json, uint32_t filter,
		      bool first)
{
	struct nlattr *tb[XFILTER_ALERT_A_MAX + 1];
	char text[XF_RULE_TEXT_MAX] = "", cmd[XF_RULE_TEXT_MAX + 16];
	struct xf_rule r;
	uint32_t domid, idx;
	uint8_t resp;

	if (nla_parse_nested(tb, XFILTER_ALERT_A_MAX, nest, NULL) < 0 ||
	    !tb[XFILTER_ALERT_A_ID] || !tb[XFILTER_ALERT_A_DOMID])
		return 0;
	domid = get32(tb, XFILTER_ALERT_A_DOMID);
	if (filter != UINT32_MAX && domid != filter)
		return 0;
	if (tb[XFILTER_ALERT_A_RULE] &&
	    !xf_rule_from_attrs(tb[XFILTER_ALERT_A_RULE], &r, &idx))
		xf_rule_print(&r, text, sizeof(text));
	snprintf(cmd, sizeof(cmd), "xfctl rule add %s", text);
	resp = tb[XFILTER_ALERT_A_RESPONSE] ?
	       nla_get_u8(tb[XFILTER_ALERT_A_RESPONSE]) : 0;
	if (json) {
		printf("%s%s{\"id\":%u,\"domid\":%u,\"time\":%llu,", first ? "" : ",",
		       xfctl_opts.pretty ? "\n  " : "",
		       get32(tb, XFILTER_ALERT_A_ID), domid,
		       tb[XFILTER_ALERT_A_TIME] ?
		       (unsigned long long)nla_get_u64(tb[XFILTER_ALERT_A_TIME]) : 0ULL);
		print_kinds(get32(tb, XFILTER_ALERT_A_KINDS), true);
		printf(",\"ports\":%u,\"hosts\":%u,\"flows\":%u,\"window_ms\":%u,\"total\":%u,\"port_min\":%u,\"port_max\":%u",
		       get32(tb, XFILTER_ALERT_A_PORTS),
		       get32(tb, XFILTER_ALERT_A_HOSTS),
		       get32(tb, XFILTER_ALERT_A_FLOWS),
		       get32(tb, XFILTER_ALERT_A_WINDOW_MS),
		       get32(tb, XFILTER_ALERT_A_TOTAL),
		       get16(tb, XFILTER_ALERT_A_PORT_MIN),
		       get16(tb, XFILTER_ALERT_A_PORT_MAX));
		if (tb[XFILTER_ALERT_A_OWNER])
			xfctl_print_owner(tb[XFILTER_ALERT_A_OWNER], true);
		if (tb[XFILTER_ALERT_A_RULE]) {
			printf(",\"rule\":");
			xf_json_str(stdout, text);
			printf(",\"command\":");
			/* The rule text is escaped already; JSON-escape it again. */
			xf_json_str(stdout, cmd);
		} else {	/* unattributed-flows: no owner, no rule */
			printf(",\"rule\":null,\"command\":null");
		}
		printf(",\"response\":\"%s\"}",
		       resp < sizeof(response_names) / sizeof(response_names[0]) ?
		       response_names[resp] : "?");
		return 1;
	}
	printf("alert %u dom %u ", get32(tb, XFILTER_ALERT_A_ID), domid);
	if (get32(tb, XFILTER_ALERT_A_KINDS) & XFILTER_ALERT_UNATTRIBUTED) {
		/* No owner to name, no rule to suggest. */
		printf("unattributed-flows %u: in %u ms, ports %u-%u, %u unattributed flows until the alert; %s\n",
		       get32(tb, XFILTER_ALERT_A_FLOWS),
		       get32(tb, XFILTER_ALERT_A_WINDOW_MS),
		       get16(tb, XFILTER_ALERT_A_PORT_MIN),
		       get16(tb, XFILTER_ALERT_A_PORT_MAX),
		       get32(tb, XFILTER_ALERT_A_TOTAL),
		       resp < sizeof(response_names) / sizeof(response_names[0]) ?
		       response_names[resp] : "?");
		printf("    no owner found: xfctl domain set %u unattributed drop, or owner drop rules, stop them\n",
		       domid);
		return 1;
	}
	print_kinds(get32(tb, XFILTER_ALERT_A_KINDS), false);
	if (tb[XFILTER_ALERT_A_OWNER])
		xfctl_print_owner(tb[XFILTER_ALERT_A_OWNER], false);
	printf(": %u ports %u-%u, %u hosts, %u flows in %u ms, %u flows until the alert; %s\n",
	       get32(tb, XFILTER_ALERT_A_PORTS),
	       get16(tb, XFILTER_ALERT_A_PORT_MIN),
	       get16(tb, XFILTER_ALERT_A_PORT_MAX),
	       get32(tb, XFILTER_ALERT_A_HOSTS),
	       get32(tb, XFILTER_ALERT_A_FLOWS),
	       get32(tb, XFILTER_ALERT_A_WINDOW_MS),
	       get32(tb, XFILTER_ALERT_A_TOTAL),
	       resp < sizeof(response_names) / sizeof(response_names[0]) ?
	       response_names[resp] : "?");
	printf("    rule: xfctl rule add %s\n", text);
	return 1;
}

struct alerts_ctx {
	uint32_t filter;
	int n;
};

static int alerts_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1];
	struct alerts_ctx *c = arg;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_ALERT])
		return NL_SKIP;
	c->n += xfctl_alert_print(tb[XFILTER_A_ALERT], xfctl_opts.json,
				  c->filter, c->n == 0);
	return NL_OK;
}

int cmd_alerts(int argc, char **argv)
{
	struct alerts_ctx c = { .filter = UINT32_MAX };
	struct nl_msg *msg;
	struct xf_nl nl;
	char err[160];
	int ret;

	argc--, argv++;
	if (argc && xfctl_is_help(argv[0])) {
		printf("Usage: xfctl [-j] [-p] alerts [list] [DOMAIN]\n");
		return 0;
	}
	if (argc && (!strcmp(argv[0], "list") || !strcmp(argv[0], "show")))
		argc--, argv++;
	if (argc > 1) {
		xfctl_err("unexpected argument '%s' (alerts [list] [DOMAIN])",
			  argv[1]);
		return 2;
	}
	if (argc == 1 &&
	    xf_xen_resolve_domain(argv[0], &c.filter, err, sizeof(err))) {
		xfctl_err("domain '%s': %s", argv[0], err);
		return 2;
	}
	if (xf_nl_open(&nl)) {
		xfctl_err("%s", nl.errmsg);
		return 1;
	}
	msg = xf_nl_msg(&nl, XFILTER_CMD_ALERT_GET, NLM_F_DUMP);
	if (xfctl_opts.json)
		putchar('[');
	ret = msg ? xf_nl_request(&nl, msg, alerts_cb, &c) : -1;
	if (xfctl_opts.json)
		printf("%s]\n", xfctl_opts.pretty ? "\n" : "");
	if (ret)
		xfctl_err("%s", xf_nl_strerror(&nl, ret));
	xf_nl_close(&nl);
	return ret ? 1 : 0;
}
