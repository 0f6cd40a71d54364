#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: stock
# XF-NEEDS: etcd
#
# The fleet policy in etcd: an owner rule written with `xfctl --store etcd`
# is applied by xfilterd to g1 (matched by UUID) and drops alice's traffic
# while mail's passes; etcd killed: the rule stays, the loss is counted;
# etcd back: a full read, and deleting the rule in the store removes it
# from the module. Then g1 arrives with a new domid (xl save/restore, as
# on a migration's destination) while alice and mail send and xfilterd is
# held stopped: without the gate her datagrams pass until xfilterd applies
# the store; with it (default policy drop, the guest's own policy accept in
# the store) none does. Every wait is for a condition (the status file, the rule
# table, the log, datagrams counted), bounded.
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
cleanup()
{
	kill $L1 $L2 $L3 2>/dev/null
	xfctl domain set default policy accept 2>/dev/null
	xfd_cleanup
	[ -n "$E" ] && kill -KILL "$E" 2>/dev/null && wait "$E"
	[ -z "$ETCD_DIR" ] || rm -rf "$ETCD_DIR"
}
trap cleanup EXIT
store() { xfctl --store etcd --etcd "$URL" "$@"; }
stat_has() { grep -q "^pid $XFD_PID\$" "$XFD_STATS" && grep -q "^store etcd $1" "$XFD_STATS"; }

xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!
dmesg_mark
U=$(xenstore-read "/local/domain/$D/vm" | sed 's|^/vm/||')
echo "# g1 is domid $D, uuid $U"
etcd_start "$URL"
etcd_t_ok "etcd runs in dom0" wait_for 60 store rule list
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

etcd_start "$URL"
etcd_t_ok "etcd back: xfilterd reads everything again" wait_for 60 stat_has "connected=1 .* resyncs=2 "
t_ok "store: rule del" store rule del dom g1 uid 1001 dport 25 drop
t_ok "xfilterd removed the rule from the module" \
	wait_for 60 sh -c "! xfctl rule list | grep -q 'uid 1001'"
t_ok "alice reaches port 25 again" as alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 $C"

# ---- arrival: g1 comes back with a new domid (xl save + xl restore here,
# as on the destination of xl migrate). Until xfilterd has applied the
# store's rules and settings to the new domid, the module decides its flows
# by the default settings. That window is held open on purpose: xfilterd
# is stopped (SIGSTOP) across the restore until alice has sent 5 more
# datagrams from the new domid (a slow or busy daemon, as a test can make
# it happen every time). alice and mail keep sending, one new flow per
# datagram; dom0 counts what arrives. With the default policy accept,
# alice's datagrams pass in the window; with the gate (default policy
# drop, the guest's own "policy accept" in the store, which xfilterd sets
# after its rules) none does.
xfnet udp-recv 5470 > /tmp/esc53.log 2>&1 & L2=$!
xfnet udp-recv 5471 > /tmp/mail53.log 2>&1 & L3=$!
got() { grep -c '^udp-recv ' "$1"; }
t_ok "store: g1 uid 1001 proto udp dport 5470 drop" \
	store rule add dom g1 uid 1001 proto udp dport 5470 drop
t_ok "store: g1's settings policy accept fail drop" \
	store domain set g1 policy accept fail drop
t_ok "xfilterd set them on g1's domid" wait_for 60 \
	grep -q "etcd: guest g1 ($U) domid $D: settings '.*policy accept.*' set" "$XFD_LOG"
# Each loop counts its datagrams in the guest (alice's: /tmp/a53.sent).
loop() { echo "while [ ! -e /tmp/stop53 ]; do xfnet udp-send 10.0.0.1 $1 -n 1 > /dev/null 2>&1; echo >> $2; usleep 20000; done"; }
guest g1 "rm -f /tmp/stop53 /tmp/a53.sent /tmp/m53.sent; (su -s /bin/sh alice -c '$(loop 5470 /tmp/a53.sent)' &) ; (su -s /bin/sh mail -c '$(loop 5471 /tmp/m53.sent)' &)" > /dev/null
mail_got() { [ "$(got /tmp/mail53.log)" -ge $(($1 + 10)) ]; }
alice_sent() { guest g1 "cat /tmp/a53.sent 2>/dev/null | wc -l"; }
alice_sent_ge() { [ "$(alice_sent)" -ge "$1" ]; }
t_ok "mail's datagrams reach dom0" wait_for 60 mail_got 0
t_ok "alice sends" wait_for 60 alice_sent_ge 10
t_is "none of alice's reaches dom0" "$(got /tmp/esc53.log)" 0

# arrive: g1 saved and restored with xfilterd stopped; once the new domid's
# packets reach the hook and alice has sent 5 more, xfilterd goes on; back
# when it introspects the new domid and mail's datagrams arrive again.
hooked() { [ "$(xf_dstat "$D" packets)" -gt 0 ] 2>/dev/null; }
arrive()
{
	local m0 s0 rc

	mkdir -p /run/xfsave && mount -t tmpfs -o size=400m tmpfs /run/xfsave
	kill -STOP "$XFD_PID"
	xl save g1 /run/xfsave/g1.save > /dev/null && xl restore /run/xfsave/g1.save > /dev/null
	rc=$?
	umount /run/xfsave
	D=$(guest_domid g1)
	[ $rc -eq 0 ] && wait_for 60 hooked && s0=$(alice_sent) &&
		wait_for 60 alice_sent_ge $((s0 + 5))
	rc=$?
	kill -CONT "$XFD_PID"
	[ $rc -eq 0 ] || return 1
	m0=$(got /tmp/mail53.log)
	wait_for 240 xfd_ready g1 && wait_for 60 mail_got "$m0"
}
e0=$(got /tmp/esc53.log)
t_ok "no gate (default policy accept): g1 saved and restored, xfilterd stopped meanwhile" arrive
open_escapes=$(($(got /tmp/esc53.log) - e0))
t_ok "no gate: alice's datagrams passed while xfilterd had not applied the store ($open_escapes)" \
	test "$open_escapes" -ge 1
t_ok "xfilterd applied the store to the new domid $D" \
	sh -c "xfctl rule list | grep -q 'dom $D uid 1001 proto udp dport 5470 drop'"
t_ok "the gate: xfctl domain set default policy drop" xfctl domain set default policy drop
e0=$(got /tmp/esc53.log)
t_ok "gate: g1 saved and restored, xfilterd stopped meanwhile" arrive
gate_escapes=$(($(got /tmp/esc53.log) - e0))
echo "# alice's datagrams that reached dom0 while g1 arrived: $open_escapes without the gate, $gate_escapes with it"
t_is "gate: none of alice's datagrams passed while g1 arrived" "$gate_escapes" 0
t_ok "gate: g1's new domid $D has its own settings (policy accept)" \
	sh -c "xfctl domain show $D | grep -q 'policy accept'"
echo "# gate: g1 domid $D: $(xfctl domain show "$D" | head -n 3 | tr -s ' \n' ' ')"
guest g1 "touch /tmp/stop53" > /dev/null
xfctl domain set default policy accept
kill $L2 $L3 2>/dev/null
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
