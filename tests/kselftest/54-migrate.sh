#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: migrate
# XF-NEEDS: etcd
#
# Live migration between two Xen hosts (scripts/lab/run --peer): g1 runs
# here with an owner rule from the fleet store in force, alice and mail
# keep sending from it, and `xl migrate` moves it to the peer. Both hosts
# gate new domains (default policy drop; g1's own "policy accept" is in
# the store), so on the peer g1's traffic opens only once xfilterd there
# has applied the store's rules: none of alice's datagrams may reach
# either dom0, before, during or after the move; mail's must reach the
# peer, and the rule's counter there continues from this host's. Every wait is for a condition (a log line, a rule, datagrams
# counted), bounded.
#
#   this host 192.168.77.1 ─── private link ─── peer 192.168.77.2
#   etcd :2379 ◄──────── watch ─── xfilterd ───────── watch ───► (same etcd)
#   g1: alice ─┐                                        g1 (after xl migrate)
#       mail  ─┴─ vif.0 [dom D uid 1001 udp 5480 drop] ─ vif.0 [dom D' ... drop]
#   dom0 udp-recv 5480 (alice) 5481 (mail)              dom0 udp-recv 5480 5481
. ./lib.sh
. ./xfd_lib.sh

E=
D=$(guest_domid g1)
cleanup()
{
	kill $L1 $L2 2>/dev/null
	xfd_cleanup
	[ -n "$E" ] && kill -KILL "$E" 2>/dev/null && wait "$E"
	[ -z "$ETCD_DIR" ] || rm -rf "$ETCD_DIR"
}
trap cleanup EXIT
store() { xfctl --store etcd --etcd "$URL" "$@"; }
# What both hosts run: defined here, and on the peer (/tmp/h54.sh) before
# its first command.
HELPERS='
URL=http://192.168.77.1:2379
got() { grep -c "^udp-recv " "$1"; }
got_ge() { [ "$(got "$1")" -ge "$2" ]; }
pkts() { rule_pkts "uid 1001 proto udp dport 5480 drop"; }
pkts_ge() { [ "$(pkts)" -ge "$1" ] 2> /dev/null; }
# change_lat UUID DOMID N: N rule changes put in the store (add, del in
# turn) from this host; per change, the time before xfctl starts, after it
# returned (etcd took the put) and of the xfilterd log line saying it
# applied the rules to DOMID, on the clock of the host that runs it, to
# /tmp/lat54. Each waits for its own line.
applied_n() { grep -c "domid $1: [0-9]* rules applied from the store" "$XFD_LOG"; }
applied_gt() { [ "$(applied_n "$1")" -gt "$2" ]; }
change_lat()
{
	local n=0 c0 t0 t1 op
	: > /tmp/lat54
	while [ $n -lt "$3" ]; do
		c0=$(applied_n "$2")
		op=add
		[ $((n % 2)) = 1 ] && op=del
		t0=$(date +%s.%N)
		xfctl --store etcd --etcd "$URL" rule $op dom "$1" uid 1002 proto udp dport 5482 drop || return 1
		t1=$(date +%s.%N)
		wait_for 60 applied_gt "$2" "$c0" || return 1
		echo "$t0 $t1 $(grep "domid $2: [0-9]* rules applied" "$XFD_LOG" | tail -n 1 | cut -d[ -f2 | cut -d] -f1)" >> /tmp/lat54
		n=$((n + 1))
	done
}
host_setup()
{
	xf_load && echo 3000 > /sys/module/xfilter/parameters/verdict_timeout_ms &&
		xfctl domain set default policy drop &&
		xfd_start --etcd "$URL" && echo "$XFD_PID" > /run/xfd.pid
}
'
eval "$HELPERS"
on_peer() { peer ". ./lib.sh; . ./xfd_lib.sh 2> /dev/null; . /tmp/h54.sh; XFD_PID=\$(cat /run/xfd.pid 2> /dev/null); $*"; }

U=$(xenstore-read "/local/domain/$D/vm" | sed 's|^/vm/||')
echo "# g1 is domid $D here, uuid $U"
t_ok "the peer host answers on the link" wait_for 120 peer true
t_ok "peer: the helpers" peer "echo $(printf '%s' "$HELPERS" | base64 -w0) | base64 -d > /tmp/h54.sh"

etcd_start "$URL,http://127.0.0.1:2379"
t_ok "etcd runs here" wait_for 60 store rule list
t_ok "store: g1 uid 1001 proto udp dport 5480 drop" \
	store rule add dom g1 uid 1001 proto udp dport 5480 drop
t_ok "store: g1's own settings mode $XF_MODE policy accept fail drop" \
	store domain set g1 mode "$XF_MODE" policy accept fail drop

# Both hosts: the module, the gate, xfilterd on the store.
t_ok "here: xfilter.ko, default policy drop, xfilterd on the store" host_setup
t_ok "peer: the same, the peer reaches etcd over the link" on_peer host_setup
t_ok "peer: xfilterd connected to etcd" \
	on_peer "wait_for 60 grep -q '^store etcd connected=1 ' \$XFD_STATS"
t_ok "here: xfilterd introspects g1 and applied the store" wait_for 240 xfd_ready g1
t_ok "here: g1's rule is in the module" \
	wait_for 60 sh -c "xfctl rule list | grep -q 'dom $D uid 1001 proto udp dport 5480 drop'"

# Listeners on both hosts; alice and mail send one datagram every 20 ms
# (a new flow each: the source port changes), counted in the guest.
xfnet udp-recv 5480 > /tmp/esc54.log 2>&1 & L1=$!
xfnet udp-recv 5481 > /tmp/mail54.log 2>&1 & L2=$!
t_ok "peer: dom0 listens on 5480 and 5481" on_peer \
	"xfnet udp-recv 5480 > /tmp/esc54.log 2>&1 & xfnet udp-recv 5481 > /tmp/mail54.log 2>&1 & sleep 0.2"
loop() { echo "while :; do xfnet udp-send 10.0.0.1 $1 -n 1 > /dev/null 2>&1; echo >> $2; usleep 20000; done"; }
guest g1 "rm -f /tmp/a54.sent; (su -s /bin/sh alice -c '$(loop 5480 /tmp/a54.sent)' &) ; (su -s /bin/sh mail -c '$(loop 5481 /tmp/m54.sent)' &)" > /dev/null
t_ok "here: mail's datagrams arrive" wait_for 60 got_ge /tmp/mail54.log 10
t_ok "here: the rule drops alice's datagrams" wait_for 60 pkts_ge 10

# The move. xenconsoled on the peer logs the arriving domain under the
# name it has during the restore; its output is not needed here (the
# senders started before the move keep running), the log is kept.
t_ok "peer: migration receiver on 7001" \
	peer "socat TCP-LISTEN:7001,reuseaddr EXEC:'xl migrate-receive' > /tmp/mr.log 2>&1 & sleep 0.2"
# The store does not answer while g1 leaves (etcd stopped, as a member
# busy or away): this host's put of g1's counters fails, and is tried
# again until etcd, continued, takes it. The peer applies g1's rules from
# its copy of the store meanwhile.
s=$(date +%s)
pk_here=$(pkts)
kill -STOP "$E"
t_ok "xl migrate g1 to the peer (live), etcd stopped" xl migrate -s "" g1 "socat - TCP:192.168.77.2:7001"
echo "# xl migrate took $(($(date +%s) - s)) s"
t_ok "g1 has left this host" sh -c "! xl domid g1"
D2=$(peer "xl domid g1" 2>/dev/null)
echo "# g1 is domid $D2 on the peer"
t_ok "g1 runs on the peer" test -n "$D2"
t_ok "peer: xfilterd applied the store to g1's domid there" on_peer \
	"wait_for 240 xfd_ready g1 && xfctl rule list | grep -q 'dom $D2 uid 1001 proto udp dport 5480 drop'"
t_ok "peer: and logged it" on_peer \
	"grep -q 'etcd: guest g1[^ ]* ($U) domid $D2: 1 rules applied from the store' \$XFD_LOG"
# Counters follow the guest: this host's xfilterd puts what g1's rule
# counted here under g1's counters key when g1 leaves; the peer's adds it
# to the rule there and deletes the key.
failed() { grep -q "etcd: guest $U domid $D left: putting its counters failed: .*; trying again" "$XFD_LOG"; }
t_ok "here: the store did not take g1's counters when g1 left" wait_for 60 failed
kill -CONT "$E"
left() { grep -q "etcd: guest $U domid $D left: its 1 rules' counters ($(pkts) packets) kept in the store (put [2-9]" "$XFD_LOG"; }
t_ok "here: it took them once etcd went on (put again)" wait_for 120 left
t_ok "here: counted as late in the status file" wait_for 30 \
	grep -q '^store etcd .* counters_waiting=0 counters_late=1 counters_lost=0' "$XFD_STATS"
pk_left=$(pkts)
t_ok "peer: xfilterd carried them into g1's rule there ($pk_left packets)" on_peer \
	"wait_for 60 grep -q 'domid $D2: counters carried from the store (1 rules, $pk_left packets)' \$XFD_LOG"
t_ok "peer: the rule's count continues from this host's" on_peer "wait_for 60 pkts_ge $((pk_left + 10))"
t_ok "peer: mail's datagrams arrive there (g1 sends from the peer, the gate opened)" \
	on_peer "wait_for 120 got_ge /tmp/mail54.log 20"
t_ok "peer: the rule there drops alice's datagrams" on_peer "wait_for 60 pkts_ge 10"
pk_peer=$(on_peer pkts)
esc_peer=$(on_peer "got /tmp/esc54.log")
esc_here=$(got /tmp/esc54.log)
echo "# alice: $pk_here dropped here when the move began, $pk_left when g1 left; the peer's rule counts $pk_peer in all; reached dom0: $esc_here here, $esc_peer on the peer"
t_is "none of alice's datagrams reached this dom0" "$esc_here" 0
t_is "none of alice's datagrams reached the peer's dom0" "$esc_peer" 0
echo "# peer: $(on_peer "xfctl domain show $D2 | head -n 3" | tr -s ' \n' ' ')"

# Policy change to enforcement where g1 runs now: 20 changes of its rules
# put in the store from the peer (etcd is on this host), each timed to the
# peer's xfilterd applying it (one clock). Figures only, no limit.
t_ok "peer: 20 rule changes in the store, each applied to g1 there" \
	on_peer "change_lat $U $D2 20"
on_peer "cat /tmp/lat54" > /tmp/lat54
ms() { awk "{ printf \"%.1f\\n\", (\$$2 - \$$1) * 1000 }" /tmp/lat54 | sort -n | awk '{ v[NR] = $1 } END { printf "p50 %s p90 %s max %s", v[int(NR / 2)], v[int(NR * 9 / 10)], v[NR] }'; }
echo "# store change to rules applied on the peer (ms, 20 changes): from xfctl's start $(ms 1 3); from the put's return $(ms 2 3); the put itself (xfctl run) $(ms 1 2)"
t_ok "peer: no oops, warning or leak report in dmesg" on_peer "! dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|Call Trace|leak'"
on_peer "xfd_stop; xfctl rule flush; rmmod xfilter" > /dev/null
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
