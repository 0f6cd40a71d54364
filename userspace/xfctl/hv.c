// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl hv: talk to the filter module inside Xen directly, through
 * /dev/xen/privcmd (the same hypercall xfilter.ko uses). For bring-up,
 * tests and measurements; normal operation goes through the module.
 *
 *	xfctl hv probe                   is the hypervisor filter there?
 *	xfctl hv counters [reset]        per-check times and counts
 *	xfctl hv profile DOMAIN [--kernel IMG | --profile FILE] [--slide N]
 *	xfctl hv profile DOMAIN clear
 *	xfctl hv rules [--generation N] [--default ACT] [--unattributed ACT]
 *	               [FILE]            rule lines (core/rule_text.h), "-": stdin
 *	xfctl hv check DOMAIN PROTO SADDR SPORT DADDR DPORT [PROTO ...]
 *	xfctl hv test oversize|badflag|baddone|badaddr|badcmd|badver|nodomain DOMAIN
 *	                                 send a malformed call, print the errno
 *
 * Exit codes: 0 success, 1 the call failed, 2 usage, 3 no hypervisor
 * filter (stock Xen: -ENOSYS).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "guest.h"
#include "json.h"
#include "hv_rule.h"
#include "mem.h"
#include "rule.h"
#include "rule_text.h"
#include "xen_hcall.h"
#include "xfctl.h"

static int hv_usage(FILE *f)
{
	fprintf(f,
		"Usage: xfctl hv probe\n"
		"       xfctl hv counters [reset]\n"
		"       xfctl hv profile DOMAIN [--kernel IMG | --profile FILE] [--slide N]\n"
		"       xfctl hv profile DOMAIN clear\n"
		"       xfctl hv rules [--generation N] [--default ACT] [--unattributed ACT] [FILE]\n"
		"       xfctl hv check DOMAIN PROTO SADDR SPORT DADDR DPORT [...]\n"
		"       xfctl hv test oversize|badflag|baddone|badaddr|badcmd|badver|nodomain DOMAIN\n");
	return f == stderr ? 2 : 0;
}

static int hv_fail(const char *what, long r)
{
	xfctl_err("hv %s: %s (%ld)", what, xf_errno_name(r), r);
	return r == -ENOSYS ? 3 : 1;
}

/*
 * A domid as digits, strictly, up to 0xffff (Xen judges the special ones:
 * the tests pass DOMID_SELF and friends), or a name. A token that starts
 * like a number must be one: "-1" is an error, not a guest name.
 */
/* A 64-bit value: decimal, or hex after 0x; nothing else, no wrap. */
static int hv_u64(const char *what, const char *tok, uint64_t *out)
{
	char *end;

	errno = 0;
	if (!*tok || *tok == '-' || *tok == '+' || *tok == ' ' ||
	    ((tok[0] != '0' || (tok[1] != 'x' && tok[1] != 'X')) &&
	     strspn(tok, "0123456789") != strlen(tok)))
		goto bad;
	*out = strtoull(tok, &end, 0);
	if (!errno && !*end && end != tok)
		return 0;
bad:
	xfctl_err("bad %s '%s' (decimal, or hex as 0x...)", what, tok);
	return -1;
}

static int hv_domain(const char *tok, uint16_t *domid)
{
	char err[256];
	uint32_t id;

	if (*tok == '-' || *tok == '+' ||
	    (*tok && strspn(tok, "0123456789") == strlen(tok))) {
		if (xfctl_u32("hv domain", tok, 0, 0xffff, &id))
			return -1;
		*domid = (uint16_t)id;
		return 0;
	}
	if (xf_xen_resolve_domain(tok, &id, err, sizeof(err))) {
		xfctl_err("hv: %s", err);
		return -1;
	}
	*domid = id;
	return 0;
}

static int hv_probe(void)
{
	struct xf_hv_probe p;
	long r;

	memset(&p, 0, sizeof(p));
	r = xf_hcall(XF_HV_PROBE, &p);
	if (xfctl_opts.json) {
		printf("{\"available\": %s, \"error\": \"%s\"", r ? "false" : "true",
		       xf_errno_name(r));
		if (!r)
			printf(", \"version\": %u, \"max_batch\": %u, \"max_rules\": %u, "
			       "\"max_profiles\": %u, \"profiles\": %u, "
			       "\"generation\": %llu, \"rules\": %u",
			       p.version, p.max_batch, p.max_rules, p.max_profiles,
			       p.nr_profiles, (unsigned long long)p.generation,
			       p.n_rules);
		printf("}\n");
	} else if (r) {
		printf("hypervisor filter: unavailable (%s)\n", xf_errno_name(r));
	} else {
		printf("hypervisor filter: available\n"
		       "abi %u  max batch %u  max rules %u  profiles %u/%u  "
		       "rules %u (generation %llu)\n",
		       p.version, p.max_batch, p.max_rules, p.nr_profiles,
		       p.max_profiles, p.n_rules, (unsigned long long)p.generation);
	}
	if (r)
		return r == -ENOSYS ? 3 : 1;
	if (p.magic != XF_HV_MAGIC || p.version != XF_HV_ABI_VERSION) {
		xfctl_err("hv probe: unexpected magic/version %#x/%u", p.magic,
			  p.version);
		return 1;
	}
	return 0;
}

static int hv_counters(int argc, char **argv)
{
	struct xf_hv_counters c;
	long r;

	memset(&c, 0, sizeof(c));
	if (argc > 2 && !strcmp(argv[2], "reset") && argc == 3) {
		c.flags = XF_HV_COUNTERS_F_RESET;
	} else if (argc > 2) {
		xfctl_err("hv counters: unexpected argument '%s' (counters [reset])",
			  argv[argc > 3 && !strcmp(argv[2], "reset") ? 3 : 2]);
		return 2;
	}
	r = xf_hcall(XF_HV_COUNTERS, &c);
	if (r)
		return hv_fail("counters", r);
#define F(x) (unsigned long long)c.x
	if (xfctl_opts.json)
		printf("{\"calls\": %llu, \"checks\": %llu, \"found\": %llu, "
		       "\"unattributed\": %llu, \"retries\": %llu, \"reads\": %llu, "
		       "\"read_faults\": %llu, \"rejected\": %llu, "
		       "\"check_ns_avg\": %llu, \"check_ns_p50\": %llu, "
		       "\"check_ns_p99\": %llu, \"check_ns_max\": %llu, "
		       "\"call_ns_avg\": %llu, \"call_ns_max\": %llu, "
		       "\"pause_ns_avg\": %llu, \"pause_ns_max\": %llu, "
		       "\"preempted\": %llu}\n",
		       F(calls), F(checks), F(found), F(unattributed), F(retries),
		       F(reads), F(read_faults), F(rejected),
		       c.checks ? F(check_ns_total) / c.checks : 0,
		       F(check_ns_p50), F(check_ns_p99), F(check_ns_max),
		       c.calls ? F(call_ns_total) / c.calls : 0, F(call_ns_max),
		       c.calls ? F(pause_ns_total) / c.calls : 0, F(pause_ns_max),
		       F(preempted));
	else
		printf("calls %llu  checks %llu  found %llu  unattributed %llu  "
		       "retries %llu  rejected %llu\n"
		       "reads %llu  read faults %llu\n"
		       "check us: avg %.1f  p50 %.1f  p99 %.1f  max %.1f\n"
		       "call us:  avg %.1f  max %.1f  (pause avg %.1f  max %.1f)  "
		       "preempted %llu\n",
		       F(calls), F(checks), F(found), F(unattributed), F(retries),
		       F(rejected), F(reads), F(read_faults),
		       c.checks ? c.check_ns_total / 1e3 / c.checks : 0,
		       c.check_ns_p50 / 1e3, c.check_ns_p99 / 1e3,
		       c.check_ns_max / 1e3,
		       c.calls ? c.call_ns_total / 1e3 / c.calls : 0,
		       c.call_ns_max / 1e3,
		       c.calls ? c.pause_ns_total / 1e3 / c.calls : 0,
		       c.pause_ns_max / 1e3, F(preempted));
#undef F
	return 0;
}

static int hv_profile(int argc, char **argv)
{
	struct xf_guest_src src = { 0 };
	struct xf_hv_profile op;
	struct xf_guest g;
	struct xf_profile *prof;
	bool have_slide = false, clear = false;
	uint64_t slide = 0;
	char err[256];
	uint16_t domid;
	long r;
	int i;

	if (argc < 3)
		return hv_usage(stderr);
	if (hv_domain(argv[2], &domid))
		return 1;
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "clear")) {
			clear = true;
		} else if (i + 1 < argc && !strcmp(argv[i], "--kernel")) {
			src.kernel = argv[++i];
		} else if (i + 1 < argc && !strcmp(argv[i], "--profile")) {
			src.profile = argv[++i];
		} else if (i + 1 < argc && !strcmp(argv[i], "--slide")) {
			if (hv_u64("--slide", argv[++i], &slide))
				return 2;
			have_slide = true;
		} else {
			xfctl_err("hv profile: unexpected argument '%s'", argv[i]);
			return 2;
		}
	}
	memset(&op, 0, sizeof(op));
	op.domid = domid;
	if (clear) {
		op.flags = XF_HV_PROFILE_F_CLEAR;
		r = xf_hcall(XF_HV_PROFILE, &op);
		return r ? hv_fail("profile clear", r) : 0;
	}
	if (!src.kernel && !src.profile) {
		xfctl_err("hv profile: give --kernel IMAGE or --profile FILE");
		return 2;
	}
	/* The walker in userland finds the KASLR slide; Xen checks it. */
	memset(&g, 0, sizeof(g));
	if (have_slide) {
		if (xf_guest_load_profile(&src, &g.prof, &g.path, err,
					  sizeof(err))) {
			xfctl_err("hv profile: %s", err);
			return 1;
		}
		g.slide = slide;
	} else if (xf_guest_open_xen(&g, domid, &src, err, sizeof(err))) {
		xfctl_err("hv profile: %s", err);
		return 1;
	}
	prof = &g.prof;
	op.size = sizeof(*prof);
	op.slide = g.slide;
	op.profile = (uint64_t)(uintptr_t)prof;
	r = xf_hcall(XF_HV_PROFILE, &op);
	if (!have_slide)
		xf_guest_close(&g);
	if (r)
		return hv_fail("profile", r);
	printf(xfctl_opts.json ? "{\"domid\": %u, \"slide\": %llu}\n" :
				 "profile loaded for domain %u (slide %#llx)\n",
	       domid, (unsigned long long)op.slide);
	return 0;
}

static int hv_action(const char *s, uint8_t *out)
{
	int a = xf_action_parse(s, strlen(s));

	if (a < 0) {
		xfctl_err("hv rules: unknown action '%s'", s);
		return -1;
	}
	*out = a;
	return 0;
}

static int hv_rules(int argc, char **argv)
{
	static struct xf_hv_rule rules[XF_HV_RULES_MAX];
	struct xf_hv_rules op;
	const char *path = NULL;
	char line[1024];
	FILE *f = NULL;
	unsigned int n = 0, lineno = 0;
	long r;
	int i;

	memset(&op, 0, sizeof(op));
	op.generation = 1;
	op.fallback.domid = XF_DOMID_ANY;
	for (i = 2; i < argc; i++) {
		r = 0;
		if (i + 1 < argc && !strcmp(argv[i], "--generation")) {
			uint64_t gen = 0;

			r = hv_u64("--generation", argv[++i], &gen);
			op.generation = gen;
		} else if (i + 1 < argc && !strcmp(argv[i], "--default")) {
			r = hv_action(argv[++i], &op.fallback.dflt);
		} else if (i + 1 < argc && !strcmp(argv[i], "--unattributed")) {
			r = hv_action(argv[++i], &op.fallback.unattributed);
		} else if (!path) {
			path = argv[i];
		} else {
			xfctl_err("hv rules: unexpected argument '%s'", argv[i]);
			return 2;
		}
		if (r)
			return 2;
	}
	if (path) {
		f = strcmp(path, "-") ? fopen(path, "r") : stdin;
		if (!f) {
			xfctl_err("hv rules: cannot open '%s'", path);
			return 1;
		}
	}
	while (f && fgets(line, sizeof(line), f)) {
		struct xf_rule_error e;
		struct xf_rule rule;
		size_t len = strcspn(line, "\n");

		lineno++;
		if (!line[strspn(line, " \t\n")] || line[strspn(line, " \t")] == '#')
			continue;
		if (xf_rule_parse_line(line, len, &rule, &e)) {
			xfctl_err("hv rules: line %u: %s near '%s'", lineno, e.msg,
				  e.token);
			return 1;
		}
		if (n == XF_HV_RULES_MAX) {
			xfctl_err("hv rules: more than %u rules", XF_HV_RULES_MAX);
			return 1;
		}
		xf_hv_rule_pack(&rules[n++], &rule);
	}
	if (f && f != stdin)
		fclose(f);
	op.n_rules = n;
	op.rules = (uint64_t)(uintptr_t)rules;
	r = xf_hcall(XF_HV_RULES, &op);
	if (r)
		return hv_fail("rules", r);
	printf(xfctl_opts.json ? "{\"rules\": %u, \"generation\": %llu}\n" :
				 "%u rules loaded (generation %llu)\n",
	       n, (unsigned long long)op.generation);
	return 0;
}

static int hv_flow_parse(char **a, struct xf_hv_flow *f)
{
	memset(f, 0, sizeof(*f));
	if (!strcmp(a[0], "tcp"))
		f->proto = 6;
	else if (!strcmp(a[0], "udp"))
		f->proto = 17;
	else
		f->proto = atoi(a[0]);
	if (inet_pton(AF_INET, a[1], f->saddr) == 1 &&
	    inet_pton(AF_INET, a[3], f->daddr) == 1)
		f->family = 4;
	else if (inet_pton(AF_INET6, a[1], f->saddr) == 1 &&
		 inet_pton(AF_INET6, a[3], f->daddr) == 1)
		f->family = 6;
	else {
		xfctl_err("hv check: bad addresses '%s' '%s'", a[1], a[3]);
		return -1;
	}
	f->sport = atoi(a[2]);
	f->dport = atoi(a[4]);
	return 0;
}

static const char *hv_status_name(int32_t st)
{
	return st ? xf_vmi_strerror(st) : "found";
}

static int hv_check(int argc, char **argv)
{
	struct xf_hv_flow flows[XF_HV_BATCH_MAX];
	struct xf_hv_result res[XF_HV_BATCH_MAX];
	struct xf_hv_check op;
	unsigned int n = 0, i;
	long r;
	int a;

	if (argc < 8 || (argc - 3) % 5) {
		xfctl_err("hv check: DOMAIN then groups of 5 (PROTO SADDR SPORT DADDR DPORT); got %d word(s) after DOMAIN",
			  argc > 3 ? argc - 3 : 0);
		return 2;
	}
	memset(&op, 0, sizeof(op));
	if (hv_domain(argv[2], &op.domid))
		return 1;
	for (a = 3; a + 5 <= argc; a += 5) {
		if (n == XF_HV_BATCH_MAX) {
			xfctl_err("hv check: more than %u flows", XF_HV_BATCH_MAX);
			return 2;
		}
		if (hv_flow_parse(&argv[a], &flows[n++]))
			return 2;
	}
	memset(res, 0, sizeof(res));
	op.n = n;
	/* A diagnostic: show the task (pid, comm) whatever the rules need. */
	op.flags = XF_HV_CHECK_F_TASK;
	op.flows = (uint64_t)(uintptr_t)flows;
	op.results = (uint64_t)(uintptr_t)res;
	r = xf_hcall(XF_HV_CHECK, &op);
	if (r)
		return hv_fail("check", r);
	if (xfctl_opts.json)
		printf("[");
	for (i = 0; i < op.done && i < n; i++) {
		const struct xf_hv_result *x = &res[i];
		const struct xf_hv_owner *o = &x->owner;
		char comm[XF_TEXT_QUOTE_MAX(16)];

		/* The guest's comm: the one JSON writer, or the text escaper. */
		if (xfctl_opts.json) {
			printf("%s{\"comm\": ", i ? ", " : "");
			xf_json_strn(stdout, o->comm, strnlen(o->comm, 16));
		} else {
			xf_text_quote(o->comm, strnlen(o->comm, 16), comm,
				      sizeof(comm));
		}
		if (xfctl_opts.json)
			printf(", \"status\": \"%s\", \"action\": \"%s\", "
			       "\"source\": %u, \"rule\": %d, \"found\": %s, "
			       "\"pid\": %u, \"tgid\": %u, \"ppid\": %u, \"uid\": %u, "
			       "\"gid\": %u, \"euid\": %u, "
			       "\"fd\": %d, \"check_ns\": %u}",
			       hv_status_name(x->status),
			       xf_action_name(x->action), x->source,
			       x->rule == XF_RULE_NONE ? -1 : x->rule,
			       (o->flags & XF_OWNER_F_FOUND) ? "true" : "false",
			       o->pid, o->tgid, o->ppid, o->uid, o->gid, o->euid,
			       x->fd, x->check_ns);
		else
			printf("%-6s %-10s uid %u euid %u gid %u pid %u comm %s "
			       "fd %d (%s, %u ns)\n",
			       xf_action_name(x->action), hv_status_name(x->status),
			       o->uid, o->euid, o->gid, o->tgid, comm, x->fd,
			       x->source == XF_SRC_RULE ? "rule" :
			       x->source == XF_SRC_DEFAULT ? "default" :
			       "unattributed", x->check_ns);
	}
	if (xfctl_opts.json)
		printf("]\n");
	return 0;
}

/* Malformed calls for the tests: prints the errno name Xen answered. */
static int hv_test(int argc, char **argv)
{
	struct xf_hv_flow flows[XF_HV_BATCH_MAX + 1];
	struct xf_hv_result *res;
	struct xf_hv_check op;
	const char *what;
	void *hole;
	long r;

	if (argc != 4)
		return hv_usage(stderr);
	what = argv[2];
	memset(&op, 0, sizeof(op));
	memset(flows, 0, sizeof(flows));
	res = calloc(XF_HV_BATCH_MAX + 1, sizeof(*res));
	if (!res)
		return 1;
	if (hv_domain(argv[3], &op.domid))
		return 1;
	for (unsigned int i = 0; i <= XF_HV_BATCH_MAX; i++) {
		flows[i].family = 4;
		flows[i].proto = 6;
	}
	op.n = 1;
	op.flows = (uint64_t)(uintptr_t)flows;
	op.results = (uint64_t)(uintptr_t)res;
	if (!strcmp(what, "oversize")) {
		op.n = XF_HV_BATCH_MAX + 1;
	} else if (!strcmp(what, "badflag")) {
		op.flags = 1u << 31;
	} else if (!strcmp(what, "baddone")) {
		/* Only a continuation resumes, and never past the batch. */
		op.done = op.n;
	} else if (!strcmp(what, "badaddr")) {
		/* A page that is mapped nowhere. */
		hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
		if (hole == MAP_FAILED)
			return 1;
		munmap(hole, 4096);
		op.flows = (uint64_t)(uintptr_t)hole;
	} else if (!strcmp(what, "badcmd")) {
		r = xf_hcall(__XF_HV_CMD_LAST + 100, &op);
		goto out;
	} else if (!strcmp(what, "badver")) {
		/* A version of XF_HV_CHECK that no Xen speaks (xf_hcall adds none). */
		r = xf_hcall(XF_HV_CHECK | 0x7fu << XF_HV_CMD_VER_SHIFT, &op);
		goto out;
	} else if (!strcmp(what, "nodomain")) {
		/* the domid from argv as given */
	} else {
		return hv_usage(stderr);
	}
	r = xf_hcall(XF_HV_CHECK, &op);
out:
	printf("%s\n", xf_errno_name(r));
	free(res);
	return 0;
}

int cmd_hv(int argc, char **argv)
{
	if (argc < 2 || xfctl_is_help(argv[1]))
		return hv_usage(argc < 2 ? stderr : stdout);
	if (!strcmp(argv[1], "probe") && argc > 2) {
		xfctl_err("hv probe: unexpected argument '%s'", argv[2]);
		return 2;
	}
	if (!strcmp(argv[1], "probe"))
		return hv_probe();
	if (!strcmp(argv[1], "counters"))
		return hv_counters(argc, argv);
	if (!strcmp(argv[1], "profile"))
		return hv_profile(argc, argv);
	if (!strcmp(argv[1], "rules"))
		return hv_rules(argc, argv);
	if (!strcmp(argv[1], "check"))
		return hv_check(argc, argv);
	if (!strcmp(argv[1], "test"))
		return hv_test(argc, argv);
	xfctl_err("hv: unknown command '%s' (try 'xfctl hv help')", argv[1]);
	return 2;
}
