#!/usr/bin/env python3
"""Generate docs/compat.md: which libssl names real programs import, and
what sesame's libssl.so.3 does with each.

Dev-time tool and ctest api.compat (--check), python3 standard library and
binutils' readelf only.

For each program (curl's libcurl, nginx, Python's _ssl module, the openssl
command line tool):
 1. the names it imports from libssl.so.3: its undefined dynamic symbols
    whose version (readelf --dyn-syms) belongs to libssl.so.3 in its
    version needs (readelf -V);
 2. our exports: the defined dynamic symbols of BUILD/lib/libssl.so.3 at
    version OPENSSL_3.0.0;
 3. the stubs: the generated list at the end of docs/unsupported.md
    (tools/gen-unsupported.py), with each one's failure value and reason;
and counts: imported, implemented (exported and not a stub), stubs, missing
(not exported: the program would not even load).

A program that is not installed is skipped with a message (its section of
an existing docs/compat.md is left out of the comparison).  With --check
the document is regenerated in memory and compared, section by section,
with the committed one; it fails when a section differs, when a program
named by --require is not installed, or when any program imports a name we
do not export.

Usage:
    tools/gen-compat.py [--build-dir build] [--check] [--require curl,nginx,python3,openssl]
"""

import argparse
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, 'docs', 'compat.md')
UNSUPPORTED_DOC = os.path.join(ROOT, 'docs', 'unsupported.md')
VERSION = 'OPENSSL_3.0.0'
SECTION = '<!-- program: %s -->'


def run(cmd):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          universal_newlines=True).stdout


# ---------------------------------------------------------------- symbols --

def libssl_imports(path):
    """Names |path| imports from libssl.so.3 (any version of it)."""
    # readelf -V: version needs, "File: libssl.so.3" then its "Version: N" lines
    indexes, in_ssl = set(), False
    for line in run(['readelf', '-V', '-W', path]).splitlines():
        m = re.search(r'File: (\S+)', line)
        if m:
            in_ssl = m.group(1) == 'libssl.so.3'
            continue
        m = re.search(r'Name: (\S+)\s+Flags: \S+\s+Version: (\d+)', line)
        if m and in_ssl:
            indexes.add(m.group(2))
    names = set()
    for line in run(['readelf', '--dyn-syms', '-W', path]).splitlines():
        f = line.split()
        # Num: Value Size Type Bind Vis Ndx Name@VERSION (index); libssl and
        # libcrypto both name their version OPENSSL_3.0.0: the index tells
        if len(f) < 9 or f[6] != 'UND' or '@' not in f[7]:
            continue
        if f[8].strip('()') in indexes:
            names.add(f[7].split('@', 1)[0])
    return names


def our_exports(lib):
    names = set()
    for line in run(['readelf', '--dyn-syms', '-W', lib]).splitlines():
        f = line.split()
        if len(f) < 8 or f[6] == 'UND' or '@' not in f[7]:
            continue
        name, ver = f[7].split('@', 1)
        if ver.lstrip('@') == VERSION:
            names.add(name)
    return names


def stubs():
    """name -> 'value; reason' from docs/unsupported.md's generated list."""
    out = {}
    with open(UNSUPPORTED_DOC) as f:
        for line in f:
            m = re.match(r'- `(\w+)`: (.*)$', line.rstrip('\n'))
            if m:
                out[m.group(1)] = m.group(2)
    return out


# --------------------------------------------------------------- programs --

def python_ssl(python):
    """The file holding Python's _ssl for the interpreter |python|: the
    extension module, else (built in) the interpreter or its libpython."""
    try:
        out = run([python, '-c',
                   'import _ssl, sys; print(getattr(_ssl, "__file__", "")); print(sys.executable)'])
    except (OSError, subprocess.CalledProcessError):
        return None
    mod, exe = (out.splitlines() + ['', ''])[:2]
    if mod and os.path.exists(mod):
        return os.path.realpath(mod)
    for cand in [exe] + re.findall(r'=> (\S*libpython[^ ]*)', run(['ldd', exe])):
        if cand and os.path.exists(cand) and libssl_imports(cand):
            return os.path.realpath(cand)
    return None


def programs():
    """(key, title, path or None, why missing) for each program, in order."""
    out = []
    curl = '/usr/lib/x86_64-linux-gnu/libcurl.so.4'
    out.append(('curl', 'curl (libcurl, OpenSSL flavour)', curl if os.path.exists(curl) else None,
                'libcurl4 not installed'))
    nginx = '/usr/sbin/nginx'
    out.append(('nginx', 'nginx', nginx if os.path.exists(nginx) else None, 'nginx not installed'))
    # Debian's python3 (what .ci/run installs), and the python3 on PATH when
    # it is another one (pyenv here)
    debian = None
    for cand in sorted(glob.glob('/usr/lib/python3*/lib-dynload/_ssl*.so')):
        debian = os.path.realpath(cand)
    if debian is None and os.path.exists('/usr/bin/python3'):
        debian = python_ssl('/usr/bin/python3')
    out.append(('python3', 'Python _ssl (Debian python3)', debian, 'Debian python3 not installed'))
    onpath = python_ssl('python3')
    if onpath is not None and onpath != debian:
        ver = re.search(r'python(\d+\.\d+)', onpath)
        title = 'Python _ssl (python3 on PATH%s)' % (', ' + ver.group(1) if ver else '')
        out.append(('python3-path', title, onpath, 'no other python3 on PATH'))
    openssl = '/usr/bin/openssl'
    out.append(('openssl', 'openssl command line tool', openssl if os.path.exists(openssl) else None,
                'openssl not installed'))
    return out


# ----------------------------------------------------------------- output --

HEAD = '''\
# Compatibility matrix: programs that use libssl

Generated by `tools/gen-compat.py` (ctest `api.compat` regenerates it and compares); do not
edit by hand.  For each program, the libssl names it imports (its undefined dynamic symbols
bound to `libssl.so.3`), and what our `libssl.so.3` (exports at `OPENSSL_3.0.0`) does with
them:

- **implemented**: exported and not a stub: it works as OpenSSL 3.0's does;
- **stubs**: exported from `src/api/unsupported.c` so that the program loads: the call fails
  with OpenSSL's failure value and, where the value is not simply the truth for sesame, an
  error queued with the reason ([docs/unsupported.md](unsupported.md));
- **missing**: not exported, the program would not load (the check fails on any).

A program imports every name it may call; whether it calls a stub depends on what it is
asked to do (the notes under each program).  How the programs are exercised on our library:
`interop.curl`, `interop.curl_tls12`, `interop.nginx`, `interop.nginx_tls12`, `interop.pha`
(Python's `ssl`), `interop.openssl_cli` ([docs/testing.md](testing.md)).
'''


# When a program calls the stubs it imports (what the source of each says).
NOTES = {
    'nginx': 'nginx calls `SSL_read_early_data` / `SSL_write_early_data` only with '
             '`ssl_early_data on`, and `SSL_sendfile` only on a kernel TLS connection '
             '(`ssl_conf_command Options KTLS`).',
    'python3': '`SSL_get_current_compression` answers NULL (no compression), which is true '
               'for sesame, without an error.',
    'openssl': 's_server and s_client call the DTLS, SRP, Certificate Transparency, DANE, NPN, '
               'SRTP, early data, async, trace and custom extension functions only with the '
               'options that ask for them (`-dtls`, `-srpuser`, `-ct`, `-dane_tlsa_rrdata`, '
               '`-nextprotoneg`, `-use_srtp`, `-early_data`, `-async`, `-trace`, '
               '`-serverinfo`, ...).  Every s_server sets the cookie callbacks (void: kept '
               'nowhere; OpenSSL calls them only for DTLS and `-stateless`), and every '
               's_client asks `SSL_get_current_compression`, `SSL_get_early_data_status`, '
               '`SSL_get0_next_proto_negotiated`, `SSL_get_selected_srtp_profile`, '
               '`SSL_ct_is_enabled` and `SSL_get0_dane_authority`, which answer what is true '
               'for sesame (none, not sent, ...) without an error.',
}
NOTES['python3-path'] = NOTES['python3']


def section(key, title, path, imports, exports, stub_info):
    impl = sorted(n for n in imports if n in exports and n not in stub_info)
    stubbed = sorted(n for n in imports if n in exports and n in stub_info)
    missing = sorted(n for n in imports if n not in exports)
    row = '| %s | `%s` | %d | %d | %d | %d |' % (title, path, len(imports), len(impl),
                                                len(stubbed), len(missing))
    lines = [SECTION % key, '## %s' % title, '',
             '`%s`: %d libssl names imported, %d implemented, %d stubs, %d missing.'
             % (path, len(imports), len(impl), len(stubbed), len(missing)), '']
    if key in NOTES and stubbed:
        lines += [NOTES[key], '']
    if stubbed:
        lines += ['Stubs it imports (failure value; why):', '']
        lines += ['- `%s`: %s' % (n, stub_info[n]) for n in stubbed]
        lines.append('')
    if missing:
        lines += ['Missing (not exported):', '']
        lines += ['- `%s`' % n for n in missing]
        lines.append('')
    return row, '\n'.join(lines), missing


def render(rows, sections):
    table = ['| program | file | imported | implemented | stubs | missing |',
             '|---|---|---|---|---|---|'] + rows
    return HEAD + '\n' + '\n'.join(table) + '\n\n' + '\n'.join(sections)


def parse_doc(text):
    """key -> (table row, section text) of an existing document."""
    out = {}
    parts = re.split(r'(?m)^<!-- program: (\S+) -->\n', text)
    for key, body in zip(parts[1::2], parts[2::2]):
        title = re.match(r'## (.*)', body).group(1)
        row = next((l for l in text.splitlines() if l.startswith('| %s |' % title)), None)
        out[key] = (row, SECTION % key + '\n' + body.rstrip('\n'))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--build-dir', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--check', action='store_true',
                    help='do not write; exit 1 if docs/compat.md is stale or a name is missing')
    ap.add_argument('--require', default='',
                    help='comma-separated program keys that must be installed')
    args = ap.parse_args()

    lib = os.path.join(args.build_dir, 'lib', 'libssl.so.3')
    if not os.path.exists(lib):
        sys.exit('gen-compat: %s not found (build first)' % lib)
    exports = our_exports(lib)
    stub_info = stubs()
    required = set(filter(None, args.require.split(',')))

    rows, sections, generated, ok = [], [], {}, True
    found = programs()
    unknown = required - {p[0] for p in found} - {'curl', 'nginx', 'python3', 'openssl'}
    if unknown:
        sys.exit('gen-compat: unknown program(s) in --require: %s' % ', '.join(sorted(unknown)))
    for key, title, path, why in found:
        if path is None:
            print('gen-compat: skipping %s: %s' % (title, why))
            if key in required:
                print('gen-compat: %s is required here' % key)
                ok = False
            continue
        imports = libssl_imports(path)
        row, text, missing = section(key, title, path, imports, exports, stub_info)
        rows.append(row)
        sections.append(text)
        generated[key] = (row, text.rstrip('\n'))
        print('gen-compat: %s: %s' % (title, row.split('|', 3)[3].strip(' |').replace(' | ', ' / ')))
        if missing:
            print('gen-compat: %s imports names we do not export: %s' % (title, ', '.join(missing)))
            ok = False
    content = render(rows, sections)

    if args.check:
        try:
            with open(DOC) as f:
                old = parse_doc(f.read())
        except FileNotFoundError:
            old = {}
        for key, (row, text) in generated.items():
            if old.get(key) != (row, text):
                print('gen-compat: docs/compat.md is out of date for %s '
                      '(run tools/gen-compat.py)' % key)
                ok = False
        for key in sorted(set(old) - set(generated)):
            print('gen-compat: not checked here (not installed): %s' % key)
        return 0 if ok else 1

    with open(DOC, 'w') as f:
        f.write(content)
    print('gen-compat: wrote docs/compat.md')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
