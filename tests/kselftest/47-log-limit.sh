#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default
#
# Log messages are bounded per domain: a guest that makes thousands of
# logged flows a second while a monitor listens gets at most log_rate
# messages a second (each sized to its content), the rest are counted as
# log_suppressed and their number reaches the monitor with the domain's
# next message ("suppressed N"). Every logged flow is accounted for: a
# monitor line, or suppressed, or failed (no memory, or the monitor's
# receive buffer full). Counted, not timed: the flows are counted by the
# rule (one datagram each, every one a new flow), so that other traffic of
# g1 (an earlier test's connections closing) does not enter the books.
#
#   g1 10.0.0.2 xfflood udp ── vif<D>.0 [xfilter: rule "log"] ── xenbr0 ── dom0
#                                         │ XFILTER_CMD_LOG (at most RATE/s)
#                                         ▼
#                                   xfctl monitor D
. ./lib.sh
. ./xfd_lib.sh	# rule_pkts

d=$(guest_domid g1)
RATE=20
P=/sys/module/xfilter/parameters
MON=/tmp/mon47.log
mon=
dmesg_mark
cleanup()
{
	kill $mon 2>/dev/null
	xf_unload
}
trap cleanup EXIT

t_ok "insmod xfilter.ko" xf_load
t_ok "log_rate=$RATE" sh -c "echo $RATE > $P/log_rate"
t_ok "a rule logs (and accepts) g1's UDP flows to dom0:20000-59999" \
	xfctl rule add dom "$d" proto udp dport 20000-59999 log
xfctl monitor "$d" > $MON 2>&1 &
mon=$!
# Ports: 59999 readiness probes (not counted), 59998 later probes, the
# flood 20000-59997 in turn (it does not wrap in 5 s). A probe is one
# datagram from a new socket: a new flow.
logged() { rule_pkts "dport 20000-59999"; }
probe() { guest g1 "xfnet udp-send 10.0.0.1 $1 -n 1" > /dev/null; }
R=0	# readiness probes sent
ready()
{
	grep -q "^dom $d udp .*:59999 " $MON && return 0
	probe 59999
	R=$((R + 1))
	return 1
}
t_ok "the monitor listens (a probe flow is shown)" wait_for 60 ready
made0=$(logged)
guest g1 "xfflood udp 10.0.0.1 20000-59997 5" | sed 's/^/# /'
made=$(($(logged) - made0))
t_ok "g1 made thousands of logged flows ($made)" test "$made" -ge 1000
t_ok "most of their messages were suppressed ($(xf_dstat "$d" log_suppressed))" \
	test "$(xf_dstat "$d" log_suppressed)" -ge $((made / 2))

# After the flood, new flows until a line reports the suppressed ones.
reported() { grep -q " suppressed [0-9]*$" $MON; }
n=0
while ! reported && [ $n -lt 30 ]; do
	probe 59998
	n=$((n + 1))
done
t_ok "the monitor was told how many were left out (suppressed N)" reported
sum=$(sed -n 's/.* suppressed \([0-9]*\)$/\1/p' $MON | awk '{ s += $1 } END { print s + 0 }')
left=$(($(xf_dstat "$d" log_suppressed) + $(xf_dstat "$d" log_failed)))
t_ok "the monitor's suppressed counts ($sum) are the module's ($left) or fewer" \
	test "$sum" -ge 1 -a "$sum" -le "$left"
# Every logged flow since the readiness probes: a line, suppressed or failed.
accounted()
{
	local lines left all
	lines=$(grep "^dom $d udp " $MON | grep -vc ":59999 ")
	left=$(($(xf_dstat "$d" log_suppressed) + $(xf_dstat "$d" log_failed)))
	all=$(($(logged) - R))
	echo "# lines=$lines suppressed+failed=$left flows=$all"
	[ $((lines + left)) -eq "$all" ]
}
t_ok "every logged flow is a monitor line, suppressed or failed" \
	wait_for 10 accounted
accounted
t_ok "the module still answers" xfctl stats
kill $mon 2>/dev/null
t_ok "rmmod" xf_unload
trap - EXIT
t_ok "no oops, warning (log size) or leak report in dmesg" dmesg_clean
t_done
