# SPDX-License-Identifier: GPL-2.0
# Shared by the lab scripts: where things are cached and how packages are
# fetched. Everything downloaded or built lands under $XF_CACHE (git-ignored).

XF_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XF_CACHE=${XF_CACHE:-$XF_TOP/.cache}
XF_LAB=$XF_CACHE/lab

lab_log() { printf '[lab] %s\n' "$*" >&2; }
lab_die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

# The Debian release of dom0 (userland, toolstack, Xen and kernel):
# bookworm (Debian 12, this machine's own) or trixie (Debian 13), whose
# packages come through scripts/apt-suite.
XF_SUITE=${XF_SUITE:-bookworm}
case $XF_SUITE in
bookworm) XF_XEN_VER=4.17 xf_kseries=6.1 ;;
trixie) XF_XEN_VER=4.20 xf_kseries=6.12+deb13 ;;
*) lab_die "XF_SUITE=$XF_SUITE: the lab knows bookworm and trixie" ;;
esac
# Kernel of dom0 and of the guests, as Debian package versions: the newest
# ABI of each series the archive has (scripts/kver), resolved once and
# exported so every script of one run uses the same.
XF_DOM0_KVER=${XF_DOM0_KVER:-$("$XF_TOP/scripts/kver" "$xf_kseries")}
XF_GUEST_KVER=${XF_GUEST_KVER:-$XF_DOM0_KVER}
XF_XEN_PKG=${XF_XEN_PKG:-xen-hypervisor-$XF_XEN_VER-amd64}
# The newer kernel the lab also runs (bookworm-security / -backports).
XF_KVER_612=${XF_KVER_612:-$("$XF_TOP/scripts/kver" 6.12)}
export XF_SUITE XF_DOM0_KVER XF_KVER_612
# Suffix of the suite's cached images (bookworm's keep their names).
XF_SFX=
[ "$XF_SUITE" = bookworm ] || XF_SFX=-$XF_SUITE

# lab_pack DIR FILE: DIR as a newc cpio archive in FILE (atomically).
lab_pack()
{
	(cd "$1" && find . -xdev -print0 | cpio --null -o -H newc --quiet) > "$2.tmp"
	mv "$2.tmp" "$2"
}

# The Debian mirror this machine's apt uses, e.g. http://host/debian. Read at
# run time from apt's own configuration; never written into the repo.
lab_mirror()
{
	apt-get indextargets --format '$(URI)' 'Codename: bookworm' 2>/dev/null |
		sed -n 's#/dists/bookworm/.*##p' | head -n1
}

# lab_suites_of VERSION: the Debian suites besides the configured ones that
# may hold the kernel of ABI VERSION, for scripts/apt-suite.
lab_suites_of()
{
	case "$1" in
	5.10.*) echo bullseye ;;
	*+deb12-*) echo bookworm-backports ;;
	*+deb13-*) echo trixie ;;
	*+deb14-*) echo forky sid ;;
	esac
}

# lab_apt_for PKG VERSION: sets lab_apt to the command prefix that runs
# apt-get/apt-cache where PKG has a candidate (the configured sources, or
# scripts/apt-suite with one of VERSION's suites); fails when none has.
lab_apt_for()
{
	local policy s

	lab_apt=()
	policy=$(apt-cache policy "$1" 2>/dev/null || true)
	grep -q 'Candidate: [^(]' <<<"$policy" && return 0
	for s in $(lab_suites_of "$2"); do
		policy=$("$XF_TOP/scripts/apt-suite" "$s" apt-cache policy "$1" 2>/dev/null || true)
		if grep -q 'Candidate: [^(]' <<<"$policy"; then
			lab_apt=("$XF_TOP/scripts/apt-suite" "$s")
			return 0
		fi
	done
	return 1
}

# lab_fetch_deb PKG [SUITE]: download a package once (from SUITE through
# scripts/apt-suite when it is not this machine's bookworm) and unpack it;
# prints the dir.
lab_fetch_deb()
{
	local pkg=$1 dir=$XF_CACHE/pkgs/$1 deb apt=()
	[ "${2:-bookworm}" = bookworm ] || apt=("$XF_TOP/scripts/apt-suite" "$2")
	if [ ! -f "$dir/.done" ]; then
		mkdir -p "$XF_CACHE/pkgs/debs"
		if ! (cd "$XF_CACHE/pkgs/debs" && "${apt[@]}" apt-get download -q "$pkg" >&2 2>/dev/null); then
			# Stale package lists: refreshed once.
			if [ ${#apt[@]} -gt 0 ]; then "${apt[@]}" --update; else apt-get update -qq; fi &&
				(cd "$XF_CACHE/pkgs/debs" && "${apt[@]}" apt-get download -q "$pkg" >&2) ||
				lab_die "apt-get download $pkg failed"
		fi
		deb=$(ls -t "$XF_CACHE/pkgs/debs/${pkg}_"*.deb | head -n1)
		rm -rf "$dir" && mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir"
		touch "$dir/.done"
	fi
	echo "$dir"
}

# The kernel image package of a version, unpacked (bookworm-backports is
# added to apt's sources when the version lives there).
lab_fetch_kernel()
{
	"$XF_TOP/scripts/fetch-kernel.sh" "$1"
}
