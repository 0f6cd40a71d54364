#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs, from the machine's own Debian archive, what building and testing
# xfilter needs on the host. Idempotent and quiet when all is there.
# Usage: scripts/deps.sh [GROUP...]   build, lab, deb; all (default) is
# build and lab (deb is for scripts/build-debs, which asks for it).
set -euo pipefail

KVER_LAB=${KVER_LAB:-$("$(dirname "$0")/kver" 6.1)}

build_pkgs=(
	build-essential pkg-config clang llvm lld libclang-rt-14-dev
	"linux-headers-$KVER_LAB"
	libnl-3-dev libnl-genl-3-dev libbpf-dev libxen-dev
	zlib1g-dev liblzma-dev libzstd-dev liblz4-dev
	# the fleet store: etcd's JSON gateway over libcurl and json-c;
	# etcd-server for tests/unit/test_store (a real etcd on localhost)
	libcurl4-openssl-dev libjson-c-dev etcd-server
	dwarves bpftool python3-yaml systemd
	# kernel-headers.sh: sid's kbuild programs rebuilt from linux-source
	bison flex bc libelf-dev libssl-dev
)
# Debian packages (scripts/build-debs); debian/control's Build-Depends
# are the build group's libraries (etcd-server is for the tests only).
deb_pkgs=(
	dpkg-dev debhelper dh-dkms lintian fakeroot
)
lab_pkgs=(
	qemu-system-x86 busybox-static cpio debootstrap
	zstd xz-utils e2fsprogs kmod iproute2
)

want=()
[ $# -gt 0 ] || set -- all
for group; do
	case "$group" in
	build) want+=("${build_pkgs[@]}") ;;
	lab) want+=("${lab_pkgs[@]}") ;;
	deb) want+=("${deb_pkgs[@]}") ;;
	all) want+=("${build_pkgs[@]}" "${lab_pkgs[@]}") ;;
	*) echo "deps.sh: unknown group '$group' (build, lab, deb or all)" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
