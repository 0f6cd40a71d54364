#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What the receive-path check of mode hypervisor saves a new connection,
# in the Xen lab on the patched hypervisor:
#
#	scripts/lab/run --no-build --xen .cache/xen/xen-xfilter \
#		--script tests/bench/hv-inline.sh
#
# Connections from g1 (user mail) to dom0:25, one after another, in rounds
# of R that take turns, so that the host's drift falls on all three alike:
#   K  no owner rule: the module decides every flow in the kernel (what
#      the hook and the cache cost, nothing asked of Xen)
#   H  rule uid 1001 dport 25 drop, hv_inline_us 1000000: every SYN is
#      checked by Xen in the receive path (hv_inline), never held
#   W  the same rule, hv_inline_us=0: every SYN is held, checked by Xen
#      from the work item and re-injected (the path before)
# Prints connect time p50/p90/p99 of each, pooled over the rounds, the
# receive-path checks each made, their time as the module measured it
# (hv_inline_ns), Xen's time per call, and "XF_BENCH" lines.
. ./lib.sh
XF_MODE=hypervisor
XFD_VERBOSE=	# xfilterd at its default log level, as on a host
. ./xfd_lib.sh

R=${XF_BENCH_ROUND:-20}
ROUNDS=${XF_BENCH_ROUNDS:-10}
P=/sys/module/xfilter/parameters
trap 'kill $L1 2>/dev/null; xfd_cleanup' EXIT
xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!
hv_required
xfd_setup g1 || { echo "XF_BENCH xfilterd did not start"; exit 1; }
D=$(guest_domid g1)
xfctl domain set g1 policy accept unattributed accept fail accept
echo 1000000 > $P/hv_inline_us_all

config()
{
	xfctl rule flush
	case $1 in
	K) ;;
	H) echo 1000000 > $P/hv_inline_us; xfctl rule add dom g1 uid 1001 dport 25 drop ;;
	W) echo 0 > $P/hv_inline_us; xfctl rule add dom g1 uid 1001 dport 25 drop ;;
	esac
}

for c in K H W; do : > /tmp/hvi.$c; echo 0 > /tmp/hvi.$c.inline; done
i=0
while [ $i -lt "$ROUNDS" ]; do
	for c in K H W; do
		config $c
		n0=$(xf_dstat "$D" hv_inline)
		as mail g1 "xfnet tcp-connect 10.0.0.1 25 -n $R -t 5000 -v" |
			sed -n 's/^connect .* rc=0 us=\([0-9]*\)$/\1/p' >> /tmp/hvi.$c
		echo $(($(cat /tmp/hvi.$c.inline) + $(xf_dstat "$D" hv_inline) - n0)) > /tmp/hvi.$c.inline
	done
	i=$((i + 1))
done

echo "| config | connections | p50 us | p90 us | p99 us | receive-path checks |"
echo "|---|--:|--:|--:|--:|--:|"
for c in K H W; do
	set -- $(sort -n /tmp/hvi.$c | awk '{ v[NR] = $1 } END { if (!NR) { print "0 0 0 0"; exit }
		print NR, v[int((NR - 1) * 0.50) + 1], v[int((NR - 1) * 0.90) + 1], v[int((NR - 1) * 0.99) + 1] }')
	echo "| $c | $1 | $2 | $3 | $4 | $(cat /tmp/hvi.$c.inline) |"
	echo "XF_BENCH hv-inline $c n=$1 connect_us p50=$2 p90=$3 p99=$4 hv_inline=$(cat /tmp/hvi.$c.inline)"
done
n=$(xf_dstat "$D" hv_inline) ns=$(xf_dstat "$D" hv_inline_ns)
echo "XF_BENCH hv-inline receive_path_ns_avg=$((${ns:-0} / (${n:-0} + 1 - (${n:-0} > 0)))) (the module's, per check in the receive path)" \
     "xen call_ns_avg=$(hvc call_ns_avg) check_ns_avg=$(hvc check_ns_avg) (Xen's, every call)"
t_ok "every configuration connected" test "$(wc -l < /tmp/hvi.W)" -gt 0 -a "$(wc -l < /tmp/hvi.H)" -gt 0
t_done
