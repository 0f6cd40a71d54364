#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The packets all domains hold together stay within held_bytes_max, however
# much room each domain's own queue (queue_bytes, 4 MiB) has left: N guests
# cannot pin N times queue_bytes of dom0's memory. The verdict source never
# answers (xfnl respond -n), g1 fills the global bound, and g2's packets,
# with an empty queue of its own, get the fail policy at once (overflow).
# Unloading with packets held finds every held byte accounted for (the
# module warns otherwise, which dmesg_clean catches).
#
#   g1 10.0.0.2 ── vif<D1>.0 [hold] ─┐
#                                    ├─ xenbr0 ── dom0 10.0.0.1:5450 (no listener)
#   g2 10.0.0.3 ── vif<D2>.0 [hold] ─┘        │ BATCH_NOTIFY
#                                              ▼
#                                   xfnl respond -n (never answers)
. ./lib.sh

if ! guest_domid g2 > /dev/null; then
	t_skip "held bytes of all domains" "g2 is not up (run the lab with --guests \"g1 g2\")"
	t_done
	exit 0
fi
d1=$(guest_domid g1) d2=$(guest_domid g2)
BOUND=20000	# bytes: 19 datagrams of 1028 B (IP length) fit, not 20
dmesg_mark
rp=
cleanup()
{
	kill $rp 2>/dev/null
	xf_unload
}
trap cleanup EXIT

t_ok "insmod xfilter.ko held_bytes_max=$BOUND verdict_timeout_ms=60000" \
	xf_load held_bytes_max=$BOUND verdict_timeout_ms=60000
for d in "$d1" "$d2"; do
	t_ok "domain $d in mode userland, fail drop, a rule that needs an owner" \
		sh -c "xfctl domain set $d mode userland fail drop &&
		       xfctl rule add dom $d uid 1001 proto udp dport 5450 drop"
done
xfnl respond -n > /tmp/xfnl45.log 2>&1 &
rp=$!
t_ok "verdict source present, never answering" wait_for 10 grep -q ready /tmp/xfnl45.log

# sent DOMID: packets of the domain that were held or overflowed
sent() { echo $(($(xf_dstat "$1" queued) + $(xf_dstat "$1" overflow))); }
sent_ge() { [ "$(sent "$1")" -ge "$2" ]; }
# held5450 [dom D]: packets held by the 5450 flows (of both guests, or of D)
held5450() { xf_flows "$@" | grep '"dport":5450,' | grep -o '"held":[0-9]*' | cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }'; }

t_ok "g1 sends 30 datagrams of 1000 B to dom0:5450" \
	guest g1 "xfnet udp-send 10.0.0.1 5450 -n 30 -z 1000"
t_ok "all 30 reached the hook (held or overflow)" wait_for 30 sent_ge "$d1" 30
h1=$(held5450)
t_ok "g1 holds what fits the bound ($h1 datagrams: 1..19)" test "$h1" -ge 1 -a "$h1" -le 19
t_ok "the rest of g1's overflowed" test "$(xf_dstat "$d1" overflow)" -ge $((30 - h1))
t_ok "g2 sends 30 datagrams of 1000 B to dom0:5450" \
	guest g2 "xfnet udp-send 10.0.0.1 5450 -n 30 -z 1000"
t_ok "all 30 reached the hook (held or overflow)" wait_for 30 sent_ge "$d2" 30
t_is "g2's own queue had room, the global bound did not: 0 of its held" \
	"$(held5450 dom "$d2")" 0
t_ok "g2's 30 overflowed" test "$(xf_dstat "$d2" overflow)" -ge 30
t_ok "both guests together still hold at most 19" test "$(held5450)" -le 19
t_ok "rmmod with packets held" xf_unload
trap - EXIT
kill $rp 2>/dev/null
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
