// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl [-j] monitor [DOMAIN]: verdicts as they happen, one line (or one
 * JSON object) per decided flow, with the owner the verdict source found:
 *
 *	dom 1 tcp 10.0.0.2:40312 -> 10.0.0.1:25 drop rule 0 pid 97 uid 1001 comm nc
 *
 * The module sends an XFILTER_CMD_LOG message on its "log" group for every
 * flow its verdict source answered, every log rule, unattributed and fail
 * decision, at most log_rate a second per domain (module parameter); a
 * line after some were left out ends in "suppressed N" (JSON: a member
 * "suppressed"). Runs until interrupted; output is flushed per event so it can
 * be piped. Alerts (XFILTER_CMD_ALERT on the same group) are printed as
 * by xfctl alerts; in JSON as {"alert":{...}}.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "json.h"
#include "mem.h"
#include "nl.h"
#include "rule_text.h"
#include "xfctl.h"

#define MONITOR_RCVBUF (4 << 20)

static const char *const source_names[] = {
	[XFILTER_SOURCE_RULE] = "rule",
	[XFILTER_SOURCE_DEFAULT] = "default",
	[XFILTER_SOURCE_UNATTRIBUTED] = "unattributed",
	[XFILTER_SOURCE_FAIL_ABSENT] = "fail-absent",
	[XFILTER_SOURCE_FAIL_TIMEOUT] = "fail-timeout",
	[XFILTER_SOURCE_FAIL_OVERFLOW] = "fail-overflow",
	[XFILTER_SOURCE_OVERRIDE] = "override",
};

/*
 * Guest-made strings (comm, exe): the one JSON writer, or the text escaper,
 * which quotes a name holding blanks so "comm x uid 0" cannot spoof fields.
 */
static void put_str(const char *s, size_t max, bool json)
{
	char q[XF_TEXT_QUOTE_MAX(XFILTER_EXE_LEN)];
	size_t n = strnlen(s, max);

	if (json) {
		xf_json_strn(stdout, s, n);
		return;
	}
	xf_text_quote(s, n, q, sizeof(q));
	fputs(q, stdout);
}

void xfctl_print_owner(struct nlattr *nest, bool json)
{
	struct nlattr *tb[XFILTER_OWNER_A_MAX + 1];
	static const struct { int a; const char *n; } ids[] = {
		{ XFILTER_OWNER_A_TGID, "pid" }, { XFILTER_OWNER_A_PID, "tid" },
		{ XFILTER_OWNER_A_PPID, "ppid" }, { XFILTER_OWNER_A_UID, "uid" },
		{ XFILTER_OWNER_A_EUID, "euid" }, { XFILTER_OWNER_A_GID, "gid" },
	};
	size_t i;

	if (nla_parse_nested(tb, XFILTER_OWNER_A_MAX, nest, NULL) < 0)
		return;
	if (json)
		printf(",\"owner\":{");
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (!tb[ids[i].a] || nla_len(tb[ids[i].a]) < 4)
			continue;
		printf(json ? "%s\"%s\":%u" : " %s%s %u",
		       json && i ? "," : "", ids[i].n, nla_get_u32(tb[ids[i].a]));
	}
	if (tb[XFILTER_OWNER_A_COMM]) {
		char comm[XFILTER_COMM_LEN];

		nla_strlcpy(comm, tb[XFILTER_OWNER_A_COMM], sizeof(comm));
		printf(json ? ",\"comm\":" : " comm ");
		put_str(comm, sizeof(comm), json);
	}
	if (tb[XFILTER_OWNER_A_EXE]) {
		char exe[XFILTER_EXE_LEN];

		nla_strlcpy(exe, tb[XFILTER_OWNER_A_EXE], sizeof(exe));
		printf(json ? ",\"exe\":" : " exe ");
		put_str(exe, sizeof(exe), json);
	}
	if (tb[XFILTER_OWNER_A_CGROUP_PATH]) {
		char cg[XFILTER_CGROUP_LEN];

		nla_strlcpy(cg, tb[XFILTER_OWNER_A_CGROUP_PATH], sizeof(cg));
		printf(json ? ",\"cgroup\":" : " cgroup ");
		put_str(cg, sizeof(cg), json);
	}
	if (json)
		putchar('}');
}

int xfctl_monitor_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1], *f[XFILTER_FLOW_A_MAX + 1];
	struct xfctl_monitor *m = arg;
	bool json = xfctl_opts.json;
	char s[INET6_ADDRSTRLEN] = "?", d[INET6_ADDRSTRLEN] = "?", pb[4];
	uint8_t fam, proto, src, act;
	uint32_t domid;
	int alen;

	if (genlmsg_hdr(nlmsg_hdr(msg))->cmd == XFILTER_CMD_ALERT) {
		struct nlattr *a[XFILTER_ALERT_A_MAX + 1];
		bool pretty = xfctl_opts.pretty;

		if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_ALERT] ||
		    nla_parse_nested(a, XFILTER_ALERT_A_MAX, tb[XFILTER_A_ALERT],
				     NULL) < 0 || !a[XFILTER_ALERT_A_DOMID])
			return NL_SKIP;
		if (m->filter && nla_get_u32(a[XFILTER_ALERT_A_DOMID]) != m->domid)
			return NL_OK;
		if (json)
			printf("{\"alert\":");
		/* JSON Lines: one object per line, -p or not. */
		xfctl_opts.pretty = false;
		xfctl_alert_print(tb[XFILTER_A_ALERT], json, UINT32_MAX, true);
		xfctl_opts.pretty = pretty;
		if (json)
			puts("}");
		fflush(stdout);
		return NL_OK;
	}
	if (genlmsg_hdr(nlmsg_hdr(msg))->cmd != XFILTER_CMD_LOG ||
	    xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_FLOW] ||
	    nla_parse_nested(f, XFILTER_FLOW_A_MAX, tb[XFILTER_A_FLOW], NULL) < 0 ||
	    !f[XFILTER_FLOW_A_DOMID] || !f[XFILTER_FLOW_A_FAMILY] ||
	    !f[XFILTER_FLOW_A_PROTO] || !f[XFILTER_FLOW_A_ACTION])
		return NL_SKIP;
	domid = nla_get_u32(f[XFILTER_FLOW_A_DOMID]);
	if (m->filter && domid != m->domid)
		return NL_OK;
	fam = nla_get_u8(f[XFILTER_FLOW_A_FAMILY]) == AF_INET6 ? AF_INET6 : AF_INET;
	alen = fam == AF_INET6 ? 16 : 4;
	if (f[XFILTER_FLOW_A_SADDR] && nla_len(f[XFILTER_FLOW_A_SADDR]) == alen)
		inet_ntop(fam, nla_data(f[XFILTER_FLOW_A_SADDR]), s, sizeof(s));
	if (f[XFILTER_FLOW_A_DADDR] && nla_len(f[XFILTER_FLOW_A_DADDR]) == alen)
		inet_ntop(fam, nla_data(f[XFILTER_FLOW_A_DADDR]), d, sizeof(d));
	proto = nla_get_u8(f[XFILTER_FLOW_A_PROTO]);
	act = nla_get_u8(f[XFILTER_FLOW_A_ACTION]);
	src = f[XFILTER_FLOW_A_SOURCE] ? nla_get_u8(f[XFILTER_FLOW_A_SOURCE]) : 0;
	if (json)
		printf("{\"domid\":%u,\"family\":\"%s\",\"proto\":\"%s\",\"saddr\":\"%s\",\"sport\":%u,\"daddr\":\"%s\",\"dport\":%u,\"action\":\"%s\",\"source\":\"%s\"",
		       domid, fam == AF_INET6 ? "inet6" : "inet", xfctl_proto_name(proto, pb, sizeof(pb)), s,
		       f[XFILTER_FLOW_A_SPORT] ? nla_get_u16(f[XFILTER_FLOW_A_SPORT]) : 0,
		       d, f[XFILTER_FLOW_A_DPORT] ? nla_get_u16(f[XFILTER_FLOW_A_DPORT]) : 0,
		       xf_action_name(act),
		       src <= XFILTER_SOURCE_MAX ? source_names[src] : "?");
	else
		printf(fam == AF_INET6 ? "dom %u %s [%s]:%u -> [%s]:%u %s %s" :
		       "dom %u %s %s:%u -> %s:%u %s %s",
		       domid, xfctl_proto_name(proto, pb, sizeof(pb)), s,
		       f[XFILTER_FLOW_A_SPORT] ? nla_get_u16(f[XFILTER_FLOW_A_SPORT]) : 0,
		       d, f[XFILTER_FLOW_A_DPORT] ? nla_get_u16(f[XFILTER_FLOW_A_DPORT]) : 0,
		       xf_action_name(act),
		       src <= XFILTER_SOURCE_MAX ? source_names[src] : "?");
	if (f[XFILTER_FLOW_A_RULE])
		printf(json ? ",\"rule\":%u" : " %u",
		       nla_get_u32(f[XFILTER_FLOW_A_RULE]));
	if (f[XFILTER_FLOW_A_OWNER])
		xfctl_print_owner(f[XFILTER_FLOW_A_OWNER], json);
	else
		printf(json ? ",\"owner\":null" : " owner -");
	/* Messages of the domain the module left out before this one. */
	if (tb[XFILTER_A_SUPPRESSED] && nla_len(tb[XFILTER_A_SUPPRESSED]) >= 4)
		printf(json ? ",\"suppressed\":%u" : " suppressed %u",
		       nla_get_u32(tb[XFILTER_A_SUPPRESSED]));
	puts(json ? "}" : "");
	fflush(stdout);
	return NL_OK;
}

int cmd_monitor(int argc, char **argv)
{
	struct xfctl_monitor m = { .filter = false };
	struct xf_nl nl;
	char err[160];
	int errs = 0;

	if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "-h") ||
				       !strcmp(argv[1], "help")))) {
		fprintf(argc > 2 ? stderr : stdout,
			"Usage: xfctl [-j] monitor [DOMAIN]\n");
		return argc > 2 ? 2 : 0;
	}
	if (argc == 2) {
		if (xf_xen_resolve_domain(argv[1], &m.domid, err, sizeof(err))) {
			xfctl_err("monitor: %s", err);
			return 1;
		}
		m.filter = true;
	}
	if (xf_nl_open(&nl) || xf_nl_join(&nl, XFILTER_MCGRP_LOG)) {
		xfctl_err("%s", nl.errmsg);
		xf_nl_close(&nl);
		return 1;
	}
	/* Room for a few seconds of log_rate messages from many domains
	 * while dom0 is busy; root may exceed net.core.rmem_max. */
	if (setsockopt(nl_socket_get_fd(nl.sk), SOL_SOCKET, SO_RCVBUFFORCE,
		       &(int){ MONITOR_RCVBUF }, sizeof(int)))
		nl_socket_set_buffer_size(nl.sk, MONITOR_RCVBUF, 0);
	/* A burst can still overrun the socket (ENOBUFS): the module counts
	 * what was lost as log_failed; say so and go on. A socket that keeps
	 * failing (module unloaded) ends the monitor. */
	while (errs < 100) {
		if (xf_nl_listen(&nl, xfctl_monitor_cb, &m) < 0) {
			xfctl_err("monitor: receive failed: messages lost (counted as log_failed in xfctl stats)");
			errs++;
		} else {
			errs = 0;
		}
	}
	xf_nl_close(&nl);
	return 1;
}
