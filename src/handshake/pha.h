/* TLS 1.3 post-handshake client authentication (RFC 8446 4.2.6, 4.6.2):
 * a server's CertificateRequest after the handshake and the client's
 * Certificate, CertificateVerify and Finished in answer, over the
 * handshake's transcript. */
#ifndef SESAME_HANDSHAKE_PHA_H
#define SESAME_HANDSHAKE_PHA_H

#include "internal.h"

enum pha_state {
    PHA_NONE = 0,     /* not negotiated */
    PHA_ENABLED,      /* client offered post_handshake_auth (both roles know) */
    PHA_REQ_PENDING,  /* server: SSL_verify_client_post_handshake was called */
    PHA_REQUESTED,    /* server: CertificateRequest sent, Certificate expected */
    PHA_WAIT_CV,      /* server: CertificateVerify expected */
    PHA_WAIT_FINISHED /* server: Finished expected */
};

/* tls13_pha_keep_transcript: at the end of a handshake in which the client
 * offered post_handshake_auth, keep the transcript for it. */
int tls13_pha_keep_transcript(SSL *s, int offered) WUR;
/* tls13_pha_request: SSL_verify_client_post_handshake (checks, then the
 * request goes out with the next write, read or SSL_do_handshake). */
int tls13_pha_request(SSL *s) WUR;
/* tls13_pha_in_init: a request waits to be sent (OpenSSL counts the
 * connection as in init then: SSL_in_init). */
int tls13_pha_in_init(const SSL *s);
/* tls13_pha_send_request queues a pending CertificateRequest (server). */
int tls13_pha_send_request(SSL *s) WUR;
/* tls13_pha_wants: a post-handshake message of |type| belongs to an
 * authentication (a CertificateRequest to a client that offered it; on a
 * server, whatever arrives while one is in progress, except a KeyUpdate
 * before the client's Certificate). */
int tls13_pha_wants(const SSL *s, uint8_t type);
/* tls13_pha_message processes the complete message at the front of the
 * handshake buffer (HS_RETRY: a callback suspended it; it is presented
 * again later). */
enum hs_ret tls13_pha_message(SSL *s);
/* tls13_pha_free releases what a connection keeps for it. */
void tls13_pha_free(SSL *s);

#endif
