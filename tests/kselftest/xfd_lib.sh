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

XFD_LOG=/tmp/xfilterd.log
XFD_STATS=/run/xfilter/xfilterd.stats
XFD_PID=
export PATH=/xf/bin:$PATH

xfd_start()
{
	echo "# [dom0] xfilterd --foreground -v $*" >&2
	xfilterd --foreground -v "$@" >> "$XFD_LOG" 2>&1 &
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
		grep -q "^domain $d [^ ]* ready " "$XFD_STATS" 2>/dev/null
}

xfd_setup()
{
	local g
	grep -q '^xfilter ' /proc/modules || insmod /xf/xfilter.ko || return 1
	# TCG is slow: give introspection time before the fail policy applies.
	echo "${XFD_VERDICT_TIMEOUT_MS:-3000}" > /sys/module/xfilter/parameters/verdict_timeout_ms
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

# fails CMD...: CMD must fail
fails() { ! "$@"; }

# Packets counted by the first rule whose text matches PATTERN.
rule_pkts()
{
	xfctl rule list | grep -- "$1" | head -n1 | sed -n 's/.* \([0-9][0-9]*\) pkts.*/\1/p'
}

kstat() { xfctl stats | awk -v k="$1" '$1 == k { print $2 }'; }

dstat()
{
	local d
	d=$(guest_domid "$1")
	sed -n "s/^domain $d .* $2=\([0-9]*\).*/\1/p" "$XFD_STATS"
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
