# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the lab kselftests. Sourced by every tests/kselftest/*.sh; runs
# in dom0 of the lab (see scripts/lab/run), where the guests named in
# $XF_GUESTS are up on bridge xenbr0 (dom0 is 10.0.0.1, fd00::1):
#
#	g1: 10.0.0.2  fd00::2   g2: 10.0.0.3  fd00::3   gN: 10.0.0.(N+1)
#
# The module under test is /xf/xfilter.ko; the tools are in /xf/bin.
#
#	t_ok DESC CMD...      run CMD; print "ok N - DESC" or "not ok N - DESC"
#	t_is DESC GOT WANT    compare two strings
#	t_skip DESC WHY       print "ok N - DESC # SKIP WHY"
#	dom0 CMD...           run CMD in dom0, echoing it as a transcript line
#	guest NAME CMD...     run a shell command in guest NAME over its console
#	                      (not the network); prints its output, returns its rc
#	wait_for SECS CMD...  retry CMD until it succeeds or SECS pass
#	guest_up NAME [TYPE [ARGS]]   create guest NAME and wait until it serves
#	                      commands; TYPE pv (default) or pvh (an HVM
#	                      container: the same kernel booted at its PVH
#	                      entry, translated through the p2m), ARGS added
#	                      to its kernel command line
#	guest_start / guest_wait NAME   the same in two halves (boot several at once)
#	guest_down NAME       destroy it
#	dmesg_mark / dmesg_clean   no BUG/WARNING/Oops since the mark
#	peer CMD...           run a shell command on the peer host (scripts/lab/run
#	                      --peer: 192.168.77.2, this dom0 is 192.168.77.1),
#	                      in its /xf/tests; prints its output, returns its rc

XF_N=0
XF_FAILED=0

t_ok()
{
	local desc=$1
	shift
	XF_N=$((XF_N + 1))
	if "$@" > /tmp/t_ok.out 2>&1; then
		echo "ok $XF_N - $desc"
	else
		echo "not ok $XF_N - $desc"
		sed 's/^/#   /' /tmp/t_ok.out | tail -n 20
		XF_FAILED=$((XF_FAILED + 1))
	fi
}

t_is()
{
	XF_N=$((XF_N + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $XF_N - $1"
	else
		echo "not ok $XF_N - $1"
		echo "#   got '$2', want '$3'"
		XF_FAILED=$((XF_FAILED + 1))
	fi
}

t_skip()
{
	XF_N=$((XF_N + 1))
	echo "ok $XF_N - $1 # SKIP $2"
}

t_done()
{
	echo "1..$XF_N"
	[ "$XF_FAILED" -eq 0 ]
}

dom0()
{
	echo "# [dom0] $*" >&2
	"$@"
}

wait_for()
{
	local secs=$1 waited=0 step=1	# tenths of a second
	shift
	# Checks at 0.1, 0.3, 0.7 s, then every half second: each check and
	# each sleep is a process, tens of ms of emulated CPU in the lab.
	while ! "$@" > /dev/null 2>&1; do
		[ $waited -ge $((secs * 10)) ] && return 1
		sleep "0.$step"
		waited=$((waited + step))
		step=$((step * 2))
		[ $step -gt 5 ] && step=5
	done
	return 0
}

guest_index() { echo "${1#g}"; }
guest_ip() { echo "10.0.0.$(($(guest_index "$1") + 1))"; }
guest_ip6() { echo "fd00::$(($(guest_index "$1") + 1))"; }
guest_log() { echo "/var/log/xen/console/guest-$1.log"; }
guest_domid() { xl domid "$1" 2>/dev/null; }

# guest_net_up NAME: the guest's eth0 up with both its lab addresses and its
# default route again, as guest-init set them (a re-plugged vif is a new
# eth0 without addresses; switching IPv6 off drops the IPv6 one). No DAD,
# as at boot: the address is usable at once.
guest_net_up()
{
	guest "$1" "ip link set eth0 up;
		echo 0 > /proc/sys/net/ipv6/conf/eth0/accept_dad;
		ip addr add $(guest_ip "$1")/24 dev eth0 2>/dev/null;
		ip -6 addr add $(guest_ip6 "$1")/64 dev eth0 2>/dev/null;
		ip route add default via 10.0.0.1 2>/dev/null;
		ip -6 addr show dev eth0 | grep -q ' $(guest_ip6 "$1")/64 '"
}

guest_start()
{
	local name=$1 type=${2:-pv} args=${3:-} n ip ip6 mac cfg=/etc/xen/$1.cfg log
	n=$(guest_index "$name")
	ip=$(guest_ip "$name")
	ip6=$(guest_ip6 "$name")
	mac=$(printf '00:16:3e:00:00:%02x' $((n + 1)))
	cat > "$cfg" <<CFG
name = "$name"
type = "$type"
kernel = "/xf/guest/vmlinuz"
ramdisk = "/xf/guest/initrd.cpio"
extra = "console=hvc0 rdinit=/init quiet xf_name=$name xf_ip=$ip xf_ip6=$ip6${args:+ $args}"
memory = ${XF_GUEST_MEM:-256}
vcpus = 1
vif = [ 'mac=$mac,bridge=xenbr0' ]
on_crash = "preserve"
CFG
	log=$(guest_log "$name")
	# Only a READY line written after this create counts.
	stat -c %s "$log" > "/run/xf-$name.logsize" 2>/dev/null || echo 0 > "/run/xf-$name.logsize"
	xl create -q "$cfg"
}

guest_wait()
{
	local log size
	log=$(guest_log "$1")
	size=$(cat "/run/xf-$1.logsize" 2>/dev/null || echo 0)
	wait_for 150 sh -c "tail -c +$((size + 1)) '$log' 2>/dev/null | grep -q XF_GUEST_READY"
}

guest_up() { guest_start "$@" && guest_wait "$1"; }

guest_down()
{
	xl destroy "$1" 2>/dev/null
	wait_for 30 sh -c "! xl domid '$1'"
}

# guest_gone NAME DOMID: why NAME's console is not there (libxl removes
# it first when it destroys a domain): the domains, what xenstore still
# holds of it, xl's log of it, Xen's and its own console's last lines.
guest_gone()
{
	echo "# [$1] domain $2: no console tty"
	{
		xl list
		echo "-- xenstore:"
		xenstore-ls -f "/local/domain/$2" | head -n 30
		echo "-- xl-$1.log:"
		tail -n 15 "/var/log/xen/xl-$1.log"
		echo "-- xl dmesg:"
		xl dmesg | tail -n 15
		echo "-- console:"
		tail -n 15 "$(guest_log "$1")"
	} 2>&1 | sed 's/^/#   /'
}

guest()
{
	local name=$1 dom tty log id rc at fifo tp out
	shift
	dom=$(guest_domid "$name") || { echo "# no guest $name" >&2; return 125; }
	if ! tty=$(xenstore-read "/local/domain/$dom/console/tty"); then
		guest_gone "$name" "$dom" >&2
		return 125
	fi
	log=$(guest_log "$name")
	# Unique even across subshells ($(guest ...)), which share no counter.
	id="$$x$(date +%s%N)"
	echo "# [$name] $*" >&2
	at=$(($(stat -c %s "$log" 2>/dev/null || echo 0) + 1))	# the answer follows
	fifo=/tmp/xf-guest.$id
	mkfifo "$fifo" || return 125
	printf '%s %s\n' "$id" "$(printf '%s\n' "$*" | base64 -w0)" > "$tty"
	# Waits for the answer without polling (a process started in dom0
	# costs tens of ms of emulated CPU, a 0.1 s poll a whole vCPU): tail
	# follows the log (inotify), sed stops at the end marker.
	timeout "${XF_GUEST_TIMEOUT:-60}" tail -c "+$at" -f "$log" > "$fifo" 2> /dev/null &
	tp=$!
	out=$(sed -n "s/\r\$//; /^@@B $id\$/,/^@@E $id /{p; /^@@E $id /q}" < "$fifo")
	kill "$tp" 2> /dev/null
	wait "$tp" 2> /dev/null
	rm -f "$fifo"
	rc=$(printf '%s\n' "$out" | sed -n "s/^@@E $id \([0-9]*\)\$/\1/p")
	if [ -z "$rc" ]; then
		echo "# [$name] timed out" >&2
		return 124
	fi
	printf '%s\n' "$out" | sed "/^@@[BE] $id/d"
	return "$rc"
}

# guest_hcall NAME: what xfilter_op answers NAME's own kernel (xfrk.ko
# hcall=1: probe, an empty rule table, a check of dom0), as xfrk logs it
# ("probe=RC rules=RC check=RC"), after the insmod's own output; the
# whole answer is echoed as comments.
guest_hcall()
{
	local out
	out=$(guest "$1" "insmod /xf/bin/xfrk.ko hcall=1 2>&1; dmesg | sed -n 's/.*xfrk: hcall //p' | tail -n 1")
	printf '%s\n' "$out" | sed "s/^/# [$1] /" >&2
	printf '%s\n' "$out"
}

XF_PEER_ADDR=192.168.77.2
peer()
{
	local out rc
	echo "# [peer] $*" >&2
	out=$({ printf '%s\n' "$*" | base64 -w0; echo; } |
		timeout "${XF_PEER_TIMEOUT:-300}" socat -t 3600 - "TCP:$XF_PEER_ADDR:7000")
	rc=$(printf '%s\n' "$out" | sed -n 's/^@@RC \([0-9]*\)$/\1/p')
	printf '%s\n' "$out" | sed '/^@@RC [0-9]*$/d'
	if [ -z "$rc" ]; then
		echo "# [peer] no answer" >&2
		return 125
	fi
	return "$rc"
}
XF_DMESG_MARK=0
dmesg_mark() { XF_DMESG_MARK=$(dmesg | wc -l); }
dmesg_clean()
{
	! dmesg | tail -n +$((XF_DMESG_MARK + 1)) |
		grep -E 'BUG:|WARNING:|Oops|general protection|Call Trace|RIP:|refcount_t|leak'
}

# ---- xfilter.ko helpers (tests 1N) ----
#	xf_load [PARAM=V ...]   insmod /xf/xfilter.ko; wait until its family answers
#	xf_unload               flush rules, rmmod (the state every script leaves)
#	xf_dstat DOMID NAME     one counter of `xfctl -j domain show DOMID`
#	xf_sum_ok DOMID         packets == accepted + dropped + held
#	xf_flows [ARGS]         `xfctl -j flows` as one object per line
xf_load()
{
	insmod /xf/xfilter.ko "$@" && wait_for 5 xfctl stats
}

xf_unload()
{
	grep -q '^xfilter ' /proc/modules || return 0
	xfctl rule flush
	rmmod xfilter
}

xf_dstat()
{
	xfctl -j domain show "$1" | grep -o "\"$2\":[0-9][0-9]*" | head -n1 | cut -d: -f2
}

# roomiest_dir: of dom0's RAM filesystems, the one with the most room (the
# rootfs is a tmpfs capped at half of RAM, and the systemd dom0's image
# fills much of it; /dev/shm and /run are tmpfs mounts of their own).
roomiest_dir()
{
	local dir k best=/tmp avail=0
	for dir in /tmp /run /dev/shm /; do
		k=$(df -k "$dir" 2>/dev/null | awk 'NR == 2 { print $4 }')
		if [ -n "$k" ] && [ "$k" -gt "$avail" ]; then
			best=$dir avail=$k
		fi
	done
	echo "$best"
}

# xf_dstat_is DOM NAME VALUE: for wait_for, as gauges such as "held" move
# with the guest's own background traffic (any new flow of the guest is
# held while its source decides).
xf_dstat_is() { [ "$(xf_dstat "$1" "$2")" = "$3" ]; }

xf_sum_ok()
{
	local j p a d h
	j=$(xfctl -j domain show "$1")	# one snapshot of all four
	p=$(echo "$j" | grep -o '"packets":[0-9]*' | head -n1 | cut -d: -f2)
	a=$(echo "$j" | grep -o '"accepted":[0-9]*' | head -n1 | cut -d: -f2)
	d=$(echo "$j" | grep -o '"dropped":[0-9]*' | head -n1 | cut -d: -f2)
	h=$(echo "$j" | grep -o '"held":[0-9]*' | head -n1 | cut -d: -f2)
	echo "# dom $1: packets=$p accepted=$a dropped=$d held=$h"
	[ -n "$p" ] && [ "$p" -gt 0 ] && [ "$p" -eq $((a + d + h)) ]
}

# json_lines: a JSON array of flat objects (xfctl -j) on stdin, one object
# per line on stdout, for grep.
json_lines() { sed 's/},{/}\n{/g; s/^\[//; s/\]$//'; }

xf_flows()
{
	xfctl -j flows "$@" | json_lines
}
