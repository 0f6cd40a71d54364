// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Rule text: parser and printer. Input comes from an operator or a rule file
 * that may have been edited by hand, so every token is length-bounded and
 * every number range-checked; the first bad token is reported by index and
 * text so the CLI can point at it.
 */
#include "rule_text.h"

/* Longest token we hold, unescaped: an exe or cgroup path and one more. */
#define TOK_MAX ((XF_EXE_LEN > XF_CGROUP_LEN ? XF_EXE_LEN : XF_CGROUP_LEN) + 1)
#define DOMID_FIRST_RESERVED 0x7ff0

struct token {
	const char *s;
	size_t len;
};

struct parser {
	struct xf_rule *r;
	struct xf_rule_error *err;
	uint32_t seen;		/* XF_RF_* given so far, dom any included */
	bool have_action;
	int pending;		/* keyword index awaiting a value, or -1 */
	int pending_idx;	/* its token index */
	const char *why;	/* a value's own error message, or NULL */
};

enum keyword {
	KW_DOM, KW_UID, KW_EUID, KW_GID, KW_PID, KW_COMM, KW_EXE, KW_CGROUP,
	KW_PROTO, KW_DST, KW_SPORT, KW_DPORT, KW_COUNT,
	KW_MIRROR = KW_COUNT,	/* the action with a value: mirror DEV */
	KW_ALL,
};

static const char *const kw_names[KW_ALL] = {
	"dom", "uid", "euid", "gid", "pid", "comm", "exe", "cgroup", "proto",
	"dst", "sport", "dport", "mirror",
};

/* The field bit each keyword sets; dom uses DOMID for "seen" purposes. */
static const uint32_t kw_fields[KW_COUNT] = {
	XF_RF_DOMID, XF_RF_UID, XF_RF_EUID, XF_RF_GID, XF_RF_PID, XF_RF_COMM,
	XF_RF_EXE, XF_RF_CGROUP, XF_RF_PROTO, XF_RF_DST, XF_RF_SPORT,
	XF_RF_DPORT,
};

static const char *const action_names[] = {
	[XF_ACT_ACCEPT] = "accept",
	[XF_ACT_DROP] = "drop",
	[XF_ACT_LOG] = "log",
	[XF_ACT_LOG_DROP] = "log-drop",
};

static const char *const err_msgs[] = {
	[0] = "ok",
	[-XF_TEXT_E_UNKNOWN] = "unknown keyword",
	[-XF_TEXT_E_MISSING] = "missing value after keyword",
	[-XF_TEXT_E_VALUE] = "invalid value",
	[-XF_TEXT_E_DUPLICATE] = "given more than once",
	[-XF_TEXT_E_NO_ACTION] = "no action (accept, drop, log, log-drop, mirror DEV)",
	[-XF_TEXT_E_TOO_LONG] = "too long",
	[-XF_TEXT_E_QUOTE] = "bad quoting or escape",
	[-XF_TEXT_E_INVALID] = "invalid combination of fields",
};

/* Own strnlen: core/ uses nothing from libc but mem{cpy,set,cmp}. */
static size_t str_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

static bool tok_is(struct token t, const char *word)
{
	size_t n = str_len(word, 16);

	return t.len == n && !memcmp(t.s, word, n);
}

/*
 * The bad token goes into an error message a terminal will show: bytes
 * that are not printable ASCII are written as \xHH (never cut in the
 * middle), so a hostile rule file cannot put escape sequences there.
 */
static int set_err(struct xf_rule_error *err, int code, int index,
		   const char *tok, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = 0;

	err->code = code;
	err->index = index;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)tok[i];

		if (c >= ' ' && c < 0x7f) {
			if (n + 1 > XF_TEXT_TOKEN_MAX - 1)
				break;
			err->token[n++] = (char)c;
			continue;
		}
		if (n + 4 > XF_TEXT_TOKEN_MAX - 1)
			break;
		err->token[n++] = '\\';
		err->token[n++] = 'x';
		err->token[n++] = hex[c >> 4];
		err->token[n++] = hex[c & 0xf];
	}
	err->token[n] = '\0';
	err->msg = err_msgs[-code];
	return code;
}

const char *xf_action_name(uint8_t action)
{
	if (action == XF_ACT_MIRROR)
		return "mirror";
	return action <= XF_ACT_MAX ? action_names[action] : "?";
}

int xf_action_parse(const char *s, size_t len)
{
	struct token t = { s, len };
	unsigned int i;

	for (i = 0; i <= XF_ACT_MAX; i++)
		if (tok_is(t, action_names[i]))
			return (int)i;
	return -1;
}

/* Decimal, no sign, no leading zeros beyond "0", at most max. */
static bool parse_u32(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len || len > 10 || (len > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool parse_range(struct token t, uint16_t *lo, uint16_t *hi)
{
	uint32_t a, b;
	size_t i;

	for (i = 0; i < t.len; i++)
		if (t.s[i] == '-')
			break;
	if (!parse_u32(t.s, i, 0xffff, &a))
		return false;
	if (i == t.len) {
		b = a;
	} else if (!parse_u32(t.s + i + 1, t.len - i - 1, 0xffff, &b) ||
		   b < a) {
		return false;
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse_ipv4(const char *s, size_t len, uint8_t *out)
{
	size_t i, start = 0;
	unsigned int n = 0;
	uint32_t v;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (n == 4 || i - start > 3 || !parse_u32(s + start, i - start,
							   255, &v))
			return false;
		out[n++] = (uint8_t)v;
		start = i + 1;
	}
	return n == 4;
}

/* RFC 4291 text form: hex groups, one "::", optional dotted IPv4 tail. */
static bool parse_ipv6(const char *s, size_t len, uint8_t *out)
{
	uint16_t groups[8];
	int n = 0, gap = -1, i, digits;
	size_t pos = 0, j;
	uint32_t v;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		pos = 2;
	} else if (len && s[0] == ':') {
		return false;
	}
	while (pos < len) {
		if (n == 8)
			return false;
		/* A dotted IPv4 tail takes the last two groups. */
		for (j = pos; j < len && s[j] != ':'; j++)
			if (s[j] == '.')
				break;
		if (j < len && s[j] == '.') {
			uint8_t v4[4];

			if (n > 6 || !parse_ipv4(s + pos, len - pos, v4))
				return false;
			groups[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
			groups[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
			pos = len;
			break;
		}
		v = 0;
		for (digits = 0; pos < len && s[pos] != ':'; pos++, digits++) {
			if (digits == 4 || hexval(s[pos]) < 0)
				return false;
			v = v << 4 | (uint32_t)hexval(s[pos]);
		}
		if (!digits)
			return false;
		groups[n++] = (uint16_t)v;
		if (pos == len)
			break;
		pos++;		/* the ':' */
		if (pos < len && s[pos] == ':') {
			if (gap >= 0)
				return false;
			gap = n;
			pos++;
		} else if (pos == len) {
			return false;	/* trailing single ':' */
		}
	}
	if (gap < 0 && n != 8)
		return false;
	if (gap >= 0 && n == 8)
		return false;
	memset(out, 0, 16);
	for (i = 0; i < n; i++) {
		int at = (gap >= 0 && i >= gap) ? i + (8 - n) : i;

		out[2 * at] = (uint8_t)(groups[i] >> 8);
		out[2 * at + 1] = (uint8_t)groups[i];
	}
	return true;
}

static bool parse_prefix(struct token t, struct xf_rule *r)
{
	size_t i, alen;
	uint32_t plen, max;
	bool v6 = false;

	for (i = 0; i < t.len && t.s[i] != '/'; i++)
		if (t.s[i] == ':')
			v6 = true;
	alen = i;
	memset(r->dst, 0, sizeof(r->dst));
	if (v6 ? !parse_ipv6(t.s, alen, r->dst) : !parse_ipv4(t.s, alen,
							      r->dst))
		return false;
	max = v6 ? 128 : 32;
	if (alen == t.len)
		plen = max;
	else if (!parse_u32(t.s + alen + 1, t.len - alen - 1, max, &plen))
		return false;
	r->dst_family = v6 ? XF_AF_INET6 : XF_AF_INET;
	r->dst_plen = (uint8_t)plen;
	/* Clear host bits: the stored prefix is canonical. */
	for (i = 0; i < 16; i++) {
		if (i * 8 >= plen)
			r->dst[i] = 0;
		else if ((i + 1) * 8 > plen)
			r->dst[i] &= (uint8_t)(0xff << (8 - (plen - i * 8)));
	}
	return true;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
	       c == ':';
}

static bool parse_dom(struct token t, struct xf_rule *r)
{
	uint32_t v;
	size_t i;

	if (tok_is(t, "any"))
		return true;
	if (parse_u32(t.s, t.len, DOMID_FIRST_RESERVED - 1, &v)) {
		r->fields |= XF_RF_DOMID;
		r->domid = (uint16_t)v;
		return true;
	}
	if (!t.len || t.len >= XF_DOM_NAME_LEN)
		return false;
	for (i = 0; i < t.len; i++)
		if (!name_char(t.s[i]))
			return false;
	/* All digits but out of range is a bad domid, not a name. */
	for (i = 0; i < t.len; i++)
		if (t.s[i] < '0' || t.s[i] > '9')
			break;
	if (i == t.len)
		return false;
	r->fields |= XF_RF_DOMNAME;
	memcpy(r->dom_name, t.s, t.len);
	r->dom_name[t.len] = '\0';
	return true;
}

static bool parse_string(struct token t, char *dst, size_t size)
{
	size_t i;

	if (!t.len || t.len >= size)
		return false;
	/* An embedded NUL would make the stored string differ from input. */
	for (i = 0; i < t.len; i++)
		if (!t.s[i])
			return false;
	memcpy(dst, t.s, t.len);
	dst[t.len] = '\0';
	return true;
}

/*
 * A network device name as the kernel accepts it: 1..15 bytes, no '/',
 * ':' or whitespace.
 */
static bool parse_ifname(struct token t, char *dst)
{
	size_t i;

	if (!t.len || t.len >= XF_IFNAME_LEN)
		return false;
	for (i = 0; i < t.len; i++)
		if (t.s[i] <= ' ' || t.s[i] == '/' || t.s[i] == ':' ||
		    t.s[i] > '~')
			return false;
	if (tok_is(t, ".") || tok_is(t, ".."))
		return false;
	memcpy(dst, t.s, t.len);
	dst[t.len] = '\0';
	return true;
}

/*
 * A cgroup v2 path as /proc/PID/cgroup shows it. The token arrives
 * unescaped (a rule file may write any byte as \xHH), so everything
 * xf_cgroup_path_check() refuses is refused here with its own message.
 */
static bool parse_cgroup(struct token t, char *dst, const char **why)
{
	static const char *const msgs[] = {
		[-XF_CGROUP_E_LONG] = "cgroup path too long (255 bytes at most)",
		[-XF_CGROUP_E_EMPTY] = "empty cgroup path",
		[-XF_CGROUP_E_RELATIVE] = "cgroup path must start with '/'",
		[-XF_CGROUP_E_CONTROL] = "control byte in cgroup path",
		[-XF_CGROUP_E_SLASH] = "cgroup path with '//' or a trailing '/'",
		[-XF_CGROUP_E_DOT] = "'.' or '..' in cgroup path",
	};
	size_t i;
	int err;

	if (t.len >= XF_CGROUP_LEN) {
		*why = msgs[-XF_CGROUP_E_LONG];
		return false;
	}
	for (i = 0; i < t.len; i++) {
		if (!t.s[i]) {
			*why = msgs[-XF_CGROUP_E_CONTROL];
			return false;
		}
	}
	memcpy(dst, t.s, t.len);
	dst[t.len] = '\0';
	err = xf_cgroup_path_check(dst);
	if (err) {
		*why = msgs[-err];
		dst[0] = '\0';
		return false;
	}
	return true;
}

static bool parse_proto(struct token t, uint8_t *proto)
{
	uint32_t v;

	if (tok_is(t, "tcp"))
		*proto = XF_IPPROTO_TCP;
	else if (tok_is(t, "udp"))
		*proto = XF_IPPROTO_UDP;
	else if (tok_is(t, "icmp"))
		*proto = XF_IPPROTO_ICMP;
	else if (tok_is(t, "icmpv6"))
		*proto = XF_IPPROTO_ICMPV6;
	else if (parse_u32(t.s, t.len, 255, &v))
		*proto = (uint8_t)v;
	else
		return false;
	return true;
}

static bool parse_value(int kw, struct token t, struct xf_rule *r,
			const char **why)
{
	switch (kw) {
	case KW_DOM:
		return parse_dom(t, r);
	case KW_UID:
		return parse_u32(t.s, t.len, 0xffffffffU, &r->uid);
	case KW_EUID:
		return parse_u32(t.s, t.len, 0xffffffffU, &r->euid);
	case KW_GID:
		return parse_u32(t.s, t.len, 0xffffffffU, &r->gid);
	case KW_PID:
		return parse_u32(t.s, t.len, 0xffffffffU, &r->pid);
	case KW_COMM:
		return parse_string(t, r->comm, sizeof(r->comm));
	case KW_EXE:
		return parse_string(t, r->exe, sizeof(r->exe));
	case KW_CGROUP:
		return parse_cgroup(t, r->cgroup, why);
	case KW_PROTO:
		return parse_proto(t, &r->proto);
	case KW_DST:
		return parse_prefix(t, r);
	case KW_SPORT:
		return parse_range(t, &r->sport_lo, &r->sport_hi);
	case KW_DPORT:
		return parse_range(t, &r->dport_lo, &r->dport_hi);
	case KW_MIRROR:
		return parse_ifname(t, r->mirror_dev);
	default:
		return false;
	}
}

static void parser_init(struct parser *p, struct xf_rule *r,
			struct xf_rule_error *err)
{
	xf_rule_init(r);
	memset(err, 0, sizeof(*err));
	err->index = -1;
	err->msg = err_msgs[0];
	p->r = r;
	p->err = err;
	p->seen = 0;
	p->have_action = false;
	p->pending = -1;
	p->pending_idx = -1;
	p->why = NULL;
}

static int parser_feed(struct parser *p, struct token t, int idx)
{
	int kw, a;

	if (p->pending >= 0) {
		kw = p->pending;
		p->pending = -1;
		if (!parse_value(kw, t, p->r, &p->why)) {
			set_err(p->err, XF_TEXT_E_VALUE, idx, t.s, t.len);
			if (p->why)
				p->err->msg = p->why;
			return XF_TEXT_E_VALUE;
		}
		/* dom's own bit is not set by "any"; others are set here. */
		if (kw != KW_DOM && kw < KW_COUNT)
			p->r->fields |= kw_fields[kw];
		return 0;
	}
	if (tok_is(t, kw_names[KW_MIRROR])) {
		if (p->have_action)
			return set_err(p->err, XF_TEXT_E_DUPLICATE, idx, t.s,
				       t.len);
		p->have_action = true;
		p->r->action = XF_ACT_MIRROR;
		p->pending = KW_MIRROR;
		p->pending_idx = idx;
		return 0;
	}
	for (kw = 0; kw < KW_COUNT; kw++) {
		if (!tok_is(t, kw_names[kw]))
			continue;
		if (p->seen & kw_fields[kw])
			return set_err(p->err, XF_TEXT_E_DUPLICATE, idx, t.s,
				       t.len);
		p->seen |= kw_fields[kw];
		p->pending = kw;
		p->pending_idx = idx;
		return 0;
	}
	a = xf_action_parse(t.s, t.len);
	if (a < 0)
		return set_err(p->err, XF_TEXT_E_UNKNOWN, idx, t.s, t.len);
	if (p->have_action)
		return set_err(p->err, XF_TEXT_E_DUPLICATE, idx, t.s, t.len);
	p->have_action = true;
	p->r->action = (uint8_t)a;
	return 0;
}

static int parser_finish(struct parser *p, int ntok)
{
	if (p->pending >= 0)
		return set_err(p->err, XF_TEXT_E_MISSING, p->pending_idx,
			       kw_names[p->pending],
			       str_len(kw_names[p->pending], 16));
	if (!p->have_action)
		return set_err(p->err, XF_TEXT_E_NO_ACTION, ntok, "", 0);
	if (xf_rule_check(p->r))
		return set_err(p->err, XF_TEXT_E_INVALID, -1, "", 0);
	return 0;
}

int xf_rule_parse_argv(int argc, const char *const *argv, struct xf_rule *r,
		       struct xf_rule_error *err)
{
	struct parser p;
	struct token t;
	int i, ret;

	parser_init(&p, r, err);
	if (argc > XF_TEXT_MAX_TOKENS)
		return set_err(err, XF_TEXT_E_TOO_LONG, XF_TEXT_MAX_TOKENS,
			       argv[XF_TEXT_MAX_TOKENS],
			       str_len(argv[XF_TEXT_MAX_TOKENS], TOK_MAX));
	for (i = 0; i < argc; i++) {
		t.s = argv[i];
		t.len = str_len(argv[i], TOK_MAX);
		if (t.len == TOK_MAX)
			return set_err(err, XF_TEXT_E_TOO_LONG, i, t.s, t.len);
		ret = parser_feed(&p, t, i);
		if (ret)
			return ret;
	}
	return parser_finish(&p, argc);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Cut the next token from s[*pos..len) into buf (unescaped). Returns 1 for a
 * token, 0 at the end of the line, or an error code.
 */
static int next_token(const char *s, size_t len, size_t *pos, char *buf,
		      size_t *out_len, size_t *start)
{
	size_t i = *pos, n = 0;
	int hi, lo;

	while (i < len && is_blank(s[i]))
		i++;
	*start = i;
	if (i == len || s[i] == '#')
		return 0;
	if (s[i] != '"') {
		while (i < len && !is_blank(s[i]) && s[i] != '"') {
			if (n == TOK_MAX)
				return XF_TEXT_E_TOO_LONG;
			buf[n++] = s[i++];
		}
		if (i < len && s[i] == '"')
			return XF_TEXT_E_QUOTE;
		goto out;
	}
	for (i++; ; i++) {
		char c;

		if (i >= len)
			return XF_TEXT_E_QUOTE;
		if (s[i] == '"')
			break;
		if (s[i] == '\\') {
			if (i + 1 >= len)
				return XF_TEXT_E_QUOTE;
			c = s[++i];
			if (c == 'x') {
				if (i + 2 >= len)
					return XF_TEXT_E_QUOTE;
				hi = hexval(s[i + 1]);
				lo = hexval(s[i + 2]);
				if (hi < 0 || lo < 0)
					return XF_TEXT_E_QUOTE;
				c = (char)(hi << 4 | lo);
				i += 2;
			} else if (c == 'n') {
				c = '\n';
			} else if (c == 't') {
				c = '\t';
			} else if (c == 'r') {
				c = '\r';
			} else if (c != '"' && c != '\\') {
				return XF_TEXT_E_QUOTE;
			}
		} else {
			c = s[i];
		}
		if (n == TOK_MAX)
			return XF_TEXT_E_TOO_LONG;
		buf[n++] = c;
	}
	i++;		/* closing quote */
	if (i < len && !is_blank(s[i]))
		return XF_TEXT_E_QUOTE;
out:
	*pos = i;
	*out_len = n;
	return 1;
}

int xf_rule_parse_line(const char *s, size_t len, struct xf_rule *r,
		       struct xf_rule_error *err)
{
	char buf[TOK_MAX];
	struct parser p;
	struct token t;
	size_t pos = 0, start, n;
	int idx, ret;

	parser_init(&p, r, err);
	for (idx = 0; ; idx++) {
		ret = next_token(s, len, &pos, buf, &n, &start);
		if (ret < 0) {
			size_t end = start;

			/* Report the raw text of the offending token. */
			while (end < len && !is_blank(s[end]))
				end++;
			return set_err(err, ret, idx, s + start, end - start);
		}
		if (!ret)
			break;
		if (idx == XF_TEXT_MAX_TOKENS)
			return set_err(err, XF_TEXT_E_TOO_LONG, idx, buf, n);
		t.s = buf;
		t.len = n;
		ret = parser_feed(&p, t, idx);
		if (ret)
			return ret;
	}
	return parser_finish(&p, idx);
}

/* Printer: a bounded writer that keeps counting past the end. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_str(struct out *o, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		put_char(o, s[i]);
}

static void put_u32(struct out *o, uint32_t v)
{
	char tmp[10];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		put_char(o, tmp[--n]);
}

static void put_hex16(struct out *o, uint16_t v)
{
	static const char hex[] = "0123456789abcdef";
	int shift;
	bool lead = true;

	for (shift = 12; shift >= 0; shift -= 4) {
		unsigned int d = (v >> shift) & 0xf;

		if (d || !lead || !shift) {
			put_char(o, hex[d]);
			lead = false;
		}
	}
}

static void put_kw(struct out *o, const char *kw)
{
	if (o->len)
		put_char(o, ' ');
	put_str(o, kw);
	put_char(o, ' ');
}

int xf_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c, min;
	size_t len, i;

	if (!n)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2, c = u[0] & 0x1f, min = 0x80;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		len = 3, c = u[0] & 0x0f, min = 0x800;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4, c = u[0] & 0x07, min = 0x10000;
	} else {
		return 0;	/* continuation byte, 0xc0/0xc1 or 0xf5.. */
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (u[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and beyond U+10FFFF. */
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return (int)len;
}

bool xf_text_unsafe_cp(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	       cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * How many bytes at s[0..n) pass through verbatim: 0 means "escape s[0]".
 * Printable ASCII but '"' and '\\', and valid UTF-8 that is not a C1
 * control, a line separator or a bidi control (a terminal, a log viewer or
 * an editor would act on those).
 */
static int text_plain(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	uint32_t cp;
	int len;

	if (c == '"' || c == '\\')
		return 0;
	len = xf_utf8_decode(s, n, &cp);
	if (!len || xf_text_unsafe_cp(cp))
		return 0;
	return len;
}

static bool needs_quote(const char *s, size_t n)
{
	size_t i;
	int len;

	if (!n || s[0] == '#')
		return true;
	for (i = 0; i < n; i += (size_t)len) {
		len = text_plain(s + i, n - i);
		if (!len || s[i] == ' ')
			return true;
	}
	return false;
}

/* The one text escaper: see xf_text_quote() in rule_text.h. */
static void put_quoted(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;
	int len;

	if (!needs_quote(s, n)) {
		for (i = 0; i < n; i++)
			put_char(o, s[i]);
		return;
	}
	put_char(o, '"');
	for (i = 0; i < n; i += (size_t)len) {
		unsigned char c = (unsigned char)s[i];

		len = text_plain(s + i, n - i);
		if (len) {
			int k;

			for (k = 0; k < len; k++)
				put_char(o, s[i + k]);
			continue;
		}
		len = 1;
		put_char(o, '\\');
		if (c == '"' || c == '\\') {
			put_char(o, (char)c);
		} else if (c == '\n') {
			put_char(o, 'n');
		} else if (c == '\t') {
			put_char(o, 't');
		} else if (c == '\r') {
			put_char(o, 'r');
		} else {
			put_char(o, 'x');
			put_char(o, hex[c >> 4]);
			put_char(o, hex[c & 0xf]);
		}
	}
	put_char(o, '"');
}

static void put_string(struct out *o, const char *s, size_t max)
{
	put_quoted(o, s, str_len(s, max));
}

size_t xf_text_quote(const char *s, size_t len, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };

	put_quoted(&o, s, len);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

static void put_ipv6(struct out *o, const uint8_t *a)
{
	int best = -1, best_len = 1, cur = -1, cur_len = 0, i;
	uint16_t g[8];

	for (i = 0; i < 8; i++) {
		g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
		if (!g[i]) {
			if (cur < 0)
				cur = i;
			cur_len++;
			if (cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
		} else {
			cur = -1;
			cur_len = 0;
		}
	}
	/* RFC 5952: compress the longest run of two or more zero groups. */
	for (i = 0; i < 8; i++) {
		if (i == best) {
			put_str(o, "::");
			i += best_len - 1;
			continue;
		}
		if (i && i != best + best_len)
			put_char(o, ':');
		put_hex16(o, g[i]);
	}
}

static void put_range(struct out *o, uint16_t lo, uint16_t hi)
{
	put_u32(o, lo);
	if (hi != lo) {
		put_char(o, '-');
		put_u32(o, hi);
	}
}

size_t xf_rule_print(const struct xf_rule *r, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	uint32_t f = r->fields;
	int i;

	if (f & XF_RF_DOMID) {
		put_kw(&o, "dom");
		put_u32(&o, r->domid);
	} else if (f & XF_RF_DOMNAME) {
		put_kw(&o, "dom");
		put_string(&o, r->dom_name, XF_DOM_NAME_LEN);
	}
	if (f & XF_RF_UID) {
		put_kw(&o, "uid");
		put_u32(&o, r->uid);
	}
	if (f & XF_RF_EUID) {
		put_kw(&o, "euid");
		put_u32(&o, r->euid);
	}
	if (f & XF_RF_GID) {
		put_kw(&o, "gid");
		put_u32(&o, r->gid);
	}
	if (f & XF_RF_PID) {
		put_kw(&o, "pid");
		put_u32(&o, r->pid);
	}
	if (f & XF_RF_COMM) {
		put_kw(&o, "comm");
		put_string(&o, r->comm, XF_COMM_LEN);
	}
	if (f & XF_RF_EXE) {
		put_kw(&o, "exe");
		put_string(&o, r->exe, XF_EXE_LEN);
	}
	if (f & XF_RF_CGROUP) {
		put_kw(&o, "cgroup");
		put_string(&o, r->cgroup, XF_CGROUP_LEN);
	}
	if (f & XF_RF_PROTO) {
		put_kw(&o, "proto");
		if (r->proto == XF_IPPROTO_TCP)
			put_str(&o, "tcp");
		else if (r->proto == XF_IPPROTO_UDP)
			put_str(&o, "udp");
		else if (r->proto == XF_IPPROTO_ICMP)
			put_str(&o, "icmp");
		else if (r->proto == XF_IPPROTO_ICMPV6)
			put_str(&o, "icmpv6");
		else
			put_u32(&o, r->proto);
	}
	if (f & XF_RF_DST) {
		put_kw(&o, "dst");
		if (r->dst_family == XF_AF_INET6) {
			put_ipv6(&o, r->dst);
		} else {
			for (i = 0; i < 4; i++) {
				if (i)
					put_char(&o, '.');
				put_u32(&o, r->dst[i]);
			}
		}
		if (r->dst_plen != (r->dst_family == XF_AF_INET6 ? 128 : 32)) {
			put_char(&o, '/');
			put_u32(&o, r->dst_plen);
		}
	}
	if (f & XF_RF_SPORT) {
		put_kw(&o, "sport");
		put_range(&o, r->sport_lo, r->sport_hi);
	}
	if (f & XF_RF_DPORT) {
		put_kw(&o, "dport");
		put_range(&o, r->dport_lo, r->dport_hi);
	}
	if (o.len)
		put_char(&o, ' ');
	put_str(&o, xf_action_name(r->action));
	if (r->action == XF_ACT_MIRROR) {
		put_char(&o, ' ');
		put_string(&o, r->mirror_dev, XF_IFNAME_LEN);
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

bool xf_text_parse_u32(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	return parse_u32(s, len, max, out);
}
