// SPDX-License-Identifier: GPL-2.0
/*
 * What the fleet store costs one host: fleet-bench GUESTS RULES CHANGES
 *
 * A real etcd on localhost (tests/unit/etcd_lab.h) is loaded with GUESTS
 * guests of RULES rules each (and their name and settings keys), then the
 * policy watcher that xfilterd runs (userspace/lib/policy.c) is started:
 *
 *   read_ms     start to the first full copy (the whole prefix, one range)
 *   copy_kib    the copy's own size (keys, values, their array)
 *   rss_kib     what the process's resident memory grew by meanwhile (the
 *               range's reply and its parse included, which malloc keeps)
 *   lookup_us   one guest's policy taken from the copy: what xfilterd does
 *               for each guest running here whenever the copy changes
 *   change_ms   p50/p99 over CHANGES puts of one rule of guest 0: from the
 *               put to the watcher's copy holding the new text (etcd's
 *               commit, its watch event, the copy's update, the eventfd)
 *
 * Prints one line "XF_BENCH guests=G rules=R keys=K read_ms=... ...".
 * tests/bench/fleet-bench.sh runs it for 1 and 1,000 guests side by side.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "etcd_lab.h"
#include "policy.h"

static void uuid_of(char *buf, size_t size, unsigned int g)
{
	snprintf(buf, size, "%08x-0000-4000-8000-%012x", g, g);
}

static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static long copy_kib(struct xf_policy_watch *w)
{
	size_t i, bytes;

	pthread_mutex_lock(&w->lock);
	bytes = w->kv.cap * sizeof(*w->kv.v);
	for (i = 0; i < w->kv.n; i++)
		bytes += strlen(w->kv.v[i].key) + 1 + w->kv.v[i].vlen + 1;
	pthread_mutex_unlock(&w->lock);
	return bytes / 1024;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct first_rule {
	const char *uuid, *text;
};

/* Under w->lock: the copy has text as the guest's first rule. */
static bool copy_has(struct xf_policy_watch *w, const void *arg)
{
	const struct first_rule *f = arg;
	struct xf_policy_guest g;
	bool has = false;

	if (xf_policy_watch_guest(w, f->uuid, &g)) {
		has = g.nrules && !strcmp(g.rules[0], f->text);
		xf_policy_guest_free(&g);
	}
	return has;
}

static bool wait_copy(struct xf_policy_watch *w, const char *uuid,
		      const char *text)
{
	return watch_wait(w, copy_has, &(struct first_rule){ uuid, text });
}

int main(int argc, char **argv)
{
	unsigned int guests, rules, changes, g, r, i;
	char url[64], err[256], key[160], uuid[40], text[96];
	struct xf_policy_watch w = { 0 };
	struct xf_policy_guest pg;
	double t0, read_ms, lookup_us, *lat;
	long rss0, rss1;
	struct xf_etcd e;
	pid_t etcd;
	int port, rc = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: fleet-bench GUESTS RULES CHANGES\n");
		return 2;
	}
	guests = atoi(argv[1]);
	rules = atoi(argv[2]);
	changes = atoi(argv[3]);
	if (!guests || !rules || !changes || !mkdtemp(etcd_dir))
		return 2;
	lat = calloc(changes, sizeof(*lat));
	port = free_port();
	peer_port = free_port();
	etcd = etcd_start(port);
	if (!lat || !etcd_up(port, etcd)) {
		fprintf(stderr, "fleet-bench: etcd did not start (%s)\n", etcd_dir);
		goto out;
	}
	xf_etcd_global_init();
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	if (xf_etcd_init(&e, url, err, sizeof(err))) {
		fprintf(stderr, "fleet-bench: %s\n", err);
		goto out;
	}
	for (g = 0; g < guests; g++) {
		uuid_of(uuid, sizeof(uuid), g);
		xf_policy_key(key, sizeof(key), uuid, "name");
		snprintf(text, sizeof(text), "guest%u", g);
		if (xf_etcd_put(&e, key, text))
			goto put_failed;
		xf_policy_key(key, sizeof(key), uuid, "settings");
		if (xf_etcd_put(&e, key, "mode userland policy accept fail drop"))
			goto put_failed;
		for (r = 0; r < rules; r++) {
			xf_policy_rule_key(key, sizeof(key), uuid, r + 1);
			snprintf(text, sizeof(text), "uid %u proto tcp dport %u drop",
				 1000 + r, 1 + r);
			if (xf_etcd_put(&e, key, text))
				goto put_failed;
		}
	}

	uuid_of(uuid, sizeof(uuid), 0);
	rss0 = rss_kib();
	t0 = now_s();
	if (xf_policy_watch_start(&w, url, err, sizeof(err))) {
		fprintf(stderr, "fleet-bench: %s\n", err);
		goto out_etcd;
	}
	if (!wait_copy(&w, uuid, "uid 1000 proto tcp dport 1 drop")) {
		fprintf(stderr, "fleet-bench: the watcher never read the store\n");
		goto out_watch;
	}
	read_ms = (now_s() - t0) * 1e3;
	rss1 = rss_kib();

	t0 = now_s();
	for (i = 0; i < 1000; i++) {
		pthread_mutex_lock(&w.lock);
		if (xf_policy_watch_guest(&w, uuid, &pg))
			xf_policy_guest_free(&pg);
		pthread_mutex_unlock(&w.lock);
	}
	lookup_us = (now_s() - t0) * 1e3;	/* 1000 lookups: us each */

	xf_policy_rule_key(key, sizeof(key), uuid, 1);
	for (i = 0; i < changes; i++) {
		snprintf(text, sizeof(text), "uid %u proto tcp dport 1 drop", 2000 + i);
		t0 = now_s();
		if (xf_etcd_put(&e, key, text))
			goto put_failed_watch;
		if (!wait_copy(&w, uuid, text)) {
			fprintf(stderr, "fleet-bench: change %u never reached the copy\n", i);
			goto out_watch;
		}
		lat[i] = (now_s() - t0) * 1e3;
	}
	qsort(lat, changes, sizeof(*lat), cmp_double);
	printf("XF_BENCH guests=%u rules=%u keys=%u read_ms=%.1f copy_kib=%ld rss_kib=%ld lookup_us=%.2f change_p50_ms=%.2f change_p99_ms=%.2f\n",
	       guests, rules, guests * (rules + 2), read_ms, copy_kib(&w),
	       rss1 - rss0, lookup_us, lat[changes / 2], lat[(changes * 99) / 100]);
	rc = 0;
	goto out_watch;

put_failed_watch:
	fprintf(stderr, "fleet-bench: put %s failed\n", key);
out_watch:
	xf_policy_watch_stop(&w);
	goto out_etcd;
put_failed:
	fprintf(stderr, "fleet-bench: put %s failed\n", key);
out_etcd:
	xf_etcd_free(&e);
out:
	etcd_kill(etcd);
	snprintf(key, sizeof(key), "rm -rf %s", etcd_dir);
	if (system(key))
		fprintf(stderr, "fleet-bench: could not remove %s\n", etcd_dir);
	free(lat);
	return rc;
}
