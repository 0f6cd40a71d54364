/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XFCTL_H
#define XFCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Global output options, set by the -j/-p flags before the object word. */
struct xfctl_opts {
	bool json;
	bool pretty;
	bool store_etcd;	/* --store etcd: rule and domain go to the store */
	const char *etcd;	/* --etcd URL[,URL...] (NULL: the default) */
};
extern struct xfctl_opts xfctl_opts;

/*
 * One row per OBJECT word. fn gets argv with argv[0] = the object word and
 * returns the process exit code.
 */
struct xfctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

/* Object handlers, one file each. */
int cmd_profile(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_hv(int argc, char **argv);
int cmd_rule(int argc, char **argv);
int cmd_domain(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_vif(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_alerts(int argc, char **argv);
/* store.c: OBJECT ... against the fleet store (--store etcd). */
int xfctl_store_run(int argc, char **argv);

/* Shared by rule.c and save.c. */
struct xf_nl;
struct nl_msg;
struct xf_rule;
struct nlattr;
int xfctl_rule_send(struct xf_nl *nl, uint8_t cmd, const struct xf_rule *r,
		    uint32_t index);

/* save.c: a temporary rule as a comment line of a rule file. */
void xfctl_save_temporary(FILE *f, const struct xf_rule *r);

/* monitor.c: an XFILTER_*_A_OWNER nest, as " pid N ..." or ,"owner":{..}. */
void xfctl_print_owner(struct nlattr *nest, bool json);
/* alerts.c: an XFILTER_A_ALERT nest; returns 1 if printed (domid filter). */
int xfctl_alert_print(struct nlattr *nest, bool json, uint32_t filter,
		      bool first);

/*
 * Reply printers (xf_nl_reply_fn), exported for the host test of hostile
 * strings (tests/unit/test_xfctl_out.c), which feeds them made-up replies.
 */
struct nl_msg;
struct xfctl_rule_list {
	FILE *f;
	bool json, save;
	int n;
};
int xfctl_rule_list_cb(struct nl_msg *msg, void *arg);	/* xfctl_rule_list */
struct xfctl_monitor {
	bool filter;
	uint32_t domid;
};
int xfctl_monitor_cb(struct nl_msg *msg, void *arg);	/* xfctl_monitor */
int xfctl_vif_cb(struct nl_msg *msg, void *arg);	/* int counter */
int xfctl_flow_cb(struct nl_msg *msg, void *arg);	/* int counter */
int xfctl_domain_cb(struct nl_msg *msg, void *arg);	/* int counter */
/* daemon_stats.c: xfilterd's status file as JSON members or text. */
void xfctl_print_daemon_stats_file(FILE *out, const char *path);

/* Errors name the offending token; they go to stderr. */
void xfctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A number argument, strictly (core/rule_text's parser: digits only, no
 * wrap): 0, or -1 after "bad WHAT 'TOK' (a number MIN..MAX)".
 */
int xfctl_u32(const char *what, const char *tok, uint32_t min, uint32_t max,
	      uint32_t *out);
/*
 * A protocol as every command writes it (text and JSON, always a string):
 * the rule syntax's tcp, udp, icmp, icmpv6, else the number in decimal.
 */
const char *xfctl_proto_name(uint8_t proto, char *buf, size_t size);
/* help, -h, --help */
bool xfctl_is_help(const char *s);

#endif /* XFCTL_H */
