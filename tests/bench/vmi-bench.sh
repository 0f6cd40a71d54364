#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Introspection benchmark on QEMU dumps of the same kernel at two sizes:
# small (~90 processes, ~300 sockets) and big (~1,150 processes, ~5,400
# sockets), to show how each path grows with the guest. For each dump:
# wall-clock medians from tests/bench/vmi-bench.c, then instruction
# counts (callgrind) of one full listing and of one new flow through the
# fast path, with and without the owner's exe path (hinted vs hinted+exe:
# the cost of exe per owner lookup, measured in the same run).
#
# Usage: tests/bench/vmi-bench.sh [KVER]     (default: scripts/kver 6.1)
# Makes the dumps if missing (scripts/make-dump.sh; the big one boots for
# about a minute under TCG).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
KVER=${1:-$("$(dirname "$0")/../../scripts/kver" 6.1)}
B=$TOP/build/bench
mkdir -p "$B"
make -C "$TOP" -s build/libxfuser.a build/libxfcore.a
PKGS="libbpf xencontrol xenforeignmemory xenstore zlib liblzma libzstd liblz4"
cc -O2 -g -std=gnu11 -D_GNU_SOURCE -I"$TOP/include" -I"$TOP/core" \
	-I"$TOP/userspace/lib" -o "$B/vmi-bench" "$TOP/tests/bench/vmi-bench.c" \
	"$TOP/build/libxfuser.a" "$TOP/build/libxfcore.a" $(pkg-config --libs $PKGS)

# instructions FUNCTION DIR: instructions inside FUNCTION, one run
instructions() {
	local out=$B/callgrind.$1.out
	XF_BENCH_ONLY=${1#bench_} XF_PROFILE=$B/profile valgrind --tool=callgrind --callgrind-out-file="$out" \
		--toggle-collect="$1" "$B/vmi-bench" "$2" 1 >/dev/null 2>&1
	awk '/^summary:/ { print $2; exit }' "$out"
}

for size in small big; do
	dir=$("$TOP/scripts/make-dump.sh" -k "$KVER" -s "$size")
	echo "## $KVER $size"
	"$TOP/build/xfctl" profile build --kernel "$(cat "$dir/kernel")" -o "$B/profile" >/dev/null
	"$B/vmi-bench" "$dir" 5
	if command -v valgrind >/dev/null; then
		walk=$(instructions bench_walk "$dir")
		# Each flow function runs twice per flow (warm, cold);
		# bench_walk twice (setup + 1 round): per call, averaged.
		flows=$(XF_BENCH_ONLY=lookup XF_PROFILE=$B/profile "$B/vmi-bench" "$dir" 1 |
			awk '/^lookup /{ print $2 }')
		scan=$(instructions bench_scan "$dir")
		hint=$(instructions bench_hinted "$dir")
		hexe=$(instructions bench_hinted_exe "$dir")
		look=$(instructions bench_lookup "$dir")
		echo "instructions: walk $((walk / 2)) per listing;" \
			"lookup $((look / (2 * flows))) per flow (sock + sk_uid);" \
			"hinted $((hint / (2 * flows))) per flow (+ owner, cached);" \
			"hinted+exe $((hexe / (2 * flows))) per flow (+ exe path);" \
			"scan $((scan / (2 * flows))) per flow (+ owner by scan)"
	fi
done
