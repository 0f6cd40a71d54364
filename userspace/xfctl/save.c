// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl save [FILE]       write the rule table as a rule file (default stdout)
 * xfctl restore [FILE]    replace the rule table with a rule file ("-": stdin)
 *
 * A rule file is one rule per line in core/rule_text's syntax, in order;
 * blank lines and '#' comments are ignored. save | restore round-trips:
 * the printer of core/rule_text writes exactly what its line parser reads.
 * A rule bound to a domain is saved with the guest's name while the guest
 * runs (a domid changes at every reboot), else with its domid.
 *
 * restore parses and resolves the whole file before touching the kernel,
 * so a bad line changes nothing; errors name FILE:LINE and the token.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "mem.h"
#include "nl.h"
#include "rule_text.h"
#include "xfctl.h"

#define XFCTL_RESTORE_MAX 65536	/* rules in one file */

/* The running guest's name for domid, or false. */
static bool domain_name(struct xs_handle *xs, uint32_t domid, char *name,
			size_t size)
{
	char path[64], *v;
	unsigned int len;

	if (!xs)
		return false;
	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	v = xs_read(xs, XBT_NULL, path, &len);
	if (!v)
		return false;
	snprintf(name, size, "%s", v);
	free(v);
	/* rule_text keeps a name verbatim only if it is not all digits. */
	return *name && strspn(name, "0123456789") != strlen(name) &&
	       strlen(name) < XF_DOM_NAME_LEN;
}

/*
 * A temporary rule as a comment. The reason holds a guest's comm (detect
 * block), so it goes through the text escaper: one line, no '\n' a guest
 * could use to start a rule line of its own.
 */
void xfctl_save_temporary(FILE *f, const struct xf_rule *r)
{
	char text[XF_RULE_TEXT_MAX], why[XF_TEXT_QUOTE_MAX(XF_RULE_REASON_LEN)];

	xf_rule_print(r, text, sizeof(text));
	xf_text_quote(r->reason, strnlen(r->reason, sizeof(r->reason)), why,
		      sizeof(why));
	fprintf(f, "# temporary, not saved: %s (%s)\n", text, why);
}

struct save_ctx {
	FILE *f;
	struct xs_handle *xs;
	int n;
	int unreadable;		/* rules the kernel sent that we could not print */
};

static int save_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1];
	struct save_ctx *s = arg;
	struct xf_rule r;
	char text[XF_RULE_TEXT_MAX];
	uint32_t index;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_RULE] ||
	    xfctl_rule_from_attrs(tb[XFILTER_A_RULE], &r, &index)) {
		s->unreadable++;
		return NL_SKIP;
	}
	/* Temporary rules (detect block mode) are not part of the policy. */
	if (r.expires_ms) {
		xfctl_save_temporary(s->f, &r);
		return NL_OK;
	}
	if ((r.fields & XF_RF_DOMID) &&
	    domain_name(s->xs, r.domid, r.dom_name, sizeof(r.dom_name))) {
		r.fields &= ~XF_RF_DOMID;
		r.fields |= XF_RF_DOMNAME;
	}
	if (xf_rule_print(&r, text, sizeof(text)) >= sizeof(text)) {
		s->unreadable++;
		return NL_SKIP;
	}
	fprintf(s->f, "%s\n", text);
	s->n++;
	return NL_OK;
}

int cmd_save(int argc, char **argv)
{
	struct save_ctx s = { .f = stdout };
	const char *path = argc > 1 ? argv[1] : "-";
	struct nl_msg *msg;
	struct xf_nl nl;
	int err;

	if (argc > 2) {
		xfctl_err("unexpected argument '%s' (save [FILE])", argv[2]);
		return 2;
	}
	if (xf_nl_open(&nl)) {
		xfctl_err("%s", nl.errmsg);
		return 1;
	}
	if (strcmp(path, "-")) {
		s.f = fopen(path, "w");
		if (!s.f) {
			xfctl_err("%s: %s", path, strerror(errno));
			xf_nl_close(&nl);
			return 1;
		}
	}
	s.xs = xs_open(XS_OPEN_READONLY);	/* no names without it */
	fprintf(s.f, "# xfilter rules, one per line, first match wins (xfctl restore)\n");
	msg = xf_nl_msg(&nl, XFILTER_CMD_RULE_GET, NLM_F_DUMP);
	err = msg ? xf_nl_request(&nl, msg, save_cb, &s) : -ENOMEM;
	if (err)
		xfctl_err("%s", xf_nl_strerror(&nl, err));
	/* A save that silently drops a rule would be restored as a hole. */
	if (!err && s.unreadable) {
		xfctl_err("%d rule(s) could not be read back from the kernel; the saved set is incomplete",
			  s.unreadable);
		err = -EPROTO;
	}
	if (s.xs)
		xs_close(s.xs);
	if (s.f != stdout && fclose(s.f) && !err) {
		xfctl_err("%s: %s", path, strerror(errno));
		err = -EIO;
	}
	xf_nl_close(&nl);
	return err ? 1 : 0;
}

/* Parse every line of f into rules[]; 0, or 2 after naming the error. */
static int restore_parse(FILE *f, const char *path, struct xf_rule *rules,
			 size_t *n)
{
	struct xf_rule_error e;
	char *line = NULL, err[160];
	size_t cap = 0, lineno = 0;
	ssize_t len;
	uint32_t domid;
	int ret = 0;

	*n = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		const char *p = line;
		struct xf_rule *r = &rules[*n];

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		p += strspn(p, " \t");
		if (!*p || *p == '#')
			continue;
		if (*n == XFCTL_RESTORE_MAX) {
			xfctl_err("%s:%zu: more than %d rules", path, lineno,
				  XFCTL_RESTORE_MAX);
			ret = 2;
			break;
		}
		if (xf_rule_parse_line(line, len, r, &e)) {
			if (e.index >= 0)
				xfctl_err("%s:%zu: bad rule at '%s' (token %d): %s",
					  path, lineno, e.token, e.index + 1,
					  e.msg);
			else
				xfctl_err("%s:%zu: bad rule: %s", path, lineno,
					  e.msg);
			ret = 2;
			break;
		}
		if (r->fields & XF_RF_DOMNAME) {
			if (xf_xen_resolve_domain(r->dom_name, &domid, err,
						  sizeof(err))) {
				xfctl_err("%s:%zu: dom '%s': %s", path, lineno,
					  r->dom_name, err);
				ret = 2;
				break;
			}
			r->fields &= ~XF_RF_DOMNAME;
			r->fields |= XF_RF_DOMID;
			r->domid = domid;
			memset(r->dom_name, 0, sizeof(r->dom_name));
		}
		(*n)++;
	}
	if (!ret && ferror(f)) {
		xfctl_err("%s: %s", path, strerror(errno));
		ret = 1;
	}
	free(line);
	return ret;
}

int cmd_restore(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "-";
	struct xf_rule *rules;
	struct xf_nl nl;
	FILE *f = stdin;
	size_t n, i;
	int err;

	if (argc > 2) {
		xfctl_err("unexpected argument '%s' (restore [FILE])", argv[2]);
		return 2;
	}
	if (strcmp(path, "-")) {
		f = fopen(path, "r");
		if (!f) {
			xfctl_err("%s: %s", path, strerror(errno));
			return 1;
		}
	}
	rules = calloc(XFCTL_RESTORE_MAX, sizeof(*rules));
	if (!rules) {
		xfctl_err("out of memory");
		if (f != stdin)
			fclose(f);
		return 1;
	}
	err = restore_parse(f, strcmp(path, "-") ? path : "<stdin>", rules, &n);
	if (f != stdin)
		fclose(f);
	if (err) {
		free(rules);
		return err;
	}
	if (xf_nl_open(&nl)) {
		xfctl_err("%s", nl.errmsg);
		free(rules);
		return 1;
	}
	err = xf_nl_request(&nl, xf_nl_msg(&nl, XFILTER_CMD_RULE_FLUSH, 0),
			    NULL, NULL);
	if (err)
		xfctl_err("%s", xf_nl_strerror(&nl, err));
	for (i = 0; !err && i < n; i++)
		if (xfctl_rule_send(&nl, XFILTER_CMD_RULE_ADD, &rules[i],
				    UINT32_MAX))
			err = -EINVAL;
	if (err && i)
		xfctl_err("restore stopped after %zu of %zu rules", i - 1, n);
	xf_nl_close(&nl);
	free(rules);
	return err ? 1 : 0;
}
