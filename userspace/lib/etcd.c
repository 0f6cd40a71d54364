// SPDX-License-Identifier: GPL-2.0
/*
 * etcd v3 over its JSON gateway (etcd.h): requests built and replies read
 * with json-c, sent with libcurl. The gateway wants keys and values in
 * base64 and 64-bit numbers as JSON strings; both are converted here only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "etcd.h"

#define XF_ETCD_BODY_MAX (64u << 20)	/* a reply larger than this is refused */

/* ---- base64, as the gateway encodes bytes (RFC 4648, padded) ---------- */

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const char *s, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i + 2 < n; i += 3, o += 4) {
		uint32_t v = (uint8_t)s[i] << 16 | (uint8_t)s[i + 1] << 8 |
			     (uint8_t)s[i + 2];

		o[0] = b64[v >> 18];
		o[1] = b64[(v >> 12) & 63];
		o[2] = b64[(v >> 6) & 63];
		o[3] = b64[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint8_t)s[i] << 16 |
			     (i + 1 < n ? (uint8_t)s[i + 1] << 8 : 0);

		o[0] = b64[v >> 18];
		o[1] = b64[(v >> 12) & 63];
		o[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		o[3] = '=';
		o += 4;
	}
	*o = 0;
	return out;
}

static int b64_val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

/* NUL-terminated copy of the decoded bytes, or NULL (bad input, no memory). */
static char *b64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), i, k = 0;
	char *out;

	if (n % 4)
		return NULL;
	out = malloc(n / 4 * 3 + 1);
	if (!out)
		return NULL;
	for (i = 0; i < n; i += 4) {
		int a = b64_val(s[i]), b = b64_val(s[i + 1]),
		    c = s[i + 2] == '=' ? 0 : b64_val(s[i + 2]),
		    d = s[i + 3] == '=' ? 0 : b64_val(s[i + 3]);

		if (a < 0 || b < 0 || c < 0 || d < 0 ||
		    (s[i + 2] == '=' && s[i + 3] != '=') ||
		    ((s[i + 2] == '=' || s[i + 3] == '=') && i + 4 != n)) {
			free(out);
			return NULL;
		}
		out[k++] = (char)(a << 2 | b >> 4);
		if (s[i + 2] != '=')
			out[k++] = (char)((b & 15) << 4 | c >> 2);
		if (s[i + 3] != '=')
			out[k++] = (char)((c & 3) << 6 | d);
	}
	out[k] = 0;
	if (len)
		*len = k;
	return out;
}

/* ---- handle ------------------------------------------------------------- */

int xf_etcd_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) ? -1 : 0;
}

int xf_etcd_init(struct xf_etcd *e, const char *endpoints, char *err,
		 size_t errlen)
{
	char *copy, *tok, *save = NULL;

	memset(e, 0, sizeof(*e));
	e->timeout_ms = 15000;	/* a loaded member (or valgrind) is slow */
	copy = strdup(endpoints && *endpoints ? endpoints : XF_ETCD_DEFAULT);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		/* The gateway is plain HTTP here; TLS would need certificates. */
		if (strncmp(tok, "http://", 7) || !tok[7] ||
		    strlen(tok) > 200 || strpbrk(tok + 7, " /?#\"\\")) {
			snprintf(err, errlen, "bad etcd endpoint '%.200s' (http://HOST:PORT)",
				 tok);
			goto fail;
		}
		if (e->n == XF_ETCD_MAX_ENDPOINTS) {
			snprintf(err, errlen, "more than %d etcd endpoints at '%.200s'",
				 XF_ETCD_MAX_ENDPOINTS, tok);
			goto fail;
		}
		e->endpoints[e->n] = strdup(tok);
		if (!e->endpoints[e->n++]) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	free(copy);
	if (!e->n) {
		snprintf(err, errlen, "no etcd endpoint in '%s'", endpoints);
		return -1;
	}
	return 0;
fail:
	free(copy);
	xf_etcd_free(e);
	return -1;
}

void xf_etcd_free(struct xf_etcd *e)
{
	int i;

	for (i = 0; i < e->n; i++)
		free(e->endpoints[i]);
	memset(e, 0, sizeof(*e));
}

void xf_kv_list_free(struct xf_kv_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void xf_etcd_prefix_end(const char *prefix, char *out, size_t size)
{
	size_t n = strlen(prefix);

	/* The prefix with its last byte + 1 (ours are ASCII, never 0xff). */
	snprintf(out, size, "%s", prefix);
	if (n && n < size)
		out[n - 1]++;
}

/* ---- unary requests -------------------------------------------------------- */

struct body {
	char *buf;
	size_t len;
};

static size_t body_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;
	char *nb;

	if (b->len + n > XF_ETCD_BODY_MAX)
		return 0;	/* curl: write error */
	nb = realloc(b->buf, b->len + n + 1);
	if (!nb)
		return 0;
	memcpy(nb + b->len, p, n);
	b->buf = nb;
	b->len += n;
	b->buf[b->len] = 0;
	return n;
}

/*
 * Keepalive probes after 10 s idle, every 5 s, 2 unanswered: a member that
 * vanished without closing (host down, network split) is found in about
 * 20 s (curl has no option for the count before 8.9).
 */
static int keepalive(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	int on = 1, idle = 10, intvl = 5, cnt = 2;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	return CURL_SOCKOPT_OK;
}

static CURL *easy_for(struct xf_etcd *e, int ep, const char *path,
		      const char *json, struct curl_slist *hdr)
{
	char url[300];
	CURL *c = curl_easy_init();

	if (!c)
		return NULL;
	snprintf(url, sizeof(url), "%s%s", e->endpoints[ep], path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");	/* never an http_proxy */
	curl_easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, keepalive);
	return c;
}

/* The gateway's error reply: {"error": "...", "code": N, "message": "..."}. */
static void reply_error(struct xf_etcd *e, json_object *o, long status)
{
	json_object *m;

	if (o && (json_object_object_get_ex(o, "message", &m) ||
		  json_object_object_get_ex(o, "error", &m)))
		snprintf(e->err, sizeof(e->err), "etcd: %s (HTTP %ld)",
			 json_object_get_string(m), status);
	else
		snprintf(e->err, sizeof(e->err), "etcd: HTTP status %ld", status);
}

/* POST json to path; the parsed reply, or NULL with e->err. */
static json_object *post(struct xf_etcd *e, const char *path, json_object *req)
{
	const char *json = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	json_object *reply = NULL;
	int tried, ep;

	snprintf(e->err, sizeof(e->err), "out of memory");
	for (tried = 0; hdr && tried < e->n; tried++) {
		struct body b = { 0 };
		long status = 0;
		CURLcode rc;
		CURL *c;

		ep = (e->cur + tried) % e->n;
		c = easy_for(e, ep, path, json, hdr);
		if (!c)
			break;
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, e->timeout_ms);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_write);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
		rc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_cleanup(c);
		if (rc != CURLE_OK) {
			/* Down or unreachable: the next member. */
			snprintf(e->err, sizeof(e->err), "etcd %s: %s",
				 e->endpoints[ep], curl_easy_strerror(rc));
			free(b.buf);
			continue;
		}
		e->cur = ep;
		reply = b.buf ? json_tokener_parse(b.buf) : NULL;
		free(b.buf);
		if (status != 200 || !reply ||
		    json_object_get_type(reply) != json_type_object) {
			reply_error(e, reply, status);
			json_object_put(reply);
			reply = NULL;
		}
		break;		/* it answered: no other member is asked */
	}
	curl_slist_free_all(hdr);
	return reply;
}

static int add_b64(json_object *o, const char *name, const char *s, size_t n)
{
	char *enc = b64_encode(s, n);

	if (!enc)
		return -1;
	json_object_object_add(o, name, json_object_new_string(enc));
	free(enc);
	return 0;
}

/* Adds "key" to o and, for a prefix, "range_end": every key under it. */
static int add_key_range(json_object *o, const char *key, bool prefix)
{
	char end[512];

	if (add_b64(o, "key", key, strlen(key)))
		return -1;
	if (!prefix)
		return 0;
	xf_etcd_prefix_end(key, end, sizeof(end));
	return add_b64(o, "range_end", end, strlen(end));
}

/* A JSON string or number holding an int64 (the gateway writes strings). */
static int64_t get_i64(json_object *o, const char *name)
{
	json_object *v;

	if (!json_object_object_get_ex(o, name, &v))
		return 0;
	return json_object_get_int64(v);
}

/* One "kv" object: key and value decoded. */
static int kv_from_json(json_object *o, struct xf_kv *kv)
{
	json_object *k, *v;

	memset(kv, 0, sizeof(*kv));
	if (!json_object_object_get_ex(o, "key", &k))
		return -1;
	kv->key = b64_decode(json_object_get_string(k), NULL);
	/* An empty value (and a delete event) has no "value". */
	kv->value = json_object_object_get_ex(o, "value", &v) ?
		    b64_decode(json_object_get_string(v), &kv->vlen) :
		    strdup("");
	kv->mod_revision = get_i64(o, "mod_revision");
	if (!kv->key || !kv->value) {
		free(kv->key);
		free(kv->value);
		return -1;
	}
	return 0;
}

static int64_t header_revision(json_object *o)
{
	json_object *h;

	return json_object_object_get_ex(o, "header", &h) ?
	       get_i64(h, "revision") : 0;
}

/* POSTs the key (and its range, for a prefix) to path: the reply, or NULL. */
static json_object *post_key_range(struct xf_etcd *e, const char *path,
				   const char *key, bool prefix)
{
	json_object *req = json_object_new_object(), *reply;

	if (!req || add_key_range(req, key, prefix)) {
		json_object_put(req);
		snprintf(e->err, sizeof(e->err), "out of memory");
		return NULL;
	}
	reply = post(e, path, req);
	json_object_put(req);
	return reply;
}

int xf_etcd_range(struct xf_etcd *e, const char *prefix, struct xf_kv_list *out)
{
	json_object *reply, *kvs;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	reply = post_key_range(e, "/v3/kv/range", prefix, true);
	if (!reply)
		return -1;
	out->revision = header_revision(reply);
	n = json_object_object_get_ex(reply, "kvs", &kvs) ?
	    json_object_array_length(kvs) : 0;
	out->v = calloc(n ? n : 1, sizeof(*out->v));
	if (!out->v) {
		json_object_put(reply);
		snprintf(e->err, sizeof(e->err), "out of memory");
		return -1;
	}
	out->cap = n;
	for (i = 0; i < n; i++) {
		if (kv_from_json(json_object_array_get_idx(kvs, i), &out->v[out->n])) {
			snprintf(e->err, sizeof(e->err), "etcd: a key or value that is not base64");
			json_object_put(reply);
			xf_kv_list_free(out);
			return -1;
		}
		out->n++;
	}
	json_object_put(reply);
	return 0;
}

static json_object *put_request(const char *key, const char *value)
{
	json_object *p = json_object_new_object();

	if (!p || add_b64(p, "key", key, strlen(key)) ||
	    add_b64(p, "value", value, strlen(value))) {
		json_object_put(p);
		return NULL;
	}
	return p;
}

int xf_etcd_put(struct xf_etcd *e, const char *key, const char *value)
{
	json_object *req = put_request(key, value), *reply;

	if (!req) {
		snprintf(e->err, sizeof(e->err), "out of memory");
		return -1;
	}
	reply = post(e, "/v3/kv/put", req);
	json_object_put(req);
	json_object_put(reply);
	return reply ? 0 : -1;
}

int xf_etcd_create(struct xf_etcd *e, const char *key, const char *value)
{
	json_object *req = json_object_new_object(), *cmp = json_object_new_object(),
		    *op = json_object_new_object(), *put = put_request(key, value),
		    *cmps = json_object_new_array(), *ops = json_object_new_array(),
		    *reply = NULL, *ok;
	int ret = -1;

	if (!req || !cmp || !op || !put || !cmps || !ops ||
	    add_b64(cmp, "key", key, strlen(key))) {
		snprintf(e->err, sizeof(e->err), "out of memory");
		json_object_put(req);
		json_object_put(cmp);
		json_object_put(op);
		json_object_put(put);
		json_object_put(cmps);
		json_object_put(ops);
		return -1;
	}
	/* "The key was never created": create_revision 0. */
	json_object_object_add(cmp, "target", json_object_new_string("CREATE"));
	json_object_object_add(cmp, "result", json_object_new_string("EQUAL"));
	json_object_object_add(cmp, "create_revision", json_object_new_string("0"));
	json_object_array_add(cmps, cmp);
	json_object_object_add(op, "request_put", put);
	json_object_array_add(ops, op);
	json_object_object_add(req, "compare", cmps);
	json_object_object_add(req, "success", ops);
	reply = post(e, "/v3/kv/txn", req);
	if (reply)
		ret = json_object_object_get_ex(reply, "succeeded", &ok) &&
		      json_object_get_boolean(ok);
	json_object_put(req);
	json_object_put(reply);
	return ret;
}

int xf_etcd_delete(struct xf_etcd *e, const char *key, bool prefix,
		   int64_t *deleted)
{
	json_object *reply;

	if (deleted)
		*deleted = 0;
	reply = post_key_range(e, "/v3/kv/deleterange", key, prefix);
	if (!reply)
		return -1;
	if (deleted)
		*deleted = get_i64(reply, "deleted");
	json_object_put(reply);
	return 0;
}

/* ---- watch ----------------------------------------------------------------- */

struct watch {
	struct xf_etcd *e;
	json_tokener *tok;
	xf_etcd_watch_fn fn;
	void *arg;
	volatile bool *stop;
	int result;		/* 0 stopped, -1 failed, 1 still streaming */
	bool created;
};

/* One streamed object: {"result": {"header": .., "events": [..]}}. */
static int watch_object(struct watch *w, json_object *o)
{
	json_object *r, *evs, *t;
	struct xf_kv *kv;
	int *types, ret;
	size_t n, i, k = 0;

	if (!json_object_object_get_ex(o, "result", &r)) {
		reply_error(w->e, json_object_object_get_ex(o, "error", &t) ? t : o, 200);
		return -1;
	}
	if (json_object_object_get_ex(r, "created", &t) && json_object_get_boolean(t))
		w->created = true;
	if (json_object_object_get_ex(r, "canceled", &t) && json_object_get_boolean(t)) {
		snprintf(w->e->err, sizeof(w->e->err),
			 "etcd: watch canceled (compact revision %lld)",
			 (long long)get_i64(r, "compact_revision"));
		return -1;
	}
	n = json_object_object_get_ex(r, "events", &evs) ?
	    json_object_array_length(evs) : 0;
	kv = calloc(n ? n : 1, sizeof(*kv));
	types = calloc(n ? n : 1, sizeof(*types));
	ret = kv && types ? 0 : -1;
	for (i = 0; !ret && i < n; i++) {
		json_object *ev = json_object_array_get_idx(evs, i), *x;

		if (!json_object_object_get_ex(ev, "kv", &x) ||
		    kv_from_json(x, &kv[k]))
			continue;	/* not ours to judge: skipped */
		types[k++] = json_object_object_get_ex(ev, "type", &t) &&
			     !strcmp(json_object_get_string(t), "DELETE") ?
			     XF_ETCD_DELETE : XF_ETCD_PUT;
	}
	if (!ret)
		ret = w->fn(w->arg, header_revision(r), kv, types, k) ? 1 : 0;
	for (i = 0; kv && i < k; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
	free(types);
	if (ret < 0)
		snprintf(w->e->err, sizeof(w->e->err), "out of memory");
	return ret;
}

static size_t watch_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct watch *w = arg;
	size_t n = size * nmemb, off = 0;
	json_object *o;
	int ret;

	while (off < n) {
		o = json_tokener_parse_ex(w->tok, p + off, (int)(n - off));
		if (!o) {
			if (json_tokener_get_error(w->tok) == json_tokener_continue)
				return n;	/* the rest comes later */
			snprintf(w->e->err, sizeof(w->e->err), "etcd: bad watch stream: %s",
				 json_tokener_error_desc(json_tokener_get_error(w->tok)));
			w->result = -1;
			return 0;
		}
		off += json_tokener_get_parse_end(w->tok);
		json_tokener_reset(w->tok);
		ret = watch_object(w, o);
		json_object_put(o);
		if (ret) {
			w->result = ret < 0 ? -1 : 0;
			return 0;	/* ends the transfer */
		}
	}
	return n;
}

static int watch_progress(void *arg, curl_off_t a, curl_off_t b,
			  curl_off_t c, curl_off_t d)
{
	struct watch *w = arg;

	if (*w->stop) {
		w->result = 0;
		return 1;	/* aborts the transfer */
	}
	return 0;
}

int xf_etcd_watch(struct xf_etcd *e, const char *prefix, int64_t start_rev,
		  xf_etcd_watch_fn fn, void *arg, volatile bool *stop)
{
	json_object *req = json_object_new_object(), *cr = json_object_new_object();
	/*
	 * "hasleader" (gRPC metadata, which the gateway takes from
	 * Grpc-Metadata-* headers): a member cut off from its cluster's
	 * majority cancels the watch instead of keeping it open and silent.
	 */
	struct curl_slist *hdr = curl_slist_append(curl_slist_append(NULL,
		"Content-Type: application/json"), "Grpc-Metadata-Hasleader: true");
	struct watch w = { .e = e, .fn = fn, .arg = arg, .stop = stop, .result = 1 };
	char rev[32];
	CURLcode rc;
	CURL *c = NULL;

	w.tok = json_tokener_new();
	snprintf(rev, sizeof(rev), "%lld", (long long)start_rev);
	if (!req || !cr || !hdr || !w.tok || add_key_range(cr, prefix, true)) {
		snprintf(e->err, sizeof(e->err), "out of memory");
		json_object_put(cr);
		goto out;
	}
	json_object_object_add(cr, "start_revision", json_object_new_string(rev));
	json_object_object_add(req, "create_request", cr);
	c = easy_for(e, e->cur, "/v3/watch",
		     json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN), hdr);
	if (!c) {
		snprintf(e->err, sizeof(e->err), "out of memory");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, watch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &w);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, watch_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &w);
	rc = curl_easy_perform(c);
	if (w.result == 1) {
		/* The stream ended by itself: the member went away. */
		snprintf(e->err, sizeof(e->err), "etcd %s: watch ended: %s",
			 e->endpoints[e->cur],
			 rc == CURLE_OK ? "closed by the server" : curl_easy_strerror(rc));
		w.result = -1;
		e->cur = (e->cur + 1) % e->n;	/* the next try asks another */
	}
out:
	if (c)
		curl_easy_cleanup(c);
	if (w.tok)
		json_tokener_free(w.tok);
	curl_slist_free_all(hdr);
	json_object_put(req);
	return w.result == 1 ? -1 : w.result;
}
