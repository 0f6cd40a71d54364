// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl --store etcd [--etcd URL[,URL...]] rule|domain ...
 *
 * The fleet's shared policy in etcd (userspace/lib/policy.h has the key
 * layout), which every host's xfilterd watches and applies to the guests
 * it runs. Nothing here talks to the module:
 *
 *	rule add dom GUEST RULE      appended to GUEST's rules
 *	rule del dom GUEST RULE      the first of GUEST's rules that is RULE
 *	rule list [dom GUEST]        as `dom UUID RULE` lines (or -j)
 *	rule flush dom GUEST         all of GUEST's rules
 *	domain set GUEST SETTING VALUE...   merged into GUEST's settings
 *	domain show [GUEST]          the stored settings
 *	domain del GUEST             everything stored for GUEST
 *
 * GUEST is a UUID, or a name or domid of a guest running here (xenstore),
 * or a name another writer stored. Rules and settings are checked by the
 * parsers `xfctl rule add` and `xfctl domain set` use (core/rule_text.c,
 * lib/domain_set.c) before anything is written: a bad token is named and
 * the store is left alone.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "etcd.h"
#include "json.h"
#include "mem.h"
#include "nl.h"
#include "policy.h"
#include "rule_text.h"
#include "xfctl.h"

#define XFCTL_STORE_CREATE_TRIES 8	/* racing appenders */
#define XFCTL_SETTINGS_MAX 32		/* words of a settings value */

/* The guest a token names: its UUID (lower case) and name if known. */
static int store_guest(struct xf_etcd *e, const char *tok, char *uuid,
		       char *name, size_t namelen)
{
	struct xf_kv_list all;
	char u[XF_POLICY_UUID_LEN + 1], err[160];
	uint32_t domid;
	size_t i;
	int found = 0;

	*name = 0;
	if (xf_policy_is_uuid(tok)) {
		for (i = 0; i <= XF_POLICY_UUID_LEN; i++)
			uuid[i] = (char)tolower((unsigned char)tok[i]);
		return 0;
	}
	/* Running here: xenstore knows its UUID. */
	if (!xf_xen_resolve_domain(tok, &domid, err, sizeof(err)) &&
	    !xf_xen_domain_identity(domid, name, namelen, u, sizeof(u)) &&
	    xf_policy_is_uuid(u)) {
		for (i = 0; i <= XF_POLICY_UUID_LEN; i++)
			uuid[i] = (char)tolower((unsigned char)u[i]);
		return 0;
	}
	/* Elsewhere: a name some writer stored. */
	if (xf_etcd_range(e, XF_POLICY_PREFIX, &all)) {
		xfctl_err("%s", e->err);
		return -1;
	}
	for (i = 0; i < all.n && found < 2; i++) {
		if (xf_policy_key_parse(all.v[i].key, u, NULL) != XF_PK_NAME ||
		    strcmp(all.v[i].value, tok))
			continue;
		if (!found++)
			snprintf(uuid, XF_POLICY_UUID_LEN + 1, "%s", u);
		else if (!strcmp(uuid, u))
			found = 1;
	}
	xf_kv_list_free(&all);
	if (found == 1) {
		snprintf(name, namelen, "%s", tok);
		return 0;
	}
	xfctl_err(found ? "guest '%s' is ambiguous: several UUIDs are stored under that name (give its UUID)" :
		  "guest '%s': not a UUID, not running here and not named in the store (give its UUID)",
		  tok);
	return -1;
}

/* Store the name with the guest's first write, for other hosts' xfctl. */
static void store_name(struct xf_etcd *e, const char *uuid, const char *name)
{
	char key[128];

	if (!*name)
		return;
	xf_policy_key(key, sizeof(key), uuid, "name");
	if (xf_etcd_create(e, key, name) < 0)
		xfctl_err("warning: %s: %s", key, e->err);
}

/* argv as a rule for one guest: 0, or 2 after naming the error. */
static int store_rule_args(struct xf_etcd *e, int argc, char **argv,
			   char *uuid, char *name, size_t namelen, char *text,
			   size_t size)
{
	struct xf_rule_error err;
	struct xf_rule r;
	char dom[24];

	if (argc && !strcmp(argv[0], "index")) {
		xfctl_err("'index' has no --store etcd form: a guest's rules are kept in the order they were added");
		return 2;
	}
	if (xf_rule_parse_argv(argc, (const char *const *)argv, &r, &err)) {
		if (err.index >= 0)
			xfctl_err("bad rule at '%s': %s", err.token, err.msg);
		else
			xfctl_err("bad rule: %s", err.msg);
		return 2;
	}
	if (!(r.fields & (XF_RF_DOMID | XF_RF_DOMNAME))) {
		xfctl_err("a rule in the store needs 'dom GUEST' (a UUID, or a name or domid running here)");
		return 2;
	}
	if (r.fields & XF_RF_DOMID)
		snprintf(dom, sizeof(dom), "%u", r.domid);
	if (store_guest(e, r.fields & XF_RF_DOMID ? dom : r.dom_name, uuid,
			name, namelen))
		return 2;
	/* The key names the guest: the stored text has no dom field. */
	r.fields &= ~(XF_RF_DOMID | XF_RF_DOMNAME);
	if (xf_rule_print(&r, text, size) >= size) {
		xfctl_err("rule too long");
		return 2;
	}
	return 0;
}

/* The keys of one guest (uuid) or of all (NULL); false after an error. */
static bool store_range(struct xf_etcd *e, const char *uuid,
			struct xf_kv_list *all)
{
	char prefix[128];

	if (uuid)
		xf_policy_key(prefix, sizeof(prefix), uuid, "");
	else
		snprintf(prefix, sizeof(prefix), "%s", XF_POLICY_PREFIX);
	if (xf_etcd_range(e, prefix, all)) {
		xfctl_err("%s", e->err);
		return false;
	}
	return true;
}

/* The guest's stored policy; false (after an error) if it cannot be read. */
static bool read_guest(struct xf_etcd *e, const char *uuid,
		       struct xf_policy_guest *g, int64_t *rev)
{
	struct xf_kv_list all;

	if (!store_range(e, uuid, &all))
		return false;
	if (rev)
		*rev = all.revision;
	if (!xf_policy_guest_of(&all, uuid, g))
		memset(g, 0, sizeof(*g));
	xf_kv_list_free(&all);
	return true;
}

/* The number after the guest's last rule. */
static uint32_t next_seq(const struct xf_policy_guest *g)
{
	char u[XF_POLICY_UUID_LEN + 1];
	uint32_t seq = 0;

	if (g->nrules)
		xf_policy_key_parse(g->keys[g->nrules - 1], u, &seq);
	return seq + 1;
}

static int rule_add(struct xf_etcd *e, int argc, char **argv)
{
	char uuid[XF_POLICY_UUID_LEN + 1], name[XF_DOM_NAME_LEN], key[128];
	char text[XF_RULE_TEXT_MAX];
	struct xf_policy_guest g;
	int tries, ret;

	ret = store_rule_args(e, argc, argv, uuid, name, sizeof(name), text,
			      sizeof(text));
	if (ret)
		return ret;
	/* Another writer may take the same number: read again and retry. */
	for (tries = 0; tries < XFCTL_STORE_CREATE_TRIES; tries++) {
		if (!read_guest(e, uuid, &g, NULL))
			return 1;
		if (next_seq(&g) > XF_POLICY_RULE_SEQ_MAX) {
			xfctl_err("guest %s: rule numbers used up (flush and add again)", uuid);
			xf_policy_guest_free(&g);
			return 1;
		}
		xf_policy_rule_key(key, sizeof(key), uuid, next_seq(&g));
		xf_policy_guest_free(&g);
		ret = xf_etcd_create(e, key, text);
		if (ret < 0) {
			xfctl_err("%s", e->err);
			return 1;
		}
		if (ret) {
			store_name(e, uuid, name);
			return 0;
		}
	}
	xfctl_err("%s: other writers kept taking the next rule number; try again", key);
	return 1;
}

static int rule_del(struct xf_etcd *e, int argc, char **argv)
{
	char uuid[XF_POLICY_UUID_LEN + 1], name[XF_DOM_NAME_LEN];
	char text[XF_RULE_TEXT_MAX], have[XF_RULE_TEXT_MAX];
	struct xf_policy_guest g;
	struct xf_rule_error err;
	struct xf_rule r;
	int64_t n = 0;
	size_t i;
	int ret;

	ret = store_rule_args(e, argc, argv, uuid, name, sizeof(name), text,
			      sizeof(text));
	if (ret)
		return ret;
	if (!read_guest(e, uuid, &g, NULL))
		return 1;
	/* Compared as printed: spelling and field order do not matter. */
	for (i = 0; i < g.nrules; i++) {
		if (xf_rule_parse_line(g.rules[i], strlen(g.rules[i]), &r, &err))
			continue;
		xf_rule_print(&r, have, sizeof(have));
		if (!strcmp(have, text))
			break;
	}
	if (i == g.nrules) {
		xfctl_err("guest %s has no stored rule '%s'", uuid, text);
		xf_policy_guest_free(&g);
		return 1;
	}
	ret = xf_etcd_delete(e, g.keys[i], false, &n);
	if (ret)
		xfctl_err("%s", e->err);
	xf_policy_guest_free(&g);
	return ret ? 1 : 0;
}

/* "dom GUEST" as the only arguments (flush, list); 0, 1 none, or 2. */
static int dom_arg(struct xf_etcd *e, int argc, char **argv, const char *what,
		   char *uuid)
{
	char name[XF_DOM_NAME_LEN];

	if (!argc)
		return 1;
	if (strcmp(argv[0], "dom")) {
		xfctl_err("unexpected argument '%s' (rule %s dom GUEST)", argv[0], what);
		return 2;
	}
	if (argc != 2) {
		xfctl_err(argc < 2 ? "rule %s dom needs a GUEST" :
			  "unexpected argument '%s' (rule %s dom GUEST)",
			  argc < 2 ? what : argv[2], what);
		return 2;
	}
	return store_guest(e, argv[1], uuid, name, sizeof(name)) ? 2 : 0;
}

static int rule_flush(struct xf_etcd *e, int argc, char **argv)
{
	char uuid[XF_POLICY_UUID_LEN + 1], key[128];
	int64_t n;
	int ret = dom_arg(e, argc, argv, "flush", uuid);

	if (ret == 1) {
		xfctl_err("rule flush needs 'dom GUEST' with --store etcd (the store holds every host's guests)");
		return 2;
	}
	if (ret)
		return ret;
	xf_policy_key(key, sizeof(key), uuid, "rules/");
	if (xf_etcd_delete(e, key, true, &n)) {
		xfctl_err("%s", e->err);
		return 1;
	}
	return 0;
}

static int rule_list(struct xf_etcd *e, int argc, char **argv)
{
	char uuid[XF_POLICY_UUID_LEN + 1], u[XF_POLICY_UUID_LEN + 1];
	struct xf_kv_list all;
	size_t i;
	int ret = dom_arg(e, argc, argv, "list", uuid), n = 0;

	if (ret > 1)
		return ret;
	if (!store_range(e, ret == 0 ? uuid : NULL, &all))
		return 1;
	if (xfctl_opts.json)
		putchar('[');
	for (i = 0; i < all.n; i++) {
		char text[XF_RULE_TEXT_MAX], q[XF_TEXT_QUOTE_MAX(256)];
		struct xf_rule_error err;
		struct xf_rule r;

		if (xf_policy_key_parse(all.v[i].key, u, NULL) != XF_PK_RULE)
			continue;
		/* Written by anyone: shown as this parser reads it, or flagged. */
		if (xf_rule_parse_line(all.v[i].value, all.v[i].vlen, &r, &err) ||
		    (r.fields & (XF_RF_DOMID | XF_RF_DOMNAME))) {
			xf_text_quote(all.v[i].value, all.v[i].vlen > 256 ? 256 :
				      all.v[i].vlen, q, sizeof(q));
			xfctl_err("warning: %s: unreadable rule %s (xfilterd ignores this guest's changes while it is there)",
				  all.v[i].key, q);
			continue;
		}
		xf_rule_print(&r, text, sizeof(text));
		if (xfctl_opts.json) {
			printf("%s%s{\"uuid\":\"%s\",\"key\":", n++ ? "," : "",
			       xfctl_opts.pretty ? "\n  " : "", u);
			xf_json_str(stdout, all.v[i].key);
			printf(",\"rule\":");
			xf_json_str(stdout, text);
			putchar('}');
			continue;
		}
		printf("dom %s %s\n", u, text);
	}
	if (xfctl_opts.json)
		printf("%s]\n", xfctl_opts.pretty ? "\n" : "");
	xf_kv_list_free(&all);
	return 0;
}

int xfctl_store_rule(struct xf_etcd *e, int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "list";

	if (!strcmp(cmd, "add"))
		return rule_add(e, argc - 2, argv + 2);
	if (!strcmp(cmd, "del") || !strcmp(cmd, "delete"))
		return rule_del(e, argc - 2, argv + 2);
	if (!strcmp(cmd, "list") || !strcmp(cmd, "show"))
		return rule_list(e, argc > 1 ? argc - 2 : 0, argv + 2);
	if (!strcmp(cmd, "flush"))
		return rule_flush(e, argc - 2, argv + 2);
	xfctl_err("unknown rule command '%s' with --store etcd (add, del, list, flush)",
		  cmd);
	return 2;
}

/* ---- domain settings ------------------------------------------------------- */

/* Split text into words (in place); -1 if there are too many. */
static int split_words(char *text, char **w, int max)
{
	char *save = NULL, *t;
	int n = 0;

	for (t = strtok_r(text, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return -1;
		w[n++] = t;
	}
	return n;
}

/* old's SETTING VALUE pairs with those of argv over them, into out. */
static int merge_settings(const char *old, int argc, char **argv, char *out,
			  size_t size)
{
	char buf[1024], *w[XFCTL_SETTINGS_MAX], *m[2 * XFCTL_SETTINGS_MAX];
	int n, k = 0, i, j;
	size_t len = 0;

	snprintf(buf, sizeof(buf), "%s", old ? old : "");
	n = split_words(buf, w, XFCTL_SETTINGS_MAX);
	if (n < 0 || n % 2)
		n = 0;		/* unreadable: replaced by what is given */
	for (i = 0; i < n; i += 2) {
		for (j = 0; j < argc; j += 2)
			if (!strcmp(w[i], argv[j]))
				break;
		if (j >= argc) {
			m[k++] = w[i];
			m[k++] = w[i + 1];
		}
	}
	for (j = 0; j + 1 < argc && k + 2 <= 2 * XFCTL_SETTINGS_MAX; j += 2) {
		m[k++] = argv[j];
		m[k++] = argv[j + 1];
	}
	*out = 0;
	for (i = 0; i < k; i++) {
		int r = snprintf(out + len, size - len, "%s%s", i ? " " : "", m[i]);

		if (r < 0 || (size_t)r >= size - len)
			return -1;
		len += r;
	}
	return 0;
}

static int domain_set(struct xf_etcd *e, int argc, char **argv)
{
	char uuid[XF_POLICY_UUID_LEN + 1], name[XF_DOM_NAME_LEN], key[128];
	char err[256], text[1024];
	struct xf_policy_guest g;
	int ret;

	if (argc < 1) {
		xfctl_err("domain set needs a GUEST (a UUID, or a name or domid running here)");
		return 2;
	}
	if (!strcmp(argv[0], "default")) {
		xfctl_err("'default' has no --store etcd form: the store holds settings per guest");
		return 2;
	}
	if (xf_domain_settings(argc - 1, argv + 1, NULL, err, sizeof(err))) {
		xfctl_err("domain set %s: %s", argv[0], err);
		return 2;
	}
	if (store_guest(e, argv[0], uuid, name, sizeof(name)) ||
	    !read_guest(e, uuid, &g, NULL))
		return 2;
	ret = merge_settings(g.settings, argc - 1, argv + 1, text, sizeof(text));
	xf_policy_guest_free(&g);
	if (ret) {
		xfctl_err("domain set %s: the settings are too long", argv[0]);
		return 2;
	}
	xf_policy_key(key, sizeof(key), uuid, "settings");
	if (xf_etcd_put(e, key, text)) {
		xfctl_err("%s", e->err);
		return 1;
	}
	store_name(e, uuid, name);
	return 0;
}

static int domain_show(struct xf_etcd *e, int argc, char **argv)
{
	char uuid[XF_POLICY_UUID_LEN + 1], u[XF_POLICY_UUID_LEN + 1];
	char name[XF_DOM_NAME_LEN];
	struct xf_kv_list all;
	size_t i;
	int n = 0;

	if (argc > 1) {
		xfctl_err("unexpected argument '%s' (domain show [GUEST])", argv[1]);
		return 2;
	}
	if (argc && store_guest(e, argv[0], uuid, name, sizeof(name)))
		return 2;
	if (!store_range(e, argc ? uuid : NULL, &all))
		return 1;
	if (xfctl_opts.json)
		putchar('[');
	for (i = 0; i < all.n; i++) {
		char q[XF_TEXT_QUOTE_MAX(256)], err[256];

		if (xf_policy_key_parse(all.v[i].key, u, NULL) != XF_PK_SETTINGS)
			continue;
		/* Written by anyone: shown if this parser reads it, else flagged. */
		if (xf_domain_settings_text(all.v[i].value, NULL, err, sizeof(err))) {
			xf_text_quote(all.v[i].value, all.v[i].vlen > 256 ? 256 :
				      all.v[i].vlen, q, sizeof(q));
			xfctl_err("warning: %s: unreadable settings %s: %s",
				  all.v[i].key, q, err);
			continue;
		}
		if (xfctl_opts.json) {
			printf("%s%s{\"uuid\":\"%s\",\"settings\":", n++ ? "," : "",
			       xfctl_opts.pretty ? "\n  " : "", u);
			xf_json_str(stdout, all.v[i].value);
			putchar('}');
			continue;
		}
		printf("domain set %s %s\n", u, all.v[i].value);
	}
	if (xfctl_opts.json)
		printf("%s]\n", xfctl_opts.pretty ? "\n" : "");
	xf_kv_list_free(&all);
	return 0;
}

static int domain_del(struct xf_etcd *e, int argc, char **argv)
{
	char uuid[XF_POLICY_UUID_LEN + 1], name[XF_DOM_NAME_LEN], key[128];
	int64_t n;

	if (argc != 1) {
		xfctl_err(argc ? "unexpected argument '%s' (domain del GUEST)" :
			  "domain del needs a GUEST%s", argc ? argv[1] : "");
		return 2;
	}
	if (store_guest(e, argv[0], uuid, name, sizeof(name)))
		return 2;
	xf_policy_key(key, sizeof(key), uuid, "");
	if (xf_etcd_delete(e, key, true, &n)) {
		xfctl_err("%s", e->err);
		return 1;
	}
	if (!n)
		xfctl_err("warning: the store held nothing for guest %s", uuid);
	return 0;
}

int xfctl_store_domain(struct xf_etcd *e, int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "show";

	if (!strcmp(cmd, "set"))
		return domain_set(e, argc - 2, argv + 2);
	if (!strcmp(cmd, "show") || !strcmp(cmd, "list"))
		return domain_show(e, argc > 1 ? argc - 2 : 0, argv + 2);
	if (!strcmp(cmd, "del") || !strcmp(cmd, "delete"))
		return domain_del(e, argc - 2, argv + 2);
	xfctl_err("unknown domain command '%s' with --store etcd (set, show, del)",
		  cmd);
	return 2;
}

/* rule|domain ... against the store; other objects have no store form. */
int xfctl_store_run(int argc, char **argv)
{
	struct xf_etcd e;
	char err[300];
	int ret;

	if (argc > 1 && xfctl_is_help(argv[1])) {
		fputs("Usage: xfctl --store etcd [--etcd URL[,URL...]] rule add|del dom GUEST RULE\n"
		      "       xfctl --store etcd rule list [dom GUEST] | rule flush dom GUEST\n"
		      "       xfctl --store etcd domain set GUEST SETTING VALUE... | show [GUEST] | del GUEST\n"
		      "GUEST: a UUID, or a name or domid running here. See xfctl(8), FLEET.\n",
		      stdout);
		return 0;
	}
	if (strcmp(argv[0], "rule") && strcmp(argv[0], "domain")) {
		xfctl_err("'%s' has no --store etcd form (rule, domain)", argv[0]);
		return 2;
	}
	if (xf_etcd_init(&e, xfctl_opts.etcd, err, sizeof(err))) {
		xfctl_err("%s", err);
		return 2;
	}
	if (xf_etcd_global_init()) {
		xfctl_err("cannot initialise libcurl");
		xf_etcd_free(&e);
		return 1;
	}
	ret = !strcmp(argv[0], "rule") ? xfctl_store_rule(&e, argc, argv) :
	      xfctl_store_domain(&e, argc, argv);
	xf_etcd_free(&e);
	return ret;
}
