/* Getters for what a connection negotiated and where it stands. */
#include "internal.h"

#include <string.h>

#include "api/api.h"
#include "auth/sigalgs.h"
#include "codec/cipher_suites.h"
#include "codec/groups.h"
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

size_t SSL_get_finished(const SSL *s, void *buf, size_t count)
{
    return copy_out(buf, count, s->finished_own, s->finished_len);
}

size_t SSL_get_peer_finished(const SSL *s, void *buf, size_t count)
{
    return copy_out(buf, count, s->finished_peer, s->finished_len);
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
    /* TLS 1.2 exporter (RFC 5705): not yet wired */
    ERR_raise(ERR_LIB_SSL, ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED);
    return 0;
}

int SSL_want(const SSL *s)
{
    return s->rwstate;
}

int SSL_in_init(const SSL *s)
{
    return s->phase != HS_PHASE_DONE;
}
int SSL_in_before(const SSL *s)
{
    return s->phase == HS_PHASE_BEFORE;
}
int SSL_is_init_finished(const SSL *s)
{
    return s->phase == HS_PHASE_DONE;
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

char *SSL_get_shared_ciphers(const SSL *s, char *buf, int size)
{
    (void)s;
    (void)buf;
    (void)size;
    return NULL; /* the client's list is not kept (docs/unsupported.md) */
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
