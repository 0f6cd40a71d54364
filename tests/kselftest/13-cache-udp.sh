#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# UDP pseudo-sessions: cached on the first datagram, kept alive by traffic,
# forgotten after udp_timeout idle seconds (5 s here, a module parameter:
# long enough for a command's round trip through a slow TCG guest).
#
#   g1 10.0.0.2 ── vif<D>.0 [xfilter, mode off, udp_timeout=5] ── xenbr0 ── dom0 10.0.0.1
#     xfnet udp-send -> 5310, 5311                                          (no listener needed)
. ./lib.sh

d=$(guest_domid g1)
dmesg_mark
cleanup() { xf_unload; }
trap cleanup EXIT
has() { xf_flows dom "$d" | grep -q "\"proto\":17,.*\"dport\":$1,"; }
gone() { ! has "$1"; }

t_ok "insmod xfilter.ko udp_timeout=5" xf_load udp_timeout=5
t_ok "domain $d in mode off" xfctl domain set "$d" mode off policy accept
t_ok "g1 sends one datagram to 5310" guest g1 "xfnet udp-send 10.0.0.1 5310 -n 1"
t_ok "pseudo-session cached" has 5310
e=$(xf_flows dom "$d" | grep '"dport":5310,' | grep -o '"expires_ms":[0-9]*' | cut -d: -f2)
t_ok "idle time left <= 5000 ms ($e)" test "${e:-99999}" -le 5000
t_ok "expired after 5 s idle" wait_for 12 gone 5310
# One socket, so one flow: a datagram every 0.5 s for 15 s.
guest g1 "xfnet udp-send 10.0.0.1 5311 -n 30 -i 500 > /dev/null 2>&1 &" > /dev/null
t_ok "g1 keeps 5311 busy (a datagram every 0.5 s)" wait_for 10 has 5311
# Every hit pushes the idle deadline back: sampled over 7 s, the time left
# never drops far below udp_timeout (a session that was not refreshed would
# count down to 0, expire and be decided again). Other guest traffic (IPv6
# neighbour discovery) makes the domain's miss counter useless here.
left_min=99999
for i in 1 2 3 4 5 6 7; do
	sleep 1
	e=$(xf_flows dom "$d" | grep '"dport":5311,' | grep -o '"expires_ms":[0-9]*' | cut -d: -f2)
	[ "${e:-0}" -lt "$left_min" ] && left_min=${e:-0}
done
t_ok "busy pseudo-session still cached after 7 s > udp_timeout" has 5311
t_ok "its idle time was refreshed by every hit (lowest seen: $left_min ms of 5000)" \
	test "$left_min" -ge 3000
t_ok "then expires too" wait_for 30 gone 5311
m0=$(xf_dstat "$d" cache_misses)
guest g1 "xfnet udp-send 10.0.0.1 5310 -n 1" > /dev/null
t_ok "an expired session is decided again (a miss)" \
	sh -c "[ $(xf_dstat "$d" cache_misses) -gt $m0 ]"
t_ok "domain counters add up" xf_sum_ok "$d"
trap - EXIT
cleanup
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
