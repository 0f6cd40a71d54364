#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: stock
# XF-NEEDS: etcd
#
# The fleet policy in etcd: an owner rule written with `xfctl --store etcd`
# is applied by xfilterd to g1 (matched by UUID) and drops alice's traffic
# while mail's passes; etcd killed: the rule stays, the loss is counted;
# etcd back: a full read, and deleting the rule in the store removes it
# from the module. Every wait is for a condition (the status file, the
# rule table), bounded.
#
#   xfctl --store etcd ──► etcd 127.0.0.1:2379 (in dom0) ◄── watch ── xfilterd
#                                                                        │ rule add
#   g1: alice ─┐                                                         ▼
#       mail  ─┴── vif<D>.0 [dom D uid 1001 dport 25 drop] ── dom0 xfnet tcp-listen 25
. ./lib.sh
. ./xfd_lib.sh

URL=http://127.0.0.1:2379
E=
D=$(guest_domid g1)
C="-t 3000"
etcd_start()
{
	echo "# [dom0] etcd on $URL" >&2
	etcd --name lab --data-dir /tmp/etcd-lab --listen-client-urls "$URL" \
		--advertise-client-urls "$URL" --listen-peer-urls http://127.0.0.1:2380 \
		--initial-advertise-peer-urls http://127.0.0.1:2380 \
		--initial-cluster lab=http://127.0.0.1:2380 >> /tmp/etcd-lab.log 2>&1 &
	E=$!
}
cleanup()
{
	kill $L1 2>/dev/null
	xfd_cleanup
	[ -n "$E" ] && kill -KILL "$E" 2>/dev/null && wait "$E"
	rm -rf /tmp/etcd-lab
}
trap cleanup EXIT
store() { xfctl --store etcd --etcd "$URL" "$@"; }
stat_has() { grep -q "^pid $XFD_PID\$" "$XFD_STATS" && grep -q "^store etcd $1" "$XFD_STATS"; }

xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!
dmesg_mark
U=$(xenstore-read "/local/domain/$D/vm" | sed 's|^/vm/||')
echo "# g1 is domid $D, uuid $U"
etcd_start
t_ok "etcd runs in dom0" wait_for 60 store rule list
t_ok "store: g1 (running here, resolved to its UUID): uid 1001 dport 25 drop" \
	store rule add dom g1 uid 1001 dport 25 drop
t_ok "the store holds it under g1's UUID, without dom" \
	sh -c "xfctl --store etcd --etcd $URL rule list | grep -qx 'dom $U uid 1001 dport 25 drop'"

t_ok "insmod xfilter.ko" xf_load
echo "${XFD_VERDICT_TIMEOUT_MS:-3000}" > /sys/module/xfilter/parameters/verdict_timeout_ms
xfd_start --etcd "$URL"
t_ok "xfilterd introspects g1" wait_for 240 xfd_ready g1
t_ok "xfilterd applied the stored rule to g1's domid" \
	wait_for 60 sh -c "xfctl rule list | grep -q 'dom $D uid 1001 dport 25 drop'"
t_ok "and logged it" grep -q "etcd: guest g1 ($U) domid $D: 1 rules applied from the store" "$XFD_LOG"
t_ok "status file: connected, one guest applied" stat_has "connected=1 .* applied=1 "
t_ok "alice's TCP to port 25 is dropped" \
	out_has "ok=0 refused=0 filtered=3" alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 -t 1500"
t_ok "mail's gets through" as mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 $C"
t_ok "the stored rule counted alice's SYNs" test "$(rule_pkts 'uid 1001 dport 25 drop')" -ge 3

kill -KILL "$E"; wait "$E"; E=
t_ok "etcd killed: xfilterd counts the loss" wait_for 60 stat_has "connected=0 .* disconnects=1 "
t_ok "and says so" grep -q "etcd: connection lost (1 so far)" "$XFD_LOG"
t_ok "the rule stays" sh -c "xfctl rule list | grep -q 'dom $D uid 1001 dport 25 drop'"
t_ok "alice is still dropped" \
	out_has "ok=0 refused=0 filtered=2" alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 -t 1500"

etcd_start
t_ok "etcd back: xfilterd reads everything again" wait_for 60 stat_has "connected=1 .* resyncs=2 "
t_ok "store: rule del" store rule del dom g1 uid 1001 dport 25 drop
t_ok "xfilterd removed the rule from the module" \
	wait_for 60 sh -c "! xfctl rule list | grep -q 'uid 1001'"
t_ok "alice reaches port 25 again" as alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 $C"
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
