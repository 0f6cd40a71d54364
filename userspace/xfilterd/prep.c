// SPDX-License-Identifier: GPL-2.0
/*
 * The prep thread: opens introspection sessions off the main thread. A
 * profile built from a guest kernel image takes about a second natively
 * and much longer under TCG; batches of other domains must not wait for
 * it. Until a domain is ready its flows get its fail policy (batch.c).
 * Failures are retried with a doubling delay (1 s .. 30 s): a guest that
 * is still booting, or whose kernel image shows up later, gets picked up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfilterd.h"

#define XFD_RETRY_MAX_MS 30000

static pthread_t prep_thread;
static pthread_cond_t prep_cond = PTHREAD_COND_INITIALIZER;
static bool prep_stop, prep_started;

/* Caller holds the lock. */
static struct xfd_dom *next_job(void)
{
	struct xfd_dom *d;

	for (d = xfd_doms; d; d = d->next)
		if (d->alive && d->state == XFD_DOM_NEW)
			return d;
	return NULL;
}

static void prep_one(struct xfd_dom *d)
{
	char name[XFD_NAME_LEN], uuid[XFD_UUID_LEN], src[256] = "", err[512] = "";
	uint32_t domid = d->domid;
	struct xf_guest *g;
	uint64_t t0 = xfd_now_us();
	int r = -1;

	/* Copies: the record may be marked gone while we work. */
	memcpy(name, d->name, sizeof(name));
	memcpy(uuid, d->uuid, sizeof(uuid));
	d->state = XFD_DOM_PREP;
	pthread_mutex_unlock(&xfd_dom_lock);

	g = calloc(1, sizeof(*g));
	if (g)
		r = xfd_guest_open(domid, name, uuid, g, src, sizeof(src), err,
				   sizeof(err));
	else
		snprintf(err, sizeof(err), "out of memory");

	pthread_mutex_lock(&xfd_dom_lock);
	if (r == 0 && d->alive) {
		d->g = g;
		d->state = XFD_DOM_READY;
		d->hv_check = true;	/* hv.c: its profile to Xen if needed */
		d->hv_loaded = false;
		d->why[0] = 0;
		snprintf(d->kernel, sizeof(d->kernel), "%s", src);
		d->retry_delay_ms = 1000;
		xfd_info("domain %u (%s): introspection ready in %llu ms (%s, %s)",
			 domid, name,
			 (unsigned long long)(xfd_now_us() - t0) / 1000,
			 g->prof.release, src);
		return;
	}
	if (r == 0) {
		xf_guest_close(g);
	} else if (d->alive) {
		snprintf(d->why, sizeof(d->why), "%s", err);
		xfd_warn("domain %u (%s): no introspection yet, retry in %u ms: %s",
			 domid, name, d->retry_delay_ms, err);
	}
	free(g);
	d->state = XFD_DOM_FAILED;
	d->retry_at_us = xfd_now_us() + (uint64_t)d->retry_delay_ms * 1000;
	d->retry_delay_ms *= 2;
	if (d->retry_delay_ms > XFD_RETRY_MAX_MS)
		d->retry_delay_ms = XFD_RETRY_MAX_MS;
}

static void *prep_main(void *arg)
{
	struct xfd_dom *d;

	pthread_mutex_lock(&xfd_dom_lock);
	while (!prep_stop) {
		d = next_job();
		if (!d) {
			pthread_cond_wait(&prep_cond, &xfd_dom_lock);
			continue;
		}
		prep_one(d);	/* drops and retakes the lock */
	}
	pthread_mutex_unlock(&xfd_dom_lock);
	return NULL;
}

int xfd_prep_start(void)
{
	if (pthread_create(&prep_thread, NULL, prep_main, NULL))
		return -1;
	prep_started = true;
	return 0;
}

void xfd_prep_kick(void)
{
	pthread_mutex_lock(&xfd_dom_lock);
	pthread_cond_signal(&prep_cond);
	pthread_mutex_unlock(&xfd_dom_lock);
}

/* Waits for a session being opened: profile building is bounded. */
void xfd_prep_stop(void)
{
	if (!prep_started)
		return;
	pthread_mutex_lock(&xfd_dom_lock);
	prep_stop = true;
	pthread_cond_signal(&prep_cond);
	pthread_mutex_unlock(&xfd_dom_lock);
	pthread_join(prep_thread, NULL);
	prep_started = false;
}
