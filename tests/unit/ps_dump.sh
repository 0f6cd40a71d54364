#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Accuracy of `xfctl -j ps --core` against ground truth taken inside the
# guest from /proc (tests/dump/guest-init.c), on a QEMU dump-guest-memory
# core of a KASLR guest made by scripts/make-dump.sh (cached in .cache/).
#
# Every process must match on pid, ppid, uid, gid, euid, comm and exe; every
# socket fd on proto, family, state, addresses and ports. Nothing may be
# missing, nothing extra, nothing attributed to the wrong process.
# Two documented normalisations, both because /proc shows more than the
# 16-byte task->comm the kernel stores: kernel threads' /proc comm is
# their full name (kthread->full_name) and workqueue workers' gets
# "+desc"/"-desc" appended; the walker's comm must be its prefix.
# Sockets in no /proc/net table (never bound nor connected) are checked
# for being an unbound inet socket at that fd (port 0, CLOSE).
#
# Usage: tests/unit/ps_dump.sh [KVER ...]
#	default: the lab's kernels, scripts/kver 6.1 and 6.12, and the
#	oldest and newest guest kernels checked, scripts/kver 5.10 and 7
#	(not every kernel unpacked in .cache/kernels/:
#	tests/unit/profile_images.sh unpacks fifteen, and a dump boots each)
# Each kernel is also checked on a dump carrying a VMCOREINFO note (the
# KASLR slide then comes from KERNELOFFSET); XF_DUMP_VMCI=0 skips that.
# Dumps this run makes are deleted once checked (each is the guest's RAM,
# 512 MB, and eight would fill a small CI disk), except the default one
# that other tests share (scripts/make-dump.sh with no options);
# XF_KEEP_DUMPS=1 keeps them all.
# Prints TAP.
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
XFCTL=$TOP/build/xfctl
KVERS=${*:-$(for s in 6.1 6.12 5.10 7; do "$TOP/scripts/kver" $s; done)}
. "$TOP/tests/unit/tap.sh"

DUMPS=$TOP/.cache/dumps
DEFAULT_DUMP=$("$TOP/scripts/kver" 6.1)-small
had_dumps=" $(ls "$DUMPS" 2>/dev/null | tr '\n' ' ') "

# drop_new_dumps: delete what this run added to $DUMPS but the default dump.
drop_new_dumps() {
	local d
	[ "${XF_KEEP_DUMPS:-0}" = 1 ] && return
	for d in $(ls "$DUMPS" 2>/dev/null); do
		case "$had_dumps" in *" $d "*) continue ;; esac
		[ "$d" = "$DEFAULT_DUMP" ] || rm -rf "${DUMPS:?}/$d"
	done
}

if [ ! -x "$XFCTL" ]; then
	make -C "$TOP" -s build/xfctl >/dev/null 2>&1 || true
fi

check_dump() { # check_dump KVER [make-dump options]
	local kver=$1 dir out
	shift
	if ! dir=$("$TOP/scripts/make-dump.sh" -k "$kver" "$@" 2>/tmp/xf-make-dump.$$); then
		if grep -q "no qemu_fw_cfg" /tmp/xf-make-dump.$$; then
			n=$((n + 1))
			echo "ok $n - $kver${*:+ $*}: VMCOREINFO dump # SKIP no qemu_fw_cfg module in the unpacked kernel"
			rm -f /tmp/xf-make-dump.$$
			return
		fi
		sed 's/^/# /' /tmp/xf-make-dump.$$
		tap FAIL "$kver${*:+ $*}: make a dump"
		rm -f /tmp/xf-make-dump.$$
		return
	fi
	rm -f /tmp/xf-make-dump.$$
	out=$(mktemp)
	if ! "$XFCTL" -j ps --core "$dir/core" --kernel "$(cat "$dir/kernel")" >"$out" 2>"$out.err"; then
		sed 's/^/# /' "$out.err"
		tap FAIL "$kver${*:+ $*}: xfctl -j ps --core"
		rm -f "$out" "$out.err"
		return
	fi
	tap OK "$kver${*:+ $*}: xfctl -j ps --core ran"
	python3 - "$dir/truth.jsonl" "$out" "$kver${*:+ $*}" "$n" <<'PY'
import json, sys

truth_path, got_path, label, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
truth = [json.loads(l) for l in open(truth_path) if l.startswith('{')]
got = json.load(open(got_path))
T = {p['pid']: p for p in truth}
G = {p['pid']: p for p in got}
failed = False

def tap(ok, msg):
    global n, failed
    n += 1
    print(('ok' if ok else 'not ok') + ' %d - %s: %s' % (n, label, msg))
    failed |= not ok

def comm_ok(t, g):
    if t == g:
        return True
    # /proc shows kthread full names and workqueue descriptions
    return len(g) > 0 and t.startswith(g) and (len(g) == 15 or
            (g.startswith('kworker/') and t[len(g)] in '+-'))

missing = sorted(set(T) - set(G))
extra = sorted(set(G) - set(T))
for p in missing[:10]:
    print('#   missing process %d %s' % (p, T[p]['comm']))
for p in extra[:10]:
    print('#   extra process %d %s' % (p, G[p]['comm']))
tap(not missing and not extra,
    'process set: %d in truth, %d listed, %d missing, %d extra' %
    (len(T), len(G), len(missing), len(extra)))

bad = []
for pid in sorted(set(T) & set(G)):
    t, g = T[pid], G[pid]
    for k in ('tgid', 'ppid', 'uid', 'gid', 'euid'):
        if t[k] != g[k]:
            bad.append('%d %s: %s truth %s got %s' % (pid, t['comm'], k, t[k], g[k]))
    if not comm_ok(t['comm'], g['comm']):
        bad.append('%d: comm truth %r got %r' % (pid, t['comm'], g['comm']))
for b in bad[:20]:
    print('#   ' + b)
tap(not bad, 'process attributes (pid, ppid, uid, gid, euid, comm): %d wrong' % len(bad))

# exe: readlink(/proc/PID/exe) in the truth ("" for kernel threads). Dumps
# made before the truth had it: what the workload runs is known by
# construction (guest-init.c): every process is /init or a fork of it but
# the three busybox applets (symlinks: exe /bin/busybox); kernel threads
# (kthreadd and its children) have none.
def exe_want(t):
    if 'exe' in t:
        return t['exe'] or None
    if t['pid'] == 2 or t['ppid'] == 2:
        return None
    return '/bin/busybox' if t['comm'] in ('httpd', 'nc', 'sleep') else '/init'
src = 'truth' if all('exe' in t for t in truth) else 'the workload (truth has no exe)'
ebad = []
nexe = 0
for pid in sorted(set(T) & set(G)):
    want, got = exe_want(T[pid]), G[pid].get('exe')
    nexe += want is not None
    if want != got:
        ebad.append('%d %s: exe want %r got %r' % (pid, T[pid]['comm'], want, got))
for b in ebad[:20]:
    print('#   ' + b)
tap(not ebad and nexe > 0, 'exe of every process as in %s: %d with an exe, %d wrong' %
    (src, nexe, len(ebad)))

keys = ('proto', 'family', 'state', 'laddr', 'lport', 'raddr', 'rport')
nt = ng = ok = unh = via = 0
sbad = []
for pid in sorted(set(T) | set(G)):
    ts = {s['fd']: s for s in T.get(pid, {}).get('sockets', [])}
    gs = {s['fd']: s for s in G.get(pid, {}).get('sockets', [])}
    nt += len(ts)
    ng += len(gs)
    for fd in sorted(set(ts) | set(gs)):
        t, g = ts.get(fd), gs.get(fd)
        if t is None:
            sbad.append('pid %d fd %d: extra socket %s' % (pid, fd, g))
        elif g is None:
            sbad.append('pid %d fd %d: missing socket %s' % (pid, fd, t))
        elif t.get('unhashed'):
            if g['lport'] == 0 and g['state'] == 'CLOSE' and g['rport'] == 0:
                ok += 1
                unh += 1
            else:
                sbad.append('pid %d fd %d: unbound socket shown as %s' % (pid, fd, g))
        elif any(t[k] != g[k] for k in keys):
            sbad.append('pid %d fd %d: truth %s got %s' %
                        (pid, fd, [t[k] for k in keys], [g[k] for k in keys]))
        else:
            ok += 1
            via += t.get('via') == 'pidfd'
for b in sbad[:20]:
    print('#   ' + b)
tap(not sbad and ok == nt,
    'sockets: %d in truth (%d from /proc/net, %d via pidfd_getfd, %d unknown), %d listed, %d exact, %d wrong/missing/extra' %
    (nt, nt - via - unh, via, unh, ng, ok, len(sbad)))

# Coverage: the workload is meant to exercise each kind.
kinds = {}
for p in truth:
    for s in p['sockets']:
        if not s.get('unhashed') and not s.get('via'):
            k = '%s/%s/%s' % (s['proto'], s['family'], s['state'])
            kinds[k] = kinds.get(k, 0) + 1
print('# socket kinds in truth: ' + ', '.join('%s=%d' % kv for kv in sorted(kinds.items())))
need = ['tcp/inet/LISTEN', 'tcp/inet6/LISTEN', 'tcp/inet/ESTABLISHED',
        'tcp/inet6/ESTABLISHED', 'udp/inet/CLOSE', 'udp/inet6/CLOSE',
        'udp/inet/ESTABLISHED', 'udp/inet6/ESTABLISHED']
tap(all(k in kinds for k in need) and via > 0,
    'workload covers TCP/UDP x IPv4/IPv6 x listen/established/unconnected')
users = sorted({p['uid'] for p in truth})
tap(len(users) >= 4, 'workload runs as several users: %s' % users)
print('# %s: %d processes, %d sockets compared' % (label, len(T), nt))
sys.exit(1 if failed else 0)
PY
	local rc=$?
	# The python block printed its own numbered lines: count them.
	n=$((n + 6))
	[ $rc -eq 0 ] || fail=1
	rm -f "$out" "$out.err"
}

# Errors name what is wrong; nothing is printed on stdout.
check_errors() { # check_errors KVER
	local dir=$DUMPS/$1-small k other e
	[ -s "$dir/core" ] || return 0
	k=$(cat "$dir/kernel")
	err_case() { # err_case DESC WANT-IN-STDERR ARGS...
		local desc=$1 want=$2 out
		shift 2
		if out=$("$XFCTL" ps "$@" 2>&1 >/dev/null); then
			tap FAIL "$desc: exit status 0"
		elif grep -qF -- "$want" <<<"$out"; then
			tap OK "$desc: '${out%%$'\n'*}'"
		else
			tap FAIL "$desc: '${out%%$'\n'*}' does not name '$want'"
		fi
	}
	err_case "missing core file" "/nonexistent.core" --core /nonexistent.core --kernel "$k"
	err_case "not a core file" "not an x86-64 ELF64 core" --core /etc/passwd --kernel "$k"
	err_case "no kernel given" "--kernel" --core "$dir/core"
	err_case "unknown option" "'--bogus'" --core "$dir/core" --bogus
	other=$(ls -d "$TOP"/.cache/kernels/*/boot/vmlinuz-* 2>/dev/null | grep -v "/$1/" | head -n1)
	if [ -n "$other" ]; then
		err_case "another kernel's image for this dump" "wrong kernel" --core "$dir/core" --kernel "$other"
	fi
}

for k in $KVERS; do
	check_dump "$k"
	# The benchmark's big dump (make-dump.sh -s big) is checked too when
	# it exists; it is not made here (slow to boot).
	[ -s "$DUMPS/$k-big/core" ] && check_dump "$k" -s big
	check_errors "$k"
	[ "${XF_DUMP_VMCI:-1}" = 1 ] && check_dump "$k" -v
	drop_new_dumps
done
echo "1..$n"
exit $fail
