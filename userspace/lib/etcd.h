/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A client of etcd's v3 API as etcd 3.4 serves it over HTTP: its gRPC
 * gateway takes and returns JSON (POST /v3/kv/range, /v3/kv/put,
 * /v3/kv/deleterange, /v3/kv/txn, and /v3/watch, a stream of JSON
 * objects), keys and values in base64. The transport is libcurl and the
 * JSON json-c; nothing here speaks a protocol of its own.
 *
 * Endpoints are tried in the order given, starting with the last one that
 * answered, so a member that is down costs one connect timeout.
 * Not thread-safe per handle: the watcher thread (policy.c) has its own.
 */
#ifndef XF_USER_ETCD_H
#define XF_USER_ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XF_ETCD_DEFAULT "http://127.0.0.1:2379"
#define XF_ETCD_MAX_ENDPOINTS 8

struct xf_etcd {
	char *endpoints[XF_ETCD_MAX_ENDPOINTS];
	int n, cur;
	long timeout_ms;	/* a unary request, connect included */
	char err[256];		/* why the last call failed */
};

struct xf_kv {
	char *key;
	char *value;		/* NUL-terminated; vlen without the NUL */
	size_t vlen;
	int64_t mod_revision;
};

struct xf_kv_list {
	struct xf_kv *v;
	size_t n, cap;
	int64_t revision;	/* the store's revision the list is from */
};

/* curl_global_init: once per process, before any thread starts. */
int xf_etcd_global_init(void);
/*
 * "http://host:port[,http://host2:port...]". 0, or -1 with the bad token
 * named in err.
 */
int xf_etcd_init(struct xf_etcd *e, const char *endpoints, char *err,
		 size_t errlen);
void xf_etcd_free(struct xf_etcd *e);

/* Every key that starts with prefix, in key order. 0 or -1 (e->err). */
int xf_etcd_range(struct xf_etcd *e, const char *prefix, struct xf_kv_list *out);
int xf_etcd_put(struct xf_etcd *e, const char *key, const char *value);
/* Put key only if it does not exist yet: 1 put, 0 it exists, -1 error. */
int xf_etcd_create(struct xf_etcd *e, const char *key, const char *value);
/* key alone, or every key under it (prefix); *deleted: how many. */
int xf_etcd_delete(struct xf_etcd *e, const char *key, bool prefix,
		   int64_t *deleted);

enum xf_etcd_event { XF_ETCD_PUT, XF_ETCD_DELETE };
/*
 * One watch response: its events (kv of each), at header revision rev.
 * Return 0 to go on.
 */
typedef int (*xf_etcd_watch_fn)(void *arg, int64_t rev,
				const struct xf_kv *kv, const int *types,
				size_t n);
/*
 * Watch every key under prefix from start_rev on, calling fn for each
 * response, until the stream breaks (the store went away: -1 with
 * e->err), the store cancels it (a compacted start_rev: -1), fn returns
 * non-zero or *stop becomes true (0). TCP keepalive finds a peer that
 * vanished without closing (a host down, a split) within about 20 s, and
 * a member that lost its cluster's leader cancels the watch ("hasleader").
 */
int xf_etcd_watch(struct xf_etcd *e, const char *prefix, int64_t start_rev,
		  xf_etcd_watch_fn fn, void *arg, volatile bool *stop);

void xf_kv_list_free(struct xf_kv_list *l);

/* The end of the range of every key under prefix (etcd's "range_end"). */
void xf_etcd_prefix_end(const char *prefix, char *out, size_t size);

#endif /* XF_USER_ETCD_H */
