#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rmmod while g1 floods its vif and packets are held for a slow verdict
# source: the module goes cleanly, what it held is freed, the guest keeps
# its network, and a second load/unload cycle works.
#
#   g1: 3 x xfnet udp-send (1200 B) + ping -i 0.01
#      ── vif<D>.0 [xfilter, userland mode, flows held 300 ms] ── xenbr0 ── dom0
#                          xfnl respond -d 300 (verdict source)
. ./lib.sh

d=$(guest_domid g1)
dmesg_mark
skbs() { awk '$1 == "skbuff_head_cache" { print $2 }' /proc/slabinfo; }
stop_flood()
{
	guest g1 "kill \$(cat /tmp/flood.pid) 2>/dev/null; killall xfnet ping; true" > /dev/null 2>&1
}
cleanup()
{
	kill $rp 2>/dev/null
	stop_flood
	xf_unload
}
rp=
trap cleanup EXIT
skb0=$(skbs)

t_ok "insmod xfilter.ko" xf_load verdict_timeout_ms=2000
t_ok "domain $d in mode userland, fail accept" \
	xfctl domain set "$d" mode userland fail accept
t_ok "rule that needs an owner (no flow is decided in the kernel)" \
	xfctl rule add dom "$d" uid 1001 drop
xfnl respond -d 300 > /tmp/resp.log 2>&1 &
rp=$!
t_ok "verdict source present" wait_for 5 grep -q ready /tmp/resp.log
# Bursts of 100 x 1200 B to 50 rotating ports (new flows keep being held)
# and a fast ping; paced so that dom0's single vCPU under TCG keeps up.
guest g1 "(i=0; while :; do i=\$((i + 1)); xfnet udp-send 10.0.0.1 \$((5600 + i % 50)) -n 100 -z 1200; usleep 20000; done) > /dev/null 2>&1 & echo \$! > /tmp/flood.pid
	ping -i 0.01 -c 100000 10.0.0.1 > /dev/null 2>&1 &" > /dev/null
held() { [ "$(xf_dstat "$d" queued)" -gt 50 ] && [ "$(xf_dstat "$d" packets)" -gt 1000 ]; }
t_ok "flood running, packets held" wait_for 20 held
t_ok "new flows keep being held (flush the cache)" xfctl flows flush dom "$d"
xf_dstat "$d" held > /dev/null
t_ok "rmmod under the flood" rmmod xfilter
t_ok "module is gone" sh -c "! grep -q '^xfilter ' /proc/modules"
t_ok "no genetlink family left" sh -c "! xfnl bad no-action"
t_ok "g1 still reaches dom0 during the flood" guest g1 "ping -c 2 -W 5 10.0.0.1"
t_ok "load again under the flood" xf_load
t_ok "domain $d in mode off" xfctl domain set "$d" mode off
held2() { [ "$(xf_dstat "$d" packets)" -gt 500 ]; }
t_ok "the reloaded module sees the flood" wait_for 10 held2
kill $rp 2>/dev/null; rp=
stop_flood
sleep 1
t_ok "counters add up once the flood stopped" xf_sum_ok "$d"
t_ok "rmmod again" rmmod xfilter
skb1=$(skbs)
echo "# skbuff_head_cache active objects: $skb0 before, $skb1 after"
t_ok "no skb leak (skbuff_head_cache within 300 of the start)" \
	test "$skb1" -le $((skb0 + 300))
t_ok "g1 reaches dom0" guest g1 "ping -c 1 -W 5 10.0.0.1"
trap - EXIT
cleanup
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
