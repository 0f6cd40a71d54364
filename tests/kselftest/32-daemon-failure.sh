#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default
#
# The userland filter fails: killed (-9) under traffic, then stalled
# (SIGSTOP). The module applies g1's fail policy within bounded time (at
# once without a daemon, after verdict_timeout_ms when it stalls), no
# packet stays held, and a restarted (or resumed) daemon brings back
# normal service without touching the cached verdicts.
#
#   g1: mail ── vif<D>.0 [xfilter] ── dom0 xfnet tcp-listen 25
#                  └─ batches ─► xfilterd (killed / stopped / restarted)
. ./lib.sh
. ./xfd_lib.sh

trap 'kill $L1 2>/dev/null; kill -CONT $XFD_PID 2>/dev/null; xfd_cleanup' EXIT
xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!
dmesg_mark

if [ "$XF_MODE" = hypervisor ]; then
	# Cannot work in hypervisor mode by design: xfilterd is not the verdict
	# source there (Xen answers every batch, the daemon only loads the
	# guests' profiles into Xen), so killing or stalling it must NOT bring
	# the fail policy. This checks that opposite property instead.
	t_ok "xfilterd loads g1's profile into Xen" xfd_setup g1
	t_ok "g1: fail policy drop" xfctl domain set g1 fail drop
	t_ok "rule: dom g1 uid 1001 dport 25 drop" xfctl rule add dom g1 uid 1001 dport 25 drop
	t_ok "mail connects with the daemon up" out_has "ok=3" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 -t 3000"
	guest g1 "su -s /bin/sh mail -c 'xfnet tcp-connect 10.0.0.1 25 -n 20 -i 200 -t 3000' > /tmp/bg.out 2>&1 &" > /dev/null
	sleep 1
	fa0=$(kstat fail_absent) ft0=$(kstat fail_timeout)
	t_ok "kill -9 xfilterd under traffic" kill -9 "$XFD_PID"
	wait "$XFD_PID" 2>/dev/null
	XFD_PID=
	t_ok "without a daemon mail still connects (Xen answers)" \
		out_has "ok=3" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 -t 3000"
	t_ok "without a daemon alice is still dropped (owner from Xen)" \
		out_has "filtered=2" alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 -t 1500"
	t_ok "the background traffic all connected" \
		wait_for 30 guest g1 "grep -q 'ok=20 ' /tmp/bg.out"
	t_is "no flow got the fail policy" "$(kstat fail_absent)/$(kstat fail_timeout)" "$fa0/$ft0"
	t_ok "no packet stays held" wait_for 10 sh -c "[ \$(xfctl stats | awk '\$1 == \"held\" {print \$2}') = 0 ]"
	t_ok "restart xfilterd" xfd_setup g1
	t_ok "SIGSTOP xfilterd" kill -STOP "$XFD_PID"
	t_ok "a stalled daemon changes nothing: mail connects" \
		out_has "ok=2" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 -t 3000"
	t_ok "SIGCONT xfilterd" kill -CONT "$XFD_PID"
	t_ok "xfilterd stops cleanly" xfd_stop
	t_ok "no oops, warning or leak report in dmesg" dmesg_clean
	t_done
	exit
fi

t_ok "xfilterd introspects g1" xfd_setup g1
t_ok "g1: fail policy drop" xfctl domain set g1 fail drop
t_ok "rule: dom g1 uid 1001 dport 25 drop" xfctl rule add dom g1 uid 1001 dport 25 drop
t_ok "mail connects with the daemon up" out_has "ok=3" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 -t 3000"

# Traffic in the background while the daemon dies.
guest g1 "su -s /bin/sh mail -c 'xfnet tcp-connect 10.0.0.1 25 -n 30 -i 200 -t 1000' > /tmp/bg.out 2>&1 &" > /dev/null
sleep 2
fa0=$(kstat fail_absent)
t_ok "kill -9 xfilterd under traffic" kill -9 "$XFD_PID"
wait "$XFD_PID" 2>/dev/null
XFD_PID=
t_ok "new flows get the fail policy at once (fail_absent grows)" \
	wait_for 20 sh -c "[ \$(xfctl stats | awk '\$1 == \"fail_absent\" {print \$2}') -gt $fa0 ]"
t_ok "mail is dropped by the fail policy while no daemon runs" \
	out_has "ok=0" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 -t 1500"
t_ok "no packet stays held" wait_for 10 sh -c "[ \$(xfctl stats | awk '\$1 == \"held\" {print \$2}') = 0 ]"
t_ok "g1: fail policy accept" xfctl domain set g1 fail accept
t_ok "with fail accept mail gets through without a daemon" \
	out_has "ok=2" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 -t 3000"
t_ok "g1: fail policy drop again" xfctl domain set g1 fail drop

t_ok "restart xfilterd" xfd_setup g1
t_ok "after restart mail connects" out_has "ok=3" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 -t 3000"
t_ok "after restart alice is dropped again" \
	out_has "filtered=2" alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 -t 1500"

# Stalled: the daemon is there (joined) but does not answer.
echo 500 > /sys/module/xfilter/parameters/verdict_timeout_ms
ft0=$(kstat fail_timeout)
t_ok "SIGSTOP xfilterd" kill -STOP "$XFD_PID"
t_ok "a stalled daemon: mail's SYN times out to the fail policy" \
	out_has "ok=0" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 1 -t 1500"
t_ok "fail_timeout grew" test "$(kstat fail_timeout)" -gt "$ft0"
t_ok "no packet stays held while stalled" wait_for 10 sh -c "[ \$(xfctl stats | awk '\$1 == \"held\" {print \$2}') = 0 ]"
t_ok "SIGCONT xfilterd" kill -CONT "$XFD_PID"
echo 3000 > /sys/module/xfilter/parameters/verdict_timeout_ms
t_ok "resumed: mail connects" \
	wait_for 30 out_has "ok=1" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 1 -t 3000"
t_ok "xfilterd stops cleanly" xfd_stop
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
