#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the patched hypervisor with xfilter's filter module (fast mode),
# from Debian's own source package of one Xen version:
#
#   4.17: apt-get source xen (bookworm, the machine's suite)
#   4.20: scripts/apt-suite trixie apt-get source xen
#     └─ pristine tree ── .cache/xen-src[-4.20]/xen-4.NN*/
#          └─ copy + the series (hypervisor-stub/patches/*.patch, a
#             patches/4.NN/ file replacing the common one of the same
#             number) ── .cache/xen-src[-4.20]/work[-VARIANT]/
#               └─ xen/arch/x86/xfilter/ ← symlinks: hypervisor-stub/xen/*,
#                  core/*, include/xfilter/ (the same sources, never a copy)
#   make -C xen ── .cache/xen[-VARIANT]/xen-xfilter  (scripts/lab/run --xen)
#
# VARIANT is 4.17 (the default: .cache/xen/xen-xfilter, where the lab, the
# demo and the benchmarks look), 4.20, 4.17-xsm or 4.20-xsm. --xsm builds
# with CONFIG_XSM, FLASK (with the policy of the patched source tree built
# in: checkpolicy is installed for it) and SILO, FLASK the default module.
#
# Installs the build dependencies with apt-get; for 4.17, adds a deb-src
# entry for the archive this machine's apt already uses (read at run time,
# never written into the repo); 4.20 comes through scripts/apt-suite, which
# leaves the machine's sources alone. XF_XEN_SRC=DIR (an unpacked Xen source
# tree) or XF_XEN_SRC=FILE.dsc uses that source instead of apt-get source.
# Rebuilds only when the patches or sources changed (a stamp of their hash):
# a patch change recreates the work tree, a source change is an incremental
# make. Xen builds with -Werror; a warning anywhere else (the policy build)
# fails the build too. Prints the hypervisor's path on stdout.
#
# Usage: scripts/build-xen.sh [--xen 4.17|4.20] [--xsm] [--force]
set -euo pipefail
. "$(dirname "$0")/lab/common.sh"

ver=4.17 xsm=0 force=0
while [ $# -gt 0 ]; do
	case "$1" in
	--xen) ver=${2:?--xen needs 4.17 or 4.20}; shift 2 ;;
	--xen=*) ver=${1#--xen=}; shift ;;
	--xsm) xsm=1; shift ;;
	--force) force=1; shift ;;
	-h|--help) sed -n '/^# Usage/s/^# //p' "$0"; exit 0 ;;
	*) echo "build-xen.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

case "$ver" in
4.17) suite=bookworm ;;
4.20) suite=trixie ;;
*) echo "build-xen.sh: Xen '$ver' is not supported (4.17 or 4.20)" >&2; exit 2 ;;
esac
variant=$ver
[ "$xsm" = 1 ] && variant=$ver-xsm

if [ "$ver" = 4.17 ]; then
	SRC=$XF_CACHE/xen-src
else
	SRC=$XF_CACHE/xen-src-$ver
fi
if [ "$variant" = 4.17 ]; then
	WORK=$SRC/work
	OUT=$XF_CACHE/xen
else
	WORK=$SRC/work-$variant
	OUT=$XF_CACHE/xen-$variant
fi
BIN=$OUT/xen-xfilter
STUB=$XF_TOP/hypervisor-stub
SRC_LIST=/etc/apt/sources.list.d/xfilter-src.list

log() { printf '[build-xen %s] %s\n' "$variant" "$*" >&2; }
die() { printf '[build-xen %s] error: %s\n' "$variant" "$*" >&2; exit 1; }

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

install_deps()
{
	local p missing=() want=(gcc make python3 flex bison dpkg-dev xz-utils patch)

	[ "$xsm" = 1 ] && want+=(checkpolicy)
	for p in "${want[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A deb-src line for bookworm on the archive (and keyring) apt already uses.
add_deb_src()
{
	local uri keyring opt=

	[ -e "$SRC_LIST" ] && return 0
	uri=$(lab_mirror)
	[ -n "$uri" ] || die "no bookworm archive URI in apt's configuration"
	# Same URI and suite as an existing entry: apt wants the same Signed-By.
	keyring=$(sed -n 's/^Signed-By: *//p' /etc/apt/sources.list.d/*.sources \
		2>/dev/null | head -n1)
	[ -n "$keyring" ] && [ -f "$keyring" ] && opt="[signed-by=$keyring] "
	log "adding deb-src for $uri"
	echo "deb-src $opt$uri bookworm main" | $SUDO tee "$SRC_LIST" >/dev/null
	$SUDO apt-get update -qq
}

pristine_dir()
{
	ls -d "$SRC"/xen-"$ver"*/ 2>/dev/null | head -n1 | sed 's#/$##'
}

# apt-get source xen of $suite into $SRC.
apt_source()
{
	if [ "$suite" = bookworm ]; then
		add_deb_src
		log "apt-get source xen"
		(cd "$SRC" && apt-get source -q xen >&2)
	else
		log "scripts/apt-suite $suite apt-get source xen"
		(cd "$SRC" && "$XF_TOP/scripts/apt-suite" "$suite" apt-get source -q xen >&2)
	fi
}

# Prints the pristine source tree of $ver, fetching and unpacking it first
# when needed.
fetch_source()
{
	local dir dsc

	mkdir -p "$SRC"
	if [ -n "${XF_XEN_SRC:-}" ] && [ -d "$XF_XEN_SRC" ]; then
		[ -f "$XF_XEN_SRC/xen/include/xlat.lst" ] ||
			die "XF_XEN_SRC=$XF_XEN_SRC is not a Xen source tree"
		(cd "$XF_XEN_SRC" && pwd)
		return 0
	fi
	dir=$(pristine_dir)
	# A `make clean` of the kernel module (kbuild, M=top) recursively
	# deletes *.lst, *.o, ... under .cache too: check a file it would eat.
	if [ -n "$dir" ] && [ ! -f "$dir/xen/include/xlat.lst" ]; then
		log "source tree damaged (no xen/include/xlat.lst): unpacking again"
		rm -rf "$dir" "$SRC"/work*
		dir=
	fi
	if [ -z "$dir" ]; then
		if [ -n "${XF_XEN_SRC:-}" ]; then
			dsc=$XF_XEN_SRC
		else
			dsc=$(ls "$SRC"/xen_"$ver"*.dsc 2>/dev/null | head -n1)
		fi
		if [ -n "$dsc" ] && [ -f "$dsc" ]; then
			(cd "$SRC" && dpkg-source -x -q "$(realpath "$dsc")" >&2) ||
				die "dpkg-source -x $dsc failed"
		else
			apt_source || die "apt-get source xen ($suite) failed: the\
 archive did not serve Xen $ver's source; give one with XF_XEN_SRC=DIR\
 (an unpacked tree) or XF_XEN_SRC=FILE.dsc"
		fi
		dir=$(pristine_dir)
	fi
	[ -n "$dir" ] && [ -f "$dir/xen/include/xlat.lst" ] ||
		die "no xen-$ver source tree in $SRC"
	echo "$dir"
}

# Hash of everything that goes into the binary from our side.
hash_of()
{
	(cd "$XF_TOP" && cat "$@" 2>/dev/null) | sha256sum | cut -d' ' -f1
}

# The series for $ver: the common patches, a patches/$ver/ file taking the
# place of the common one with the same number (NNNN-), in number order.
patch_files()
{
	local p n

	for p in "$STUB"/patches/*.patch; do
		n=$(basename "$p" | cut -d- -f1)
		ls "$STUB/patches/$ver/$n"-*.patch >/dev/null 2>&1 || echo "$p"
	done
	ls "$STUB/patches/$ver"/*.patch 2>/dev/null || true
} 2>/dev/null

series()
{
	local p

	for p in $(patch_files); do
		echo "$(basename "$p") $p"
	done | sort | cut -d' ' -f2
}

prepare_tree()
{
	local pristine=$1 want have p

	want=$(hash_of $(series))$pristine
	have=$(cat "$WORK/.xf-patches" 2>/dev/null || true)
	if [ "$want" != "$have" ] || [ ! -f "$WORK/xen/include/xlat.lst" ]; then
		log "work tree: $(basename "$pristine") + $(series | wc -l) patches"
		rm -rf "$WORK"
		cp -a "$pristine" "$WORK"
		for p in $(series); do
			patch -d "$WORK" -p1 -s -F0 --no-backup-if-mismatch < "$p" ||
				die "patch ${p#$STUB/} does not apply to Xen $ver"
		done
		echo "$want" > "$WORK/.xf-patches"
	fi
}

link_sources()
{
	local dir=$WORK/xen/arch/x86/xfilter f

	rm -rf "$dir"
	mkdir -p "$dir/include"
	for f in "$STUB"/xen/* "$XF_TOP"/core/*.c "$XF_TOP"/core/*.h \
		"$XF_TOP"/core/core.mk; do
		ln -s "$f" "$dir/$(basename "$f")"
	done
	ln -s "$XF_TOP/include/xfilter" "$dir/include/xfilter"
}

# The options this variant sets over defconfig, one a line: the feature is
# off by default and behind UNSUPPORTED (patch 0002), and UNSUPPORTED would
# turn TBOOT on by default, which no build here had before.
config_wanted()
{
	echo CONFIG_UNSUPPORTED=y
	echo '# CONFIG_TBOOT is not set'
	echo CONFIG_XFILTER=y
	if [ "$xsm" = 1 ]; then
		echo CONFIG_XSM=y
		echo CONFIG_XSM_FLASK=y
		echo CONFIG_XSM_FLASK_POLICY=y
		echo CONFIG_XSM_SILO=y
	fi
}

config_ok()
{
	local o

	while read -r o; do
		grep -qxF "$o" "$WORK/xen/.config" 2>/dev/null || return 1
	done < <(config_wanted)
}

main()
{
	local pristine stamp

	stamp=$(hash_of $(series) hypervisor-stub/xen/* core/*.c core/*.h \
		core/core.mk include/xfilter/*.h scripts/build-xen.sh)
	stamp="$stamp $variant ${XF_XEN_SRC:-}"
	if [ "$force" = 0 ] && [ -f "$BIN" ] &&
	   [ "$(cat "$BIN.stamp" 2>/dev/null)" = "$stamp" ]; then
		echo "$BIN"
		return 0
	fi

	install_deps
	pristine=$(fetch_source)
	prepare_tree "$pristine"
	link_sources
	log "make -C xen (log: $OUT/build.log)"
	mkdir -p "$OUT"
	if ! config_ok; then
		{ make -C "$WORK/xen" defconfig &&
		  config_wanted >> "$WORK/xen/.config" &&
		  make -C "$WORK/xen" olddefconfig; } > "$OUT/config.log" 2>&1 ||
			die "configuring xen failed (see $OUT/config.log)"
		config_ok || die "$(config_wanted | tr '\n' ';') not all set\
 after olddefconfig (see $WORK/xen/.config)"
	fi
	if ! make -C "$WORK/xen" -j"$(nproc)" > "$OUT/build.log" 2>&1; then
		grep -E 'error|Error' "$OUT/build.log" | head -n 30 >&2
		die "make -C xen failed (see $OUT/build.log)"
	fi
	if grep -q 'warning:' "$OUT/build.log"; then
		grep 'warning:' "$OUT/build.log" | head -n 20 >&2
		die "the build printed warnings (see $OUT/build.log)"
	fi
	config_ok || die "the built tree lost one of $(config_wanted | tr '\n' ';')"
	cp "$WORK/xen/xen" "$BIN.tmp"
	mv "$BIN.tmp" "$BIN"
	echo "$stamp" > "$BIN.stamp"
	log "built $(du -h "$BIN" | cut -f1) in $SECONDS s"
	echo "$BIN"
}

main
