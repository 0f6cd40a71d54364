// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl flows [show] [dom DOMAIN] | flows flush [dom DOMAIN]
 */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <errno.h>
#include <string.h>

#include "mem.h"
#include "nl.h"
#include "rule_text.h"
#include "xfctl.h"

static const char *const source_names[] = {
	"rule", "default", "unattributed", "fail-absent", "fail-timeout",
	"fail-overflow", "override",
};

static int flow_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1], *f[XFILTER_FLOW_A_MAX + 1];
	char sa[INET6_ADDRSTRLEN] = "?", da[INET6_ADDRSTRLEN] = "?";
	int *n = arg, fam;
	bool pending;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_FLOW] ||
	    nla_parse_nested(f, XFILTER_FLOW_A_MAX, tb[XFILTER_A_FLOW], NULL) < 0 ||
	    !f[XFILTER_FLOW_A_SADDR] || !f[XFILTER_FLOW_A_DADDR])
		return NL_SKIP;
	fam = nla_get_u8(f[XFILTER_FLOW_A_FAMILY]);
	inet_ntop(fam, nla_data(f[XFILTER_FLOW_A_SADDR]), sa, sizeof(sa));
	inet_ntop(fam, nla_data(f[XFILTER_FLOW_A_DADDR]), da, sizeof(da));
	pending = f[XFILTER_FLOW_A_STATE] &&
		  nla_get_u8(f[XFILTER_FLOW_A_STATE]) == XFILTER_FLOW_PENDING;
	if (xfctl_opts.json) {
		printf("%s%s{\"domain\":%u,\"proto\":%u,\"saddr\":\"%s\",\"sport\":%u,\"daddr\":\"%s\",\"dport\":%u,\"state\":\"%s\"",
		       (*n)++ ? "," : "", xfctl_opts.pretty ? "\n  " : "",
		       nla_get_u32(f[XFILTER_FLOW_A_DOMID]),
		       nla_get_u8(f[XFILTER_FLOW_A_PROTO]), sa,
		       nla_get_u16(f[XFILTER_FLOW_A_SPORT]), da,
		       nla_get_u16(f[XFILTER_FLOW_A_DPORT]),
		       pending ? "pending" : "cached");
		if (f[XFILTER_FLOW_A_ACTION])
			printf(",\"action\":\"%s\"",
			       xf_action_name(nla_get_u8(f[XFILTER_FLOW_A_ACTION])));
		if (f[XFILTER_FLOW_A_SOURCE] &&
		    nla_get_u8(f[XFILTER_FLOW_A_SOURCE]) < 7)
			printf(",\"source\":\"%s\"",
			       source_names[nla_get_u8(f[XFILTER_FLOW_A_SOURCE])]);
		if (f[XFILTER_FLOW_A_RULE])
			printf(",\"rule\":%u", nla_get_u32(f[XFILTER_FLOW_A_RULE]));
		if (f[XFILTER_FLOW_A_EXPIRES_MS])
			printf(",\"expires_ms\":%u",
			       nla_get_u32(f[XFILTER_FLOW_A_EXPIRES_MS]));
		if (f[XFILTER_FLOW_A_HELD])
			printf(",\"held\":%u", nla_get_u32(f[XFILTER_FLOW_A_HELD]));
		printf("}");
		return NL_OK;
	}
	printf("dom %u proto %u %s:%u -> %s:%u %s", nla_get_u32(f[XFILTER_FLOW_A_DOMID]),
	       nla_get_u8(f[XFILTER_FLOW_A_PROTO]), sa,
	       nla_get_u16(f[XFILTER_FLOW_A_SPORT]), da,
	       nla_get_u16(f[XFILTER_FLOW_A_DPORT]),
	       pending ? "pending" : "cached");
	if (f[XFILTER_FLOW_A_ACTION])
		printf(" %s", xf_action_name(nla_get_u8(f[XFILTER_FLOW_A_ACTION])));
	if (f[XFILTER_FLOW_A_EXPIRES_MS])
		printf(" expires %ums", nla_get_u32(f[XFILTER_FLOW_A_EXPIRES_MS]));
	if (f[XFILTER_FLOW_A_HELD])
		printf(" held %u", nla_get_u32(f[XFILTER_FLOW_A_HELD]));
	printf("\n");
	return NL_OK;
}

int cmd_flows(int argc, char **argv)
{
	bool flush = false;
	struct nl_msg *msg;
	struct xf_nl nl;
	uint32_t domid = UINT32_MAX;
	char err_s[160];
	int i, err, n = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "show") || !strcmp(argv[i], "list")) {
			continue;
		} else if (!strcmp(argv[i], "flush")) {
			flush = true;
		} else if (!strcmp(argv[i], "dom") && i + 1 < argc) {
			if (xf_xen_resolve_domain(argv[++i], &domid, err_s,
						  sizeof(err_s))) {
				xfctl_err("dom '%s': %s", argv[i], err_s);
				return 2;
			}
		} else {
			xfctl_err("unknown flows argument '%s' (show, flush, dom D)",
				  argv[i]);
			return 2;
		}
	}
	if (xf_nl_open(&nl)) {
		xfctl_err("%s", nl.errmsg);
		return 1;
	}
	msg = xf_nl_msg(&nl, flush ? XFILTER_CMD_FLOW_FLUSH :
			XFILTER_CMD_FLOW_GET, flush ? 0 : NLM_F_DUMP);
	if (domid != UINT32_MAX)
		nla_put_u32(msg, XFILTER_A_DOMID, domid);
	if (xfctl_opts.json && !flush)
		putchar('[');
	err = xf_nl_request(&nl, msg, flush ? NULL : flow_cb, &n);
	if (xfctl_opts.json && !flush)
		printf("%s]\n", xfctl_opts.pretty ? "\n" : "");
	if (err)
		xfctl_err("%s", xf_nl_strerror(&nl, err));
	xf_nl_close(&nl);
	return err ? 1 : 0;
}
