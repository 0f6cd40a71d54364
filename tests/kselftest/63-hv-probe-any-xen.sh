#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: anyxen
#
# dom0's side of xfilter_op on a hypervisor its toolstack cannot drive (a
# bookworm dom0, Xen 4.17 libraries, on Xen 4.20): no xenstored, no guests,
# only privcmd, which is all `xfctl hv probe` and xfilter.ko's probe need.
#
#   Xen 4.NN (stock: -ENOSYS; patched: xfilter_op answers the probe)
#    │  hypercall 55 through /dev/xen/privcmd, and from xfilter.ko
#   dom0 (bookworm, 6.1; XF_TOOLSTACK=0: no toolstack)
#
# Not in tests/run's passes; e.g. on Debian's own Xen 4.20:
#   scripts/lab/run --pass anyxen --guests "" --xen xen-4.20 \
#	--env "XF_TOOLSTACK=0 XF_XEN=stock XF_XEN_VERSION=4.20" 63-hv-probe-any-xen.sh
. ./lib.sh

XFCTL=/xf/bin/xfctl
dmesg_mark

v=$(cat /sys/hypervisor/version/major 2>/dev/null).$(cat /sys/hypervisor/version/minor 2>/dev/null)
echo "# dom0 runs on Xen $v$(cat /sys/hypervisor/version/extra 2>/dev/null)"
if [ -n "${XF_XEN_VERSION:-}" ]; then
	t_is "the hypervisor booted is Xen $XF_XEN_VERSION" "$v" "$XF_XEN_VERSION"
fi

$XFCTL hv probe > /tmp/probe.out 2>&1
rc=$?
sed 's/^/# /' /tmp/probe.out
case ${XF_XEN:-} in
stock)
	t_is "stock Xen: xfctl hv probe exits 3 (no xfilter_op)" "$rc" 3
	t_ok "stock Xen: the hypercall answers ENOSYS" grep -q 'unavailable (ENOSYS)' /tmp/probe.out
	want='xfilter: no hypervisor filter'
	;;
*)
	t_is "patched Xen: xfctl hv probe exits 0" "$rc" 0
	t_ok "patched Xen: ABI 3" sh -c "$XFCTL -j hv probe | grep -q '\"version\": 3'"
	want='xfilter: hypervisor filter available'
	;;
esac
t_ok "insmod xfilter.ko" insmod /xf/xfilter.ko
t_ok "the module's own probe agrees ($want)" sh -c \
	"dmesg | tail -n +$((XF_DMESG_MARK + 1)) | grep -q '$want'"
t_ok "rmmod xfilter" rmmod xfilter
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
