// SPDX-License-Identifier: GPL-2.0
/*
 * Rules and settings `xfctl restore` kept for guests that were not running
 * (userspace/lib/kept.h): when such a guest starts (the same UUID, or the
 * same name), its rules move from domid 0 to its domid at their places,
 * its settings are set, and its lines leave the kept file. Looked at after
 * every domain scan (after rebind.c, so the restored settings win over
 * those of an older instance) and whenever the file changes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kept.h"
#include "xfilterd.h"

static struct stat last;	/* the file as we last read it */

/* The settings text of a kept line to DOMAIN_SET domid. */
int xfd_domain_set_text(struct xf_nl *nl, uint32_t domid, const char *text,
			char *err, size_t errlen)
{
	struct nl_msg *msg;
	struct nlattr *n;
	int ret;

	msg = xf_nl_msg(nl, XFILTER_CMD_DOMAIN_SET, 0);
	n = msg ? nla_nest_start(msg, XFILTER_A_DOMAIN) : NULL;
	if (!n || nla_put_u32(msg, XFILTER_DOMAIN_A_DOMID, domid) ||
	    xf_domain_settings_text(text, msg, err, errlen)) {
		if (!n)
			snprintf(err, errlen, "out of memory");
		nlmsg_free(msg);
		return -EINVAL;
	}
	nla_nest_end(msg, n);
	ret = xf_nl_request(nl, msg, NULL, NULL);
	if (ret)
		snprintf(err, errlen, "%s", xf_nl_strerror(nl, ret));
	return ret;
}

static int set_domain(struct xf_nl *nl, uint32_t domid, const char *text)
{
	char err[256];
	int ret = xfd_domain_set_text(nl, domid, text, err, sizeof(err));

	if (ret == -EINVAL)
		xfd_err("kept settings '%s': %s", text, err);
	return ret;
}

/* Apply l's lines for d; the applied ones are marked by a NULL text. */
static int apply_guest(struct xf_nl *nl, struct xf_kept_list *l,
		       const struct xfd_dom *d, struct xfd_rule_ref *dom0,
		       int ndom0)
{
	int k = 0, rules = 0, settings = 0, err;
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct xf_kept *e = &l->v[i];
		bool mine = xf_kept_guest(e, d->uuid, d->name);

		if (e->rule && k++ >= ndom0)
			continue;	/* the table does not match the file */
		if (!mine)
			continue;
		err = e->rule ? xfd_rule_move(nl, &dom0[k - 1], d->domid) :
				set_domain(nl, d->domid, e->text);
		if (err) {
			xfd_err("guest %s (%s): kept %s '%s': %s", d->name,
				d->uuid, e->rule ? "rule" : "settings", e->text,
				xf_nl_strerror(nl, err));
			continue;	/* stays kept */
		}
		rules += e->rule;
		settings += !e->rule;
		free(e->text);
		e->text = NULL;
	}
	if (rules || settings)
		xfd_info("guest %s (%s) started as domid %u: %d kept rules%s applied",
			 d->name, d->uuid, d->domid, rules,
			 settings ? " and its settings" : "");
	return rules + settings;
}

void xfd_kept_apply(struct xf_nl *nl, bool changed)
{
	struct xfd_rule_ref *rules = NULL, *dom0 = NULL;
	struct xf_kept_list l;
	struct xfd_dom *d;
	struct stat st;
	char path[4096];
	int lock, n = 0, ndom0 = 0, nkept = 0, applied = 0, i;
	size_t j, k;

	snprintf(path, sizeof(path), "%s/%s", xfd_cfg.state_dir, XF_KEPT_NAME);
	if (stat(path, &st)) {
		memset(&last, 0, sizeof(last));
		return;		/* nothing kept */
	}
	if (changed && st.st_ino == last.st_ino && st.st_size == last.st_size &&
	    st.st_mtim.tv_sec == last.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == last.st_mtim.tv_nsec)
		return;
	last = st;
	lock = xf_kept_lock(xfd_cfg.state_dir);
	if (lock < 0 || xf_kept_read(xfd_cfg.state_dir, &l)) {
		xfd_err("%s: %s", path, strerror(errno));
		xf_kept_unlock(lock);
		return;
	}
	if (xfd_rules_dump(nl, &rules, &n) || !(dom0 = calloc(n + 1, sizeof(*dom0)))) {
		xfd_err("kept rules: cannot read the rule table");
		goto out;
	}
	/* The dom 0 rules, in table order, are the kept ones. */
	for (i = 0; i < n; i++)
		if (rules[i].domid == 0)
			dom0[ndom0++] = rules[i];
	for (j = 0; j < l.n; j++)
		nkept += l.v[j].rule;
	if (nkept != ndom0) {
		xfd_err("%s lists %d kept rules but the table has %d dom 0 rules (changed since xfctl restore?): kept rules not applied",
			path, nkept, ndom0);
		ndom0 = 0;	/* settings only */
	}
	for (d = xfd_doms; d; d = d->next)
		if (d->alive && (d->uuid[0] || d->name[0]))
			applied += apply_guest(nl, &l, d, dom0, ndom0);
	if (applied) {
		for (j = k = 0; j < l.n; j++)
			if (l.v[j].text)
				l.v[k++] = l.v[j];
		l.n = k;
		if (xf_kept_write(xfd_cfg.state_dir, &l))
			xfd_err("cannot rewrite %s: %s", path, strerror(errno));
		if (stat(path, &last))
			memset(&last, 0, sizeof(last));
	}
out:
	free(dom0);
	xfd_rules_free(rules, n);
	xf_kept_unlock(lock);
	xf_kept_free(&l);
}
