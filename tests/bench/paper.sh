#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the xFilter paper's httperf experiment in the Xen lab, one
# boot on the patched Xen (both verdict sources: xfilterd and the filter in
# Xen), then a markdown table and a plot under docs/bench/:
#
#   tests/bench/paper-httperf.sh (in dom0)  ──XF_HTTPERF/XF_CHECK lines──►
#   docs/bench/paper.md  docs/bench/paper.png  docs/bench/paper.dat
#
# Every figure is also given as a ratio to no filter in the same boot: none,
# nft, user and hv take turns in --rounds rounds, and the table gives each
# its median ratio to the none of its own round, with the lowest and the
# highest (nft's spread is the run's noise). Installs gnuplot (Debian's
# gnuplot-nox) when missing, builds the patched hypervisor with
# scripts/build-xen.sh when .cache/xen/xen-xfilter is missing. Not part of
# make check.
#
# Usage: tests/bench/paper.sh [--out DIR] [--rates 10,25,50] [--secs 5]
#                             [--socks 10,30,50] [--sock-rate 25] [--repeats 2]
#                             [--rounds 4]
#                             [--nocache-rates LIST] [--from-log FILE]
# --from-log redraws the table and plot from a saved run's output.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
[ "$(id -u)" -eq 0 ] || exec sudo -E "$0" "$@"

out=docs/bench rates=10,25,50 secs=5 socks=10,30,50 sock_rate=25 repeats=2 rounds=4
nocache_rates= from_log=
cmdline="tests/bench/paper.sh${*:+ $*}"
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	--rates) rates=$2; shift 2 ;;
	--secs) secs=$2; shift 2 ;;
	--socks) socks=$2; shift 2 ;;
	--sock-rate) sock_rate=$2; shift 2 ;;
	--repeats) repeats=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--nocache-rates) nocache_rates=$2; shift 2 ;;
	--from-log) from_log=$2; shift 2 ;;
	-h|--help) sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "paper.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
for v in "$rates" "$socks" "${nocache_rates:-1}"; do
	[[ "$v" =~ ^[0-9]+(,[0-9]+)*$ ]] ||
		{ echo "paper.sh: bad list '$v' (numbers, comma-separated)" >&2; exit 2; }
done
[[ "$secs" =~ ^[1-9][0-9]*$ && "$sock_rate" =~ ^[1-9][0-9]*$ && "$repeats" =~ ^[1-9][0-9]*$ &&
   "$rounds" =~ ^[1-9][0-9]*$ ]] ||
	{ echo "paper.sh: --secs, --sock-rate, --repeats and --rounds take a number" >&2; exit 2; }

command -v gnuplot > /dev/null ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends gnuplot-nox >&2
mkdir -p "$out"
log=$out/paper.log

if [ -z "$from_log" ]; then
	xen=.cache/xen/xen-xfilter
	[ -f "$xen" ] || xen=$(scripts/build-xen.sh)
	make -s all >&2
	# Every point is bounded (httperf --timeout, timeout(1)): the limits
	# only catch a lab that hangs.
	env_list="XF_TEST_TIMEOUT=1700 XF_BENCH_RATES=$rates XF_BENCH_SECS=$secs"
	env_list+=" XF_BENCH_SOCKS=$socks XF_BENCH_SOCK_RATE=$sock_rate XF_BENCH_REPEATS=$repeats XF_BENCH_ROUNDS=$rounds"
	[ -n "$nocache_rates" ] && env_list+=" XF_BENCH_NOCACHE_RATES=$nocache_rates"
	lab_cmd=(scripts/lab/run --no-build --xen "$xen" --timeout 1800 --env "$env_list"
		 --script tests/bench/paper-httperf.sh)
	echo "[bench] ${lab_cmd[*]}" >&2
	start=$(date +%s)
	set +e
	"${lab_cmd[@]}" | tee "$log.tmp"
	rc=${PIPESTATUS[0]}
	set -e
	lab_s=$(($(date +%s) - start))
	{ echo "# command: $cmdline"; echo "# lab: ${lab_cmd[*]}"
	  echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC'), lab time ${lab_s} s, rc $rc"
	  cat "$log.tmp"; } > "$log"
	rm -f "$log.tmp"
	[ "$rc" = 0 ] || echo "[bench] the lab run failed (rc $rc): the table shows what was measured" >&2
	from_log=$log
fi

# A redraw names the command that made the run, not itself.
made=$(sed -n 's/^# command: //p' "$from_log" | head -n1)
[ -n "$made" ] && cmdline=$made

# ---- table ---------------------------------------------------------------------
dat=$out/paper.dat
grep -a '^XF_HTTPERF ' "$from_log" | sed 's/^XF_HTTPERF //' > "$out/points.tmp"
[ -s "$out/points.tmp" ] || { echo "[bench] no XF_HTTPERF lines in $from_log" >&2; exit 1; }

# kv FIELD: the value of FIELD= in each line of stdin
awk_kv='function kv(k,   i, n, a) { n = split($0, a, " "); for (i = 1; i <= n; i++) if (index(a[i], k "=") == 1) return substr(a[i], length(k) + 2); return "" }'

# Over the rounds, per config and rate: the median of avg, connect and of
# their ratios to the none of the same round, with the ratios' lowest and
# highest ("MED" lines); then every line again with its ratio to none: of
# its own round, or the median none at its rate outside the rounds ("PT").
# kv() gives strings: values are made numbers before they are compared.
awk_med='function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n == 0 ? "" : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) }'
awk "$awk_kv$awk_med"'
	function ratio(a, b) { return a > 0 && b > 0 ? a / b : "" }
	# summ(X, c, r, n): median of the values given in X[c, r, 1..n]; sets LO, HI
	function summ(X, c, r, n,   j, m, v, y) {
		LO = HI = ""; m = 0
		for (j = 1; j <= n; j++) if (X[c, r, j] != "") { v = X[c, r, j] + 0; y[++m] = v
			if (LO == "" || v < LO) LO = v; if (HI == "" || v > HI) HI = v }
		return med(y, m)
	}
	{ line[NR] = $0; c = kv("config"); r = kv("rate"); k = kv("round")
	  if (c == "none" && k != "") { na[k, r] = kv("avg"); nc[k, r] = kv("connect") } }
	END {
		for (i = 1; i <= NR; i++) {
			$0 = line[i]; c = kv("config"); r = kv("rate"); k = kv("round")
			if (k == "") continue
			rat[i] = ratio(kv("avg"), na[k, r]); crat[i] = ratio(kv("connect"), nc[k, r])
			n = ++cnt[c, r]; A[c, r, n] = kv("avg"); C[c, r, n] = kv("connect")
			R[c, r, n] = rat[i]; Q[c, r, n] = crat[i]
		}
		for (cr in cnt) {
			split(cr, p, SUBSEP); c = p[1]; r = p[2]; n = cnt[cr]
			mavg[cr] = summ(A, c, r, n); mcon[cr] = summ(C, c, r, n)
			mr = summ(R, c, r, n); rlo = LO; rhi = HI
			mq = summ(Q, c, r, n)
			printf "MED config=%s rate=%s rounds=%d avg=%s connect=%s ratio=%s ratio_lo=%s ratio_hi=%s cratio=%s cratio_lo=%s cratio_hi=%s\n",
				c, r, n, mavg[cr], mcon[cr], mr, rlo, rhi, mq, LO, HI
		}
		for (i = 1; i <= NR; i++) {
			$0 = line[i]; r = kv("rate")
			if (kv("round") == "") {
				rat[i] = ratio(kv("avg"), mavg["none", r])
				crat[i] = ratio(kv("connect"), mcon["none", r])
			}
			printf "PT %s ratio=%s cratio=%s\n", $0, rat[i], crat[i]
		}
	}' "$out/points.tmp" > "$out/agg.tmp"

# rate, then avg connection time per configuration (gnuplot's input): the
# median over the rounds, or the one point outside them
awk "$awk_kv"'
	/^MED / { avg[kv("config"), kv("rate")] = kv("avg"); rs[kv("rate")] = 1 }
	/^PT / && kv("round") == "" { avg[kv("config"), kv("rate")] = kv("avg"); rs[kv("rate")] = 1 }
	END {
		n = split("none nft user user-nocache hv hv-nocache", order, " ")
		printf "rate"; for (i = 1; i <= n; i++) printf " %s", order[i]; printf "\n"
		m = 0; for (r in rs) list[++m] = r + 0
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (list[j] < list[i]) { t = list[i]; list[i] = list[j]; list[j] = t }
		for (k = 1; k <= m; k++) {
			printf "%d", list[k]
			for (i = 1; i <= n; i++) { v = avg[order[i], list[k]]; printf " %s", v == "" || v == 0 ? "NaN" : v }
			printf "\n"
		}
	}' "$out/agg.tmp" > "$dat"
awk "$awk_kv"'
	/^MED / && kv("config") == "none" { none[kv("rate")] = kv("avg") }
	/^PT / { c = kv("config")
	  if (c ~ /-sock[0-9]+$/) { s = c; sub(/.*-sock/, "", s); m = c; sub(/-sock.*/, "", m); v[m, s] = kv("avg"); ss[s] = 1; sr = kv("rate") } }
	END {
		print "# sockets user hv none-at-the-same-rate"
		for (s in ss) print s, (v["user", s] == "" ? "NaN" : v["user", s]), (v["hv", s] == "" ? "NaN" : v["hv", s]),
			(none[sr] == "" ? "NaN" : none[sr]) | "sort -n"
	}' "$out/agg.tmp" > "$out/socks.dat"

md=$out/paper.md
{
	echo "# xFilter paper experiment: httperf connection time in the lab"
	echo
	echo "Made by \`make bench\` (\`$cmdline\`), which ran this lab command:"
	echo
	echo '```'
	sed -n 's/^# lab: //p' "$from_log"
	echo '```'
	echo
	echo "$(sed -n 's/^# date: //p' "$from_log"). One boot of the patched Xen 4.17"
	echo "under QEMU TCG (no KVM) on a 2-core host shared with other work: absolute"
	echo "times are TCG times, far above real hardware; compare the ratios, each"
	echo "against the no-filter run (none) of the same boot at the same rate."
	echo "httperf 0.9.0 in dom0, one new TCP connection per request, against busybox"
	echo "httpd (as www-data) in the PV guest g1 serving a 3,918-byte page;"
	echo "httperf runs at nice 10: it keeps the lab dom0's one vCPU busy (3.97 s of"
	echo "CPU in 4 s at 10 req/s), and at the same priority the verdict source"
	echo "would wait for its turn behind it."
	echo "xfilter's rule in every xfilter run: \`dom g1 uid 1001 drop\`: it needs the"
	echo "owner of every new flow of g1 and never matches httpd (the paper's"
	echo "non-matching rule); nft: a netdev ingress chain on the vif with \`tcp dport 9 drop\`."
	echo
	echo "Configurations: none; nft; user (xfilter.ko + xfilterd, userland mode,"
	echo "verdict cache on); user-nocache (cache=0: every packet g1 sends is"
	echo "checked); hv / hv-nocache (the check runs in Xen, domain mode hypervisor);"
	echo "*-sockN: cache on, alice (uid 1001) holding N idle TCP connections in one"
	echo "process, so the rule matches N sockets of the guest; none-end: no filter"
	echo "again at the end of the run (how much the host's load drifted)."
	echo "none, nft, user and hv run in rounds, each round in the opposite order"
	echo "of the one before (none nft user hv, hv user nft none, ...), every rate"
	echo "in each, one httperf run per point: the host's drift falls on all four"
	echo "alike, and each point is compared with the none of its own round. The"
	echo "other configurations run once, after the rounds: each is the least"
	echo "disturbed (lowest avg) of the httperf runs listed in runs_avg in the raw"
	echo "output, compared with the median none at its rate. TCG on a shared host"
	echo "is noisy: read nft's spread as the noise of the run."
	echo
	echo "![connection time](paper.png)"
	echo
	echo "## Connection time against no filter, over the rounds"
	echo
	echo "httperf's average connection time [ms] and average connect time (SYN to"
	echo "SYN-ACK: the guest's SYN-ACK is the packet xfilter checks), the medians"
	echo "over the rounds, and each as a ratio to none of the same round: the"
	echo "median ratio, then the lowest and highest."
	echo
	echo "| config | rate req/s | rounds | avg ms | avg ratio | (lowest–highest) | connect ms | connect ratio | (lowest–highest) |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|"
	awk "$awk_kv"'
		function f(v) { return v == "" ? "n/a" : sprintf("%.2f", v) }
		/^MED / { c = kv("config"); i = index(" none nft user hv ", " " c " ")
		  printf "%d %06d | %s | %s | %s | %s | %s | %s–%s | %s | %s | %s–%s |\n", i, kv("rate"),
			c, kv("rate"), kv("rounds"), f(kv("avg")), f(kv("ratio")), f(kv("ratio_lo")), f(kv("ratio_hi")),
			f(kv("connect")), f(kv("cratio")), f(kv("cratio_lo")), f(kv("cratio_hi")) }' "$out/agg.tmp" |
		sort -n -k1,1 -k2,2 | cut -d' ' -f3-
	echo
	echo "## Every point"
	echo
	echo "httperf's connection time [ms] (min / avg / max / median / stddev) and"
	echo "connect avg, each avg with its ratio to none (of the same round in the"
	echo "rounds, the median none at the same rate after them); ok = 2xx replies."
	echo
	echo "| config | round | rate req/s | conns | ok | errors | min | avg | max | median | stddev | avg ratio | connect avg | connect ratio |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
	awk "$awk_kv"'
		function f(v) { return v == "" ? "n/a" : sprintf("%.2f", v) }
		/^PT / { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			kv("config"), kv("round"), kv("rate"), kv("conns"), kv("ok"), kv("errors"), kv("min"),
			kv("avg"), kv("max"), kv("median"), kv("stddev"), f(kv("ratio")), kv("connect"), f(kv("cratio")) }' "$out/agg.tmp"
	echo
	echo "## Cost of one check, as the verdict source measured it"
	echo
	echo "userland: xfilterd's time per batch from fetching the held flows to"
	echo "sending the verdicts (p50/p99, µs), flows per batch, and a flow's first"
	echo "packet held to its verdict (syn, includes the module's batching delay)."
	echo "hypervisor: Xen's time per check (avg/p50/p99, µs) and per hypercall."
	echo
	echo "| config | checks (flows) | batches | check avg µs | check p50 µs | check p99 µs | syn p50 µs | syn p99 µs |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|"
	grep -a '^XF_CHECK ' "$from_log" | sed 's/^XF_CHECK //' | awk "$awk_kv"'
		function us(ns) { return ns == "" ? "" : sprintf("%.1f", ns / 1000) }
		{
			c = kv("config") (kv("round") == "" ? "" : " (round " kv("round") ")")
			if (kv("checks") != "")
				printf "| %s | %s | %s | %s | %s | %s | | |\n", c, kv("checks"),
					"", us(kv("check_ns_avg")), us(kv("check_ns_p50")), us(kv("check_ns_p99"))
			else
				printf "| %s | %s | %s | | %s (batch) | %s (batch) | %s | %s |\n", c,
					kv("flows"), kv("batches"), kv("batch_us_p50"), kv("batch_us_p99"),
					kv("syn_us_p50"), kv("syn_us_p99")
		}'
	echo
	echo "## Raw output"
	echo
	echo '```'
	grep -a -E '^(XF_|ok |not ok |# (rates|alice|\{)|# [a-z0-9-]+ [0-9]+ req/s (round [0-9]+ )?run)' "$from_log" || true
	echo '```'
} > "$md"

if [ -n "$(tail -n +2 "$dat")" ]; then
	(cd "$out" && gnuplot) <<'GP'
set terminal pngcairo size 1200,520 font ",10"
set output "paper.png"
set multiplot layout 1,2 title "httperf connection time, 3,918-byte page, lab under QEMU TCG"
set key top left
set grid
set xlabel "request rate [req/s]"
set ylabel "avg connection time [ms]"
set logscale y
plot for [i=2:7] "paper.dat" using 1:i with linespoints lw 2 title columnhead(i)
unset logscale y
set yrange [0:*]
set xlabel "idle sockets of the matching process (cache on)"
set ylabel "avg connection time [ms]"
plot "socks.dat" using 1:2 with linespoints lw 2 title "user", \
     "socks.dat" using 1:3 with linespoints lw 2 title "hv", \
     "socks.dat" using 1:4 with lines dt 2 lw 2 title "none (same rate)"
unset multiplot
GP
fi
rm -f "$out/points.tmp" "$out/agg.tmp"
echo "[bench] wrote $md, $out/paper.png, $dat" >&2
