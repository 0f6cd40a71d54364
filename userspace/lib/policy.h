/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fleet's policy in etcd (policy.c): its key layout, and a watcher
 * that keeps a copy of it in memory for xfilterd.
 *
 * Every key lives under one prefix, keyed by the guest's UUID (what xl
 * keeps across reboot, save/restore and migration), lower case:
 *
 *	/xfilter/v1/guests/UUID/name          the guest's name (informative:
 *	                                      xfctl resolves names with it)
 *	/xfilter/v1/guests/UUID/settings      "mode userland policy drop ...":
 *	                                      what follows `xfctl domain set
 *	                                      DOMAIN`
 *	/xfilter/v1/guests/UUID/rules/NNNNNNNN  one rule in core/rule_text's
 *	                                      syntax without its dom field (the
 *	                                      key names the guest); key order is
 *	                                      rule order, first match wins
 *
 * Values are the text of `xfctl save` files, parsed by the same code
 * (core/rule_text.c, lib/domain_set.c). Other keys under the prefix are
 * ignored (a newer writer's), so the layout can grow.
 *
 * The watcher thread reads the whole prefix (one range), then watches it
 * from the next revision. When the store goes away the copy stays as it
 * was (the last policy stays applied), the loss is counted, and the thread
 * tries again with a growing delay (0.2 s to 5 s); once a member answers it
 * reads the whole prefix again and replaces the copy (what changed while
 * it was away, deletions included, is then seen), and watches again. Each
 * change of the copy or of the connection is told through an eventfd.
 */
#ifndef XF_USER_POLICY_H
#define XF_USER_POLICY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "etcd.h"

#define XF_POLICY_PREFIX "/xfilter/v1/guests/"
#define XF_POLICY_UUID_LEN 36
#define XF_POLICY_RULE_SEQ_MAX 99999999u

enum xf_policy_key {
	XF_PK_OTHER,		/* not one of ours: ignored */
	XF_PK_NAME,
	XF_PK_SETTINGS,
	XF_PK_RULE,
	XF_PK_COUNTERS,
};

/* A well-formed UUID (8-4-4-4-12 hex digits). */
bool xf_policy_is_uuid(const char *s);
/*
 * Which key this is; uuid (37 bytes) gets its guest's UUID, *seq a rule's
 * number. XF_PK_OTHER for anything else.
 */
int xf_policy_key_parse(const char *key, char *uuid, uint32_t *seq);
/* PREFIX + uuid (lower-cased) + "/" + what ("" for the guest's prefix). */
void xf_policy_key(char *buf, size_t size, const char *uuid, const char *what);
void xf_policy_rule_key(char *buf, size_t size, const char *uuid, uint32_t seq);

/* What the store holds for one guest (a copy). */
struct xf_policy_guest {
	char uuid[XF_POLICY_UUID_LEN + 1];
	char *name;		/* NULL when not stored */
	char *settings;		/* NULL when not stored */
	char **rules, **keys;	/* rule texts and their keys, in order */
	size_t nrules;
	char *counters;		/* what its rules counted on the host it left */
	int64_t counters_rev;	/* that key's mod_revision */
	int64_t mod_revision;	/* the newest of its keys */
};
void xf_policy_guest_free(struct xf_policy_guest *g);

/* The guest under uuid in kv (sorted by key): false if it has no key. */
bool xf_policy_guest_of(const struct xf_kv_list *kv, const char *uuid,
			struct xf_policy_guest *g);

struct xf_policy_watch {
	struct xf_etcd etcd;	/* the thread's own handle */
	pthread_t thread;
	bool running;
	volatile bool stop;
	int efd;		/* eventfd: readable after a change */
	int stop_fd;		/* eventfd: wakes the thread's waits */
	pthread_mutex_t lock;	/* over everything below */
	struct xf_kv_list kv;	/* the policy, sorted by key */
	bool connected;
	int64_t revision;	/* of the copy */
	uint64_t generation;	/* +1 at every change of the copy */
	uint64_t disconnects;	/* connection losses */
	uint64_t resyncs;	/* full reads (the first one included) */
	uint64_t events;	/* watch events applied */
	char err[256];		/* the last failure */
};

/* Starts the thread. 0, or -1 with the reason in err. */
int xf_policy_watch_start(struct xf_policy_watch *w, const char *endpoints,
			  char *err, size_t errlen);
void xf_policy_watch_stop(struct xf_policy_watch *w);
/* Reads (clears) the eventfd: call when it is readable. */
void xf_policy_watch_ack(struct xf_policy_watch *w);
/* Under w->lock: the guest's policy; false if the store has none. */
bool xf_policy_watch_guest(struct xf_policy_watch *w, const char *uuid,
			   struct xf_policy_guest *g);

#endif /* XF_USER_POLICY_H */
