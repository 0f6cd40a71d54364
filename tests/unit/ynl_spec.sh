#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The YNL spec of the genetlink family, Documentation/netlink/specs/
# xfilter.yaml, against what it describes (host only, no module needed):
#  - it parses and keeps to the kernel's YNL schema at its protocol level
#    (allowed keys and types, names, references between its parts);
#  - every name it renders to C (family and version defines, definitions,
#    attribute sets with their count and max names, commands, multicast
#    groups) is in include/uapi/linux/xfilter.h with the same value, the
#    values taken from a small C program built with `cc -I include`; and
#    every enum constant and #define of the header is in the spec (only
#    __* helpers, *_ALL masks of flags and the reserved CMD_UNSPEC are
#    accounted for by rule, each checked for its value);
#  - the nla_policy tables of kmod/netlink.c agree with the spec: types,
#    exact and maximum lengths, ranges, flag masks, nested sets, and no
#    checks on attributes the kernel does not validate; request attributes
#    are in the family policy; genl_ops (do/dump, admin) and multicast
#    groups (admin) agree, and so do the notifications the module sends.
# With the kernel's YNL generator at hand (KSRC=<kernel tree> or ynl-gen-c
# on PATH) the spec is also rendered by it and that header compared;
# without, a comment line says only this schema check ran.
# Usage: tests/unit/ynl_spec.sh   (XF_YNL_SPEC=FILE checks another spec)
# Prints TAP.
set -u

case ${XF_YNL_SPEC:-} in
'') SPEC=Documentation/netlink/specs/xfilter.yaml ;;
/*) SPEC=$XF_YNL_SPEC ;;
*) SPEC=$PWD/$XF_YNL_SPEC ;;
esac
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1

# python3 of PATH, or Debian's (python3-yaml) if that one lacks PyYAML
PY=
for p in python3 /usr/bin/python3; do
	if command -v "$p" > /dev/null && "$p" -c 'import yaml' 2> /dev/null; then
		PY=$p
		break
	fi
done
if [ -z "$PY" ]; then
	echo "not ok 1 - python3 with PyYAML (python3-yaml) is installed"
	echo "1..1"
	exit 1
fi
if ! command -v "${CC:-cc}" > /dev/null; then
	echo "not ok 1 - a C compiler (${CC:-cc}) is installed"
	echo "1..1"
	exit 1
fi

exec "$PY" - "$SPEC" <<'EOF'
import atexit, os, re, shutil, subprocess, sys, tempfile, traceback
import yaml

SPEC = sys.argv[1]
HDR_INC = 'uapi/linux/xfilter.h'           # as included with -I include
HDR = os.path.join('include', HDR_INC)
NLC = 'kmod/netlink.c'
CC = os.environ.get('CC', 'cc')

n = 0
nfail = 0
tmp = tempfile.mkdtemp(prefix='ynl_spec.')
atexit.register(shutil.rmtree, tmp, True)


def tap(ok, desc, diag=()):
    global n, nfail
    n += 1
    print(('ok' if ok else 'not ok') + ' %d - %s' % (n, desc))
    if not ok:
        nfail += 1
        diag = list(diag)
        for d in diag[:25]:
            print('#   ' + d)
        if len(diag) > 25:
            print('#   ... and %d more' % (len(diag) - 25))
    sys.stdout.flush()


def finish():
    print('1..%d' % n)
    sys.exit(1 if nfail else 0)


def crashed(etype, value, tb):
    # a spec too broken for the later checks (the schema check says why)
    tap(False, 'the checks ran to the end',
        ''.join(traceback.format_exception(etype, value, tb)).splitlines())
    print('1..%d' % n)


sys.excepthook = crashed


def cu(s):
    """YNL name mangling: upper case, dashes to underscores."""
    return s.upper().replace('-', '_')


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', '', text)


# ---- 1. YAML ----------------------------------------------------------

try:
    with open(SPEC) as f:
        spec = yaml.safe_load(f)
    ok = isinstance(spec, dict)
    tap(ok, 'spec %s parses as a YAML mapping' % SPEC,
        [] if ok else ['top level is %s' % type(spec).__name__])
except Exception as e:  # noqa: BLE001 - any parse error is the failure
    tap(False, 'spec %s parses as a YAML mapping' % SPEC, [str(e)])
    finish()
if not isinstance(spec, dict):
    finish()

# ---- 2. top-level keys ------------------------------------------------

errs = []
for k in ('name', 'protocol', 'doc', 'uapi-header', 'definitions',
          'attribute-sets', 'operations', 'mcast-groups'):
    if k not in spec:
        errs.append('missing top-level key %s' % k)
proto = spec.get('protocol', 'genetlink')
if proto not in ('genetlink', 'genetlink-c'):
    errs.append('protocol %r: a generic netlink family is genetlink or '
                'genetlink-c here' % (proto,))
if spec.get('uapi-header', 'linux/xfilter.h') != 'linux/xfilter.h':
    errs.append('uapi-header %r is not linux/xfilter.h' % spec['uapi-header'])
tap(not errs, 'top-level keys of a genetlink spec (protocol %s)' % proto, errs)
if any(k not in spec for k in ('name', 'attribute-sets', 'operations')):
    finish()

FAMILY = spec['name']


def named(items):
    # what the checks after the schema one look at: the schema check
    # reports the rest
    if not isinstance(items, list):
        return []
    return [x for x in items if isinstance(x, dict) and 'name' in x]


def attrs_of(s):
    return named(s.get('attributes'))


DEFS = named(spec.get('definitions'))
SETS = named(spec.get('attribute-sets'))
OPS_Y = spec.get('operations') or {}
OPS = named(OPS_Y.get('list'))
GRPS = named((spec.get('mcast-groups') or {}).get('list'))

# ---- 3. schema: keys and types allowed at the protocol level ----------
# As Documentation/netlink/genetlink{,-c}.yaml of the kernel.

C = proto == 'genetlink-c'
S = {
    'top': {'name', 'doc', 'protocol', 'uapi-header', 'definitions',
            'attribute-sets', 'operations', 'mcast-groups'}
           | ({'c-family-name', 'c-version-name', 'max-by-define',
               'cmd-max-name', 'cmd-cnt-name'} if C else set()),
    'def': {'name', 'header', 'type', 'doc', 'value', 'value-start',
            'entries', 'render-max'}
           | ({'enum-name', 'name-prefix', 'enum-cnt-name'} if C else set()),
    'entry': {'name', 'value', 'doc'},
    'set': {'name', 'name-prefix', 'enum-name', 'doc', 'subset-of',
            'attributes'}
           | ({'attr-cnt-name', 'attr-max-name'} if C else set()),
    'attr': {'name', 'type', 'doc', 'value', 'type-value', 'byte-order',
             'multi-attr', 'nested-attributes', 'enum', 'enum-as-flags',
             'checks', 'sub-type', 'display-hint'}
            | ({'name-prefix'} if C else set()),
    'checks': {'flags-mask', 'min', 'max', 'min-len', 'max-len', 'exact-len'},
    'ops': {'enum-model', 'name-prefix', 'enum-name', 'async-prefix',
            'async-enum', 'list'},
    'op': {'name', 'doc', 'value', 'attribute-set', 'flags', 'dont-validate',
           'config-cond', 'do', 'dump', 'notify', 'event', 'mcgrp'},
    'subop': {'request', 'reply', 'pre', 'post'},
    'msg': {'attributes'},
    'mcast': {'list'},
    'grp': {'name', 'flags'} | ({'c-define-name'} if C else set()),
}
ATTR_TYPES = {'unused', 'pad', 'flag', 'binary', 'uint', 'sint', 'u8', 'u16',
              'u32', 'u64', 's8', 's16', 's32', 's64', 'string', 'nest',
              'indexed-array', 'nest-type-value'}
HINTS = {'hex', 'mac', 'fddi', 'ipv4', 'ipv6', 'ipv4-or-v6', 'uuid'}
NAME_RE = re.compile(r'^[0-9a-z][0-9a-z-]*$')
LIMIT_RE = re.compile(r'^[su](8|16|32|64)-(min|max)$')
LEN_RE = re.compile(r'^[0-9A-Za-z_-]+( - 1)?$')

errs = []
shape = []      # errors the later checks cannot work around


def keys(obj, kind, where, required=()):
    if not isinstance(obj, dict):
        errs.append('%s: not a mapping' % where)
        shape.append(where)
        return False
    for k in obj:
        if k not in S[kind]:
            errs.append('%s: key %r not allowed at protocol %s'
                        % (where, k, proto))
    missing = [k for k in required if k not in obj]
    for k in missing:
        errs.append('%s: missing %r' % (where, k))
    return not missing


def lst(v, where):
    if v is None:
        return []
    if not isinstance(v, list):
        errs.append('%s: not a list' % where)
        shape.append(where)
        return []
    return v


def name_ok(v, where):
    if not isinstance(v, str) or not NAME_RE.match(v):
        errs.append('%s: name %r is not lower case with dashes (quote '
                    'YAML words like off/on/yes/no)' % (where, v))


def uniq(names, where):
    seen = set()
    for x in names:
        if x in seen:
            errs.append('%s: %r defined twice' % (where, x))
        seen.add(x)


def uint_ok(v, where):
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        errs.append('%s: value %r is not an unsigned integer' % (where, v))


keys(spec, 'top', 'top level')
for d in lst(spec.get('definitions'), 'definitions'):
    w = 'definition %r' % (d.get('name') if isinstance(d, dict) else d)
    if not keys(d, 'def', w, ('name', 'type')):
        continue
    name_ok(d['name'], w)
    if d['type'] not in ('const', 'enum', 'flags'):
        errs.append('%s: type %r' % (w, d['type']))
    if d['type'] == 'const' and 'value' not in d:
        errs.append('%s: const without a value' % w)
    if d['type'] in ('enum', 'flags'):
        if not d.get('entries'):
            errs.append('%s: no entries' % w)
        ents = []
        for e in lst(d.get('entries'), w + ' entries'):
            if isinstance(e, dict):
                keys(e, 'entry', '%s entry' % w, ('name',))
                if 'value' in e:
                    uint_ok(e['value'], '%s entry %r' % (w, e.get('name')))
                e = e.get('name')
            name_ok(e, '%s entry' % w)
            ents.append(e)
        uniq(ents, w)
uniq([d.get('name') for d in DEFS], 'definitions')

for s in lst(spec.get('attribute-sets'), 'attribute-sets'):
    w = 'attribute-set %r' % (s.get('name') if isinstance(s, dict) else s)
    if not keys(s, 'set', w, ('name', 'attributes')):
        continue
    name_ok(s['name'], w)
    for a in lst(s.get('attributes'), w + ' attributes'):
        wa = '%s attribute %r' % (w, a.get('name') if isinstance(a, dict)
                                  else a)
        if not keys(a, 'attr', wa,
                    ('name',) if 'subset-of' in s else ('name', 'type')):
            continue
        name_ok(a['name'], wa)
        if 'value' in a:
            uint_ok(a['value'], wa)
        for k in ('type', 'sub-type'):
            if k in a and a[k] not in ATTR_TYPES:
                errs.append('%s: %s %r is not a YNL attribute type'
                            % (wa, k, a[k]))
        if 'display-hint' in a and a['display-hint'] not in HINTS:
            errs.append('%s: display-hint %r' % (wa, a['display-hint']))
        if 'checks' in a and keys(a['checks'], 'checks', wa + ' checks'):
            for k, v in a['checks'].items():
                if k in ('min', 'max'):
                    if not (isinstance(v, int) and not isinstance(v, bool)
                            or isinstance(v, str) and LIMIT_RE.match(v)):
                        errs.append('%s: %s %r' % (wa, k, v))
                elif k.endswith('-len'):
                    if not (isinstance(v, int) and v >= 0
                            or isinstance(v, str) and LEN_RE.match(v)):
                        errs.append('%s: %s %r' % (wa, k, v))
    uniq([a.get('name') for a in attrs_of(s)], w)
uniq([s.get('name') for s in SETS], 'attribute-sets')

if keys(OPS_Y, 'ops', 'operations', ('list',)):
    if OPS_Y.get('enum-model', 'unified') != 'unified':
        errs.append('operations: enum-model %r' % OPS_Y['enum-model'])
    for o in lst(OPS_Y.get('list'), 'operations list'):
        w = 'operation %r' % (o.get('name') if isinstance(o, dict) else o)
        if not keys(o, 'op', w, ('name', 'doc')):
            continue
        name_ok(o['name'], w)
        if 'value' in o:
            uint_ok(o['value'], w)
        for f in lst(o.get('flags'), w + ' flags'):
            if f != 'admin-perm':
                errs.append('%s: flag %r' % (w, f))
        for sub in ('do', 'dump'):
            if sub in o and keys(o[sub], 'subop', '%s %s' % (w, sub)):
                for m in ('request', 'reply'):
                    if m in o[sub] and keys(o[sub][m], 'msg',
                                            '%s %s %s' % (w, sub, m)):
                        lst(o[sub][m].get('attributes'),
                            '%s %s %s attributes' % (w, sub, m))
        if 'event' in o and keys(o['event'], 'msg', w + ' event'):
            lst(o['event'].get('attributes'), w + ' event attributes')
    uniq([o.get('name') for o in OPS], 'operations')
if 'mcast-groups' in spec and keys(spec['mcast-groups'], 'mcast',
                                   'mcast-groups', ('list',)):
    for g in lst(spec['mcast-groups'].get('list'), 'mcast-groups list'):
        w = 'mcast group %r' % (g.get('name') if isinstance(g, dict) else g)
        if keys(g, 'grp', w, ('name',)):
            name_ok(g['name'], w)
            for f in lst(g.get('flags'), w + ' flags'):
                if f != 'admin-perm':
                    errs.append('%s: flag %r' % (w, f))
    uniq([g.get('name') for g in GRPS], 'mcast groups')
tap(not errs, 'spec keeps to the YNL %s schema (keys, types, names)' % proto,
    errs)
if shape:
    finish()

# ---- 4. references between the parts of the spec ----------------------

errs = []
DEF_BY = {d.get('name'): d for d in DEFS}
SET_BY = {s.get('name'): s for s in SETS}
OP_BY = {o.get('name'): o for o in OPS}
GRP_NAMES = {g.get('name') for g in GRPS}


SCALARS = {'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'uint',
           'sint'}
for s in SETS:
    if s.get('subset-of'):
        parent = SET_BY.get(s['subset-of'])
        if not parent:
            errs.append('set %r: subset-of unknown set %r'
                        % (s['name'], s['subset-of']))
        else:
            pnames = {a['name'] for a in attrs_of(parent)}
            for a in attrs_of(s):
                if a['name'] not in pnames:
                    errs.append('set %r: attribute %r is not in set %r'
                                % (s['name'], a['name'], s['subset-of']))
    for a in attrs_of(s):
        w = 'set %r attribute %r' % (s.get('name'), a.get('name'))
        t = a.get('type')
        if t in ('nest', 'nest-type-value') or a.get('sub-type') == 'nest':
            if a.get('nested-attributes') not in SET_BY:
                errs.append('%s: nested-attributes %r is no attribute set'
                            % (w, a.get('nested-attributes')))
        elif 'nested-attributes' in a:
            errs.append('%s: nested-attributes on a %s' % (w, t))
        if t == 'indexed-array' and 'sub-type' not in a:
            errs.append('%s: indexed-array without sub-type' % w)
        if 'enum' in a:
            d = DEF_BY.get(a['enum'])
            if not d or d.get('type') not in ('enum', 'flags'):
                errs.append('%s: enum %r is no enum or flags definition'
                            % (w, a['enum']))
            if t not in SCALARS:
                errs.append('%s: enum on a %s' % (w, t))
        fm = (a.get('checks') or {}).get('flags-mask')
        if fm is not None and (DEF_BY.get(fm) or {}).get('type') != 'flags':
            errs.append('%s: flags-mask %r is no flags definition' % (w, fm))
for o in OPS:
    w = 'operation %r' % o.get('name')
    aset = SET_BY.get(o.get('attribute-set'))
    if not aset:
        errs.append('%s: attribute-set %r unknown'
                    % (w, o.get('attribute-set')))
        continue
    anames = {a.get('name') for a in attrs_of(aset)}
    msgs = [(sub + ' ' + m, (o.get(sub) or {}).get(m) or {})
            for sub in ('do', 'dump') for m in ('request', 'reply')]
    msgs.append(('event', o.get('event') or {}))
    for where, msg in msgs:
        for an in msg.get('attributes') or []:
            if an not in anames:
                errs.append('%s %s: attribute %r not in set %r'
                            % (w, where, an, aset['name']))
    if not any(k in o for k in ('do', 'dump', 'event', 'notify')):
        errs.append('%s: neither do, dump, event nor notify' % w)
    if ('event' in o or 'notify' in o) and o.get('mcgrp') not in GRP_NAMES:
        errs.append('%s: mcgrp %r is no multicast group'
                    % (w, o.get('mcgrp')))
    if 'notify' in o and o['notify'] not in OP_BY:
        errs.append('%s: notify %r is no operation' % (w, o['notify']))
tap(not errs, 'references in the spec resolve (sets, enums, groups)', errs)

# ---- 5. the header's names and values ---------------------------------

with open(HDR) as f:
    hdr_text = strip_comments(f.read())
HENUM = {}      # tag ('' for anonymous) -> [member names, in order]
HKIND = {}      # name -> ('enum', tag) | ('define', body)
for m in re.finditer(r'\benum\s+(\w*)\s*\{(.*?)\}\s*;', hdr_text, re.S):
    tag, members = m.group(1), []
    for item in m.group(2).split(','):
        item = item.strip()
        if item:
            nm = re.match(r'(\w+)', item).group(1)
            members.append(nm)
            HKIND[nm] = ('enum', tag)
    HENUM[tag] = members
for m in re.finditer(r'^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+(\S[^\n]*)$',
                     hdr_text, re.M):
    HKIND[m.group(1)] = ('define', m.group(2).strip())


def c_probe(names, includes, cflags, label):
    """{name: value} of each C expression in names, or (None, error)."""
    src = ['#include <stdio.h>'] + ['#include %s' % i for i in includes]
    src += ['static void ps(const char *n, const char *v)'
            ' { printf("%s\\ts\\t%s\\n", n, v); }',
            'static void pi(const char *n, long long v)'
            ' { printf("%s\\ti\\t%lld\\n", n, v); }',
            '#define P(k, x) _Generic((x), char *: ps, const char *: ps,'
            ' default: pi)(k, x)',
            'int main(void)', '{']
    keyed = list(dict.fromkeys(names))
    for i, x in enumerate(keyed):
        src.append('\tP("%d", (%s));' % (i, x))
    src += ['\treturn 0;', '}']
    c = os.path.join(tmp, label + '.c')
    exe = os.path.join(tmp, label)
    with open(c, 'w') as f:
        f.write('\n'.join(src) + '\n')
    r = subprocess.run([CC, '-std=gnu11', '-Wall', '-o', exe, c] + cflags,
                       capture_output=True, text=True)
    if r.returncode:
        return None, r.stderr
    r = subprocess.run([exe], capture_output=True, text=True)
    vals = {}
    for line in r.stdout.splitlines():
        i, kind, v = line.split('\t', 2)
        vals[keyed[int(i)]] = v if kind == 's' else int(v)
    return vals, ''


hnames = [nm for nm in HKIND
          if not re.match(r'_UAPI_|__', nm) or HKIND[nm][0] == 'enum']
HVAL, err = c_probe(hnames, ['"%s"' % HDR_INC], ['-I', 'include'], 'hdr')
tap(HVAL is not None,
    'header builds in userspace (cc -I include) and gives %d values'
    % len(hnames), err.splitlines())
if HVAL is None:
    finish()
used = set()    # header names the spec accounts for
by_rule = set()  # of those, the ones YNL does not render (helpers, masks)


def expect(name, value, errs, where, kind=None):
    """The header has name with value (and, for enum members, in tag)."""
    if name not in HVAL:
        errs.append('%s: %s not in the header' % (where, name))
        return
    used.add(name)
    if HVAL[name] != value:
        errs.append('%s: %s is %r in the header, the spec says %r'
                    % (where, name, HVAL[name], value))
    if kind is not None and HKIND[name] != ('enum', kind):
        errs.append('%s: %s is not a member of enum %s' % (where, name, kind))


def check_enum_rest(tag, where, errs, allow):
    """Members of the header's enum tag that the spec does not render."""
    if tag not in HENUM:
        errs.append('%s: the header has no enum %s' % (where, tag))
        return
    for nm in HENUM[tag]:
        if nm in used:
            continue
        if allow(nm, HVAL[nm]):
            used.add(nm)
            by_rule.add(nm)
        else:
            errs.append('%s: enum %s member %s (%r) is not in the spec'
                        % (where, tag, nm, HVAL[nm]))


# family name and version
errs = []
fam_def = cu(spec.get('c-family-name', FAMILY + '-family-name'))
ver_def = cu(spec.get('c-version-name', FAMILY + '-family-version'))
expect(fam_def, FAMILY, errs, 'family name')
if ver_def not in HVAL or not isinstance(HVAL[ver_def], int):
    errs.append('family version: %s not a number in the header' % ver_def)
else:
    used.add(ver_def)
tap(not errs, 'family defines %s = "%s" and %s' % (fam_def, FAMILY, ver_def),
    errs)

# definitions
CONSTS = {}
FLAG_MASK = {}
ENUM_RANGE = {}
for d in DEFS:
    errs = []
    dn, dt = d.get('name'), d.get('type')
    if dt == 'const':
        cname = cu(d.get('name-prefix', FAMILY + '-') + dn)
        CONSTS[dn] = d.get('value')
        CONSTS[cname] = d.get('value')
        expect(cname, d.get('value'), errs, 'const %s' % dn)
        tap(not errs, 'definition %s: %s = %r' % (dn, cname, d.get('value')),
            errs)
        continue
    if dt not in ('enum', 'flags'):
        continue
    pfx = d.get('name-prefix', '%s-%s-' % (FAMILY, dn))
    tag = d.get('enum-name', '%s-%s' % (FAMILY, dn))
    tag = '' if tag is None else cu(tag).lower()
    val = d.get('value-start', 0)
    vals = []
    for i, e in enumerate(d.get('entries') or []):
        en = e.get('name') if isinstance(e, dict) else e
        if isinstance(e, dict) and 'value' in e:
            val = e['value']
        cval = (1 << val) if dt == 'flags' else val
        vals.append(val)
        expect(cu(pfx + str(en)), cval, errs, dt + ' ' + dn, tag)
        val += 1
    if not vals:
        continue
    last = max(vals)
    mask = sum(1 << v for v in vals)
    if dt == 'flags':
        FLAG_MASK[dn] = mask
    else:
        ENUM_RANGE[dn] = (min(vals), last, len(set(vals)) == last -
                          min(vals) + 1)
    if d.get('render-max'):
        if dt == 'flags':
            expect(cu(pfx + 'mask'), mask, errs, dn + ' render-max')
        else:
            expect(cu(d.get('enum-cnt-name', '__' + pfx + 'max')), last + 1,
                   errs, dn + ' render-max')
            expect(cu(pfx + 'max'), last, errs, dn + ' render-max')

    def allow(nm, v, dt=dt, last=last, mask=mask):
        # __X helpers count the entries; a flags enum may carry its mask
        if nm.startswith('__'):
            return dt == 'enum' and v == last + 1
        return dt == 'flags' and nm.endswith('_ALL') and v == mask
    if tag:
        check_enum_rest(tag, dt + ' ' + dn, errs, allow)
    tap(not errs, 'definition %s: %s%s, %d entries as in the header'
        % (dn, 'enum ' + tag if tag else 'anonymous enum',
           ' (flags)' if dt == 'flags' else '', len(vals)), errs)

# attribute sets
SET_PFX = {}
SET_MAX = {}    # rendered max name -> set name
for s in SETS:
    if s.get('subset-of'):
        continue
    errs = []
    sn = s.get('name')
    dflt = FAMILY + '-a-' + ('' if sn == FAMILY else sn + '-')
    pfx = s.get('name-prefix', dflt)
    SET_PFX[sn] = pfx
    tag = cu(s['enum-name']).lower() if s.get('enum-name') else ''
    val = 1
    last = 0
    for a in attrs_of(s):
        if 'value' in a:
            val = a['value']
        expect(cu(pfx + a['name']), val, errs, 'set ' + sn, tag or None)
        last = val
        val += 1
    cnt = cu(s.get('attr-cnt-name', '__' + pfx + 'max'))
    mx = cu(s.get('attr-max-name', pfx + 'max'))
    SET_MAX[mx] = sn
    expect(cnt, last + 1, errs, 'set %s count' % sn)
    expect(mx, last, errs, 'set %s max' % sn)
    if not tag:
        first = cu(pfx + attrs_of(s)[0]['name']) if attrs_of(s) else None
        if first in HKIND and HKIND[first][1]:
            errs.append('set %s: no enum-name, the header names it enum %s'
                        % (sn, HKIND[first][1]))
    else:
        check_enum_rest(tag, 'set ' + sn, errs, lambda nm, v: False)
    tap(not errs, 'attribute set %s: %s* 1..%d, %s and %s as in the header'
        % (sn, cu(pfx), last, cnt, mx), errs)

# operations
errs = []
opfx = OPS_Y.get('name-prefix', FAMILY + '-cmd-')
otag = cu(OPS_Y['enum-name']).lower() if OPS_Y.get('enum-name') else ''
val = 1
last = 0
OP_C = {}
for o in OPS:
    if 'value' in o:
        val = o['value']
    cname = cu(opfx + o['name'])
    OP_C[cname] = o['name']
    expect(cname, val, errs, 'operation ' + o['name'], otag or None)
    last = val
    val += 1
cnt = cu(spec.get('cmd-cnt-name', '__' + opfx + 'max'))
mx = cu(spec.get('cmd-max-name', opfx + 'max'))
expect(cnt, last + 1, errs, 'operations count')
expect(mx, last, errs, 'operations max')
first = min([o.get('value', 1) for o in OPS] or [1])
if otag:
    # YNL numbers commands from 1: value 0 is the reserved *_UNSPEC
    check_enum_rest(otag, 'operations', errs,
                    lambda nm, v: nm == cu(opfx + 'unspec') and v == 0
                    and first > 0)
else:
    errs.append('operations: no enum-name')
tap(not errs, 'operations: %d commands %s* as in the header, %s and %s'
    % (len(OPS), cu(opfx), cnt, mx), errs)

# multicast groups
errs = []
for g in GRPS:
    expect(cu(g.get('c-define-name', '%s-mcgrp-%s' % (FAMILY, g['name']))),
           g['name'], errs, 'mcast group ' + g['name'])
tap(not errs, 'multicast groups %s as in the header'
    % ', '.join(sorted(GRP_NAMES)), errs)

# every name of the header is accounted for
left = sorted(nm for nm in HVAL if nm not in used and not nm.startswith('__'))
tap(not left, 'every enum constant and #define of the header is in the spec',
    ['%s (%r) is in no part of the spec' % (nm, HVAL[nm]) for nm in left])

# ---- 6. kmod/netlink.c: policies --------------------------------------

with open(NLC) as f:
    nl_text = strip_comments(f.read())
NLA = {'NLA_U8': 'u8', 'NLA_U16': 'u16', 'NLA_U32': 'u32', 'NLA_U64': 'u64',
       'NLA_S8': 's8', 'NLA_S16': 's16', 'NLA_S32': 's32', 'NLA_S64': 's64',
       'NLA_UINT': 'uint', 'NLA_SINT': 'sint', 'NLA_FLAG': 'flag',
       'NLA_NUL_STRING': 'string', 'NLA_STRING': 'string',
       'NLA_BINARY': 'binary', 'NLA_NESTED': 'nest',
       'NLA_NESTED_ARRAY': 'indexed-array'}


def split_args(s):
    out, depth, cur = [], 0, ''
    for ch in s:
        if ch == ',' and depth == 0:
            out.append(cur.strip())
            cur = ''
            continue
        depth += ch in '([{'
        depth -= ch in ')]}'
        cur += ch
    out.append(cur.strip())
    return out


RANGES = {}
for m in re.finditer(r'struct\s+netlink_range_validation\s+(\w+)\s*=\s*'
                     r'\{(.*?)\}\s*;', nl_text, re.S):
    r = dict(re.findall(r'\.(min|max)\s*=\s*([^,}]+)', m.group(2)))
    RANGES[m.group(1)] = {k: v.strip() for k, v in r.items()}

POLICIES = {}   # table -> (size name, {attr C name: (type, checks, nested)})
perrs = []
for m in re.finditer(r'struct\s+nla_policy\s+(\w+)\s*\[\s*(\w+)\s*\+\s*1\s*\]'
                     r'\s*=\s*\{(.*?)\n\}\s*;', nl_text, re.S):
    table, size, body = m.groups()
    entries = {}
    for e in re.finditer(r'\[\s*(\w+)\s*\]\s*=\s*(.*?)\s*,?\s*(?=\n\s*\[|\Z)',
                         body, re.S):
        attr, v = e.group(1), ' '.join(e.group(2).split())
        t, checks, nested = None, {}, None
        mm = re.match(r'^\{\s*\.type\s*=\s*(\w+)\s*(?:,\s*\.len\s*=\s*'
                      r'([^,}]+?))?\s*,?\s*\}$', v)
        mp = re.match(r'^NLA_POLICY_(\w+)\s*\((.*)\)$', v)
        if mm:
            t = NLA.get(mm.group(1))
            if mm.group(2):
                checks['max-len'] = mm.group(2)
        elif mp:
            kind, args = mp.group(1), split_args(mp.group(2))
            if kind in ('EXACT_LEN', 'MIN_LEN', 'MAX_LEN'):
                t = 'binary'
                checks[kind.lower().replace('_', '-')] = args[0]
            elif kind in ('MAX', 'MIN'):
                t = NLA.get(args[0])
                checks[kind.lower()] = args[1]
            elif kind == 'RANGE':
                t = NLA.get(args[0])
                checks['min'], checks['max'] = args[1], args[2]
            elif kind == 'FULL_RANGE':
                t = NLA.get(args[0])
                rv = RANGES.get(args[1].lstrip('&').strip(), {})
                checks.update(rv)
                if not rv:
                    perrs.append('%s %s: range %s not found'
                                 % (table, attr, args[1]))
            elif kind == 'MASK':
                t = NLA.get(args[0])
                checks['mask'] = args[1]
            elif kind in ('NESTED', 'NESTED_ARRAY'):
                t = 'nest' if kind == 'NESTED' else 'indexed-array'
                nested = args[0]
        if t is None:
            perrs.append('%s: cannot read the policy of %s: %s'
                         % (table, attr, v))
            continue
        entries[attr] = (t, checks, nested)
    POLICIES[table] = (size, entries)

# Evaluate the policy expressions: the header, IFNAMSIZ, and the core/
# headers (userspace-clean) that define the other names.
exprs = {x for _, ent in POLICIES.values() for _, ch, _ in ent.values()
         for x in ch.values()}
idents = {i for x in exprs for i in re.findall(r'\b[A-Za-z_]\w*\b', x)}
incs = ['"%s"' % HDR_INC, '<net/if.h>']
for ident in sorted(idents - set(HVAL) - {'IFNAMSIZ'}):
    for hf in sorted(os.listdir('core')):
        if hf.endswith('.h'):
            with open(os.path.join('core', hf)) as f:
                if re.search(r'#\s*define\s+%s\b' % ident, f.read()):
                    incs.append('"%s"' % hf)
                    break
PVAL, err = c_probe(sorted(exprs), list(dict.fromkeys(incs)),
                    ['-I', 'include', '-I', 'core'], 'policy')
if PVAL is None:
    tap(False, 'the policies\' limits of %s evaluate' % NLC,
        err.splitlines())
    finish()
tap(not perrs and bool(POLICIES),
    '%s: %d nla_policy tables read' % (NLC, len(POLICIES)),
    perrs or ['no nla_policy table found'])

TABLE_SET = {t: SET_MAX.get(size) for t, (size, _) in POLICIES.items()}
LIMITS = {'u8-max': 0xff, 'u16-max': 0xffff, 'u32-max': 0xffffffff,
          'u64-max': (1 << 64) - 1, 's8-min': -128, 's8-max': 127,
          's16-min': -32768, 's16-max': 32767, 's32-min': -(1 << 31),
          's32-max': (1 << 31) - 1}


def spec_value(v):
    """A check's value in the spec: int, limit, const or 'CONST - 1'."""
    if isinstance(v, int):
        return v
    m = re.match(r'^(.*?)( - 1)?$', str(v))
    base = LIMITS.get(m.group(1), CONSTS.get(m.group(1)))
    if base is None or isinstance(base, str):
        return 'unknown %r' % v
    return base - (1 if m.group(2) else 0)


def spec_checks(a, implicit):
    out = {}
    for k, v in (a.get('checks') or {}).items():
        if k == 'flags-mask':
            out['mask'] = FLAG_MASK.get(v, 'unknown %r' % v)
        else:
            out[k] = spec_value(v)
    # ynl-gen-c derives the policy of an enum attribute: the mask of a
    # flags one, the range of the other
    if implicit and a.get('enum') in FLAG_MASK:
        out.setdefault('mask', FLAG_MASK[a['enum']])
    elif implicit and a.get('enum') in ENUM_RANGE:
        lo, hi, dense = ENUM_RANGE[a['enum']]
        if not dense:
            out.setdefault('sparse', True)
        else:
            out.setdefault('max', hi)
            if lo != 0 or a.get('type', '').startswith('s'):
                out.setdefault('min', lo)
    return out


in_policy = set()
for table, (size, ent) in POLICIES.items():
    errs = []
    sn = TABLE_SET[table]
    if not sn:
        tap(False, 'policy %s [%s + 1] belongs to an attribute set'
            % (table, size), ['no set of the spec renders %s' % size])
        continue
    s = SET_BY[sn]
    by_c = {cu(SET_PFX[sn] + a['name']): a for a in attrs_of(s)}
    for cname, a in by_c.items():
        w = '%s %s' % (table, cname)
        if cname not in ent:
            if a.get('checks'):
                errs.append('%s: checks %s in the spec, the kernel does not '
                            'validate it' % (w, a['checks']))
            continue
        in_policy.add((sn, a['name']))
        t, ch, nested = ent[cname]
        st = a.get('type')
        if t == 'indexed-array':
            if st != 'indexed-array' or a.get('sub-type') != 'nest':
                errs.append('%s: NLA_POLICY_NESTED_ARRAY but the spec says '
                            '%s/%s' % (w, st, a.get('sub-type')))
        elif t != st:
            errs.append('%s: kernel type %s, spec type %s' % (w, t, st))
        if nested is not None and TABLE_SET.get(nested) != \
                a.get('nested-attributes'):
            errs.append('%s: kernel nests %s (set %s), spec nests %s'
                        % (w, nested, TABLE_SET.get(nested),
                           a.get('nested-attributes')))
        kch = {k: PVAL[x] for k, x in ch.items()}
        sch = spec_checks(a, True)
        if kch != sch:
            errs.append('%s: kernel checks %s, spec checks %s'
                        % (w, kch or 'none', sch or 'none'))
    for cname in ent:
        if cname not in by_c:
            errs.append('%s: policy entry %s is no attribute of set %s'
                        % (table, cname, sn))
    tap(not errs, 'policy %s: types and checks of set %s (%d entries)'
        % (table, sn, len(ent)), errs)

errs = []
for s in SETS:
    for a in attrs_of(s):
        if (s.get('name'), a['name']) not in in_policy and a.get('checks'):
            errs.append('set %s attribute %s: checks %s, but no kernel '
                        'policy validates it' % (s['name'], a['name'],
                                                  a['checks']))
tap(not errs, 'attributes without a kernel policy carry no checks', errs)

# the family's policy accepts every request attribute
errs = []
fam = re.search(r'struct\s+genl_family\s+\w+[^=]*=\s*\{(.*?)\}\s*;',
                nl_text, re.S)
fam_body = fam.group(1) if fam else ''
mpol = re.search(r'\.policy\s*=\s*(\w+)', fam_body)
top = mpol.group(1) if mpol else None
if top not in POLICIES:
    errs.append('genl_family .policy %r is no nla_policy table' % top)
else:
    top_set = TABLE_SET[top]
    top_attrs = {a['name'] for a in attrs_of(SET_BY[top_set])
                 if cu(SET_PFX[top_set] + a['name']) in POLICIES[top][1]}
    for o in OPS:
        for sub in ('do', 'dump'):
            req = ((o.get(sub) or {}).get('request') or {})
            for an in req.get('attributes') or []:
                if o.get('attribute-set') != top_set or an not in top_attrs:
                    errs.append('%s %s request: %s is not in the family '
                                'policy %s' % (o['name'], sub, an, top))
tap(not errs, 'request attributes are in the family policy %s' % top, errs)

# ---- 7. kmod/netlink.c: operations, groups, notifications -------------

errs = []
mo = re.search(r'struct\s+genl_(?:small_)?ops\s+\w+\s*\[\s*\]\s*=\s*'
               r'\{(.*?)\n\}\s*;', nl_text, re.S)
kops = {}
for b in re.findall(r'\{([^{}]*)\}', mo.group(1) if mo else ''):
    cmd = re.search(r'\.cmd\s*=\s*(\w+)', b)
    if cmd:
        kops[cmd.group(1)] = ('.doit' in b, '.dumpit' in b,
                              'GENL_ADMIN_PERM' in b)
if not kops:
    errs.append('no genl_ops table found in %s' % NLC)
for o in OPS:
    cname = cu(opfx + o['name'])
    want = ('do' in o, 'dump' in o, 'admin-perm' in (o.get('flags') or []))
    if not want[0] and not want[1]:
        if cname in kops:
            errs.append('%s: the kernel handles it, the spec has no do/dump'
                        % o['name'])
        continue
    if cname not in kops:
        errs.append('%s: not in the kernel\'s genl_ops' % o['name'])
    elif kops[cname] != want:
        errs.append('%s: kernel (doit, dumpit, admin) = %s, spec = %s'
                    % (o['name'], kops[cname], want))
for cname in kops:
    if cname not in OP_C:
        errs.append('%s: in genl_ops, not in the spec' % cname)
tap(not errs, 'operations: do/dump and admin-perm as in genl_ops (%d ops)'
    % len(kops), errs)

errs = []
mg = re.search(r'struct\s+genl_multicast_group\s+\w+\s*\[\s*\]\s*=\s*'
               r'\{(.*?)\n\}\s*;', nl_text, re.S)
kgrp = {}       # index name -> (group name, admin)
for idx, b in re.findall(r'\[\s*(\w+)\s*\]\s*=\s*\{([^{}]*)\}',
                         mg.group(1) if mg else ''):
    nm = re.search(r'\.name\s*=\s*(\w+|"[^"]*")', b)
    if nm:
        gname = HVAL.get(nm.group(1), nm.group(1).strip('"'))
        kgrp[idx] = (gname, 'GENL_MCAST_CAP_NET_ADMIN' in b)
if not kgrp:
    errs.append('no genl_multicast_group table found in %s' % NLC)
sgrp = {g['name']: 'admin-perm' in (g.get('flags') or []) for g in GRPS}
if sorted(kgrp.values()) != sorted(sgrp.items()):
    errs.append('kernel groups (name, admin) %s, spec %s'
                % (sorted(kgrp.values()), sorted(sgrp.items())))
tap(not errs, 'multicast groups and their admin flag as in %s' % NLC, errs)

# notifications: which command each module function multicasts, to which
# group (directly, or through a helper that only multicasts)
errs = []
funcs = {}
for path in sorted(os.listdir('kmod')):
    if path.endswith('.c'):
        with open(os.path.join('kmod', path)) as f:
            txt = strip_comments(f.read())
        for m in re.finditer(r'^\w[^\n;]*?\b(\w+)\([^;{]*?\)\s*\n\{\n(.*?)^\}',
                             txt, re.S | re.M):
            funcs[m.group(1)] = m.group(2)
# genlmsg_multicast(family, skb, portid, GROUP, flags): the 4th argument.
MULTICAST_GROUP = re.compile(r'genlmsg_multicast\(\s*[^,;]+,\s*[^,;]+,'
                             r'\s*[^,;]+,\s*(\w+)\s*,', re.S)
helpers = {}
for fn, body in funcs.items():
    g = MULTICAST_GROUP.search(body)
    if g and 'genlmsg_put' not in body:
        helpers[fn] = g.group(1)
kevents = set()
for fn, body in funcs.items():
    for c in re.findall(r'genlmsg_put\(\s*\w+\s*,\s*0\s*,\s*0\s*,[^;]*?'
                        r'\b(\w+)\s*\)', body, re.S):
        grp = None
        g = MULTICAST_GROUP.search(body)
        if g:
            grp = g.group(1)
        for h, hg in helpers.items():
            if re.search(r'\b%s\s*\(' % h, body):
                grp = hg
        kevents.add((OP_C.get(c, c), kgrp.get(grp, (grp,))[0]))
sevents = {(o['name'], o.get('mcgrp')) for o in OPS
           if 'event' in o or 'notify' in o}
if not kevents:
    errs.append('no multicast notification found in kmod/*.c')
for e in sorted(kevents - sevents):
    errs.append('the module multicasts %s to group %s, the spec does not '
                'say so' % e)
for e in sorted(sevents - kevents):
    errs.append('the spec has event %s in group %s, the module sends no '
                'such thing' % e)
tap(not errs, 'notifications and their groups as the module sends them (%s)'
    % ', '.join('%s:%s' % e for e in sorted(sevents)), errs)

# ---- 8. the kernel's own YNL tools, where present ---------------------

gen = None
ksrc = os.environ.get('KSRC') or os.environ.get('XF_KSRC')
schema = None
if ksrc:
    for cand in ('tools/net/ynl/pyynl/ynl_gen_c.py',
                 'tools/net/ynl/ynl-gen-c.py'):
        if os.path.exists(os.path.join(ksrc, cand)):
            gen = [sys.executable, os.path.join(ksrc, cand)]
            break
    schema = os.path.join(ksrc, 'Documentation/netlink/%s.yaml' % proto)
elif shutil.which('ynl-gen-c'):
    gen = ['ynl-gen-c']
if gen and (schema is None or os.path.exists(schema)):
    # The generator takes the schema from beside the spec's directory and
    # the kernel tree's root from a MAINTAINERS file above the spec.
    os.makedirs(os.path.join(tmp, 'specs'))
    open(os.path.join(tmp, 'MAINTAINERS'), 'w').close()
    tspec = os.path.join(tmp, 'specs', os.path.basename(SPEC))
    shutil.copy(SPEC, tspec)
    if schema:
        shutil.copy(schema, os.path.join(tmp, os.path.basename(schema)))
    out = os.path.join(tmp, 'ynl_uapi.h')
    try:
        r = subprocess.run(gen + ['--mode', 'uapi', '--header', '--spec',
                                  tspec, '-o', out], capture_output=True,
                           text=True, timeout=60)
        rc, errs = r.returncode, (r.stdout + r.stderr).splitlines()
    except subprocess.TimeoutExpired:
        rc, errs = -1, ['the generator did not finish in 60 s']
    if rc == 0:
        with open(out) as f:
            gtxt = strip_comments(f.read())
        gnames = set(re.findall(r'^\s*#\s*define\s+(\w+)\s', gtxt, re.M))
        for body in re.findall(r'\benum\s*\w*\s*\{(.*?)\}', gtxt, re.S):
            gnames |= {re.match(r'\s*(\w+)', x).group(1)
                       for x in body.split(',') if x.strip()}
        gnames = sorted(x for x in gnames if not x.startswith('_UAPI'))
        inc = os.path.join(tmp, 'ynl_uapi_inc')
        os.makedirs(os.path.join(inc, 'linux'))
        shutil.copy(out, os.path.join(inc, 'linux', 'xfilter.h'))
        GVAL, err = c_probe(gnames, ['<linux/xfilter.h>'], ['-I', inc],
                            'gen')
        if GVAL is None:
            errs = err.splitlines()
        else:
            errs = ['%s: rendered %r, header %r' % (x, GVAL[x], HVAL.get(x))
                    for x in gnames if HVAL.get(x) != GVAL[x]]
            errs += ['%s: in the header, not rendered' % x for x in HVAL
                     if x not in GVAL and x not in by_rule]
    tap(rc == 0 and not errs,
        'the kernel\'s YNL generator (%s) renders the spec to the header\'s '
        'names and values' % ' '.join(gen[-1:]), errs)
elif gen:
    print('# %s not found: the kernel\'s YNL generator was not run, only '
          'the schema check ran' % schema)
elif shutil.which('ynl'):
    print('# ynl found, but its CLI needs the family loaded and no '
          'generator was found (set KSRC=<kernel tree>): only the schema '
          'check ran')
else:
    print('# kernel YNL tooling not found (set KSRC=<kernel tree> or put '
          'ynl-gen-c on PATH): only the schema check ran')

finish()
EOF
