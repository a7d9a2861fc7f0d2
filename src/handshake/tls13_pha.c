/* Post-handshake client authentication, both roles; see pha.h.  Each
 * exchange runs as a small handshake: a handshake state with the saved
 * transcript is attached to the connection while one of its messages is
 * processed, so Certificate, CertificateVerify and Finished use the very
 * code of the main handshake (tls13_common.c). */
#include "internal.h"

#include <string.h>

#include "auth/auth.h"
#include "base/random.h"
#include "codec/consts.h"
#include "codec/messages13.h"
#include "handshake/hs.h"
#include "handshake/pha.h"
#include "record/record_io.h"

int tls13_pha_keep_transcript(SSL *s, int offered)
{
    if (!offered || s->hs == NULL)
        return 1;
    EVP_MD_CTX_free(s->pha_transcript);
    if ((s->pha_transcript = transcript_save(&s->hs->transcript)) == NULL)
        return 0;
    s->pha_state = PHA_ENABLED;
    return 1;
}

void tls13_pha_free(SSL *s)
{
    if (s->pha_hs != NULL) {
        struct hs_state *saved = s->hs;
        s->hs = s->pha_hs;
        hs_free(s);
        s->hs = saved;
        s->pha_hs = NULL;
    }
    EVP_MD_CTX_free(s->pha_transcript);
    s->pha_transcript = NULL;
    s->pha_state = PHA_NONE;
}

/* pha_begin: a fresh handshake state continuing the saved transcript. */
static struct hs_state *pha_begin(SSL *s)
{
    struct hs_state *hs = OPENSSL_malloc(sizeof(*hs));
    if (hs != NULL)
        memset(hs, 0, offsetof(struct hs_state, kex_pub));
    if (hs == NULL || !transcript_init(&hs->transcript) ||
        !transcript_resume(&hs->transcript, s->s13.md, s->pha_transcript)) {
        if (hs != NULL)
            transcript_free(&hs->transcript);
        OPENSSL_free(hs);
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return NULL;
    }
    hs->md = s->s13.md;
    hs->hash_len = s->s13.hash_len;
    return hs;
}

/* attach / detach: run steps of the main handshake code on |hs|. */
static void attach(SSL *s, struct hs_state *hs)
{
    s->hs = hs;
}

static void detach(SSL *s, int keep)
{
    if (keep) {
        s->pha_hs = s->hs;
        s->hs = NULL;
    } else {
        hs_free(s);
        s->pha_hs = NULL;
    }
    s->rl.ccs_allowed = 0;
}

int tls13_pha_in_init(const SSL *s)
{
    return s->pha_state == PHA_REQ_PENDING;
}

/* The checks and errors of OpenSSL 3.0, in its order.  A pending request
 * puts the connection back "in init" (SSL_in_init) until it is sent, so
 * asking twice is STILL_IN_INIT there, as in OpenSSL. */
int tls13_pha_request(SSL *s)
{
    if (s->version != TLS1_3_VERSION) {
        ERR_raise(ERR_LIB_SSL, SSL_R_WRONG_SSL_VERSION);
        return 0;
    }
    if (s->server != 1) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NOT_SERVER);
        return 0;
    }
    if (s->phase != HS_PHASE_DONE || s->fatal || tls13_pha_in_init(s)) {
        ERR_raise(ERR_LIB_SSL, SSL_R_STILL_IN_INIT);
        return 0;
    }
    switch (s->pha_state) {
    case PHA_NONE:
        ERR_raise(ERR_LIB_SSL, SSL_R_EXTENSION_NOT_RECEIVED);
        return 0;
    case PHA_ENABLED:
        break;
    case PHA_REQ_PENDING:
        ERR_raise(ERR_LIB_SSL, SSL_R_REQUEST_PENDING);
        return 0;
    default:
        ERR_raise(ERR_LIB_SSL, SSL_R_REQUEST_SENT);
        return 0;
    }
    /* OpenSSL's send_certificate_request(): verification asked for, and
     * with SSL_VERIFY_CLIENT_ONCE no earlier CertificateRequest */
    if (!(s->cfg.verify_mode & SSL_VERIFY_PEER) ||
        ((s->cfg.verify_mode & SSL_VERIFY_CLIENT_ONCE) && s->certreq_sent)) {
        ERR_raise(ERR_LIB_SSL, SSL_R_INVALID_CONFIG);
        return 0;
    }
    s->pha_state = PHA_REQ_PENDING;
    return 1;
}

int tls13_pha_send_request(SSL *s)
{
    if (s->pha_state != PHA_REQ_PENDING)
        return 1;
    struct hs_state *hs = pha_begin(s);
    uint8_t ctx[32];
    if (hs == NULL) {
        ssl_fatal(s, CODEC_ALERT_INTERNAL_ERROR);
        return 0;
    }
    attach(s, hs);
    if (rand_public(ctx, sizeof(ctx)) != 1 ||
        (hs->cert_req_ctx = OPENSSL_memdup(ctx, sizeof(ctx))) == NULL) {
        detach(s, 0);
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    hs->cert_req_ctx_len = sizeof(ctx);
    if (!tls13_send_certificate_request(s, ctx, sizeof(ctx))) {
        detach(s, 0);
        return 0;
    }
    detach(s, 1);
    s->pha_state = PHA_REQUESTED;
    return 1;
}

int tls13_pha_wants(const SSL *s, uint8_t type)
{
    if (!s->server)
        return type == CODEC_HS_CERTIFICATE_REQUEST && s->pha_state == PHA_ENABLED;
    /* RFC 8446 4.6.2: the server must expect other messages before the
     * answer; a KeyUpdate sent before the client saw the request is one (as
     * in OpenSSL, which takes KeyUpdate until the Certificate arrives). */
    if (s->pha_state == PHA_REQUESTED && type == CODEC_HS_KEY_UPDATE)
        return 0;
    return s->pha_state >= PHA_REQUESTED && s->pha_hs != NULL;
}

/* client_answer: a CertificateRequest arrived; answer with Certificate,
 * CertificateVerify (when we have a certificate) and Finished. */
static enum hs_ret client_answer(SSL *s)
{
    struct hs_state *hs = pha_begin(s);
    CODEC_CERTIFICATE_REQUEST cr;
    CBS body;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    if (hs == NULL)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    attach(s, hs);
    enum hs_ret r = hs_get_message(s, CODEC_HS_CERTIFICATE_REQUEST, &body);
    if (r != HS_OK)
        goto done;
    if (!codec_parse_certificate_request(&body, &cr, &alert)) {
        r = hs_fail(s, alert, SSL_R_BAD_PACKET);
        goto done;
    }
    if (!cbs_memdup(&cr.context, &hs->cert_req_ctx, &hs->cert_req_ctx_len)) {
        r = hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
        goto done;
    }
    if (!tls13_set_peer_sigalgs(s, &cr.sigalgs)) {
        r = hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
        goto done;
    }
    if (codec_ext_has(cr.ext_present, CODEC_EXT_CERTIFICATE_AUTHORITIES) &&
        (r = hs_keep_peer_ca_names(s, &cr.certificate_authorities)) != HS_OK)
        goto done;
    int slot;
    uint16_t sigalg = 0;
    if ((r = hs_client_cert_choose(s, 1, AUTH_SLOTS_ALL, &slot, &sigalg)) != HS_OK)
        goto done; /* HS_RETRY: the request stays unconsumed */
    const CERT_SLOT *c = slot >= 0 ? &s->cfg.sh->certs[slot] : NULL;
    if (!hs_consume(s) || !tls13_send_certificate(s, c, sigalg) ||
        !tls13_send_finished(s, s->s13.client_app)) {
        r = HS_ERR;
        goto done;
    }
    if (c != NULL) {
        s->own_cert = c->x509;
        s->own_key = c->pkey;
    }
    r = HS_OK;
done:
    detach(s, 0);
    return r;
}

/* with_peer: a copy of |src| naming the client |hs| authenticated. */
static SSL_SESSION *with_peer(SSL *s, const SSL_SESSION *src)
{
    SSL_SESSION *ns = sess_dup(src, 0);
    if (ns == NULL)
        return NULL;
    sess_peer_free(ns->peer);
    if ((ns->peer = sess_peer_from_x509s(s->hs->peer_chain)) == NULL) {
        SSL_SESSION_free(ns);
        return NULL;
    }
    ns->verify_result = (int32_t)s->verify_result;
    return ns;
}

/* server_adopt_peer: the connection's session now names the client the
 * authentication proved (a new session: the old one may be cached), and
 * so do the tickets issued from now on (their base session), as in
 * OpenSSL, whose tickets copy the connection's session. */
static enum hs_ret server_adopt_peer(SSL *s)
{
    struct hs_state *hs = s->hs;
    if (hs->peer_chain == NULL || s->session == NULL)
        return HS_OK;
    SSL_SESSION *ns = with_peer(s, s->session);
    SSL_SESSION *nb = s->ticket_base != NULL ? with_peer(s, s->ticket_base) : NULL;
    if (ns == NULL || (s->ticket_base != NULL && nb == NULL)) {
        SSL_SESSION_free(ns);
        SSL_SESSION_free(nb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    }
    STACK_OF(X509) *nl = X509_chain_up_ref(hs->peer_chain);
    if (nl == NULL) {
        SSL_SESSION_free(ns);
        SSL_SESSION_free(nb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    }
    X509_free(sk_X509_shift(nl)); /* as OpenSSL: a server's chain without the leaf */
    sk_X509_pop_free(s->peer_chain_nl, X509_free);
    s->peer_chain_nl = nl;
    SSL_SESSION_free(s->session);
    s->session = ns;
    if (nb != NULL) {
        SSL_SESSION_free(s->ticket_base);
        s->ticket_base = nb;
    }
    return HS_OK;
}

/* server_step: the client's answer, one message at a time. */
static enum hs_ret server_step(SSL *s)
{
    struct hs_state *hs = s->hs;
    enum hs_ret r;
    switch (s->pha_state) {
    case PHA_REQUESTED:
        if ((r = tls13_read_certificate(s, 1)) != HS_OK)
            return r;
        if (hs->peer_chain == NULL) {
            if (s->cfg.verify_mode & SSL_VERIFY_FAIL_IF_NO_PEER_CERT)
                return hs_fail(s, CODEC_ALERT_CERTIFICATE_REQUIRED,
                               SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
            s->pha_state = PHA_WAIT_FINISHED;
            return HS_OK;
        }
        if ((r = hs_verify_peer_chain(s)) != HS_OK)
            return r;
        s->pha_state = PHA_WAIT_CV;
        return HS_OK;
    case PHA_WAIT_CV:
        if ((r = tls13_read_cert_verify(s)) != HS_OK)
            return r;
        s->pha_state = PHA_WAIT_FINISHED;
        return HS_OK;
    case PHA_WAIT_FINISHED:
        if ((r = tls13_read_finished(s, s->s13.client_app)) != HS_OK ||
            (r = server_adopt_peer(s)) != HS_OK)
            return r;
        s->pha_state = PHA_ENABLED; /* another request may follow */
        return HS_OK;
    }
    return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_BAD_HANDSHAKE_STATE);
}

enum hs_ret tls13_pha_message(SSL *s)
{
    if (!s->server)
        return client_answer(s);
    attach(s, s->pha_hs);
    enum hs_ret r = server_step(s);
    detach(s, r == HS_OK && s->pha_state != PHA_ENABLED);
    return r;
}
