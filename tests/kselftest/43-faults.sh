#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: stock
#
# Faults under traffic, repeated: the module unloaded and reloaded RELOADS
# times (default 8; make stress: 100) while packets are held for a slow
# verdict source; the daemon killed (-9) and restarted KILLS times
# (default 3; make stress: 30); the vif
# hot-unplugged and re-plugged (xl network-detach / network-attach); the
# guest saved and restored (xl save / xl restore, a new domid) and then
# destroyed, both with packets queued. Each time: no oops or warning, no
# packet left held, the books balance (packets = accepted + dropped + held),
# skbs back to baseline, and the guest's network works again.
#
#   g1: udp-send bursts + ping ── vif<D>.0 [xfilter] ── xenbr0 ── dom0
#            ▲ detach/attach           │ batches
#            └ xl save/restore,        └─► xfnl respond -d 100 / xfilterd (kill -9,
#              xl destroy (last)                                   SIGSTOP)
. ./lib.sh
. ./xfd_lib.sh

RELOADS=${RELOADS:-8}
KILLS=${KILLS:-3}
d=$(guest_domid g1)
dmesg_mark
skbs() { awk '$1 == "skbuff_head_cache" { print $2 }' /proc/slabinfo; }
start_traffic()
{
	guest g1 "(i=0; while :; do i=\$((i + 1)); xfnet udp-send 10.0.0.1 \$((5600 + i % 50)) -n 50 -z 600; usleep 50000; done) > /dev/null 2>&1 & echo \$! > /tmp/traffic.pid
		ping -i 0.05 -c 100000 10.0.0.1 > /dev/null 2>&1 &" > /dev/null
}
stop_traffic()
{
	guest g1 "kill \$(cat /tmp/traffic.pid) 2>/dev/null; killall xfnet ping; true" > /dev/null 2>&1
}
rp=
cleanup()
{
	kill $rp 2>/dev/null
	stop_traffic
	xfd_cleanup
}
trap cleanup EXIT
skb0=$(skbs)
start_traffic

# ---- module unload/reload under traffic ---------------------------------------
ok=0
for i in $(seq "$RELOADS"); do
	insmod /xf/xfilter.ko verdict_timeout_ms=2000 && wait_for 5 xfctl stats || break
	xfctl domain set "$d" mode userland fail accept > /dev/null || break
	xfctl rule add dom "$d" uid 1001 drop > /dev/null || break
	xfnl respond -d 100 > /tmp/resp.log 2>&1 & rp=$!
	wait_for 5 grep -q ready /tmp/resp.log || break
	wait_for 10 sh -c "[ \$(xfctl stats | awk '\$1 == \"queued\" { print \$2 }') -gt 0 ]" || break
	[ $((i % 4)) -eq 0 ] && xfctl flows flush dom "$d"
	rmmod xfilter || break
	kill $rp 2>/dev/null; wait $rp 2>/dev/null; rp=
	ok=$i
done
t_is "module reloaded under traffic with packets queued" "$ok" "$RELOADS"
t_ok "no genetlink family left after the last rmmod" sh -c "! xfnl bad no-action"
t_ok "g1 reaches dom0 after the reloads" guest g1 "ping -c 2 -W 5 10.0.0.1"

# ---- daemon killed and restarted under traffic ----------------------------------
t_ok "xfilterd introspects g1" xfd_setup g1
# A rule that needs an owner: every new flow of g1 goes to xfilterd.
t_ok "rule: dom g1 uid 1001 drop" xfctl rule add dom g1 uid 1001 drop
ok=0
for i in $(seq "$KILLS"); do
	kill -KILL "$XFD_PID"; wait "$XFD_PID" 2>/dev/null; XFD_PID=
	# without a verdict source, held packets get the fail policy at once
	wait_for 15 sh -c "[ \$(xfctl stats | awk '\$1 == \"held\" { print \$2 }') = 0 ]" || break
	xfd_start
	wait_for 240 xfd_ready g1 || break
	ok=$i
done
t_is "xfilterd killed (-9) and restarted under traffic" "$ok" "$KILLS"
t_ok "the restarted xfilterd attributes flows" as alice g1 "xfnet udp-send 10.0.0.1 5999 -n 2"
t_ok "books balance after the kills" xf_sum_ok "$d"

# ---- vif hot-unplug and re-plug ---------------------------------------------------
stop_traffic
mac=$(xl network-list g1 | awk 'NR == 2 { print $3 }')
vifs0=$(xfctl vif 2>/dev/null | grep -c "vif$d\.")
t_ok "xl network-detach g1 0" xl network-detach g1 0
t_ok "the vif is gone from dom0" wait_for 30 sh -c "! ip link show vif$d.0"
t_ok "xfilter let go of it" wait_for 10 sh -c "! xfctl vif | grep -q 'vif$d\.'"
t_ok "xl network-attach g1 (mac $mac)" xl network-attach g1 "mac=$mac" bridge=xenbr0
t_ok "a new vif appears" wait_for 30 sh -c "ip -o link | grep -q 'vif$d\.'"
t_ok "xfilter attached to it" wait_for 10 sh -c "xfctl vif | grep -q 'vif$d\.'"
t_ok "g1's new eth0 has its addresses again" wait_for 30 guest_net_up g1
t_ok "g1 reaches dom0 over the new vif" wait_for 30 guest g1 "ping -c 1 -W 2 10.0.0.1"
t_ok "and over IPv6" wait_for 30 guest g1 "ping6 -c 1 -W 2 fd00::1"
n0=$(xf_dstat "$d" packets)
as mail g1 "xfnet udp-send 10.0.0.1 5998 -n 5" > /dev/null
t_ok "the new vif is hooked: g1's packets are counted again" test "$(xf_dstat "$d" packets)" -gt "$n0"
echo "# vifs: before $vifs0, now: $(xfctl vif | tr '\n' ' ')"

# ---- xl save / restore with packets queued -----------------------------------------
held_gt0() { [ "$(xfctl stats | awk '$1 == "held" { print $2 }')" -gt 0 ]; }
held_0() { [ "$(xfctl stats | awk '$1 == "held" { print $2 }')" = 0 ]; }
start_traffic
xfctl domain set g1 fail drop > /dev/null
kill -STOP "$XFD_PID"
xfctl flows flush dom g1
t_ok "save: packets queued before xl save" wait_for 20 held_gt0
echo "# held before save: $(kstat held)"
# The save image is the guest's whole memory: a tmpfs of its own for it.
mkdir -p /run/xfsave && mount -t tmpfs -o size=400m tmpfs /run/xfsave
t_ok "xl save g1 with packets queued" xl save g1 /run/xfsave/g1.save
t_ok "save: nothing held once the domain is gone" wait_for 10 held_0
kill -CONT "$XFD_PID"
t_ok "xl restore g1" xl restore /run/xfsave/g1.save
umount /run/xfsave
d=$(guest_domid g1)
t_ok "restore: g1 (domid $d) answers on its console" wait_for 60 guest g1 true
t_ok "restore: xfilterd introspects the restored g1" wait_for 240 xfd_ready g1
t_ok "restore: g1 reaches dom0 through the filter" wait_for 30 guest g1 "ping -c 1 -W 2 10.0.0.1"
# The restored guest's traffic loop runs on: stop it, so that no packet is
# between two counters while they are read, then let the last ones settle.
stop_traffic
t_ok "restore: books balance" wait_for 30 xf_sum_ok "$d"

# ---- guest destroyed with packets queued -------------------------------------------
start_traffic
kill -STOP "$XFD_PID"	# verdicts stall: packets stay queued
xfctl flows flush dom g1	# the traffic's flows are new again
t_ok "packets queued before the destroy" wait_for 20 sh -c "[ \$(xfctl stats | awk '\$1 == \"held\" { print \$2 }') -gt 0 ]"
echo "# held before destroy: $(kstat held)"
t_ok "xl destroy g1 with packets queued" guest_down g1
t_ok "nothing held after the destroy" wait_for 10 sh -c "[ \$(xfctl stats | awk '\$1 == \"held\" { print \$2 }') = 0 ]"
kill -CONT "$XFD_PID"
t_ok "xfilterd survived the guest's disappearance" kill -0 "$XFD_PID"
t_ok "xfilterd stops cleanly on SIGTERM" xfd_stop
t_ok "rmmod xfilter" sh -c "xfctl rule flush && rmmod xfilter"
sleep 1
skb1=$(skbs)
echo "# skbuff_head_cache active objects: $skb0 before, $skb1 after"
t_ok "no skb leak (skbuff_head_cache within 300 of the start)" test "$skb1" -le $((skb0 + 300))
t_ok "g1 recreated for the scripts that follow" guest_up g1
trap - EXIT
xfd_cleanup 2>/dev/null
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
