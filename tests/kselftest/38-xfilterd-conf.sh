#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XF-PASSES: default
#
# xfilterd's config file: read at start (the status file shows the
# settings in force), read again on SIGHUP (budget-ms and log-level change
# at once; state-dir is logged as needing a restart), and a bad file on
# SIGHUP is logged with FILE:LINE while the daemon keeps running with the
# settings it had. At start a bad file, or a missing --config one, is an
# error (status 2). No guest traffic.
#
#   /tmp/xfd.conf ──(start, SIGHUP)──► xfilterd ──► /run/xfilter/xfilterd.stats
. ./lib.sh
. ./xfd_lib.sh

C=/tmp/xfd.conf
LOG=/tmp/xfd-conf.log
P=
cleanup()
{
	[ -n "$P" ] && kill -TERM "$P" 2>/dev/null && wait "$P"
	xf_unload
	echo "# xfilterd log (tail):"
	tail -n 12 "$LOG" 2>/dev/null | sed 's/^/#   /'
	rm -f "$C" /tmp/xfd-out
}
trap cleanup EXIT
: > "$LOG"
dmesg_mark
t_ok "insmod xfilter.ko" xf_load

printf 'frobnicate = 1\n' > "$C"
xfilterd --foreground --config "$C" > /tmp/xfd-out 2>&1; rc=$?
echo "# rc $rc: $(cat /tmp/xfd-out)"
t_is "a bad file at start: status 2" "$rc" 2
t_ok "the error names FILE:LINE and the token" \
	grep -q "$C:1: unknown key 'frobnicate'" /tmp/xfd-out
xfilterd --foreground --config /nonexistent.conf > /tmp/xfd-out 2>&1; rc=$?
echo "# rc $rc: $(cat /tmp/xfd-out)"
t_is "a missing --config file at start: status 2" "$rc" 2
t_ok "named in the error" grep -q '/nonexistent.conf: No such file' /tmp/xfd-out

printf '# start\nbudget-ms = 300\nlog-level = info\n' > "$C"
xfilterd --foreground --config "$C" >> "$LOG" 2>&1 &
P=$!
status() { grep -q "^pid $P\$" "$XFD_STATS" && grep -qx "$1" "$XFD_STATS"; }
t_ok "started with the file: budget_ms 300" wait_for 60 status "budget_ms 300"
t_ok "log_level info" status "log_level info"

printf 'budget-ms = 700\nlog-level = debug\nstate-dir = /tmp/elsewhere\n' > "$C"
kill -HUP "$P"
t_ok "SIGHUP with a changed file: budget_ms 700" wait_for 60 status "budget_ms 700"
t_ok "log_level debug" status "log_level debug"
t_ok "logged what it read" grep -q "SIGHUP: $C read: log-level debug, budget-ms 700" "$LOG"
t_ok "state-dir: logged as needing a restart" \
	grep -q "$C: state-dir changed: takes effect at the next start" "$LOG"

printf 'budget-ms = 900\nbudget-ms = 10x\n' > "$C"
n=$(grep -c 'SIGHUP: rescanning' "$LOG")
kill -HUP "$P"
t_ok "SIGHUP with a bad file: handled (the rescan after it logged)" \
	wait_for 60 sh -c "[ \$(grep -c 'SIGHUP: rescanning' $LOG) -gt $n ]"
t_ok "the error names FILE:LINE and the token" \
	grep -q "$C:2: bad budget-ms '10x' (1..10000); the running settings stay" "$LOG"
t_ok "xfilterd still runs" kill -0 "$P"
t_ok "with the settings it had (budget_ms 700, not 900)" status "budget_ms 700"

printf 'log-level = info\n' > "$C"
kill -HUP "$P"
t_ok "a good file again: budget-ms back to the default 250" wait_for 60 status "budget_ms 250"
kill -TERM "$P"
wait "$P"
rc=$?
P=
t_is "SIGTERM: exit status 0" "$rc" 0
t_ok "no oops, warning or leak report in dmesg" dmesg_clean
t_done
