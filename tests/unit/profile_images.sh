#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest profiles from the kernel image alone, for every kernel series
# Debian ships from bullseye to sid and each of its flavours: 5.10
# (bullseye), 6.1 (bookworm), 6.12 (bookworm-security/backports and
# trixie), the newest 7.x (sid); generic, cloud and rt. Each image runs
# build/unit/test_profile (XF_KERNEL_DIR): the profile from the vmlinuz
# alone; kallsyms against every exported symbol of __ksymtab; the same
# profile from the vmlinux ELF and from raw BTF + a System.map; what the
# image holds at linux_banner and init_task (banner text, comm "swapper",
# pid 0, the self-pointing tasks list) read with BTF's offsets.
#
# Images are fetched once (scripts/fetch-kernel.sh, one package each, the
# split 7.x image two) and cached under $XF_CACHE/kernels/.
#
# Usage: tests/unit/profile_images.sh [VERSION ...]
#	default: scripts/kver 5.10, 6.1, 6.12, 6.12+deb13 and 7, generic;
#	cloud and rt of 6.12+deb13 (trixie, a new host's guests); all three
#	flavours of every series with XF_PROFILE_FLAVOURS=all (about 1.3 GB
#	of packages: too much for every run of a clean clone)
# Prints TAP: one line per image (its failing checks as comments).
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
TEST=$TOP/build/unit/test_profile
. "$TOP/tests/unit/tap.sh"

if [ ! -x "$TEST" ]; then
	make -C "$TOP" -s build/unit/test_profile >/dev/null 2>&1 || true
fi
if [ $# -gt 0 ]; then
	versions=$*
else
	versions=
	for s in 5.10 6.1 6.12 6.12+deb13 7; do
		abi=$("$TOP/scripts/kver" "$s")
		flavours=""
		if [ "${XF_PROFILE_FLAVOURS:-}" = all ] || [ "$s" = 6.12+deb13 ]; then
			flavours="cloud- rt-"
		fi
		for f in "" $flavours; do
			versions="$versions ${abi%amd64}${f}amd64"
		done
	done
fi

for v in $versions; do
	if ! dir=$("$TOP/scripts/fetch-kernel.sh" "$v" 2>/tmp/xf-fetch.$$); then
		sed 's/^/# /' /tmp/xf-fetch.$$
		tap FAIL "$v: fetch the image"
		continue
	fi
	out=$(XF_KERNEL_DIR=$dir "$TEST" 2>&1)
	rc=$?
	total=$(grep -c '^ok \|^not ok ' <<<"$out")
	bad=$(grep -c '^not ok ' <<<"$out")
	skip=$(grep -c '^ok .*# SKIP' <<<"$out")
	grep -E '^not ok |# SKIP' <<<"$out" | sed "s/^/# $v: /"
	release=$(sed -n 's/^ok [0-9]* - banner recorded$/yes/p' <<<"$out")
	if [ $rc -eq 0 ] && [ "$bad" -eq 0 ] && [ "$skip" -eq 0 ] &&
	   [ "$total" -gt 60 ] && [ "$release" = yes ]; then
		tap OK "$v: profile from the image alone, $total checks of test_profile"
	else
		tap FAIL "$v: profile from the image alone: $bad of $total checks failed, $skip skipped (exit $rc)"
	fi
done
rm -f /tmp/xf-fetch.$$
echo "1..$n"
exit $fail
