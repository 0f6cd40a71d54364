/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xfilterd: the userland verdict source of xfilter.ko (the "safe mode" of
 * the design). The module holds the first packets of flows whose rules need
 * an owner and tells us about them in batches; we find the owner of each
 * flow by reading the guest kernel's memory and send the owners back, all
 * verdicts of a batch in one message. The module then matches its own rule
 * table (core/rule.c, the one matcher) with the owner we found, so a rule
 * change between our lookup and the verdict can never apply a stale table.
 *
 * Threads: the main thread owns netlink, xenstore and every batch; one
 * helper thread opens introspection sessions (building a guest kernel
 * profile can take seconds under TCG) and hands them over under dom_lock.
 */
#ifndef XFILTERD_H
#define XFILTERD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "guest.h"
#include "nl.h"

/* ---- logging (log.c) ------------------------------------------------------ */

enum xfd_level { XFD_ERR, XFD_WARN, XFD_INFO, XFD_DEBUG };

extern int xfd_log_level;
void xfd_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define xfd_err(...) xfd_log(XFD_ERR, __VA_ARGS__)
#define xfd_warn(...) xfd_log(XFD_WARN, __VA_ARGS__)
#define xfd_info(...) xfd_log(XFD_INFO, __VA_ARGS__)
#define xfd_dbg(...) \
	do { if (xfd_log_level >= XFD_DEBUG) xfd_log(XFD_DEBUG, __VA_ARGS__); } while (0)

uint64_t xfd_now_us(void);	/* CLOCK_MONOTONIC */

/* ---- configuration (conf.c, main.c) --------------------------------------- */

#define XFD_MAX_SEARCH 8
#define XFD_MAX_PINS 32
#define XFD_CONF_FILE "/etc/xfilter/xfilterd.conf"

/* What a source of settings (command line, config file) set. */
enum xfd_opt {
	XFD_OPT_KERNEL_PATH = 1 << 0,
	XFD_OPT_PIN = 1 << 1,
	XFD_OPT_PROFILE_DIR = 1 << 2,
	XFD_OPT_STATE_DIR = 1 << 3,
	XFD_OPT_RUN_DIR = 1 << 4,
	XFD_OPT_BUDGET = 1 << 5,
	XFD_OPT_LOG = 1 << 6,
	XFD_OPT_ETCD = 1 << 7,
};

/* A profile or kernel image set for one guest by name, UUID or domid. */
struct xfd_pin {
	const char *guest;
	const char *path;
	bool is_profile;
};

struct xfd_config {
	const char *search[XFD_MAX_SEARCH];	/* guest kernel images */
	int nr_search;
	const char *profile_dir;	/* cache of built profiles */
	const char *state_dir;		/* domid -> UUID map */
	const char *run_dir;		/* status file for xfctl */
	struct xfd_pin pins[XFD_MAX_PINS];
	int nr_pins;
	uint32_t batch_budget_us;	/* time one batch may take */
	int log_level;			/* enum xfd_level */
	const char *etcd;		/* the fleet store's endpoints, or NULL */
	unsigned int set;		/* enum xfd_opt: what this source set */
	char *buf;			/* a config file's text, values in it */
};

extern struct xfd_config xfd_cfg;

/*
 * One setting, a long option's name and value (val is kept, not copied);
 * dashes ("--" or "") prefixes the option's name in the error. 0, or -1
 * with the error, naming the token, in err.
 */
int xfd_conf_set(struct xfd_config *c, const char *key, const char *val,
		 const char *dashes, char *err, size_t errlen);
/*
 * A config file into c (zeroed first). A missing file is empty unless
 * must_exist. 0, or -1 with "FILE:LINE: ..." in err.
 */
int xfd_conf_read(const char *path, bool must_exist, struct xfd_config *c,
		  char *err, size_t errlen);
/* What src set, over dst (lists replace lists). */
void xfd_conf_merge(struct xfd_config *dst, const struct xfd_config *src);
void xfd_conf_free(struct xfd_config *c);	/* what xfd_conf_read made */
const char *xfd_level_name(int level);

/* ---- domains (domains.c) -------------------------------------------------- */

#define XFD_NAME_LEN 64
#define XFD_UUID_LEN 48	/* "/vm/" + 36 + NUL fits */

enum xfd_dom_state {
	XFD_DOM_NEW,		/* queued for the prep thread */
	XFD_DOM_PREP,		/* being opened */
	XFD_DOM_READY,		/* introspection works */
	XFD_DOM_FAILED,		/* gave up for now; retried later */
};

/* Hint cache: the last process found for a struct file. */
#define XFD_HINTS 64
struct xfd_hint {
	uint64_t file;
	uint64_t task;
	int32_t fd;
};

struct xfd_dom {
	uint32_t domid;
	char name[XFD_NAME_LEN];
	char uuid[XFD_UUID_LEN];
	bool alive;		/* seen in the last xenstore scan */
	bool rebound;		/* rules followed it from an old domid */
	int state;		/* enum xfd_dom_state, under xfd_dom_lock */
	char why[256];		/* last failure, for the status file */
	char kernel[256];	/* where its profile came from */
	uint64_t retry_at_us;
	uint32_t retry_delay_ms;
	struct xf_guest *g;	/* READY only; used by the main thread alone */
	/* hv.c: its profile in Xen (flags under xfd_dom_lock) */
	bool hv_check;		/* look up its mode, load if hypervisor */
	bool hv_want;		/* the module asked: load */
	bool hv_loaded;		/* main thread */
	uint64_t hv_retry_at_us;
	struct xfd_hint hints[XFD_HINTS];
	/* counters, main thread */
	uint64_t batches, flows, attributed, unattributed, walks;
	uint64_t fast_hits;
	struct xfd_dom *next;
};

extern pthread_mutex_t xfd_dom_lock;
extern struct xfd_dom *xfd_doms;

int xfd_domains_init(void);
void xfd_domains_exit(void);
int xfd_domains_fd(void);			/* the xenstore watch fd */
void xfd_domains_event(struct xf_nl *nl);	/* fd readable */
void xfd_domains_scan(struct xf_nl *nl);
void xfd_domains_tick(void);			/* retries */
struct xfd_dom *xfd_dom_find(uint32_t domid);

/* ---- following guests across domids (rebind.c) --------------------------- */

void xfd_rebind_load(void);
void xfd_rebind_remember(const struct xfd_dom *d);
/*
 * d is a guest new under its domid: move the rules of its old domid. Returns
 * false while its old instance is still listed (retried at the next scan).
 */
bool xfd_rebind_domain(struct xf_nl *nl, const struct xfd_dom *d);
void xfd_rebind_save(void);
/* The fail policy the module applies to domid. */
int xfd_fail_policy(struct xf_nl *nl, uint32_t domid);

/* The rule table, temporary rules and rules for every domain left out. */
struct xfd_rule_ref {
	uint32_t index;
	uint32_t domid;
	uint64_t generation;	/* of the table the index is from */
	struct nlattr *attrs;	/* copy of the XFILTER_A_RULE nest */
};
int xfd_rules_dump(struct xf_nl *nl, struct xfd_rule_ref **v, int *n);
void xfd_rules_free(struct xfd_rule_ref *v, int n);
/* Rule r to domid, at its place (its counters restart). */
int xfd_rule_move(struct xf_nl *nl, const struct xfd_rule_ref *r,
		  uint32_t domid);

/* ---- rules and settings restored for guests not running (kept.c) --------- */

/* Apply what STATE_DIR/kept holds for running guests; changed: only if the
 * file changed since the last look (else: a domain came). */
void xfd_kept_apply(struct xf_nl *nl, bool changed);

/* DOMAIN_SET domid to a settings text (`domain set` syntax); 0 or -errno,
 * -EINVAL for a text that does not parse, with the reason in err. */
int xfd_domain_set_text(struct xf_nl *nl, uint32_t domid, const char *text,
			char *err, size_t errlen);

/* ---- the fleet policy in etcd (store.c) ----------------------------------- */

/* Start watching cfg.etcd (nothing without it): 0, or -1 logged. */
int xfd_store_start(void);
void xfd_store_stop(void);
int xfd_store_fd(void);				/* -1 without a store */
/* The fd was readable: log what happened to the connection and apply. */
void xfd_store_event(struct xf_nl *nl);
/* Make every running guest the store names hold its policy (after
 * kept.c, so the store wins for the guests it names). */
void xfd_store_apply(struct xf_nl *nl);
void xfd_store_stats(FILE *f);
/* Domain domid of guest uuid is gone: its rules' counters to the store. */
void xfd_store_departed(struct xf_nl *nl, uint32_t domid, const char *uuid);
/* From the main loop: puts of departed guests' counters that failed. */
void xfd_store_tick(void);

/* The mode the module applies to domid (enum xfilter_mode; -1 unknown). */
int xfd_domain_mode(struct xf_nl *nl, uint32_t domid);

/* ---- profiles for the filter in Xen (hv.c) -------------------------------- */

void xfd_hv_init(void);
bool xfd_hv_available(void);
/* PROFILE_NOTIFY from the module (XFILTER_DOMID_DEFAULT: every domain). */
void xfd_hv_want(uint32_t domid);
/* Load what is due; main thread. */
void xfd_hv_tick(struct xf_nl *nl);

/* ---- profiles and sessions (profiles.c, prep.c) --------------------------- */

/*
 * Opens an introspection session for domid: a pinned profile or kernel,
 * else the kernel libxl booted, else every image on the search path, each
 * accepted only if its banner is found in the guest's memory.
 */
int xfd_guest_open(uint32_t domid, const char *name, const char *uuid,
		   struct xf_guest *g, char *src, size_t srclen, char *err,
		   size_t errlen);

int xfd_prep_start(void);
void xfd_prep_stop(void);
void xfd_prep_kick(void);

/* ---- batches (batch.c, attrib.c) ------------------------------------------ */

struct xfd_flow {
	uint32_t id;
	uint32_t domid;
	uint8_t family;		/* XF_AF_INET / XF_AF_INET6 */
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t saddr[16], daddr[16];
	uint32_t age_us;	/* since its first packet was held */
	bool attributed;
	struct xf_owner owner;
};

#define XFD_DOMID_LIMIT (XFILTER_DOMID_MAX + 1)
/*
 * One batch of each domain in domids[0..n) (at most XFD_SERVE_MAX a round:
 * the others wait for the next); domids keeps those told of another batch,
 * their number is returned. sweep: domids are all domains, notified or
 * not (its fetches are counted apart).
 */
#define XFD_SERVE_MAX 1024
int xfd_batch_round(struct xf_nl *nl, uint32_t *domids, int n, bool sweep);
/* The "fetches" line of xfilterd.stats. */
void xfd_batch_stats(FILE *f);
/* Shutdown: answer what waits with each domain's fail policy. */
void xfd_batch_drain_fail(struct xf_nl *nl);
/*
 * A BATCH_NOTIFY of batch_id (0: none in it); msg when it carries its
 * flows: kept (a reference) for the round. Returns false if that batch
 * was answered already (fetched before its notice was read).
 */
bool xfd_batch_notice(uint32_t domid, uint32_t batch_id, struct nl_msg *msg);
/* Attribute the flows of one batch (one consistent view). */
void xfd_attribute(struct xfd_dom *d, struct xfd_flow *f, int n,
		   uint64_t deadline_us);

/* ---- statistics (stats.c) ------------------------------------------------- */

void xfd_stats_batch(uint32_t domid, int nflows, uint64_t batch_us,
		     const uint32_t *syn_us, int n);
void xfd_stats_write(bool force);
void xfd_stats_exit(void);

#endif /* XFILTERD_H */
