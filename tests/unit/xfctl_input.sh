#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xfctl given bad input on the host (no module, no Xen needed): malformed
# rule files (`xfctl restore`, which parses the whole file before it talks
# to the kernel), bad arguments, and truncated or garbage core files
# (`xfctl ps --core`). Usage errors must be found before xfctl opens
# netlink (status 2, never "family not found"); help is help, not a file
# name; a failed save leaves its file alone; --version works.
# Each must end in a clear error: a non-zero exit code
# below 128 (no signal), a message on stderr that names the bad token where
# there is one, and no memory error: every input runs in an ASan+UBSan build
# of xfctl (build/asan/xfctl, made here; a tenth of valgrind's cost, so the
# core files are checked too), or under valgrind (XF_INPUT_CHECK=valgrind:
# it also sees reads of uninitialised memory, the core files left out as
# too slow there), or neither (XF_INPUT_CHECK=none).
# Prints TAP; the number of inputs tried is on the last comment line.
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
XFCTL=$TOP/build/xfctl
check=${XF_INPUT_CHECK:-asan}
RUN=()
case $check in
asan)
	XFCTL=$TOP/build/asan/xfctl
	make -s -C "$TOP" B=build/asan CFLAGS="-O1 -g -fno-omit-frame-pointer \
		-fsanitize=address,undefined -fno-sanitize-recover=all" \
		build/asan/xfctl || { echo "not ok 1 - building $XFCTL"; exit 1; }
	export ASAN_OPTIONS=exitcode=99:detect_leaks=0
	export UBSAN_OPTIONS=exitcode=99:print_stacktrace=1
	how="every one in an ASan+UBSan build"
	;;
valgrind)
	RUN=(valgrind -q --error-exitcode=99 --leak-check=no --track-origins=no)
	how="rule files and arguments under valgrind"
	;;
none) how="no memory check" ;;
*) echo "not ok 1 - XF_INPUT_CHECK is asan, valgrind or none, not '$check'"; exit 1 ;;
esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 fail=0 tried=0

tap() { # tap OK|FAIL description
	n=$((n + 1))
	if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}

# bad DESC WANT CMD...: CMD fails cleanly with WANT in its stderr (WANT may
# be empty: any message). Run under $RUN (valgrind) unless NO_RUN=1.
# rc stays set for the caller (early() checks it is 2).
bad() {
	local desc=$1 want=$2 err
	shift 2
	tried=$((tried + 1))
	if [ "${NO_RUN:-0}" = 0 ]; then
		timeout 300 "${RUN[@]}" "$@" > "$T/out" 2> "$T/err" < /dev/null
	else
		timeout 60 "$@" > "$T/out" 2> "$T/err" < /dev/null
	fi
	rc=$?
	err=$(grep -av '^==' "$T/err" | head -n1)
	if [ $rc -eq 0 ]; then
		tap FAIL "$desc: exit status 0"
	elif [ $rc -eq 99 ]; then
		tap FAIL "$desc: $check found a memory error"
		sed 's/^/#   /' "$T/err" | head -n 20
	elif [ $rc -ge 124 ]; then
		tap FAIL "$desc: killed, timed out or crashed (status $rc)"
		sed 's/^/#   /' "$T/err" | head -n 10
	elif [ -z "$err" ]; then
		tap FAIL "$desc: no error message"
	elif [ -n "$want" ] && ! grep -aqF -- "$want" "$T/err"; then
		tap FAIL "$desc: '$err' does not name '$want'"
	else
		tap OK "$desc: rc $rc '$(printf %s "${err:0:100}" | tr -c "[:print:]" "?")'"
	fi
}

[ -x "$XFCTL" ] || { echo "not ok 1 - $XFCTL is not built"; exit 1; }

# ---- rule files ---------------------------------------------------------------
# One case per line: WANT<TAB>file content (\n, \t, \x escapes as printf).
while IFS=$'\t' read -r want content; do
	[ -n "$want" ] || continue
	printf "$content" > "$T/rules"
	bad "restore: $(printf %q "$content" | head -c 60)" "${want#-}" "$XFCTL" restore "$T/rules"
done <<'CASES'
frobnicate	dport 80 frobnicate\n
99999	dport 99999 drop\n
90-80	dport 90-80 drop\n
/33	dst 10.0.0.0/33 drop\n
10.0.0.300	dst 10.0.0.300 drop\n
fd00:::1	dst fd00:::1 drop\n
-	uid -1 drop\n
-	uid 99999999999999999999 drop\n
abc	pid abc drop\n
-	comm AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA drop\n
-	dport 80\n
-	dport 80 drop accept\n
-	drop drop\n
-	proto sctp drop\n
-	dport\n
-	dst\n
-	dom\n
-	dport 80 drop\n\x01\x02\x03\xff\xfe garbage\n
-	\xff\xfe\xfd\xfc\n
-	dport 80 drop\r\nfoo\r\n
-	dport 8\x000 drop\n
rules:2: domain set default: bad value 'bogus' for mode	# settings\ndomain set default mode bogus\n
5ms	domain set default window 5ms\n
'1' for ports	domain set default ports 1\n
'policy' needs a value	domain set default policy\n
unknown domain setting 'speed'	domain set default speed 9\n
rules:1: bad line at 'frob'	domain frob default mode off\n
needs a DOMAIN	domain set\n
bad domain id '99999'	domain set 99999 mode off\n
rules:3: bad line at 'id'	dport 1 drop\n\nguest g1 id 0b5c\n
bad line at 'x'	guest g1 uuid 0b5c x\n
bad line at 'guest'	guest\n
rules:2: bad rule at 'frobnicate'	domain set default mode off\ndport 80 frobnicate\n
CASES
# Generated ones: a very long line, a very long exe, many tokens, random bytes.
{ printf 'dport 80 '; head -c 200000 /dev/zero | tr '\0' 'x'; echo ' drop'; } > "$T/long"
bad "restore: a 200 KB line" "" "$XFCTL" restore "$T/long"
{ printf 'exe /'; head -c 5000 /dev/zero | tr '\0' 'a'; echo ' drop'; } > "$T/exe"
bad "restore: a 5000-byte exe path" "" "$XFCTL" restore "$T/exe"
{ for i in $(seq 2000); do printf 'dport 80 '; done; echo drop; } > "$T/many"
bad "restore: 2000 repeated tokens" "" "$XFCTL" restore "$T/many"
for s in 1 2 3 4 5; do
	# reproducible garbage: the bytes of a seeded awk generator
	awk -v s=$s 'BEGIN { srand(s); for (i = 0; i < 4096; i++) printf "%c", int(rand() * 256) }' > "$T/rnd"
	bad "restore: 4 KB of random bytes (seed $s)" "" "$XFCTL" restore "$T/rnd"
done
bad "restore: a directory" "" "$XFCTL" restore /
bad "restore: a missing file" "/nonexistent" "$XFCTL" restore /nonexistent
bad "restore: two files" "" "$XFCTL" restore "$T/rules" "$T/rules"

# ---- arguments -----------------------------------------------------------------
bad "unknown object" "frob" "$XFCTL" frob
bad "unknown option" "" "$XFCTL" -Z rule list
bad "domain set: unknown setting" "" "$XFCTL" domain set 1 frob x
bad "domain set: no value" "" "$XFCTL" domain set 1 policy
bad "domain set: bad mode" "" "$XFCTL" domain set 1 mode sideways
bad "ps: unknown option" "--bogus" "$XFCTL" ps --core /dev/null --bogus
bad "ps --core: option without its value" "" "$XFCTL" ps --core
bad "ps: a domain that is not one" "" "$XFCTL" ps no-such-guest-$$
long=$(head -c 100000 /dev/zero | tr '\0' 'd')
bad "ps: a 100 KB domain name" "" "$XFCTL" ps "$long"

# ---- parsed before netlink ------------------------------------------------------
# Usage errors are found before xfctl opens netlink: status 2 and a message
# naming the token, never "family 'xfilter' not found" (which is all a host
# without the module could say once netlink is tried), module or not.
early() { # early DESC WANT ARGS...
	local desc=$1 want=$2
	shift 2
	bad "$desc" "$want" "$XFCTL" "$@"
	if [ $rc -ne 2 ] || grep -aq 'netlink family' "$T/err"; then
		tap FAIL "$desc: not refused before netlink (rc $rc: $(head -c 100 "$T/err"))"
	fi
}
# help DESC ARGS...: usage on stdout, status 0, no netlink.
help_ok() {
	local desc=$1
	shift
	tried=$((tried + 1))
	timeout 60 "${RUN[@]}" "$XFCTL" "$@" > "$T/out" 2> "$T/err" < /dev/null
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^Usage: ' "$T/out" && ! grep -aq 'netlink' "$T/err"; then
		tap OK "$desc: usage, rc 0"
	else
		tap FAIL "$desc: rc $rc, $(head -c 100 "$T/out" "$T/err" | tr '\n' ' ')"
	fi
}
early "rule del: 2^32 + 1 does not wrap to 1" 4294967297 rule del 4294967297
early "rule del: -1" "'-1'" rule del -1
early "rule del: empty" "" rule del ''
early "rule del: no argument" "" rule del
early "rule add index: 2^32 does not wrap to 0" 4294967296 rule add index 4294967296 drop
early "rule add index: -1" "'-1'" rule add index -1 drop
early "rule add index: no value" index rule add index
early "rule add: no action" "no action" rule add dport 80
early "rule add: bad port before netlink" 99999 rule add dport 99999 drop
early "rule add: 70 words" "64" rule add $(for i in $(seq 35); do printf 'uid 1 '; done) drop
early "rule list: extra argument" extra rule list extra
early "rule flush: extra argument" extra rule flush extra
early "rule: unknown command" frob rule frob
early "domain set -1 does not become 4294967295" "'-1'" domain set -1 policy drop
early "domain set: domid above the range" 99999 domain set 99999 policy drop
early "domain set: nothing to set" "" domain set 7
early "domain set: setting without value" policy domain set 7 policy
early "domain set: window 0 (range 100 ms..)" "'0'" domain set 7 window 0
early "domain set: ports with a sign" "+5" domain set 7 ports +5
early "domain set: ports with a blank" "' 5'" domain set 7 ports ' 5'
early "domain set: flows 2^32" 4294967296 domain set 7 flows 4294967296
early "domain set: unknown setting" frob domain set 7 frob x
early "domain show: extra argument" extra domain show 7 extra
early "domain: unknown command" frob domain frob
early "flows dom: no value" dom flows dom
early "flows flush dom: no value" dom flows flush dom
early "flows: unknown word" frob flows frob
early "stats: extra argument" extra stats show extra
early "vif: extra argument" extra vif list extra
early "save: two files" b save a b
early "save: an unknown option is not a file name" "--frob" save --frob
early "restore: an unknown option is not a file name" "-x" restore -x
early "alerts: two domains" b alerts list a b
early "hv probe: extra argument" extra hv probe extra
early "hv counters: bogus word" bogus hv counters bogus
early "hv check: too few words" "groups of 5" hv check 1 tcp
early "hv profile --slide: not a number" "--slide" hv profile 1 --slide 12abc
early "xfctl: unknown option" "-Z" -Z rule list
# The fleet store: refused before any member is asked (none runs here).
U=0b5e8a52-7c1d-4f5e-9a3b-2c6d8e0f1a2b
E="--store etcd --etcd http://127.0.0.1:1"
early "--store: no value" "--store" --store
early "--store: unknown store" "'bogus'" --store bogus rule list
early "--etcd without --store etcd" "--etcd" --etcd http://127.0.0.1:1 rule list
early "--etcd: not http" "'ftp://x'" --store etcd --etcd ftp://x rule list
early "--store etcd: an object without a store form" "'save'" $E save
early "--store etcd rule add: bad port" 99999 $E rule add dom $U dport 99999 drop
early "--store etcd rule add: no guest" "dom GUEST" $E rule add uid 1 drop
early "--store etcd rule add: index" "'index'" $E rule add index 0 dom $U drop
early "--store etcd domain set: bad value" "'sideways'" $E domain set $U mode sideways
early "--store etcd domain set default" "'default'" $E domain set default policy drop
early "--store etcd rule flush: no guest" "dom GUEST" $E rule flush
early "--store etcd: unknown rule command" "'frob'" $E rule frob
help_ok "--store etcd rule help" $E rule help
help_ok "rule help" rule help
help_ok "rule --help" rule --help
help_ok "domain help" domain help
help_ok "domain -h" domain -h
help_ok "flows help" flows help
help_ok "stats help" stats help
help_ok "vif help" vif help
help_ok "alerts help" alerts help
help_ok "save --help is help, not a file" save --help
help_ok "save -h" save -h
help_ok "restore -h" restore -h
help_ok "monitor help" monitor help
help_ok "hv help" hv help
help_ok "xfctl --help" --help
[ ! -e ./--help ] && [ ! -e "$TOP/--help" ] && tap OK "save --help wrote no file '--help'" ||
	tap FAIL "save --help wrote a file '--help'"
tried=$((tried + 1))
v=$("$XFCTL" --version 2>&1); rc=$?
[ $rc -eq 0 ] && echo "$v" | grep -qE '^xfctl [0-9]' && tap OK "xfctl --version: $v" ||
	tap FAIL "xfctl --version: rc $rc '$v'"
v=$("$XFCTL" -V 2>&1); rc=$?
[ $rc -eq 0 ] && echo "$v" | grep -qE '^xfctl [0-9]' && tap OK "xfctl -V: $v" ||
	tap FAIL "xfctl -V: rc $rc '$v'"
if [ -x "$TOP/build/xfilterd" ]; then
	v=$("$TOP/build/xfilterd" --version 2>&1); rc=$?
	[ $rc -eq 0 ] && echo "$v" | grep -qE '^xfilterd [0-9]' && tap OK "xfilterd --version: $v" ||
		tap FAIL "xfilterd --version: rc $rc '$v'"
fi
# save FILE never truncates FILE when the dump fails (no module here, or
# any other failure): the old content stays, no temporary file is left.
if ! grep -q '^xfilter ' /proc/modules 2>/dev/null; then
	echo 'dport 22 drop' > "$T/keep.rules"
	"$XFCTL" save "$T/keep.rules" 2> /dev/null
	rc=$?
	[ $rc -ne 0 ] && [ "$(cat "$T/keep.rules")" = "dport 22 drop" ] &&
		[ -z "$(ls "$T" | grep 'keep.rules.')" ] &&
		tap OK "save FILE that fails leaves FILE as it was, no temporary file" ||
		tap FAIL "save FILE that fails: rc $rc, FILE now '$(head -c 80 "$T/keep.rules")'"
fi

# ---- core files ------------------------------------------------------------------
NO_RUN=1	# the image is decompressed and parsed: too slow under valgrind
KDIR=$TOP/.cache/kernels/$("$TOP/scripts/kver" 6.1)
K=$(ls "$KDIR"/boot/vmlinuz-* 2>/dev/null | head -n1)
CORE=$TOP/.cache/dumps/$("$TOP/scripts/kver" 6.1)-small/core
if [ -z "$K" ] || [ ! -r "$CORE" ]; then
	echo "not ok $((n + 1)) - core cases need $KDIR and $CORE (scripts/make-dump.sh)"
	exit 1
fi
: > "$T/empty"
bad "ps --core: an empty file" "" "$XFCTL" ps --core "$T/empty" --kernel "$K"
bad "ps --core: /dev/zero-like zeros" "" "$XFCTL" ps --core <(head -c 1048576 /dev/zero) --kernel "$K"
for sz in 4 64 100 4096 65536 1048576 16777216; do
	head -c $sz "$CORE" > "$T/trunc"
	bad "ps --core: the core truncated to $sz bytes" "" "$XFCTL" ps --core "$T/trunc" --kernel "$K"
done
# A valid ELF header and program header table, the rest garbage.
python3 - "$CORE" "$T" <<'PY'
import random, struct, sys
core, out = sys.argv[1], sys.argv[2]
with open(core, 'rb') as f:
    head = bytearray(f.read(1 << 16))
phoff, = struct.unpack_from('<Q', head, 0x20)
phentsize, phnum = struct.unpack_from('<HH', head, 0x36)
def w(name, b):
    open(f'{out}/{name}', 'wb').write(bytes(b))
b = bytearray(head); struct.pack_into('<H', b, 0x38, 0xffff); w('phnum', b)
b = bytearray(head); struct.pack_into('<Q', b, 0x20, 1 << 60); w('phoff', b)
b = bytearray(head); struct.pack_into('<H', b, 0x36, 1); w('phentsize', b)
b = bytearray(head)
for i in range(phnum):	# every segment claims to be far beyond the file
    o = phoff + i * phentsize
    struct.pack_into('<QQ', b, o + 8, (1 << 62) + i, 0)
    struct.pack_into('<Q', b, o + 32, 1 << 40)
w('segs', b)
random.seed(7)
b = bytearray(head)
for i in range(phoff, phoff + phnum * phentsize):
    b[i] = random.randrange(256)
w('phrnd', b)
b = bytearray(head[:0x40]) + bytearray(random.randrange(256) for _ in range(1 << 20)); w('elfrnd', b)
PY
bad "ps --core: e_phnum 65535" "" "$XFCTL" ps --core "$T/phnum" --kernel "$K"
bad "ps --core: e_phoff 2^60" "" "$XFCTL" ps --core "$T/phoff" --kernel "$K"
bad "ps --core: e_phentsize 1" "" "$XFCTL" ps --core "$T/phentsize" --kernel "$K"
bad "ps --core: segments beyond the end of the file" "" "$XFCTL" ps --core "$T/segs" --kernel "$K"
bad "ps --core: random program headers" "" "$XFCTL" ps --core "$T/phrnd" --kernel "$K"
bad "ps --core: an ELF header then 1 MB of random bytes" "" "$XFCTL" ps --core "$T/elfrnd" --kernel "$K"
bad "ps --core: a kernel image that is garbage" "" "$XFCTL" ps --core "$CORE" --kernel "$T/elfrnd"
bad "ps --core: a kernel image truncated to 1 MB" "" "$XFCTL" ps --core "$CORE" --kernel <(head -c 1048576 "$K")

echo "# xfctl_input: $tried inputs tried, $how"
echo "1..$n"
exit $fail
