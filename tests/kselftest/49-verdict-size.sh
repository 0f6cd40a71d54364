#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default trixie
#
# One batch of 250 owners with a 242-character exe path, in mode userland:
#
#   g1 alice: /tmp/aaa…/bbb…/xfnet udp-spray 10.0.0.1 30000-30249
#        │ 250 new flows, back to back, sockets kept open
#   vif ──► xfilter.ko ── one batch (batch_flows=256, no idle send,
#        │                 batch_delay_us 1 s)
#        ▼
#   xfilterd ── VERDICT messages ──► rule: uid 1001 exe <path> dport 30000-30249 drop
#
# An owner with such a path takes about 350 bytes of a VERDICT message:
# 250 of them do not fit in one of 64 KiB. Every flow must still meet the
# rule with its owner whole: xfilterd sends as many messages as it takes,
# each verdict whole or not at all. (Before, the verdicts past 64 KiB were
# cut off: those flows waited for the fail policy, and the one cut in the
# middle went with an owner that claimed an exe and carried none.)
. ./lib.sh
XF_MODE=userland
# xfilterd gives a batch 250 ms to find owners, then sends the rest
# unattributed: on a loaded TCG host 250 owners can take longer. This test
# is about the size of the answer, not that bound: give it the most, 10 s.
XFD_ARGS="--budget-ms 10000"
. ./xfd_lib.sh

N=250
LO=30000
HI=$((LO + N - 1))
A=$(printf '%115s' '' | tr ' ' a)
B=$(printf '%115s' '' | tr ' ' b)
DIR=/tmp/$A/$B
EXE=$DIR/xfnet
P=/sys/module/xfilter/parameters
trap 'guest g1 "touch /tmp/spray.go" > /dev/null 2>&1; xfd_cleanup' EXIT

t_ok "xfilterd introspects g1" xfd_setup g1
t_is "the exe path is ${#EXE} characters (room for it: 255)" "${#EXE}" 242
t_ok "alice's copy of xfnet at that path" \
	as alice g1 "mkdir -p $DIR && cp /xf/bin/xfnet $EXE"
t_ok "rule: dom g1 uid 1001 exe <path> dport $LO-$HI drop" \
	xfctl rule add dom g1 uid 1001 exe "$EXE" dport "$LO-$HI" drop
# Every new flow of g1 from now on waits up to 1 s for its batch: the
# spray's 250 make one (or a few, on a slow machine: still big ones).
echo 256 > $P/batch_flows
echo N > $P/batch_idle_send
echo 1000000 > $P/batch_delay_us
echo 30000 > $P/verdict_timeout_ms
a0=$(dstat g1 attributed)
u0=$(dstat g1 unattributed)
t0=$(xf_dstat "$(guest_domid g1)" fail_timeout)

guest g1 "rm -f /tmp/spray.go" > /dev/null
as alice g1 "$EXE udp-spray 10.0.0.1 $LO-$HI -w /tmp/spray.go > /tmp/spray.out 2>&1 &" > /dev/null
# Done when xfilterd has answered all 250 (it counts a batch once its
# verdicts are acknowledged) and the module has counted their packets.
spray_done()
{
	[ "$(($(dstat g1 attributed) + $(dstat g1 unattributed) - a0 - u0))" -ge $N ] &&
		[ "$(rule_pkts "$LO-$HI")" -ge $N ]
}
wait_for 120 spray_done
echo "# $(guest g1 'cat /tmp/spray.out')"
echo "# xfilterd: attributed +$(($(dstat g1 attributed) - a0)), unattributed +$(($(dstat g1 unattributed) - u0)); module batches $(kstat batches)"
t_is "xfilterd found the owner of all $N flows" \
	"$(($(dstat g1 attributed) - a0))" $N
t_is "the rule met all $N: none lost its verdict, none had its exe cut" \
	"$(rule_pkts "$LO-$HI")" $N
t_is "no flow waited for the fail policy (fail_timeout)" \
	"$(xf_dstat "$(guest_domid g1)" fail_timeout)" "$t0"
guest g1 "touch /tmp/spray.go" > /dev/null

echo 32 > $P/batch_flows
echo Y > $P/batch_idle_send
echo 2000 > $P/batch_delay_us
t_ok "delete the rule" xfctl rule del dom g1 uid 1001 exe "$EXE" dport "$LO-$HI" drop
as alice g1 "rm -rf /tmp/$A" > /dev/null
t_done
