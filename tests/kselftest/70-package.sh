#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: stock trixie
#
# xfilter as an operator installs it: the .debs of scripts/build-debs were
# installed in dom0 with dpkg (DKMS built xfilter.ko for dom0's kernel) and
# dom0 booted systemd. The packaged unit loaded the module and started
# xfilterd before this test ran; the test checks what it got, serves real
# verdicts through the packaged daemon, then kills it (-9), waits for
# systemd to restart it, and stops it. The lab put 70-package.rules in
# /etc/xfilter/rules before boot: xfilter-restore.service restored it
# while g1 was not running yet (kept), and xfilterd moved g1's rule and
# setting to g1 when the lab started it.
#
#   systemd ─┬─ xen.service (Debian's /etc/init.d/xen): xenstored, xenconsoled
#            ├─ xfilter-restore.service: xfctl restore /etc/xfilter/rules
#            ├─ xfilterd.service: modprobe xfilter (DKMS) ── xfilterd
#            └─ xf-lab.service: this test (starts g1)
#   g1 10.0.0.2 ── vif<D>.0 [xfilter.ko] ── xenbr0 ── dom0 10.0.0.1
. ./lib.sh
. ./xfd_lib.sh

d=$(guest_domid g1)
# unit_prop PROP: one property of xfilterd.service
unit_prop() { systemctl show -p "$1" --value xfilterd.service; }
main_pid() { unit_prop MainPID; }
# ready: the running daemon's status file has g1 introspected
ready() { grep -q "^pid $(main_pid)\$" "$XFD_STATS" && grep -q "^domain $d [^ ]* ready " "$XFD_STATS"; }
dropped_ge() { [ "$(rule_pkts 'dport 547[01]')" -ge "$1" ]; }

t_is "xfilter installed" "$(dpkg-query -W -f='${Status}' xfilter)" "install ok installed"
t_is "xfilter-dkms installed" "$(dpkg-query -W -f='${Status}' xfilter-dkms)" "install ok installed"
t_is "both packages are one version" "$(dpkg-query -W -f='${Version}' xfilter-dkms)" \
	"$(dpkg-query -W -f='${Version}' xfilter)"
t_ok "DKMS built and installed xfilter for $(uname -r)" \
	sh -c "dkms status -k $(uname -r) | grep '^xfilter/.*: installed'"
t_ok "the module loaded is DKMS's (modinfo -n: .../updates/dkms/)" \
	sh -c "grep -q '^xfilter ' /proc/modules && modinfo -n xfilter | grep -q /updates/dkms/xfilter.ko"
t_is "xfctl is the package's" "$(dpkg -S "$(command -v xfctl)" | cut -d: -f1)" xfilter
t_is "xfilterd.service enabled by the package" "$(systemctl is-enabled xfilterd.service)" enabled
t_is "xfilterd.service started at boot" "$(systemctl is-active xfilterd.service)" active
t_ok "xfilterd introspects g1" wait_for 240 ready
pid1=$(main_pid)

# The boot-time restore, with g1 down at the time.
t_is "xfilter-restore.service ran at boot" "$(systemctl is-active xfilter-restore.service)" active
t_ok "/etc/xfilter/xfilterd.conf is the package's conffile" \
	sh -c "dpkg-query -W -f='\${Conffiles}' xfilter | grep -q ' /etc/xfilter/xfilterd.conf '"
kept_moved() { xfctl rule list | grep -q "^.*dom $d .*dport 5472 drop"; }
t_ok "the rule kept for g1 is now bound to g1 (dom $d)" wait_for 120 kept_moved
t_ok "and no longer kept" sh -c "! grep -q g1 /var/lib/xfilter/kept 2>/dev/null"
t_is "g1's kept setting applied (fail drop)" \
	"$(xfctl -j domain show "$d" | grep -o '"fail":"[a-z]*"')" '"fail":"drop"'
t_ok "g1 (root) sends 10 datagrams to dom0:5472" \
	guest g1 "xfnet udp-send 10.0.0.1 5472 -n 10"
dropped5472() { [ "$(rule_pkts 'dport 5472')" -ge 10 ]; }
t_ok "the restored rule dropped them" wait_for 60 dropped5472

# Real verdicts from the packaged daemon: a rule on the owner (uid 0: the
# guest's root sends) needs xfilterd; the fail policy would not count here.
t_ok "rule add dom g1 uid 0 proto udp dport 5470-5471 drop" \
	xfctl rule add dom g1 uid 0 proto udp dport 5470-5471 drop
t_ok "g1 (root) sends 10 datagrams to dom0:5470" \
	guest g1 "xfnet udp-send 10.0.0.1 5470 -n 10"
t_ok "the rule dropped all 10 (xfilterd found their owner)" wait_for 60 dropped_ge 10

dom0 kill -9 "$pid1"
t_ok "systemd restarts xfilterd after kill -9" \
	wait_for 60 sh -c "[ \"\$(systemctl show -p NRestarts --value xfilterd.service)\" -ge 1 ]"
t_ok "a new xfilterd runs" wait_for 60 sh -c \
	"systemctl is-active -q xfilterd.service && [ \"\$(systemctl show -p MainPID --value xfilterd.service)\" -gt 0 ] && [ \"\$(systemctl show -p MainPID --value xfilterd.service)\" != $pid1 ]"
t_ok "the new xfilterd introspects g1" wait_for 240 ready
t_ok "g1 (root) sends 10 datagrams to dom0:5471 (a new flow)" \
	guest g1 "xfnet udp-send 10.0.0.1 5471 -n 10"
t_ok "the restarted daemon's verdicts: 20 dropped by the rule" wait_for 60 dropped_ge 20
t_is "no flow of g1 met the fail policy (absent, timeout)" \
	"$(xf_dstat "$d" fail_absent) $(xf_dstat "$d" fail_timeout)" "0 0"

pid2=$(main_pid)
# status LINE: the running daemon's status file holds LINE
status() { grep -qx "$1" "$XFD_STATS"; }
t_ok "xfilterd runs with the packaged config (log_level info)" status "log_level info"
echo "log-level = debug" >> /etc/xfilter/xfilterd.conf
t_ok "systemctl reload (SIGHUP) keeps the daemon" \
	sh -c "systemctl reload xfilterd.service && systemctl is-active -q xfilterd.service && [ \"\$(systemctl show -p MainPID --value xfilterd.service)\" = $pid2 ]"
t_ok "and applies the changed config (log_level debug)" wait_for 60 status "log_level debug"
t_ok "systemctl stop xfilterd" systemctl stop xfilterd.service
t_is "xfilterd.service inactive" "$(systemctl is-active xfilterd.service)" inactive
t_ok "no xfilterd process left" sh -c "! pidof xfilterd"
t_ok "systemctl start xfilterd" systemctl start xfilterd.service
t_ok "started again and introspects g1" wait_for 240 ready
t_ok "no failed unit" sh -c "[ -z \"\$(systemctl list-units --failed --plain --no-legend)\" ]"
xfctl rule flush
t_done
