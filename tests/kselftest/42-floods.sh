#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default
#
# Floods of new flows from a guest (tests/guest/xfflood.c), with xfilterd as
# the verdict source: a SYN flood to many ports on many addresses (alice,
# dropped by a uid rule) and a UDP flood to random ports (alice, accepted).
# The per-domain queue stays within queue_packets, whatever does not fit is
# counted as overflow and gets the fail policy, the verdict cache stays
# within cache_size, dom0's memory is back to where it was once the flows
# are flushed, and a second guest (g2, when up) still gets its connections
# through during the flood (connect time measured). A second user of g1
# (bob) shares alice's queue and verdict source: his connects during the
# flood are a figure, not a check (they get through while the source keeps
# up with the flood, which depends on the machine's speed: at full length
# under load, none did). Traffic: 2 x FLOOD_S seconds (default 15).
#
#   g1: alice xfflood ─┐                                ┌─ tcp-listen 7002
#       bob xfnet -v  ─┴─ vif<D>.0 [xfilter] ─ xenbr0 ─ dom0
#   g2: root xfnet -v ─── vif<E>.0 [xfilter] ─┘   │ batches
#                                 xfilterd ◄──────┘
. ./lib.sh
. ./xfd_lib.sh

FLOOD_S=${FLOOD_S:-15}
P=/sys/module/xfilter/parameters
trap 'kill $L1 $SMP 2>/dev/null; xfd_cleanup' EXIT
xfnet tcp-listen 7002 > /dev/null 2>&1 & L1=$!
dmesg_mark
G2=
xl domid g2 > /dev/null 2>&1 && G2=g2

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
# sample FILE: g1's held packets (queue_packets is per domain: g2 holds
# its own meanwhile) and the cache's flows (cache_size is for all), every
# 0.2 s, until killed
sample()
{
	local d
	d=$(guest_domid g1)
	while :; do
		echo "$(xf_dstat "$d" held) $(xfctl stats | awk '$1 == "flows" { f = $2 } END { print f + 0 }')"
		sleep 0.2
	done > "$1"
}
peak() { awk -v c="$2" 'BEGIN { m = 0 } $c > m { m = $c } END { print m }' "$1"; }
# connect_ms USER G [MIN]: the slowest of the 5 connects to dom0:7002 that
# succeeded, in ms; "" if fewer than MIN (default 5) succeeded
connect_ms()
{
	local out
	if [ "$1" = root ]; then
		out=$(guest "$2" "xfnet tcp-connect 10.0.0.1 7002 -n 5 -t 5000 -v")
	else
		out=$(as "$1" "$2" "xfnet tcp-connect 10.0.0.1 7002 -n 5 -t 5000 -v")
	fi
	echo "$out" | sed 's/^/# /' >&2
	[ "$(echo "$out" | sed -n 's/.* ok=\([0-9]*\) .*/\1/p')" -ge "${3:-5}" ] 2>/dev/null || return 0
	echo "$out" | grep -o 'rc=0 us=[0-9]*' | cut -d= -f3 | sort -n | tail -n1 |
		awk '{ print int($1 / 1000) }'
	return 0
}

t_ok "xfilterd introspects g1${G2:+ and g2}" xfd_setup g1 $G2
QP=$(cat $P/queue_packets)
CS=$(cat /sys/module/xfilter/parameters/cache_size 2>/dev/null || echo 0)
echo "# queue_packets=$QP cache_size=$CS verdict_timeout_ms=$(cat $P/verdict_timeout_ms)"
# alice's rule needs an owner for every protocol, so both floods go to
# xfilterd; a flooder that closes its sockets at once leaves no owner to
# find: those flows are unattributed, and dropped as such.
t_ok "rule: dom g1 uid 1001 drop" xfctl rule add dom g1 uid 1001 drop
t_ok "domain g1: unattributed drop (fail policy: the default)" xfctl domain set g1 unattributed drop
echo "# $(xfctl domain show g1 2>/dev/null | head -n1)"
# g2's new flows need xfilterd too: they compete with g1's flood for it.
[ -n "$G2" ] && t_ok "rule: dom g2 uid 1001 drop (g2's flows go to xfilterd)" \
	xfctl rule add dom g2 uid 1001 drop
base_bob=$(connect_ms bob g1)
t_ok "baseline: bob connects (slowest of 5: ${base_bob:-failed} ms)" test -n "$base_bob"
if [ -n "$G2" ]; then
	base_g2=$(connect_ms root g2)
	t_ok "baseline: g2 connects (slowest of 5: ${base_g2:-failed} ms)" test -n "$base_g2"
fi
xfctl flows flush
sleep 1
mem0=$(meminfo MemAvailable) slab0=$(meminfo Slab)
echo "# before: MemAvailable ${mem0} kB, Slab ${slab0} kB"

flood()	# NAME XFFLOOD-ARGS: run it as alice in g1, measure during it
{
	local name=$1 s0 d0 o0 out
	shift
	s0=$(kstat packets) d0=$(kstat dropped) o0=$(kstat overflow)
	[ -n "$G2" ] && g2ft0=$(xf_dstat "$(guest_domid g2)" fail_timeout)
	sample /tmp/flood-$name.smp & SMP=$!
	as alice g1 "xfflood $* > /tmp/flood.out 2>&1 &" > /dev/null
	sleep 2
	# bob shares alice's queue and verdict source: a figure (see above)
	bob_ms=$(connect_ms bob g1 1)
	echo "# $name: bob's connects during the flood, slowest that got through: ${bob_ms:-none got through} ms (baseline $base_bob)"
	if [ -n "$G2" ]; then
		g2_ms=$(connect_ms root g2)
		t_ok "$name: g2 connects during the flood (slowest of 5: ${g2_ms:-failed} ms, baseline $base_g2)" \
			test -n "$g2_ms"
	fi
	wait_for $((FLOOD_S + 60)) guest g1 "grep -q '^xfflood' /tmp/flood.out"
	out=$(guest g1 "cat /tmp/flood.out")
	kill $SMP; SMP=
	wait_for 30 sh -c "[ \"\$(xfctl stats | awk '\$1 == \"held\" { print \$2 }')\" = 0 ]"
	echo "# $name: $out"
	echo "# $name: packets +$(($(kstat packets) - s0)), dropped +$(($(kstat dropped) - d0)), overflow +$(($(kstat overflow) - o0)), queue peak $(peak /tmp/flood-$name.smp 1) held, cache peak $(peak /tmp/flood-$name.smp 2) flows"
	echo "# $name: $(xfctl stats | tr -s ' \n' ' ')"
	# A figure, not a check: it depends on the machine's speed.
	[ -n "$G2" ] && echo "# $name: g2 flows that got the fail policy (verdict timeout) during the flood: $(($(xf_dstat "$(guest_domid g2)" fail_timeout) - g2ft0))"
	t_ok "$name: the guest offered new flows (rate > 0)" sh -c "echo '$out' | grep -q 'rate=[1-9]'"
	t_ok "$name: the queue stayed within queue_packets ($QP)" \
		test "$(peak /tmp/flood-$name.smp 1)" -le "$QP"
	[ "$CS" -gt 0 ] && t_ok "$name: the cache stayed within cache_size ($CS)" \
		test "$(peak /tmp/flood-$name.smp 2)" -le "$CS"
	t_ok "$name: nothing held once it is over" \
		test "$(kstat held)" -eq 0
	t_ok "$name: every packet is in the books (packets = accepted + dropped + held)" xf_sum_ok "$(guest_domid g1)"
}

flood syn syn 192.0.2 200 1-65000 "$FLOOD_S"
xfctl -j flows dom g1 | sed 's/},{/}\n{/g' | grep '"daddr":"192.0.2.' > /tmp/syn-flows
echo "# syn: cached flows by action and source: $(sed -n 's/.*"action":"\([a-z-]*\)","source":"\([a-z-]*\)".*/\1 \2/p' /tmp/syn-flows | sort | uniq -c | tr -s ' \n' ' ')"
t_ok "syn: none of alice's SYN flows was accepted but by the fail policy" \
	sh -c "! grep '\"action\":\"accept\"' /tmp/syn-flows | grep -v '\"source\":\"fail-'"
flood udp udp 10.0.0.1 20000-60000 "$FLOOD_S"

t_ok "flows flush" xfctl flows flush
sleep 2
mem1=$(meminfo MemAvailable) slab1=$(meminfo Slab)
echo "# after: MemAvailable ${mem1} kB ($((mem1 - mem0))), Slab ${slab1} kB (+$((slab1 - slab0)))"
t_ok "dom0 MemAvailable within 16 MB of before" test $((mem0 - mem1)) -lt 16384
t_ok "dom0 slab within 8 MB of before" test $((slab1 - slab0)) -lt 8192
t_ok "xfilterd survived" kill -0 "$XFD_PID"
t_ok "bob connects after the floods" test -n "$(connect_ms bob g1)"
t_ok "xfilterd stops cleanly on SIGTERM" xfd_stop
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
