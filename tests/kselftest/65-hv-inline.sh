#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default
#
# Mode hypervisor checks a new flow in the receive path when the source is
# idle: the first packet is never held, no work item runs, no batch is
# made. Each domain, and all domains together, may spend only a share of
# receive-path time that way (hv_inline_us, hv_inline_us_all); past it the
# flows are held and batched as before, with the same verdicts.
#
#   g1 mail  ──SYN──► vif<D1>.0 [xfilter ── XF_HV_CHECK ──► Xen: owner] ──► dom0:25 ok
#   g1 alice ──SYN──►          (uid 1001 dport 25 drop)               ✗
#   g2 mail  ──SYN──► vif<D2>.0  (the share of all domains)
#
# Every check counts events (the module's and Xen's counters), none a time:
# a share of 100% lets every check through whatever it costs, a share of
# 1 us a second lets one through and then none for minutes (the share is
# paid back at that rate), so the outcomes do not depend on the machine.
. ./lib.sh
XF_MODE=hypervisor
. ./xfd_lib.sh

if ! xfctl hv probe > /dev/null 2>&1; then
	t_skip "checks in the receive path" "stock Xen: no hypervisor filter (boot with --xen .cache/xen/xen-xfilter)"
	t_done
	exit 0
fi
P=/sys/module/xfilter/parameters
trap 'kill $L1 $MON 2>/dev/null; xfd_cleanup' EXIT
xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!
dmesg_mark

t_ok "xfilterd loaded the profiles of g1 and g2 into Xen" xfd_setup g1 g2
D1=$(guest_domid g1) D2=$(guest_domid g2)
for g in g1 g2; do
	xfctl domain set $g policy accept unattributed accept fail drop
done
t_ok "rule: dom g1 uid 1001 dport 25 drop" xfctl rule add dom g1 uid 1001 dport 25 drop
t_ok "rule: dom g2 uid 1001 dport 25 drop" xfctl rule add dom g2 uid 1001 dport 25 drop
xfctl -j monitor > /tmp/inl-mon.json 2>&1 & MON=$!
ft0=$(kstat fail_timeout) fa0=$(kstat fail_absent)

# snap D: the counters the checks below compare, as "name=value ..."
snap()
{
	echo "inline=$(xf_dstat "$1" hv_inline) over=$(xf_dstat "$1" hv_inline_over)" \
	     "queued=$(xf_dstat "$1" queued) batches=$(xf_dstat "$1" batches)" \
	     "verdicts=$(xf_dstat "$1" source_verdicts) calls=$(hvc calls)" \
	     "ns=$(xf_dstat "$1" hv_inline_ns)"
}
# d NAME BEFORE AFTER: how much counter NAME grew from snap BEFORE to AFTER
d() { echo $(($(echo "$3" | sed -n "s/.*$1=\([0-9]*\).*/\1/p") - $(echo "$2" | sed -n "s/.*$1=\([0-9]*\).*/\1/p"))); }
# traffic LABEL G D OK DROP: in guest G (domid D), OK connections of mail
# (accepted) and DROP of alice (dropped), one after another; s0 and s1 are
# D's snaps before and after
traffic()
{
	s0=$(snap "$3")
	t_ok "$1: $2's mail connects $4 times" out_has "ok=$4 " mail "$2" "xfnet tcp-connect 10.0.0.1 25 -n $4 -t 5000"
	[ "$5" = 0 ] ||
		t_ok "$1: $2's alice is dropped ($5)" out_has "filtered=$5" alice "$2" "xfnet tcp-connect 10.0.0.1 25 -n $5 -t 1500"
	s1=$(snap "$3")
	echo "# $2: $s0 -> $s1"
}
# spent LABEL N: past a spent share, one check at most went through the
# receive path, the share turned flows away, and N-1 flows or more were
# held and batched instead. A flow that comes while another is pending is
# held without asking the share (the source is busy): on a slow machine
# some do, so "over" need not reach N-1.
spent()
{
	t_ok "$1: one check at most in the receive path ($(d inline "$s0" "$s1"))" \
		test "$(d inline "$s0" "$s1")" -le 1
	t_ok "$1: the share turned flows away ($(d over "$s0" "$s1") over it)" \
		test "$(d over "$s0" "$s1")" -ge 1
	t_ok "$1: $(($2 - 1)) flows or more held and batched ($(d queued "$s0" "$s1"))" \
		test "$(d queued "$s0" "$s1")" -ge $(($2 - 1)) -a "$(d batches "$s0" "$s1")" -ge 1
}

# ---- an idle source, a share that never runs out --------------------------
echo 1000000 > $P/hv_inline_us
echo 1000000 > $P/hv_inline_us_all
# Wait for what g1 had in flight (the setup's flows) to be answered.
t_ok "nothing of g1 is held" wait_for 30 xf_dstat_is "$D1" held 0
traffic "share 100%" g1 "$D1" 20 3
t_ok "share 100%: 23 new flows or more were checked in the receive path ($(d inline "$s0" "$s1"))" \
	test "$(d inline "$s0" "$s1")" -ge 23
t_is "every source verdict was one of them" "$(d verdicts "$s0" "$s1")" "$(d inline "$s0" "$s1")"
t_is "no packet was held, no batch made, none over the share" \
	"$(d queued "$s0" "$s1")/$(d batches "$s0" "$s1")/$(d over "$s0" "$s1")" 0/0/0
t_ok "each was a call to Xen ($(d calls "$s0" "$s1") calls)" \
	test "$(d calls "$s0" "$s1")" -ge "$(d inline "$s0" "$s1")"
t_ok "their receive-path time was counted ($(d ns "$s0" "$s1") ns)" test "$(d ns "$s0" "$s1")" -gt 0
t_ok "the rule counted alice's packets" sh -c "xfctl rule list | grep 'dom.*uid 1001' | grep -qv ' 0 pkts'"

# ---- hv_inline_us=0: never in the receive path ----------------------------
echo 0 > $P/hv_inline_us
traffic off g1 "$D1" 5 1
t_is "off: none checked in the receive path, none counted over, no time" \
	"$(d inline "$s0" "$s1")/$(d over "$s0" "$s1")/$(d ns "$s0" "$s1")" 0/0/0
t_ok "off: the 6 flows were held and batched ($(d batches "$s0" "$s1") batches)" \
	test "$(d queued "$s0" "$s1")" -ge 6 -a "$(d batches "$s0" "$s1")" -ge 1

# ---- a domain's share spent: its flows are batched, g2's are not ---------
echo 1 > $P/hv_inline_us
echo 1000000 > $P/hv_inline_us_all
traffic "share 1 us/s" g1 "$D1" 10 2
spent "share 1 us/s" 12
echo 1000000 > $P/hv_inline_us
t_ok "nothing of g2 is held" wait_for 30 xf_dstat_is "$D2" held 0
traffic "share 100%" g2 "$D2" 5 0
t_ok "g2 is not held back by g1's share ($(d inline "$s0" "$s1") in the receive path)" \
	test "$(d inline "$s0" "$s1")" -ge 5 -a "$(d over "$s0" "$s1")" = 0

# ---- the share of all domains spent ---------------------------------------
echo 1 > $P/hv_inline_us_all
traffic "all 1 us/s" g2 "$D2" 10 1
spent "all 1 us/s" 11

# ---- what every path must keep --------------------------------------------
t_is "no flow got the fail policy" "$(kstat fail_timeout)/$(kstat fail_absent)" "$ft0/$fa0"
t_ok "nothing is held" wait_for 30 sh -c "[ \"\$(xfctl stats | awk '\$1 == \"held\" { print \$2 }')\" = 0 ]"
t_ok "g1's counters add up" xf_sum_ok "$D1"
t_ok "g2's counters add up" xf_sum_ok "$D2"
kill $MON; MON=
t_ok "xfctl -j monitor showed alice's dropped flows with her uid" \
	sh -c "grep '\"action\":\"drop\"' /tmp/inl-mon.json | grep -q '\"uid\":1001'"
t_ok "xfilterd stops cleanly" xfd_stop
xfctl rule flush
t_ok "rmmod xfilter" rmmod xfilter
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
