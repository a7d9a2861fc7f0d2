#!/usr/bin/env python3
"""downgrade_proxy.py LISTEN_PORT UPSTREAM_PORT [SECS] -- a man in the middle on loopback that
removes TLS 1.3 from each connection's ClientHello: it drops the supported_versions extension
(RFC 8446 4.2.1), so the server sees a TLS 1.2 ClientHello; everything else is relayed as is.
A TLS 1.3 capable server then negotiates TLS 1.2 and puts DOWNGRD\\x01 at the end of its random
(RFC 8446 4.1.3), which a client that offered TLS 1.3 must refuse.

Prints "listening", then per connection "stripped supported_versions" or "no
supported_versions"; exits after SECS seconds (default 60). No TLS library involved."""
import select
import socket
import struct
import sys
import threading
import time

EXT_SUPPORTED_VERSIONS = 0x002B


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("closed")
        buf += chunk
    return buf


def strip(record):
    """record: one handshake record holding a whole ClientHello; returns (new record, stripped?)."""
    body = record[5:]
    if record[0] != 22 or body[0] != 1:
        return record, False
    hs_len = int.from_bytes(body[1:4], "big")
    ch = body[4:4 + hs_len]
    p = 2 + 32
    p += 1 + ch[p]                                     # session id
    p += 2 + int.from_bytes(ch[p:p + 2], "big")        # cipher suites
    p += 1 + ch[p]                                     # compression methods
    head, exts_len = ch[:p], int.from_bytes(ch[p:p + 2], "big")
    exts, q, out, found = ch[p + 2:p + 2 + exts_len], 0, b"", False
    while q + 4 <= len(exts):
        etype, elen = struct.unpack(">HH", exts[q:q + 4])
        if etype == EXT_SUPPORTED_VERSIONS:
            found = True
        else:
            out += exts[q:q + 4 + elen]
        q += 4 + elen
    new_ch = head + struct.pack(">H", len(out)) + out
    new_body = b"\x01" + len(new_ch).to_bytes(3, "big") + new_ch
    return record[:3] + struct.pack(">H", len(new_body)) + new_body, found


def relay(client, upstream_port):
    try:
        server = socket.create_connection(("127.0.0.1", upstream_port), timeout=10)
        hdr = read_exact(client, 5)
        rec = hdr + read_exact(client, int.from_bytes(hdr[3:5], "big"))
        rec, found = strip(rec)
        print("stripped supported_versions" if found else "no supported_versions", flush=True)
        server.sendall(rec)
        socks = [client, server]
        end = time.time() + 20
        while time.time() < end:
            r, _, _ = select.select(socks, [], [], 1)
            for s in r:
                data = s.recv(65536)
                if not data:
                    return
                (server if s is client else client).sendall(data)
    except (OSError, EOFError, IndexError) as e:
        print("relay ended: %s" % e, flush=True)
    finally:
        client.close()


def main():
    listen_port, upstream_port = int(sys.argv[1]), int(sys.argv[2])
    secs = float(sys.argv[3]) if len(sys.argv) > 3 else 60
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(8)
    ls.settimeout(1)
    print("listening", flush=True)
    end = time.time() + secs
    while time.time() < end:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        threading.Thread(target=relay, args=(c, upstream_port), daemon=True).start()


if __name__ == "__main__":
    main()
