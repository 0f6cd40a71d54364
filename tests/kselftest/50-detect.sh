#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: stock
#
# Scan detection names the process: in g1 an intruder (alice) scans dom0's
# ports while the guest's web server (www-data, port 8080) is under load
# from dom0 and a well-behaved user (bob) keeps connecting to one service.
# The alert names alice's scanner (pid, uid, comm), with the evidence and a
# ready-made rule that stops her and nobody else; the web server and bob
# raise nothing.
#
#   g1: alice  xfnet scan ──────┐                  ┌─ closed ports 3000-3029
#       bob    xfnet x15 :25 ───┼─ vif [xfilter] ──┤  xfnet tcp-listen 25
#       www    tcp-listen 8080 ◄┘     │ detector   └─ xfnet tcp-connect g1:8080 x150
#                                     └── xfilterd names the owners
. ./lib.sh
. ./xfd_lib.sh

D=$(guest_domid g1)
C="-t 3000"
trap 'kill $L1 $MON $WEB 2>/dev/null; xfd_cleanup' EXIT
xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!
dmesg_mark

alerts_json() { xfctl -j alerts g1 | sed 's/},{"id"/}\n{"id"/g; s/^\[//; s/\]$//'; }
has_alert_uid() { alerts_json | grep -q "\"uid\":$1,"; }

t_ok "xfilterd introspects g1 (domid $D)" xfd_setup g1
t_ok "detect alert on g1 (window 10 s, 12 ports, 12 hosts, 40 flows)" \
	xfctl domain set g1 detect alert window 10 ports 12 hosts 12 flows 40
t_ok "domain show reports the detector settings" \
	sh -c "xfctl domain show g1 | grep -q 'detect alert window 10000ms ports 12 hosts 12 flows 40'"
t_ok "bad detector settings are refused with a message" \
	sh -c "! xfctl domain set g1 ports 100 2>/tmp/e && grep -q 'ports' /tmp/e && cat /tmp/e"
t_is "no alerts yet" "$(alerts_json)" ""

xfctl -j monitor > /tmp/mon50.json 2>&1 & MON=$!

# The web server and its load, the well-behaved user, then the intruder.
guest g1 "su -s /bin/sh www-data -c 'xfnet tcp-listen 8080 -e' > /dev/null 2>&1 &" > /dev/null
t_ok "g1's web server listens on 8080" \
	wait_for 20 sh -c "xfnet tcp-connect 10.0.0.2 8080 -t 2000 | grep -q ok=1"
xfnet tcp-connect 10.0.0.2 8080 -n 150 -s hello -t 3000 > /tmp/web50.out 2>&1 & WEB=$!
t_ok "bob's 15 connections to dom0:25 succeed" as bob g1 "xfnet tcp-connect 10.0.0.1 25 -n 15 $C"
t_ok "alice scans 30 closed ports of dom0" \
	out_has "reached=30" alice g1 "xfnet scan 10.0.0.1 3000-3029 -t 3000"
t_ok "an alert for alice (uid 1001) is raised" wait_for 10 has_alert_uid 1001
wait $WEB
web=$(grep tcp-connect /tmp/web50.out)
echo "# web load: $web"
t_ok "all 150 web requests under load were answered" sh -c "echo '$web' | grep -q ok=150"

a=$(alerts_json | grep '"uid":1001,' | head -n1)
echo "# alert: $a"
t_ok "the alert names comm xfnet" sh -c "echo '$a' | grep -q '\"comm\":\"xfnet\"'"
t_ok "the alert is a port scan" sh -c "echo '$a' | grep -q '\"kinds\":\[\"portscan\"\]'"
t_ok "the alert carries the evidence (>= 12 ports in 3000-3029, 1 host)" \
	sh -c "echo '$a' | grep -q '\"hosts\":1,' && echo '$a' | grep -q '\"port_min\":3000,' &&
	       [ \$(echo '$a' | sed -n 's/.*\"ports\":\([0-9]*\).*/\1/p') -ge 12 ]"
P=$(echo "$a" | sed -n 's/.*"owner":{"pid":\([0-9]*\).*/\1/p')
t_ok "the alert names a pid ('$P'), not the web server's or bob's" test -n "$P" -a "${P:-0}" -gt 1
LAT=$(echo "$a" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
echo "# detection latency: $LAT new flows of the scanner until the alert (threshold 12)"
t_ok "detected within 12 new flows of the scanner" test "${LAT:-99}" -le 12
t_ok "the suggested rule is by uid, proto and host" \
	sh -c "echo '$a' | grep -q '\"rule\":\"dom $D uid 1001 proto tcp dst 10.0.0.1 drop\"'"
t_ok "xfctl alerts prints the ready-made command" \
	sh -c "xfctl alerts | grep -q 'rule: xfctl rule add dom $D uid 1001 proto tcp dst 10.0.0.1 drop'"
t_ok "xfctl alerts names the owner" \
	sh -c "xfctl alerts | grep -q 'portscan pid $P .*uid 1001 .*comm xfnet'"

FALSE=$(alerts_json | grep -v '"uid":1001,' | wc -l)
echo "# false alerts under the web-server load: $FALSE"
t_is "no alert names the web server (uid 33) or bob (uid 1002)" "$FALSE" 0
t_ok "the alert was shown live by xfctl -j monitor" \
	wait_for 5 sh -c "grep '^{\"alert\":' /tmp/mon50.json | grep -q '\"uid\":1001,'"

# The ready-made rule works as printed: alice stops, bob does not.
cmd=$(xfctl alerts | sed -n 's/^ *rule: //p' | head -n1)
t_ok "run the suggested command: $cmd" $cmd
t_ok "alice's connections to dom0 are now dropped" \
	out_has "filtered=1" alice g1 "xfnet tcp-connect 10.0.0.1 25 -t 1500"
t_ok "bob's still succeed" as bob g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 $C"
t_ok "delete it" xfctl rule del dom "$D" uid 1001 proto tcp dst 10.0.0.1 drop

t_ok "detect off on g1" xfctl domain set g1 detect off
t_ok "domain show says detect off" sh -c "xfctl domain show g1 | grep -q 'detect off'"
n0=$(alerts_json | wc -l)
as alice g1 "xfnet scan 10.0.0.1 4000-4019 -t 3000" > /dev/null
t_is "no new alert after a scan with detection off" "$(alerts_json | wc -l)" "$n0"
t_is "no flow of g1 needed the fail policy" "$(kstat fail_timeout)/$(kstat fail_absent)" "0/0"
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
