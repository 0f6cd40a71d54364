#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default
#
# Random requests to the generic netlink family (tests/guest/nlfuzz.c): every
# command, random attribute trees, wrong types and lengths, oversized and
# unterminated strings, nested garbage, truncated headers; as root and as an
# unprivileged user, while g1 sends traffic through the hook. The module
# answers each with an error or a well-formed reply, admin commands refuse
# the unprivileged caller with EPERM, and it unloads cleanly afterwards.
#
#   dom0: nlfuzz (root, xfuser) ──► genl "xfilter" ──► xfilter.ko ◄── vif<D>.0 ◄── g1
. ./lib.sh

N=${NLFUZZ_N:-3000}
dmesg_mark
: > /tmp/nlfuzz.sum
FUZZ_AS=root
cleanup()
{
	kill $TR 2>/dev/null
	xfctl rule flush 2>/dev/null
	xf_unload
	userdel xfuser 2>/dev/null
}
trap cleanup EXIT
t_ok "insmod xfilter.ko" xf_load
# A little traffic through the hook while the tables are being fuzzed.
(while :; do guest g1 "xfnet udp-send 10.0.0.1 9 -n 20" > /dev/null 2>&1; done) & TR=$!

fuzz()	# DESC CMD: nlfuzz ran to the end and found nothing wrong
{
	local out
	out=$("$@" 2>&1)
	echo "$out" | tail -n 5 | sed 's/^/# /'
	echo "$out" | grep '^nlfuzz sent=' | sed "s/^/# $FUZZ_AS: /" >> /tmp/nlfuzz.sum
	echo "$out" | grep -q '^nlfuzz sent=[1-9].* bad=0 timeouts=0$'
}
for seed in 1 2 3; do
	t_ok "root, seed $seed: $N requests, only errors or valid answers" \
		fuzz nlfuzz -n "$N" -s "$seed"
	t_ok "root, seed $seed: the module is alive" xfctl stats
done

chmod 755 /
if useradd -M -s /bin/sh xfuser 2>/dev/null; then
	AS="su -s /bin/sh xfuser -c"
else
	AS="setpriv --reuid=65534 --regid=65534 --clear-groups sh -c"
fi
FUZZ_AS=unprivileged
for seed in 4 5; do
	t_ok "unprivileged, seed $seed: admin commands refused with EPERM" \
		fuzz $AS "/xf/bin/nlfuzz -u -n $N -s $seed"
done
cat /tmp/nlfuzz.sum
t_ok "after the fuzzing, xfctl still works" xfctl rule add dport 1 drop
t_ok "and lists the rule" sh -c "xfctl rule list | grep -Eq 'dport 1( |$)'"
kill $TR 2>/dev/null
wait $TR 2>/dev/null
t_ok "rule flush" xfctl rule flush
t_ok "rmmod xfilter (no reference leaked)" rmmod xfilter
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
