#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default
#
# The verdict cache in userland mode: a connection is inspected once, on
# its SYN, and every later packet is a cache hit; a rule added while
# connections are open invalidates their cached verdicts, so an intruder's
# established connection is cut, while others' connections go on.
#
#   g1: mail, alice, bob ── vif<D>.0 [xfilter + cache] ── dom0 xfnet tcp-listen 25 -e
. ./lib.sh
. ./xfd_lib.sh

trap 'kill $L1 2>/dev/null; xfd_cleanup' EXIT
xfnet tcp-listen 25 -e > /dev/null 2>&1 & L1=$!
dmesg_mark

t_ok "xfilterd introspects g1" xfd_setup g1
# Any owner rule for port 25 makes every port-25 flow of g1 need an owner.
t_ok "rule: dom g1 uid 1002 dport 25 drop" xfctl rule add dom g1 uid 1002 dport 25 drop

v0=$(kstat source_verdicts) h0=$(kstat cache_hits) f0=$(src_stat g1 flows)
t_ok "mail: 5 connections, each sending a line and reading the echo" \
	out_has "ok=5" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 5 -s hello-from-mail -t 3000"
v1=$(kstat source_verdicts) h1=$(kstat cache_hits)
t_is "the module asked its $XF_MODE source once per connection" "$((v1 - v0))" 5
# xfilterd's status file follows its batches at most every half second
# (its main loop's pace: slower under TCG); more than 5 still fails.
flows_counted() { [ "$(($(src_stat g1 flows) - f0))" -ge 5 ]; }
wait_for 30 flows_counted
f1=$(src_stat g1 flows)
t_is "the $XF_MODE source inspected 5 flows" "$((f1 - f0))" 5
t_ok "later packets were cache hits ($((h1 - h0)) hits)" test "$((h1 - h0))" -ge 10

# Long connections: a line now, another once the rule is in (/tmp/go:
# under TCG a fixed sleep can run out before the rule is added).
guest g1 "rm -f /tmp/go" > /dev/null
for u in alice mail; do
	guest g1 "su -s /bin/sh $u -c '(echo one-$u; while [ ! -e /tmp/go ]; do sleep 1; done; echo two-$u; sleep 5) | nc 10.0.0.1 25 > /tmp/nc-$u.out 2>&1' > /dev/null 2>&1 &" > /dev/null
done
t_ok "alice's and mail's first lines were echoed" \
	wait_for 30 guest g1 "grep -q one-alice /tmp/nc-alice.out && grep -q one-mail /tmp/nc-mail.out"
v2=$(kstat source_verdicts)
t_ok "rule: dom g1 uid 1001 dport 25 drop (while both are connected)" \
	xfctl rule add dom g1 uid 1001 dport 25 drop
sleep 1
t_ok "both send their second line now" guest g1 "touch /tmp/go"
t_ok "mail's second line still comes back" \
	wait_for 45 guest g1 "grep -q two-mail /tmp/nc-mail.out"
sleep 3
t_ok "alice's second line is dropped: her cached verdict was invalidated" \
	fails guest g1 "grep -q two-alice /tmp/nc-alice.out"
t_ok "the established flows were decided again after the rule change" \
	test "$(kstat source_verdicts)" -gt "$v2"
t_ok "new connections of alice are dropped" \
	out_has "filtered=2" alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 -t 1500"
t_ok "delete alice's rule" xfctl rule del dom g1 uid 1001 dport 25 drop
t_ok "alice connects again" out_has "ok=2" alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 -t 3000"
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
