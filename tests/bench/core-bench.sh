#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Parse + verdict-cache lookup per packet for 1 K, 100 K and 1 M cached
# flows, 90 % hits / 10 % misses, packets in uniformly random flow order.
# ns/packet: native run, best of 5, side by side in the same run with the
# table on 4 KiB pages (as vmalloc, and a PV dom0's whole memory) and on
# huge pages (as kmalloc_large memory in a direct map; core-bench.c).
# Beside them, the baseline from the same machine in the same run: one
# dependent load at random over the lines FLOWS entries take (a lookup
# that misses the CPU's caches cannot cost less; this varies by host).
# instructions/packet: callgrind counting only bench_loop, (Ir(2P) - Ir(P)) / P so setup and
# warm-up cancel out; the loop's own overhead (about 23 instructions) is
# included.
# Not part of make check.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/build/bench"
cc=${CC:-cc}
mkdir -p "$out"
cd "$top"
$cc -O2 -g -Icore -o "$out/core-bench" tests/bench/core-bench.c \
	core/flow.c core/rule.c core/cache.c

packets=2000000
p=100000
ir() {
	valgrind --tool=callgrind --toggle-collect=bench_loop \
		--callgrind-out-file=/dev/null "$out/core-bench" "$1" "$2" 90 \
		2>&1 | sed -n 's/.*Collected : *//p'
}

# best ARG...: the best ns of 5 runs (ARG: 90, 90 huge, or load)
best() {
	local b= ns i
	for i in 1 2 3 4 5; do
		ns=$("$out/core-bench" $flows $packets "$@" | cut -d' ' -f1)
		b=$(echo "$ns ${b:-$ns}" | awk '{print ($1 < $2) ? $1 : $2}')
	done
	echo "$b"
}

printf '%-10s %12s %12s %12s %12s %8s\n' flows "ns 4K pages" "ns huge" \
	"ns 1 load" instr/packet hit%
for flows in 1000 100000 1000000; do
	ns4k=$(best 90)
	nshuge=$(best 90 huge)
	nsload=$(best load)
	set -- $("$out/core-bench" $flows $packets 90)
	hitpct=$(echo "$2 $packets" | awk '{printf "%.1f", 100 * $1 / $2}')
	if command -v valgrind >/dev/null; then
		a=$(ir $flows $p)
		b=$(ir $flows $((2 * p)))
		ins=$(echo "$a $b $p" | awk '{printf "%.1f", ($2 - $1) / $3}')
	else
		ins=n/a
	fi
	printf '%-10s %12s %12s %12s %12s %8s\n' $flows "$ns4k" "$nshuge" \
		"$nsload" "$ins" "$hitpct"
done
