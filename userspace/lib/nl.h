/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client of the "xfilter" generic netlink family (libnl-genl): one socket,
 * requests that wait for their ack or the end of their dump, and the
 * kernel's extended-ack message kept for the error shown to the user.
 */
#ifndef XF_USER_NL_H
#define XF_USER_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <uapi/linux/xfilter.h>

struct xf_nl {
	struct nl_sock *sk;
	int family;
	char errmsg[256];	/* extack message of the last failure */
	int bad_attr_off;	/* offset of the offending attribute, or -1 */
};

/* Called for every reply message; return NL_OK or NL_STOP. */
typedef int (*xf_nl_reply_fn)(struct nl_msg *msg, void *arg);

/* Connect and resolve the family; on failure a message is in nl->errmsg. */
int xf_nl_open(struct xf_nl *nl);
void xf_nl_close(struct xf_nl *nl);

/* A request with the family header; flags e.g. NLM_F_DUMP. */
struct nl_msg *xf_nl_msg(struct xf_nl *nl, uint8_t cmd, int flags);

/*
 * Send msg (and free it), receive replies until the ack or the end of the
 * dump. Returns 0 or -errno; on error nl->errmsg says why (the kernel's
 * extended ack when it gave one).
 */
int xf_nl_request(struct xf_nl *nl, struct nl_msg *msg, xf_nl_reply_fn fn,
		  void *arg);

/* Join a multicast group ("batch", "log") by name. */
int xf_nl_join(struct xf_nl *nl, const char *group);
/* NL_CB_SEQ_CHECK callback for multicast sockets: accept any sequence. */
int xf_nl_no_seq_check(struct nl_msg *msg, void *arg);
/* Receive and dispatch whatever comes (blocking). */
int xf_nl_listen(struct xf_nl *nl, xf_nl_reply_fn fn, void *arg);

/* Parse a reply's top-level attributes. */
int xf_nl_parse(struct nl_msg *msg, struct nlattr **tb);

/* "Operation not permitted (...)" etc.: a human message for -errno. */
const char *xf_nl_strerror(const struct xf_nl *nl, int err);

/*
 * domain_set.c: the SETTING VALUE... of `xfctl domain set` (argv), checked;
 * with msg, also put into it as XFILTER_DOMAIN_A_* attributes. 0, or -1
 * with the message, naming the bad token, in err.
 */
int xf_domain_settings(int argc, char **argv, struct nl_msg *msg, char *err,
		       size_t errlen);
/*
 * The same from one line of text ("mode userland policy drop", as kept
 * files and the fleet store hold it), split on blanks.
 */
#define XF_SETTINGS_WORDS_MAX 32
int xf_domain_settings_text(const char *text, struct nl_msg *msg, char *err,
			    size_t errlen);
/* The settings of a DOMAIN_GET reply (d: its domain nest) in that syntax. */
int xf_domain_settings_print(struct nlattr **d, char *buf, size_t size);

/*
 * rule_nl.c: a rule as an XFILTER_A_RULE nest in msg (with index unless
 * UINT32_MAX; -EMSGSIZE: msg is full, nothing half-written), and back
 * from a dumped nest (*index UINT32_MAX: a detection block, no index).
 */
struct xf_rule;
int xf_rule_to_attrs(struct nl_msg *msg, const struct xf_rule *r,
		     uint32_t index);
int xf_rule_from_attrs(struct nlattr *nest, struct xf_rule *r,
		       uint32_t *index);

#endif /* XF_USER_NL_H */
