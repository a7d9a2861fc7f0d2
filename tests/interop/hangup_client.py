#!/usr/bin/env python3
"""hangup_client.py PORT VERSION MODE [SNI] -- a TLS client on raw sockets that hangs up in the
middle of the handshake, for testing what a server reports when its peer goes away.

VERSION: 1.3 or 1.2 (the ClientHello offers only that version; X25519 and P-256 (a
key share for X25519), ECDSA and RSA signature
schemes, AES-GCM suites). MODE, the point where the client goes away:
  connect        connect, then close without sending anything
  header         3 bytes of the ClientHello's record header, then close
  partial        the record header and half of the ClientHello, then close
  hello          the whole ClientHello, then close at once (the server's answer may meet a
                 closed socket: the kernel answers it with a reset)
  hello-read     the whole ClientHello, read the server's first flight, then close (a clean FIN)
  second         the whole ClientHello, read the server's first flight, then part of the second
                 flight, then close: TLS 1.3, a change_cipher_spec record and 3 bytes of the next
                 record's header; TLS 1.2, a ClientKeyExchange (a random X25519 share), a
                 change_cipher_spec record and 3 bytes of the next record's header
  reset          the whole ClientHello, then close with SO_LINGER 0 (a TCP reset)
  close-notify   the whole ClientHello, then a plaintext warning close_notify alert, then close

Prints "done MODE" on success; whatever the server sent is read only where the mode says so.
Every wait is bounded (5 s). No TLS library involved."""
import os
import socket
import struct
import sys
import time

TIMEOUT = 5.0


def u8(n):
    return struct.pack(">B", n)


def u16(n):
    return struct.pack(">H", n)


def vec8(b):
    return u8(len(b)) + b


def vec16(b):
    return u16(len(b)) + b


def ext(etype, body):
    return u16(etype) + vec16(body)


def client_hello(version, sni):
    sigalgs = [0x0403, 0x0804, 0x0805, 0x0401, 0x0503, 0x0501]
    exts = b""
    if sni:
        name = sni.encode()
        exts += ext(0x0000, vec16(u8(0) + vec16(name)))
    exts += ext(0x000A, vec16(u16(0x001D) + u16(0x0017)))  # supported_groups: x25519, P-256
    exts += ext(0x000B, vec8(u8(0)))  # ec_point_formats: uncompressed
    exts += ext(0x000D, vec16(b"".join(u16(a) for a in sigalgs)))
    exts += ext(0x0017, b"")  # extended_master_secret
    exts += ext(0xFF01, u8(0))  # renegotiation_info, empty
    if version == "1.3":
        suites = [0x1301, 0x1302, 0x1303]
        exts += ext(0x002B, vec8(u16(0x0304)))  # supported_versions
        exts += ext(0x0033, vec16(u16(0x001D) + vec16(os.urandom(32))))  # key_share
        exts += ext(0x002D, vec8(u8(1)))  # psk_key_exchange_modes: psk_dhe_ke
    else:
        suites = [0xC02B, 0xC02F, 0xC02C, 0xC030]
    body = (u16(0x0303) + os.urandom(32) + vec8(os.urandom(32)) +
            vec16(b"".join(u16(s) for s in suites)) + vec8(u8(0)) + vec16(exts))
    msg = u8(1) + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + u16(len(msg)) + msg


def recv_some(sock, deadline):
    sock.settimeout(max(0.05, deadline - time.monotonic()))
    try:
        return sock.recv(65536)
    except socket.timeout:
        return None


def read_first_flight(sock, version):
    """Reads until the server's first flight is in: TLS 1.2, up to ServerHelloDone; TLS 1.3,
    the ServerHello and then nothing more for 200 ms (the encrypted rest is not parsed)."""
    deadline = time.monotonic() + TIMEOUT
    buf, hs = b"", b""
    got_sh = False
    while time.monotonic() < deadline:
        data = recv_some(sock, min(deadline, time.monotonic() + 0.2) if got_sh and version == "1.3" else deadline)
        if data is None:
            if got_sh and version == "1.3":
                return
            continue
        if data == b"":
            raise SystemExit("server closed the connection before its first flight ended")
        buf += data
        while len(buf) >= 5:
            rlen = struct.unpack(">H", buf[3:5])[0]
            if len(buf) < 5 + rlen:
                break
            rtype, frag, buf = buf[0], buf[5:5 + rlen], buf[5 + rlen:]
            if rtype == 21:
                raise SystemExit("server sent an alert: %s" % frag.hex())
            if rtype != 22:
                continue
            hs += frag
            while len(hs) >= 4:
                mlen = int.from_bytes(hs[1:4], "big")
                if len(hs) < 4 + mlen:
                    break
                mtype, hs = hs[0], hs[4 + mlen:]
                if mtype == 2:
                    got_sh = True
                if mtype == 14 and version == "1.2":
                    return
    raise SystemExit("the server's first flight did not arrive within %.0f s" % TIMEOUT)


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    port, version, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    sni = sys.argv[4] if len(sys.argv) > 4 else "localhost"
    if version not in ("1.2", "1.3"):
        raise SystemExit("VERSION must be 1.2 or 1.3")
    ch = client_hello(version, sni)
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    if mode == "connect":
        pass
    elif mode == "header":
        sock.sendall(ch[:3])
    elif mode == "partial":
        sock.sendall(ch[:5 + (len(ch) - 5) // 2])
    elif mode == "hello":
        sock.sendall(ch)
    elif mode == "hello-read":
        sock.sendall(ch)
        read_first_flight(sock, version)
    elif mode == "second":
        sock.sendall(ch)
        read_first_flight(sock, version)
        out = b""
        if version == "1.2":
            cke = vec8(os.urandom(32))
            out += b"\x16\x03\x03" + u16(4 + len(cke)) + u8(16) + len(cke).to_bytes(3, "big") + cke
        out += b"\x14\x03\x03\x00\x01\x01" + b"\x17\x03\x03"
        sock.sendall(out)
        time.sleep(0.1)  # let the server take the complete records first
    elif mode == "reset":
        sock.sendall(ch)
        time.sleep(0.1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    elif mode == "close-notify":
        sock.sendall(ch + b"\x15\x03\x03\x00\x02\x01\x00")
    else:
        raise SystemExit("unknown mode %r" % mode)
    sock.close()
    print("done", mode)


if __name__ == "__main__":
    main()
