#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default
#
# The verdict cache follows TCP: an entry appears with the guest's SYN,
# lives (long idle timeout) while the connection is open, starts a short
# linger at the guest's FIN and dies at once on the guest's RST.
#
#   g1 10.0.0.2 ── vif<D>.0 [xfilter, mode off] ── xenbr0 ── dom0 10.0.0.1
#     xfnet tcp-connect -H, killed: FIN               xfnet tcp-listen 5210
#     xfnet tcp-connect -H, killed with unread data:  nc -l 5211 < 64 KiB
#       RST
#     xfnet tcp-connect to a closed port (SYN only)   nothing on 5219
. ./lib.sh

d=$(guest_domid g1)
dmesg_mark
xfnet tcp-listen 5210 > /dev/null &
l1=$!
head -c 65536 /dev/zero > /tmp/blob
nc -l 5211 < /tmp/blob > /dev/null 2>&1 &
l2=$!
cleanup() { kill $l1 $l2 2>/dev/null; rm -f /tmp/blob; xf_unload; }
trap cleanup EXIT
wait_for 10 sh -c "ss -ltn | grep -q ':5210 ' && ss -ltn | grep -q ':5211 '"

flow() { xf_flows dom "$d" | grep "\"proto\":\"tcp\",.*\"dport\":$1,"; }
expires() { flow "$1" | grep -o '"expires_ms":[0-9]*' | cut -d: -f2; }
gone() { ! xf_flows dom "$d" | grep -q "\"dport\":$1,"; }
open_accepted() { flow "$1" | grep -q '"state":"cached","action":"accept"'; }
lingering() { e=$(expires "$1"); [ -n "$e" ] && [ "$e" -le 8000 ]; }

t_ok "insmod xfilter.ko tcp_linger_ms=8000" xf_load tcp_linger_ms=8000
t_ok "domain $d in mode off" xfctl domain set "$d" mode off policy accept

t_ok "g1 SYN to a closed port (refused)" \
	guest g1 "xfnet tcp-connect 10.0.0.1 5219 -t 2000 | grep -q refused=1"
t_ok "entry created on the SYN" flow 5219

guest g1 "xfnet tcp-connect 10.0.0.1 5210 -H 60 > /tmp/c1 2>&1 &" > /dev/null
t_ok "open connection: entry cached, accepted" \
	wait_for 5 open_accepted 5210
e=$(expires 5210)
t_ok "open connection: long idle timeout ($e ms)" test "${e:-0}" -gt 100000
guest g1 "killall xfnet" > /dev/null
t_ok "after the guest's FIN: lingering (<= 8000 ms)" \
	wait_for 6 lingering 5210
t_ok "after the linger: entry gone" wait_for 15 gone 5210

guest g1 "xfnet tcp-connect 10.0.0.1 5211 -H 60 > /tmp/c2 2>&1 &" > /dev/null
t_ok "second connection cached" wait_for 5 flow 5211
guest g1 "sleep 1; killall xfnet" > /dev/null
t_ok "g1 closes with unread data (RST): entry gone before any linger" \
	wait_for 4 gone 5211
t_ok "cache hits counted" sh -c "[ $(xf_dstat "$d" cache_hits) -gt 0 ]"
t_ok "domain counters add up" xf_sum_ok "$d"
trap - EXIT
cleanup
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
