// SPDX-License-Identifier: GPL-2.0
/*
 * Figures for `xfctl stats` and the tests, in run_dir/xfilterd.stats
 * (written to a temporary file and renamed, so readers never see half):
 *
 *	pid N
 *	budget_ms N / log_level NAME	settings in force (they change on SIGHUP)
 *	batches N / flows N
 *	batch_us p50 p99 max	time we took per batch (flows in hand to verdict)
 *	syn_us p50 p99 max	first packet held to verdict sent
 *	fetches N empty=N sweep_fetches=N sweep_empty=N
 *				BATCH_GETs in rounds and in sweeps, and those
 *				that found no batch (batch.c)
 *	domain ID NAME STATE flows=N attributed=N unattributed=N walks=N
 *		fast=N maps=N hv=loaded|- exe=0|1 kernel=PATH [why=...]
 *	(maps: guest frames mapped since the session opened, the misses of
 *	 mem_xen.c's cache; hv=loaded: its profile is in the filter in Xen,
 *	 hv.c)
 *	store etcd connected=0|1 revision=N disconnects=N resyncs=N events=N
 *		keys=N applied=N replaced=N bad=N	(with --etcd, store.c)
 *
 * Percentiles are of the last XF_WINDOW samples (userspace/lib/window.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "window.h"
#include "xfilterd.h"

#define XFD_WRITE_EVERY_US 500000

static struct xf_window batch_win, syn_win;
static uint64_t total_batches, total_flows, last_write;
static bool dirty = true;

void xfd_stats_batch(uint32_t domid, int nflows, uint64_t batch_us,
		     const uint32_t *syn_us, int n)
{
	int i;

	total_batches++;
	total_flows += nflows;
	xf_window_add(&batch_win, batch_us > UINT32_MAX ? UINT32_MAX : batch_us);
	for (i = 0; i < n; i++)
		xf_window_add(&syn_win, syn_us[i]);
	dirty = true;
}

static const char *state_name(int s)
{
	static const char *const names[] = { "new", "opening", "ready", "failed" };

	return s >= 0 && s < 4 ? names[s] : "?";
}

static void path_of(char *buf, size_t len, const char *suffix)
{
	snprintf(buf, len, "%s/xfilterd.stats%s", xfd_cfg.run_dir, suffix);
}

void xfd_stats_write(bool force)
{
	char path[300], tmp[310], why[256];
	uint32_t b50, b99, s50, s99;
	uint64_t now = xfd_now_us();
	struct xfd_dom *d;
	FILE *f;
	size_t i;

	/* Domain states change on the prep thread, without a batch: write
	 * at least every XFD_WRITE_EVERY_US, dirty or not (it is small). */
	if (!force && !dirty && now - last_write < XFD_WRITE_EVERY_US)
		return;
	if (!force && dirty && now - last_write < XFD_WRITE_EVERY_US / 5)
		return;
	mkdir(xfd_cfg.run_dir, 0755);
	path_of(path, sizeof(path), "");
	path_of(tmp, sizeof(tmp), ".tmp");
	f = fopen(tmp, "w");
	if (!f) {
		xfd_dbg("cannot write %s: %s", tmp, strerror(errno));
		return;
	}
	b50 = xf_window_pct(&batch_win, 50);
	b99 = xf_window_pct(&batch_win, 99);
	s50 = xf_window_pct(&syn_win, 50);
	s99 = xf_window_pct(&syn_win, 99);
	fprintf(f, "pid %d\nbudget_ms %u\nlog_level %s\n", (int)getpid(),
		xfd_cfg.batch_budget_us / 1000, xfd_level_name(xfd_log_level));
	fprintf(f, "batches %llu\nflows %llu\n",
		(unsigned long long)total_batches,
		(unsigned long long)total_flows);
	fprintf(f, "batch_us %u %u %u\nsyn_us %u %u %u\nsamples %u\n", b50, b99,
		batch_win.max, s50, s99, syn_win.max, syn_win.n);
	xfd_batch_stats(f);
	xfd_store_stats(f);
	pthread_mutex_lock(&xfd_dom_lock);
	for (d = xfd_doms; d; d = d->next) {
		if (!d->alive)
			continue;
		/* Guest-chosen names: keep the line format intact. */
		snprintf(why, sizeof(why), "%s", d->why);
		for (i = 0; why[i]; i++)
			if (why[i] == '\n')
				why[i] = ' ';
		/* exe=0: its kernel profile has no path members, so exe
		 * rules never match its flows (logged when opened). */
		fprintf(f, "domain %u %s %s flows=%llu attributed=%llu unattributed=%llu walks=%llu fast=%llu maps=%llu hv=%s exe=%d kernel=%s%s%s\n",
			d->domid, d->name[0] ? d->name : "-",
			state_name(d->state), (unsigned long long)d->flows,
			(unsigned long long)d->attributed,
			(unsigned long long)d->unattributed,
			(unsigned long long)d->walks,
			(unsigned long long)d->fast_hits,
			(unsigned long long)(d->g ? d->g->mem->stats_maps : 0),
			d->hv_loaded ? "loaded" : "-",
			d->state == XFD_DOM_READY && d->g && d->g->vmi.path,
			d->kernel[0] ? d->kernel : "-", why[0] ? " why=" : "",
			why);
	}
	pthread_mutex_unlock(&xfd_dom_lock);
	if (fclose(f) == 0 && rename(tmp, path) == 0) {
		dirty = false;
		last_write = now;
	}
}

void xfd_stats_exit(void)
{
	char path[300];

	path_of(path, sizeof(path), "");
	unlink(path);
}
