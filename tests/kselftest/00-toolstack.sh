#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default trixie stock
#
# The lab itself: Xen answers, the toolstack runs, guest g1 is up and its
# vif is a port of xenbr0.
#
#   dom0 (xenbr0 10.0.0.1) ── vif<D>.0 ── g1 (10.0.0.2)
. ./lib.sh

t_ok "xl info answers (hypervisor reachable)" xl info
t_ok "xenstored answers" xenstore-read /local/domain/0/name
t_ok "xenconsoled is running" pidof xenconsoled
t_ok "Domain-0 listed" sh -c "xl list | grep -q '^Domain-0 '"
t_ok "guest g1 is running" xl domid g1
d=$(guest_domid g1)
t_ok "vif$d.0 exists in dom0" test -e "/sys/class/net/vif$d.0"
t_ok "vif$d.0 is a port of xenbr0" test -e "/sys/class/net/xenbr0/brif/vif$d.0"
t_is "g1 runs commands over its console" "$(guest g1 'echo hello-from-g1')" hello-from-g1
t_is "g1 command exit codes come back" "$(guest g1 'exit 3' >/dev/null; echo $?)" 3
t_done
