/* Getters for what a connection negotiated and where it stands. */
#include "internal.h"

#include <string.h>

#include "api/api.h"
#include "auth/sigalgs.h"
#include "codec/cipher_suites.h"
#include "codec/groups.h"
#include "handshake/pha.h"
#include "keys/algs.h"
#include "keys/tls12_keys.h"
#include "keys/tls13_schedule.h"

/* Client: the name it sends (or sent); server: the name it received, or the
 * resumed session's. */
const char *SSL_get_servername(const SSL *s, const int type)
{
    if (type != TLSEXT_NAMETYPE_host_name)
        return NULL;
    if (s->hostname != NULL)
        return s->hostname;
    if (s->session != NULL && s->hit)
        return s->session->hostname;
    return NULL;
}

int SSL_get_servername_type(const SSL *s)
{
    return SSL_get_servername(s, TLSEXT_NAMETYPE_host_name) != NULL ? TLSEXT_NAMETYPE_host_name
                                                                    : -1;
}

static size_t copy_out(void *out, size_t cap, const uint8_t *src, size_t len)
{
    if (out != NULL && cap > 0)
        memcpy(out, src, cap < len ? cap : len);
    return len;
}

/* The last Finished we sent / the peer's last verified one (after a
 * post-handshake authentication, the client's answer), 0 before. */
size_t SSL_get_finished(const SSL *s, void *buf, size_t count)
{
    return copy_out(buf, count, s->finished_own, s->finished_len);
}

size_t SSL_get_peer_finished(const SSL *s, void *buf, size_t count)
{
    return copy_out(buf, count, s->finished_peer, s->finished_peer_len);
}

size_t SSL_get_client_random(const SSL *s, unsigned char *out, size_t outlen)
{
    if (outlen == 0)
        return sizeof(s->client_random);
    if (outlen > sizeof(s->client_random))
        outlen = sizeof(s->client_random);
    memcpy(out, s->client_random, outlen);
    return outlen;
}

size_t SSL_get_server_random(const SSL *s, unsigned char *out, size_t outlen)
{
    if (outlen == 0)
        return sizeof(s->server_random);
    if (outlen > sizeof(s->server_random))
        outlen = sizeof(s->server_random);
    memcpy(out, s->server_random, outlen);
    return outlen;
}

int SSL_export_keying_material(SSL *s, unsigned char *out, size_t olen, const char *label,
                               size_t llen, const unsigned char *context, size_t contextlen,
                               int use_context)
{
    if (s->session == NULL || s->version == 0)
        return -1;
    if (s->version == TLS1_3_VERSION && s->s13.md != NULL && s->phase == HS_PHASE_DONE) {
        if (!tls13_export_keying_material(s->s13.md, out, olen, s->s13.exporter, label, llen,
                                          context, contextlen, use_context))
            return 0;
        return 1;
    }
    const EVP_MD *md = s->cipher != NULL ? algs_md_by_nid(s->cipher->md_nid) : NULL;
    if (s->version == TLS1_2_VERSION && md != NULL && s->phase == HS_PHASE_DONE &&
        s->session->master_key_len == TLS12_MASTER_LEN) {
        /* RFC 5705 over the session's master secret */
        if (!tls12_export_keying_material(md, s->session->master_key, s->client_random,
                                          s->server_random, label, llen, context, contextlen,
                                          use_context, out, olen))
            return 0;
        return 1;
    }
    ERR_raise(ERR_LIB_SSL, SSL_R_STILL_IN_INIT);
    return 0;
}

int SSL_want(const SSL *s)
{
    return s->rwstate;
}

/* After a fatal error OpenSSL's state machine is in its error state, which
 * counts as "in init" (and not finished), and so does a post-handshake
 * CertificateRequest not yet sent. */
int SSL_in_init(const SSL *s)
{
    return s->phase != HS_PHASE_DONE || s->fatal || tls13_pha_in_init(s);
}
int SSL_in_before(const SSL *s)
{
    return s->phase == HS_PHASE_BEFORE;
}
int SSL_is_init_finished(const SSL *s)
{
    return !SSL_in_init(s);
}
int SSL_is_dtls(const SSL *s)
{
    (void)s;
    return 0;
}

static int sig_type_nid(uint16_t alg, int *pnid)
{
    const struct sigalg_info *info = sigalg_lookup(alg);
    if (info == NULL)
        return 0;
    *pnid = info->sig_nid;
    return 1;
}

int SSL_get_peer_signature_type_nid(const SSL *s, int *pnid)
{
    return sig_type_nid(s->peer_sigalg, pnid);
}
int SSL_get_signature_type_nid(const SSL *s, int *pnid)
{
    return sig_type_nid(s->own_sigalg, pnid);
}

/* The peer's signature_algorithms as it sent them (a server: the
 * ClientHello's; a client: the CertificateRequest's), unknown schemes
 * included; |idx| -1 asks for the number only.  The NIDs are OpenSSL's,
 * for schemes sesame does not implement too. */
int SSL_get_sigalgs(SSL *s, int idx, int *psign, int *phash, int *psignhash, unsigned char *rsig,
                    unsigned char *rhash)
{
    int n = s->num_peer_sigalgs_all;
    if (s->peer_sigalgs_all == NULL)
        return 0;
    if (idx >= 0) {
        int sign, hash, sign_hash;
        if (idx >= n)
            return 0;
        uint16_t v = s->peer_sigalgs_all[idx];
        sigalg_report(v, &sign, &hash, &sign_hash);
        if (rhash != NULL)
            *rhash = (unsigned char)(v >> 8);
        if (rsig != NULL)
            *rsig = (unsigned char)v;
        if (psign != NULL)
            *psign = sign;
        if (phash != NULL)
            *phash = hash;
        if (psignhash != NULL)
            *psignhash = sign_hash;
    }
    return n;
}

/* The schemes both sides have, as decided when the peer's list arrived;
 * 0 for an |idx| out of range, -1 included (as OpenSSL). */
int SSL_get_shared_sigalgs(SSL *s, int idx, int *psign, int *phash, int *psignhash,
                           unsigned char *rsig, unsigned char *rhash)
{
    const uint16_t *shared = s->shared_sigalgs;
    int sign, hash, sign_hash;
    int n = s->num_shared_sigalgs;
    if (idx < 0 || idx >= n)
        return 0;
    sigalg_report(shared[idx], &sign, &hash, &sign_hash);
    if (phash != NULL)
        *phash = hash;
    if (psign != NULL)
        *psign = sign;
    if (psignhash != NULL)
        *psignhash = sign_hash;
    if (rsig != NULL)
        *rsig = (unsigned char)shared[idx];
    if (rhash != NULL)
        *rhash = (unsigned char)(shared[idx] >> 8);
    return n;
}

/* Server: the suites of the client's hello that we know, in its order (as
 * OpenSSL, which lists only the suites it implements); NULL on a client or
 * before a ClientHello was answered.  The stack belongs to |s|. */
STACK_OF(SSL_CIPHER) * SSL_get_client_ciphers(const SSL *s)
{
    if (s == NULL || s->server != 1 || s->num_peer_suites == 0)
        return NULL;
    if (s->peer_cipher_stack == NULL) {
        STACK_OF(SSL_CIPHER) *sk = sk_SSL_CIPHER_new_reserve(NULL, s->num_peer_suites);
        if (sk == NULL)
            return NULL;
        for (size_t i = 0; i < s->num_peer_suites; i++)
            (void)sk_SSL_CIPHER_push(sk, suite_by_value(s->peer_suites[i]));
        /* built once on first use; the SSL is otherwise unchanged */
        ((SSL *)s)->peer_cipher_stack = sk;
    }
    return s->peer_cipher_stack;
}

/* Server: the names of the suites both the client offered and |s| enables,
 * in the client's order, colon-separated.  As OpenSSL 3.0: NULL on a client,
 * before a ClientHello, when |size| < 2 or when not even the first name
 * fits; otherwise the names that fit whole. */
char *SSL_get_shared_ciphers(const SSL *s, char *buf, int size)
{
    STACK_OF(SSL_CIPHER) *ours = SSL_get_ciphers(s);
    if (s == NULL || s->server != 1 || s->num_peer_suites == 0 || buf == NULL || size < 2 ||
        ours == NULL || sk_SSL_CIPHER_num(ours) == 0)
        return NULL;
    size_t room = (size_t)size, used = 0;
    for (size_t i = 0; i < s->num_peer_suites; i++) {
        const SSL_CIPHER *c = suite_by_value(s->peer_suites[i]);
        int enabled = 0;
        for (int j = 0; j < sk_SSL_CIPHER_num(ours) && !enabled; j++)
            enabled = sk_SSL_CIPHER_value(ours, j) == c;
        if (!enabled)
            continue;
        size_t n = strlen(c->name);
        if (used + n + 1 > room) /* the name and its ':' or NUL */
            break;
        memcpy(buf + used, c->name, n);
        used += n;
        buf[used++] = ':';
    }
    if (used == 0)
        return NULL;
    buf[used - 1] = '\0';
    return buf;
}

long SSL_get_default_timeout(const SSL *s)
{
    (void)s;
    return 7200; /* seconds, OpenSSL's TLS default */
}

const char *SSL_group_to_name(SSL *s, int id)
{
    (void)s;
    return group_name(group_from_nid(id));
}

const char *SSL_get_psk_identity_hint(const SSL *s)
{
    (void)s;
    return NULL;
}

const char *SSL_get_psk_identity(const SSL *s)
{
    (void)s;
    return NULL;
}
