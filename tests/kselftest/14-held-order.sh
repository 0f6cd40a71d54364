#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Held flows keep their order. g1's domain is in mode userland, a rule
# needs the owner's uid (so no flow is decided in the kernel alone), and
# the verdict source is xfnl (a stand-in for xfilterd) that answers each batch
# only after 400 ms: the first echo request of a ping run is held, the
# next ones queue behind it, and after the verdict all are re-injected,
# once each, in order. tcpdump on xenbr0 sees what passed the hook.
#
#   g1 ping -i 0.02 ── vif<D>.0 [xfilter: hold] ── xenbr0 [tcpdump] ── dom0
#                                 │ BATCH_NOTIFY        ▲ re-injected in order
#                                 ▼                     │
#                          xfnl respond -d 400 ── VERDICT accept
. ./lib.sh

d=$(guest_domid g1)
dmesg_mark
cleanup()
{
	kill $rp $tp 2>/dev/null
	xf_unload
}
rp= tp=
trap cleanup EXIT

t_ok "insmod xfilter.ko verdict_timeout_ms=5000" xf_load verdict_timeout_ms=5000
t_ok "domain $d in mode userland, fail drop" \
	xfctl domain set "$d" mode userland fail drop
t_ok "rule that needs an owner: uid 1001 drop" xfctl rule add dom "$d" uid 1001 drop
xfnl respond -d 400 > /tmp/resp.log 2>&1 &
rp=$!
t_ok "verdict source present" wait_for 5 grep -q ready /tmp/resp.log
tcpdump -l -n -i xenbr0 'icmp[icmptype] == icmp-echo' > /tmp/td.log 2>/dev/null &
tp=$!
sleep 1	# tcpdump has no "ready" line on stdout
t_ok "g1 pings 40 times, 20 ms apart" \
	guest g1 "ping -c 40 -i 0.02 -W 3 10.0.0.1 | tail -n 2"
sed 's/^/# xfnl: /' /tmp/resp.log
t_ok "the source answered a batch" grep -q 'flows answered (0' /tmp/resp.log
sleep 1
kill $tp; tp=
seqs=$(grep -o 'seq [0-9]*' /tmp/td.log | cut -d' ' -f2)
echo "# seen after the hook: $(echo $seqs)"
t_is "all 40 requests passed the hook exactly once" "$(echo "$seqs" | grep -c .)" 40
t_is "in their original order" "$(echo "$seqs" | sort -n | tr '\n' ' ')" "$(echo "$seqs" | tr '\n' ' ')"
t_ok "packets were held behind the first one" \
	sh -c "[ $(xf_dstat "$d" queued) -ge 5 ]"
t_ok "nothing is held any more" wait_for 10 xf_dstat_is "$d" held 0
t_ok "verdicts came from the source" sh -c "[ $(xf_dstat "$d" source_verdicts) -ge 1 ]"
t_ok "domain counters add up" xf_sum_ok "$d"

# The source goes away: the fail policy (drop) applies at once.
kill $rp; rp=
xfctl flows flush dom "$d"
t_ok "without a source, new flows get the fail policy (drop)" \
	guest g1 "! xfnet tcp-connect 10.0.0.1 5410 -t 1500"
t_ok "counted as fail_absent" sh -c "[ $(xf_dstat "$d" fail_absent) -ge 1 ]"
trap - EXIT
cleanup
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
