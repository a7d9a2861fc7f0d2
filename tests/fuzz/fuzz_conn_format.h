/* fuzz_conn_format.h - the input format of the connection fuzz targets
 * (fuzz_client_conn, fuzz_server_conn; the driver is fuzz_conn.h), shared
 * with the seed generator (gen_corpus.c).
 *
 * An input is two configuration bytes followed by operations, run in order:
 *
 *   input := cfg0 cfg1 op*
 *   op    := opcode (byte, taken modulo FC_OP_COUNT) arguments
 *
 * Arguments are read from the input as they are needed; past its end every
 * byte reads as 0, so any byte string is a valid input.  Integers are big
 * endian.  When the operations run out, the driver finishes the connection:
 * rounds of FC_OP_ROUND until nothing moves, then the peer goes away (EOF).
 *
 * "The target" is the SSL under test (our client in fuzz_client_conn, our
 * server in fuzz_server_conn), "the peer" a real SSL of the other role.  All
 * the peer writes is decrypted by the driver (it learns the peer's traffic
 * secrets from the key log) into "units" -- one handshake message, or one
 * record's plaintext of another type -- and queued; the fuzzer may edit the
 * queue, and delivering a unit seals it again under the key the target
 * expects (the peer's current write key: handshake or application traffic
 * secret, advanced after each KeyUpdate delivered), so the target accepts
 * whatever the operations make as genuinely from the peer.  What the target
 * writes goes to the peer unchanged.
 */
#ifndef SESAME_TESTS_FUZZ_CONN_FORMAT_H
#define SESAME_TESTS_FUZZ_CONN_FORMAT_H

/* cfg0 */
#define FC_CFG0_SUITE_MASK  0x03 /* 0 all, 1 AES-128-GCM, 2 AES-256-GCM, 3 ChaCha20 */
#define FC_CFG0_GROUP_SHIFT 2    /* 0 X25519, 1 P-256, 2 P-384, 3 HelloRetryRequest */
#define FC_CFG0_GROUP_MASK  0x0c
#define FC_CFG0_RESUME      0x10 /* the client offers a ticket from a setup handshake */
#define FC_CFG0_CLIENT_CERT 0x20 /* the server asks for a certificate; the client has one */
#define FC_CFG0_PHA         0x40 /* the client offers post-handshake authentication */
#define FC_CFG0_ALPN        0x80 /* the client offers h2, http/1.1; the server picks */
/* cfg1 */
#define FC_CFG1_TICKETS_MASK 0x03 /* tickets the server sends after the handshake */
#define FC_CFG1_IGNORE_EOF   0x04 /* target: SSL_OP_IGNORE_UNEXPECTED_EOF */
#define FC_CFG1_NO_COMPAT    0x08 /* client: no middlebox compatibility mode */
#define FC_CFG1_SMALL_FRAG   0x10 /* both: max_send_fragment 512 */
#define FC_CFG1_PSK_KE       0x20 /* both: SSL_OP_ALLOW_NO_DHE_KEX (psk_ke) */
#define FC_CFG1_SERVER_PREF  0x40 /* server: SSL_OP_CIPHER_SERVER_PREFERENCE */
#define FC_CFG1_SMALL_WBIO   0x80 /* target: output through a 512-byte BIO pair (WANT_WRITE) */

enum fc_op {
    /* The connection. */
    FC_OP_ROUND = 0,  /* peer runs, the whole queue is delivered, target runs */
    FC_OP_PEER_RUN,   /* target's output to the peer; the peer runs; its output queued */
    FC_OP_DELIVER,    /* n(1): deliver the first n queued units (0: all) */
    FC_OP_TARGET_RUN, /* target: SSL_do_handshake, then SSL_read until it blocks */
    /* The peer's queued output (idx is taken modulo the queue length). */
    FC_OP_EDIT,   /* idx(1) kind(1) args: see enum fc_edit */
    FC_OP_INJECT, /* pos(1) flags(1) type(1) len(2) bytes: a new unit, see FC_INJ_*;
                     sealed with the keys of the unit it goes before (appended:
                     the last one; none queued: the peer's current keys) */
    FC_OP_FRAG,   /* size(2) flags(1) pad(1): how units become records, see FC_FRAG_* */
    FC_OP_RAW,    /* len(2) bytes: straight into the target's input, no record layer */
    /* The peer does something (through its public API unless said). */
    FC_OP_PEER_KEY_UPDATE,   /* req(1): SSL_key_update(peer, req & 1) and send it */
    FC_OP_PEER_WRITE,        /* len(2): SSL_write of len bytes */
    FC_OP_PEER_TICKET,       /* server peer: SSL_new_session_ticket and send it */
    FC_OP_INJECT_TICKET,     /* lifetime(4) age_add(4) nonce_len(1) ticket_len(2) early(1)
                                max_early(4): a NewSessionTicket unit made by the driver */
    FC_OP_PEER_SHUTDOWN,     /* SSL_shutdown */
    FC_OP_PEER_CERT_REQUEST, /* server peer: SSL_verify_client_post_handshake and send it */
    /* The target does something (public API). */
    FC_OP_T_READ,       /* len(2): one SSL_read (len 0: SSL_read_ex of 0 bytes) */
    FC_OP_T_PEEK,       /* len(2): one SSL_peek */
    FC_OP_T_WRITE,      /* len(2): SSL_write of len bytes */
    FC_OP_T_SHUTDOWN,   /* SSL_shutdown */
    FC_OP_T_KEY_UPDATE, /* req(1): SSL_key_update(target, req & 1), SSL_do_handshake */
    FC_OP_T_TICKET,     /* SSL_new_session_ticket, SSL_do_handshake */
    FC_OP_T_PHA,        /* SSL_verify_client_post_handshake, SSL_do_handshake */
    FC_OP_T_HANDSHAKE,  /* SSL_do_handshake */
    FC_OP_COUNT
};

/* FC_OP_EDIT kinds (taken modulo FC_EDIT_COUNT).  A handshake unit's bytes
 * are the whole message, 4-byte header included. */
enum fc_edit {
    FC_EDIT_REPLACE = 0, /* len(2) bytes: new body (handshake: header rewritten to fit) */
    FC_EDIT_XOR,         /* off(2) val(1): bytes[off % len] ^= val (0 means 0x01) */
    FC_EDIT_TRUNCATE,    /* len(2): keep the first len bytes (headers unchanged) */
    FC_EDIT_INSERT,      /* off(2) len(1) bytes: insert at off % (len + 1) */
    FC_EDIT_SET_TYPE,    /* type(1): handshake message type, or record content type */
    FC_EDIT_DROP,        /* remove the unit */
    FC_EDIT_DUP,         /* a copy right after it */
    FC_EDIT_SWAP,        /* swap with the next unit */
    FC_EDIT_SET_LEN,     /* len(3): handshake: the header's length field */
    FC_EDIT_PLAIN,       /* send it as a plaintext record, whatever the keys */
    FC_EDIT_COUNT
};

/* FC_OP_INJECT flags */
#define FC_INJ_HANDSHAKE 0x01 /* bytes are a handshake message body, type its type */
#define FC_INJ_PLAIN     0x02 /* a plaintext record, whatever the keys */

/* FC_OP_FRAG: size 0 means 16384 (the default); flags: */
#define FC_FRAG_COALESCE 0x01 /* consecutive handshake messages share records */

#endif
