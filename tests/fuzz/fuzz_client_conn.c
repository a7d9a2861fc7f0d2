/* Fuzz target: our TLS 1.3 client through a whole connection -- the
 * handshake with the server's flight edited in flight, then whatever a
 * server may send after it (records of any content type, KeyUpdates,
 * tickets, certificate requests, alerts, data) -- against a real server
 * whose keys the driver knows.  The driver, its input format and its
 * invariants: fuzz_conn.h, fuzz_conn_format.h. */
#define FC_TARGET_IS_SERVER 0
#include "fuzz_conn.h"
