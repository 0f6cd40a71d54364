#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# SYN-to-verdict latency of the userland filter (xfilterd) against the
# time a TCP connection takes with no filter at all, in the Xen lab:
#
#	scripts/lab/run --env XF_MODE=userland --script tests/bench/userland-latency.sh
#
# On the patched Xen without XF_MODE=userland the domain is in mode
# hypervisor (xfd_lib.sh): the same runs then measure the filter in Xen,
# and the lines say so (XF_BENCH hypervisor-B ...; xfilterd's own figures
# are then empty).
#
# Four runs of N connections from g1 (user mail) to dom0:25:
#   A  no xfilter.ko: plain connect() time, p50/p99
#   B  userland mode, an owner rule on port 25, default batching: every
#      SYN is held and attributed by xfilterd; an idle source is asked at
#      once, batches form only while it is busy (batch_delay_us at most)
#   T  the same with batch_idle_send=0: every batch waits for its timer
#      (batch_delay_us 2000, in jiffies), as before batch_idle_send
#   C  the same as B with batch_flows=1: every flow is a batch of its own
# In mode hypervisor B's flows are checked in the receive path (the source
# is idle: hv_inline), and one more run comes after it:
#   I  hv_inline_us=0: every flow held and batched by the work item, as
#      before the receive-path check (T and C then run so too)
# For B and C: connect time p50/p99, and SYN-to-verdict p50/p99 as
# xfilterd measured it (the module's flow age at fetch + our time to the
# verdict). The ratio is SYN-to-verdict p50 / no-filter connect p50.
# Prints "XF_BENCH ..." lines, parsed by whoever collects figures.
. ./lib.sh
XFD_VERBOSE=	# xfilterd at its default log level, as on a host
. ./xfd_lib.sh

N=${XF_BENCH_N:-200}
trap 'kill $L1 2>/dev/null; xfd_cleanup' EXIT
xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!

# p50 and p99 of the "us=" values of xfnet -v output on stdin.
pct()
{
	sed -n 's/^connect .* rc=0 us=\([0-9]*\)$/\1/p' | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) { print "0 0 0"; exit }
			i50 = int((NR - 1) * 0.50) + 1; i99 = int((NR - 1) * 0.99) + 1
			print v[i50], v[i99], NR }'
}

run_connects()
{
	as mail g1 "xfnet tcp-connect 10.0.0.1 25 -n $N -t 5000 -v" | pct
}

set -- $(run_connects)
a50=$1 a99=$2 an=$3
echo "XF_BENCH nofilter connect_us p50=$a50 p99=$a99 n=$an"

xfd_setup g1 || { echo "XF_BENCH xfilterd did not start"; exit 1; }
xfctl rule add dom g1 uid 1001 dport 25 drop
modes="B T C"
[ "$XF_MODE" = hypervisor ] && modes="B I T C"
for mode in $modes; do
	P=/sys/module/xfilter/parameters
	[ $mode = I ] && echo 0 > $P/hv_inline_us
	[ $mode = T ] && echo 0 > $P/batch_idle_send
	[ $mode = C ] && echo 1 > $P/batch_idle_send && echo 1 > $P/batch_flows
	xfd_stop
	rm -f "$XFD_STATS"
	xfd_start
	wait_for 240 xfd_ready g1
	i0=$(xf_dstat "$(guest_domid g1)" hv_inline)
	set -- $(run_connects)
	c50=$1 c99=$2 cn=$3
	i1=$(xf_dstat "$(guest_domid g1)" hv_inline)
	sleep 1
	set -- $(sed -n 's/^syn_us //p' "$XFD_STATS")
	s50=$1 s99=$2 smax=$3
	set -- $(sed -n 's/^batch_us //p' "$XFD_STATS")
	echo "XF_BENCH $XF_MODE-$mode connect_us p50=$c50 p99=$c99 n=$cn syn_to_verdict_us p50=$s50 p99=$s99 max=$smax daemon_batch_us p50=$1 p99=$2 hv_inline=$((${i1:-0} - ${i0:-0}))"
	echo "XF_BENCH $XF_MODE-$mode ratio syn_to_verdict_p50/nofilter_connect_p50=$(awk -v a=$s50 -v b=$a50 'BEGIN { printf "%.2f", b ? a / b : 0 }') p99/p99=$(awk -v a=$s99 -v b=$a99 'BEGIN { printf "%.2f", b ? a / b : 0 }') added_connect_p50_us=$((c50 - a50))"
done
xfctl stats
t_ok "benchmark ran" test "$an" -gt 0
t_done
