// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl rule add [index N] RULE... | del N | del RULE... | list | flush
 * RULE is core/rule_text's syntax; domain names are resolved to domids.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "nl.h"
#include "rule_text.h"
#include "xfctl.h"

static int rule_to_attrs(struct nl_msg *msg, const struct xf_rule *r,
			 uint32_t index)
{
	struct nlattr *n = nla_nest_start(msg, XFILTER_A_RULE);
	uint32_t f = r->fields;

	if (!n)
		return -ENOMEM;
	if (index != UINT32_MAX)
		nla_put_u32(msg, XFILTER_RULE_A_INDEX, index);
	nla_put_u8(msg, XFILTER_RULE_A_ACTION, r->action);
	if (f & XF_RF_DOMID)
		nla_put_u32(msg, XFILTER_RULE_A_DOMID, r->domid);
	if (f & XF_RF_PROTO)
		nla_put_u8(msg, XFILTER_RULE_A_PROTO, r->proto);
	if (f & XF_RF_DST) {
		nla_put(msg, r->dst_family == XF_AF_INET ? XFILTER_RULE_A_DST4 :
			XFILTER_RULE_A_DST6,
			r->dst_family == XF_AF_INET ? 4 : 16, r->dst);
		nla_put_u8(msg, XFILTER_RULE_A_DST_PLEN, r->dst_plen);
	}
	if (f & XF_RF_DPORT) {
		nla_put_u16(msg, XFILTER_RULE_A_DPORT_MIN, r->dport_lo);
		nla_put_u16(msg, XFILTER_RULE_A_DPORT_MAX, r->dport_hi);
	}
	if (f & XF_RF_SPORT) {
		nla_put_u16(msg, XFILTER_RULE_A_SPORT_MIN, r->sport_lo);
		nla_put_u16(msg, XFILTER_RULE_A_SPORT_MAX, r->sport_hi);
	}
	if (f & XF_RF_UID)
		nla_put_u32(msg, XFILTER_RULE_A_UID, r->uid);
	if (f & XF_RF_EUID)
		nla_put_u32(msg, XFILTER_RULE_A_EUID, r->euid);
	if (f & XF_RF_GID)
		nla_put_u32(msg, XFILTER_RULE_A_GID, r->gid);
	if (f & XF_RF_PID)
		nla_put_u32(msg, XFILTER_RULE_A_PID, r->pid);
	if (f & XF_RF_COMM)
		nla_put_string(msg, XFILTER_RULE_A_COMM, r->comm);
	if (f & XF_RF_EXE)
		nla_put_string(msg, XFILTER_RULE_A_EXE, r->exe);
	if (f & XF_RF_CGROUP)
		nla_put_string(msg, XFILTER_RULE_A_CGROUP, r->cgroup);
	if (r->action == XF_ACT_MIRROR)
		nla_put_string(msg, XFILTER_RULE_A_MIRROR, r->mirror_dev);
	nla_nest_end(msg, n);
	return 0;
}

/* Parse an rule_text rule in argv, resolving a domain name. */
int xfctl_rule_parse(int argc, char **argv, struct xf_rule *r)
{
	struct xf_rule_error e;
	char err[160];
	uint32_t domid;

	if (xf_rule_parse_argv(argc, (const char *const *)argv, r, &e)) {
		if (e.index >= 0)
			xfctl_err("bad rule at '%s': %s", e.token, e.msg);
		else
			xfctl_err("bad rule: %s", e.msg);
		return -1;
	}
	if (r->fields & XF_RF_DOMNAME) {
		if (xf_xen_resolve_domain(r->dom_name, &domid, err,
					  sizeof(err))) {
			xfctl_err("dom '%s': %s", r->dom_name, err);
			return -1;
		}
		r->fields &= ~XF_RF_DOMNAME;
		r->fields |= XF_RF_DOMID;
		r->domid = domid;
		memset(r->dom_name, 0, sizeof(r->dom_name));
	}
	return 0;
}

int xfctl_rule_send(struct xf_nl *nl, uint8_t cmd, const struct xf_rule *r,
		    uint32_t index)
{
	struct nl_msg *msg = xf_nl_msg(nl, cmd, 0);
	int err;

	if (!msg || rule_to_attrs(msg, r, index))
		return -ENOMEM;
	err = xf_nl_request(nl, msg, NULL, NULL);
	if (err)
		xfctl_err("%s", xf_nl_strerror(nl, err));
	return err;
}

/* Rebuild a struct xf_rule from a dumped XFILTER_A_RULE nest. */
int xfctl_rule_from_attrs(struct nlattr *nest, struct xf_rule *r,
			  uint32_t *index)
{
	struct nlattr *tb[XFILTER_RULE_A_MAX + 1];

	if (nla_parse_nested(tb, XFILTER_RULE_A_MAX, nest, NULL) < 0)
		return -1;
	xf_rule_init(r);
	*index = tb[XFILTER_RULE_A_INDEX] ?
		 nla_get_u32(tb[XFILTER_RULE_A_INDEX]) : 0;
	if (tb[XFILTER_RULE_A_ACTION])
		r->action = nla_get_u8(tb[XFILTER_RULE_A_ACTION]);
	if (tb[XFILTER_RULE_A_DOMID]) {
		r->fields |= XF_RF_DOMID;
		r->domid = nla_get_u32(tb[XFILTER_RULE_A_DOMID]);
	}
	if (tb[XFILTER_RULE_A_PROTO]) {
		r->fields |= XF_RF_PROTO;
		r->proto = nla_get_u8(tb[XFILTER_RULE_A_PROTO]);
	}
	if (tb[XFILTER_RULE_A_DST4] || tb[XFILTER_RULE_A_DST6]) {
		struct nlattr *a = tb[XFILTER_RULE_A_DST4] ?
				   tb[XFILTER_RULE_A_DST4] :
				   tb[XFILTER_RULE_A_DST6];

		r->fields |= XF_RF_DST;
		r->dst_family = tb[XFILTER_RULE_A_DST4] ? XF_AF_INET :
							  XF_AF_INET6;
		memcpy(r->dst, nla_data(a), nla_len(a) > 16 ? 16 : nla_len(a));
		r->dst_plen = tb[XFILTER_RULE_A_DST_PLEN] ?
			      nla_get_u8(tb[XFILTER_RULE_A_DST_PLEN]) : 0;
	}
	if (tb[XFILTER_RULE_A_DPORT_MIN]) {
		r->fields |= XF_RF_DPORT;
		r->dport_lo = nla_get_u16(tb[XFILTER_RULE_A_DPORT_MIN]);
		r->dport_hi = tb[XFILTER_RULE_A_DPORT_MAX] ?
			      nla_get_u16(tb[XFILTER_RULE_A_DPORT_MAX]) :
			      r->dport_lo;
	}
	if (tb[XFILTER_RULE_A_SPORT_MIN]) {
		r->fields |= XF_RF_SPORT;
		r->sport_lo = nla_get_u16(tb[XFILTER_RULE_A_SPORT_MIN]);
		r->sport_hi = tb[XFILTER_RULE_A_SPORT_MAX] ?
			      nla_get_u16(tb[XFILTER_RULE_A_SPORT_MAX]) :
			      r->sport_lo;
	}
#define XF_U32(attr, bit, field)					\
	do {								\
		if (tb[attr]) {						\
			r->fields |= bit;				\
			r->field = nla_get_u32(tb[attr]);		\
		}							\
	} while (0)
	XF_U32(XFILTER_RULE_A_UID, XF_RF_UID, uid);
	XF_U32(XFILTER_RULE_A_EUID, XF_RF_EUID, euid);
	XF_U32(XFILTER_RULE_A_GID, XF_RF_GID, gid);
	XF_U32(XFILTER_RULE_A_PID, XF_RF_PID, pid);
#undef XF_U32
	if (tb[XFILTER_RULE_A_COMM]) {
		r->fields |= XF_RF_COMM;
		snprintf(r->comm, sizeof(r->comm), "%s",
			 nla_get_string(tb[XFILTER_RULE_A_COMM]));
	}
	if (tb[XFILTER_RULE_A_EXE]) {
		r->fields |= XF_RF_EXE;
		snprintf(r->exe, sizeof(r->exe), "%s",
			 nla_get_string(tb[XFILTER_RULE_A_EXE]));
	}
	if (tb[XFILTER_RULE_A_CGROUP]) {
		r->fields |= XF_RF_CGROUP;
		snprintf(r->cgroup, sizeof(r->cgroup), "%s",
			 nla_get_string(tb[XFILTER_RULE_A_CGROUP]));
	}
	if (tb[XFILTER_RULE_A_MIRROR])
		snprintf(r->mirror_dev, sizeof(r->mirror_dev), "%s",
			 nla_get_string(tb[XFILTER_RULE_A_MIRROR]));
	/* expires_ms holds the time left here (at least 1: "temporary"). */
	if (tb[XFILTER_RULE_A_EXPIRES_MS])
		r->expires_ms = nla_get_u32(tb[XFILTER_RULE_A_EXPIRES_MS]) + 1;
	if (tb[XFILTER_RULE_A_ALERT])
		r->alert = nla_get_u32(tb[XFILTER_RULE_A_ALERT]);
	if (tb[XFILTER_RULE_A_REASON])
		snprintf(r->reason, sizeof(r->reason), "%s",
			 nla_get_string(tb[XFILTER_RULE_A_REASON]));
	if (tb[XFILTER_RULE_A_PACKETS])
		r->packets = nla_get_u64(tb[XFILTER_RULE_A_PACKETS]);
	if (tb[XFILTER_RULE_A_BYTES])
		r->bytes = nla_get_u64(tb[XFILTER_RULE_A_BYTES]);
	return 0;
}

struct rule_list {
	FILE *f;
	bool json, save;
	int n;
};

static void json_escape(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* A MIRROR rule's device counters: copies, drops, errors. */
static void mirror_counts(struct nlattr *nest, unsigned long long *c)
{
	struct nlattr *tb[XFILTER_RULE_A_MAX + 1];
	static const int a[3] = {
		XFILTER_RULE_A_MIRROR_COPIES, XFILTER_RULE_A_MIRROR_DROPS,
		XFILTER_RULE_A_MIRROR_ERRORS,
	};
	int i;

	memset(c, 0, 3 * sizeof(*c));
	if (nla_parse_nested(tb, XFILTER_RULE_A_MAX, nest, NULL) < 0)
		return;
	for (i = 0; i < 3; i++)
		if (tb[a[i]] && nla_len(tb[a[i]]) >= 8)
			c[i] = nla_get_u64(tb[a[i]]);
}

static int rule_list_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1];
	struct rule_list *l = arg;
	struct xf_rule r;
	char text[XF_RULE_TEXT_MAX];
	unsigned long long mc[3];
	uint32_t index;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_RULE] ||
	    xfctl_rule_from_attrs(tb[XFILTER_A_RULE], &r, &index))
		return NL_SKIP;
	xf_rule_print(&r, text, sizeof(text));
	mirror_counts(tb[XFILTER_A_RULE], mc);
	if (l->save) {
		fprintf(l->f, "%s\n", text);
	} else if (l->json) {
		fprintf(l->f, "%s%s{\"index\":%u,\"rule\":", l->n ? "," : "",
			xfctl_opts.pretty ? "\n  " : "", index);
		json_escape(l->f, text);
		fprintf(l->f, ",\"packets\":%llu,\"bytes\":%llu",
			(unsigned long long)r.packets,
			(unsigned long long)r.bytes);
		if (r.action == XF_ACT_MIRROR)
			fprintf(l->f, ",\"mirror_copies\":%llu,\"mirror_drops\":%llu,\"mirror_errors\":%llu",
				mc[0], mc[1], mc[2]);
		if (r.expires_ms)
			fprintf(l->f, ",\"expires_ms\":%llu",
				(unsigned long long)r.expires_ms - 1);
		if (r.alert)
			fprintf(l->f, ",\"alert\":%u", r.alert);
		if (r.reason[0]) {
			fprintf(l->f, ",\"reason\":");
			json_escape(l->f, r.reason);
		}
		fputc('}', l->f);
	} else {
		fprintf(l->f, "%4u  %-60s  %llu pkts %llu bytes", index, text,
			(unsigned long long)r.packets,
			(unsigned long long)r.bytes);
		if (r.action == XF_ACT_MIRROR)
			fprintf(l->f, "  copies %llu drops %llu errors %llu",
				mc[0], mc[1], mc[2]);
		if (r.expires_ms)
			fprintf(l->f, "  expires %llus",
				(unsigned long long)(r.expires_ms - 1 + 999) / 1000);
		if (r.reason[0])
			fprintf(l->f, "  (%s)", r.reason);
		fputc('\n', l->f);
	}
	l->n++;
	return NL_OK;
}

int xfctl_rule_list(struct xf_nl *nl, FILE *f, bool save)
{
	struct rule_list l = { .f = f, .json = xfctl_opts.json && !save,
			       .save = save };
	struct nl_msg *msg = xf_nl_msg(nl, XFILTER_CMD_RULE_GET, NLM_F_DUMP);
	int err;

	if (!msg)
		return -ENOMEM;
	if (l.json)
		fputc('[', f);
	err = xf_nl_request(nl, msg, rule_list_cb, &l);
	if (l.json)
		fprintf(f, "%s]\n", xfctl_opts.pretty ? "\n" : "");
	if (err)
		xfctl_err("%s", xf_nl_strerror(nl, err));
	return err;
}

/*
 * The owner's exe and cgroup path are read by xfilterd only (mode
 * userland): the filter in Xen does not read them yet (neither is in the
 * hypercall ABI). There such an owner field is always unknown, so the rule
 * never accepts and, if it drops, drops every flow its other fields match
 * (core/rule.c: no verdict is cheaper to get by hiding). Say so when such a
 * rule is added for a domain in mode hypervisor.
 */
struct hv_doms {
	uint32_t rule_domid;	/* UINT32_MAX: any domain */
	int hits;
	uint32_t first;
};

static int hv_dom_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1], *d[XFILTER_DOMAIN_A_MAX + 1];
	struct hv_doms *h = arg;
	uint32_t domid;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_DOMAIN] ||
	    nla_parse_nested(d, XFILTER_DOMAIN_A_MAX, tb[XFILTER_A_DOMAIN],
			     NULL) < 0 || !d[XFILTER_DOMAIN_A_DOMID] ||
	    !d[XFILTER_DOMAIN_A_MODE] ||
	    nla_get_u8(d[XFILTER_DOMAIN_A_MODE]) != XFILTER_MODE_HYPERVISOR)
		return NL_OK;
	domid = nla_get_u32(d[XFILTER_DOMAIN_A_DOMID]);
	if (h->rule_domid == UINT32_MAX || domid == h->rule_domid ||
	    domid == XFILTER_DOMID_DEFAULT) {
		if (!h->hits++)
			h->first = domid;
	}
	return NL_OK;
}

static void warn_exe_hypervisor(struct xf_nl *nl, const struct xf_rule *r)
{
	struct hv_doms h = {
		.rule_domid = r->fields & XF_RF_DOMID ? r->domid : UINT32_MAX,
	};
	struct nl_msg *msg;

	const char *what = r->fields & XF_RF_EXE ? "exe" : "cgroup";
	const char *does = xf_action_drops(r->action) ?
		"drops every flow its other fields match" : "never matches";
	char dom[32];

	if (!(r->fields & (XF_RF_EXE | XF_RF_CGROUP)))
		return;
	msg = xf_nl_msg(nl, XFILTER_CMD_DOMAIN_GET, NLM_F_DUMP);
	if (!msg || xf_nl_request(nl, msg, hv_dom_cb, &h) || !h.hits)
		return;
	if (h.first == XFILTER_DOMID_DEFAULT)
		snprintf(dom, sizeof(dom), "the default mode");
	else
		snprintf(dom, sizeof(dom), "domain %u", h.first);
	fprintf(stderr, "xfctl: warning: %s is hypervisor, where %s is not read: there this rule %s\n",
		dom, what, does);
}

int cmd_rule(int argc, char **argv)
{
	struct xf_rule r;
	struct xf_nl nl;
	uint32_t index = UINT32_MAX;
	char *end;
	int err;

	argc--, argv++;
	if (xf_nl_open(&nl)) {
		xfctl_err("%s", nl.errmsg);
		return 1;
	}
	if (argc == 0 || !strcmp(argv[0], "list") || !strcmp(argv[0], "show")) {
		err = xfctl_rule_list(&nl, stdout, false);
	} else if (!strcmp(argv[0], "flush")) {
		err = xf_nl_request(&nl, xf_nl_msg(&nl, XFILTER_CMD_RULE_FLUSH, 0),
				    NULL, NULL);
		if (err)
			xfctl_err("%s", xf_nl_strerror(&nl, err));
	} else if (!strcmp(argv[0], "add")) {
		argc--, argv++;
		if (argc >= 2 && !strcmp(argv[0], "index")) {
			index = strtoul(argv[1], &end, 10);
			if (*end || !*argv[1]) {
				xfctl_err("bad index '%s'", argv[1]);
				err = 2;
				goto out;
			}
			argc -= 2, argv += 2;
		}
		err = xfctl_rule_parse(argc, argv, &r) ? 2 :
		      xfctl_rule_send(&nl, XFILTER_CMD_RULE_ADD, &r, index);
		if (!err)
			warn_exe_hypervisor(&nl, &r);
	} else if (!strcmp(argv[0], "del") || !strcmp(argv[0], "delete")) {
		argc--, argv++;
		if (argc == 1 && (index = strtoul(argv[0], &end, 10), !*end)) {
			struct nl_msg *msg = xf_nl_msg(&nl, XFILTER_CMD_RULE_DEL, 0);
			struct nlattr *n = nla_nest_start(msg, XFILTER_A_RULE);

			nla_put_u32(msg, XFILTER_RULE_A_INDEX, index);
			nla_nest_end(msg, n);
			err = xf_nl_request(&nl, msg, NULL, NULL);
			if (err)
				xfctl_err("%s", xf_nl_strerror(&nl, err));
		} else {
			err = xfctl_rule_parse(argc, argv, &r) ? 2 :
			      xfctl_rule_send(&nl, XFILTER_CMD_RULE_DEL, &r,
					      UINT32_MAX);
		}
	} else {
		xfctl_err("unknown rule command '%s' (add, del, list, flush)",
			  argv[0]);
		err = 2;
	}
out:
	xf_nl_close(&nl);
	return err ? (err == 2 ? 2 : 1) : 0;
}
