#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: xsm migrate
#
# xfilter_op under FLASK in enforcing mode, with the example policy of the
# patched Xen source built into the hypervisor (scripts/build-xen.sh --xsm):
# dom0 (dom0_t) may use the hypercall (xen2 { xfilter_op }) and read a
# guest (domU_t: domain2 { xfilter_op }), and Xen logs no denial for it;
# a guest labelled prot_domU_t, once the policy's prot_doms_locked is set
# (dom0 may then no longer read its memory), is refused with EACCES, and
# the denial is logged. A guest calling xfilter_op from its own kernel
# (xfrk.ko hcall=1) is refused too (EACCES), and the denial logged.
#
#   Xen 4.17 + XSM FLASK (enforcing) [xsm_xfilter_op]
#    │  xfilter_op: probe (no domain), profile and check (domain g1)
#   dom0 (dom0_t: xfctl hv) ── xenbr0 ── vif<D>.0 ── g1 (domU_t) nc as alice
#
# tests/run runs it in pass migrate (booted flask=enforcing), before
# 54-migrate.sh, which takes g1 away; alone:
#   scripts/lab/run --pass xsm --xen "$(scripts/build-xen.sh --xsm)" \
#	--xen-args flask=enforcing --env "XF_XSM=flask" 64-hv-xsm.sh
. ./lib.sh

XFCTL=/xf/bin/xfctl
hv() { echo "# [dom0] xfctl $*" >&2; "$XFCTL" "$@"; }

if [ "${XF_XSM:-}" != flask ]; then
	t_skip "FLASK enforcing: dom0 may use xfilter_op" "not booted with XF_XSM=flask"
	t_done
	exit $?
fi

enforce=$(xl getenforce 2>&1)
echo "# [dom0] xl getenforce: $enforce"
t_is "Xen runs FLASK in enforcing mode" "$enforce" Enforcing
t_ok "dom0 runs as dom0_t" sh -c "xl list -Z | grep -q '^Domain-0 .*system_r:dom0_t'"
t_ok "g1 runs as domU_t" sh -c "xl list -Z | grep -q '^g1 .*system_r:domU_t'"
xl dmesg -c > /dev/null

# ---- xen2 { xfilter_op }: a sub-op that concerns no domain -------------------
"$XFCTL" hv probe > /tmp/xsm.probe 2>&1
rc=$?
sed 's/^/# /' /tmp/xsm.probe
t_is "probe allowed (xen2 xfilter_op)" "$rc" 0
t_ok "probe reports ABI 3" sh -c "$XFCTL -j hv probe | grep -q '\"version\": 3'"

# ---- domain2 { xfilter_op } on g1 -------------------------------------------
d=$(guest_domid g1)
g1ip=$(guest_ip g1)
"$XFCTL" hv profile g1 clear > /dev/null 2>&1
t_ok "profile load for g1 allowed (domain2 xfilter_op on domU_t)" \
	hv hv profile g1 --kernel /xf/guest/vmlinuz
nc -lk 7779 > /dev/null 2>&1 &
l1=$!
t_ok "dom0 listens on 7779" wait_for 10 sh -c "ss -ltn | grep -q ':7779 '"
guest g1 'su -s /bin/sh -c "sleep 600 | nc 10.0.0.1 7779" alice > /dev/null 2>&1 &' > /dev/null
wait_for 20 sh -c "ss -tnH state established '( sport = :7779 )' | grep -q ."
p1=$(ss -tnH state established '( sport = :7779 )' | awk '{print $4}' | sed -n "s/^$g1ip://p" | head -n1)
echo "# g1 port of alice's nc: $p1"
$XFCTL -j hv check g1 tcp "$g1ip" "${p1:-1}" 10.0.0.1 7779 > /tmp/xsm.check 2>&1
rc=$?
sed 's/^/# /' /tmp/xsm.check
t_is "check of g1's flow allowed" "$rc" 0
t_ok "the owner is alice (uid 1001)" grep -q '"uid": 1001' /tmp/xsm.check
t_is "other domains: ESRCH before XSM is asked (dom0 itself)" \
	"$(hv hv test nodomain 0)" ESRCH
guest g1 'pkill -f "nc 10.0.0.1 7779"' > /dev/null
kill "$l1" 2>/dev/null

xl dmesg > /tmp/xsm.dmesg
grep -i 'avc' /tmp/xsm.dmesg | sed 's/^/# /' | tail -n 20
t_ok "no FLASK denial logged meanwhile" sh -c "! grep -qi 'avc:  *denied' /tmp/xsm.dmesg"

# ---- a guest dom0 may no longer read: prot_domU_t, locked ---------------------
# The example policy gives dom0 domain2 xfilter_op on prot_domU_t (as mmu
# map_read) only while the boolean prot_doms_locked is false. gx is created
# paused as prot_domU_t, read, then the boolean is set: Xen must refuse.
# --slide 0 keeps xfctl from reading gx's memory itself.
cat > /etc/xen/gx.cfg <<CFG
name = "gx"
type = "pv"
kernel = "/xf/guest/vmlinuz"
ramdisk = "/xf/guest/initrd.cpio"
memory = 128
vcpus = 1
seclabel = "system_u:system_r:prot_domU_t"
CFG
t_ok "create gx (paused) as prot_domU_t" xl create -p -q /etc/xen/gx.cfg
xl list -Z | sed 's/^/# /'
t_ok "gx runs as prot_domU_t" sh -c "xl list -Z | grep -q '^gx .*system_r:prot_domU_t'"
"$XFCTL" hv profile gx --kernel /xf/guest/vmlinuz --slide 0 > /tmp/xsm.gx 2>&1
sed 's/^/# /' /tmp/xsm.gx
t_ok "unlocked: XSM lets dom0 read gx (loaded, or a banner not yet there)" \
	sh -c "! grep -Eq 'EACCES|EPERM|ESRCH' /tmp/xsm.gx"
t_ok "flask-set-bool prot_doms_locked 1" flask-set-bool prot_doms_locked 1
"$XFCTL" hv profile gx --kernel /xf/guest/vmlinuz --slide 0 > /tmp/xsm.gx 2>&1
sed 's/^/# /' /tmp/xsm.gx
t_ok "locked: profile load for gx refused with EACCES" grep -q EACCES /tmp/xsm.gx
"$XFCTL" hv check gx tcp 10.0.0.9 1 10.0.0.1 9 > /tmp/xsm.gx 2>&1
sed 's/^/# /' /tmp/xsm.gx
t_ok "locked: check of gx refused with EACCES" grep -q EACCES /tmp/xsm.gx
xl dmesg | grep 'avc:  *denied' | sed 's/^/# /' | tail -n 5
t_ok "Xen logged the denial of domain2 xfilter_op on gx" sh -c \
	"xl dmesg | grep 'avc:  *denied' | grep 'xfilter_op' | grep -q 'tclass=domain2'"
t_ok "flask-set-bool prot_doms_locked 0" flask-set-bool prot_doms_locked 0
t_ok "destroy gx" xl destroy gx

# ---- a guest (domU_t) calling xfilter_op: no xen2 { xfilter_op } -------------
# An intruder with root in g1 calls it from g1's kernel (xfrk.ko hcall=1):
# probe, an empty rule table, a check of dom0; FLASK refuses each (EACCES).
out=$(guest_hcall g1)
t_is "g1's kernel calls xfilter_op: probe, rules, check all EACCES" \
	"$(echo "$out" | tail -n 1)" "probe=-13 rules=-13 check=-13"
t_ok "Xen logged the denial of xen2 xfilter_op to domU_t" sh -c \
	"xl dmesg | grep 'avc:  *denied' | grep 'xfilter_op' | grep 'scontext=system_u:system_r:domU_t' | grep -q 'tclass=xen2'"
t_done
