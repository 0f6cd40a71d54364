#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default trixie
#
# `xfctl ps` on a live PV guest: the processes and inet sockets dom0 reads
# out of g1's memory must be exactly what g1's own /proc says (xftruth,
# run inside g1), for a workload under several users with TCP listeners,
# established TCP over IPv4 and IPv6 to dom0, and UDP sockets.
#
#   g1 10.0.0.2 fd00::2                           dom0 10.0.0.1 fd00::1
#     alice  xfnet tcp-listen 6001 ([::])
#     bob    nc -l -p 6002
#     www    httpd -f -p 8080
#     mail   xfnet udp-echo 6003
#     alice  xfnet tcp-connect 10.0.0.1 6010 -H ── xfnet tcp-listen 6010
#     bob    xfnet tcp-connect fd00::1 6010 -H  ──┘
#   dom0: xfctl -j ps g1  (and by domid and UUID)  vs  g1: xftruth
#   dom0: xl dump-core g1, xfctl -j ps --core        vs  the live answer
. ./lib.sh

d=$(guest_domid g1)
uuid=$(xenstore-read "/local/domain/$d/vm" 2>/dev/null | sed "s@^/vm/@@")
xfnet tcp-listen 6010 -n 100 > /dev/null &
l1=$!
cleanup() {
	kill $l1 2>/dev/null
	guest g1 "pkill -f 'xfnet tcp-listen 6001'; pkill -f 'nc -l -p 6002'; pkill -f 'httpd -f -p 8080'; pkill -f 'xfnet udp-echo 6003'; pkill -f 'xfnet tcp-connect'" > /dev/null 2>&1
}
trap cleanup EXIT
wait_for 10 sh -c "ss -ltn | grep -q ':6010 '"

as() { # as USER CMD: start CMD in g1 in the background as USER
	guest g1 "su -s /bin/sh $1 -c '$2' > /dev/null 2>&1 &" > /dev/null
}
as alice "xfnet tcp-listen 6001 -n 100"
as bob "nc -l -p 6002"
as www-data "httpd -f -p 8080"
as mail "xfnet udp-echo 6003"
as alice "xfnet tcp-connect 10.0.0.1 6010 -H 300"
as bob "xfnet tcp-connect fd00::1 6010 -H 300"
g1_ready() {
	guest g1 'netstat -ltn | grep -q :6001 && netstat -ltn | grep -q :6002 &&
		netstat -ltn | grep -q :8080 && netstat -lun | grep -q :6003 &&
		[ "$(netstat -tn | grep -c ":6010 .*ESTABLISHED")" -ge 2 ]'
}
t_ok "workload up in g1" wait_for 20 g1_ready

# One object per line, spaces out, keys in schema order: both sides.
norm() { tr -d ' ' | sed 's/},{"pid"/}\n{"pid"/g; s/^\[//; s/\]$//; s/,"via":"pidfd"//g'; }
# The workload's processes: not kernel threads, not the console server's
# own shells (they come and go with every `guest` command).
ours() { grep -E '"comm":"(xfnet|nc|httpd)"' | sort; }

guest g1 "/xf/bin/xftruth" | sed -n '/^{/p' | norm | ours > /tmp/ps-truth
t_ok "xftruth ran in g1 ($(wc -l < /tmp/ps-truth) workload processes)" \
	test "$(wc -l < /tmp/ps-truth)" -eq 6

t_ok "xfctl -j ps g1 (kernel from libxl's config)" sh -c "xfctl -j ps g1 > /tmp/ps-got.json"
norm < /tmp/ps-got.json | ours > /tmp/ps-got
t_ok "processes and sockets match g1's /proc exactly" diff -u /tmp/ps-truth /tmp/ps-got
# Every user process on both sides (kernel threads come and go), except
# xftruth itself and its parent (the console server's shell that ran it),
# left out of both sides.
users() { norm | grep -v '"ppid":2,' | grep -v '"pid":2,' | sed 's/^{"pid":\([0-9]*\),.*"comm":"\([^"]*\)".*/\1 \2/' | sort -n; }
guest g1 "/xf/bin/xftruth" | sed -n '/^{/p' > /tmp/ps-truth-all
self=$(grep '"comm": "xftruth"' /tmp/ps-truth-all | sed 's/.*"pid": \([0-9]*\),.*"ppid": \([0-9]*\),.*/\1|\2/')
users < /tmp/ps-truth-all | grep -Ev "^(${self:-x}) " > /tmp/ps-truth-users
users < /tmp/ps-got.json | grep -Ev "^(${self:-x}) " > /tmp/ps-got-users
t_ok "same user processes (pid, comm) on both sides ($(wc -l < /tmp/ps-got-users))" \
	diff -u /tmp/ps-truth-users /tmp/ps-got-users
t_ok "established TCP to dom0 over IPv4 attributed to alice" \
	grep -q '"uid":1001.*"state":"ESTABLISHED","laddr":"10.0.0.2","lport":[0-9]*,"raddr":"10.0.0.1","rport":6010' /tmp/ps-got
t_ok "established TCP to dom0 over IPv6 attributed to bob" \
	grep -q '"uid":1002.*"family":"inet6","proto":"tcp","state":"ESTABLISHED","laddr":"fd00::2"' /tmp/ps-got
xfctl -j ps "$d" > /tmp/ps-d.json 2>&1
t_is "xfctl ps by domid: same answer" "$(norm < /tmp/ps-d.json | ours)" "$(cat /tmp/ps-got)"
if [ -n "$uuid" ]; then
	xfctl -j ps "$uuid" > /tmp/ps-u.json 2>&1
	t_is "xfctl ps by UUID: same answer" "$(norm < /tmp/ps-u.json | ours)" "$(cat /tmp/ps-got)"
else
	t_skip "xfctl ps by UUID" "no UUID from xl list -v"
fi
# The same guest through `xl dump-core` (PV: pages keyed by MFN), written
# wherever dom0 has the most room (its filesystems are all in RAM).
best=$(roomiest_dir)
avail=$(df -k "$best" | awk 'NR == 2 { print $4 }')
need=$(( $(xl list g1 | awk 'NR == 2 { print $3 }') * 1024 + 32768 ))
if [ "$avail" -gt "$need" ]; then
	core=$best/xf-g1.core
	t_ok "xl dump-core g1 ($core)" xl dump-core g1 "$core"
	xfctl -j ps --core "$core" --kernel /xf/guest/vmlinuz > /tmp/ps-core.json 2>&1
	t_is "xfctl ps --core on the xl dump-core file: same answer" \
		"$(norm < /tmp/ps-core.json | ours)" "$(cat /tmp/ps-got)"
	rm -f "$core"
else
	t_skip "xfctl ps --core on an xl dump-core file" "only ${avail}K free in $best, need ${need}K"
fi
t_ok "xfctl ps g1 --kernel (human table)" sh -c "xfctl ps g1 --kernel /xf/guest/vmlinuz | grep -q httpd"
t_ok "unknown domain: non-zero exit" sh -c "! xfctl ps no-such-guest > /dev/null 2>&1"
t_ok "unknown domain: the error names it" sh -c "xfctl ps no-such-guest 2>&1 | grep -q \"'no-such-guest'\""
t_done
