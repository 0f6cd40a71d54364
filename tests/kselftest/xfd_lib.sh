# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the xfilterd kselftests (3N-*.sh), sourced after lib.sh.
#
#	xfd_setup G...        load xfilter.ko, start xfilterd, wait until it
#	                      introspects every guest G (fails the test if not)
#	xfd_start / xfd_stop  start xfilterd (background) / stop it (SIGTERM)
#	xfd_ready G           xfilterd's status file says G is introspected
#	xfd_cleanup           stop the daemon, flush rules, unload the module
#	as USER G CMD         run CMD in guest G as USER
#	kstat NAME            a counter of `xfctl stats`
#	dstat G KEY           a per-domain figure of xfilterd's status file
#	src_stat G flows|attributed   flows the domain's verdict source
#	                      answered / found an owner for, in either mode
#
# One suite, two modes: XF_MODE=userland (xfilterd answers the batches) or
# XF_MODE=hypervisor (the filter in Xen answers them, xfilterd only loads
# the guests' profiles into Xen). Unset, it is hypervisor when the patched
# Xen answers `xfctl hv probe` (the lab's xen pass) and userland otherwise;
# scripts/lab/run --env XF_MODE=userland forces userland on the patched Xen.
# In hypervisor mode xfd_setup puts each guest in mode hypervisor and
# xfd_ready also waits until xfilterd loaded its profile into Xen.

XFD_LOG=/tmp/xfilterd.log
XFD_STATS=/run/xfilter/xfilterd.stats
XFD_PID=
export PATH=/xf/bin:$PATH

if [ -z "$XF_MODE" ]; then
	if xfctl hv probe > /dev/null 2>&1; then
		XF_MODE=hypervisor
	else
		XF_MODE=userland
	fi
fi
case $XF_MODE in
userland|hypervisor) echo "# verdict source: $XF_MODE mode" >&2 ;;
*) echo "# XF_MODE=$XF_MODE: expected userland or hypervisor" >&2; exit 1 ;;
esac

# Tests run xfilterd with -v (debug: a line per flow, in the log they
# print on failure); benchmarks set XFD_VERBOSE= to measure it at its
# default level, as it runs on a host.
XFD_VERBOSE=${XFD_VERBOSE--v}
xfd_start()
{
	echo "# [dom0] xfilterd --foreground $XFD_VERBOSE $XFD_ARGS $*" >&2
	xfilterd --foreground $XFD_VERBOSE $XFD_ARGS "$@" >> "$XFD_LOG" 2>&1 &
	XFD_PID=$!
}

xfd_stop()
{
	[ -n "$XFD_PID" ] || return 0
	kill -TERM "$XFD_PID" 2>/dev/null
	wait "$XFD_PID"
	local rc=$?
	XFD_PID=
	return $rc
}

xfd_ready()
{
	local d
	d=$(guest_domid "$1") || return 1
	# The file of this daemon, not one a killed daemon left behind.
	[ -n "$XFD_PID" ] && grep -q "^pid $XFD_PID\$" "$XFD_STATS" 2>/dev/null &&
		grep -q "^domain $d [^ ]* ready " "$XFD_STATS" 2>/dev/null || return 1
	[ "$XF_MODE" = userland ] ||
		grep -q "^domain $d [^ ]* ready .* hv=loaded " "$XFD_STATS" 2>/dev/null
}

xfd_setup()
{
	local g
	grep -q '^xfilter ' /proc/modules || insmod /xf/xfilter.ko || return 1
	# TCG is slow: give introspection time before the fail policy applies.
	echo "${XFD_VERDICT_TIMEOUT_MS:-3000}" > /sys/module/xfilter/parameters/verdict_timeout_ms
	if [ "$XF_MODE" = hypervisor ]; then
		for g in "$@"; do
			dom0 xfctl domain set "$g" mode hypervisor || return 1
		done
	fi
	xfd_start
	for g in "$@"; do
		if ! wait_for 240 xfd_ready "$g"; then
			echo "# xfilterd did not get ready for $g:" >&2
			tail -n 20 "$XFD_LOG" | sed 's/^/#   /' >&2
			return 1
		fi
	done
}

xfd_cleanup()
{
	xfd_stop
	xfctl rule flush 2>/dev/null
	rmmod xfilter 2>/dev/null
	echo "# xfilterd log (tail):" >&2
	tail -n 15 "$XFD_LOG" 2>/dev/null | sed 's/^/#   /' >&2
}

as()
{
	local user=$1 g=$2
	shift 2
	guest "$g" "su -s /bin/sh $user -c '$*'"
}

# out_has PATTERN USER G CMD: CMD's output (as USER in G) matches PATTERN
out_has()
{
	local pat=$1 out
	shift
	out=$(as "$@")
	echo "# $out" >&2
	echo "$out" | grep -q -- "$pat"
}

# hv_required: unless the patched Xen answers, one failed check and exit
# (the hypervisor benchmarks need --xen .cache/xen/xen-xfilter).
hv_required()
{
	xfctl hv probe > /dev/null 2>&1 && return 0
	echo "# needs the patched hypervisor: --xen .cache/xen/xen-xfilter"
	t_ok "hypervisor filter present" false
	t_done
	exit 1
}

# hvc NAME: one of Xen's counters (xfctl -j hv counters)
hvc() { xfctl -j hv counters | grep -o "\"$1\": [0-9]*" | cut -d' ' -f2; }

# fails CMD...: CMD must fail
fails() { ! "$@"; }

# Packets counted by the first rule whose text matches PATTERN.
rule_pkts()
{
	xfctl rule list | grep -- "$1" | head -n1 | sed -n 's/.* \([0-9][0-9]*\) pkts.*/\1/p'
}

# etcd_start URLS: a one-member etcd in dom0 (the fleet tests) serving
# clients on URLS (comma separated; the first is advertised), its data in
# $ETCD_DIR, its log /tmp/etcd-lab.log; its pid in E. Each start
# preallocates 64 MB WAL segments: the data goes where there is room.
ETCD_DIR=
etcd_start()
{
	[ -n "$ETCD_DIR" ] || ETCD_DIR=$(roomiest_dir)/etcd-lab
	echo "# [dom0] etcd on $1, data in $ETCD_DIR" >&2
	etcd --name lab --data-dir "$ETCD_DIR" --listen-client-urls "$1" \
		--advertise-client-urls "${1%%,*}" --listen-peer-urls http://127.0.0.1:2380 \
		--initial-advertise-peer-urls http://127.0.0.1:2380 \
		--initial-cluster lab=http://127.0.0.1:2380 >> /tmp/etcd-lab.log 2>&1 &
	E=$!
}

# etcd_t_ok DESC CMD...: t_ok, and etcd's last log lines when it fails
etcd_t_ok()
{
	local f0=$XF_FAILED
	t_ok "$@"
	[ "$XF_FAILED" -eq "$f0" ] || tail -n 15 /tmp/etcd-lab.log | sed 's/^/#   etcd: /'
}

kstat() { xfctl stats | awk -v k="$1" '$1 == k { print $2 }'; }

dstat()
{
	local d
	d=$(guest_domid "$1")
	sed -n "s/^domain $d .* $2=\([0-9]*\).*/\1/p" "$XFD_STATS"
}

src_stat()
{
	local d v u
	if [ "$XF_MODE" = userland ]; then
		dstat "$1" "$2"
		return
	fi
	d=$(guest_domid "$1")
	v=$(xf_dstat "$d" source_verdicts)
	u=$(xf_dstat "$d" unattributed)
	case $2 in
	flows) echo "${v:-0}" ;;
	attributed) echo $((${v:-0} - ${u:-0})) ;;
	esac
}

# Pids in guest G of processes of UID connected to PORT, via xfctl ps
# (the first one, or all with a 4th argument).
owner_pid()
{
	xfctl -j ps "$1" | tr '{' '\n' |
		awk -v uid="$2" -v port="$3" -v all="$4" '
			/"pid":/ { match($0, /"pid":[0-9]+/); p = substr($0, RSTART + 6, RLENGTH - 6)
				   match($0, /"uid":[0-9]+/); u = substr($0, RSTART + 6, RLENGTH - 6) }
			/"rport":/ { match($0, /"rport":[0-9]+/); r = substr($0, RSTART + 8, RLENGTH - 8)
				     if (u == uid && r == port && !seen[p]++) { print p; if (!all) exit } }'
}
