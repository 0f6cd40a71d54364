/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The text form of a rule, shared by `xfctl rule add`, `xfctl save` and
 * `xfctl restore`:
 *
 *   [dom DOMID|NAME|UUID|any] [uid N] [euid N] [gid N] [pid N]
 *   [comm STR] [exe PATH] [cgroup PATH] [proto tcp|udp|icmp|icmpv6|N]
 *   [dst ADDR[/PLEN]] [sport N[-M]] [dport N[-M]]
 *   accept|drop|log|log-drop
 *
 * Fields come in any order, each at most once, and exactly one action.
 * "dom any" is the same as no dom field. A dom value that is all digits is a
 * domid (below 0x7ff0); anything else made of [A-Za-z0-9._:-] is kept
 * verbatim in rule->dom_name for the caller to resolve (XF_RF_DOMNAME).
 * cgroup is a cgroup v2 path ("/system.slice/foo.service"), matching that
 * cgroup and those below it; it must be absolute, without control bytes,
 * "//", a trailing '/' or "." / ".." components (each refused with its own
 * message naming the token). dst host bits beyond PLEN are cleared. xf_rule_print() writes fields in
 * the order above, so parse(print(r)) == r for every valid r.
 *
 * Two entry points: xf_rule_parse_argv() takes tokens verbatim (the shell
 * already did the quoting), xf_rule_parse_line() splits a line of a rule
 * file on blanks, honours "double quotes" with \" \\ \n \t \r and \xHH
 * escapes, and stops at an unquoted '#'. The printer quotes and escapes
 * strings that need it (xf_text_quote()), so its output is a valid line.
 */
#ifndef XF_CORE_RULE_TEXT_H
#define XF_CORE_RULE_TEXT_H

#include "compat.h"
#include "rule.h"

#define XF_TEXT_TOKEN_MAX 48	/* bytes of a bad token kept in the error */
#define XF_TEXT_MAX_TOKENS 64	/* a longer rule is an error */

/*
 * The longest text xf_rule_print() can write, NUL included: every string
 * byte escaped as \xHH (4 bytes) inside quotes, plus 256 bytes for the
 * keywords, numbers, addresses and the action. A buffer of this size never
 * cuts a rule.
 */
#define XF_RULE_TEXT_MAX						\
	(4 * (XF_COMM_LEN + XF_EXE_LEN + XF_CGROUP_LEN + XF_DOM_NAME_LEN) + 256)

enum xf_text_err {
	XF_TEXT_OK = 0,
	XF_TEXT_E_UNKNOWN = -1,		/* not a keyword or action */
	XF_TEXT_E_MISSING = -2,		/* keyword without a value */
	XF_TEXT_E_VALUE = -3,		/* value does not parse */
	XF_TEXT_E_DUPLICATE = -4,	/* field or action given twice */
	XF_TEXT_E_NO_ACTION = -5,
	XF_TEXT_E_TOO_LONG = -6,	/* token or rule too long */
	XF_TEXT_E_QUOTE = -7,		/* bad quoting or escape */
	XF_TEXT_E_INVALID = -8,		/* fields fine, combination not */
};

struct xf_rule_error {
	int code;		/* enum xf_text_err */
	int index;		/* 0-based token index; -1 for the whole rule */
	char token[XF_TEXT_TOKEN_MAX];	/* the bad token, cut, NUL-terminated */
	const char *msg;	/* static, human readable */
};

int xf_rule_parse_argv(int argc, const char *const *argv, struct xf_rule *r,
		       struct xf_rule_error *err);
int xf_rule_parse_line(const char *s, size_t len, struct xf_rule *r,
		       struct xf_rule_error *err);

/*
 * Print r into buf (size bytes, always NUL-terminated when size > 0).
 * Returns the length of the full text without the NUL, like snprintf: a
 * result >= size means it was cut.
 */
size_t xf_rule_print(const struct xf_rule *r, char *buf, size_t size);

/*
 * The one text escaper for every guest-controlled string xfctl prints or
 * saves (comm, exe, cgroup, reason, names): a rule field, a comment, a
 * terminal line. s[0..len) is written as is when it is non-empty, does not
 * start with '#' and holds only printable ASCII other than blank, '"' and
 * '\\', or valid UTF-8 other than the unsafe code points below. Otherwise
 * it is written in double quotes with \" \\ \n \t \r, and every other
 * control byte, DEL, byte that is not part of valid UTF-8, and byte of an
 * unsafe code point as \xHH. The output is therefore a single line of
 * valid UTF-8 without control characters, and the rule line parser reads it
 * back as exactly s. Returns the length like snprintf (>= size: cut).
 */
size_t xf_text_quote(const char *s, size_t len, char *buf, size_t size);
/* The quoted form of a string of n bytes is at most this long, NUL included. */
#define XF_TEXT_QUOTE_MAX(n) (4 * (n) + 3)

/*
 * One UTF-8 sequence at s[0..n): its length (1..4) and code point, or 0 if
 * it is not valid UTF-8 (overlong, surrogate, cut, > U+10FFFF).
 */
int xf_utf8_decode(const char *s, size_t n, uint32_t *cp);
/*
 * Code points never shown raw: C0 and C1 controls, DEL, LRM/RLM, the line
 * and paragraph separators and the bidi embedding/override/isolate
 * controls (a "Trojan Source" name could reorder what an operator reads).
 */
bool xf_text_unsafe_cp(uint32_t cp);

/*
 * The strict number parser of rule fields, for every number xfctl reads:
 * decimal digits only (no sign, blank, "0x" or leading zero), at most max.
 */
bool xf_text_parse_u32(const char *s, size_t len, uint32_t max,
		       uint32_t *out);

const char *xf_action_name(uint8_t action);
int xf_action_parse(const char *s, size_t len);	/* enum or -1 */

#endif /* XF_CORE_RULE_TEXT_H */
