#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages as scripts/build-debs makes them: it prints the two
# .debs, lintian finds no error or warning, each package holds its files
# and dependencies, every version is dkms.conf's, and the sources in
# xfilter-dkms build xfilter.ko the way DKMS does (dkms.conf's MAKE[0] in
# a copy of /usr/src/xfilter-VERSION, against the lab's 6.1 headers), so
# the package misses no source. Installing them and running the service
# needs a Xen dom0 with systemd: the lab's part, not tested here.
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 fail=0

# t DESC CMD...: one TAP line, ok when CMD succeeds.
t()
{
	local desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		fail=1
	fi
}

# has DEB PATH...: the package's data holds every PATH.
has()
{
	local deb=$1 p ok=0
	shift
	dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's#^\./#/#' > "$T/list" || return 1
	for p; do
		grep -qxF "$p" "$T/list" || { echo "# $(basename "$deb") lacks $p"; ok=1; }
	done
	return $ok
}

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$TOP/dkms.conf")
chver=$(cd "$TOP" && dpkg-parsechangelog -S Version 2>/dev/null)
t "debian/changelog's version ($chver) is dkms.conf's PACKAGE_VERSION ($ver)" \
	test -n "$ver" -a "$chver" = "$ver"

cache=${XF_CACHE:-$TOP/.cache}
# tests/run builds them once for this test and the lab's stock pass.
if [ -n "${XF_DEBS:-}" ]; then
	printf '%s\n' $XF_DEBS > "$T/out"
	rc=0
else
	"$TOP/scripts/build-debs" > "$T/out" 2> "$T/log"
	rc=$?
fi
[ $rc -eq 0 ] || tail -n 30 "$T/log" | sed 's/^/# /'
tool=$(sed -n 1p "$T/out") dkms=$(sed -n 2p "$T/out")
t "build-debs exits 0 and prints the two .debs, nothing else" \
	test $rc -eq 0 -a "$(wc -l < "$T/out")" -eq 2 \
	-a "$(basename "$tool")" = "xfilter_${ver}_amd64.deb" -a -f "$tool" \
	-a "$(basename "$dkms")" = "xfilter-dkms_${ver}_all.deb" -a -f "$dkms"

lint=$cache/deb/lintian.txt
grep -E '^[EW]: ' "$lint" 2>/dev/null | sed 's/^/# /'
t "lintian ran and reports no error or warning" \
	sh -c "test -f '$lint' && ! grep -qE '^[EW]: ' '$lint'"

# Without the packages there is nothing more to look at.
[ -f "$tool" ] && [ -f "$dkms" ] || { echo "1..$n"; exit 1; }

t "xfilter: xfctl, xfilterd, units, config, modules-load.d, man pages, completion" \
	has "$tool" /usr/sbin/xfctl /usr/sbin/xfilterd \
	/lib/systemd/system/xfilterd.service \
	/lib/systemd/system/xfilter-restore.service \
	/etc/xfilter/xfilterd.conf \
	/usr/lib/modules-load.d/xfilter.conf \
	/usr/share/man/man8/xfctl.8.gz /usr/share/man/man8/xfilterd.8.gz \
	/usr/share/bash-completion/completions/xfctl \
	/usr/share/doc/xfilter/copyright

dpkg-deb -x "$tool" "$T/tool"
dpkg-deb -e "$tool" "$T/tool-ctl"
t "xfilterd.service starts /usr/sbin/xfilterd" \
	grep -q '^ExecStart=/usr/sbin/xfilterd ' "$T/tool/lib/systemd/system/xfilterd.service"
# Every unit the package ships (more may come) is enabled on a first
# install: postinst configure run with stand-ins for deb-systemd-helper
# (answering as on a system that never had the package), systemctl and
# deb-systemd-invoke, which log their arguments.
units_enabled()
{
	local u ok=0 bin=$T/fake-bin
	mkdir -p "$bin"
	cat > "$bin/deb-systemd-helper" <<-'EOF'
	#!/bin/sh
	[ "$1" = --quiet ] && shift
	echo "helper $*" >> "$FAKE_LOG"
	case "$1" in debian-installed) exit 1 ;; esac
	exit 0
	EOF
	printf '#!/bin/sh\necho "$(basename "$0") $*" >> "$FAKE_LOG"\n' > "$bin/systemctl"
	cp "$bin/systemctl" "$bin/deb-systemd-invoke"
	chmod +x "$bin"/*
	: > "$T/fake.log"
	FAKE_LOG=$T/fake.log PATH=$bin:$PATH sh "$T/tool-ctl/postinst" configure ||
		{ echo "# postinst configure failed"; return 1; }
	for u in "$T"/tool/lib/systemd/system/*.service; do
		grep -qx "helper enable $(basename "$u")" "$T/fake.log" ||
			{ echo "# postinst does not enable $(basename "$u")"; ok=1; }
	done
	return $ok
}
t "postinst enables every unit of the package" units_enabled

# deps DEB FIELD PATTERN...: each PATTERN (a regex) matches one entry of
# the comma-separated FIELD of DEB.
deps()
{
	local deb=$1 f=$2 p ok=0
	shift 2
	dpkg-deb -f "$deb" "$f" | tr ',' '\n' | sed 's/^ *//' > "$T/deps"
	for p; do
		grep -qE "^($p)\$" "$T/deps" || { echo "# $(basename "$deb") $f lacks /$p/"; ok=1; }
	done
	return $ok
}
t "xfilter: Depends on its libraries, Recommends xfilter-dkms, Suggests etcd, amd64" \
	sh -c "$(declare -f deps); T='$T'
		deps '$tool' Depends 'libnl-genl-3-200.*' 'libnl-3-200.*' 'libbpf1.*' \
			'libxenstore4.*' 'libxenforeignmemory1.*' 'libxenmisc4\.17.*' \
			'zlib1g.*' 'liblzma5.*' 'libzstd1.*' 'liblz4-1.*' 'libc6.*' \
			'libcurl4.*' 'libjson-c5.*' &&
		deps '$tool' Recommends xfilter-dkms &&
		deps '$tool' Suggests 'etcd-client' 'etcd-server' &&
		deps '$tool' Architecture amd64"
t "xfilter-dkms: Depends on dkms and nothing else, Architecture all" \
	sh -c "$(declare -f deps); T='$T'
		deps '$dkms' Depends 'dkms( \(>= [^)]*\))?' &&
		test \"\$(dpkg-deb -f '$dkms' Depends | tr ',' '\n' | wc -l)\" -eq 1 &&
		deps '$dkms' Architecture all"

dpkg-deb -x "$dkms" "$T/dkms"
src=$T/dkms/usr/src/xfilter-$ver
t "both packages' Version, /usr/src/xfilter-VER/dkms.conf and xfctl --version are $ver" \
	sh -c "test \"\$(dpkg-deb -f '$tool' Version)\" = '$ver' &&
		test \"\$(dpkg-deb -f '$dkms' Version)\" = '$ver' &&
		grep -qx 'PACKAGE_VERSION=\"$ver\"' '$src/dkms.conf' &&
		test \"\$('$T/tool/usr/sbin/xfctl' --version)\" = 'xfctl $ver'"

t "xfilter-dkms: dkms.conf, Kbuild, kmod/, core/, include/ in /usr/src/xfilter-$ver" \
	has "$dkms" "/usr/src/xfilter-$ver/dkms.conf" "/usr/src/xfilter-$ver/Kbuild" \
	"/usr/src/xfilter-$ver/kmod/main.c" "/usr/src/xfilter-$ver/core/rule.c" \
	"/usr/src/xfilter-$ver/core/core.mk" \
	"/usr/src/xfilter-$ver/include/uapi/linux/xfilter.h"

# DKMS copies the source tree to $dkms_tree/NAME/VERSION/build, runs
# MAKE[0] there with kernel_source_dir set and takes
# BUILT_MODULE_LOCATION[0]/BUILT_MODULE_NAME[0].ko.
dkms_build()
{
	local kver kdir build
	kver=$("$TOP/scripts/kver" 6.1) &&
	kdir=$("$TOP/scripts/kernel-headers.sh" "$kver") || return 1
	build=$T/dkms-tree/xfilter/$ver/build
	mkdir -p "$(dirname "$build")" && cp -a "$src" "$build" || return 1
	(
		# shellcheck disable=SC2034 # dkms.conf's MAKE[0] reads them
		kernel_source_dir=$kdir dkms_tree=$T/dkms-tree
		. "$build/dkms.conf" || exit 1
		echo "# $kver: ${MAKE[0]}"
		cd "$build" && ${MAKE[0]} > "$T/kbuild.log" 2>&1 ||
			{ tail -n 20 "$T/kbuild.log" | sed 's/^/# /'; exit 1; }
		test -f "$build/${BUILT_MODULE_LOCATION[0]}/${BUILT_MODULE_NAME[0]}.ko" &&
			test "${BUILT_MODULE_NAME[0]}" = xfilter
	)
}
t "the packaged sources build xfilter.ko as DKMS does (lab 6.1 headers)" dkms_build

echo "1..$n"
exit $fail
