// SPDX-License-Identifier: GPL-2.0
/*
 * The fleet policy's keys and the watcher thread (policy.h).
 *
 * The thread owns its etcd handle; the copy of the policy and the
 * counters are shared with the caller under w->lock. It never logs (the
 * library has no logger): it records what happened, and the caller, told
 * through the eventfd, says it.
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "policy.h"

#define XF_POLICY_RETRY_MIN_MS 200
#define XF_POLICY_RETRY_MAX_MS 5000

bool xf_policy_is_uuid(const char *s)
{
	int i;

	for (i = 0; i < XF_POLICY_UUID_LEN; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' :
		    !isxdigit((unsigned char)s[i]))
			return false;
	return !s[XF_POLICY_UUID_LEN];
}

int xf_policy_key_parse(const char *key, char *uuid, uint32_t *seq)
{
	const size_t plen = strlen(XF_POLICY_PREFIX);
	const char *rest;
	unsigned long v;
	char *end;
	int i;

	if (strncmp(key, XF_POLICY_PREFIX, plen) ||
	    strlen(key) < plen + XF_POLICY_UUID_LEN + 1 ||
	    key[plen + XF_POLICY_UUID_LEN] != '/')
		return XF_PK_OTHER;
	memcpy(uuid, key + plen, XF_POLICY_UUID_LEN);
	uuid[XF_POLICY_UUID_LEN] = 0;
	if (!xf_policy_is_uuid(uuid))
		return XF_PK_OTHER;
	for (i = 0; i < XF_POLICY_UUID_LEN; i++)
		if (isupper((unsigned char)uuid[i]))
			return XF_PK_OTHER;	/* written lower case only */
	rest = key + plen + XF_POLICY_UUID_LEN + 1;
	if (!strcmp(rest, "name"))
		return XF_PK_NAME;
	if (!strcmp(rest, "settings"))
		return XF_PK_SETTINGS;
	if (!strcmp(rest, "counters"))
		return XF_PK_COUNTERS;
	if (strncmp(rest, "rules/", 6) || strlen(rest + 6) != 8 ||
	    strspn(rest + 6, "0123456789") != 8)
		return XF_PK_OTHER;
	v = strtoul(rest + 6, &end, 10);
	if (seq)
		*seq = (uint32_t)v;
	return XF_PK_RULE;
}

void xf_policy_key(char *buf, size_t size, const char *uuid, const char *what)
{
	char lower[XF_POLICY_UUID_LEN + 1];
	int i;

	for (i = 0; i < XF_POLICY_UUID_LEN && uuid[i]; i++)
		lower[i] = (char)tolower((unsigned char)uuid[i]);
	lower[i] = 0;
	snprintf(buf, size, "%s%s/%s", XF_POLICY_PREFIX, lower, what);
}

void xf_policy_rule_key(char *buf, size_t size, const char *uuid, uint32_t seq)
{
	char what[32];

	snprintf(what, sizeof(what), "rules/%08u", seq);
	xf_policy_key(buf, size, uuid, what);
}

void xf_policy_guest_free(struct xf_policy_guest *g)
{
	size_t i;

	for (i = 0; i < g->nrules; i++) {
		free(g->rules[i]);
		free(g->keys[i]);
	}
	free(g->rules);
	free(g->keys);
	free(g->name);
	free(g->settings);
	free(g->counters);
	memset(g, 0, sizeof(*g));
}

/* The first index whose key is >= key (kv is sorted). */
static size_t lower_bound(const struct xf_kv_list *kv, const char *key)
{
	size_t lo = 0, hi = kv->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(kv->v[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool xf_policy_guest_of(const struct xf_kv_list *kv, const char *uuid,
			struct xf_policy_guest *g)
{
	char prefix[128], u[XF_POLICY_UUID_LEN + 1];
	size_t i, plen;
	uint32_t seq;
	bool ok = true;

	memset(g, 0, sizeof(*g));
	xf_policy_key(prefix, sizeof(prefix), uuid, "");
	plen = strlen(prefix);
	/* The lower-cased UUID, as the keys hold it. */
	memcpy(g->uuid, prefix + strlen(XF_POLICY_PREFIX), XF_POLICY_UUID_LEN);
	g->uuid[XF_POLICY_UUID_LEN] = 0;
	for (i = lower_bound(kv, prefix); ok && i < kv->n &&
	     !strncmp(kv->v[i].key, prefix, plen); i++) {
		const struct xf_kv *e = &kv->v[i];
		char **r, **k;

		if (e->mod_revision > g->mod_revision)
			g->mod_revision = e->mod_revision;
		switch (xf_policy_key_parse(e->key, u, &seq)) {
		case XF_PK_NAME:
			ok = (g->name = strdup(e->value)) != NULL;
			break;
		case XF_PK_SETTINGS:
			ok = (g->settings = strdup(e->value)) != NULL;
			break;
		case XF_PK_COUNTERS:
			ok = (g->counters = strdup(e->value)) != NULL;
			g->counters_rev = e->mod_revision;
			break;
		case XF_PK_RULE:
			r = realloc(g->rules, (g->nrules + 1) * sizeof(*r));
			if (r)
				g->rules = r;
			k = realloc(g->keys, (g->nrules + 1) * sizeof(*k));
			if (k)
				g->keys = k;
			ok = r && k;
			if (!ok)
				break;
			g->rules[g->nrules] = strdup(e->value);
			g->keys[g->nrules] = strdup(e->key);
			ok = g->rules[g->nrules] && g->keys[g->nrules];
			g->nrules++;
			break;
		}
	}
	if (!ok || (!g->name && !g->settings && !g->nrules)) {
		xf_policy_guest_free(g);
		return false;
	}
	return true;
}

/* ---- the watcher thread ------------------------------------------------ */

static void notify(struct xf_policy_watch *w)
{
	uint64_t one = 1;

	if (write(w->efd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already non-zero, the caller will look. */
	}
}

void xf_policy_watch_ack(struct xf_policy_watch *w)
{
	uint64_t v;

	if (read(w->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing pending */
	}
}

/* Replace (put) or remove (delete) one key of the copy; caller locks. */
static int copy_apply(struct xf_kv_list *kv, const struct xf_kv *e, int type)
{
	size_t i = lower_bound(kv, e->key);
	bool found = i < kv->n && !strcmp(kv->v[i].key, e->key);
	char *key, *value;

	if (type == XF_ETCD_DELETE) {
		if (!found)
			return 0;
		free(kv->v[i].key);
		free(kv->v[i].value);
		memmove(&kv->v[i], &kv->v[i + 1], (kv->n - i - 1) * sizeof(kv->v[0]));
		kv->n--;
		return 0;
	}
	value = strdup(e->value);
	if (!value)
		return -1;
	if (found) {
		free(kv->v[i].value);
		kv->v[i].value = value;
		kv->v[i].vlen = e->vlen;
		kv->v[i].mod_revision = e->mod_revision;
		return 0;
	}
	if (kv->n == kv->cap) {
		size_t cap = kv->cap ? 2 * kv->cap : 64;
		struct xf_kv *v = realloc(kv->v, cap * sizeof(*v));

		if (!v) {
			free(value);
			return -1;
		}
		kv->v = v;
		kv->cap = cap;
	}
	key = strdup(e->key);
	if (!key) {
		free(value);
		return -1;
	}
	memmove(&kv->v[i + 1], &kv->v[i], (kv->n - i) * sizeof(kv->v[0]));
	kv->v[i] = (struct xf_kv){ .key = key, .value = value, .vlen = e->vlen,
				   .mod_revision = e->mod_revision };
	kv->n++;
	return 0;
}

static int on_watch(void *arg, int64_t rev, const struct xf_kv *kv,
		    const int *types, size_t n)
{
	struct xf_policy_watch *w = arg;
	int ret = 0;
	size_t i;

	if (!n)
		return 0;	/* "created", or a progress notice */
	pthread_mutex_lock(&w->lock);
	for (i = 0; !ret && i < n; i++)
		ret = copy_apply(&w->kv, &kv[i], types[i]);
	if (ret)
		snprintf(w->err, sizeof(w->err), "out of memory applying a watch event: reading everything again");
	if (rev > w->revision)
		w->revision = rev;
	w->events += i;
	w->generation++;
	pthread_mutex_unlock(&w->lock);
	notify(w);
	return ret;	/* non-zero: a full read puts it right */
}

/* Waits ms, or until stopped. */
static void pause_ms(struct xf_policy_watch *w, int ms)
{
	struct pollfd p = { .fd = w->stop_fd, .events = POLLIN };

	if (!w->stop)
		poll(&p, 1, ms);
}

static void lost(struct xf_policy_watch *w)
{
	pthread_mutex_lock(&w->lock);
	snprintf(w->err, sizeof(w->err), "%s", w->etcd.err);
	if (w->connected) {
		w->connected = false;
		w->disconnects++;
	}
	pthread_mutex_unlock(&w->lock);
	notify(w);
}

static void *watch_thread(void *arg)
{
	struct xf_policy_watch *w = arg;
	int delay = XF_POLICY_RETRY_MIN_MS;
	struct xf_kv_list all;
	int64_t rev;

	while (!w->stop) {
		if (xf_etcd_range(&w->etcd, XF_POLICY_PREFIX, &all)) {
			lost(w);
			pause_ms(w, delay);
			delay = delay * 2 > XF_POLICY_RETRY_MAX_MS ?
				XF_POLICY_RETRY_MAX_MS : delay * 2;
			continue;
		}
		delay = XF_POLICY_RETRY_MIN_MS;
		pthread_mutex_lock(&w->lock);
		xf_kv_list_free(&w->kv);
		w->kv = all;	/* etcd returns a range sorted by key */
		w->revision = rev = all.revision;
		w->connected = true;
		w->resyncs++;
		w->generation++;
		w->err[0] = 0;
		pthread_mutex_unlock(&w->lock);
		notify(w);
		/* Everything after the revision read: nothing falls between. */
		if (xf_etcd_watch(&w->etcd, XF_POLICY_PREFIX, rev + 1, on_watch, w,
				  &w->stop) && !w->stop) {
			lost(w);
			pause_ms(w, delay);
		}
	}
	return NULL;
}

int xf_policy_watch_start(struct xf_policy_watch *w, const char *endpoints,
			  char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->efd = w->stop_fd = -1;
	if (xf_etcd_init(&w->etcd, endpoints, err, errlen))
		return -1;
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	w->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&w->lock, NULL);
	if (w->efd < 0 || w->stop_fd < 0 ||
	    pthread_create(&w->thread, NULL, watch_thread, w)) {
		snprintf(err, errlen, "cannot start the etcd watcher: %s",
			 strerror(errno));
		xf_policy_watch_stop(w);
		return -1;
	}
	w->running = true;
	return 0;
}

void xf_policy_watch_stop(struct xf_policy_watch *w)
{
	uint64_t one = 1;

	w->stop = true;
	if (w->running) {
		if (write(w->stop_fd, &one, sizeof(one)) < 0) {
			/* the counter is set already */
		}
		/* A watch notices within a second (curl's progress callback). */
		pthread_join(w->thread, NULL);
		w->running = false;
	}
	if (w->efd >= 0)
		close(w->efd);
	if (w->stop_fd >= 0)
		close(w->stop_fd);
	w->efd = w->stop_fd = -1;
	xf_kv_list_free(&w->kv);
	xf_etcd_free(&w->etcd);
}

bool xf_policy_watch_guest(struct xf_policy_watch *w, const char *uuid,
			   struct xf_policy_guest *g)
{
	return xf_policy_guest_of(&w->kv, uuid, g);
}
