#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run in the lab's dom0 by scripts/demo: the stepping-stone story
# of the xFilter paper. "| " lines are the narrative, "| $ " lines what the
# operator types, followed by what they see.
#
#   g1: mail (user mail) ── sends to dom0:25 every second
#       web  (www-data)  ── busybox httpd :80, fetched from dom0
#       intruder (alice) ── scans port 25
#            └── vif<D>.0 [xfilter.ko] ── xenbr0 ── dom0 (10.0.0.1)
#                    batches ▼   ▲ verdicts
#                        xfilterd (reads g1's kernel memory)
#
# XF_DEMO_MODE=hypervisor (scripts/demo --mode hypervisor, patched Xen):
# the batches go to the filter in Xen by hypercall instead of xfilterd;
# g1's profile is loaded into Xen with xfctl hv profile.
. ./lib.sh
. ./xfd_lib.sh

MODE=${XF_DEMO_MODE:-userland}

say() { echo "|"; echo "| $*"; }
run() { echo "| \$ $*"; "$@" 2>&1 | sed 's/^/|   /'; }
in_g1() { guest g1 "$@" 2>/dev/null; }

D=$(guest_domid g1)
trap 'kill $L1 2>/dev/null; xfd_cleanup 2>/dev/null; [ $MODE = hypervisor ] && xfctl hv profile g1 clear > /dev/null 2>&1' EXIT
xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!

say "Guest g1 is domain $D. Its traffic enters dom0 on vif$D.0."
run xl list
say "Inside g1: a mail service sends to port 25 of the relay (dom0) every"
say "second, a web server answers on port 80. Both are legitimate."
in_g1 "echo '<h1>shop</h1>' > /var/www/index.html; httpd -p 80 -h /var/www -u www-data"
in_g1 "su -s /bin/sh mail -c 'while :; do xfnet tcp-connect 10.0.0.1 25 -t 3000; sleep 1; done' > /tmp/mail.log 2>&1 & echo \$! > /tmp/mail.pid"

if [ "$MODE" = hypervisor ]; then
	say "The operator loads xfilter; owners are found by the filter inside Xen"
	say "(hypervisor mode): no daemon in dom0 decides, a hypercall does."
	run insmod /xf/xfilter.ko
	echo 3000 > /sys/module/xfilter/parameters/verdict_timeout_ms
	run xfctl hv probe
	say "Xen gets g1's kernel profile (offsets from its BTF, symbols from its"
	say "image), then g1 is switched to hypervisor mode."
	run xfctl hv profile g1 --kernel /xf/guest/vmlinuz
	t_ok "Xen has g1's profile" sh -c "xfctl -j hv probe | grep -q '\"profiles\": [1-9]'"
	run xfctl domain set g1 mode hypervisor
	t_ok "g1 is in hypervisor mode" sh -c "xfctl domain show g1 | grep -q 'mode hypervisor'"
else
	say "The operator loads xfilter and starts its daemon in userland mode."
	run insmod /xf/xfilter.ko
	t_ok "xfilterd introspects g1" xfd_setup g1
fi
run xfctl vif

say "An intruder got a shell as alice and starts scanning port 25."
in_g1 "su -s /bin/sh alice -c 'while :; do xfnet scan 10.0.0.1 25-25 -t 1000; for i in 1 2 3 4; do xfnet tcp-connect 192.0.2.\$i 25 -t 1000; done; sleep 1; done' > /tmp/scan.log 2>&1 & echo \$! > /tmp/scan.pid"
sleep 5
say "Who owns the port-25 connections of g1? xfctl ps reads the guest's"
say "kernel memory: task list, credentials, fd tables, sockets."
# Each scan attempt lives a second or so: show a listing that caught one.
for i in 1 2 3 4 5 6 7 8 9 10; do
	PS=$(xfctl ps g1 2>&1)
	echo "$PS" | awk '$3 == 1001 && /:25 /' | grep -q . && break
	sleep 1
done
echo "| \$ xfctl ps g1 | awk 'NR == 1 || /tcp|udp/'     # processes with sockets"
echo "$PS" | awk 'NR == 1 || /tcp|udp/' | sed 's/^/|   /'
P=
for i in 1 2 3 4 5 6 7 8 9 10; do
	P=$(owner_pid g1 1001 25)
	[ -n "$P" ] && break
	sleep 1
done
t_ok "xfctl ps names alice's scanner (pid ${P:-none})" test -n "$P"

say "Cut only alice from port 25; the VM and its mail service stay up."
run xfctl rule add dom g1 uid 1001 dport 25 drop
in_g1 ": > /tmp/scan.log; : > /tmp/mail.log"
sleep 8
run xfctl rule list
echo "| [g1 alice] $(in_g1 'tail -n 2 /tmp/scan.log' | tr '\n' ' ')"
echo "| [g1 mail]  $(in_g1 'tail -n 1 /tmp/mail.log')"
t_ok "alice's connections to port 25 are dropped" \
	sh -c "! guest g1 'grep -E \"ok=1|reached=1|refused=1\" /tmp/scan.log' >/dev/null 2>&1"
t_ok "the rule counted alice's packets" sh -c "xfctl rule list | grep 'uid 1001' | grep -qv ' 0 pkts'"
t_ok "mail keeps sending" guest g1 "grep -q 'ok=1' /tmp/mail.log"
t_ok "mail never failed" sh -c "! guest g1 'grep -q \"ok=0\" /tmp/mail.log'"
say "The web server still answers:"
echo "| \$ busybox wget -qO- http://10.0.0.2/"
busybox wget -qO- http://10.0.0.2/ 2>&1 | sed 's/^/|   /'
t_ok "web page served through xfilter" sh -c "busybox wget -qO- http://10.0.0.2/ | grep -q shop"
run xfctl stats
[ "$MODE" = hypervisor ] && run xfctl hv counters

say "The incident is over: remove the rule, alice's traffic flows again."
run xfctl rule del dom g1 uid 1001 dport 25 drop
in_g1 ": > /tmp/scan.log"
sleep 4
echo "| [g1 alice] $(in_g1 'tail -n 1 /tmp/scan.log')"
t_ok "alice reaches port 25 again" guest g1 "grep -q 'reached=1' /tmp/scan.log"
in_g1 'kill $(cat /tmp/mail.pid /tmp/scan.pid); killall httpd' > /dev/null 2>&1
t_ok "no oops or warning in dom0's kernel log" dmesg_clean
t_done
