#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default trixie
#
# Guest <-> dom0 over the bridge, without xfilter: ICMP both ways, TCP both
# ways, UDP, IPv6. The baseline every later test builds on.
#
#   dom0 (10.0.0.1, fd00::1) ── xenbr0 ── vif<D>.0 ── g1 (10.0.0.2, fd00::2)
. ./lib.sh

g=$(guest_ip g1)
t_ok "dom0 pings g1" ping -c 2 -W 5 "$g"
t_ok "g1 pings dom0" guest g1 "ping -c 2 -W 5 10.0.0.1"
t_ok "dom0 pings g1 over IPv6" ping -6 -c 2 -W 5 fd00::2
t_ok "g1 pings dom0 over IPv6" guest g1 "ping6 -c 2 -W 5 fd00::1"

# TCP, guest -> dom0: a listener in dom0 receives a line sent from g1.
rm -f /tmp/rx1
nc -l 5001 > /tmp/rx1 &
lpid=$!
wait_for 10 sh -c "ss -ltn | grep -q ':5001 '"
t_ok "g1 connects to dom0 over TCP" guest g1 "echo tcp-from-g1 | nc -w 5 10.0.0.1 5001"
wait $lpid 2>/dev/null
t_is "dom0 received g1's bytes" "$(cat /tmp/rx1)" "tcp-from-g1"

# TCP, dom0 -> guest: a listener in g1 receives a line sent from dom0.
guest g1 "nc -l -p 5002 > /tmp/rx2 2>/dev/null &" >/dev/null
g1_listens() { guest g1 'netstat -ltn | grep -q :5002'; }
wait_for 10 g1_listens
t_ok "dom0 connects to g1 over TCP" sh -c "echo tcp-from-dom0 | nc -N -w 5 $g 5002"
g1_got() { guest g1 'grep -q tcp-from-dom0 /tmp/rx2'; }
wait_for 10 g1_got
t_is "g1 received dom0's bytes" "$(guest g1 'cat /tmp/rx2')" "tcp-from-dom0"
# UDP and TCP over IPv6 with xfnet, the lab's static traffic tool.
xfnet udp-echo 5003 > /dev/null &
epid=$!
xfnet tcp-listen 5004 -e > /dev/null &
tpid=$!
wait_for 10 sh -c "ss -lun | grep -q ':5003 ' && ss -ltn | grep -q ':5004 '"
t_ok "g1 UDP to dom0 gets its replies" guest g1 "xfnet udp-send 10.0.0.1 5003 -n 3 -r"
t_ok "g1 UDP over IPv6 gets its replies" guest g1 "xfnet udp-send fd00::1 5003 -n 3 -r"
t_is "g1 TCP over IPv6 is echoed" "$(guest g1 'xfnet tcp-connect fd00::1 5004 -s v6-echo' | head -n1)" "v6-echo"
kill $epid $tpid
t_done
