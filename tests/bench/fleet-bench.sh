#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fleet store's cost on one host, for a store of 1,000 guests x 10
# rules beside one of a single guest (the baseline), in the same run, on a
# real etcd on localhost (no module, no Xen: tests/bench/fleet-bench.c
# says what each column measures). Not part of tests/run.
#
#	tests/bench/fleet-bench.sh [CHANGES]     (default 200)
#
# What a host pays on top, per change of the store: for each guest it runs
# whose policy changed, the rule table is read once and the rules that
# differ are replaced over netlink (xfilterd/store.c); 53-fleet-store
# checks that path in the lab.
#
# One run (2026-12-06, 2-core host, otherwise idle; CHANGES 200):
#
#   guests  rules   keys  read_ms  copy_kib  rss_kib  lookup_us  p50_ms  p99_ms
#   1          10     12      1.2         1       68       3.05    0.95    2.74
#   1000       10  12000    201.1      1550    19064       6.37    0.98    2.28
#
# A store of 1,000 guests costs a host a 0.2 s read at start (and after
# each reconnect), 1.5 MiB of copy (19 MiB resident once the reply was
# parsed: malloc keeps it) and 6 us per running guest per change; a change
# reaches the copy as fast as with one guest.
set -eu
cd "$(dirname "$0")/../.."
changes=${1:-200}
make -s build/bench/fleet-bench
command -v etcd > /dev/null || { echo "etcd is not installed (scripts/deps.sh build)" >&2; exit 1; }

printf '%-7s %6s %6s %8s %9s %8s %10s %10s %10s\n' guests rules keys read_ms copy_kib rss_kib lookup_us p50_ms p99_ms
for guests in 1 1000; do
	line=$(build/bench/fleet-bench "$guests" 10 "$changes")
	echo "$line" >&2
	echo "$line" | awk '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "%-7s %6s %6s %8s %9s %8s %10s %10s %10s\n", v["guests"], v["rules"],
			v["keys"], v["read_ms"], v["copy_kib"], v["rss_kib"],
			v["lookup_us"], v["change_p50_ms"], v["change_p99_ms"]
	}'
done
