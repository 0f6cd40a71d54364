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

/* Every attribute may be missing (version skew): checked before use. */
static uint32_t get32(struct nlattr **f, int a)
{
	return f[a] && nla_len(f[a]) >= 4 ? nla_get_u32(f[a]) : 0;
}

static uint16_t get16(struct nlattr **f, int a)
{
	return f[a] && nla_len(f[a]) >= 2 ? nla_get_u16(f[a]) : 0;
}

static int get8(struct nlattr **f, int a)
{
	return f[a] && nla_len(f[a]) >= 1 ? nla_get_u8(f[a]) : -1;
}

/* An address attribute of the family's length, as text, else "?". */
static void addr_of(struct nlattr *a, int fam, char *buf, size_t size)
{
	int alen = fam == AF_INET6 ? 16 : 4;

	if (!a || nla_len(a) != alen ||
	    !inet_ntop(fam, nla_data(a), buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

int xfctl_flow_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1], *f[XFILTER_FLOW_A_MAX + 1];
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN], pb[4];
	const char *proto;
	int *n = arg, fam, act, src;
	bool pending;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_FLOW] ||
	    nla_parse_nested(f, XFILTER_FLOW_A_MAX, tb[XFILTER_A_FLOW], NULL) < 0)
		return NL_SKIP;
	fam = get8(f, XFILTER_FLOW_A_FAMILY) == AF_INET6 ? AF_INET6 : AF_INET;
	addr_of(f[XFILTER_FLOW_A_SADDR], fam, sa, sizeof(sa));
	addr_of(f[XFILTER_FLOW_A_DADDR], fam, da, sizeof(da));
	pending = get8(f, XFILTER_FLOW_A_STATE) == XFILTER_FLOW_PENDING;
	act = get8(f, XFILTER_FLOW_A_ACTION);
	src = get8(f, XFILTER_FLOW_A_SOURCE);
	proto = get8(f, XFILTER_FLOW_A_PROTO) < 0 ? "?" :
		xfctl_proto_name((uint8_t)get8(f, XFILTER_FLOW_A_PROTO), pb,
				 sizeof(pb));
	if (xfctl_opts.json) {
		printf("%s%s{\"domid\":%u,\"family\":\"%s\",\"proto\":\"%s\",\"saddr\":\"%s\",\"sport\":%u,\"daddr\":\"%s\",\"dport\":%u,\"state\":\"%s\"",
		       (*n)++ ? "," : "", xfctl_opts.pretty ? "\n  " : "",
		       get32(f, XFILTER_FLOW_A_DOMID),
		       fam == AF_INET6 ? "inet6" : "inet", proto, sa,
		       get16(f, XFILTER_FLOW_A_SPORT), da,
		       get16(f, XFILTER_FLOW_A_DPORT),
		       pending ? "pending" : "cached");
		if (act >= 0)
			printf(",\"action\":\"%s\"", xf_action_name((uint8_t)act));
		if (src >= 0 && src < 7)
			printf(",\"source\":\"%s\"", source_names[src]);
		if (f[XFILTER_FLOW_A_RULE])
			printf(",\"rule\":%u", get32(f, XFILTER_FLOW_A_RULE));
		if (f[XFILTER_FLOW_A_EXPIRES_MS])
			printf(",\"expires_ms\":%u",
			       get32(f, XFILTER_FLOW_A_EXPIRES_MS));
		if (f[XFILTER_FLOW_A_HELD])
			printf(",\"held\":%u", get32(f, XFILTER_FLOW_A_HELD));
		printf("}");
		return NL_OK;
	}
	/* IPv6 endpoints in brackets, as monitor prints them. */
	printf(fam == AF_INET6 ? "dom %u %s [%s]:%u -> [%s]:%u %s" :
	       "dom %u %s %s:%u -> %s:%u %s",
	       get32(f, XFILTER_FLOW_A_DOMID), proto, sa,
	       get16(f, XFILTER_FLOW_A_SPORT), da,
	       get16(f, XFILTER_FLOW_A_DPORT),
	       pending ? "pending" : "cached");
	if (act >= 0)
		printf(" %s", xf_action_name((uint8_t)act));
	if (f[XFILTER_FLOW_A_EXPIRES_MS])
		printf(" expires %ums", get32(f, XFILTER_FLOW_A_EXPIRES_MS));
	if (f[XFILTER_FLOW_A_HELD])
		printf(" held %u", get32(f, XFILTER_FLOW_A_HELD));
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
		if (xfctl_is_help(argv[i])) {
			printf("Usage: xfctl [-j] [-p] flows [show] [dom DOMAIN]\n"
			       "       xfctl flows flush [dom DOMAIN]\n");
			return 0;
		} else if (i == 1 && (!strcmp(argv[i], "show") ||
				      !strcmp(argv[i], "list"))) {
			continue;
		} else if (i == 1 && !strcmp(argv[i], "flush")) {
			flush = true;
		} else if (!strcmp(argv[i], "dom") && i + 1 == argc) {
			xfctl_err("dom needs a DOMAIN (flows [show|flush] dom DOMAIN)");
			return 2;
		} else if (!strcmp(argv[i], "dom") && domid == UINT32_MAX) {
			if (xf_xen_resolve_domain(argv[++i], &domid, err_s,
						  sizeof(err_s))) {
				xfctl_err("dom '%s': %s", argv[i], err_s);
				return 2;
			}
		} else {
			xfctl_err("unexpected flows argument '%s' (flows [show|flush] [dom DOMAIN])",
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
	err = xf_nl_request(&nl, msg, flush ? NULL : xfctl_flow_cb, &n);
	if (xfctl_opts.json && !flush)
		printf("%s]\n", xfctl_opts.pretty ? "\n" : "");
	if (err)
		xfctl_err("%s", xf_nl_strerror(&nl, err));
	xf_nl_close(&nl);
	return err ? 1 : 0;
}
