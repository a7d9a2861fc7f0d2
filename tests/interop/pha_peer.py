#!/usr/bin/env python3
"""Python's ssl module as a TLS 1.3 peer doing post-handshake client
authentication, for tests/interop/test_pha.sh (run with LD_LIBRARY_PATH
pointing at our libssl.so.3, so the TLS code is ours).

  pha_peer.py client PORT CA CERT KEY GO_FILE
      Connects, prints "lib <path of the libssl.so.3 mapped>" and
      "handshake <version>", then waits (<= 10 s) for GO_FILE: by then the
      server has sent its CertificateRequest and a line.  Reads (answering
      the request on the way) until it has a line, prints "got <line>",
      sends "hello-from-client", prints "sent".  A TLS error prints
      "error <message>" and exits 3.

  pha_peer.py server PORT CA CERT KEY
      Accepts one connection (CERT_REQUIRED after the handshake), prints
      "lib <path>"; on the line "auth" asks for the client's certificate
      (SSL_verify_client_post_handshake) and answers "requested"; on the
      next line reports what the client proved: "peer <subject CN>" (or
      "peer none"), and prints the same.  A TLS error prints
      "error <message>" and exits 3.

Every wait is bounded; the process exits by itself.
"""
import os
import socket
import ssl
import sys
import time


def our_lib():
    with open('/proc/self/maps') as f:
        for line in f:
            if 'libssl.so' in line:
                return os.path.realpath(line.split()[-1])
    return 'none'


def say(*words):
    print(*words, flush=True)


def read_line(conn):
    buf = b''
    while not buf.endswith(b'\n'):
        chunk = conn.recv(1024)
        if not chunk:
            break
        buf += chunk
    return buf.decode().strip()


def client(port, ca, cert, key, go_file):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(ca)
    ctx.load_cert_chain(cert, key)
    ctx.post_handshake_auth = True
    with socket.create_connection(('127.0.0.1', port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname='localhost') as conn:
            say('lib', our_lib())
            say('handshake', conn.version())
            deadline = time.time() + 10
            while not os.path.exists(go_file) and time.time() < deadline:
                time.sleep(0.05)
            try:
                line = read_line(conn)
                say('got', line)
                conn.sendall(b'hello-from-client\n')
                say('sent')
                # a refused certificate is an alert the client sees on its
                # next read
                time.sleep(0.5)
                conn.settimeout(1)
                try:
                    more = conn.recv(1024)
                    say('after', more.decode().strip() if more else 'eof')
                except socket.timeout:
                    say('after', 'nothing')
                try:
                    conn.unwrap()
                except (ssl.SSLError, OSError):
                    pass
            except ssl.SSLError as e:
                say('error', e)
                return 3
    return 0


def server(port, ca, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(cert, key)
    ctx.load_verify_locations(ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.post_handshake_auth = True
    with socket.socket() as lsock:
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind(('127.0.0.1', port))
        lsock.listen(1)
        lsock.settimeout(20)
        raw, _ = lsock.accept()
        raw.settimeout(10)
        with ctx.wrap_socket(raw, server_side=True) as conn:
            say('lib', our_lib())
            try:
                say('handshake', conn.version(), 'peer at handshake:',
                    'yes' if conn.getpeercert() else 'none')
                line = read_line(conn)
                if line != 'auth':
                    say('unexpected', line)
                    return 2
                conn.verify_client_post_handshake()
                conn.sendall(b'requested\n')
                say('requested')
                line = read_line(conn)  # the client's answer comes first
                cert = conn.getpeercert()
                cn = 'none'
                if cert:
                    for rdn in cert.get('subject', ()):
                        for k, v in rdn:
                            if k == 'commonName':
                                cn = v
                conn.sendall(('peer %s\n' % cn).encode())
                say('peer', cn, 'after line', line)
                conn.unwrap()
            except (ssl.SSLError, OSError) as e:
                say('error', e)
                return 3
    return 0


def main(argv):
    if len(argv) == 7 and argv[1] == 'client':
        return client(int(argv[2]), argv[3], argv[4], argv[5], argv[6])
    if len(argv) == 6 and argv[1] == 'server':
        return server(int(argv[2]), argv[3], argv[4], argv[5])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
