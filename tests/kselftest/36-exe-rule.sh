#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default trixie
#
# exe rules in mode userland: xfilterd reads each owner's executable path
# from the guest kernel (mm->exe_file, d_parent up to the init root, across
# mounts). `xfctl ps` must show what the guest's own /proc/PID/exe says;
# a rule on alice's xfnet drops it but not her busybox nc (exe
# /bin/busybox, the applet is a symlink), nor mail's xfnet (other uid);
# a rule on /bin/busybox drops nc and not xfnet.
. ./lib.sh
# exe is read by xfilterd only (the walker in Xen does not read paths): in
# mode hypervisor an exe rule never matches, by design (xfctl warns). The
# test runs the userland mode in every pass.
XF_MODE=userland
. ./xfd_lib.sh

C="-t 3000"
trap 'kill $L1 2>/dev/null; [ -n "$P" ] && guest g1 "kill $P" > /dev/null 2>&1; xfd_cleanup' EXIT
xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!
dmesg_mark

t_ok "xfilterd introspects g1" xfd_setup g1
t_is "xfilterd reads g1's executable paths (status exe=1)" "$(dstat g1 exe)" 1

# alice's xfnet holds a connection to port 25 (until killed below, so a
# slow machine cannot outlast it): its exe, from ps and /proc.
P=
guest g1 "su -s /bin/sh alice -c 'xfnet tcp-connect 10.0.0.1 25 -n 1 -H 3600' > /dev/null 2>&1 &" > /dev/null
# Its pid, not that of another process of alice's with a socket to port 25
# (an earlier test's nc may still hold one).
xfnet_pid()
{
	local p
	for p in $(owner_pid g1 1001 25 all); do
		xfctl -j ps g1 | tr '{' '\n' | grep "\"pid\":$p," |
			grep -q '"comm":"xfnet"' && { echo "$p"; return; }
	done
}
for i in $(seq 60); do
	P=$(xfnet_pid)
	[ -n "$P" ] && break
	sleep 1
done
t_ok "xfctl ps finds alice's xfnet (pid '$P')" test -n "$P"
EXE=$(xfctl -j ps g1 | tr '{' '\n' | grep "\"pid\":${P:-x}," |
	sed -n 's/.*"exe":"\([^"]*\)".*/\1/p')
REAL=$(guest g1 "readlink /proc/${P:-x}/exe")
echo "# xfctl ps: exe '$EXE', guest /proc/$P/exe: '$REAL'"
t_ok "xfctl ps shows the exe the guest's /proc shows ('$EXE')" \
	sh -c "[ -n '$EXE' ] && [ '$EXE' = '$REAL' ]"
[ -n "$P" ] && guest g1 "kill $P" > /dev/null 2>&1
P=
BB=$(guest g1 "readlink -f /bin/nc")
t_is "busybox nc is the applet of /bin/busybox in g1" "$BB" "/bin/busybox"
t_ok "xfctl ps shows /bin/busybox for busybox applets (the guest's init shell)" \
	sh -c "xfctl -j ps g1 | grep -q '\"exe\":\"/bin/busybox\"'"

t_ok "rule: dom g1 uid 1001 exe $EXE dport 25 drop" \
	xfctl rule add dom g1 uid 1001 exe "$EXE" dport 25 drop
t_ok "exe rule: alice's xfnet to port 25 is dropped" \
	out_has "ok=0 refused=0 filtered=3" alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 3 -t 1500"
t_ok "exe rule: alice's busybox nc to port 25 connects" \
	as alice g1 "echo hi | nc -w 3 10.0.0.1 25"
t_ok "exe rule: mail's xfnet to port 25 connects" \
	as mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 $C"
t_ok "exe rule: the rule counted alice's packets" \
	sh -c "xfctl rule list | grep 'exe' | grep -qv ' 0 pkts'"
t_ok "delete the exe rule" xfctl rule del dom g1 uid 1001 exe "$EXE" dport 25 drop
t_ok "exe rule removed: alice's xfnet connects again" \
	as alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 $C"

t_ok "rule: dom g1 uid 1001 exe /bin/busybox dport 25 drop" \
	xfctl rule add dom g1 uid 1001 exe /bin/busybox dport 25 drop
t_ok "busybox rule: alice's busybox nc to port 25 is dropped" \
	fails as alice g1 "echo hi | nc -w 2 10.0.0.1 25"
t_ok "busybox rule: alice's xfnet to port 25 connects" \
	as alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 $C"
t_ok "delete the busybox rule" xfctl rule del dom g1 uid 1001 exe /bin/busybox dport 25 drop

t_is "no flow of g1 needed the fail policy" "$(kstat fail_timeout)/$(kstat fail_absent)" "0/0"
t_ok "xfilterd stops cleanly on SIGTERM" xfd_stop
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
