#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default trixie
#
# Hypervisor mode without hand work: nobody types `xfctl hv profile` or
# `xfctl hv rules`. At load the module pushes its whole rule table to Xen
# (replacing whatever an earlier load left there); when g1 is put in mode
# hypervisor the module tells xfilterd (PROFILE_NOTIFY) and xfilterd loads
# g1's profile into Xen; when Xen has lost it (cleared here; a reboot is
# 34-guest-reboot.sh) the module's batch gets "no profile", asks again and
# retries, and no flow falls to the fail policy.
#
#   xfctl domain set g1 mode hypervisor
#     └─► xfilter.ko ── PROFILE_NOTIFY ──► xfilterd ── XF_HV_PROFILE ──► Xen
#   g1 ── vif<D>.0 [xfilter] ── XF_HV_CHECK ──► Xen (owner) ── verdict
. ./lib.sh
. ./xfd_lib.sh
# The checks below count lines of this test's own daemon: earlier tests of
# the pass (the scenario suite in hypervisor mode) logged loads of g1 too.
: > "$XFD_LOG"

if ! xfctl hv probe > /dev/null 2>&1; then
	t_skip "automatic profile and table load" "stock Xen: no hypervisor filter (boot with --xen .cache/xen/xen-xfilter)"
	t_done
	exit 0
fi
D=$(guest_domid g1)
trap 'kill $L1 2>/dev/null; xfd_cleanup' EXIT
xfnet tcp-listen 25 > /dev/null 2>&1 & L1=$!
dmesg_mark
probe() { xfctl -j hv probe | grep -o "\"$1\": [0-9]*" | cut -d' ' -f2; }

# ---- the table at load ---------------------------------------------------
rmmod xfilter 2>/dev/null
xfctl hv profile g1 clear > /dev/null 2>&1
echo 'uid 1001 proto tcp dport 7777 drop' > /tmp/auto.rules
t_ok "a stale table in Xen (generation 9, 1 rule)" xfctl hv rules --generation 9 /tmp/auto.rules
t_is "probe: 1 rule, generation 9" "$(probe rules) $(probe generation)" "1 9"
t_ok "insmod xfilter.ko" insmod /xf/xfilter.ko
t_is "the module pushed its own (empty) table at load" "$(probe rules) $(probe generation)" "0 1"
t_ok "rule: dom g1 uid 1001 dport 25 drop" xfctl rule add dom g1 uid 1001 dport 25 drop
t_is "the change reached Xen" "$(probe rules)" 1

# ---- the profile when the mode is set ------------------------------------
echo 3000 > /sys/module/xfilter/parameters/verdict_timeout_ms
t_ok "g1: policy accept, unattributed accept, fail drop" \
	xfctl domain set g1 policy accept unattributed accept fail drop
xfd_start
t_ok "xfilterd introspects g1" wait_for 240 sh -c "grep -q '^domain $D [^ ]* ready ' $XFD_STATS"
p0=$(probe profiles)	# other guests' may be loaded
echo "# profiles in Xen (other guests): $p0"
t_ok "domain g1: mode hypervisor" xfctl domain set g1 mode hypervisor
t_ok "xfilterd loaded g1's profile into Xen by itself" \
	wait_for 60 grep -q "domain $D (g1): profile loaded into Xen" "$XFD_LOG"
t_is "probe: one profile more" "$(probe profiles)" $((p0 + 1))
calls0=$(xfctl -j hv counters | grep -o '"calls": [0-9]*' | cut -d' ' -f2)
ft0=$(kstat fail_timeout) fa0=$(kstat fail_absent)
t_ok "alice is dropped (owner from Xen)" out_has "filtered=2" alice g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 -t 1500"
t_ok "mail connects" out_has "ok=2" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 -t 3000"
calls1=$(xfctl -j hv counters | grep -o '"calls": [0-9]*' | cut -d' ' -f2)
t_ok "Xen answered ($calls0 -> $calls1 calls)" test "${calls1:-0}" -gt "${calls0:-0}"

# ---- Xen lost the profile: the module asks again -------------------------
t_ok "clear g1's profile in Xen behind everyone's back" xfctl hv profile g1 clear
t_is "probe: one profile less" "$(probe profiles)" "$p0"
t_ok "mail still connects (batch retried until the profile is back)" \
	out_has "ok=2" mail g1 "xfnet tcp-connect 10.0.0.1 25 -n 2 -t 5000"
t_is "xfilterd loaded it again" "$(grep -c "domain $D (g1): profile loaded into Xen" "$XFD_LOG")" 2
t_ok "alice is still dropped" out_has "filtered=1" alice g1 "xfnet tcp-connect 10.0.0.1 25 -t 1500"
t_is "no flow got the fail policy" "$(kstat fail_timeout)/$(kstat fail_absent)" "$ft0/$fa0"
t_is "nothing is held" "$(kstat held)" 0

t_ok "xfilterd stops cleanly" xfd_stop
xfctl rule flush
t_ok "rmmod xfilter" rmmod xfilter
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
