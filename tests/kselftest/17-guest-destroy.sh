#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A guest destroyed while xfilter holds its packets: the vif goes away
# without waiting for verdicts, the held packets (and any guest pages they
# referenced) are freed, the domain's counters still add up, nothing
# oopses. Also covers the queue bound: past queue_packets, new packets get
# the fail policy (accept here) and count as overflow. g1 is recreated at
# the end for the scripts that follow.
#
#   g1: xfnet udp-send 300 x 1400 B ── vif<D>.0 [xfilter: held, queue 200] ── xenbr0
#                               xfnl respond -n (present, never answers)
#   then: xl destroy g1
. ./lib.sh

d=$(guest_domid g1)
vif=vif$d.0
dmesg_mark
cleanup()
{
	kill $rp 2>/dev/null
	xf_unload
	xl domid g1 > /dev/null 2>&1 || guest_up g1
}
rp=
trap cleanup EXIT

t_ok "insmod xfilter.ko queue_packets=200 verdict_timeout_ms=60000" \
	xf_load queue_packets=200 verdict_timeout_ms=60000
t_ok "domain $d in mode userland, fail accept" \
	xfctl domain set "$d" mode userland fail accept
t_ok "rule that needs an owner (no flow is decided in the kernel)" \
	xfctl rule add dom "$d" uid 1001 drop
xfnl respond -n > /tmp/resp.log 2>&1 &
rp=$!
t_ok "verdict source present (never answers)" wait_for 5 grep -q ready /tmp/resp.log
t_ok "g1 sends 300 datagrams of one flow" \
	guest g1 "xfnet udp-send 10.0.0.1 5710 -n 300 -z 1400; true"
t_ok "g1 opens a TCP connection (its SYN is held)" \
	guest g1 "xfnet tcp-connect 10.0.0.1 5711 -t 30000 > /dev/null 2>&1 &"
held() { [ "$(xf_dstat "$d" held)" -ge 200 ]; }
t_ok "200 packets held (the bound)" wait_for 10 held
t_ok "the rest overflowed to the fail policy" \
	sh -c "[ $(xf_dstat "$d" overflow) -ge 90 ]"
t_ok "flows shown as pending" \
	sh -c "xfctl -j flows dom $d | grep -q '\"state\":\"pending\"'"
t_ok "counters add up with packets held" wait_for 3 xf_sum_ok "$d"
h=$(xf_dstat "$d" held)

t0=$(date +%s)
t_ok "xl destroy g1 with $h packets held" dom0 xl destroy g1
t_ok "g1 is gone" wait_for 30 sh -c "! xl domid g1"
t_ok "its vif is gone" wait_for 10 sh -c "! test -e /sys/class/net/$vif"
echo "# destroy took $(( $(date +%s) - t0 )) s"
t_is "nothing held for the dead domain" "$(xf_dstat "$d" held)" 0
t_ok "held packets were dropped" sh -c "[ $(xf_dstat "$d" dropped) -ge $h ]"
t_ok "counters still add up" xf_sum_ok "$d"
t_ok "$vif detached" \
	sh -c "dmesg | tail -n +$((XF_DMESG_MARK + 1)) | grep -q '$vif.*xfilter: detached'"
kill $rp; rp=
t_ok "rmmod" xf_unload
t_ok "g1 boots again" guest_up g1
t_ok "new g1 reaches dom0" guest g1 "ping -c 1 -W 5 10.0.0.1"
trap - EXIT
cleanup
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
