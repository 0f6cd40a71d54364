#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default
#
# xfctl restore while a guest the file names is down: the restore does not
# fail, nothing of that guest is lost, and once the guest is started
# (xl create) xfilterd applies its rules, at their places, and its
# settings. Its rule drops g2's UDP to 5451, which a later rule for every
# domain accepts: dropped packets prove the rule sits before that one.
#
#   save (g2 up) -> xl destroy g2 -> flush -> restore: g2's rule kept as
#   "dom 0" (matches nothing), listed in /var/lib/xfilter/kept
#   xl create g2 (new domid D2) -> xfilterd: rule to dom D2, settings set
#   g2 10.0.0.3 ── vif<D2>.0 [dom D2 udp 5451 drop] ── dom0 10.0.0.1:5451
. ./lib.sh
. ./xfd_lib.sh

if ! guest_domid g2 > /dev/null; then
	t_skip "restore for a guest that is down" "g2 is not up (run the lab with --guests \"g1 g2\")"
	t_done
	exit 0
fi
KEPT=/var/lib/xfilter/kept
F=/tmp/kept.rules
cleanup() { xfd_cleanup; rm -f "$F" /tmp/kept2.rules /tmp/kept.out; }
trap cleanup EXIT
dmesg_mark
t_ok "insmod xfilter.ko" xf_load
xfd_start
t_ok "xfilterd runs" wait_for 60 sh -c "grep -q '^pid $XFD_PID\$' $XFD_STATS"
t_ok "rules: g2's udp 5451 drop before udp 5451 accept for all; g1's 5453 drop" sh -c '
	xfctl rule add dom g2 proto udp dport 5451 drop &&
	xfctl rule add proto udp dport 5451 accept &&
	xfctl rule add dom g1 proto udp dport 5453 drop'
t_ok "g2: detect alert ports 7" xfctl domain set g2 detect alert ports 7
t_ok "save with g2 running" xfctl save "$F"
sed 's/^/# /' "$F"
t_ok "g2 is saved by name, with its UUID" sh -c "grep -q '^dom g2 proto udp dport 5451 drop' $F && grep -q '^guest g2 uuid ' $F"
t_ok "and its settings" grep -q '^domain set g2 .* detect alert .* ports 7 ' "$F"

t_ok "g2 destroyed" guest_down g2
t_ok "flush" xfctl rule flush
xfctl restore "$F" > /tmp/kept.out 2>&1; rc=$?
echo "# rc $rc: $(cat /tmp/kept.out)"
t_is "restore with g2 down succeeds" "$rc" 0
t_ok "and says g2's rule and settings are kept" \
	grep -q 'guest g2 .* is not running: 1 rule(s) and its settings kept' /tmp/kept.out
t_is "three rules in the table" "$(xfctl rule list | grep -c .)" 3
t_ok "g2's rule at its place (first), bound to dom 0" \
	sh -c "xfctl rule list | head -n1 | grep -q 'dom 0 proto udp dport 5451 drop'"
t_ok "the kept file names g2" sh -c "grep -q '^rule .* g2 ' $KEPT && grep -q '^domain .* g2 .*detect alert' $KEPT"
t_ok "save with g2 down writes the same file" sh -c "xfctl save /tmp/kept2.rules && cmp $F /tmp/kept2.rules"

t_ok "g2 created again (xl create)" guest_start g2
t_ok "g2 boots" guest_wait g2
D2=$(guest_domid g2)
echo "# g2 is domid $D2"
t_ok "xfilterd applied the kept lines (the kept file is gone)" wait_for 60 sh -c "! [ -e $KEPT ]"
t_ok "g2's rule moved to dom $D2, still first" \
	sh -c "xfctl rule list | head -n1 | grep -q 'dom $D2 proto udp dport 5451 drop'"
t_ok "no dom 0 rule left" sh -c "! xfctl rule list | grep -q 'dom 0 '"
t_ok "g2's settings set: detect alert, ports 7" \
	sh -c "xfctl domain show $D2 | grep -q 'detect alert .* ports 7 '"
t_ok "xfilterd logged it" grep -q "guest g2 (.*) started as domid $D2: 1 kept rules and its settings applied" "$XFD_LOG"
t_ok "g2 sends 3 datagrams to 10.0.0.1:5451" guest g2 "xfnet udp-send 10.0.0.1 5451 -n 3"
t_is "the kept rule dropped them" "$(rule_pkts 'dport 5451 drop')" 3
t_is "the rule for all domains after it saw none" "$(rule_pkts 'dport 5451 accept')" 0
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
