#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default trixie
#
# Only xen-netback's vifs in the initial namespace are hooked, by what the
# device is, not by its name, and the domain id is netback's. An
# unprivileged user's veth named vif7.0 in its own namespace and root's veth
# vif9.0 in init_net stay unhooked (no vif, no domain record, nothing in
# the log but "not a xen-netback vif" for root's), while g1's real vif is.
# A domain's record goes with its last vif: three network-detach/attach
# rounds of g1 leave the number of domain records where it was.
#
#   xfuser: unshare -Urn: vif7.0 ══ x7 (own netns) ── ping ──►   not hooked
#   root:   vif9.0 ══ x9 (init_net) ── ping ──►                  not hooked
#   g1 ── vif<D>.0 (netback, xenbus backend/vif/D/0) [xfilter]    hooked, domain D
#        xl network-detach g1 0 / network-attach, 3 times: domain D goes and comes back
. ./lib.sh

d=$(guest_domid g1)
dmesg_mark
rm -f /tmp/ns7-ready /tmp/ns7-done
cleanup()
{
	touch /tmp/ns7-done
	ip link del vif9.0 2>/dev/null
	xf_unload
}
trap cleanup EXIT

doms() { xfctl -j domain show | grep -o '"domid":[0-9]*' | sort; }
has_dom() { xfctl -j domain show | grep -q "\"domid\":$1[,}]"; }
no_dom() { ! has_dom "$1"; }
vif_listed() { xfctl vif | grep -q "^$1 "; }
no_vif() { ! vif_listed "$1"; }
logged() { dmesg | tail -n +$((XF_DMESG_MARK + 1)) | grep -q "$1"; }
not_logged() { ! logged "$1"; }

t_ok "insmod xfilter.ko" xf_load
t_ok "vif$d.0 hooked as domain $d" \
	sh -c "xfctl vif | grep -q '^vif$d\.0 .* domain $d'"
t_ok "domain $d has a record" has_dom "$d"

# root in init_net: a veth with a guest's name
modprobe veth 2>/dev/null
t_ok "root: veth vif9.0 in init_net" \
	sh -c "ip link add vif9.0 type veth peer name x9 &&
	       ip link set vif9.0 up && ip link set x9 up"
ping -c 2 -W 1 -I x9 10.9.9.9 > /dev/null 2>&1
t_ok "vif9.0 is not hooked" no_vif vif9.0
t_ok "no domain 9" no_dom 9
t_ok "the log says why" logged "xfilter: vif9.0: not a xen-netback vif, not hooked"
t_ok "and never that it attached" not_logged "vif9.0: xfilter: attached"
ip link del vif9.0

# an unprivileged user in a namespace of its own
sysctl -qw kernel.unprivileged_userns_clone=1 2>/dev/null
if command -v useradd > /dev/null && useradd -M -s /bin/sh xfuser 2>/dev/null; then
	AS="su -s /bin/sh xfuser -c"
else
	AS="setpriv --reuid=65534 --regid=65534 --clear-groups sh -c"
fi
chmod 1777 /tmp
$AS "unshare -Urn sh -c 'ip link add vif7.0 type veth peer name x7 &&
	ip link set vif7.0 up && ip link set x7 up &&
	ip addr add 10.7.0.1/24 dev x7 && ping -c 3 -i 0.2 -W 1 10.7.0.2;
	ip -o link show vif7.0 > /tmp/ns7-ready;
	while [ ! -e /tmp/ns7-done ]; do sleep 0.2; done'" > /dev/null 2>&1 &
t_ok "unprivileged: veth vif7.0 in its own namespace, packets through it" \
	wait_for 20 test -s /tmp/ns7-ready
t_ok "vif7.0 is not hooked" no_vif vif7.0
t_ok "no domain 7" no_dom 7
t_ok "xfilter never attached to vif7.0" not_logged "vif7.0: xfilter"
t_ok "nor logged anything about it" not_logged "xfilter: vif7.0"
touch /tmp/ns7-done
t_ok "the real vif still is hooked" vif_listed "vif$d.0"

# a domain's record goes with its last vif
before=$(doms | tr '\n' ' ')
echo "# domain records before: $before"
mac=$(xl network-list g1 | awk 'NR == 2 { print $3 }')
for i in 1 2 3; do
	t_ok "round $i: xl network-detach g1 0" xl network-detach g1 0
	t_ok "round $i: xfilter let go of vif$d.0" \
		wait_for 30 sh -c "! xfctl vif | grep -q '^vif$d\.'"
	t_ok "round $i: domain $d's record is gone" no_dom "$d"
	t_ok "round $i: xl network-attach g1" \
		xl network-attach g1 "mac=$mac" bridge=xenbr0
	t_ok "round $i: the new vif is hooked as domain $d" \
		wait_for 30 sh -c "xfctl vif | grep -q '^vif$d\..* domain $d'"
	t_ok "round $i: domain $d has a record again" has_dom "$d"
done
t_is "as many domain records as before" "$(doms | tr '\n' ' ')" "$before"
t_ok "g1's new eth0 has its addresses again" wait_for 30 guest_net_up g1
t_ok "g1 reaches dom0 over its new vif" wait_for 30 guest g1 "ping -c 1 -W 2 10.0.0.1"
t_ok "and over IPv6" wait_for 30 guest g1 "ping6 -c 1 -W 2 fd00::1"
t_ok "domain $d counted g1's packets" test "$(xf_dstat "$d" packets)" -gt 0
trap - EXIT
cleanup
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
