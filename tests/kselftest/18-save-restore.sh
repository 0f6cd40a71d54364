#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# xfctl save / restore: a rule file round-trips (save | restore | save is
# the identity, guest names included), and a bad line is refused with its
# file, line and token, changing nothing. restore is one RULE_REPLACE: a
# rule the kernel refuses (line 3, a mirror device that does not exist)
# changes nothing either. save FILE goes through a temporary file: a
# failed save (module unloaded) leaves FILE as it was. No guest traffic.
# Domain settings are saved (the default and every domain with its own)
# and restored before the table; a refused table sets them back, and a
# setting the kernel refuses (its table of domains with a policy full)
# is named by FILE:LINE and changes nothing.
#
#   dom0: xfctl save > A; xfctl restore A; xfctl save > B; A == B
. ./lib.sh

dmesg_mark
cleanup() { xf_unload; rm -f /tmp/r1 /tmp/r2 /tmp/bad /tmp/kbad /tmp/full; }
trap cleanup EXIT
t_ok "insmod xfilter.ko" xf_load
t_ok "add rules of every kind" sh -c '
	xfctl rule add dom g1 uid 1001 proto tcp dport 25 drop &&
	xfctl rule add dst 192.0.2.0/24 sport 1000-2000 log &&
	xfctl rule add dst fd00::/64 proto udp dport 53 accept &&
	xfctl rule add comm "evil prog" exe /tmp/x log-drop &&
	xfctl rule add gid 33 euid 0 pid 77 proto icmp drop'
t_ok "settings: default unattributed drop, g1 detect alert ports 7 window 500ms" sh -c '
	xfctl domain set default unattributed drop &&
	xfctl domain set g1 detect alert ports 7 window 500ms'
t_ok "save" sh -c "xfctl save > /tmp/r1"
cat /tmp/r1 | sed 's/^/# /'
t_ok "saved with the guest's name, not its domid" grep -q '^dom g1 ' /tmp/r1
uuid=$(xenstore-read "/local/domain/$(guest_domid g1)/vm" | sed 's#^/vm/##')
t_ok "and its UUID ($uuid)" grep -qx "guest g1 uuid $uuid" /tmp/r1
t_ok "the default's settings saved" grep -q '^domain set default mode .* unattributed drop ' /tmp/r1
t_ok "g1's own settings saved by name" \
	grep -q '^domain set g1 .* detect alert window 500ms ports 7 ' /tmp/r1
t_ok "settings changed, then flush" sh -c '
	xfctl domain set default unattributed accept &&
	xfctl domain set g1 detect off ports 20 && xfctl rule flush'
t_ok "restore" xfctl restore /tmp/r1
t_ok "the default's unattributed is drop again" \
	sh -c "xfctl domain show default | grep -q 'unattributed drop'"
t_ok "g1's detect alert, ports 7, window 500ms again" \
	sh -c "xfctl domain show g1 | grep -q 'detect alert window 500ms ports 7 '"
t_ok "save again" sh -c "xfctl save /tmp/r2"
t_ok "identical" cmp /tmp/r1 /tmp/r2
printf 'dport 22 drop\n\n# comment\ndport 23 frobnicate\n' > /tmp/bad
out=$(xfctl restore /tmp/bad 2>&1)
echo "# $out"
t_ok "bad file: error names file, line and token" \
	sh -c "echo '$out' | grep -q '/tmp/bad:4: .*frobnicate'"
t_is "bad file changed nothing" "$(xfctl rule list | grep -c .)" 5
printf 'dport 22 drop\ndport 23 drop\ndport 24 mirror xfnodev0\ndport 25 drop\n' > /tmp/kbad
out=$(xfctl restore /tmp/kbad 2>&1); rc=$?
echo "# rc $rc: $out"
t_ok "kernel refuses line 3: restore fails" [ $rc -ne 0 ]
t_ok "the error names /tmp/kbad:3 and the device" \
	sh -c "echo '$out' | grep -q '/tmp/kbad:3: .*no such network device'"
t_is "the table is unchanged (5 rules, not 2 of 4)" "$(xfctl rule list | grep -c .)" 5
t_ok "and is the saved one" sh -c "xfctl save /tmp/r2 && cmp /tmp/r1 /tmp/r2"
printf 'domain set default unattributed accept fail accept\ndport 24 mirror xfnodev0\n' > /tmp/kbad
out=$(xfctl restore /tmp/kbad 2>&1); rc=$?
echo "# rc $rc: $out"
t_ok "a refused table after a setting: restore fails naming /tmp/kbad:2" \
	sh -c "[ $rc -ne 0 ] && echo '$out' | grep -q '/tmp/kbad:2: '"
t_ok "the setting is set back: the file as saved" sh -c "xfctl save /tmp/r2 && cmp /tmp/r1 /tmp/r2"
# The module keeps a policy for at most 1024 domains: g1 has one (restore
# set all of g1's settings), 1023 domain lines fill the rest (one restore,
# one process), then a file whose second line needs one more is refused
# by the kernel at that line.
i=1000; : > /tmp/full
while [ $i -lt 2023 ]; do echo "domain set $i policy accept" >> /tmp/full; i=$((i + 1)); done
t_ok "1024 domains with a policy of their own (g1 and 1023 domain lines)" \
	sh -c "xfctl rule flush && xfctl restore /tmp/full"
printf 'domain set default unattributed accept\ndomain set 3000 policy drop\n' > /tmp/kbad
out=$(xfctl restore /tmp/kbad 2>&1); rc=$?
echo "# rc $rc: $out"
t_ok "the kernel refuses the 1025th: restore fails naming /tmp/kbad:2" \
	sh -c "[ $rc -ne 0 ] && echo '$out' | grep -q '/tmp/kbad:2: domain 3000: .*too many domains'"
t_ok "the default's unattributed drop was set back" \
	sh -c "xfctl domain show default | grep -q 'unattributed drop'"
t_ok "and the table is untouched (empty)" sh -c "[ \$(xfctl rule list | grep -c .) -eq 0 ]"
t_ok "restore the saved file" xfctl restore /tmp/r1
t_ok "restore from stdin" sh -c "echo 'proto udp drop' | xfctl restore -"
t_is "stdin replaced the table" "$(xfctl rule list | grep -c .)" 1
t_ok "an empty file empties the table" sh -c "printf '# none\n' | xfctl restore"
t_is "no rule left" "$(xfctl rule list | grep -c .)" 0
trap - EXIT
xf_unload
t_ok "save with no module fails" sh -c "! xfctl save /tmp/r1 2> /dev/null"
t_ok "and leaves the file as it was" sh -c "cmp /tmp/r1 /tmp/r2 && ! ls /tmp/r1.?????? 2> /dev/null"
cleanup
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
