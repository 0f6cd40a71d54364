#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prints a kernel build directory (KDIR) for a Debian kernel version,
# fetching the headers if needed:
#   - /lib/modules/VERSION/build when installed;
#   - the lab's 6.1 version (scripts/kver 6.1) is installed with apt-get;
#   - any other (e.g. 6.12.x+deb12-amd64 from bookworm-backports/-security)
#     is unpacked under .cache/headers/VERSION/ without installing, since
#     the headers package would drag in that kernel image and its initramfs
#     tooling onto the build host.
# Usage: scripts/kernel-headers.sh VERSION
set -euo pipefail
. "$(dirname "$0")/lab/common.sh"

kver=${1:?usage: kernel-headers.sh VERSION}
if [ -f "/lib/modules/$kver/build/Makefile" ]; then
	echo "/lib/modules/$kver/build"
	exit 0
fi
if [ "$kver" = "$("$XF_TOP/scripts/kver" 6.1)" ]; then
	KVER_LAB=$kver "$XF_TOP/scripts/deps.sh" build >&2
	echo "/lib/modules/$kver/build"
	exit 0
fi

root=$XF_CACHE/headers/$kver
kdir=$root/usr/src/linux-headers-$kver
if [ ! -f "$root/.done" ]; then
	# The -common and kbuild package names drop the flavour suffix.
	base=${kver%-amd64}
	pkgs="linux-headers-$kver linux-headers-$base-common linux-kbuild-$(echo "$base" | cut -d. -f1,2)"
	case "$base" in *+*) pkgs="linux-headers-$kver linux-headers-$base-common linux-kbuild-$base" ;; esac
	apt-cache policy "linux-headers-$kver" 2>/dev/null | grep -q 'Candidate: [^(]' ||
		"$XF_TOP/scripts/fetch-kernel.sh" "$kver" >/dev/null
	rm -rf "$root"
	mkdir -p "$root/debs"
	(cd "$root/debs" && apt-get download -q $pkgs >&2 2>/dev/null) ||
		lab_die "cannot download $pkgs"
	for d in "$root"/debs/*.deb; do dpkg-deb -x "$d" "$root"; done
	rm -rf "$root/debs"
	# The flavour's Makefile includes the -common one by absolute path.
	sed -i "s#include /usr/src/#include $root/usr/src/#" "$kdir/Makefile"
	touch "$root/.done"
fi
echo "$kdir"
