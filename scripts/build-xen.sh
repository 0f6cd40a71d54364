#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the patched hypervisor with xfilter's filter module (fast mode):
#
#   apt-get source xen (Debian's 4.17.5) ── .cache/xen-src/xen-4.17*/  pristine
#     └─ copy + hypervisor-stub/patches/*.patch ── .cache/xen-src/work/
#          └─ xen/arch/x86/xfilter/ ← symlinks: hypervisor-stub/xen/*, core/*,
#             include/xfilter/ (the same sources, never a second copy)
#   make -C xen ── .cache/xen/xen-xfilter   (what scripts/lab/run --xen boots)
#
# Installs the build dependencies with apt-get, adds a deb-src entry for the
# archive this machine's apt already uses (read at run time, never written
# into the repo), and rebuilds only when the patches or sources changed (a
# stamp of their hash). A patch change recreates the work tree; a source
# change is an incremental make. Prints the hypervisor's path on stdout.
#
# Usage: scripts/build-xen.sh [--force]
set -euo pipefail
. "$(dirname "$0")/lab/common.sh"

SRC=$XF_CACHE/xen-src
WORK=$SRC/work
OUT=$XF_CACHE/xen
BIN=$OUT/xen-xfilter
STUB=$XF_TOP/hypervisor-stub
SRC_LIST=/etc/apt/sources.list.d/xfilter-src.list
force=0
[ "${1:-}" = "--force" ] && force=1

log() { printf '[build-xen] %s\n' "$*" >&2; }
die() { printf '[build-xen] error: %s\n' "$*" >&2; exit 1; }

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

install_deps()
{
	local p missing=()

	for p in gcc make python3 flex bison dpkg-dev xz-utils patch; do
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
	ls -d "$SRC"/xen-4.17*/ 2>/dev/null | head -n1 | sed 's#/$##'
}

fetch_source()
{
	local dir

	dir=$(pristine_dir)
	# A `make clean` of the kernel module (kbuild, M=top) recursively
	# deletes *.lst, *.o, ... under .cache too: check a file it would eat.
	if [ -n "$dir" ] && [ ! -f "$dir/xen/include/xlat.lst" ]; then
		log "source tree damaged (no xen/include/xlat.lst): unpacking again"
		rm -rf "$dir" "$WORK"
		if ls "$SRC"/xen_4.17*.dsc > /dev/null 2>&1; then
			(cd "$SRC" && dpkg-source -x -q "$(ls "$SRC"/xen_4.17*.dsc | head -n1)" >&2)
		fi
		dir=$(pristine_dir)
	fi
	if [ -z "$dir" ] || [ ! -f "$dir/xen/include/xlat.lst" ]; then
		rm -rf "$dir"
		add_deb_src
		mkdir -p "$SRC"
		log "apt-get source xen"
		(cd "$SRC" && apt-get source -q xen >&2) ||
			die "apt-get source xen failed"
		dir=$(pristine_dir)
	fi
	[ -n "$dir" ] || die "no xen-4.17 source tree in $SRC"
	echo "$dir"
}

# Hash of everything that goes into the binary from our side.
hash_of()
{
	(cd "$XF_TOP" && cat "$@" 2>/dev/null) | sha256sum | cut -d' ' -f1
}

patch_files() { ls "$STUB"/patches/*.patch 2>/dev/null; }

prepare_tree()
{
	local pristine=$1 want have p

	want=$(hash_of $(patch_files))
	have=$(cat "$WORK/.xf-patches" 2>/dev/null || true)
	if [ "$want" != "$have" ] || [ ! -f "$WORK/xen/include/xlat.lst" ]; then
		log "work tree: $(basename "$pristine") + $(patch_files | wc -l) patches"
		rm -rf "$WORK"
		cp -a "$pristine" "$WORK"
		for p in $(patch_files); do
			patch -d "$WORK" -p1 -s --no-backup-if-mismatch < "$p" ||
				die "patch $(basename "$p") does not apply"
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

main()
{
	local pristine stamp

	stamp=$(hash_of $(patch_files) hypervisor-stub/xen/* core/*.c core/*.h \
		core/core.mk include/xfilter/*.h scripts/build-xen.sh)
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
	# CONFIG_XFILTER defaults to n (patch 0002): this build turns it on.
	if ! grep -q '^CONFIG_XFILTER=y' "$WORK/xen/.config" 2>/dev/null; then
		{ make -C "$WORK/xen" defconfig &&
		  echo CONFIG_XFILTER=y >> "$WORK/xen/.config" &&
		  make -C "$WORK/xen" olddefconfig; } > "$OUT/config.log" 2>&1 ||
			die "configuring xen failed (see $OUT/config.log)"
	fi
	if ! make -C "$WORK/xen" -j"$(nproc)" > "$OUT/build.log" 2>&1; then
		grep -E 'error|Error' "$OUT/build.log" | head -n 30 >&2
		die "make -C xen failed (see $OUT/build.log)"
	fi
	grep -q '^CONFIG_XFILTER=y' "$WORK/xen/.config" ||
		die "CONFIG_XFILTER is not set in the built tree"
	cp "$WORK/xen/xen" "$BIN.tmp"
	mv "$BIN.tmp" "$BIN"
	echo "$stamp" > "$BIN.stamp"
	log "built $(du -h "$BIN" | cut -f1) in $SECONDS s"
	echo "$BIN"
}

main
