#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default trixie stock
#
# insmod/rmmod of xfilter.ko while g1 keeps traffic flowing through its vif:
# the module attaches to the vif, sees the packets, and leaves no trace.
#
#   g1 (ping 10.0.0.1, 5/s) ── vif<D>.0 [xfilter] ── xenbr0 ── dom0
. ./lib.sh

d=$(guest_domid g1)
vif=vif$d.0
dmesg_mark
guest g1 "ping -i 0.2 -c 1000 10.0.0.1 > /tmp/ping.log 2>&1 &" >/dev/null

t_ok "insmod xfilter.ko" insmod /xf/xfilter.ko
t_ok "module is live" sh -c "grep -q '^xfilter ' /proc/modules"
t_ok "g1 reaches dom0 with the module loaded" guest g1 "ping -c 3 -W 5 10.0.0.1"
t_ok "dom0 reaches g1 with the module loaded" ping -c 3 -W 5 "$(guest_ip g1)"
t_ok "module attached to $vif" sh -c "dmesg | tail -n +$((XF_DMESG_MARK + 1)) | grep -q '$vif: xfilter: attached'"
t_is "module refcount is zero" "$(cat /sys/module/xfilter/refcnt)" 0
t_ok "rmmod xfilter under traffic" rmmod xfilter
t_ok "module is gone" sh -c "! grep -q '^xfilter ' /proc/modules"
t_ok "module detached from $vif" sh -c "dmesg | tail -n +$((XF_DMESG_MARK + 1)) | grep -q '$vif: xfilter: detached'"
t_ok "g1 still reaches dom0 after unload" guest g1 "ping -c 3 -W 5 10.0.0.1"
t_ok "vif still a bridge port" test -e "/sys/class/net/xenbr0/brif/$vif"
guest g1 "killall ping" >/dev/null
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
