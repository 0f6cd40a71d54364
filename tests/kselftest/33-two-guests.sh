#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default trixie
#
# Two guests at once with different rules: on g1 alice (uid 1001) is cut
# from port 25, on g2 the mail user (uid 8) is. Each guest's flows are
# attributed from its own memory and matched against its own rules; mail
# in g1 also sends to port 25 of g2 (guest to guest through the bridge).
# Needs the lab started with --guests "g1 g2"; skips otherwise.
#
#   g1 10.0.0.2 ── vif<D1>.0 ─┐
#                             ├─ xenbr0 ── dom0 10.0.0.1 (tcp-listen 25)
#   g2 10.0.0.3 ── vif<D2>.0 ─┘   (g2 also listens on 25)
. ./lib.sh
. ./xfd_lib.sh

if ! guest_domid g2 > /dev/null; then
	t_skip "two guests with different rules" "g2 is not up (run the lab with --guests \"g1 g2\")"
	t_done
	exit 0
fi
trap 'kill $L1 2>/dev/null; xfd_cleanup' EXIT
xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!
guest g2 "xfnet tcp-listen 25 > /dev/null 2>&1 &" > /dev/null
dmesg_mark

t_ok "xfilterd introspects g1 and g2" xfd_setup g1 g2
t_ok "rule: dom g1 uid 1001 dport 25 drop" xfctl rule add dom g1 uid 1001 dport 25 drop
t_ok "rule: dom g2 uid 8 dport 25 drop" xfctl rule add dom g2 uid 8 dport 25 drop

t_ok "g1: alice is dropped" out_has "filtered=2" alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 -t 1500"
t_ok "g1: mail reaches dom0:25" out_has "ok=3" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 -t 3000"
t_ok "g1: mail reaches g2:25" out_has "ok=3" mail g1 "xfnet tcp-connect 10.0.0.3 25 -n 3 -t 3000"
t_ok "g2: mail is dropped" out_has "filtered=2" mail g2 "xfnet tcp-connect 10.0.0.1 25 -n 2 -t 1500"
t_ok "g2: alice reaches dom0:25" out_has "ok=3" alice g2 "xfnet tcp-connect 10.0.0.1 25 -n 3 -t 3000"
t_ok "g2: alice reaches g1 over IPv6? no listener: refused, not filtered" \
	out_has "refused=1" alice g2 "xfnet tcp-connect fd00::2 25 -t 3000"
t_ok "the $XF_MODE source attributed flows in both guests" \
	sh -c "[ $(src_stat g1 attributed) -gt 0 ] && [ $(src_stat g2 attributed) -gt 0 ]"
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
