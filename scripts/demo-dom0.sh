#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run in the lab's dom0 (scripts/demo). Lines starting with "| "
# are the narrative; "$ " lines are what the operator types.
#
#   g1 (10.0.0.2) ── vif<D>.0 [xfilter] ── xenbr0 ── dom0 (10.0.0.1)
. ./lib.sh

say() { echo "| $*"; }
run() { echo "| \$ $*"; "$@" 2>&1 | sed 's/^/|   /'; }

d=$(guest_domid g1)
vif=vif$d.0
say "Guest g1 is domain $d; its traffic enters dom0 on $vif, a port of xenbr0."
run xl list
say "Load xfilter: it attaches to every vif, now and as guests come."
dmesg_mark
run insmod /xf/xfilter.ko
dmesg | tail -n +$((XF_DMESG_MARK + 1)) | grep xfilter | sed 's/^/|   /'
say "g1 talks to dom0 through the module: ICMP, then TCP."
guest g1 "ping -c 3 10.0.0.1" 2>/dev/null | sed 's/^/|   [g1] /'
nc -l 5001 > /tmp/demo.rx &
wait_for 10 sh -c "ss -ltn | grep -q ':5001 '"
guest g1 "echo hello dom0, from g1 | nc -w 5 10.0.0.1 5001" 2>/dev/null
wait
say "dom0 received: $(cat /tmp/demo.rx)"
if xfctl vif > /dev/null 2>&1; then
	run xfctl vif
fi
t_is "g1 traffic passed through xfilter" "$(cat /tmp/demo.rx)" "hello dom0, from g1"
run rmmod xfilter
t_ok "no oops or warning in dmesg" dmesg_clean
t_done
