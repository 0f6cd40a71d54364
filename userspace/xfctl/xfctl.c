// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl: configure and inspect xfilter. iproute2 style:
 *	xfctl [-j] [-p] OBJECT COMMAND [ARGS]
 * Each OBJECT lives in its own file; this file is only the table.
 */
#include <stdlib.h>
#include <string.h>

#include "xfctl.h"

#ifndef XF_VERSION
#define XF_VERSION "unknown"	/* the Makefile passes dkms.conf's */
#endif

static int cmd_help(int argc, char **argv);

static const struct xfctl_cmd xfctl_cmds[] = {
	{ "help", cmd_help, "show this list" },
	{ "profile", cmd_profile, "build a guest kernel profile from its image" },
	{ "ps", cmd_ps, "list a guest's processes and their sockets" },
	{ "hv", cmd_hv, "talk to the filter module in Xen (probe, counters, ...)" },
	{ "rule", cmd_rule, "add, delete, list or flush filter rules" },
	{ "domain", cmd_domain, "show or set a domain's mode and policies" },
	{ "flows", cmd_flows, "show or flush cached and pending flows" },
	{ "stats", cmd_stats, "show the module's counters" },
	{ "vif", cmd_vif, "list attached vifs and the hook each uses" },
	{ "monitor", cmd_monitor, "show verdicts and alerts as they happen" },
	{ "alerts", cmd_alerts, "list scan and flood alerts with the rule to stop each" },
	{ "save", cmd_save, "write the rules as a rule file (xfctl restore)" },
	{ "restore", cmd_restore, "replace the rules with a rule file" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: xfctl [-j|--json] [-p|--pretty] OBJECT [COMMAND] [ARGS]\n"
		"       xfctl --store etcd [--etcd URL[,URL...]] rule|domain ...\n"
		"       xfctl -V|--version, xfctl OBJECT help\n\nObjects:\n");
	for (i = 0; i < sizeof(xfctl_cmds) / sizeof(xfctl_cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", xfctl_cmds[i].name, xfctl_cmds[i].help);
}

static int cmd_help(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	argc--, argv++;
	for (; argc > 0 && argv[0][0] == '-' && argv[0][1]; argc--, argv++) {
		if (!strcmp(argv[0], "-j") || !strcmp(argv[0], "--json")) {
			xfctl_opts.json = true;
		} else if (!strcmp(argv[0], "-p") || !strcmp(argv[0], "--pretty")) {
			xfctl_opts.pretty = true;
		} else if (!strcmp(argv[0], "--store") || !strcmp(argv[0], "--etcd")) {
			if (argc < 2) {
				xfctl_err("'%s' needs a value", argv[0]);
				return 2;
			}
			if (!strcmp(argv[0], "--etcd")) {
				xfctl_opts.etcd = argv[1];
			} else if (!strcmp(argv[1], "etcd") || !strcmp(argv[1], "kernel")) {
				xfctl_opts.store_etcd = !strcmp(argv[1], "etcd");
			} else {
				xfctl_err("unknown store '%s' (kernel, etcd)", argv[1]);
				return 2;
			}
			argc--, argv++;
		} else if (!strcmp(argv[0], "-V") || !strcmp(argv[0], "--version")) {
			printf("xfctl %s\n", XF_VERSION);
			return 0;
		} else if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
			usage(stdout);
			return 0;
		} else {
			xfctl_err("unknown option '%s'", argv[0]);
			return 2;
		}
	}
	if (argc == 0) {
		usage(stderr);
		return 2;
	}
	if (xfctl_opts.store_etcd)
		return xfctl_store_run(argc, argv);
	if (xfctl_opts.etcd) {
		xfctl_err("--etcd without --store etcd");
		return 2;
	}
	for (i = 0; i < sizeof(xfctl_cmds) / sizeof(xfctl_cmds[0]); i++)
		if (!strcmp(argv[0], xfctl_cmds[i].name))
			return xfctl_cmds[i].fn(argc, argv);
	xfctl_err("unknown object '%s' (try 'xfctl help')", argv[0]);
	return 2;
}
