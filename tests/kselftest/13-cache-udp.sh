#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# UDP pseudo-sessions: cached on the first datagram, kept alive by traffic,
# forgotten after udp_timeout idle seconds (20 s here, a module parameter:
# long enough for a few commands' round trips through a slow, loaded TCG
# guest; 5 s was not, once).
#
#   g1 10.0.0.2 ── vif<D>.0 [xfilter, mode off, udp_timeout=20] ── xenbr0 ── dom0 10.0.0.1
#     xfnet udp-send -> 5310, 5311                                          (no listener needed)
. ./lib.sh

d=$(guest_domid g1)
dmesg_mark
cleanup() { xf_unload; }
trap cleanup EXIT
has() { xf_flows dom "$d" | grep -q "\"proto\":\"udp\",.*\"dport\":$1,"; }
gone() { ! has "$1"; }
xf_reload() { xf_unload && xf_load "$@"; }

t_ok "insmod xfilter.ko udp_timeout=20" xf_load udp_timeout=20
t_ok "domain $d in mode off" xfctl domain set "$d" mode off policy accept
t_ok "g1 sends one datagram to 5310" guest g1 "xfnet udp-send 10.0.0.1 5310 -n 1"
# One read for both checks: the entry cannot expire between them.
e=$(xf_flows dom "$d" | grep "\"proto\":\"udp\",.*\"dport\":5310," | grep -o '"expires_ms":[0-9]*' | cut -d: -f2)
t_ok "pseudo-session cached" test -n "$e"
t_ok "idle time left <= 20000 ms ($e)" test "${e:-99999}" -le 20000
t_ok "expired after 20 s idle" wait_for 60 gone 5310
# A hit pushes the idle deadline back, shown by events, not by timing: the
# same flow (fixed source port 40311) is hit again once its idle time has
# visibly counted down, and its time left is then higher than before the
# hit. That it is the same entry refreshed, not a new one after expiry, is
# shown by the domain's miss counter, which the hit leaves unchanged (g1's
# IPv6 is off meanwhile: neighbour discovery would be misses too). A long
# udp_timeout (120 s, hit after 30 s) leaves room for a slow guest.
left() { xf_flows dom "$d" | grep '"dport":5311,' | grep -o '"expires_ms":[0-9]*' | cut -d: -f2; }
below() { e=$(left); [ -n "$e" ] && [ "$e" -lt "$1" ]; }
# Disabling IPv6 drops eth0's addresses: guest_net_up puts them back after.
guest g1 "sysctl -w net.ipv6.conf.eth0.disable_ipv6=1 > /dev/null" > /dev/null
# Refreshed: read once below 50 s left, hit, read again; the second read
# is above the first unless the hit and that read take 10 s.
t_ok "udp_timeout=60 for the refresh check" xf_reload udp_timeout=60
t_ok "domain $d in mode off" xfctl domain set "$d" mode off policy accept
t_ok "g1 sends one datagram to 5311 from port 40311" \
	guest g1 "xfnet udp-send 10.0.0.1 5311 -n 1 -b 40311"
t_ok "pseudo-session cached" has 5311
t_ok "its idle time counts down (below 50 s left)" wait_for 60 below 50000
e1=$(left) m1=$(xf_dstat "$d" cache_misses)
t_ok "g1 hits the same flow again" \
	guest g1 "xfnet udp-send 10.0.0.1 5311 -n 1 -b 40311"
e2=$(left) m2=$(xf_dstat "$d" cache_misses)
t_ok "the hit refreshed its idle time ($e1 ms before, ${e2:-none} after)" \
	test "${e2:-0}" -gt "${e1:-99999}"
t_is "the same entry: no new miss" "$m2" "$m1"
guest g1 "sysctl -w net.ipv6.conf.eth0.disable_ipv6=0 > /dev/null" > /dev/null
t_ok "g1 has its IPv6 address back" guest_net_up g1
t_ok "g1 reaches dom0 over IPv6 again" wait_for 30 guest g1 "ping6 -c 1 -W 2 fd00::1"
t_ok "udp_timeout=5 again" xf_reload udp_timeout=5
t_ok "domain $d in mode off" xfctl domain set "$d" mode off policy accept
m0=$(xf_dstat "$d" cache_misses)
guest g1 "xfnet udp-send 10.0.0.1 5310 -n 1" > /dev/null
t_ok "an expired session is decided again (a miss)" \
	sh -c "[ $(xf_dstat "$d" cache_misses) -gt $m0 ]"
t_ok "domain counters add up" xf_sum_ok "$d"
trap - EXIT
cleanup
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
