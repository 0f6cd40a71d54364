#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default
#
# A fair share of the verdict cache per domain: one guest's flood of new
# flows churns its own share and leaves another guest's cached flows alone.
# The cache is made small (cache_size=2048: 1024 each for two domains). g2
# caches 200 UDP flows (decided in the kernel, no verdict source needed);
# g1 then makes more than three cache sizes' worth of new UDP flows; g2
# sends its 200 flows again and every packet is a cache hit: its miss
# counter does not move. Counted, not timed. Before the fair share, g1's
# flood evicted g2's entries (closest to expiry first) and the second round
# of g2 missed 200 times.
#
#   g1 10.0.0.2 xfflood udp ── vif<D1>.0 [xfilter] ─┐
#                                                    ├─ xenbr0 ── dom0 10.0.0.1
#   g2 10.0.0.3 200 flows   ── vif<D2>.0 [xfilter] ─┘
. ./lib.sh

if ! guest_domid g2 > /dev/null; then
	t_skip "cache share of two domains" "g2 is not up (run the lab with --guests \"g1 g2\")"
	t_done
	exit 0
fi
d1=$(guest_domid g1) d2=$(guest_domid g2)
CS=2048		# cache_size: two domains hold 1024 each
SHARE=$((CS / 2))
N=200		# g2's flows: well under its share
dmesg_mark
cleanup()
{
	xf_unload
	# IPv6 back (switched off below; that dropped eth0's address)
	guest g2 "sysctl -w net.ipv6.conf.eth0.disable_ipv6=0 > /dev/null" > /dev/null
	guest_net_up g2 > /dev/null
}
trap cleanup EXIT
# g2's only IP traffic is the test's: no IPv6 (neighbour discovery, MLD
# reports) to add a flow of its own, and a miss, between the two rounds.
t_ok "g2: IPv6 off for the test" \
	guest g2 "sysctl -w net.ipv6.conf.eth0.disable_ipv6=1 > /dev/null"

t_ok "insmod xfilter.ko cache_size=$CS udp_timeout=600" \
	xf_load cache_size=$CS udp_timeout=600
# g2's flows: 10.0.0.3:40000 -> 10.0.0.1:(30000..30000+N-1), one datagram each
g2_flows()
{
	guest g2 "p=30000; while [ \$p -lt $((30000 + N)) ]; do
		xfnet udp-send 10.0.0.1 \$p -n 1 -b 40000 > /dev/null; p=\$((p + 1)); done; echo done" |
		grep -q done
}
pkts_ge() { [ "$(xf_dstat "$1" packets)" -ge "$2" ]; }
sums_ok() { xf_sum_ok "$d1" && xf_sum_ok "$d2"; }

t_ok "g2 sends one datagram on each of $N flows" g2_flows
t_ok "all $N reached the hook" wait_for 30 pkts_ge "$d2" "$N"
# (and maybe a flow of its own: IPv6 neighbour discovery, ...)
f2=$(xf_dstat "$d2" flows)
t_ok "g2 holds its $N flows in the cache ($f2 entries)" test "$f2" -ge "$N"
m2=$(xf_dstat "$d2" cache_misses) h2=$(xf_dstat "$d2" cache_hits)
echo "# g2: cache_misses=$m2 cache_hits=$h2"

# g1 floods new UDP flows (a new socket each) until it has made more than
# three cache sizes' worth, or 12 rounds of 5 s.
made() { xf_dstat "$d1" kernel_verdicts; }
i=0
while [ "$(made)" -lt $((3 * CS)) ] && [ $i -lt 12 ]; do
	guest g1 "xfflood udp 10.0.0.1 20000-29999 5" | sed 's/^/# /'
	i=$((i + 1))
done
t_ok "g1 made more new flows ($(made)) than 3 x cache_size ($((3 * CS)))" \
	test "$(made)" -gt $((3 * CS))
t_ok "g1 holds at most its share ($(xf_dstat "$d1" flows) <= $SHARE)" \
	test "$(xf_dstat "$d1" flows)" -le $SHARE
t_ok "g1 evicted its own entries ($(xf_dstat "$d1" cache_evicted))" \
	test "$(xf_dstat "$d1" cache_evicted)" -gt 0
t_is "none of g2's entries was evicted for g1 (cache_pushed_out)" \
	"$(xf_dstat "$d2" cache_pushed_out)" 0
t_is "none evicted for g2's own flows either" \
	"$(xf_dstat "$d2" cache_evicted)" 0
t_ok "g2 still holds its $N flows ($(xf_dstat "$d2" flows) entries)" \
	test "$(xf_dstat "$d2" flows)" -ge "$N"

t_ok "g2 sends on its $N flows again" g2_flows
t_ok "all $N reached the hook" wait_for 30 pkts_ge "$d2" $((2 * N))
t_is "g2's second round: no cache miss" \
	"$(xf_dstat "$d2" cache_misses)" "$m2"
t_ok "g2's second round: $N more cache hits" \
	test "$(xf_dstat "$d2" cache_hits)" -ge $((h2 + N))
t_ok "g1 and g2 packets add up (packets = accepted + dropped + held)" \
	sums_ok
t_ok "rmmod after the flood" xf_unload
trap - EXIT
guest g2 "sysctl -w net.ipv6.conf.eth0.disable_ipv6=0 > /dev/null" > /dev/null
t_ok "g2: IPv6 back" guest_net_up g2
t_ok "g2 reaches dom0 over IPv6 again" wait_for 30 guest g2 "ping6 -c 1 -W 2 fd00::1"
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
