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
#	machine's configured suites are looked up in bookworm-backports: a
#	sources entry for it is added, with the archive URI taken from the
#	machine's existing apt configuration (never written into this repo).
#
# Prints the directory holding the unpacked tree on stdout.
set -euo pipefail

VERSION=${1:-$("$(dirname "$0")/kver" 6.1)}
. "$(dirname "$0")/lab/common.sh"
CACHE=$XF_CACHE
PKGDIR=$CACHE/pkgs
DEST=$CACHE/kernels/$VERSION
PKG=linux-image-$VERSION
BPO_LIST=/etc/apt/sources.list.d/xfilter-bookworm-backports.list

if [ -s "$DEST/boot/vmlinuz-$VERSION" ]; then
	echo "$DEST"
	exit 0
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# Captured first: grep -q exiting early would fail the pipe under pipefail.
have_candidate() {
	local policy
	policy=$(apt-cache policy "$PKG" 2>/dev/null || true)
	grep -q 'Candidate: [^(]' <<<"$policy"
}

add_backports() {
	local uri
	[ -e "$BPO_LIST" ] && return 0
	uri=$(lab_mirror)
	if [ -z "$uri" ]; then
		echo "fetch-kernel: no bookworm archive URI in apt config" >&2
		return 1
	fi
	echo "fetch-kernel: adding bookworm-backports from $uri" >&2
	echo "deb $uri bookworm-backports main" | $SUDO tee "$BPO_LIST" >/dev/null
	$SUDO apt-get update -qq
}

if ! have_candidate; then
	add_backports
	if ! have_candidate; then
		echo "fetch-kernel: no package $PKG in the configured archives" >&2
		exit 1
	fi
fi

mkdir -p "$PKGDIR"
deb=$(ls "$PKGDIR/${PKG}_"*.deb 2>/dev/null | head -n1 || true)
if [ -z "$deb" ]; then
	(cd "$PKGDIR" && apt-get download -qq "$PKG" >&2)
	deb=$(ls "$PKGDIR/${PKG}_"*.deb | head -n1)
fi

# Unpack into a temporary directory and rename, so an interrupted run never
# leaves a half-unpacked tree that the check above would take as complete.
tmp=$(mktemp -d "$CACHE/kernels/.$VERSION.XXXXXX" 2>/dev/null ||
	{ mkdir -p "$CACHE/kernels" && mktemp -d "$CACHE/kernels/.$VERSION.XXXXXX"; })
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
rm -rf "$DEST"
mv "$tmp" "$DEST"
trap - EXIT
echo "$DEST"
