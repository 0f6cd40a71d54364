#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xfctl given bad input on the host (no module, no Xen needed): malformed
# rule files (`xfctl restore`, which parses the whole file before it talks
# to the kernel), bad arguments, and truncated or garbage core files
# (`xfctl ps --core`). Each must end in a clear error: a non-zero exit code
# below 128 (no signal), a message on stderr that names the bad token where
# there is one, and no memory error under valgrind (XF_VALGRIND=0 skips it).
# Prints TAP; the number of inputs tried is on the last comment line.
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
XFCTL=$TOP/build/xfctl
VG=()
if [ "${XF_VALGRIND:-1}" = 1 ] && command -v valgrind > /dev/null; then
	VG=(valgrind -q --error-exitcode=99 --leak-check=no --track-origins=no)
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 fail=0 tried=0

tap() { # tap OK|FAIL description
	n=$((n + 1))
	if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}

# bad DESC WANT CMD...: CMD fails cleanly with WANT in its stderr (WANT may
# be empty: any message). Run under valgrind when VG=1 in the environment.
bad() {
	local desc=$1 want=$2 rc err
	shift 2
	tried=$((tried + 1))
	if [ "${USE_VG:-0}" = 1 ]; then
		timeout 300 "${VG[@]}" "$@" > "$T/out" 2> "$T/err" < /dev/null
	else
		timeout 60 "$@" > "$T/out" 2> "$T/err" < /dev/null
	fi
	rc=$?
	err=$(grep -av '^==' "$T/err" | head -n1)
	if [ $rc -eq 0 ]; then
		tap FAIL "$desc: exit status 0"
	elif [ $rc -eq 99 ]; then
		tap FAIL "$desc: valgrind found a memory error"
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
USE_VG=$([ ${#VG[@]} -gt 0 ] && echo 1 || echo 0)
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

# ---- core files ------------------------------------------------------------------
USE_VG=0	# the image is decompressed and parsed: too slow under valgrind
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

echo "# xfctl_input: $tried inputs tried${VG:+, rule files and arguments under valgrind}"
echo "1..$n"
exit $fail
