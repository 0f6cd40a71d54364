#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetches a Debian guest kernel image package through apt and unpacks it
# under .cache/kernels/VERSION/ (vmlinuz in boot/, modules in lib/). Used by
# the profile unit tests and by the lab. Idempotent: a second call with the
# kernel already unpacked does nothing and prints only the path.
#
# Usage: scripts/fetch-kernel.sh [VERSION]      (default: scripts/kver 6.1)
#	VERSION is the ABI name of the package linux-image-VERSION, e.g.
#	6.1.0-56-amd64 or 6.12.48+deb12-amd64. Versions that are not in the
#	machine's configured suites are looked up by their ABI name: 5.10.*
#	in bullseye, *+deb12-* in bookworm-backports, *+deb13-* in trixie,
#	*+deb14-* in forky then sid, each through scripts/apt-suite: package
#	lists of its own under $XF_CACHE/apt/, with the archive URI taken
#	from the machine's apt configuration (never written into this repo);
#	the machine's apt sources stay as they are.
#	Newer suites split the image package: linux-image-VERSION only
#	depends on linux-binary-VERSION (the vmlinuz, in
#	usr/lib/modules/VERSION/) and linux-modules-VERSION; both are fetched
#	and the tree gets the usual boot/ and lib/modules/ paths.
#
# Prints the directory holding the unpacked tree on stdout.
set -euo pipefail

VERSION=${1:-$("$(dirname "$0")/kver" 6.1)}
. "$(dirname "$0")/lab/common.sh"
CACHE=$XF_CACHE
PKGDIR=$CACHE/pkgs
DEST=$CACHE/kernels/$VERSION
PKG=linux-image-$VERSION

if [ -s "$DEST/boot/vmlinuz-$VERSION" ]; then
	echo "$DEST"
	exit 0
fi
# One fetch at a time: tests/run's lanes may ask for the same kernel.
mkdir -p "$CACHE/kernels"
exec 9>"$CACHE/kernels/.lock-$VERSION"
flock 9
if [ -s "$DEST/boot/vmlinuz-$VERSION" ]; then
	echo "$DEST"
	exit 0
fi

if ! lab_apt_for "$PKG" "$VERSION"; then
	echo "fetch-kernel: no package $PKG in the configured archives$(lab_suites_of "$VERSION" | sed 's/^./ nor in &/')" >&2
	exit 1
fi

# A split image (linux-binary + linux-modules) or the classic package.
pkgs=$PKG
if "${lab_apt[@]}" apt-cache show "linux-binary-$VERSION" >/dev/null 2>&1; then
	pkgs="linux-binary-$VERSION linux-modules-$VERSION"
fi
mkdir -p "$PKGDIR"
debs=()
for p in $pkgs; do
	deb=$(ls "$PKGDIR/${p}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		(cd "$PKGDIR" && "${lab_apt[@]}" apt-get download -qq "$p" >&2)
		deb=$(ls "$PKGDIR/${p}_"*.deb | head -n1)
	fi
	debs+=("$deb")
done

# Unpack into a temporary directory and rename, so an interrupted run never
# leaves a half-unpacked tree that the check above would take as complete.
tmp=$(mktemp -d "$CACHE/kernels/.$VERSION.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for deb in "${debs[@]}"; do
	dpkg-deb -x "$deb" "$tmp"
done
# merged-/usr packages: the paths the lab and the tests read
if [ ! -e "$tmp/lib" ] && [ -d "$tmp/usr/lib/modules" ]; then
	ln -s usr/lib "$tmp/lib"
fi
if [ ! -e "$tmp/boot/vmlinuz-$VERSION" ] && [ -s "$tmp/lib/modules/$VERSION/vmlinuz" ]; then
	mkdir -p "$tmp/boot"
	ln -s "../lib/modules/$VERSION/vmlinuz" "$tmp/boot/vmlinuz-$VERSION"
fi
if [ ! -s "$tmp/boot/vmlinuz-$VERSION" ]; then
	echo "fetch-kernel: no vmlinuz in ${debs[*]}" >&2
	exit 1
fi
rm -rf "$DEST"
mv "$tmp" "$DEST"
trap - EXIT
# The tree is what is used; the packages (70-100 MB each, fifteen kernels
# in the unit tests) would only fill the disk.
rm -f "${debs[@]}"
echo "$DEST"
