#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default trixie
#
# New flows one after another, in mode userland: each finds the source
# idle and goes at once in a batch of its own, whose notice carries it.
#
#   g1 mail: xfnet tcp-connect 10.0.0.1 25 -n 60 (one at a time)
#        │
#   vif ──► xfilter.ko ── BATCH_NOTIFY (batch id, the flow) ──► xfilterd
#        ▲                                                          │
#        └── re-injected ◄── VERDICT (uid 8: the rule does not match)┘
#
# Counted from xfilterd.stats, not timed: its rounds fetch (BATCH_GET) no
# batch that is not there. Before, it fetched once more after every batch
# it served, to learn that there was no other: one wasted round trip per
# new flow. Now a domain stays in the round only while a notice told of a
# batch not served yet; a batch that timed out meanwhile may still cost
# one such fetch, so the module's fail_timeout count is the bound. Sweeps
# (every domain, once a second) are counted apart.
. ./lib.sh
XF_MODE=userland
. ./xfd_lib.sh

N=60
trap 'kill $L1 2>/dev/null; xfd_cleanup' EXIT
xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!

# Field $1 of the "fetches" line: 1 fetches, 2 empty (in rounds).
fetches()
{
	sed -n "s/^fetches \([0-9]*\) empty=\([0-9]*\) .*/\\$1/p" "$XFD_STATS"
}

t_ok "xfilterd introspects g1" xfd_setup g1
t_ok "rule: dom g1 uid 1001 dport 25 drop (every flow to 25 needs its owner)" \
	xfctl rule add dom g1 uid 1001 dport 25 drop
f0=$(dstat g1 flows)
e0=$(fetches 2)
t0=$(xf_dstat "$(guest_domid g1)" fail_timeout)
t_ok "the stats show the fetches of rounds and sweeps" test -n "$e0"

t_ok "mail makes $N connections to dom0:25, one after another" \
	out_has "ok=$N" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n $N -t 5000"
served() { [ "$(dstat g1 flows)" -ge $((f0 + N)) ]; }
t_ok "xfilterd served all $N flows" wait_for 60 served
# This file was written after the last batch was served: the fetches the
# old code made after each of the others are in it.
empty=$(($(fetches 2) - e0))
timeouts=$(($(xf_dstat "$(guest_domid g1)" fail_timeout) - t0))
echo "# $(grep '^fetches' "$XFD_STATS"); timed out: $timeouts"
t_ok "rounds found no batch missing $empty times, timeouts $timeouts (at most that)" \
	test "$empty" -le "$timeouts"
t_ok "delete the rule" xfctl rule del dom g1 uid 1001 dport 25 drop
t_done
