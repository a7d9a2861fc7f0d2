#!/usr/bin/env python3
"""Generate tests/unit/data/cipher_strings.txt: what OpenSSL 3.0 makes of
each cipher string in CORPUS, restricted to the TLS 1.2 suites sesame
implements.  unit.ciphers (tests/unit/test_ciphers.c) checks sesame's
SSL_CTX_set_cipher_list and SSL_get1_supported_ciphers against the file.

Dev-time tool, python3 standard library only.  For each string it runs the
system's `openssl ciphers STRING` (the configured list, SSL_get_ciphers) and
`openssl ciphers -s -tls1_2 STRING` (SSL_get1_supported_ciphers of a TLS 1.2
only connection: the security level a "@SECLEVEL=n" sets applies) and keeps
our suites of each, in OpenSSL's order.

Each line of the data file: STRING <TAB> CONFIGURED <TAB> SUPPORTED, where a
list is the suites' OpenSSL names joined by ':' (possibly empty) and a
failure is '!' and the reason: !INVALID_COMMAND, !NO_CIPHER_MATCH, ...
A string that OpenSSL accepts but that selects only suites sesame lacks
(static RSA, CBC, PSK ...) is !NO_CIPHER_MATCH: sesame fails it
(docs/unsupported.md).  Lines starting with '#' are comments.

Usage:
    tools/gen-cipher-corpus.py            rewrite the data file
    tools/gen-cipher-corpus.py --check    exit 1 if the file differs from what the
                                          system openssl gives now; 77 (skip) when
                                          there is no OpenSSL 3.0 `openssl` tool
"""

import argparse
import difflib
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, 'tests', 'unit', 'data', 'cipher_strings.txt')

# The TLS 1.2 suites sesame implements (OpenSSL names).
OURS = {
    'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305', 'DHE-RSA-CHACHA20-POLY1305',
    'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES128-GCM-SHA256',
}

MOZILLA_INTERMEDIATE = ('ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:'
                        'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:'
                        'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:'
                        'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:'
                        'DHE-RSA-CHACHA20-POLY1305')

CORPUS = [
    # the defaults and the big aliases
    'DEFAULT', 'ALL', 'HIGH', 'FIPS', 'TLSv1.2', 'COMPLEMENTOFDEFAULT', 'COMPLEMENTOFALL',
    'ALL:COMPLEMENTOFALL', 'ALL:COMPLEMENTOFDEFAULT', 'DEFAULT:COMPLEMENTOFDEFAULT',
    'MEDIUM', 'LOW', 'EXPORT', 'eNULL', 'NULL', 'aNULL', 'HIGH:MEDIUM', 'HIGH:-MEDIUM',
    # key exchange and authentication
    'kEDH', 'kDHE', 'EDH', 'DHE', 'DH', 'ADH', 'AECDH', 'ECDHE', 'EECDH', 'kECDHE', 'kEECDH',
    'ECDH', 'ECDSA', 'aECDSA', 'aRSA', 'RSA', 'kRSA', 'aDSS', 'DSS', 'PSK', 'SRP',
    'kECDHE+aRSA', 'ECDH+aRSA', 'ECDHE+RSA', 'ECDHE+ECDSA', 'DHE+aRSA', 'kDHE+aECDSA',
    'EDH+aRSA:EECDH+aECDSA', 'aRSA:aECDSA', 'aECDSA:aRSA', 'kEDH:kEECDH', 'kEECDH:kEDH',
    # encryption, MAC, version
    'AES', 'AESGCM', 'AES128', 'AES256', 'CHACHA20', 'AESCCM', 'CAMELLIA', 'ARIA', '3DES', 'CBC',
    'SHA256', 'SHA384', 'SHA1', 'SHA', 'MD5', 'AEAD', 'TLSv1', 'TLSv1.0', 'SSLv3', 'TLSv1.2+ECDSA',
    'AES128+AES256', 'AESGCM+AES128', 'AES+CHACHA20', 'HIGH+TLSv1.2+DHE', 'TLSv1.2+TLSv1',
    'HIGH+FIPS', 'FIPS+HIGH', 'ECDHE+FIPS', 'FIPS:CHACHA20', 'CHACHA20:FIPS',
    'COMPLEMENTOFDEFAULT+HIGH', 'HIGH+COMPLEMENTOFDEFAULT',
    # names
    'ECDHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-CHACHA20-POLY1305',
    'DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-CHACHA20-POLY1305',
    'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256+aRSA', 'ECDHE-RSA-AES128-GCM-SHA256+ECDSA',
    'ECDHE-ECDSA-AES128-GCM-SHA256+HIGH', 'ECDHE-RSA-AES128-GCM-SHA256+TLSv1.2',
    'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256:ALL',
    'TLS_AES_128_GCM_SHA256', 'ecdhe-rsa-aes128-gcm-sha256', 'high', 'all', 'Ecdhe',
    'AES128-SHA', 'AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256', 'EDH-RSA-DES-CBC3-SHA:ALL',
    # operators and their order effects
    'AES256:-ECDSA', 'CHACHA20:+AES', 'ALL:+AES', 'ALL:+AES128', 'ALL:+AES256:-ALL:ALL',
    'ALL:+AES128:-ALL:ALL', 'ALL:-ECDSA:ECDSA', 'ALL:-ECDSA:+ECDSA', 'ALL:!ECDSA:ECDSA',
    'ALL:!ECDSA:+ECDSA', 'DEFAULT:!DHE', 'DEFAULT:-DHE:DHE', 'DEFAULT:-DHE:+DHE',
    'ALL:+DHE:+ECDSA', 'ALL:!DHE:DHE', 'CHACHA20:ALL:-AES128:AES128', '!ALL:ALL', '-ALL:ALL',
    '+ALL', 'ALL:-ALL', 'ALL:!ALL', 'ALL:-AES:AES128', 'ALL:-CHACHA20:-AES256:AES256:CHACHA20',
    'ALL:-aRSA:-AES128:aRSA:AES128', 'AES128:AES256:CHACHA20', 'CHACHA20:AES128:AES256',
    'DHE:ECDHE', 'DHE:ECDHE:+ECDHE', 'ECDHE:DHE:+ECDSA:+CHACHA20',
    'ALL:+aRSA:+DHE:-AES128:AES128', 'ALL:-ECDHE:-DHE:DHE:ECDHE',
    # where '-' puts what it deactivates (first in line for a later add)
    'CHACHA20:-CHACHA20:ALL', 'AES256:-AES256:ALL', 'ALL:-AES128:ALL', 'ECDSA:-ECDSA:DHE:ALL',
    'DHE:ECDHE:-ECDHE:ALL', 'ALL:-ALL:ECDSA:ALL', 'AES128:-AES128:AES256:-AES256:ALL',
    'ALL:+ECDSA:-ALL:DHE:ALL', 'ALL:!AES128:-ALL:ALL',
    # @STRENGTH and @SECLEVEL
    'ALL:@STRENGTH', 'DEFAULT:@STRENGTH', 'AES128:AES256:@STRENGTH', 'CHACHA20:AES128:@STRENGTH',
    'AES128:ALL:@STRENGTH', '@STRENGTH', '@STRENGTH:ALL', 'ALL:@STRENGTH:+ECDSA',
    'ALL:@STRENGTH:+CHACHA20', 'ALL:+CHACHA20:@STRENGTH', 'AES128:@STRENGTH:AES256',
    '@SECLEVEL=0:ALL', 'ALL:@SECLEVEL=1', 'ALL:@SECLEVEL=2', 'ALL:@SECLEVEL=3',
    'ALL:@SECLEVEL=4', 'ALL:@SECLEVEL=5', 'ALL:@SECLEVEL=6', 'ALL:@SECLEVEL=10',
    'ALL:@SECLEVEL=', 'ALL:@SECLEVEL=x', 'DEFAULT@SECLEVEL=4', 'DEFAULT:@SECLEVEL=4:+AES256',
    '@SECLEVEL=5:AES128', 'ALL:@FOO', 'ALL:@', 'ALL:@STRENGTH+HIGH', 'ALL:@STRENGTHX',
    'ALL:@strength',
    # DEFAULT is special only at the start
    'HIGH:DEFAULT', 'DEFAULTDHE', 'DEFAULT,HIGH', 'DEFAULT:', ' DEFAULT', 'DEFAULT:+DHE',
    'DEFAULT:-ECDSA', 'DEFAULT:!aECDSA:!kECDHE',
    # Suite B
    'SUITEB128', 'SUITEB192', 'SUITEB128ONLY', 'SUITEB128C2', 'SUITEB128:ALL', 'SUITEB192:!ALL',
    'ALL:SUITEB128',
    # separators and syntax
    'ALL;HIGH', 'ALL,HIGH', 'ALL HIGH', '  ALL  ', 'ALL:', ':ALL', '::ALL::', 'ALL:,; HIGH', '',
    ':', 'ALL:#x', 'ALL:!', 'ALL:-', 'ALL+', 'ALL++HIGH', 'ALL:++HIGH', 'foo', 'foo+#:ALL',
    'foo+#', 'kRSA+ECDHE+#:ALL', 'ALL+#', 'HIGH:!#', 'ALL:!-ECDSA', 'ALL:*', 'ALL:_x',
    'ECDHE-RSA-AES128-GCM-SHA256:_', 'ALL:TLS_AES_128_GCM_SHA256', 'ALL:=', 'ALL:-.',
    'garbage:nothing', 'ALL:ECDSA+', '!ECDSA', '-ECDSA:ALL', '+ECDSA:ALL',
    # what programs configure
    'HIGH:!aNULL', 'HIGH:!aNULL:!MD5', 'HIGH:!aNULL:!MD5:!RC4', 'ECDHE+AESGCM:DHE+AESGCM',
    'ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20', MOZILLA_INTERMEDIATE,
    # Mozilla intermediate without DHE, and "old" (many suites sesame lacks)
    'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:'
    'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305',
    MOZILLA_INTERMEDIATE + ':ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:'
    'ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:'
    'ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:'
    'DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:'
    'AES128-SHA:AES256-SHA:DES-CBC3-SHA',
    # Python 3.10+ default, Python 3.6-3.9 default and restricted server ciphers
    '@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM',
    'TLS13-AES-256-GCM-SHA384:TLS13-CHACHA20-POLY1305-SHA256:TLS13-AES-128-GCM-SHA256:'
    'ECDH+AESGCM:ECDH+CHACHA20:DH+AESGCM:DH+CHACHA20:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:'
    'ECDH+HIGH:DH+HIGH:RSA+AESGCM:RSA+AES:RSA+HIGH:!aNULL:!eNULL:!MD5:!3DES',
    'TLS13-AES-256-GCM-SHA384:TLS13-CHACHA20-POLY1305-SHA256:TLS13-AES-128-GCM-SHA256:'
    'ECDH+AESGCM:ECDH+CHACHA20:DH+AESGCM:DH+CHACHA20:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:'
    'ECDH+HIGH:DH+HIGH:RSA+AESGCM:RSA+AES:RSA+HIGH:!aNULL:!eNULL:!MD5:!DSS:!RC4:!3DES',
    'ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:RSA+AESGCM:RSA+AES:'
    '!aNULL:!MD5:!DSS',
    # curl's old default, Node.js's default, Postfix, Redis, HAProxy, Dovecot, Exim
    'ALL:!EXPORT:!EXPORT40:!EXPORT56:!aNULL:!LOW:!RC4:@STRENGTH',
    'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:'
    'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:'
    'ECDHE-ECDSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:'
    'DHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA384:ECDHE-RSA-AES256-SHA256:'
    'DHE-RSA-AES256-SHA256:HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA',
    'aNULL:-aNULL:HIGH:@STRENGTH', 'aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH',
    'aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH:!eNULL:!aNULL', 'DEFAULT:!MEDIUM',
    'ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES256:ECDH+AES128:!aNULL:!SHA1:!AESCCM',
    'ALL:!kRSA:!SRP:!kDHd:!DSS:!aNULL:!eNULL:!EXP:!DES:!3DES:!RC2:!RC4:!IDEA:!SEED:!MD5:@STRENGTH',
    'ALL:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA:!ADH:!AECDH',
    'EECDH+AESGCM:EDH+AESGCM', 'EECDH+CHACHA20:EECDH+AES128:RSA+AES128:EECDH+AES256:RSA+AES256',
    'EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH', 'HIGH:!aNULL:!kRSA:!PSK:!SRP:!MD5:!RC4',
    'PROFILE=SYSTEM', 'kEECDH+ECDSA+AES128:kEECDH+ECDSA+AES256:kEECDH+AES128:kEECDH+AES256',
]


def openssl_tool():
    return shutil.which('openssl')


def run(tool, args):
    """(ok, our suites or the failure reason) of `openssl ciphers ARGS`."""
    r = subprocess.run([tool, 'ciphers'] + args, capture_output=True, text=True)
    if r.returncode != 0:
        for reason in ('invalid command', 'no cipher match',
                       'at least (D)TLS 1.2 needed in Suite B mode',
                       'at least TLS 1.2 needed in Suite B mode'):
            if reason in r.stderr:
                return False, '!' + reason.upper().replace(' ', '_').replace('(D)', '')
        return False, '!ERROR'
    names = [n for n in r.stdout.strip().split(':') if n]
    return True, [n for n in names if n in OURS]


def expectation(tool, s):
    ok, conf = run(tool, ['--', s] if s.startswith('-') else [s])
    if not ok:
        return conf, conf
    if not conf:
        return '!NO_CIPHER_MATCH', '!NO_CIPHER_MATCH'
    ok, sup = run(tool, ['-s', '-tls1_2', '--', s] if s.startswith('-') else ['-s', '-tls1_2', s])
    return ':'.join(conf), ':'.join(sup) if ok else sup


def generate(tool):
    version = subprocess.run([tool, 'version'], capture_output=True, text=True).stdout.strip()
    lines = [
        '# Generated by tools/gen-cipher-corpus.py from the system openssl; do not edit by hand.',
        '# ' + version.split('(')[0].strip(),
        '# STRING <TAB> CONFIGURED (SSL_get_ciphers, TLS 1.2 part) <TAB> SUPPORTED '
        '(SSL_get1_supported_ciphers, TLS 1.2 only)',
    ]
    seen = set()
    for s in CORPUS:
        if s in seen or '\t' in s or '\n' in s:
            continue
        seen.add(s)
        conf, sup = expectation(tool, s)
        lines.append('%s\t%s\t%s' % (s, conf, sup))
    return '\n'.join(lines) + '\n'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--check', action='store_true')
    args = ap.parse_args()
    tool = openssl_tool()
    if tool is None:
        print('gen-cipher-corpus: no openssl tool: skipped')
        return 77 if args.check else 1
    version = subprocess.run([tool, 'version'], capture_output=True, text=True).stdout
    if not version.startswith('OpenSSL 3.0.'):
        print('gen-cipher-corpus: %s is not OpenSSL 3.0: skipped' % version.strip())
        return 77 if args.check else 1
    text = generate(tool)
    if args.check:
        with open(DATA) as f:
            old = f.read()
        # the version comment may differ between OpenSSL 3.0 releases
        strip = lambda t: [l for l in t.splitlines() if not l.startswith('# OpenSSL')]
        if strip(old) != strip(text):
            sys.stdout.writelines(difflib.unified_diff(
                [l + '\n' for l in strip(old)], [l + '\n' for l in strip(text)],
                'committed', 'system openssl'))
            print('gen-cipher-corpus: %s differs from the system openssl' % DATA)
            return 1
        print('gen-cipher-corpus: %s matches the system openssl' % DATA)
        return 0
    with open(DATA, 'w') as f:
        f.write(text)
    print('gen-cipher-corpus: wrote %s (%d strings)' % (DATA, len(text.splitlines()) - 3))
    return 0


if __name__ == '__main__':
    sys.exit(main())
