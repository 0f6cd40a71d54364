// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl vif [list]: the devices xfilter is attached to and which hook each
 * uses (rx_handler on routed vifs, ingress on bridge/OVS ports).
 */
#include <string.h>

#include "json.h"
#include "nl.h"
#include "rule_text.h"
#include "xfctl.h"

void xfctl_print_stats(FILE *f, struct nlattr *nest, const char *indent);

static const char *hook_name(int h)
{
	return h == XFILTER_HOOK_RX_HANDLER ? "rx_handler" :
	       h == XFILTER_HOOK_INGRESS ? "ingress" : "none";
}

int xfctl_vif_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1], *v[XFILTER_VIF_A_MAX + 1];
	char ifname[64], q[XF_TEXT_QUOTE_MAX(64)];
	int *n = arg;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_VIF] ||
	    nla_parse_nested(v, XFILTER_VIF_A_MAX, tb[XFILTER_A_VIF], NULL) < 0 ||
	    !v[XFILTER_VIF_A_IFNAME])
		return NL_SKIP;
	/* Linux allows '"', '\\' and UTF-8 in device names. */
	nla_strlcpy(ifname, v[XFILTER_VIF_A_IFNAME], sizeof(ifname));
	if (xfctl_opts.json) {
		printf("%s%s{\"ifname\":", (*n)++ ? "," : "",
		       xfctl_opts.pretty ? "\n  " : "");
		xf_json_str(stdout, ifname);
		printf(",\"ifindex\":%u,\"hook\":\"%s\"",
		       v[XFILTER_VIF_A_IFINDEX] ?
		       nla_get_u32(v[XFILTER_VIF_A_IFINDEX]) : 0,
		       hook_name(v[XFILTER_VIF_A_HOOK] ?
				 nla_get_u8(v[XFILTER_VIF_A_HOOK]) : 0));
		if (v[XFILTER_VIF_A_DOMID])
			printf(",\"domid\":%u", nla_get_u32(v[XFILTER_VIF_A_DOMID]));
		if (v[XFILTER_VIF_A_STATS]) {
			printf(",\"stats\":{");
			xfctl_print_stats(stdout, v[XFILTER_VIF_A_STATS], "");
			printf("}");
		}
		printf("}");
		return NL_OK;
	}
	xf_text_quote(ifname, strlen(ifname), q, sizeof(q));
	printf("%-16s hook %-10s", q,
	       hook_name(v[XFILTER_VIF_A_HOOK] ?
			 nla_get_u8(v[XFILTER_VIF_A_HOOK]) : 0));
	if (v[XFILTER_VIF_A_DOMID])
		printf(" domain %u", nla_get_u32(v[XFILTER_VIF_A_DOMID]));
	printf("\n");
	if (v[XFILTER_VIF_A_STATS])
		xfctl_print_stats(stdout, v[XFILTER_VIF_A_STATS], "    ");
	return NL_OK;
}

int cmd_vif(int argc, char **argv)
{
	struct xf_nl nl;
	int err, n = 0;

	if (argc > 1 && xfctl_is_help(argv[1])) {
		printf("Usage: xfctl [-j] [-p] vif [list]\n");
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "list") && strcmp(argv[1], "show")) {
		xfctl_err("unknown vif command '%s' (list, help)", argv[1]);
		return 2;
	}
	if (argc > 2) {
		xfctl_err("unexpected argument '%s' (vif [list])", argv[2]);
		return 2;
	}
	if (xf_nl_open(&nl)) {
		xfctl_err("%s", nl.errmsg);
		return 1;
	}
	if (xfctl_opts.json)
		putchar('[');
	err = xf_nl_request(&nl, xf_nl_msg(&nl, XFILTER_CMD_VIF_GET, NLM_F_DUMP),
			    xfctl_vif_cb, &n);
	if (xfctl_opts.json)
		printf("%s]\n", xfctl_opts.pretty ? "\n" : "");
	if (err)
		xfctl_err("%s", xf_nl_strerror(&nl, err));
	xf_nl_close(&nl);
	return err ? 1 : 0;
}
