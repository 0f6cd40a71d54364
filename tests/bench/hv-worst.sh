#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Worst-case time in Xen per XF_HV_CHECK call with a hostile guest, beside
# a benign call, in one lab run on the patched hypervisor:
#
#	scripts/lab/run --no-build --xen .cache/xen/xen-xfilter \
#		--script tests/bench/hv-worst.sh
#
# N TCP connections from g1 (user mail) to dom0:25 with an owner rule on
# port 25, so every SYN is a flow that Xen attributes, twice:
#   B  benign: the guest as booted
#   H  hostile: user alice first runs HOGS processes that raise their fd
#      limit to the hard one and open its last slot (xfnet fd-hog: the
#      attribution issue's budget trick), so each fd table is as large as
#      an unprivileged user may make it
# Per run, from Xen's own counters (xfctl hv counters): the longest call
# (what one call holds a pCPU, the guest paused), the longest single check,
# reads per check, calls preempted and continued, owners found, and how
# many checks dom0 made from its receive path (xfilter.ko's hv_inline,
# within the domain's share) and the time they took there. Prints a
# markdown table and "XF_BENCH ..." lines.
. ./lib.sh
XF_MODE=hypervisor
XFD_VERBOSE=	# xfilterd at its default log level, as on a host
. ./xfd_lib.sh

N=${XF_BENCH_N:-50}
HOGS=${XF_BENCH_HOGS:-32}
trap 'kill $L1 2>/dev/null; guest g1 "pkill -u alice xfnet" > /dev/null 2>&1; xfd_cleanup' EXIT
xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!

hv_required

us() { awk -v n="$1" 'BEGIN { printf "%.0f", n / 1000 }'; }
per() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", a / b; else print "-" }'; }
ok_connects() { as mail g1 "xfnet tcp-connect 10.0.0.1 25 -n $N -t 5000" | sed -n 's/.*ok=\([0-9]*\).*/\1/p'; }

xfd_setup g1 || { echo "XF_BENCH xfilterd did not start"; exit 1; }
xfctl domain set g1 mode hypervisor policy accept unattributed accept fail accept
xfctl rule add dom g1 uid 1001 dport 25 drop
wait_for 120 xfd_ready g1 || echo "# xfilterd did not load the profile"

# run NAME: N connections, then Xen's counters for them as "k=v ..."
run()
{
	local ok d i0 o0 n0
	d=$(guest_domid g1)
	xfctl flows flush > /dev/null 2>&1
	xfctl hv counters reset > /dev/null
	i0=$(xf_dstat "$d" hv_inline) o0=$(xf_dstat "$d" hv_inline_over) n0=$(xf_dstat "$d" hv_inline_ns)
	ok=$(ok_connects)
	echo "inline=$(($(xf_dstat "$d" hv_inline) - i0)) over=$(($(xf_dstat "$d" hv_inline_over) - o0))" \
	     "inline_ns=$(($(xf_dstat "$d" hv_inline_ns) - n0))" \
	     "ok=${ok:-0} calls=$(hvc calls) checks=$(hvc checks) found=$(hvc found)" \
	     "reads=$(hvc reads) call_max=$(hvc call_ns_max) call_avg=$(hvc call_ns_avg)" \
	     "check_max=$(hvc check_ns_max) check_p99=$(hvc check_ns_p99)" \
	     "pause_max=$(hvc pause_ns_max) preempted=$(hvc preempted)"
}
get() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

ok_connects > /dev/null		# warm up: ARP, the listener
B=$(run)
echo "XF_BENCH benign $B"
hog=$(as alice g1 "xfnet fd-hog $HOGS")
echo "# $hog"
H=$(run)
echo "XF_BENCH hostile $H hogs=$HOGS $hog"

cat <<EOT
XF_TABLE
| Xen per call, $N new flows (QEMU TCG) | benign | hostile ($HOGS fd hogs of alice) |
| --- | ---: | ---: |
| connections that succeeded | $(get "$B" ok)/$N | $(get "$H" ok)/$N |
| calls / checks / owners found | $(get "$B" calls) / $(get "$B" checks) / $(get "$B" found) | $(get "$H" calls) / $(get "$H" checks) / $(get "$H" found) |
| longest call, us (guest paused, pCPU held) | $(us $(get "$B" call_max)) | $(us $(get "$H" call_max)) |
| average call, us | $(us $(get "$B" call_avg)) | $(us $(get "$H" call_avg)) |
| longest check, us | $(us $(get "$B" check_max)) | $(us $(get "$H" check_max)) |
| guest reads per check | $(per $(get "$B" reads) $(get "$B" checks)) | $(per $(get "$H" reads) $(get "$H" checks)) |
| calls preempted and continued | $(get "$B" preempted) | $(get "$H" preempted) |
| checks in dom0's receive path / over the domain's share | $(get "$B" inline) / $(get "$B" over) | $(get "$H" inline) / $(get "$H" over) |
| receive-path time of those checks, us | $(us $(get "$B" inline_ns)) | $(us $(get "$H" inline_ns)) |
XF_TABLE_END
EOT
t_is "benign: all $N connections" "$(get "$B" ok)" "$N"
t_is "hostile: all $N connections" "$(get "$H" ok)" "$N"
t_ok "Xen checked the flows of both runs" test "$(get "$B" checks)" -ge "$N" -a "$(get "$H" checks)" -ge "$N"
t_ok "the hogs were in place" test -n "$(echo "$hog" | grep "hogs=$HOGS ")"
t_done
