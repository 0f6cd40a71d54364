#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default trixie
#
# Owner-free rules on a bridged vif: the vif is a port of xenbr0, so its
# rx_handler slot belongs to the bridge and xfilter sits on the netdev
# ingress hook in front of it. The domain is in mode "off" (no verdict
# source): every flow is decided in the kernel by the rules.
#
#   g1 10.0.0.2 fd00::2 ── vif<D>.0 [xfilter: ingress] ── xenbr0 ── dom0 10.0.0.1 fd00::1
#                                                                   listeners: tcp 5010 5011 5012
#                                                                              udp 5013
. ./lib.sh

d=$(guest_domid g1)
vif=vif$d.0
dmesg_mark
xfnet tcp-listen 5010 > /dev/null &
l1=$!
xfnet tcp-listen 5011 > /dev/null &
l2=$!
xfnet tcp-listen 5012 > /dev/null &
l3=$!
xfnet udp-echo 5013 > /dev/null &
l4=$!
cleanup() { kill $l1 $l2 $l3 $l4 2>/dev/null; xf_unload; }
trap cleanup EXIT
wait_for 10 sh -c "ss -ltn | grep -q ':5012 ' && ss -lun | grep -q ':5013 '"

t_ok "insmod xfilter.ko" xf_load
t_ok "domain $d in mode off, policy accept" \
	xfctl domain set "$d" mode off policy accept
t_ok "xfctl vif: $vif (bridge port) uses the ingress hook" \
	sh -c "xfctl vif | grep -E '^$vif +hook ingress'"
t_ok "xfctl -j vif names the hook" \
	sh -c "xfctl -j vif | grep -q '\"ifname\":\"$vif\",\"ifindex\":[0-9]*,\"hook\":\"ingress\"'"

# Destination port.
t_ok "rule: tcp dport 5010 drop" xfctl rule add dom "$d" proto tcp dport 5010 drop
t_ok "g1 -> dom0 tcp/5010 is dropped" \
	guest g1 "! xfnet tcp-connect 10.0.0.1 5010 -t 1500"
t_ok "g1 -> dom0 tcp/5011 is accepted" \
	guest g1 "xfnet tcp-connect 10.0.0.1 5011 -t 3000"
t_ok "g1 -> dom0 tcp/5010 over IPv6 is dropped too" \
	guest g1 "! xfnet tcp-connect fd00::1 5010 -t 1500"
t_ok "rule counters count the drops" \
	sh -c "xfctl -j rule list | grep -q '\"packets\":[1-9]'"
t_ok "del the rule by its match" xfctl rule del dom "$d" proto tcp dport 5010 drop
t_ok "g1 -> dom0 tcp/5010 is accepted again" \
	guest g1 "xfnet tcp-connect 10.0.0.1 5010 -t 3000"

# Destination prefix (IPv4 and IPv6); ARP and neighbour discovery are not
# TCP/UDP to a port, so a port range keeps them out of the way.
t_ok "rule: dst 10.0.0.0/30 dport 5011-5012 drop" \
	xfctl rule add dst 10.0.0.0/30 dport 5011-5012 drop
t_ok "rule: dst fd00::/64 dport 5012 drop" \
	xfctl rule add dst fd00::/64 dport 5012 drop
t_ok "g1 -> 10.0.0.1 tcp/5011 (in the prefix) is dropped" \
	guest g1 "! xfnet tcp-connect 10.0.0.1 5011 -t 1500"
t_ok "g1 -> fd00::1 tcp/5012 (in the v6 prefix) is dropped" \
	guest g1 "! xfnet tcp-connect fd00::1 5012 -t 1500"
t_ok "g1 -> fd00::1 tcp/5011 (v6, port not in the v6 rule) is accepted" \
	guest g1 "xfnet tcp-connect fd00::1 5011 -t 3000"
t_ok "flush rules" xfctl rule flush

# Protocol.
t_ok "rule: proto udp drop" xfctl rule add dom "$d" proto udp drop
t_ok "g1 UDP to dom0 gets no reply" \
	guest g1 "! xfnet udp-send 10.0.0.1 5013 -n 2 -r -t 700"
t_ok "g1 TCP still works" guest g1 "xfnet tcp-connect 10.0.0.1 5011 -t 3000"
t_ok "g1 ping still works" guest g1 "ping -c 1 -W 3 10.0.0.1"
t_ok "rule: proto icmp drop (before the udp one)" \
	xfctl rule add index 0 dom "$d" proto icmp drop
t_ok "g1 ping is dropped" guest g1 "! ping -c 2 -W 1 10.0.0.1"
t_ok "flush rules" xfctl rule flush
t_ok "g1 UDP gets its replies again" \
	guest g1 "xfnet udp-send 10.0.0.1 5013 -n 3 -r -t 2000"
t_ok "g1 ping works again" guest g1 "ping -c 1 -W 3 10.0.0.1"

t_ok "domain counters add up (packets = accepted + dropped + held)" xf_sum_ok "$d"
t_ok "some packets were dropped" sh -c "[ $(xf_dstat "$d" dropped) -gt 0 ]"
t_ok "decided in the kernel, nothing queued" \
	sh -c "[ $(xf_dstat "$d" kernel_verdicts) -gt 0 ] && [ $(xf_dstat "$d" queued) -eq 0 ]"
trap - EXIT
cleanup
t_ok "module unloaded" sh -c "! grep -q '^xfilter ' /proc/modules"
t_ok "$vif is still a port of xenbr0" test -e "/sys/class/net/xenbr0/brif/$vif"
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
