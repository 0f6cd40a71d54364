// SPDX-License-Identifier: GPL-2.0
/*
 * The fleet policy in etcd (userspace/lib/policy.h: the layout and the
 * watcher thread that keeps a copy of it). For each guest running here
 * whose UUID the store names, the store is the truth: its rules become
 * that guest's rules in the module's table, and its settings are set.
 *
 * This is the kept-rules path of kept.c fed from the store instead of the
 * kept file: a guest is matched by UUID when it appears (after every
 * domain scan, after rebind.c and kept.c, so the store wins) and rule and
 * settings texts are applied by the same parsers and the same DOMAIN_SET
 * code. It also runs whenever the copy changes (the watcher's eventfd).
 *
 * A guest's rules in the table are replaced only when they differ from
 * the store's (compared as core/rule_text prints them), so an unchanged
 * policy keeps its counters: the new rules are inserted at the place of
 * the first old one (the top of the table for a guest that had none),
 * then the old ones are deleted, so at no moment does the guest have
 * neither. A rule or setting the parsers or the module refuse leaves the
 * guest with what it had (logged once per revision, counted as bad).
 *
 * Counters follow the guest: when a guest the store governs leaves this
 * host (migrated away, saved, shut down), what each of its rules counted
 * is put under its "counters" key; the host where it runs next (this one
 * too, after a new domid) adds them to its rules there (RULE_COUNT, rules
 * matched by their text without dom) and deletes the key, so each count
 * is carried once. A daemon that dies between the two carries it twice.
 * A put the store does not take is tried again from the main loop
 * (xfd_store_tick()) until it does; only a daemon stopped meanwhile, or
 * more than XFD_PUTS_MAX waiting, loses counters (logged and counted).
 *
 * When the store cannot be reached the copy stays, so does what was
 * applied, and a guest that starts meanwhile gets the last known policy.
 * When a guest's keys are deleted its rules (those of its domid) go too;
 * its settings stay as they are until set otherwise (the module has no
 * "forget a domain's settings").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kept.h"
#include "policy.h"
#include "rule_text.h"
#include "xfilterd.h"

/* What we applied for one guest (by UUID). */
struct applied {
	char uuid[XF_POLICY_UUID_LEN + 1];
	uint32_t domid;		/* where settings were set */
	char *settings;		/* the text last set there, or NULL */
	bool rules;		/* its domid's rules are the store's */
	int64_t bad_rev;	/* the revision whose bad value was logged */
	int64_t counted_rev;	/* the counters key carried into its rules */
};

static struct xf_policy_watch watch;
static struct xf_etcd writer;	/* the main thread's: the counters key */
static bool started, was_connected;
static uint64_t seen_disconnects, applied_generation;
static struct applied *applied;
static size_t napplied;
static uint64_t nr_bad, nr_replaced;	/* counters for the status file */

/*
 * Departed guests' counters whose put failed (the writer's 1 s timeout on a
 * loaded or distant member): put again from the main loop, 1, 2, 4 ... up
 * to 30 s apart, until the store takes them. Bounded: past XFD_PUTS_MAX
 * waiting, a departure's counters are lost (logged, counted).
 */
#define XFD_PUTS_MAX 64
#define XFD_PUT_BACKOFF_MAX_US (30 * 1000000ULL)
struct counters_put {
	char key[160];
	char uuid[XF_POLICY_UUID_LEN + 1];
	uint32_t domid;
	int rules;
	uint64_t packets;
	char *text;		/* the key's value */
	unsigned int tries;
	uint64_t at_us;		/* next try */
};
static struct counters_put pending_puts[XFD_PUTS_MAX];
static int nputs;
static uint64_t nr_counters_late, nr_counters_lost;

/* When a put that failed tries times is tried again: 1, 2, 4 ... 30 s on. */
static uint64_t next_put_us(uint64_t now, unsigned int tries)
{
	uint64_t wait = 1000000ULL << (tries - 1 < 5 ? tries - 1 : 5);

	return now + (wait < XFD_PUT_BACKOFF_MAX_US ? wait :
		      XFD_PUT_BACKOFF_MAX_US);
}

/* Waiting put i is given up: logged (why), counted, removed. */
static void drop_put(int i, const char *why)
{
	struct counters_put *q = &pending_puts[i];

	nr_counters_lost++;
	xfd_err("etcd: guest %s domid %u left: its counters are not kept: %s",
		q->uuid, q->domid, why);
	free(q->text);
	*q = pending_puts[--nputs];
}

int xfd_store_start(void)
{
	char err[300];

	if (!xfd_cfg.etcd)
		return 0;
	if (xf_etcd_global_init() ||
	    xf_policy_watch_start(&watch, xfd_cfg.etcd, err, sizeof(err))) {
		xfd_err("etcd %s: %s", xfd_cfg.etcd, err);
		return -1;
	}
	if (xf_etcd_init(&writer, xfd_cfg.etcd, err, sizeof(err))) {
		xf_policy_watch_stop(&watch);
		xfd_err("etcd %s: %s", xfd_cfg.etcd, err);
		return -1;
	}
	/* It runs in the main loop: a store that is away costs it little. */
	writer.timeout_ms = 1000;
	started = true;
	xfd_info("etcd %s: watching %s", xfd_cfg.etcd, XF_POLICY_PREFIX);
	return 0;
}

void xfd_store_tick(void)
{
	uint64_t now = xfd_now_us();
	struct counters_put *q;
	int i = 0;

	if (!nputs)
		return;
	while (i < nputs) {
		q = &pending_puts[i];
		if (now < q->at_us) {
			i++;
			continue;
		}
		if (xf_etcd_put(&writer, q->key, q->text)) {
			q->at_us = next_put_us(now, ++q->tries);
			i++;
			continue;
		}
		nr_counters_late++;
		xfd_info("etcd: guest %s domid %u left: its %d rules' counters (%" PRIu64 " packets) kept in the store (put %u)",
			 q->uuid, q->domid, q->rules, q->packets, q->tries + 1);
		free(q->text);
		*q = pending_puts[--nputs];
		now = xfd_now_us();
	}
}

void xfd_store_stop(void)
{
	size_t i;

	if (!started)
		return;
	while (nputs)
		drop_put(nputs - 1, "the daemon stops before the store took them");
	xf_policy_watch_stop(&watch);
	xf_etcd_free(&writer);
	started = false;
	for (i = 0; i < napplied; i++)
		free(applied[i].settings);
	free(applied);
	applied = NULL;
	napplied = 0;
}

int xfd_store_fd(void)
{
	return started ? watch.efd : -1;
}

static struct applied *applied_of(const char *uuid, bool add)
{
	struct applied *a;
	size_t i;

	for (i = 0; i < napplied; i++)
		if (!strcasecmp(applied[i].uuid, uuid))
			return &applied[i];
	if (!add)
		return NULL;
	a = realloc(applied, (napplied + 1) * sizeof(*a));
	if (!a)
		return NULL;
	applied = a;
	a = &applied[napplied++];
	memset(a, 0, sizeof(*a));
	snprintf(a->uuid, sizeof(a->uuid), "%.36s", uuid);
	return a;
}

/* The store's rules of g as the module's for domid, printed; -1: bad. */
static int want_rules(const struct xf_policy_guest *g, uint32_t domid,
		      struct xf_rule *r, char **text, char *why, size_t len)
{
	struct xf_rule_error e;
	size_t i;

	for (i = 0; i < g->nrules; i++) {
		if (xf_rule_parse_line(g->rules[i], strlen(g->rules[i]), &r[i], &e)) {
			snprintf(why, len, "%s: bad rule at '%s': %s", g->keys[i],
				 e.index >= 0 ? e.token : g->rules[i], e.msg);
			return -1;
		}
		if (r[i].fields & (XF_RF_DOMID | XF_RF_DOMNAME)) {
			snprintf(why, len, "%s: a stored rule has no dom field (the key names the guest)",
				 g->keys[i]);
			return -1;
		}
		r[i].fields |= XF_RF_DOMID;
		r[i].domid = domid;
		text[i] = malloc(XF_RULE_TEXT_MAX);
		if (!text[i]) {
			snprintf(why, len, "out of memory");
			return -1;
		}
		xf_rule_print(&r[i], text[i], XF_RULE_TEXT_MAX);
	}
	return 0;
}

/* Does the table hold exactly want (n texts) for domid, in order? */
static bool same_rules(const struct xfd_rule_ref *t, int nt, uint32_t domid,
		       char **want, size_t n)
{
	char text[XF_RULE_TEXT_MAX];
	struct xf_rule r;
	uint32_t index;
	size_t k = 0;
	int i;

	for (i = 0; i < nt; i++) {
		if (t[i].domid != domid)
			continue;
		if (k == n || xf_rule_from_attrs(t[i].attrs, &r, &index))
			return false;
		xf_rule_print(&r, text, sizeof(text));
		if (strcmp(text, want[k++]))
			return false;
	}
	return k == n;
}

static int del_index(struct xf_nl *nl, uint32_t index)
{
	struct nl_msg *msg = xf_nl_msg(nl, XFILTER_CMD_RULE_DEL, 0);
	struct nlattr *n = msg ? nla_nest_start(msg, XFILTER_A_RULE) : NULL;

	if (!n || nla_put_u32(msg, XFILTER_RULE_A_INDEX, index)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nla_nest_end(msg, n);
	return xf_nl_request(nl, msg, NULL, NULL);
}

static int add_at(struct xf_nl *nl, const struct xf_rule *r, uint32_t index)
{
	struct nl_msg *msg = xf_nl_msg(nl, XFILTER_CMD_RULE_ADD, 0);

	if (!msg || xf_rule_to_attrs(msg, r, index)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return xf_nl_request(nl, msg, NULL, NULL);
}

/*
 * domid's rules become r[0..n): inserted where its first old rule is,
 * then the old ones deleted. A refused rule takes back what was added.
 */
static int replace_rules(struct xf_nl *nl, const struct xfd_rule_ref *t,
			 int nt, uint32_t domid, const struct xf_rule *r,
			 size_t n, char *why, size_t len)
{
	uint32_t at = 0;
	size_t k;
	int i, err = 0;
	bool first = true;

	for (i = 0; i < nt; i++)
		if (t[i].domid == domid && first) {
			at = t[i].index;
			first = false;
		}
	for (k = 0; k < n; k++) {
		err = add_at(nl, &r[k], at + k);
		if (err)
			break;
	}
	if (err) {
		snprintf(why, len, "its rule %zu refused: %s", k + 1,
			 xf_nl_strerror(nl, err));
		while (k--)	/* the k added before it */
			del_index(nl, at + k);
		return err;
	}
	/* Every old rule sat at or after `at`: each moved down by n. */
	for (i = nt - 1; i >= 0; i--) {
		if (t[i].domid != domid)
			continue;
		err = del_index(nl, t[i].index + n);
		if (err) {
			snprintf(why, len, "deleting its old rule %u: %s",
				 t[i].index + (uint32_t)n, xf_nl_strerror(nl, err));
			return err;
		}
	}
	return 0;
}

/* A dumped rule as every host prints it (no dom), and its counters. */
static int rule_counted(const struct xfd_rule_ref *t, char *text, size_t len,
			uint64_t *packets, uint64_t *bytes)
{
	struct nlattr *tb[XFILTER_RULE_A_MAX + 1];
	struct xf_rule r;
	uint32_t index;

	if (xf_rule_from_attrs(t->attrs, &r, &index) ||
	    nla_parse_nested(tb, XFILTER_RULE_A_MAX, t->attrs, NULL) < 0)
		return -1;
	r.fields &= ~XF_RF_DOMID;
	xf_rule_print(&r, text, len);
	*packets = tb[XFILTER_RULE_A_PACKETS] ?
		   nla_get_u64(tb[XFILTER_RULE_A_PACKETS]) : 0;
	*bytes = tb[XFILTER_RULE_A_BYTES] ?
		 nla_get_u64(tb[XFILTER_RULE_A_BYTES]) : 0;
	return 0;
}

/*
 * An earlier departure of the same guest whose put still waits: its
 * counts would overwrite the new ones in the store (or be overwritten), so
 * it is dropped before the new put.
 */
static void drop_waiting_put(const char *key)
{
	int i;

	for (i = 0; i < nputs; i++)
		if (!strcmp(pending_puts[i].key, key)) {
			drop_put(i, "the guest left again before the store took them");
			return;
		}
}

void xfd_store_departed(struct xf_nl *nl, uint32_t domid, const char *uuid)
{
	char key[160], text[XF_RULE_TEXT_MAX], *buf = NULL;
	struct counters_put *q;
	uint64_t p, b, total = 0;
	struct xfd_rule_ref *t = NULL;
	struct applied *a;
	size_t len = 0;
	int nt = 0, i, n = 0;
	FILE *f;

	a = started ? applied_of(uuid, false) : NULL;
	if (!a || !a->rules)
		return;		/* its rules are not the store's */
	if (xfd_rules_dump(nl, &t, &nt)) {
		xfd_err("etcd: guest %s domid %u left: cannot read the rule table; its counters are not kept",
			uuid, domid);
		goto out;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		goto out;
	for (i = 0; i < nt; i++) {
		if (t[i].domid != domid ||
		    rule_counted(&t[i], text, sizeof(text), &p, &b))
			continue;
		fprintf(f, "%" PRIu64 " %" PRIu64 " %s\n", p, b, text);
		total += p;
		n++;
	}
	if (fclose(f) || !n)
		goto out;
	xf_policy_key(key, sizeof(key), uuid, "counters");
	drop_waiting_put(key);
	if (!xf_etcd_put(&writer, key, buf)) {
		xfd_info("etcd: guest %s domid %u left: its %d rules' counters (%" PRIu64 " packets) kept in the store",
			 uuid, domid, n, total);
	} else if (nputs == XFD_PUTS_MAX) {
		nr_counters_lost++;
		xfd_err("etcd: guest %s domid %u left: its counters are not kept: %s (%d puts already wait)",
			uuid, domid, writer.err, nputs);
	} else {
		q = &pending_puts[nputs++];
		snprintf(q->key, sizeof(q->key), "%s", key);
		snprintf(q->uuid, sizeof(q->uuid), "%s", uuid);
		q->domid = domid;
		q->rules = n;
		q->packets = total;
		q->text = buf;
		buf = NULL;
		q->tries = 1;
		q->at_us = next_put_us(xfd_now_us(), 1);
		xfd_warn("etcd: guest %s domid %u left: putting its counters failed: %s; trying again",
			 uuid, domid, writer.err);
	}
out:
	free(buf);
	xfd_rules_free(t, nt);
}

static int count_rule(struct xf_nl *nl, const struct xfd_rule_ref *r,
		      uint64_t packets, uint64_t bytes)
{
	struct nl_msg *msg = xf_nl_msg(nl, XFILTER_CMD_RULE_COUNT, 0);
	struct nlattr *n = NULL;

	if (!msg || nla_put_u64(msg, XFILTER_A_GENERATION, r->generation) ||
	    !(n = nla_nest_start(msg, XFILTER_A_RULE)) ||
	    nla_put_u32(msg, XFILTER_RULE_A_INDEX, r->index) ||
	    nla_put_u64(msg, XFILTER_RULE_A_PACKETS, packets) ||
	    nla_put_u64(msg, XFILTER_RULE_A_BYTES, bytes)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nla_nest_end(msg, n);
	return xf_nl_request(nl, msg, NULL, NULL);
}

/*
 * The counters g's guest left in the store, added to its rules on d's
 * domid (each line to the first rule of the same text not yet counted),
 * then the key deleted. Retried at the next change if the table moved.
 */
static void carry_counters(struct xf_nl *nl, const struct xfd_dom *d,
			   const struct xf_policy_guest *g, struct applied *a)
{
	char text[XF_RULE_TEXT_MAX], key[160], *line, *next, *copy;
	struct xfd_rule_ref *t = NULL;
	uint64_t p, b, lp, lb, total = 0;
	bool *used = NULL;
	int nt = 0, i, n = 0, err = 0, off;

	copy = strdup(g->counters);
	if (!copy || xfd_rules_dump(nl, &t, &nt) ||
	    !(used = calloc(nt ? nt : 1, sizeof(*used))))
		goto out;
	for (line = copy; !err && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %n", &lp, &lb, &off) != 2)
			continue;	/* not ours: left alone */
		for (i = 0; i < nt; i++) {
			if (used[i] || t[i].domid != d->domid ||
			    rule_counted(&t[i], text, sizeof(text), &p, &b) ||
			    strcmp(text, line + off))
				continue;
			used[i] = true;
			err = count_rule(nl, &t[i], lp, lb);
			if (!err) {
				total += lp;
				n++;
			}
			break;
		}
	}
	if (err) {
		xfd_err("etcd: guest %s (%s) domid %u: carrying its counters: %s",
			d->name, d->uuid, d->domid, xf_nl_strerror(nl, err));
		goto out;
	}
	a->counted_rev = g->counters_rev;
	xfd_info("etcd: guest %s (%s) domid %u: counters carried from the store (%d rules, %" PRIu64 " packets)",
		 d->name, d->uuid, d->domid, n, total);
	xf_policy_key(key, sizeof(key), g->uuid, "counters");
	if (xf_etcd_delete(&writer, key, false, NULL))
		xfd_err("etcd: guest %s (%s): deleting %s: %s", d->name,
			d->uuid, key, writer.err);
out:
	free(used);
	free(copy);
	xfd_rules_free(t, nt);
}

/*
 * d's policy from g (NULL: the store has none); a is what we applied.
 * True if the rule table changed (its indices are stale then).
 */
static bool apply_guest(struct xf_nl *nl, const struct xfd_dom *d,
			const struct xf_policy_guest *g, struct applied *a,
			const struct xfd_rule_ref *t, int nt)
{
	struct xf_rule *r = NULL;
	char **text = NULL, why[512] = "";
	size_t n = g ? g->nrules : 0, i;
	bool bad = false, changed = false;
	int err;

	r = calloc(n ? n : 1, sizeof(*r));
	text = calloc(n ? n : 1, sizeof(*text));
	if (!r || !text) {
		snprintf(why, sizeof(why), "out of memory");
		bad = true;
	} else if (g && want_rules(g, d->domid, r, text, why, sizeof(why))) {
		bad = true;
	} else if (g && g->settings &&
		   xf_domain_settings_text(g->settings, NULL, why, sizeof(why))) {
		bad = true;
	}
	if (bad) {
		/* Logged once per revision: the watch may wake us often. */
		if (!g || a->bad_rev != g->mod_revision) {
			xfd_err("etcd: guest %s (%s): %s; it keeps its last applied policy",
				d->name, d->uuid, why);
			nr_bad++;
			if (g)
				a->bad_rev = g->mod_revision;
		}
		goto out;
	}
	if (!g && !a->rules)
		goto out;	/* never applied: its rules are not ours */
	if (same_rules(t, nt, d->domid, text, n)) {
		a->rules = true;
	} else {
		err = replace_rules(nl, t, nt, d->domid, r, n, why, sizeof(why));
		changed = true;		/* even a failure may have moved some */
		if (err) {
			xfd_err("etcd: guest %s (%s) domid %u: %s; it keeps its last applied rules",
				d->name, d->uuid, d->domid, why);
			nr_bad++;
		} else {
			a->rules = true;
			nr_replaced++;
			if (n)
				xfd_info("etcd: guest %s (%s) domid %u: %zu rules applied from the store",
					 d->name, d->uuid, d->domid, n);
			else
				xfd_info("etcd: guest %s (%s) domid %u: its rules removed (the store has none for it)",
					 d->name, d->uuid, d->domid);
		}
	}
	if (g && a->rules && g->counters && g->counters_rev != a->counted_rev)
		carry_counters(nl, d, g, a);
	/* Set again on a new domid: the module keys settings by domid. */
	if (g && g->settings && (!a->settings || a->domid != d->domid ||
				 strcmp(a->settings, g->settings))) {
		err = xfd_domain_set_text(nl, d->domid, g->settings, why, sizeof(why));
		if (err) {
			xfd_err("etcd: guest %s (%s) domid %u: settings '%s': %s",
				d->name, d->uuid, d->domid, g->settings, why);
			nr_bad++;
		} else {
			free(a->settings);
			a->settings = strdup(g->settings);
			a->domid = d->domid;
			xfd_info("etcd: guest %s (%s) domid %u: settings '%s' set",
				 d->name, d->uuid, d->domid, g->settings);
		}
	}
out:
	for (i = 0; text && i < n; i++)
		free(text[i]);
	free(text);
	free(r);
	return changed;
}

void xfd_store_apply(struct xf_nl *nl)
{
	struct xf_policy_guest *g;
	struct xfd_rule_ref *t = NULL;
	struct xfd_dom *d;
	struct applied *a;
	bool *has;
	int nt = 0, lock, n = 0, i;

	if (!started)
		return;
	for (d = xfd_doms; d; d = d->next)
		n++;
	g = calloc(n ? n : 1, sizeof(*g));
	has = calloc(n ? n : 1, sizeof(*has));
	if (!g || !has) {
		free(g);
		free(has);
		return;
	}
	/* A copy of each running guest's policy, then the lock is let go. */
	pthread_mutex_lock(&watch.lock);
	applied_generation = watch.generation;
	for (i = 0, d = xfd_doms; d; d = d->next, i++)
		if (d->alive && xf_policy_is_uuid(d->uuid))
			has[i] = xf_policy_watch_guest(&watch, d->uuid, &g[i]);
	pthread_mutex_unlock(&watch.lock);

	/* The kept file's writers (xfctl restore, kept.c) change the table too. */
	lock = xf_kept_lock(xfd_cfg.state_dir);
	if (xfd_rules_dump(nl, &t, &nt)) {
		xfd_err("etcd: cannot read the rule table; the store's policy is applied at the next change");
		goto out;
	}
	for (i = 0, d = xfd_doms; d; d = d->next, i++) {
		if (!d->alive || !xf_policy_is_uuid(d->uuid))
			continue;
		a = applied_of(d->uuid, has[i]);
		if (!a)
			continue;	/* not the store's, and never was */
		/* Gone from the store: so are the rules it gave. */
		if (apply_guest(nl, d, has[i] ? &g[i] : NULL, a, t, nt)) {
			/* The next guest's rules are at new places. */
			xfd_rules_free(t, nt);
			t = NULL;
			nt = 0;
			if (xfd_rules_dump(nl, &t, &nt)) {
				xfd_err("etcd: cannot read the rule table; the store's policy is applied at the next change");
				goto out;
			}
		}
		if (!has[i]) {
			free(a->settings);
			*a = applied[--napplied];
		}
	}
out:
	xfd_rules_free(t, nt);
	xf_kept_unlock(lock);
	for (i = 0; i < n; i++)
		if (has[i])
			xf_policy_guest_free(&g[i]);
	free(g);
	free(has);
	xfd_stats_write(true);
}

void xfd_store_event(struct xf_nl *nl)
{
	bool connected, changed;
	uint64_t disc, resyncs;
	int64_t rev;
	char err[256];

	xf_policy_watch_ack(&watch);
	pthread_mutex_lock(&watch.lock);
	connected = watch.connected;
	disc = watch.disconnects;
	resyncs = watch.resyncs;
	rev = watch.revision;
	changed = watch.generation != applied_generation;
	snprintf(err, sizeof(err), "%s", watch.err);
	pthread_mutex_unlock(&watch.lock);
	if (disc != seen_disconnects || (!connected && was_connected)) {
		xfd_warn("etcd: connection lost (%llu so far): %s; the last applied policy stays",
			 (unsigned long long)disc, err);
		seen_disconnects = disc;
	}
	if (connected && !was_connected)
		xfd_info("etcd: connected, policy read at revision %lld (full read %llu)",
			 (long long)rev, (unsigned long long)resyncs);
	was_connected = connected;
	if (changed)
		xfd_store_apply(nl);
	else
		xfd_stats_write(true);
}

void xfd_store_stats(FILE *f)
{
	if (!started)
		return;
	pthread_mutex_lock(&watch.lock);
	fprintf(f, "store etcd connected=%d revision=%lld disconnects=%llu resyncs=%llu events=%llu keys=%zu applied=%zu replaced=%llu bad=%llu counters_waiting=%d counters_late=%llu counters_lost=%llu\n",
		watch.connected, (long long)watch.revision,
		(unsigned long long)watch.disconnects,
		(unsigned long long)watch.resyncs,
		(unsigned long long)watch.events, watch.kv.n, napplied,
		(unsigned long long)nr_replaced, (unsigned long long)nr_bad,
		nputs, (unsigned long long)nr_counters_late,
		(unsigned long long)nr_counters_lost);
	pthread_mutex_unlock(&watch.lock);
}
