#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boots a throw-away QEMU guest (TCG, KASLR on: Debian's default outside
# Xen) whose /init (tests/dump/guest-init.c) builds a known workload of
# processes and inet sockets, prints ground truth taken from the guest's
# /proc, and idles. The host then stops the VM and takes a QEMU
# dump-guest-memory ELF core. Results, cached and git-ignored:
#
#	.cache/dumps/NAME/core		the ELF core
#	.cache/dumps/NAME/truth.jsonl	one JSON object per guest process
#	.cache/dumps/NAME/console.log	the guest's serial console
#	.cache/dumps/NAME/kernel	path of the guest's vmlinuz
#
# Usage: scripts/make-dump.sh [-k KVER] [-s small|big] [-f] [-v]
#	-k KVER	 guest kernel ABI name (default: scripts/kver 6.1), fetched
#		 with scripts/fetch-kernel.sh
#	-s SIZE	 small: ~40 processes, ~260 sockets (default)
#		 big:   ~1,000 processes, ~5,000 sockets (benchmark)
#		 p100, p1000, p10000: ~100, ~1,000, ~10,000 processes
#		 with the same ~400 sockets (tests/bench/vmi-bench.sh:
#		 how a lookup grows with the processes alone)
#	-f	 rebuild even if a dump exists
#	-v	 vmcoreinfo: give the guest a vmcoreinfo device, so the core
#		 carries a VMCOREINFO note (default: none, KASLR found by scan)
# Prints the dump directory on stdout.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
KVER=$("$TOP/scripts/kver" 6.1)
SIZE=small
FORCE=0
VMCI=0
while getopts "k:s:fv" o; do
	case $o in
	k) KVER=$OPTARG ;;
	s) SIZE=$OPTARG ;;
	f) FORCE=1 ;;
	v) VMCI=1 ;;
	*) echo "usage: $0 [-k KVER] [-s small|big|p100|p1000|p10000] [-f] [-v]" >&2; exit 2 ;;
	esac
done
case $SIZE in
small) PROCS=40 SOCKS=160 FAT=100 IDLE=0 MEM=512 TIMEOUT=300 ;;
big) PROCS=1000 SOCKS=4600 FAT=300 IDLE=0 MEM=1536 TIMEOUT=1500 ;;
# Kernel threads and the workload's forked children make up the rest.
p100) PROCS=40 SOCKS=300 FAT=100 IDLE=0 MEM=512 TIMEOUT=300 ;;
p1000) PROCS=40 SOCKS=300 FAT=100 IDLE=900 MEM=768 TIMEOUT=900 ;;
p10000) PROCS=40 SOCKS=300 FAT=100 IDLE=9900 MEM=2048 TIMEOUT=3000 ;;
*) echo "make-dump: unknown size '$SIZE' (small|big|p100|p1000|p10000)" >&2; exit 2 ;;
esac
NAME=$KVER-$SIZE$([ $VMCI = 1 ] && echo -vmci || true)
OUT=$TOP/.cache/dumps/$NAME
if [ $FORCE = 0 ] && [ -s "$OUT/core" ] && [ -s "$OUT/truth.jsonl" ]; then
	echo "$OUT"
	exit 0
fi

log() { echo "make-dump: $*" >&2; }

KDIR=$("$TOP/scripts/fetch-kernel.sh" "$KVER")
VMLINUZ=$KDIR/boot/vmlinuz-$KVER
[ -s "$VMLINUZ" ] || { log "no kernel image $VMLINUZ"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/xf-dump.XXXXXX")
QPID=
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

# The initramfs: our static /init, a static busybox for the daemons, users.
ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,etc,proc,dev}
gcc -static -O2 -pthread -Wall -o "$ROOT/init" "$TOP/tests/dump/guest-init.c"
cp /bin/busybox "$ROOT/bin/busybox"
for a in sh httpd nc sleep; do ln -s busybox "$ROOT/bin/$a"; done
if [ $VMCI = 1 ]; then
	# Built in (=y) on some kernels; a module (=m) on others.
	ko=$(find "$KDIR/lib/modules" -name 'qemu_fw_cfg.ko*' | head -n1)
	case $ko in
	"") grep -q '^CONFIG_FW_CFG_SYSFS=y' "$KDIR"/boot/config-* ||
		{ log "no qemu_fw_cfg in $KDIR"; exit 1; } ;;
	*.xz) xz -dc "$ko" >"$ROOT/qemu_fw_cfg.ko" ;;
	*) cp "$ko" "$ROOT/qemu_fw_cfg.ko" ;;
	esac
fi
cat >"$ROOT/etc/passwd" <<PW
root:x:0:0:root:/:/bin/sh
mail:x:8:8:mail:/:/bin/sh
alice:x:1001:1101:alice:/:/bin/sh
bob:x:1002:1102:bob:/:/bin/sh
nobody:x:65534:65534:nobody:/:/bin/sh
PW
(cd "$ROOT" && find . | cpio -o -H newc --quiet) >"$WORK/initrd.cpio"

mkfifo "$WORK/mon.in" "$WORK/mon.out"
DEV=()
[ $VMCI = 1 ] && DEV=(-device vmcoreinfo)
log "booting $KVER ($SIZE: $PROCS + $IDLE idle processes, ~$SOCKS sockets)"
qemu-system-x86_64 -accel tcg -m $MEM -smp 1 -nographic -no-reboot \
	-kernel "$VMLINUZ" -initrd "$WORK/initrd.cpio" \
	-append "console=ttyS0 panic=-1 quiet loglevel=3 xf.procs=$PROCS xf.socks=$SOCKS xf.fat=$FAT xf.idle=$IDLE" \
	-serial file:"$WORK/console.log" -monitor pipe:"$WORK/mon" \
	-display none -net none "${DEV[@]}" </dev/null >"$WORK/qemu.log" 2>&1 &
QPID=$!
exec 3>"$WORK/mon.in"
# Drain the monitor's output so QEMU never blocks writing to it.
cat "$WORK/mon.out" >"$WORK/monitor.log" &

waited=0
until grep -q 'XF_READY\|XF_FAIL' "$WORK/console.log" 2>/dev/null; do
	if ! kill -0 "$QPID" 2>/dev/null; then
		rc=0; wait "$QPID" || rc=$?; QPID=
		log "QEMU exited (status $rc) before the guest was ready:"
		cat "$WORK/qemu.log" >&2
		tail -n 20 "$WORK/console.log" >&2 2>/dev/null
		exit 1
	fi
	if [ $waited -ge $TIMEOUT ]; then
		log "guest not ready after ${TIMEOUT}s"; tail -20 "$WORK/console.log" >&2; exit 1
	fi
	sleep 1
	waited=$((waited + 1))
done
if grep -q XF_FAIL "$WORK/console.log"; then
	log "workload failed:"; grep XF_FAIL "$WORK/console.log" >&2; exit 1
fi
echo stop >&3
log "guest ready after ${waited}s; dumping"
mkdir -p "$OUT"
rm -f "$OUT/core"
echo "dump-guest-memory $OUT/core.tmp" >&3
echo quit >&3
exec 3>&-
wait "$QPID" || true
QPID=
[ -s "$OUT/core.tmp" ] || { log "no dump written"; cat "$WORK/monitor.log" >&2; exit 1; }
mv "$OUT/core.tmp" "$OUT/core"
tr -d '\r' <"$WORK/console.log" >"$OUT/console.log"
sed -n '/^XF_TRUTH_BEGIN/,/^XF_TRUTH_END/p' "$OUT/console.log" |
	grep '^{' >"$OUT/truth.jsonl"
echo "$VMLINUZ" >"$OUT/kernel"
log "$(wc -l <"$OUT/truth.jsonl") processes in truth; core $(du -h "$OUT/core" | cut -f1)"
echo "$OUT"
