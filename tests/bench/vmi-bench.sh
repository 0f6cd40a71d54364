#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Introspection benchmark on QEMU dumps of the same kernel with ~100,
# ~1,000 and ~10,000 processes and the same ~300 sockets (make-dump.sh
# -s p100|p1000|p10000: only the processes grow), to show how each path
# grows with the guest. For each dump: wall-clock medians and guest reads
# from tests/bench/vmi-bench.c, then instruction counts (callgrind) of one
# full listing and of one new flow through the fast path, with and
# without the owner's exe path (hinted vs hinted+exe: the cost of exe per
# owner lookup, measured in the same run). It ends with one table: the
# owner of a new flow for a credential-only rule (uid/gid/cgroup: the
# socket's own f_cred, sk_uid and cgroup, sock-creds) and for a pid/comm
# rule (the task too, sock-task) beside today's path (owner by fd-table
# scan, no hint), warm translation cache, all from the same run.
#
# Usage: tests/bench/vmi-bench.sh [KVER]     (default: scripts/kver 6.1)
#	SIZES="small big" for the older dumps (~90 processes and ~300
#	sockets, ~1,150 processes and ~5,400 sockets); XF_BENCH_NOGRIND=1
#	skips the callgrind counts.
# Makes the dumps if missing (scripts/make-dump.sh; each boots for a
# minute or a few under TCG).
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

SIZES=${SIZES:-p100 p1000 p10000}
table=""
for size in $SIZES; do
	dir=$("$TOP/scripts/make-dump.sh" -k "$KVER" -s "$size")
	echo "## $KVER $size"
	"$TOP/build/xfctl" profile build --kernel "$(cat "$dir/kernel")" -o "$B/profile" >/dev/null
	"$B/vmi-bench" "$dir" 5 | tee "$B/out.$size"
	# "measure n median_us p99_us max_us reads" lines: median and reads
	row=$(awk -v size="$size" '
		/^# / && /processes/ { procs = $3 }
		$1 == "sock-creds" { c = sprintf("%8.2f %6.1f", $3, $6) }
		$1 == "sock-task" { t = sprintf("%8.2f %6.1f", $3, $6) }
		$1 == "scan" { s = sprintf("%8.2f %8.1f", $3, $6) }
		END { printf "%-8s %6s | %s | %s | %s\n", size, procs, c, t, s }' "$B/out.$size")
	table="$table$row"$'\n'
	if [ -z "${XF_BENCH_NOGRIND:-}" ] && command -v valgrind >/dev/null; then
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

echo "## owner of a new flow (warm cache): median us, guest reads per flow"
echo "#  size    procs |  credential rule  |   pid/comm rule   | today: fd-table scan"
echo "#                 |    us     reads   |    us     reads   |    us     reads"
printf '%s' "$table"
