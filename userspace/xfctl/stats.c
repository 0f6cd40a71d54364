// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl stats: the module's counters summed over all domains.
 */
#include <errno.h>
#include <string.h>

#include "nl.h"
#include "xfctl.h"

void xfctl_print_daemon_stats(FILE *f);	/* daemon_stats.c */

static const char *const stat_names[XFILTER_STATS_A_MAX + 1] = {
	[XFILTER_STATS_A_PACKETS] = "packets",
	[XFILTER_STATS_A_BYTES] = "bytes",
	[XFILTER_STATS_A_ACCEPTED] = "accepted",
	[XFILTER_STATS_A_DROPPED] = "dropped",
	[XFILTER_STATS_A_HELD] = "held",
	[XFILTER_STATS_A_QUEUED] = "queued",
	[XFILTER_STATS_A_CACHE_HITS] = "cache_hits",
	[XFILTER_STATS_A_CACHE_MISSES] = "cache_misses",
	[XFILTER_STATS_A_KERNEL_VERDICTS] = "kernel_verdicts",
	[XFILTER_STATS_A_SOURCE_VERDICTS] = "source_verdicts",
	[XFILTER_STATS_A_UNATTRIBUTED] = "unattributed",
	[XFILTER_STATS_A_FAIL_ABSENT] = "fail_absent",
	[XFILTER_STATS_A_FAIL_TIMEOUT] = "fail_timeout",
	[XFILTER_STATS_A_OVERFLOW] = "overflow",
	[XFILTER_STATS_A_LATE_VERDICTS] = "late_verdicts",
	[XFILTER_STATS_A_NOT_IP] = "not_ip",
	[XFILTER_STATS_A_MALFORMED] = "malformed",
	[XFILTER_STATS_A_NOMEM] = "nomem",
	[XFILTER_STATS_A_BATCHES] = "batches",
	[XFILTER_STATS_A_FLOWS] = "flows",
	[XFILTER_STATS_A_UNATTRIBUTED_CACHED] = "unattributed_cached",
	[XFILTER_STATS_A_UNATTRIBUTED_HITS] = "unattributed_hits",
	[XFILTER_STATS_A_FRAGS_FOLLOWED] = "frags_followed",
	[XFILTER_STATS_A_FRAGS_UNKNOWN] = "frags_unknown",
	[XFILTER_STATS_A_CACHE_EVICTED] = "cache_evicted",
	[XFILTER_STATS_A_CACHE_PUSHED_OUT] = "cache_pushed_out",
	[XFILTER_STATS_A_CACHE_REFUSED] = "cache_refused",
	[XFILTER_STATS_A_LOG_SUPPRESSED] = "log_suppressed",
	[XFILTER_STATS_A_LOG_FAILED] = "log_failed",
	[XFILTER_STATS_A_HV_INLINE] = "hv_inline",
	[XFILTER_STATS_A_HV_INLINE_OVER] = "hv_inline_over",
	[XFILTER_STATS_A_HV_INLINE_NS] = "hv_inline_ns",
};

/* Print a stats nest: JSON members (no braces) or "name value" lines. */
void xfctl_print_stats(FILE *f, struct nlattr *nest, const char *indent)
{
	struct nlattr *a;
	int rem, n = 0;

	nla_for_each_nested(a, nest, rem) {
		int t = nla_type(a);

		if (t > XFILTER_STATS_A_MAX || !stat_names[t])
			continue;
		if (xfctl_opts.json)
			fprintf(f, "%s\"%s\":%llu", n++ ? "," : "",
				stat_names[t],
				(unsigned long long)nla_get_u64(a));
		else
			fprintf(f, "%s%-16s %llu\n", indent, stat_names[t],
				(unsigned long long)nla_get_u64(a));
	}
}

static int stats_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1];

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_STATS])
		return NL_SKIP;
	if (xfctl_opts.json)
		fputc('{', stdout);
	xfctl_print_stats(stdout, tb[XFILTER_A_STATS], "");
	if (xfctl_opts.json && tb[XFILTER_A_GENERATION])
		printf(",\"generation\":%llu",
		       (unsigned long long)nla_get_u64(tb[XFILTER_A_GENERATION]));
	xfctl_print_daemon_stats(stdout);
	if (xfctl_opts.json)
		fputs("}\n", stdout);
	return NL_OK;
}

int cmd_stats(int argc, char **argv)
{
	struct xf_nl nl;
	int err;

	if (argc > 1 && xfctl_is_help(argv[1])) {
		printf("Usage: xfctl [-j] [-p] stats [show]\n");
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "show")) {
		xfctl_err("unknown stats command '%s' (show, help)", argv[1]);
		return 2;
	}
	if (argc > 2) {
		xfctl_err("unexpected argument '%s' (stats [show])", argv[2]);
		return 2;
	}
	if (xf_nl_open(&nl)) {
		xfctl_err("%s", nl.errmsg);
		return 1;
	}
	err = xf_nl_request(&nl, xf_nl_msg(&nl, XFILTER_CMD_STATS_GET, 0),
			    stats_cb, NULL);
	if (err)
		xfctl_err("%s", xf_nl_strerror(&nl, err));
	xf_nl_close(&nl);
	return err ? 1 : 0;
}
