/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Documentation
 * =============
 *
 * The enums and macros below are the interface of xfilter.ko, the dom0 side
 * of per-process packet filtering of Xen guests, over generic netlink:
 * family XFILTER_GENL_NAME, version XFILTER_GENL_VERSION, in the initial
 * network namespace only.
 *
 * Every command needs CAP_NET_ADMIN in the initial user namespace
 * (GENL_ADMIN_PERM): otherwise -EPERM. That includes the gets and dumps:
 * they show guest data (flows, pids, uids, comms, exe paths, the policy).
 * Both multicast groups need CAP_NET_ADMIN to join. Every rejection of a malformed request carries
 * an extended-ack message naming the offending attribute.
 *
 * Dumps (NLM_F_DUMP) resume across messages. RULE_GET, DOMAIN_GET and
 * VIF_GET set NLM_F_DUMP_INTR on a message when what they walk changed
 * since the dump started: re-read then. FLOW_GET makes no such promise
 * (see there).
 *
 * Domains are numeric Xen domain ids here (0..0x7fef); resolving a guest's
 * name or UUID to its current domid is the caller's job (xfctl, xfilterd).
 * XFILTER_DOMID_DEFAULT names the settings of domains without their own.
 *
 * XFILTER_CMD_RULE_ADD (admin)
 * ----------------------------
 *
 * Inserts one rule. Rules are ordered, first match wins. The request holds:
 *
 *    XFILTER_A_RULE: NLA_NESTED
 *        XFILTER_RULE_A_INDEX: NLA_U32, insert before this position;
 *                              absent: append
 *        XFILTER_RULE_A_ACTION: NLA_U8, enum xfilter_action or
 *                               XFILTER_ACTION_MIRROR, required
 *        XFILTER_RULE_A_MIRROR: NLA_NUL_STRING, maxlen IFNAMSIZ - 1: the
 *                               device of a MIRROR rule (required with it,
 *                               refused with other actions)
 *        XFILTER_RULE_A_DOMID: NLA_U32, 0..0x7fef; absent: every domain
 *        XFILTER_RULE_A_PROTO: NLA_U8, IP protocol number
 *        XFILTER_RULE_A_DST4: NLA_BINARY, exact len 4, network order
 *        XFILTER_RULE_A_DST6: NLA_BINARY, exact len 16, network order
 *        XFILTER_RULE_A_DST_PLEN: NLA_U8, prefix length (0..32 or 0..128);
 *                                 absent: full length
 *        XFILTER_RULE_A_DPORT_MIN: NLA_U16, destination port, host order
 *        XFILTER_RULE_A_DPORT_MAX: NLA_U16, absent: DPORT_MIN
 *        XFILTER_RULE_A_SPORT_MIN: NLA_U16
 *        XFILTER_RULE_A_SPORT_MAX: NLA_U16
 *        XFILTER_RULE_A_UID: NLA_U32, real uid of the owner
 *        XFILTER_RULE_A_EUID: NLA_U32, effective uid
 *        XFILTER_RULE_A_GID: NLA_U32, real gid
 *        XFILTER_RULE_A_PID: NLA_U32, tgid of the owner (what ps shows)
 *        XFILTER_RULE_A_COMM: NLA_NUL_STRING, maxlen 15
 *        XFILTER_RULE_A_EXE: NLA_NUL_STRING, maxlen 255
 *        XFILTER_RULE_A_CGROUP: NLA_NUL_STRING, maxlen 255: a cgroup v2
 *                               path as the guest's /proc/PID/cgroup shows
 *                               it; matches the socket's cgroup and every
 *                               cgroup below it, on whole components
 *                               ("/a" matches "/a" and "/a/b", not "/ab").
 *                               Absolute, no control bytes, no "//", no
 *                               trailing '/' (but "/"), no "." or ".."
 *                               component: one spelling per cgroup
 *
 * A MIRROR rule decides nothing: the packets the guest sends in flows it
 * matches (whatever their verdict, also when cached) are copied to its
 * device, and matching goes on for the verdict; the first matching MIRROR
 * rule names the device. The device must exist when the rule is added
 * (-ENODEV); it is held until it is unregistered and picked up again when a
 * device of that name appears. At most 7 devices are mirror targets at a
 * time (-ENOSPC). Copies are limited per device to the module parameter
 * mirror_pps per second; the rest is counted as dropped.
 *
 * Every absent match attribute matches anything. At most one of DST4/DST6.
 * Port matches only match TCP and UDP. Rules with owner attributes (UID ..
 * EXE, CGROUP) are decided once the flow is attributed by the domain's
 * verdict source; all others are decided in the kernel at once. Adding or
 * removing a rule invalidates the cached verdicts it could change.
 *
 * Which part of the owner each owner attribute needs (XFILTER_OWNER_F_*):
 * UID, EUID, GID the socket's credentials (FOUND); CGROUP the socket's
 * cgroup path (CGROUP, not CGROUP_TRUNC); PID, COMM the task holding the
 * socket (TASK); EXE the task and its whole path (TASK, EXE, not
 * EXE_TRUNC; a truncated path matches no EXE rule).
 *
 * No verdict is cheaper to get by hiding. A TCP or UDP flow (a flow with
 * ports; not ICMP, not a later fragment) whose owner lacks a part that a
 * rule's owner attribute needs, above all an unattributed flow (no FOUND:
 * the socket was closed before the lookup, hidden, or the walker gave up),
 * gets the worst verdict any owner could have got: among the rules whose
 * other attributes match it, in order, a rule with a DROP or LOG_DROP
 * action decides, rules that accept or log are skipped (MIRROR rules copy);
 * then, if no rule decided, the unattributed policy (no FOUND) or the
 * policy. Any known owner attribute that does not match still rules a rule
 * out (uid 1000 is not caught by "uid 1001 pid 7 drop" when its task was
 * not found). Flows without ports have no owner to find: owner rules are
 * skipped for them and the unattributed policy applies.
 *
 * XFILTER_CMD_RULE_DEL (admin)
 * ----------------------------
 *
 * Deletes one rule, named in exactly one way:
 *
 *    XFILTER_A_RULE: NLA_NESTED
 *        XFILTER_RULE_A_INDEX: NLA_U32, its position
 *    or
 *    XFILTER_A_RULE: NLA_NESTED, the same match attributes and action as
 *                    in RULE_ADD (no INDEX): the first equal rule
 *
 * XFILTER_CMD_RULE_FLUSH (admin)
 * ------------------------------
 *
 * Deletes every rule. No attributes. Domain settings stay.
 *
 * XFILTER_CMD_RULE_REPLACE (admin)
 * --------------------------------
 *
 * Replaces every rule in one step (xfctl restore): readers see the old
 * table or the new one, never a part of it or an empty table in between.
 *
 *    XFILTER_A_RULE: NLA_NESTED, zero or more times at the top level, as
 *                    in RULE_ADD but without INDEX; the new table holds
 *                    them in message order
 *
 * Repeated top-level attributes rather than one list nest, so a table
 * larger than 64 KiB of attributes fits (the message is limited by the
 * socket's send buffer only). Every rule is parsed and checked, and every
 * mirror device bound, before anything changes; on any error nothing
 * changes and the extack points at the offending XFILTER_A_RULE. Domain
 * settings stay; temporary rules (detect block) are dropped with the
 * rest, as with RULE_FLUSH. Counters of the new rules start at 0.
 *
 * XFILTER_CMD_RULE_COUNT (admin)
 * ------------------------------
 *
 * Adds to one rule's counters what it counted elsewhere: xfilterd carries
 * a guest's counters through the fleet store when the guest moves to
 * another host (live migration) or comes back with a new domid, so they
 * continue there. The match and the generation stay as they are.
 *
 *    XFILTER_A_GENERATION: NLA_U64, required: the rule table's, as a
 *                          RULE_GET dump gave it with the index
 *    XFILTER_A_RULE: NLA_NESTED
 *        XFILTER_RULE_A_INDEX: NLA_U32, required
 *        XFILTER_RULE_A_PACKETS: NLA_U64, added to its packets
 *        XFILTER_RULE_A_BYTES: NLA_U64, added to its bytes
 *
 * -ESTALE if the table changed since that generation (dump it again), no
 * other attribute in the nest. Counts that land on the table during the
 * step are lost, as with every change (a handful of packets at most).
 *
 * XFILTER_CMD_RULE_GET (dump)
 * ---------------------------
 *
 * May only be called with NLM_F_DUMP. No attributes. One message per rule,
 * in order:
 *
 *    XFILTER_A_GENERATION: NLA_U64, of the rule table
 *    XFILTER_A_RULE: NLA_NESTED
 *        XFILTER_RULE_A_INDEX: NLA_U32
 *        ... the match attributes and action as in RULE_ADD ...
 *        XFILTER_RULE_A_PACKETS: NLA_U64, packets it decided
 *        XFILTER_RULE_A_BYTES: NLA_U64
 *        XFILTER_RULE_A_EXPIRES_MS: NLA_U32, time left before the module
 *                                   deletes the rule (rules it added
 *                                   itself in detect block mode only)
 *        XFILTER_RULE_A_ALERT: NLA_U32, id of the alert that added it
 *        XFILTER_RULE_A_REASON: NLA_NUL_STRING, why it was added
 *        XFILTER_RULE_A_MIRROR_COPIES: NLA_U64, MIRROR rules: copies sent
 *                                      to the device (all rules naming it)
 *        XFILTER_RULE_A_MIRROR_DROPS: NLA_U64, copies over the rate limit
 *        XFILTER_RULE_A_MIRROR_ERRORS: NLA_U64, device gone or down, clone
 *                                      or transmit failed
 *
 * Expired rules are deleted by the module (a delayed work at the earliest
 * expiry) and logged in the kernel log; that bumps the generation like any
 * other change.
 *
 * XFILTER_CMD_DOMAIN_SET (admin)
 * ------------------------------
 *
 *    XFILTER_A_DOMAIN: NLA_NESTED
 *        XFILTER_DOMAIN_A_DOMID: NLA_U32, required: 0..0x7fef or
 *                                XFILTER_DOMID_DEFAULT
 *        XFILTER_DOMAIN_A_MODE: NLA_U8, enum xfilter_mode
 *        XFILTER_DOMAIN_A_POLICY: NLA_U8, enum xfilter_action: when no
 *                                 rule matches
 *        XFILTER_DOMAIN_A_UNATTRIBUTED: NLA_U8, enum xfilter_action: when
 *                                       no rule matches an unattributed flow
 *        XFILTER_DOMAIN_A_FAIL_POLICY: NLA_U8, XFILTER_ACTION_ACCEPT or
 *                                      XFILTER_ACTION_DROP: when the verdict
 *                                      source is absent, does not answer in
 *                                      time, or the queue is full
 *        XFILTER_DOMAIN_A_DETECT: NLA_U8, enum xfilter_detect
 *        XFILTER_DOMAIN_A_DETECT_WINDOW_MS: NLA_U32, 100..3600000
 *        XFILTER_DOMAIN_A_DETECT_PORTS: NLA_U32, 0 (off) or 2..64 distinct
 *                                       destination ports in the window
 *        XFILTER_DOMAIN_A_DETECT_HOSTS: NLA_U32, 0 or 2..64 distinct
 *                                       destination addresses
 *        XFILTER_DOMAIN_A_DETECT_FLOWS: NLA_U32, 0 or more: new flows in
 *                                       the window (flood)
 *        XFILTER_DOMAIN_A_BLOCK_MS: NLA_U32, 1000..86400000: lifetime of
 *                                   the rules block mode adds
 *        XFILTER_DOMAIN_A_DETECT_UNATTRIBUTED: NLA_U32, 0 or more:
 *                                   unattributed new flows of the domain
 *                                   in the window
 *
 * Only the attributes given change. A domain without settings of its own
 * uses the XFILTER_DOMID_DEFAULT ones (initially: mode userland, policy
 * accept, unattributed accept, fail drop, detect off, window 10 s, ports
 * 20, hosts 20, flows 0, unattributed flows 20, block 300 s).
 *
 * Detection: with DETECT alert or block, every new flow a guest process
 * starts (TCP SYN without ACK, UDP from a source port >= 1024) is
 * attributed, even if no rule needs an owner (it waits for the verdict
 * source like a flow that does; flows that answer, e.g. a server's
 * SYN-ACKs, do not). Per (domain, owner) the module counts, in a sliding
 * window, distinct destination ports, distinct destination hosts and all
 * such flows; crossing a threshold raises an alert (ALERT_GET, and
 * XFILTER_CMD_ALERT on the log group) with the owner, the evidence and a
 * suggested rule, at most once per owner and window. In block mode the
 * suggested rule is also added to the domain's own blocks with an expiry
 * of BLOCK_MS: at most block_max (module parameter) per domain, consulted
 * before the rule table, never in it (RULE_GET lists them first, without
 * XFILTER_RULE_A_INDEX; RULE_DEL by match removes one; RULE_FLUSH leaves
 * them).
 * New flows the verdict source found no owner for are counted per domain;
 * more than DETECT_UNATTRIBUTED of them in the window raise an alert of
 * kind XFILTER_ALERT_UNATTRIBUTED ("unattributed-flows N": FLOWS, PORT_MIN,
 * PORT_MAX, TOTAL), without OWNER and RULE and never blocking: there is no
 * owner to block.
 * Without a verdict source nothing is attributed and nothing is detected.
 *
 * XFILTER_CMD_DOMAIN_GET (dump)
 * -----------------------------
 *
 * May only be called with NLM_F_DUMP. Optional filter:
 *
 *    XFILTER_A_DOMAIN: NLA_NESTED
 *        XFILTER_DOMAIN_A_DOMID: NLA_U32
 *
 * One message per domain with settings or traffic (XFILTER_DOMID_DEFAULT
 * first):
 *
 *    XFILTER_A_DOMAIN: NLA_NESTED
 *        XFILTER_DOMAIN_A_DOMID: NLA_U32
 *        XFILTER_DOMAIN_A_MODE: NLA_U8
 *        XFILTER_DOMAIN_A_POLICY: NLA_U8
 *        XFILTER_DOMAIN_A_UNATTRIBUTED: NLA_U8
 *        XFILTER_DOMAIN_A_FAIL_POLICY: NLA_U8
 *        XFILTER_DOMAIN_A_FLAGS: NLA_U32, enum xfilter_domain_flags
 *        XFILTER_DOMAIN_A_DETECT .. XFILTER_DOMAIN_A_BLOCK_MS: as set
 *        XFILTER_DOMAIN_A_STATS: NLA_NESTED
 *            XFILTER_STATS_A_*: NLA_U64 each, see enum xfilter_stats_attr
 *
 * The counters add up: PACKETS = ACCEPTED + DROPPED + HELD.
 *
 * XFILTER_CMD_STATS_GET
 * ---------------------
 *
 * Not a dump. No attributes. Replies with the sum over all domains:
 *
 *    XFILTER_A_STATS: NLA_NESTED, as XFILTER_DOMAIN_A_STATS
 *    XFILTER_A_GENERATION: NLA_U64
 *
 * XFILTER_CMD_FLOW_GET (dump)
 * ---------------------------
 *
 * May only be called with NLM_F_DUMP. Optional filter: XFILTER_A_DOMID:
 * NLA_U32. One message per cached or pending flow. Both change with every
 * packet and carry no generation: a dump is not a snapshot (a flow may be
 * missed or seen twice) and never sets NLM_F_DUMP_INTR.
 *
 *    XFILTER_A_FLOW: NLA_NESTED
 *        XFILTER_FLOW_A_DOMID: NLA_U32
 *        XFILTER_FLOW_A_FAMILY: NLA_U8, AF_INET or AF_INET6
 *        XFILTER_FLOW_A_PROTO: NLA_U8
 *        XFILTER_FLOW_A_SADDR: NLA_BINARY, len 4 or 16
 *        XFILTER_FLOW_A_DADDR: NLA_BINARY, len 4 or 16
 *        XFILTER_FLOW_A_SPORT: NLA_U16, host order (ICMP: echo id)
 *        XFILTER_FLOW_A_DPORT: NLA_U16, host order (ICMP: type << 8 | code)
 *        XFILTER_FLOW_A_STATE: NLA_U8, enum xfilter_flow_state
 *        XFILTER_FLOW_A_ACTION: NLA_U8, enum xfilter_action (cached only)
 *        XFILTER_FLOW_A_SOURCE: NLA_U8, enum xfilter_source (cached only)
 *        XFILTER_FLOW_A_RULE: NLA_U32, deciding rule's index (if a rule)
 *        XFILTER_FLOW_A_HELD: NLA_U32, packets held (pending only)
 *        XFILTER_FLOW_A_EXPIRES_MS: NLA_U32, idle time left (cached only)
 *        XFILTER_FLOW_A_OWNER: reserved (not sent yet)
 *
 * XFILTER_CMD_FLOW_FLUSH (admin)
 * ------------------------------
 *
 * Forgets cached verdicts (the next packet of each flow is decided again).
 * Optional XFILTER_A_DOMID: NLA_U32 limits it to one domain. Held packets
 * are not touched.
 *
 * XFILTER_CMD_VIF_GET (dump)
 * --------------------------
 *
 * May only be called with NLM_F_DUMP. No attributes. One message per device
 * xfilter is attached to: xen-netback's vifs of the initial network
 * namespace whose name matches pattern= (a device is recognised by its
 * xenbus backend parent, not by its name):
 *
 *    XFILTER_A_VIF: NLA_NESTED
 *        XFILTER_VIF_A_IFINDEX: NLA_U32
 *        XFILTER_VIF_A_IFNAME: NLA_NUL_STRING, maxlen IFNAMSIZ - 1
 *        XFILTER_VIF_A_DOMID: NLA_U32, the guest's (netback's frontend)
 *        XFILTER_VIF_A_HANDLE: NLA_U32, the vif's number in the guest
 *        XFILTER_VIF_A_HOOK: NLA_U8, enum xfilter_hook
 *        XFILTER_VIF_A_STATS: NLA_NESTED, XFILTER_STATS_A_PACKETS, _BYTES,
 *                             _ACCEPTED, _DROPPED, _QUEUED
 *
 * XFILTER_CMD_BATCH_NOTIFY (multicast group XFILTER_MCGRP_BATCH)
 * --------------------------------------------------------------
 *
 * Sent by the kernel when a batch of flows of a domain in mode userland
 * waits for verdicts (a lone flow while the source is idle, or the batch
 * is full or its delay expired):
 *
 *    XFILTER_A_DOMID: NLA_U32
 *    XFILTER_A_BATCH_ID: NLA_U32
 *    XFILTER_A_FLOWS: NLA_NESTED, as in BATCH_GET's reply; only when the
 *                     batch has at most 16 flows (one page), else the
 *                     listener fetches them with BATCH_GET
 *    XFILTER_A_TIME_NS: NLA_U64, with XFILTER_A_FLOWS: as in BATCH_GET's
 *                     reply
 *    XFILTER_A_COUNT: NLA_U32, flows in the batch
 *
 * A batch answered or timed out before its notice was sent gets none.
 * The userland filter counts as present while a socket is joined to this
 * group; with none, the fail policy applies at once.
 *
 * XFILTER_CMD_BATCH_GET (admin)
 * -----------------------------
 *
 * Not a dump. Fetches a batch:
 *
 *    XFILTER_A_DOMID: NLA_U32, required
 *    XFILTER_A_BATCH_ID: NLA_U32, optional: absent = oldest unanswered
 *
 * Reply (-ENOENT if there is no such batch):
 *
 *    XFILTER_A_DOMID: NLA_U32
 *    XFILTER_A_BATCH_ID: NLA_U32
 *    XFILTER_A_FLOWS: NLA_NESTED
 *        0: NLA_NESTED
 *            XFILTER_FLOW_A_ID: NLA_U32, names the flow in the verdict
 *            XFILTER_FLOW_A_DOMID .. XFILTER_FLOW_A_DPORT: as in FLOW_GET
 *            XFILTER_FLOW_A_TCP_FLAGS: NLA_U8, of the first packet
 *            XFILTER_FLOW_A_HELD: NLA_U32
 *            XFILTER_FLOW_A_AGE_US: NLA_U32, microseconds since the
 *                                   flow's first packet was held
 *                                   (saturates), for latency figures
 *        1: NLA_NESTED
 *            ...
 *        ...
 *    XFILTER_A_TIME_NS: NLA_U64, CLOCK_MONOTONIC time the message was
 *                       built, the ages' reference: a listener adds the
 *                       time the message waited to be read
 *
 * XFILTER_CMD_VERDICT (admin)
 * ---------------------------
 *
 * Answers some or all flows of a batch:
 *
 *    XFILTER_A_DOMID: NLA_U32, required
 *    XFILTER_A_BATCH_ID: NLA_U32, required
 *    XFILTER_A_VERDICTS: NLA_NESTED, required
 *        0: NLA_NESTED
 *            XFILTER_VERDICT_A_FLOW_ID: NLA_U32, required
 *            XFILTER_VERDICT_A_OWNER: NLA_NESTED, the owner found
 *                XFILTER_OWNER_A_*: see enum xfilter_owner_attr
 *            XFILTER_VERDICT_A_ACTION: NLA_U8, enum xfilter_action
 *        1: NLA_NESTED
 *            ...
 *        ...
 *
 * With an OWNER the kernel matches the rules with it; without an OWNER (or
 * with one without XFILTER_OWNER_F_FOUND) the flow is unattributed: the
 * rules decide as RULE_ADD says ("no verdict is cheaper to get by hiding":
 * an owner rule that drops and whose other attributes match decides), then
 * its domain's unattributed policy. An ACTION overrides both. Flows of the batch
 * left unanswered get the fail policy when the verdict timeout expires.
 * Answering a flow that has already timed out is not an error (the verdict is
 * counted as late and dropped).
 *
 * XFILTER_CMD_LOG (multicast group XFILTER_MCGRP_LOG)
 * ---------------------------------------------------
 *
 * Sent by the kernel when a flow is decided by its verdict source (every
 * flow xfilterd or the hypervisor answered, with the OWNER it gave), by a
 * rule with a log action, by the unattributed policy, or by the fail
 * policy:
 *
 *    XFILTER_A_FLOW: NLA_NESTED, as in FLOW_GET with ACTION, SOURCE, RULE
 *                    and OWNER when known
 *    XFILTER_A_SUPPRESSED: NLA_U32, when not zero: messages of the flow's
 *                    domain left out since its previous one, by the
 *                    per-domain rate limit (module parameter log_rate,
 *                    messages a second; also counted as
 *                    XFILTER_STATS_A_LOG_SUPPRESSED) or for want of memory
 *                    here or in a listener's receive buffer
 *                    (XFILTER_STATS_A_LOG_FAILED)
 *
 * XFILTER_CMD_PROFILE_NOTIFY (multicast group XFILTER_MCGRP_BATCH)
 * ----------------------------------------------------------------
 *
 * Sent by the kernel when the filter module in Xen needs the guest kernel
 * profile of a domain: the domain (or, with XFILTER_DOMID_DEFAULT, every
 * domain without settings of its own) was put in mode hypervisor, or Xen
 * answered a batch of it with "no profile loaded" (the domain rebooted
 * under a new domid, or its profile was cleared; at most twice a second
 * per domain; the batch is submitted again until its verdict timeout):
 *
 *    XFILTER_A_DOMID: NLA_U32
 *
 * xfilterd answers by loading the profile into Xen (XF_HV_PROFILE through
 * /dev/xen/privcmd, include/xfilter/hypercall.h), as soon as it can
 * introspect the guest.
 *
 * XFILTER_CMD_ALERT_GET (dump)
 * ----------------------------
 *
 * May only be called with NLM_F_DUMP. Optional filter: XFILTER_A_DOMID:
 * NLA_U32. One message per alert the module still holds (a ring of the
 * newest XFILTER_ALERTS_MAX), oldest first:
 *
 *    XFILTER_A_ALERT: NLA_NESTED
 *        XFILTER_ALERT_A_ID: NLA_U32, from 1, increasing
 *        XFILTER_ALERT_A_DOMID: NLA_U32
 *        XFILTER_ALERT_A_TIME: NLA_U64, wall clock, seconds since 1970
 *        XFILTER_ALERT_A_KINDS: NLA_U32, enum xfilter_alert_kind bits
 *        XFILTER_ALERT_A_PORTS: NLA_U32, distinct destination ports seen
 *        XFILTER_ALERT_A_HOSTS: NLA_U32, distinct destination hosts seen
 *        XFILTER_ALERT_A_FLOWS: NLA_U32, new flows in the window
 *        XFILTER_ALERT_A_WINDOW_MS: NLA_U32
 *        XFILTER_ALERT_A_TOTAL: NLA_U32, flows of this owner counted until
 *                               the alert (detection latency in flows)
 *        XFILTER_ALERT_A_PORT_MIN: NLA_U16, lowest destination port seen
 *        XFILTER_ALERT_A_PORT_MAX: NLA_U16, highest
 *        XFILTER_ALERT_A_OWNER: NLA_NESTED, XFILTER_OWNER_A_*
 *        XFILTER_ALERT_A_RULE: NLA_NESTED, the suggested rule: the match
 *                              attributes and action as in RULE_ADD
 *        XFILTER_ALERT_A_RESPONSE: NLA_U8, enum xfilter_alert_response
 *
 * XFILTER_CMD_ALERT (multicast group XFILTER_MCGRP_LOG)
 * -----------------------------------------------------
 *
 * Sent by the kernel when an alert is raised: XFILTER_A_ALERT as in
 * ALERT_GET (RESPONSE is XFILTER_ALERT_BLOCKING in block mode: the rule is
 * being inserted).
 */
#ifndef _UAPI_LINUX_XFILTER_H
#define _UAPI_LINUX_XFILTER_H

#define XFILTER_GENL_NAME "xfilter"
#define XFILTER_GENL_VERSION 1

#define XFILTER_MCGRP_BATCH "batch"
#define XFILTER_MCGRP_LOG "log"

#define XFILTER_DOMID_MAX 0x7fef
#define XFILTER_DOMID_DEFAULT 0xffff
#define XFILTER_COMM_LEN 16
#define XFILTER_EXE_LEN 256
#define XFILTER_CGROUP_LEN 256
#define XFILTER_REASON_LEN 64
#define XFILTER_ALERTS_MAX 64

enum xfilter_cmd {
	XFILTER_CMD_UNSPEC,
	XFILTER_CMD_RULE_ADD,
	XFILTER_CMD_RULE_DEL,
	XFILTER_CMD_RULE_FLUSH,
	XFILTER_CMD_RULE_GET,
	XFILTER_CMD_DOMAIN_SET,
	XFILTER_CMD_DOMAIN_GET,
	XFILTER_CMD_STATS_GET,
	XFILTER_CMD_FLOW_GET,
	XFILTER_CMD_FLOW_FLUSH,
	XFILTER_CMD_VIF_GET,
	XFILTER_CMD_BATCH_NOTIFY,
	XFILTER_CMD_BATCH_GET,
	XFILTER_CMD_VERDICT,
	XFILTER_CMD_LOG,
	XFILTER_CMD_PROFILE_NOTIFY,
	XFILTER_CMD_ALERT_GET,
	XFILTER_CMD_ALERT,
	XFILTER_CMD_RULE_REPLACE,
	XFILTER_CMD_RULE_COUNT,
	__XFILTER_CMD_MAX
};
#define XFILTER_CMD_MAX (__XFILTER_CMD_MAX - 1)

/* Same values as core/'s enum xf_action. */
enum xfilter_action {
	XFILTER_ACTION_ACCEPT,
	XFILTER_ACTION_DROP,
	XFILTER_ACTION_LOG,		/* log and accept */
	XFILTER_ACTION_LOG_DROP,	/* log and drop */
	__XFILTER_ACTION_MAX
};
#define XFILTER_ACTION_MAX (__XFILTER_ACTION_MAX - 1)
/* Rules only (not a verdict or a policy): copy to XFILTER_RULE_A_MIRROR. */
#define XFILTER_ACTION_MIRROR 4

/* Where a domain's flows that need an owner get one. */
enum xfilter_mode {
	/*
	 * No attribution: rules without owner fields and the policies still
	 * apply in the kernel; a flow that needs an owner is unattributed.
	 */
	XFILTER_MODE_OFF,
	XFILTER_MODE_USERLAND,		/* xfilterd, over this family */
	XFILTER_MODE_HYPERVISOR,	/* the filter module in Xen */
	__XFILTER_MODE_MAX
};
#define XFILTER_MODE_MAX (__XFILTER_MODE_MAX - 1)

/* What decided a verdict. */
enum xfilter_source {
	XFILTER_SOURCE_RULE,		/* a rule matched */
	XFILTER_SOURCE_DEFAULT,		/* the domain's policy */
	XFILTER_SOURCE_UNATTRIBUTED,	/* the unattributed policy */
	XFILTER_SOURCE_FAIL_ABSENT,	/* fail policy: no verdict source */
	XFILTER_SOURCE_FAIL_TIMEOUT,	/* fail policy: source too slow */
	XFILTER_SOURCE_FAIL_OVERFLOW,	/* fail policy: queue full */
	XFILTER_SOURCE_OVERRIDE,	/* the source gave an ACTION */
	__XFILTER_SOURCE_MAX
};
#define XFILTER_SOURCE_MAX (__XFILTER_SOURCE_MAX - 1)

enum xfilter_hook {
	XFILTER_HOOK_NONE,
	XFILTER_HOOK_RX_HANDLER,	/* netdev rx_handler (routed vif) */
	XFILTER_HOOK_INGRESS,		/* netfilter netdev ingress (port) */
	__XFILTER_HOOK_MAX
};
#define XFILTER_HOOK_MAX (__XFILTER_HOOK_MAX - 1)

enum xfilter_flow_state {
	XFILTER_FLOW_CACHED,		/* verdict cached */
	XFILTER_FLOW_PENDING,		/* waiting for a verdict */
	__XFILTER_FLOW_STATE_MAX
};

enum xfilter_domain_flags {
	XFILTER_DOMAIN_F_OWN = 1U << 0,	/* has settings of its own */
	XFILTER_DOMAIN_F_SOURCE = 1U << 1, /* its verdict source is present */
	XFILTER_DOMAIN_F_ALL = (1U << 2) - 1
};

enum xfilter_attr {
	XFILTER_A_UNSPEC,
	XFILTER_A_RULE,
	XFILTER_A_DOMAIN,
	XFILTER_A_DOMID,
	XFILTER_A_FLOW,
	XFILTER_A_FLOWS,
	XFILTER_A_VIF,
	XFILTER_A_STATS,
	XFILTER_A_BATCH_ID,
	XFILTER_A_COUNT,
	XFILTER_A_VERDICTS,
	XFILTER_A_GENERATION,
	XFILTER_A_PAD,
	XFILTER_A_ALERT,
	XFILTER_A_SUPPRESSED,
	XFILTER_A_TIME_NS,
	__XFILTER_A_LAST
};
#define XFILTER_A_MAX (__XFILTER_A_LAST - 1)

enum xfilter_rule_attr {
	XFILTER_RULE_A_UNSPEC,
	XFILTER_RULE_A_INDEX,
	XFILTER_RULE_A_ACTION,
	XFILTER_RULE_A_DOMID,
	XFILTER_RULE_A_PROTO,
	XFILTER_RULE_A_DST4,
	XFILTER_RULE_A_DST6,
	XFILTER_RULE_A_DST_PLEN,
	XFILTER_RULE_A_DPORT_MIN,
	XFILTER_RULE_A_DPORT_MAX,
	XFILTER_RULE_A_SPORT_MIN,
	XFILTER_RULE_A_SPORT_MAX,
	XFILTER_RULE_A_UID,
	XFILTER_RULE_A_EUID,
	XFILTER_RULE_A_GID,
	XFILTER_RULE_A_PID,
	XFILTER_RULE_A_COMM,
	XFILTER_RULE_A_EXE,
	XFILTER_RULE_A_PACKETS,
	XFILTER_RULE_A_BYTES,
	XFILTER_RULE_A_PAD,
	XFILTER_RULE_A_EXPIRES_MS,
	XFILTER_RULE_A_ALERT,
	XFILTER_RULE_A_REASON,
	XFILTER_RULE_A_MIRROR,
	XFILTER_RULE_A_MIRROR_COPIES,
	XFILTER_RULE_A_MIRROR_DROPS,
	XFILTER_RULE_A_MIRROR_ERRORS,
	XFILTER_RULE_A_CGROUP,
	__XFILTER_RULE_A_LAST
};
#define XFILTER_RULE_A_MAX (__XFILTER_RULE_A_LAST - 1)

enum xfilter_domain_attr {
	XFILTER_DOMAIN_A_UNSPEC,
	XFILTER_DOMAIN_A_DOMID,
	XFILTER_DOMAIN_A_MODE,
	XFILTER_DOMAIN_A_POLICY,
	XFILTER_DOMAIN_A_UNATTRIBUTED,
	XFILTER_DOMAIN_A_FAIL_POLICY,
	XFILTER_DOMAIN_A_FLAGS,
	XFILTER_DOMAIN_A_STATS,
	XFILTER_DOMAIN_A_DETECT,
	XFILTER_DOMAIN_A_DETECT_WINDOW_MS,
	XFILTER_DOMAIN_A_DETECT_PORTS,
	XFILTER_DOMAIN_A_DETECT_HOSTS,
	XFILTER_DOMAIN_A_DETECT_FLOWS,
	XFILTER_DOMAIN_A_BLOCK_MS,
	XFILTER_DOMAIN_A_DETECT_UNATTRIBUTED,
	__XFILTER_DOMAIN_A_LAST
};
#define XFILTER_DOMAIN_A_MAX (__XFILTER_DOMAIN_A_LAST - 1)

/* Counters, NLA_U64 each; absent ones are zero. */
enum xfilter_stats_attr {
	XFILTER_STATS_A_UNSPEC,
	XFILTER_STATS_A_PACKETS,	/* seen at the hook */
	XFILTER_STATS_A_BYTES,
	XFILTER_STATS_A_ACCEPTED,	/* passed on (at once or re-injected) */
	XFILTER_STATS_A_DROPPED,	/* freed (at once or after holding) */
	XFILTER_STATS_A_HELD,		/* held right now */
	XFILTER_STATS_A_QUEUED,		/* ever held */
	XFILTER_STATS_A_CACHE_HITS,
	XFILTER_STATS_A_CACHE_MISSES,
	XFILTER_STATS_A_KERNEL_VERDICTS,	/* decided without an owner */
	XFILTER_STATS_A_SOURCE_VERDICTS,	/* answered by the source */
	XFILTER_STATS_A_UNATTRIBUTED,	/* flows decided unattributed */
	XFILTER_STATS_A_FAIL_ABSENT,	/* flows: fail policy, no source */
	XFILTER_STATS_A_FAIL_TIMEOUT,	/* flows: fail policy, timeout */
	XFILTER_STATS_A_OVERFLOW,	/* packets: queue full */
	XFILTER_STATS_A_LATE_VERDICTS,	/* answers after the timeout */
	XFILTER_STATS_A_NOT_IP,		/* ARP etc.: passed */
	XFILTER_STATS_A_MALFORMED,	/* unparsable IP: dropped */
	XFILTER_STATS_A_NOMEM,		/* allocation failed: fail policy */
	XFILTER_STATS_A_BATCHES,	/* batches notified */
	XFILTER_STATS_A_FLOWS,		/* cached flows now */
	XFILTER_STATS_A_PAD,
	/*
	 * Verdicts decided without the whole owner cached with a short
	 * life (module parameter unattributed_cache_ms, never extended by
	 * traffic), and packets that hit such an entry.
	 */
	XFILTER_STATS_A_UNATTRIBUTED_CACHED,
	XFILTER_STATS_A_UNATTRIBUTED_HITS,
	/*
	 * Later IP fragments that followed their first fragment's verdict,
	 * and those whose first fragment was not known (decided as
	 * unattributed flows without ports).
	 */
	XFILTER_STATS_A_FRAGS_FOLLOWED,
	XFILTER_STATS_A_FRAGS_UNKNOWN,
	/*
	 * The domain's share of the verdict cache (module parameters
	 * cache_domain_max, cache_domain_min): its entries evicted to make
	 * room for its own new flows (it was at its share), evicted for
	 * another domain's (the whole cache was full while that one was
	 * under its share), and its flows not cached because their bucket
	 * held only other domains' entries.
	 */
	XFILTER_STATS_A_CACHE_EVICTED,
	XFILTER_STATS_A_CACHE_PUSHED_OUT,
	XFILTER_STATS_A_CACHE_REFUSED,
	/*
	 * Log messages (XFILTER_CMD_LOG) of the domain left out by the
	 * per-domain rate limit (module parameter log_rate), and those lost
	 * because no memory was available for them or a listener's receive
	 * buffer was full (a monitor that does not keep up).
	 */
	XFILTER_STATS_A_LOG_SUPPRESSED,
	XFILTER_STATS_A_LOG_FAILED,
	/*
	 * Mode hypervisor: new flows checked by Xen in the receive path, their
	 * first packet never held (the source was idle), and new flows held
	 * for the work item instead because the domain, or all domains, had
	 * spent their share of receive-path time on such checks (module
	 * parameters hv_inline_us, hv_inline_us_all), and the receive-path
	 * time those checks took in all [ns].
	 */
	XFILTER_STATS_A_HV_INLINE,
	XFILTER_STATS_A_HV_INLINE_OVER,
	XFILTER_STATS_A_HV_INLINE_NS,
	__XFILTER_STATS_A_LAST
};
#define XFILTER_STATS_A_MAX (__XFILTER_STATS_A_LAST - 1)

enum xfilter_flow_attr {
	XFILTER_FLOW_A_UNSPEC,
	XFILTER_FLOW_A_ID,
	XFILTER_FLOW_A_DOMID,
	XFILTER_FLOW_A_FAMILY,
	XFILTER_FLOW_A_PROTO,
	XFILTER_FLOW_A_SADDR,
	XFILTER_FLOW_A_DADDR,
	XFILTER_FLOW_A_SPORT,
	XFILTER_FLOW_A_DPORT,
	XFILTER_FLOW_A_STATE,
	XFILTER_FLOW_A_ACTION,
	XFILTER_FLOW_A_SOURCE,
	XFILTER_FLOW_A_RULE,
	XFILTER_FLOW_A_HELD,
	XFILTER_FLOW_A_EXPIRES_MS,
	XFILTER_FLOW_A_TCP_FLAGS,
	XFILTER_FLOW_A_OWNER,
	XFILTER_FLOW_A_AGE_US,
	__XFILTER_FLOW_A_LAST
};
#define XFILTER_FLOW_A_MAX (__XFILTER_FLOW_A_LAST - 1)

enum xfilter_owner_attr {
	XFILTER_OWNER_A_UNSPEC,
	XFILTER_OWNER_A_FLAGS,		/* NLA_U32, core's enum xf_owner_flags */
	XFILTER_OWNER_A_PID,		/* NLA_U32, thread id */
	XFILTER_OWNER_A_TGID,		/* NLA_U32 */
	XFILTER_OWNER_A_PPID,		/* NLA_U32 */
	XFILTER_OWNER_A_UID,		/* NLA_U32 */
	XFILTER_OWNER_A_GID,		/* NLA_U32 */
	XFILTER_OWNER_A_EUID,		/* NLA_U32 */
	XFILTER_OWNER_A_EGID,		/* NLA_U32 */
	XFILTER_OWNER_A_CGROUP,		/* NLA_U64, kernfs id */
	XFILTER_OWNER_A_COMM,		/* NLA_NUL_STRING, maxlen 15 */
	XFILTER_OWNER_A_EXE,		/* NLA_NUL_STRING, maxlen 255 */
	XFILTER_OWNER_A_PAD,
	/*
	 * NLA_NUL_STRING, maxlen 255: the socket's cgroup v2 path, with
	 * XFILTER_OWNER_F_CGROUP (what XFILTER_RULE_A_CGROUP matches)
	 */
	XFILTER_OWNER_A_CGROUP_PATH,
	__XFILTER_OWNER_A_LAST
};
#define XFILTER_OWNER_A_MAX (__XFILTER_OWNER_A_LAST - 1)

/* Owner flags, as core/owner.h. */
enum xfilter_owner_flags {
	XFILTER_OWNER_F_FOUND = 1U << 0,
	XFILTER_OWNER_F_EXE = 1U << 1,
	XFILTER_OWNER_F_PPID = 1U << 2,
	XFILTER_OWNER_F_CGROUP = 1U << 3,
	XFILTER_OWNER_F_EXE_TRUNC = 1U << 4,
	XFILTER_OWNER_F_TASK = 1U << 5,		/* pid, tgid, comm valid */
	XFILTER_OWNER_F_CGROUP_TRUNC = 1U << 6,
	XFILTER_OWNER_F_ALL = (1U << 7) - 1
};

enum xfilter_vif_attr {
	XFILTER_VIF_A_UNSPEC,
	XFILTER_VIF_A_IFINDEX,
	XFILTER_VIF_A_IFNAME,
	XFILTER_VIF_A_DOMID,
	XFILTER_VIF_A_HANDLE,
	XFILTER_VIF_A_HOOK,
	XFILTER_VIF_A_STATS,
	__XFILTER_VIF_A_LAST
};
#define XFILTER_VIF_A_MAX (__XFILTER_VIF_A_LAST - 1)

enum xfilter_verdict_attr {
	XFILTER_VERDICT_A_UNSPEC,
	XFILTER_VERDICT_A_FLOW_ID,
	XFILTER_VERDICT_A_OWNER,
	XFILTER_VERDICT_A_ACTION,
	__XFILTER_VERDICT_A_LAST
};
#define XFILTER_VERDICT_A_MAX (__XFILTER_VERDICT_A_LAST - 1)

/* What a domain's detector does (XFILTER_DOMAIN_A_DETECT). */
enum xfilter_detect {
	XFILTER_DETECT_OFF,
	XFILTER_DETECT_ALERT,		/* raise alerts */
	XFILTER_DETECT_BLOCK,		/* and insert the suggested rule */
	__XFILTER_DETECT_MAX
};
#define XFILTER_DETECT_MAX (__XFILTER_DETECT_MAX - 1)

/* Which thresholds an alert crossed; same bits as core/detect.h. */
enum xfilter_alert_kind {
	XFILTER_ALERT_PORTSCAN = 1U << 0,	/* distinct ports */
	XFILTER_ALERT_HOSTSCAN = 1U << 1,	/* distinct hosts */
	XFILTER_ALERT_FLOOD = 1U << 2,		/* new flows */
	XFILTER_ALERT_UNATTRIBUTED = 1U << 3,	/* the domain's, no owner */
	XFILTER_ALERT_KIND_ALL = (1U << 4) - 1
};

enum xfilter_alert_response {
	XFILTER_ALERT_ALERTED,		/* mode alert: reported only */
	XFILTER_ALERT_BLOCKING,		/* mode block: rule being inserted */
	XFILTER_ALERT_BLOCKED,		/* mode block: rule inserted */
	XFILTER_ALERT_BLOCK_EXISTS,	/* an equal rule was already there */
	XFILTER_ALERT_BLOCK_FAILED,	/* table full or out of memory */
	__XFILTER_ALERT_RESPONSE_MAX
};

enum xfilter_alert_attr {
	XFILTER_ALERT_A_UNSPEC,
	XFILTER_ALERT_A_ID,
	XFILTER_ALERT_A_DOMID,
	XFILTER_ALERT_A_TIME,
	XFILTER_ALERT_A_KINDS,
	XFILTER_ALERT_A_PORTS,
	XFILTER_ALERT_A_HOSTS,
	XFILTER_ALERT_A_FLOWS,
	XFILTER_ALERT_A_WINDOW_MS,
	XFILTER_ALERT_A_TOTAL,
	XFILTER_ALERT_A_PORT_MIN,
	XFILTER_ALERT_A_PORT_MAX,
	XFILTER_ALERT_A_OWNER,
	XFILTER_ALERT_A_RULE,
	XFILTER_ALERT_A_RESPONSE,
	XFILTER_ALERT_A_PAD,
	__XFILTER_ALERT_A_LAST
};
#define XFILTER_ALERT_A_MAX (__XFILTER_ALERT_A_LAST - 1)

#endif /* _UAPI_LINUX_XFILTER_H */
