#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default
#
# Owner-free rules on a routed vif, then the handover when it becomes a
# bridge port again. g1's vif is taken out of xenbr0 and routed the way
# Xen's vif-route script does it (dom0's address on the vif, a host route
# to the guest), so its rx_handler slot is free and xfilter takes it.
#
#   g1 10.0.0.2 ── vif<D>.0 [xfilter: rx_handler] ── dom0 routing ── 10.0.0.1 (on xenbr0
#                  10.0.0.1/32, route 10.0.0.2/32        and on the vif)
#   xenbr0 (no port)
#
# At the end the vif rejoins xenbr0 with the module loaded: br_add_if()
# sends NETDEV_JOIN, xfilter moves to the ingress hook and the bridge gets
# the slot.
. ./lib.sh

d=$(guest_domid g1)
vif=vif$d.0
dmesg_mark
xfnet tcp-listen 5110 > /dev/null &
l1=$!
xfnet tcp-listen 5111 > /dev/null &
l2=$!
xfnet udp-echo 5113 > /dev/null &
l3=$!
routed=0
cleanup()
{
	kill $l1 $l2 $l3 2>/dev/null
	if [ $routed = 1 ]; then
		ip route del 10.0.0.2/32 dev "$vif" 2>/dev/null
		ip addr del 10.0.0.1/32 dev "$vif" 2>/dev/null
		[ -e "/sys/class/net/xenbr0/brif/$vif" ] || brctl addif xenbr0 "$vif"
	fi
	xf_unload
	guest g1 "ip neigh flush dev eth0" > /dev/null 2>&1
}
trap cleanup EXIT
wait_for 10 sh -c "ss -ltn | grep -q ':5111 ' && ss -lun | grep -q ':5113 '"

t_ok "take $vif out of xenbr0" dom0 brctl delif xenbr0 "$vif"
routed=1
t_ok "route g1 through $vif" sh -c "ip addr add 10.0.0.1/32 dev $vif &&
	ip route add 10.0.0.2/32 dev $vif src 10.0.0.1"
guest g1 "ip neigh flush dev eth0" > /dev/null 2>&1
t_ok "g1 reaches dom0 over the routed vif (no module)" \
	guest g1 "ping -c 1 -W 5 10.0.0.1"

t_ok "insmod xfilter.ko" xf_load
t_ok "domain $d in mode off, policy accept" \
	xfctl domain set "$d" mode off policy accept
t_ok "xfctl vif: routed $vif uses the rx_handler" \
	sh -c "xfctl vif | grep -E '^$vif +hook rx_handler'"
t_ok "g1 reaches dom0 with the module loaded" guest g1 "ping -c 1 -W 5 10.0.0.1"

t_ok "rule: tcp dport 5110 drop" xfctl rule add dom "$d" proto tcp dport 5110 drop
t_ok "g1 -> tcp/5110 is dropped" guest g1 "! xfnet tcp-connect 10.0.0.1 5110 -t 1500"
t_ok "g1 -> tcp/5111 is accepted" guest g1 "xfnet tcp-connect 10.0.0.1 5111 -t 3000"
t_ok "rule: dst 10.0.0.1/32 proto udp drop" \
	xfctl rule add dst 10.0.0.1/32 proto udp drop
t_ok "g1 UDP to 10.0.0.1 gets no reply" \
	guest g1 "! xfnet udp-send 10.0.0.1 5113 -n 2 -r -t 700"
t_ok "rule: proto icmp drop" xfctl rule add dom "$d" proto icmp drop
t_ok "g1 ping is dropped" guest g1 "! ping -c 2 -W 1 10.0.0.1"
t_ok "flush rules" xfctl rule flush
t_ok "g1 UDP, TCP and ping pass again" guest g1 \
	"xfnet udp-send 10.0.0.1 5113 -n 2 -r -t 2000 && xfnet tcp-connect 10.0.0.1 5110 -t 3000 && ping -c 1 -W 3 10.0.0.1"
t_ok "domain counters add up" xf_sum_ok "$d"
t_ok "rx_handler dropped packets" \
	sh -c "xfctl -j vif | grep '\"ifname\":\"$vif\"' | grep -q '\"dropped\":[1-9]'"

# Back onto the bridge with the module loaded: the handover.
ip route del 10.0.0.2/32 dev "$vif"
ip addr del 10.0.0.1/32 dev "$vif"
t_ok "brctl addif xenbr0 $vif succeeds with xfilter attached" \
	dom0 brctl addif xenbr0 "$vif"
routed=0
guest g1 "ip neigh flush dev eth0" > /dev/null 2>&1
t_ok "xfctl vif: $vif moved to the ingress hook" \
	sh -c "xfctl vif | grep -E '^$vif +hook ingress'"
t_ok "dmesg tells of the move" \
	sh -c "dmesg | tail -n +$((XF_DMESG_MARK + 1)) | grep -q '$vif: xfilter: moved to ingress hook'"
t_ok "rule still applies after the move" \
	sh -c "xfctl rule add dom $d proto tcp dport 5110 drop"
t_ok "g1 -> tcp/5110 over the bridge is dropped" \
	guest g1 "! xfnet tcp-connect 10.0.0.1 5110 -t 1500"
t_ok "g1 -> tcp/5111 over the bridge is accepted" \
	guest g1 "xfnet tcp-connect 10.0.0.1 5111 -t 3000"
trap - EXIT
cleanup
t_ok "module unloaded" sh -c "! grep -q '^xfilter ' /proc/modules"
t_ok "g1 reaches dom0 over the bridge" guest g1 "ping -c 1 -W 5 10.0.0.1"
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
