#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: stock
#
# The scenario of the xFilter paper: a guest is a stepping stone. Its mail
# service (user mail) sends to port 25 of dom0 while an intruder (user
# alice) scans port 25. The operator finds alice with `xfctl ps` and drops
# her, by uid, by comm and by pid, over TCP and UDP, IPv4 and IPv6; mail
# keeps working throughout, and removing each rule restores alice.
#
#   g1: mail  ─┐                                      ┌─ xfnet tcp-listen 25
#       alice ─┴─ vif<D>.0 [xfilter] ─ xenbr0 ─ dom0 ─┴─ xfnet udp-echo 25
#                      │ batch       ▲ verdicts
#                      └──► xfilterd ┘ (reads g1's memory)
. ./lib.sh
. ./xfd_lib.sh

D=$(guest_domid g1)
C="-t 3000"
trap 'kill $L1 $L2 $MON 2>/dev/null; xfd_cleanup' EXIT
xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!
xfnet udp-echo 25 > /dev/null 2>&1 & L2=$!
dmesg_mark

t_ok "xfilterd introspects g1 (domid $D)" xfd_setup g1
t_ok "without rules mail reaches dom0:25" as mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 $C"
t_ok "without rules alice reaches dom0:25" as alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 $C"

# alice's intruder process holds a connection: ps finds her.
guest g1 "su -s /bin/sh alice -c 'xfnet tcp-connect 10.0.0.1 25 -n 1 -H 20' > /dev/null 2>&1 &" > /dev/null
P=
for i in $(seq 60); do
	P=$(owner_pid g1 1001 25)
	[ -n "$P" ] && break
	sleep 1
done
t_ok "xfctl ps shows alice's process connected to port 25 (pid '$P')" test -n "$P"

check_blocked()	# DESC: alice blocked on every path, mail not
{
	t_ok "$1: alice's TCP/IPv4 to port 25 is dropped" \
		out_has "ok=0 refused=0 filtered=3" alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 -t 1500"
	t_ok "$1: alice's TCP/IPv6 to port 25 is dropped" \
		out_has "ok=0 refused=0 filtered=2" alice g1 "xfnet tcp-connect fd00::1 25 -n 2 -t 1500"
	t_ok "$1: alice's UDP to port 25 gets no answer" \
		out_has "replies=0" alice g1 "xfnet udp-send 10.0.0.1 25 -n 2 -r -t 1500"
	# Off-link addresses go through the vif to the gateway (dom0): the
	# rule's counter shows the filter, not the missing hosts, dropped them.
	n0=$(rule_pkts "$2")
	# The 8 connects at once: each waits out its timeout when dropped.
	t_is "$1: alice's scan of port 25 on 8 addresses is all filtered" \
		"$(as alice g1 "for i in 1 2 3 4 5 6 7 8; do xfnet tcp-connect 192.0.2.\$i 25 -t 2500 & done; wait" | grep -c ' filtered=1')" 8
	t_ok "$1: the rule dropped every scan SYN" test "$(($(rule_pkts "$2") - n0))" -ge 8
	t_ok "$1: alice still reaches dom0 port 26 (rule is port 25 only)" \
		out_has "refused=1" alice g1 "xfnet tcp-connect 10.0.0.1 26 -t 3000"
	t_ok "$1: every mail TCP/IPv4 connection succeeds" as mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 5 $C"
	t_ok "$1: every mail TCP/IPv6 connection succeeds" as mail g1 "xfnet tcp-connect fd00::1 25 -n 3 $C"
	t_ok "$1: mail's UDP to port 25 is answered" \
		out_has "replies=2" mail g1 "xfnet udp-send 10.0.0.1 25 -n 2 -r $C"
}
check_restored()
{
	t_ok "$1 removed: alice reaches dom0:25 again (IPv4)" as alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 $C"
	t_ok "$1 removed: alice reaches dom0:25 again (IPv6)" as alice g1 "xfnet tcp-connect fd00::1 25 -n 2 $C"
}

xfctl -j monitor > /tmp/mon.json 2>&1 & MON=$!
t_ok "rule: dom g1 uid 1001 dport 25 drop" xfctl rule add dom g1 uid 1001 dport 25 drop
check_blocked "uid rule" "uid 1001 dport"
t_ok "the uid rule counted alice's packets" \
	sh -c "xfctl rule list | grep 'uid 1001' | grep -qv ' 0 pkts'"
t_ok "delete the uid rule" xfctl rule del dom g1 uid 1001 dport 25 drop
check_restored "uid rule"

t_ok "rule: dom g1 comm xfnet uid 1001 dport 25 drop" xfctl rule add dom g1 comm xfnet uid 1001 dport 25 drop
check_blocked "comm rule" "comm xfnet"
t_ok "rule: mail's own comm is not matched by comm nc" xfctl rule add dom g1 comm nc dport 25 drop
t_ok "comm nc rule: mail's xfnet still succeeds" as mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 $C"
t_ok "comm nc rule: busybox nc as mail is dropped" \
	fails as mail g1 "echo hi | nc -w 2 10.0.0.1 25"
xfctl rule del dom g1 comm nc dport 25 drop
t_ok "delete the comm rule" xfctl rule del dom g1 comm xfnet uid 1001 dport 25 drop
check_restored "comm rule"

# By pid: one long-lived scanner process of alice, found with xfctl ps. It
# holds its first connection and waits for /tmp/scan.go (made once the rule
# is in) before the other nine: the rule's effect, not a race.
guest g1 "rm -f /tmp/scan.go; su -s /bin/sh alice -c 'xfnet tcp-connect 10.0.0.1 25 -n 10 -t 800 -H 20 -w /tmp/scan.go' > /tmp/scan.out 2>&1 &" > /dev/null
S=
for i in $(seq 60); do
	S=$(owner_pid g1 1001 25 all | grep -vx "$P" | head -n1)
	[ -n "$S" ] && break
	sleep 1
done
t_ok "xfctl ps finds alice's scanner (pid '$S')" test -n "$S"
t_ok "rule: dom g1 pid $S dport 25 drop" xfctl rule add dom g1 pid "${S:-0}" dport 25 drop
guest g1 "touch /tmp/scan.go" > /dev/null
wait_for 60 guest g1 "grep -q tcp-connect /tmp/scan.out"
out=$(guest g1 "cat /tmp/scan.out")
echo "# scanner: $out"
t_ok "pid rule: the scanner's later connections were dropped" \
	sh -c "echo '$out' | grep -q 'ok=1 refused=0 filtered=9'"
t_ok "pid rule: its earlier connections had succeeded" \
	sh -c "echo '$out' | grep -q ' ok=[1-9]'"
t_ok "pid rule: other alice processes are not matched" as alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 $C"
t_ok "pid rule: mail unaffected" as mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 $C"
t_ok "delete the pid rule" xfctl rule del dom g1 pid "${S:-0}" dport 25 drop

t_ok "the $XF_MODE verdict source attributed flows of g1" test "$(src_stat g1 attributed)" -gt 0
t_is "no flow of g1 needed the fail policy" "$(kstat fail_timeout)/$(kstat fail_absent)" "0/0"
kill $MON
t_ok "xfctl -j monitor showed alice's dropped flows with her uid" \
	sh -c "grep '\"action\":\"drop\"' /tmp/mon.json | grep -q '\"uid\":1001'"
t_ok "xfctl -j monitor showed mail's accepted flows with comm" \
	sh -c "grep '\"action\":\"accept\"' /tmp/mon.json | grep '\"uid\":8' | grep -q '\"comm\":\"xfnet\"'"
t_ok "xfilterd stops cleanly on SIGTERM" xfd_stop
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
