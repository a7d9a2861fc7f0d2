/* Fuzz target: our TLS 1.3 server through a whole connection -- the
 * handshake with the client's flights edited in flight (ClientHello, second
 * ClientHello, Certificate, CertificateVerify, Finished), then whatever a
 * client may send after it (records of any content type, KeyUpdates,
 * post-handshake authentication, alerts, data) -- against a real client
 * whose keys the driver knows.  The driver, its input format and its
 * invariants: fuzz_conn.h, fuzz_conn_format.h. */
#define FC_TARGET_IS_SERVER 1
#include "fuzz_conn.h"
