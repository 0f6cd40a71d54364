#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: stock
#
# Mirror rules: the packets g1 sends in matching flows are copied to a
# device in dom0 (an IDS would listen there) without changing their
# verdict, cached flows included; copies are rate-bounded with counted
# drops; the device may go away and come back under the rule.
#
#   g1 ── vif<D>.0 [xfilter] ── xenbr0 ── dom0: xfnet udp-echo 5555, tcp-listen 25
#               │ mirror (clone)
#               └──► xfids0 (dummy) ◄── tcpdump counts the copies
. ./lib.sh

export PATH=/xf/bin:$PATH
D=$(guest_domid g1)
CAP=/tmp/cap52.txt
trap 'kill $L1 $L2 $TD 2>/dev/null; ip link del xfids0 2>/dev/null; xf_unload' EXIT
xfnet udp-echo 5555 > /dev/null 2>&1 & L1=$!
xfnet tcp-listen 25 > /dev/null 2>&1 & L2=$!
dmesg_mark

cap_start()
{
	: > $CAP
	tcpdump -i xfids0 -n -l -q "$1" > $CAP 2> $CAP.err & TD=$!
	wait_for 10 grep -q "listening on" $CAP.err
}
cap_stop() { sleep 1; kill $TD 2>/dev/null; wait $TD 2>/dev/null; TD=; }
cap_count() { grep -c "$1" $CAP; }
# g1_has PATTERN CMD: CMD's output in g1 matches PATTERN
g1_has() { out=$(guest g1 "$2"); echo "# $out" >&2; echo "$out" | grep -q -- "$1"; }
mstat() { xfctl rule list | grep "mirror xfids0" | head -n1 | sed -n "s/.* $1 \([0-9]*\).*/\1/p"; }

t_ok "load xfilter.ko (no verdict source: owner-free rules only)" xf_load
t_ok "dummy device xfids0 in dom0" sh -c "ip link add xfids0 type dummy && ip link set xfids0 up"
t_ok "a mirror rule needs an existing device" \
	sh -c "! xfctl rule add dom g1 proto udp mirror nosuchdev 2>/tmp/e && grep -q 'no such network device' /tmp/e"
t_ok "a mirror rule needs a device name" sh -c "! xfctl rule add dom g1 mirror 2>/dev/null"
t_ok "rule: dom g1 proto udp dport 5550-5559 mirror xfids0" \
	xfctl rule add dom g1 proto udp dport 5550-5559 mirror xfids0
t_ok "rule: dom g1 proto udp dport 5556 drop" xfctl rule add dom g1 proto udp dport 5556 drop
t_ok "rule: dom g1 proto tcp dport 25 mirror xfids0" xfctl rule add dom g1 proto tcp dport 25 mirror xfids0
t_ok "xfctl rule list shows the mirror rules" \
	sh -c "xfctl rule list | grep -q 'dom $D proto udp dport 5550-5559 mirror xfids0 .*copies 0 drops 0'"

cap_start "udp or tcp"
t_ok "g1's 20 UDP packets to 5555 are answered (verdict accept unchanged)" \
	g1_has replies=20 "xfnet udp-send 10.0.0.1 5555 -n 20 -r -t 3000"
t_ok "g1's UDP to 5556 is still dropped by the next rule" \
	g1_has replies=0 "xfnet udp-send 10.0.0.1 5556 -n 5 -r -t 500"
t_ok "g1's TCP to dom0:25 still connects" guest g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 -t 3000"
cap_stop
n5555=$(cap_count "10.0.0.2.[0-9]* > 10.0.0.1.5555")
n5556=$(cap_count "10.0.0.2.[0-9]* > 10.0.0.1.5556")
n25=$(cap_count "10.0.0.2.[0-9]* > 10.0.0.1.25:")
echo "# captured on xfids0: $n5555 to 5555, $n5556 to 5556, $n25 TCP to 25"
t_is "all 20 guest-sent packets to 5555 were copied (19 from the cache)" "$n5555" 20
t_is "the 5 dropped packets to 5556 were copied too" "$n5556" 5
t_ok "the TCP flows to 25 were copied (>= 3 SYNs and their ACKs)" test "$n25" -ge 6
t_is "no dom0 answer is copied (guest-sent only)" "$(cap_count '10.0.0.1.[0-9]* > 10.0.0.2')" 0
t_is "the rule's counter says 25 UDP copies plus TCP" "$(mstat copies)" "$((n5555 + n5556 + n25))"
t_is "the 5555 flow was cached" "$(xf_flows | grep '"dport":5555' | grep -c '"state":"cached"')" 1

# Bounded: 50 copies per second, a burst of 5000 packets is mostly dropped.
echo 50 > /sys/module/xfilter/parameters/mirror_pps
c0=$(mstat copies)
d0=$(mstat drops)
p0=$(xf_dstat "$D" packets)
cap_start "udp port 5555"
t0=$(date +%s)
guest g1 "xfnet udp-send 10.0.0.1 5555 -n 3000 -z 64" > /dev/null
secs=$(($(date +%s) - t0 + 1))
cap_stop
c=$(($(mstat copies) - c0))
d=$(($(mstat drops) - d0))
p=$(($(xf_dstat "$D" packets) - p0))
n=$(cap_count "> 10.0.0.1.5555")
echo "# burst: $p packets at the hook in <= $secs s, $c copies, $d drops over the rate, $n captured"
t_ok "copies were bounded (<= 50/s over $secs s + burst)" test "$c" -le $((50 * secs + 10))
t_ok "the rest was counted as drops" test "$d" -gt 0
t_ok "copies + drops = the burst's packets at the hook ($p, give or take ARP)" \
	test "$((c + d))" -le "$p" -a "$((c + d))" -ge "$((p - 10))"
t_is "the capture saw exactly the copies" "$n" "$c"
echo 20000 > /sys/module/xfilter/parameters/mirror_pps

# The device goes (the module's reference must not block it) and comes back.
t_ok "ip link del xfids0 completes with the rule in place" timeout 10 ip link del xfids0
t_ok "g1's UDP to 5555 flows without the device" \
	g1_has replies=3 "xfnet udp-send 10.0.0.1 5555 -n 3 -r -t 3000"
t_ok "the rule counts the copies it could not send" test "$(mstat errors)" -ge 3
t_ok "a new xfids0" sh -c "ip link add xfids0 type dummy && ip link set xfids0 up"
cap_start "udp port 5555"
guest g1 "xfnet udp-send 10.0.0.1 5555 -n 4 -r -t 3000" > /dev/null
cap_stop
t_is "copies go to the new device" "$(cap_count '> 10.0.0.1.5555')" 4
t_ok "xfctl save writes the mirror rule, restore reads it back" \
	sh -c "xfctl save > /tmp/r52 && grep -q 'mirror xfids0' /tmp/r52 && xfctl restore /tmp/r52 &&
	       xfctl rule list | grep -q 'dport 5550-5559 mirror xfids0'"
t_ok "unload with the rules and the device in place" xf_unload
t_ok "the device is still there and deletable" ip link del xfids0
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
