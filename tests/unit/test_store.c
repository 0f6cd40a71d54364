// SPDX-License-Identifier: GPL-2.0
/*
 * The fleet store against a real etcd (Debian's etcd-server, started here
 * on a temporary directory and free localhost ports; no module, no Xen):
 *
 *   build/xfctl --store etcd ──put──► etcd :P ◄──range+watch── policy watcher
 *                                      (killed, then restarted on :Q
 *                                       where the watcher cannot reach it,
 *                                       then on :P again)
 *
 * xfctl writes the documented keys and refuses bad input before writing;
 * the watcher (userspace/lib/policy.c, what xfilterd runs) reads them,
 * follows changes, keeps the last policy when etcd dies and counts the
 * loss, and after etcd is back reads everything again, changes made while
 * it was away included. Every wait is for an event (the watcher's eventfd)
 * with a generous bound, never a fixed sleep. Run from the top directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "etcd.h"
#include "policy.h"
#include "etcd_lab.h"

#define U "0b5e8a52-7c1d-4f5e-9a3b-2c6d8e0f1a2b"

/* build/xfctl --store etcd --etcd http://127.0.0.1:PORT ARGS: its status. */
static int xfctl(int port, const char *fmt, ...)
{
	char args[512], cmd[800];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd),
		 "build/xfctl --store etcd --etcd http://127.0.0.1:%d %s > %s/out 2> %s/err",
		 port, args, etcd_dir, etcd_dir);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static bool err_has(const char *want)
{
	char path[128], buf[1024] = "";
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/err", etcd_dir);
	f = fopen(path, "r");
	n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = 0;
	if (f)
		fclose(f);
	if (!strstr(buf, want))
		diag("stderr: %s", buf);
	return strstr(buf, want) != NULL;
}

/* The value of key in etcd on port, or NULL (caller frees). */
static char *get(int port, const char *key, size_t *nkeys)
{
	char url[64], err[256], *v = NULL;
	struct xf_kv_list l;
	struct xf_etcd e;
	size_t i;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	if (xf_etcd_init(&e, url, err, sizeof(err)))
		return NULL;
	if (!xf_etcd_range(&e, XF_POLICY_PREFIX, &l)) {
		for (i = 0; i < l.n; i++)
			if (!strcmp(l.v[i].key, key))
				v = strdup(l.v[i].value);
		if (nkeys)
			*nkeys = l.n;
		xf_kv_list_free(&l);
	}
	xf_etcd_free(&e);
	return v;
}

static bool value_is(int port, const char *key, const char *want)
{
	char *v = get(port, key, NULL);
	bool same = v && !strcmp(v, want);

	if (!same)
		diag("%s: '%s', want '%s'", key, v ? v : "(none)", want);
	free(v);
	return same;
}

/* ---- the watcher, read under its lock ----------------------------------- */

struct want {
	bool connected;
	uint64_t resyncs, disconnects;	/* at least */
	int rules;			/* U's rule count; -1: U absent */
	const char *rule0, *rule1, *settings;
};

static bool watch_matches(struct xf_policy_watch *w, const struct want *x)
{
	struct xf_policy_guest g;
	bool has, ok;

	has = xf_policy_watch_guest(w, U, &g);
	ok = w->connected == x->connected && w->resyncs >= x->resyncs &&
	     w->disconnects >= x->disconnects &&
	     (x->rules < 0 ? !has : has && (int)g.nrules == x->rules) &&
	     (!x->rule0 || (has && g.nrules > 0 && !strcmp(g.rules[0], x->rule0))) &&
	     (!x->rule1 || (has && g.nrules > 1 && !strcmp(g.rules[1], x->rule1))) &&
	     (!x->settings || (has && g.settings && !strcmp(g.settings, x->settings)));
	if (has)
		xf_policy_guest_free(&g);
	return ok;
}

/* Wait for the watcher's events until it shows x; false after WAIT_S. */
static bool matches(struct xf_policy_watch *w, const void *x)
{
	return watch_matches(w, x);
}

static bool wait_for(struct xf_policy_watch *w, const struct want *x)
{
	bool ok = watch_wait(w, matches, x);

	if (!ok) {
		pthread_mutex_lock(&w->lock);
		diag("watcher: connected %d resyncs %llu disconnects %llu keys %zu err '%s'",
		     w->connected, (unsigned long long)w->resyncs,
		     (unsigned long long)w->disconnects, w->kv.n, w->err);
		pthread_mutex_unlock(&w->lock);
	}
	return ok;
}

static void key_layout(void)
{
	char key[128], u[40];
	uint32_t seq = 0;

	xf_policy_rule_key(key, sizeof(key), "0B5E8A52-7C1D-4F5E-9A3B-2C6D8E0F1A2B", 7);
	ok(!strcmp(key, XF_POLICY_PREFIX U "/rules/00000007"),
	   "rule keys: lower-case UUID, 8-digit number (%s)", key);
	is(xf_policy_key_parse(key, u, &seq), XF_PK_RULE, "a rule key is read back");
	ok(seq == 7 && !strcmp(u, U), "with its number and UUID");
	is(xf_policy_key_parse(XF_POLICY_PREFIX U "/settings", u, NULL),
	   XF_PK_SETTINGS, "settings key");
	is(xf_policy_key_parse(XF_POLICY_PREFIX U "/name", u, NULL), XF_PK_NAME,
	   "name key");
	is(xf_policy_key_parse(XF_POLICY_PREFIX U "/counters", u, NULL),
	   XF_PK_COUNTERS, "counters key (a guest's counters between hosts)");
	is(xf_policy_key_parse(XF_POLICY_PREFIX U "/rules/7", u, NULL),
	   XF_PK_OTHER, "a rule number not of 8 digits is not ours");
	is(xf_policy_key_parse(XF_POLICY_PREFIX "0B5E8A52-7C1D-4F5E-9A3B-2C6D8E0F1A2B/settings",
			       u, NULL), XF_PK_OTHER, "an upper-case UUID is not ours");
	is(xf_policy_key_parse(XF_POLICY_PREFIX "not-a-uuid/settings", u, NULL),
	   XF_PK_OTHER, "a key without a UUID is not ours");
}

int main(void)
{
	struct xf_policy_watch w;
	char url[64], err[300], rm[64];
	int p, q, rc;
	size_t before = 0, after = 0;
	pid_t etcd;

	key_layout();
	if (!mkdtemp(etcd_dir))
		return 1;
	p = free_port();
	q = free_port();
	peer_port = free_port();
	if (!ok(system("command -v etcd > /dev/null") == 0,
		"etcd is installed (scripts/deps.sh build: etcd-server)"))
		return tap_done();
	etcd = etcd_start(p);
	if (!ok(etcd_up(p, etcd), "etcd answers on 127.0.0.1:%d", p)) {
		etcd_kill(etcd);
		return tap_done();
	}
	xf_etcd_global_init();

	/* ---- xfctl writes the documented keys ---------------------------- */
	is(xfctl(p, "rule add dom %s uid 1001 proto tcp dport 25 drop", U), 0,
	   "xfctl --store etcd rule add dom UUID ...");
	ok(value_is(p, XF_POLICY_PREFIX U "/rules/00000001",
		    "uid 1001 proto tcp dport 25 drop"),
	   "rules/00000001 holds the rule without its dom field");
	is(xfctl(p, "domain set %s mode userland policy drop", U), 0,
	   "xfctl --store etcd domain set UUID ...");
	ok(value_is(p, XF_POLICY_PREFIX U "/settings", "mode userland policy drop"),
	   "settings holds the settings text");
	get(p, "", &before);
	rc = xfctl(p, "rule add dom %s uid 1001 dport 99999 drop", U);
	ok(rc == 2 && err_has("'99999'"), "a bad rule is refused, naming its token (rc %d)", rc);
	rc = xfctl(p, "rule add uid 1001 drop");
	ok(rc == 2 && err_has("needs 'dom GUEST'"), "a rule without a guest is refused (rc %d)", rc);
	rc = xfctl(p, "rule add dom nosuchguest drop");
	ok(rc == 2 && err_has("'nosuchguest'"), "an unknown guest name is refused (rc %d)", rc);
	rc = xfctl(p, "domain set %s policy sideways", U);
	ok(rc == 2 && err_has("'sideways'"), "bad settings are refused, naming the value (rc %d)", rc);
	get(p, "", &after);
	is(after, before, "and none of them wrote a key");
	rc = xfctl(p, "save");
	ok(rc == 2 && err_has("'save' has no --store etcd form"),
	   "objects without a store form are named (rc %d)", rc);

	/* ---- the watcher reads and follows ----------------------------------- */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", p);
	if (!ok(!xf_policy_watch_start(&w, url, err, sizeof(err)), "the watcher starts")) {
		diag("%s", err);
		etcd_kill(etcd);
		return tap_done();
	}
	ok(wait_for(&w, &(struct want){ .connected = true, .resyncs = 1, .rules = 1,
			.rule0 = "uid 1001 proto tcp dport 25 drop",
			.settings = "mode userland policy drop" }),
	   "it reads the guest's rule and settings");
	is(xfctl(p, "rule add dom %s proto udp dport 53 accept", U), 0, "a second rule added");
	ok(wait_for(&w, &(struct want){ .connected = true, .rules = 2,
			.rule1 = "proto udp dport 53 accept" }),
	   "the watch brings it, after the first");
	is(xfctl(p, "rule del dom %s udp dport 53 accept proto", U), 2,
	   "rule del of a misspelt rule fails");
	is(xfctl(p, "rule del dom %s dport 53 proto udp accept", U), 0,
	   "rule del matches the rule whatever the field order");
	ok(wait_for(&w, &(struct want){ .connected = true, .rules = 1,
			.rule0 = "uid 1001 proto tcp dport 25 drop" }),
	   "the watch brings the deletion");
	is(w.disconnects, 0, "no connection lost so far");

	/* ---- etcd dies: the last policy stays, the loss is counted -------- */
	etcd_kill(etcd);
	ok(wait_for(&w, &(struct want){ .connected = false, .disconnects = 1, .rules = 1,
			.rule0 = "uid 1001 proto tcp dport 25 drop",
			.settings = "mode userland policy drop" }),
	   "etcd killed: disconnected, counted, the last policy kept");
	rc = xfctl(p, "rule list");
	ok(rc == 1 && err_has("127.0.0.1"), "xfctl says the store is unreachable (rc %d)", rc);

	/* Changes the watcher cannot see: etcd back on another port. */
	etcd = etcd_start(q);
	ok(etcd_up(q, etcd), "etcd restarted on port %d only (same data)", q);
	is(xfctl(q, "rule add dom %s proto udp dport 5451 drop", U), 0,
	   "a rule added while the watcher is away");
	is(xfctl(q, "domain set %s policy accept", U), 0, "and the settings changed");
	ok(value_is(q, XF_POLICY_PREFIX U "/settings", "mode userland policy accept"),
	   "domain set merges into the stored settings");
	pthread_mutex_lock(&w.lock);
	ok(!w.connected && watch_matches(&w, &(struct want){ .rules = 1 }),
	   "the watcher, unable to reach it, still holds the old policy");
	pthread_mutex_unlock(&w.lock);
	etcd_kill(etcd);

	/* ---- etcd back where the watcher looks: a full read resyncs -------- */
	etcd = etcd_start(p);
	ok(etcd_up(p, etcd), "etcd back on port %d", p);
	ok(wait_for(&w, &(struct want){ .connected = true, .resyncs = 2, .rules = 2,
			.rule1 = "proto udp dport 5451 drop",
			.settings = "mode userland policy accept" }),
	   "reconnected: everything read again, the missed changes included");
	is(xfctl(p, "rule flush dom %s", U), 0, "rule flush dom UUID");
	ok(wait_for(&w, &(struct want){ .connected = true, .rules = 0,
			.settings = "mode userland policy accept" }),
	   "and the watch runs again: the rules are gone, the settings stay");
	is(xfctl(p, "domain del %s", U), 0, "domain del UUID");
	ok(wait_for(&w, &(struct want){ .connected = true, .rules = -1 }),
	   "the guest is gone from the watcher's copy");
	is(w.disconnects, 1, "one connection loss counted in all");

	xf_policy_watch_stop(&w);
	etcd_kill(etcd);
	snprintf(rm, sizeof(rm), "rm -rf %s", etcd_dir);
	if (system(rm))
		diag("could not remove %s", etcd_dir);
	return tap_done();
}
