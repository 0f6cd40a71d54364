#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default
#
# The rootkit of 40-rootkit.sh against the walker inside Xen (fast mode):
# the same four lies, asked of the hypervisor directly with `xfctl hv check`.
# Xen must stay up, every check must come back (bounded walk), a hidden
# process's flow keeps its socket's credentials but gets no task, and a
# lying socket's flow is never given an owner.
#
#   g1: alice nc (hidden / lying) ─┐                      ┌ nc -lk 7000 (TCP)
#       bob nc                    ─┴─ vif<D>.0 ─ xenbr0 ─┼ nc -lk 7002 (TCP)
#       xfrk.ko (guest kernel)                            └ tcpdump udp 7001
#                   ▲ reads guest memory
#   Xen [xfilter_op check] ◄── xfctl hv check (dom0, privcmd)
#
# Needs the patched Xen (tests/run boots it for this pass, XF_XEN=patched).
. ./lib.sh
. ./xfd_lib.sh

XFCTL=/xf/bin/xfctl
D=$(guest_domid g1)
G1=$(guest_ip g1)
HOLD=${HV_RK_HOLD_S:-15}	# seconds each corruption stays in place
dmesg_mark

if ! $XFCTL hv probe > /dev/null 2>&1; then
	if [ "${XF_XEN:-}" = patched ]; then
		t_ok "the patched Xen answers the probe" false
	else
		t_skip "rootkit against the Xen walker" "stock Xen: no xfilter_op"
	fi
	t_done
	exit $?
fi

trap 'kill $L1 $L2 2>/dev/null; guest g1 "rmmod xfrk; killall nc sleep" > /dev/null 2>&1; $XFCTL hv profile g1 clear > /dev/null 2>&1' EXIT
nc -lk 7000 > /dev/null 2>&1 & L1=$!
nc -lk 7002 > /dev/null 2>&1 & L2=$!
t_ok "profile load for g1" $XFCTL hv profile g1 --kernel /xf/guest/vmlinuz
t_ok "Xen rules: default accept, unattributed drop" sh -c \
	"$XFCTL hv rules --generation 1 --default accept --unattributed drop /dev/null"
t_ok "the rootkit module is in the guest" guest g1 "test -f /xf/bin/xfrk.ko"

# A long-lived TCP connection of USER to dom0 PORT: prints "PID SPORT".
connect()
{
	local pid sport
	pid=$(guest g1 "su -s /bin/sh $1 -c 'exec sleep 600' | su -s /bin/sh $1 -c 'exec nc 10.0.0.1 $2' > /dev/null 2>&1 & echo \$!" | tail -n1)
	wait_for 20 sh -c "ss -tnH state established '( sport = :$2 )' | grep -q '$G1:'"
	sport=$(ss -tnH state established "( sport = :$2 )" | awk '{print $4}' | sed -n "s/^$G1://p" | tail -n1)
	echo "$pid $sport"
}
# check PROTO SPORT DPORT: one flow of g1 to dom0, JSON fields on stdout.
check()
{
	timeout -s KILL 30 $XFCTL -j hv check g1 "$1" "$G1" "$2" 10.0.0.1 "$3"
}
field() { sed -n "s/.*\"$1\": \"*\([^,\"]*\).*/\1/p"; }
xen_up() { $XFCTL hv probe > /dev/null && xl list g1 > /dev/null && guest g1 true > /dev/null; }

set -- $(connect bob 7002)
BOB_PID=$1 BOB_PORT=$2
set -- $(connect alice 7000)
ALICE_PID=$1 ALICE_PORT=$2
echo "# bob: nc pid $BOB_PID port $BOB_PORT; alice: nc pid $ALICE_PID port $ALICE_PORT"
t_ok "both connections are up" test -n "$BOB_PORT" -a -n "$ALICE_PORT"
t_is "before: Xen finds bob's flow (uid)" "$(check tcp "$BOB_PORT" 7002 | field uid)" 1002
t_is "before: Xen finds alice's flow (uid)" "$(check tcp "$ALICE_PORT" 7000 | field uid)" 1001

# ---- (a) a hidden process ---------------------------------------------------
# The nc's pid: the pipeline's $! is the last command, nc itself.
t_ok "hide alice's nc (pid $ALICE_PID)" guest g1 "insmod /xf/bin/xfrk.ko hide_pid=$ALICE_PID"
r=$(check tcp "$ALICE_PORT" 7000)
echo "# hide: $r"
t_is "hide: Xen finds the owner from the socket itself" "$(echo "$r" | field found)" true
t_is "hide: its credentials: alice's (uid 1001)" "$(echo "$r" | field uid)" 1001
t_is "hide: no task for it (pid 0): the hidden task is not found" "$(echo "$r" | field pid)" 0
t_is "hide: bob is still bob" "$(check tcp "$BOB_PORT" 7002 | field uid)" 1002
t_ok "hide: unhide (rmmod)" guest g1 "rmmod xfrk"

# ---- (b) a cycle, garbage, a wild pointer ------------------------------------
guest g1 "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" > /dev/null
for mode in cycle_pid=2 garbage=1 wild=1; do
	m=${mode%%=*}
	t_ok "$m: insmod xfrk $mode hold_s=$HOLD" guest g1 "insmod /xf/bin/xfrk.ko $mode hold_s=$HOLD"
	r=$(check tcp "$BOB_PORT" 7002)
	echo "# $m: $r"
	t_ok "$m: the check came back" test -n "$r"
	uid=$(echo "$r" | field uid) found=$(echo "$r" | field found)
	t_ok "$m: bob's flow is bob's or unattributed (found $found uid $uid)" \
		test "$found" = false -o "$uid" = 1002
	t_ok "$m: Xen, dom0 and g1 are up" xen_up
	t_ok "$m: restore (rmmod)" guest g1 "rmmod xfrk"
done
guest g1 "echo 120 > /proc/sys/kernel/hung_task_timeout_secs" > /dev/null

# ---- (c) tasklist_lock held ---------------------------------------------------
t_ok "lock: insmod xfrk lock_ms=300 lock_gap_ms=100 lock_s=$HOLD" \
	guest g1 "insmod /xf/bin/xfrk.ko lock_ms=300 lock_gap_ms=100 lock_s=$HOLD"
bad=0
for i in 1 2 3 4 5; do
	r=$(check tcp "$BOB_PORT" 7002)
	echo "# lock $i: $r"
	uid=$(echo "$r" | field uid) found=$(echo "$r" | field found)
	[ -n "$r" ] && { [ "$found" = false ] || [ "$uid" = 1002 ]; } || bad=$((bad + 1))
done
t_is "lock: 5 checks came back, none gave bob's flow to another user" "$bad" 0
t_ok "lock: Xen, dom0 and g1 are up" xen_up
t_ok "lock: rmmod" guest g1 "rmmod xfrk"

# ---- (d) a UDP socket that lies about its port ---------------------------------
# One datagram now (its source port is the truth), the next in 20 s.
timeout 30 tcpdump -l -n -c 1 -i "vif$D.0" udp and dst port 7001 > /tmp/hvrk.udp 2>/dev/null &
TD=$!
sleep 2
Q=$(guest g1 "su -s /bin/sh alice -c 'exec xfnet udp-send 10.0.0.1 7001 -n 2 -i 20000 -t 500' > /dev/null 2>&1 & echo \$!" | tail -n1)
wait $TD
UPORT=$(sed -n "s/.* IP $G1\.\([0-9]*\) > 10\.0\.0\.1\.7001:.*/\1/p" /tmp/hvrk.udp | head -n1)
echo "# ports: alice's UDP socket (pid $Q) sends from port '$UPORT'"
t_ok "ports: alice's datagram seen" test -n "$UPORT"
t_is "ports: before the lie Xen finds alice's UDP socket" "$(check udp "$UPORT" 7001 | field uid)" 1001
t_ok "ports: rewrite its port to 4444" guest g1 "insmod /xf/bin/xfrk.ko ports_pid=$Q new_port=4444"
r=$(check udp "$UPORT" 7001)
echo "# ports: $r"
t_is "ports: the real port's flow gets no owner" "$(echo "$r" | field found)" false
t_ok "ports: rmmod (port restored)" guest g1 "rmmod xfrk"

# ---- after ------------------------------------------------------------------------
t_is "after: Xen finds bob's flow again" "$(check tcp "$BOB_PORT" 7002 | field uid)" 1002
$XFCTL hv counters | sed 's/^/# counters: /'
t_ok "Xen's console shows no crash or assertion" sh -c \
	"! xl dmesg | grep -Eiq 'panic|fatal|assertion|BUG at'"
t_ok "profile clear" $XFCTL hv profile g1 clear
t_ok "no oops, warning or leak report in dom0's dmesg" dmesg_clean
t_ok "no BUG/Oops in g1's console" sh -c "! grep -A 30 -E 'BUG:|Oops|general protection' $(guest_log g1)"
t_done
