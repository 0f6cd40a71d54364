#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default trixie
#
# The generic netlink family rejects malformed requests with an extended
# ack naming the problem, and refuses unprivileged callers. xfnl sends raw
# requests that xfctl would never build; xfctl misuse is refused before
# anything is sent. No guest traffic is involved.
#
#   dom0: xfnl bad CASE ──► genl "xfilter" ──► -EINVAL + extack
#         xfctl as user xfuser ──► -EPERM ("CAP_NET_ADMIN is needed")
. ./lib.sh

dmesg_mark
cleanup()
{
	xf_unload
	userdel xfuser 2>/dev/null
}
trap cleanup EXIT
t_ok "insmod xfilter.ko" xf_load

bad()
{
	local out
	out=$(xfnl bad "$1")
	echo "# xfnl bad $1: $out"
	# Rejected, with a non-empty extended ack message.
	echo "$out" | grep -qE '^rejected errno=[0-9]+: .+'
}
t_ok "domain 0 known (for the verdict case)" xfctl domain set 0 mode off
t_ok "DST4 of 3 bytes: rejected with a message" bad dst-len
t_ok "prefix length 33 on an IPv4 address: rejected" bad plen-range
t_ok "action out of range: rejected" bad action-range
t_ok "mode out of range: rejected" bad mode-range
t_ok "unknown rule attribute: rejected" bad unknown-attr
t_ok "port range max below min: rejected" bad port-order
t_ok "rule without an action: rejected" bad no-action
t_ok "verdict without a flow id: rejected" bad verdict-no-flow-id
t_ok "scalar where a nest is due: rejected" bad not-nested
t_ok "counters in a rule add: rejected" bad add-counters
t_is "no rule was added by any of them" "$(xfctl rule list | grep -c .)" 0
t_ok "extack: counters are added with RULE_COUNT only" \
	sh -c "xfnl bad add-counters | grep -q 'counters are added with RULE_COUNT'"
t_ok "a rule to count" xfctl rule add dport 80 drop
t_ok "RULE_COUNT naming a rule by its match: rejected" bad count-match
t_ok "RULE_COUNT of another table generation: rejected (ESTALE)" \
	sh -c "xfnl bad count-stale | grep -q 'errno=116: the rule table changed since that generation'"
t_ok "and the rule's counters did not move" sh -c "xfctl rule list | grep -q ' 0 pkts'"
t_ok "xfctl rule flush" xfctl rule flush
t_ok "extack names the port range problem" \
	sh -c "xfnl bad port-order | grep -q 'port range maximum below its minimum'"
t_ok "extack names the missing action" \
	sh -c "xfnl bad no-action | grep -q 'a rule needs an action'"
t_ok "extack names the missing flow id" \
	sh -c "xfnl bad verdict-no-flow-id | grep -q 'XFILTER_VERDICT_A_FLOW_ID'"

t_ok "xfctl names an unknown rule word" \
	sh -c "xfctl rule add dport 80 frobnicate 2>&1 | grep -q frobnicate"
t_ok "xfctl refuses a bad port" sh -c "! xfctl rule add dport 99999 drop"

# Unprivileged callers: a user made for the test (nobody without useradd).
if command -v useradd > /dev/null && useradd -M -s /bin/sh xfuser 2>/dev/null; then
	AS="su -s /bin/sh xfuser -c"
else
	AS="setpriv --reuid=65534 --regid=65534 --clear-groups sh -c"
fi
refused()
{
	local out
	out=$($AS "$1" 2>&1)
	echo "# as unprivileged: $1: $out"
	echo "$out" | grep -q "$2"
}
t_ok "unprivileged rule add: refused, CAP_NET_ADMIN named" \
	refused "xfctl rule add dport 80 drop" "Operation not permitted (CAP_NET_ADMIN is needed)"
t_is "and nothing changed" "$(xfctl rule list | grep -c .)" 0
t_ok "unprivileged domain set: refused" \
	refused "xfctl domain set default mode off" "CAP_NET_ADMIN is needed"
t_ok "unprivileged flows flush: refused" \
	refused "xfctl flows flush" "CAP_NET_ADMIN is needed"
t_ok "unprivileged restore: refused" \
	refused "echo 'dport 81 drop' | xfctl restore" "CAP_NET_ADMIN is needed"
t_ok "unprivileged caller cannot become the verdict source" \
	refused "xfnl respond" "join batch group: Operation not permitted"
t_ok "unprivileged caller cannot fetch batches" \
	refused "xfnl bad verdict-no-flow-id" "errno=1:"
# Every dump or get shows guest data (pids, uids, exe paths, flows):
# admin only, like the log group.
for c in "rule list" "domain show" "stats" "flows" "vif" "alerts"; do
	t_ok "unprivileged xfctl $c: refused" \
		refused "xfctl $c" "CAP_NET_ADMIN is needed"
done
t_ok "root still reads them" \
	sh -c "xfctl rule list && xfctl domain show && xfctl stats && xfctl flows && xfctl vif && xfctl alerts"
trap - EXIT
cleanup
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
