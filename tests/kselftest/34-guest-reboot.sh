#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default
#
# A guest rebooted under xfilter comes back under a new domid. Its rules,
# named by guest when added, must follow it: xfilterd sees the domain
# leave and return (xenstore), moves the rules and settings from the old
# domid to the new one, introspects the new instance, and alice is still
# dropped while mail still works.
#
#   g1 (domid D) ── reboot ──► g1 (domid D', same name and UUID)
. ./lib.sh
. ./xfd_lib.sh

trap 'kill $L1 2>/dev/null; xfd_cleanup' EXIT
xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!
dmesg_mark

D=$(guest_domid g1)
echo "# g1 is domid $D"
t_ok "xfilterd introspects g1" xfd_setup g1
t_ok "rule: dom g1 uid 1001 dport 25 drop" xfctl rule add dom g1 uid 1001 dport 25 drop
t_ok "g1: fail accept (a setting that must follow too)" xfctl domain set g1 fail accept
t_ok "before reboot: alice dropped" out_has "filtered=1" alice g1 "xfnet tcp-connect 10.0.0.1 25 -t 1500"

# Reboot from inside, as an intruder or an update would; xl restarts it.
log=$(guest_log g1)
stat -c %s "$log" > /run/xf-g1.logsize
(guest g1 "reboot -f" > /dev/null 2>&1 &)
t_ok "g1 comes back under a new domid" \
	wait_for 120 sh -c "d=\$(xl domid g1 2>/dev/null) && [ -n \"\$d\" ] && [ \"\$d\" != $D ]"
t_ok "g1 boots again" guest_wait g1
D2=$(guest_domid g1)
echo "# g1 is now domid $D2"
t_ok "the rule moved to domid $D2" sh -c "xfctl rule list | grep 'uid 1001' | grep -q 'dom $D2 '"
t_ok "no rule is left on the old domid $D" sh -c "! xfctl rule list | grep -q 'dom $D '"
t_ok "the setting moved too" sh -c "xfctl domain show $D2 | grep -q 'fail.*accept'"
t_ok "xfilterd introspects the new g1" wait_for 240 xfd_ready g1
t_ok "after reboot: alice still dropped" out_has "filtered=2" alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 -t 1500"
t_ok "after reboot: mail still connects" out_has "ok=3" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 -t 3000"
t_ok "xfilterd logged the move" grep -q "moved from domid $D to $D2" "$XFD_LOG"
if [ "$XF_MODE" = hypervisor ]; then
	t_ok "xfilterd loaded the new g1's profile into Xen by itself" \
		grep -q "domain $D2 (g1): profile loaded into Xen" "$XFD_LOG"
fi
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
