#!/usr/bin/env bash
# interop.install: unmodified programs on an INSTALLED sesame (`cmake --install` into a
# temporary prefix P), each proved to have mapped P/lib/sesame/libssl.so.3:
#  - the installed `sesame s_server -www` (/proc/PID/maps);
#  - `P/bin/sesame run curl` fetching its page, `P/bin/sesame run openssl version` (LD_DEBUG=libs:
#    the libssl initialised after sesame handed over to the program); control: the same curl
#    through `env` loads the system's libssl;
#  - `P/bin/sesame run python3` serving TLS with its ssl module, fetched by the system's curl
#    (/proc/PID/maps of the python process, and the server's own /proc/self/maps);
#  - examples/resume_client.c compiled with `pkg-config --cflags --libs sesame`: its RPATH is
#    P/lib/sesame, it loads that library, and resumes its session against the server.
# Labelled "preload": the programs load our library (under ASan it would need the runtime).
source "$(dirname "$0")/lib.sh"
CMAKE=${CMAKE:-cmake}
require_cmd curl
require_cmd python3
require_cmd pkg-config
require_cmd cc build-essential
require_system_openssl

P=$TMP/p
run_t 60 "$CMAKE" --install "$BUILD_DIR" --prefix "$P" >"$TMP/install.log" 2>&1 ||
  { cat "$TMP/install.log" >&2; fail "cmake --install $BUILD_DIR --prefix $P failed"; }
# From here on "ours" is the installed library, and the CLI is the installed one.
SESAME=$P/bin/sesame
LIBDIR=$P/lib/sesame
OURS=$(readlink -f "$LIBDIR/libssl.so.3")
require_sesame
pass "installed into $P; P/bin/sesame loads $LIBDIR/libssl.so.3"
certs

# exec_libssl OUT CMD...: run CMD (a launcher that execs a program) with LD_DEBUG=libs; print
# the libssl.so.3 that the program it started initialised: the first one named after the
# launcher's own "transferring control" line. CMD's stdout goes to OUT.
exec_libssl() {
  local out=$1; shift
  local p
  p=$(LD_DEBUG=libs run_t 20 "$@" 2>&1 >"$out" </dev/null |
      awk '/transferring control:/ { n++; next } n >= 1 && /calling init: .*libssl\.so\.3/ { sub(/.*calling init: /, ""); print; exit }' || true)
  [ -n "$p" ] && readlink -f "$p" || true
}

# ---- the installed server ----------------------------------------------------------------------
sesame_server www -cert "$CERTS/server.pem" -key "$CERTS/server.key" -www
assert_ours "$SPID" "installed sesame s_server"
pass "installed sesame s_server maps $OURS"
URL=https://localhost:$PORT/
CURL=(curl -sS --max-time 10 --cacert "$CERTS/ca.pem" --resolve "localhost:$PORT:127.0.0.1")

# ---- sesame run curl / openssl ------------------------------------------------------------------
got=$(exec_libssl "$TMP/page1" "$SESAME" run "${CURL[@]}" "$URL")
[ "$got" = "$OURS" ] || fail "P/bin/sesame run curl: curl loaded libssl '${got:-none}', expected $OURS"
expect "$TMP/page1" '^New, TLSv1\.3, Cipher is ' "sesame run curl: no page from the installed server"
pass "P/bin/sesame run curl: curl loaded $OURS and fetched the page (TLSv1.3)"
got=$(exec_libssl "$TMP/page0" env "${CURL[@]}" "$URL")
[[ "$got" =~ $SYSTEM_LIBSSL_RE ]] || fail "control: env curl loaded libssl '${got:-none}', expected the system's"
pass "control: the same curl through env loads the system's libssl ($got)"
rc=0
run_t 20 "$SESAME" run "${CURL[@]}" -o "$TMP/p1" "$URL" -o "$TMP/p2" "$URL" 2>"$TMP/curl.err" || rc=$?
[ "$rc" = 0 ] || fail "sesame run curl (two URLs) exited $rc: $(cat "$TMP/curl.err")"
expect "$TMP/p2" '^Reused, TLSv1\.3, ' "sesame run curl: the second URL was not resumed"
pass "P/bin/sesame run curl, two URLs: Reused, TLSv1.3"

got=$(exec_libssl "$TMP/openssl.out" "$SESAME" run openssl version)
[ "$got" = "$OURS" ] || fail "P/bin/sesame run openssl version: loaded libssl '${got:-none}', expected $OURS"
expect "$TMP/openssl.out" '^OpenSSL 3\.' "sesame run openssl version printed no version"
pass "P/bin/sesame run openssl version: loaded $OURS"
stop_bg "$SPID"

# ---- sesame run python3: a long-lived server over our library -------------------------------------
cat >"$TMP/tls_server.py" <<'EOF'
import socket, ssl, sys
port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
mapped = sorted({l.split()[-1] for l in open("/proc/self/maps") if "libssl.so" in l})
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(4)
ls.settimeout(60)
while True:
    conn, _ = ls.accept()
    conn.settimeout(10)
    try:
        with ctx.wrap_socket(conn, server_side=True) as t:
            t.recv(4096)
            body = ("python %s over %s\nmapped: %s\n" % (sys.version.split()[0], t.version(),
                    " ".join(mapped))).encode()
            t.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            t.unwrap()
    except (OSError, ssl.SSLError) as e:
        print("connection failed:", e, flush=True)
EOF
PORT=$(free_port)
start_bg python "$SESAME" run python3 "$TMP/tls_server.py" "$PORT" "$CERTS/server.pem" "$CERTS/server.key"
SPID=$BG_PID
wait_port "$PORT" "$SPID" || fail "sesame run python3 server did not listen on $PORT"
assert_ours "$SPID" "sesame run python3 (TLS server)"
[ "$(cat "/proc/$(real_pid "$SPID")/comm")" != sesame ] || fail "the python server still runs as sesame"
rc=0
run_t 20 "${CURL[@]}" "https://localhost:$PORT/" -o "$TMP/py.page" 2>"$TMP/py.err" || rc=$?
[ "$rc" = 0 ] || fail "system curl -> python over sesame failed (exit $rc): $(cat "$TMP/py.err")"
expect "$TMP/py.page" '^python .* over TLSv1\.3$' "python server: no page"
expect "$TMP/py.page" "^mapped: $OURS\$" "python server: its own maps do not show $OURS"
pass "P/bin/sesame run python3: a TLS server on $OURS (maps), served system curl"
stop_bg "$SPID"

# ---- a program built with pkg-config against the install -----------------------------------------
export PKG_CONFIG_PATH=$P/lib/pkgconfig
read -r -a flags <<<"$(run_t 10 pkg-config --cflags --libs sesame libcrypto)"
run_t 60 cc -std=c11 -Wall -Wextra -Werror -o "$TMP/resume_client" "$SRC_DIR/examples/resume_client.c" \
  "${flags[@]}" >"$TMP/cc.log" 2>&1 || { cat "$TMP/cc.log" >&2; fail "cc with pkg-config sesame failed"; }
rpath=$(readelf -d "$TMP/resume_client" | sed -n 's/.*(\(RPATH\|RUNPATH\)).*\[\(.*\)\]/\2/p')
[ "$rpath" = "$P/lib/sesame" ] || fail "resume_client built with pkg-config: RPATH '$rpath', expected $P/lib/sesame"
got=$(libssl_loaded_by "$TMP/resume_client" -demo)
[ "$got" = "$OURS" ] || fail "resume_client built with pkg-config loads libssl '${got:-none}', expected $OURS"
sesame_server www2 -cert "$CERTS/server.pem" -key "$CERTS/server.key" -www
run_t 20 "$TMP/resume_client" -CAfile "$CERTS/ca.pem" -servername localhost 127.0.0.1 "$PORT" \
  >"$TMP/rc.out" 2>&1 || { cat "$TMP/rc.out" >&2; fail "resume_client (pkg-config build) failed"; }
expect "$TMP/rc.out" '^connection 1: new, TLSv1\.3, ' "resume_client: first connection"
expect "$TMP/rc.out" '^connection 2: reused, TLSv1\.3, ' "resume_client: second connection not resumed"
pass "cc \$(pkg-config --cflags --libs sesame): RPATH $P/lib/sesame, loads $OURS, new then reused"

pass "all"
