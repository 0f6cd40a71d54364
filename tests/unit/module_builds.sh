#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xfilter.ko builds, warnings as errors, for the dom0 kernels beyond the
# lab's 6.1 (which tests/run's build step makes in the tree): the lab's
# 6.12 (scripts/kver 6.12) and the newest 7.x Debian ships (scripts/kver 7,
# sid). Each build runs in a scratch copy of the sources, so the tree's
# xfilter.ko (6.1, copied into the lab's dom0 image) is never replaced.
#
# Headers come from scripts/kernel-headers.sh (cached). sid's kernel is
# built by gcc-16, which bookworm lacks: the headers are then configured
# for this machine's gcc and the Makefile builds with it (kernel_cc there),
# a compile check of the kernel API use.
# Passes when make succeeds, the module's vermagic names the kernel, and
# the output holds no "warning:" or "error:" line (kbuild's notices of a
# compiler or pahole other than the kernel's included).
#
# Usage: tests/unit/module_builds.sh [KVER ...]
# Prints TAP.
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
KVERS=${*:-$("$TOP/scripts/kver" 6.12) $("$TOP/scripts/kver" 7)}
. "$TOP/tests/unit/tap.sh"

scratch=$(mktemp -d /tmp/xf-module-builds.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

for k in $KVERS; do
	src=$scratch/$k
	mkdir -p "$src"
	# What kbuild reads: the module's sources and the scripts the
	# Makefile runs (no build output, no .cache).
	(cd "$TOP" && tar -cf - Makefile Kbuild core include kmod scripts) |
		tar -xf - -C "$src"
	rm -f "$src"/kmod/*.o "$src"/kmod/.*.cmd "$src"/core/*.o "$src"/core/.*.cmd
	log=$scratch/$k.log
	if ! XF_CACHE=${XF_CACHE:-$TOP/.cache} make -C "$src" -s WERROR=1 module KVER="$k" \
		>"$log" 2>&1; then
		sed 's/^/# /' "$log" | tail -n 40
		tap FAIL "$k: make module WERROR=1"
		continue
	fi
	vm=$(modinfo -F vermagic "$src/xfilter.ko" 2>/dev/null | cut -d' ' -f1)
	bad=$(grep -iE 'warning|error' "$log")
	if [ -n "$bad" ]; then
		grep -iE -A2 'warning|error' "$log" | sed 's/^/# /' | head -n 40
	fi
	if [ "$vm" = "$k" ] && [ -z "$bad" ]; then
		tap OK "$k: xfilter.ko built, warnings as errors, none printed (vermagic $vm)"
	else
		tap FAIL "$k: xfilter.ko vermagic '$vm' (want $k), $(grep -c . <<<"$bad") warning/error lines"
	fi
done
echo "1..$n"
exit $fail
