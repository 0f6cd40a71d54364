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
#     tooling onto the build host. Versions of suites this machine's apt
#     sources lack (trixie, forky, sid: scripts/apt-suite) come the same
#     way. Their kbuild programs may need a newer C library than this
#     machine's (sid's are linked against glibc 2.38), their kernel a
#     compiler it lacks (gcc-16): see adapt_to_host.
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

# The ELF programs of the kbuild package, and of the headers (from 7.2 the
# flavour's own tools/bpf/resolve_btfids), that this machine cannot run.
broken_host_tools()
{
	local f out

	for f in $(find "$root"/usr/lib/linux-kbuild-* "$root"/usr/src/linux-headers-* \
		-type f -perm -u+x); do
		[ "$(head -c 4 "$f")" = $'\x7fELF' ] || continue
		# Not "ldd | grep -q": grep leaves at the first match, and
		# ldd, still writing, dies of SIGPIPE, which pipefail then
		# takes for no match (on a loaded machine, now and then).
		out=$(LC_ALL=C ldd "$f" 2>&1 || true)
		case $out in *"not found"*) echo "$f" ;; esac
	done
	return 0
}

# The compiler that built the kernel (.kernelvariables), if this machine
# lacks it: sid's gcc-16 on bookworm.
missing_kernel_cc()
{
	local cc

	cc=$(sed -n 's/^CC = .*\(gcc-[0-9][0-9]*\)$/\1/p' "$kdir/.kernelvariables" 2>/dev/null)
	[ -z "$cc" ] || command -v "$cc" >/dev/null || echo "$cc"
}

# Adapts headers of a newer suite to this machine, from linux-source-X.Y of
# the headers' exact version (make olddefconfig and modules_prepare with
# the headers' .config):
#  - the programs broken_host_tools lists are rebuilt (they do not depend
#    on the compiler that built the kernel) and put in place of Debian's;
#    a "NAME.real-VARIANT" program (Debian's per-target variants, chosen
#    by the NAME wrapper) is replaced by installing the native NAME over
#    the wrapper;
#  - when the kernel's compiler is missing here, the configuration becomes
#    the one olddefconfig makes for this machine's gcc (Debian's kept as
#    *.debian): they differ in compiler features only (CONFIG_CC_HAS_*,
#    tool versions, Rust without bindgen), and gcc-12 rejects gcc-16's
#    flags (-fmin-function-alignment) and builtins. A module built so is
#    a compile check of the kernel API use, not one to load.
adapt_to_host()
{
	local broken cc need f rel series ver srcver src tarball done_list=

	broken=$(broken_host_tools)
	cc=$(missing_kernel_cc)
	[ -n "$broken$cc" ] || return 0
	series=$(echo "$kver" | cut -d. -f1,2)
	ver=$("${lab_apt[@]}" apt-cache show "linux-headers-$kver" | sed -n 's/^Version: //p' | head -n1)
	# the same source package, so the same suite as the headers
	srcver=$("${lab_apt[@]}" apt-cache show "linux-source-$series" 2>/dev/null || true)
	need="${broken:+a newer C library}${broken:+${cc:+ and }}${cc}"
	grep -qx "Version: $ver" <<<"$srcver" ||
		lab_die "headers of $kver need $need than this machine has and there is no linux-source-$series $ver to adapt them with"
	lab_log "headers of $kver need $need than this machine has: adapting them with linux-source-$series $ver"
	src=$root/src
	mkdir -p "$src"
	(cd "$src" && "${lab_apt[@]}" apt-get download -q "linux-source-$series" >&2 2>/dev/null) ||
		lab_die "cannot download linux-source-$series"
	dpkg-deb --fsys-tarfile "$src"/linux-source-*.deb |
		tar -xO "./usr/src/linux-source-$series.tar.xz" | tar -xJ -C "$src"
	tarball=$src/linux-source-$series
	cp "$kdir/.config" "$tarball/.config"
	# modules_prepare does not always build resolve_btfids, which
	# linking a module runs with DEBUG_INFO_BTF_MODULES
	make -s -C "$tarball" olddefconfig >&2 &&
		make -s -C "$tarball" -j"$(nproc)" modules_prepare >&2 &&
		make -s -C "$tarball" tools/bpf/resolve_btfids >&2 ||
		lab_die "make modules_prepare in linux-source-$series failed"
	for f in $broken; do
		rel=${f#"$root"/usr/lib/linux-kbuild-*/}
		rel=${rel#"$root"/usr/src/linux-headers-*/}
		rel=${rel%.real-*}
		[ -x "$tarball/$rel" ] || continue
		install -m 755 "$tarball/$rel" "$(dirname "$f")/$(basename "$rel")"
		case " $done_list " in *" $rel "*) ;; *) done_list="$done_list $rel" ;; esac
	done
	[ -z "$broken" ] || lab_log "rebuilt:$done_list"
	if [ -n "$cc" ]; then
		for f in .config include/config/auto.conf include/generated/autoconf.h; do
			mv "$kdir/$f" "$kdir/$f.debian"
			cp "$tarball/$f" "$kdir/$f"
		done
		lab_log "configured for $(gcc --version | head -n1) instead of $cc: $(diff "$kdir/.config.debian" "$kdir/.config" | grep -c '^[<>] CONFIG') lines of .config differ"
	fi
	rm -rf "$src"
}

kdir=$root/usr/src/linux-headers-$kver
# One fetch at a time: tests/run's lanes and a make may ask at once.
mkdir -p "$XF_CACHE/headers"
exec 9>"$XF_CACHE/headers/.lock-$kver"
flock 9
# .done holds the version of this script's fetch and adaptation. Before 2,
# broken_host_tools could miss a program (ldd's SIGPIPE, above) and leave
# it in place: such a cache is fetched again.
done_version=2
if [ -f "$root/.done" ] && [ "$(cat "$root/.done")" != $done_version ]; then
	lab_log "headers of $kver: cached by an older kernel-headers.sh: fetching them again"
	rm -f "$root/.done"
fi
if [ ! -f "$root/.done" ]; then
	# The -common and kbuild package names drop the flavour suffix.
	base=${kver%-amd64}
	pkgs="linux-headers-$kver linux-headers-$base-common linux-kbuild-$(echo "$base" | cut -d. -f1,2)"
	case "$base" in *+*) pkgs="linux-headers-$kver linux-headers-$base-common linux-kbuild-$base" ;; esac
	lab_apt_for "linux-headers-$kver" "$kver" ||
		lab_die "no package linux-headers-$kver in the configured archives$(lab_suites_of "$kver" | sed 's/^./ nor in &/')"
	rm -rf "$root"
	mkdir -p "$root/debs"
	(cd "$root/debs" && "${lab_apt[@]}" apt-get download -q $pkgs >&2 2>/dev/null) ||
		lab_die "cannot download $pkgs"
	for d in "$root"/debs/*.deb; do dpkg-deb -x "$d" "$root"; done
	rm -rf "$root/debs"
	# The flavour's Makefile names the -common one (and, from 7.x, its
	# own directory as KBUILD_OUTPUT) by absolute path.
	sed -i "s#\(include \|KBUILD_OUTPUT=\)/usr/src/#\1$root/usr/src/#" "$kdir/Makefile"
	adapt_to_host
	echo $done_version > "$root/.done"
fi
echo "$kdir"
