/* SSL_CTX_ctrl / SSL_ctrl / *_callback_ctrl: the command dispatch behind
 * OpenSSL's many ctrl macros.  Unknown commands return 0, as OpenSSL does. */
#include "internal.h"

#include <string.h>

#include "api/api.h"
#include "api/session_hooks.h"
#include "auth/sigalgs.h"
#include "codec/cipher_suites.h"
#include "codec/groups.h"
#include "handshake/hs.h"

/* The default SSL_CTX_get_max_cert_list (100 KiB, OpenSSL's). */
#define DEFAULT_MAX_CERT_LIST (1024 * 100)

/* set_version_bound: SSL_CTRL_SET_MIN/MAX_PROTO_VERSION as OpenSSL 3.0's
 * ssl_set_version_bound: 0 (no bound) or an SSL/TLS version is taken by a
 * TLS_method() object; a DTLS version is valid but not for us (1, nothing
 * set); an object of a fixed-version method keeps its version (1). */
static long set_version_bound(const SSL_METHOD *meth, long v, int *bound)
{
    int tls = v >= SSL3_VERSION && v <= TLS1_3_VERSION;
    int dtls = v == DTLS1_BAD_VER || (v >= DTLS1_2_VERSION && v <= DTLS1_VERSION);
    if (v != 0 && !tls && !dtls)
        return 0;
    if (meth->version == TLS_ANY_VERSION && (v == 0 || tls))
        *bound = (int)v;
    return 1;
}

static long set_store(X509_STORE **slot, void *parg, long larg)
{
    X509_STORE *st = parg;
    if (larg && st != NULL && !X509_STORE_up_ref(st))
        return 0;
    X509_STORE_free(*slot);
    *slot = st;
    return 1;
}

/* cfg_ctrl handles the commands an SSL_CTX and an SSL share; *handled=0 if
 * |cmd| is not one of them. */
static long cfg_ctrl(struct ssl_config *c, const SSL_METHOD *meth, int cmd, long larg, void *parg,
                     int *handled)
{
    *handled = 1;
    switch (cmd) {
    case SSL_CTRL_MODE:
        return (long)(c->mode |= (uint32_t)larg);
    case SSL_CTRL_CLEAR_MODE:
        return (long)(c->mode &= ~(uint32_t)larg);
    case SSL_CTRL_SET_MIN_PROTO_VERSION:
        return set_version_bound(meth, larg, &c->min_version);
    case SSL_CTRL_SET_MAX_PROTO_VERSION:
        return set_version_bound(meth, larg, &c->max_version);
    case SSL_CTRL_GET_MIN_PROTO_VERSION:
        return c->min_version;
    case SSL_CTRL_GET_MAX_PROTO_VERSION:
        return c->max_version;
    case SSL_CTRL_SET_GROUPS: {
        uint16_t g[SESAME_MAX_GROUPS];
        size_t n;
        if (larg < 0 || !groups_from_nids(parg, (size_t)larg, g, SESAME_MAX_GROUPS, &n))
            return 0;
        struct ssl_config_shared *w = cfg_shared_mut(c);
        if (w == NULL)
            return 0;
        memcpy(w->groups, g, n * sizeof(g[0]));
        w->num_groups = n;
        return 1;
    }
    case SSL_CTRL_SET_GROUPS_LIST: {
        uint16_t g[SESAME_MAX_GROUPS];
        size_t n;
        if (!groups_parse_list(parg, g, SESAME_MAX_GROUPS, &n))
            return 0;
        struct ssl_config_shared *w = cfg_shared_mut(c);
        if (w == NULL)
            return 0;
        memcpy(w->groups, g, n * sizeof(g[0]));
        w->num_groups = n;
        return 1;
    }
    case SSL_CTRL_SET_TMP_ECDH: {
        /* OpenSSL 3.0: the key's curve becomes the only group */
        const EC_GROUP *grp = parg != NULL ? EC_KEY_get0_group(parg) : NULL;
        uint16_t g[1];
        size_t n;
        int nid;
        if (grp == NULL) {
            ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
            return 0;
        }
        nid = EC_GROUP_get_curve_name(grp);
        if (!groups_from_nids(&nid, 1, g, 1, &n))
            return 0;
        struct ssl_config_shared *w = cfg_shared_mut(c);
        if (w == NULL)
            return 0;
        w->groups[0] = g[0];
        w->num_groups = 1;
        return 1;
    }
    case SSL_CTRL_SET_SIGALGS: {
        uint16_t a[16];
        size_t n;
        if (larg < 0 || !sigalgs_from_nid_pairs(parg, (size_t)larg, a, 16, &n))
            return 0;
        struct ssl_config_shared *w = cfg_shared_mut(c);
        if (w == NULL)
            return 0;
        memcpy(w->sigalgs, a, n * sizeof(a[0]));
        w->num_sigalgs = n;
        return 1;
    }
    case SSL_CTRL_SET_SIGALGS_LIST: {
        uint16_t a[16];
        size_t n;
        if (!sigalgs_parse_list(parg, a, 16, &n))
            return 0;
        struct ssl_config_shared *w = cfg_shared_mut(c);
        if (w == NULL)
            return 0;
        memcpy(w->sigalgs, a, n * sizeof(a[0]));
        w->num_sigalgs = n;
        return 1;
    }
    case SSL_CTRL_SET_CLIENT_SIGALGS: {
        /* validated; client-auth sigalgs follow cfg.sigalgs (docs/unsupported.md) */
        uint16_t a[16];
        size_t n;
        return larg >= 0 && sigalgs_from_nid_pairs(parg, (size_t)larg, a, 16, &n);
    }
    case SSL_CTRL_SET_CLIENT_SIGALGS_LIST: {
        uint16_t a[16];
        size_t n;
        return sigalgs_parse_list(parg, a, 16, &n);
    }
    case SSL_CTRL_CHAIN:
        return cert_set_chain(c, parg, larg != 0);
    case SSL_CTRL_CHAIN_CERT:
        return cert_add_chain(c, parg, larg != 0);
    case SSL_CTRL_GET_CHAIN_CERTS:
        *(STACK_OF(X509) **)parg = c->sh->certs[c->cert_current].chain;
        return 1;
    case SSL_CTRL_SELECT_CURRENT_CERT:
        return cert_select_current_x509(c, parg);
    case SSL_CTRL_SET_CURRENT_CERT:
        return cert_set_current(c, larg);
    case SSL_CTRL_BUILD_CERT_CHAIN:
        return 1; /* the chain is sent as configured */
    case SSL_CTRL_GET_MAX_CERT_LIST:
        return DEFAULT_MAX_CERT_LIST;
    case SSL_CTRL_SET_MAX_CERT_LIST:
        return larg < 0 ? 0 : DEFAULT_MAX_CERT_LIST;
    case SSL_CTRL_SET_READ_AHEAD: {
        long old = c->read_ahead;
        c->read_ahead = (int)larg;
        return old;
    }
    case SSL_CTRL_GET_READ_AHEAD:
        return c->read_ahead;
    case SSL_CTRL_SET_MAX_SEND_FRAGMENT:
        if (larg < 512 || larg > SESAME_MAX_PLAINTEXT)
            return 0;
        c->max_send_fragment = (size_t)larg;
        return 1;
    case SSL_CTRL_SET_SPLIT_SEND_FRAGMENT:
        return larg > 0 && (size_t)larg <= c->max_send_fragment;
    case SSL_CTRL_SET_MAX_PIPELINES:
        return larg >= 1 && larg <= SSL_MAX_PIPELINES;
    case SSL_CTRL_SET_TMP_DH:
        return cfg_set_tmp_dh_legacy(c, parg);
    case SSL_CTRL_SET_DH_AUTO:
        c->dh_auto = larg;
        return 1;
    case SSL_CTRL_SET_TMP_DH_CB:
        /* the callback goes through *_callback_ctrl */
        ERR_raise(ERR_LIB_SSL, ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED);
        return 0;
    case SSL_CTRL_SET_MSG_CALLBACK_ARG:
        c->msg_cb_arg = parg;
        return 1;
    case SSL_CTRL_SET_VERIFY_CERT_STORE:
    case SSL_CTRL_SET_CHAIN_CERT_STORE: {
        struct ssl_config_shared *w = cfg_shared_mut(c);
        if (w == NULL)
            return 0;
        return set_store(cmd == SSL_CTRL_SET_VERIFY_CERT_STORE ? &w->verify_store : &w->chain_store,
                         parg, larg);
    }
    case SSL_CTRL_GET_VERIFY_CERT_STORE:
        *(X509_STORE **)parg = c->sh->verify_store;
        return 1;
    case SSL_CTRL_GET_CHAIN_CERT_STORE:
        *(X509_STORE **)parg = c->sh->chain_store;
        return 1;
    case SSL_CTRL_CERT_FLAGS:
    case SSL_CTRL_CLEAR_CERT_FLAGS: {
        /* the Suite B bits are the ones a "SUITEB..." cipher string sets */
        uint32_t suiteb = (uint32_t)larg & SSL_CERT_FLAG_SUITEB_128_LOS;
        uint32_t other = (uint32_t)larg & ~(uint32_t)SSL_CERT_FLAG_SUITEB_128_LOS;
        if (cmd == SSL_CTRL_CERT_FLAGS) {
            c->suiteb_flags |= suiteb;
            c->cert_flags |= other;
        } else {
            c->suiteb_flags &= ~suiteb;
            c->cert_flags &= ~other;
        }
        return (long)(c->cert_flags | c->suiteb_flags);
    }
    case SSL_CTRL_GET_TLSEXT_STATUS_REQ_TYPE:
        return -1; /* OCSP stapling is not supported: never requested */
    default:
        *handled = 0;
        return 0;
    }
}

long SSL_CTX_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg)
{
    long ret;
    int handled;

    if (ctx == NULL) {
        if (cmd == SSL_CTRL_SET_GROUPS_LIST) {
            uint16_t g[SESAME_MAX_GROUPS];
            size_t n;
            return groups_parse_list(parg, g, SESAME_MAX_GROUPS, &n); /* validation only */
        }
        if (cmd == SSL_CTRL_SET_SIGALGS_LIST || cmd == SSL_CTRL_SET_CLIENT_SIGALGS_LIST) {
            uint16_t a[16];
            size_t n;
            return sigalgs_parse_list(parg, a, 16, &n);
        }
        return 0;
    }
    if (sess_ctx_ctrl(ctx, cmd, larg, parg, &ret))
        return ret;
    ret = cfg_ctrl(&ctx->cfg, ctx->method, cmd, larg, parg, &handled);
    if (handled)
        return ret;
    switch (cmd) {
    case SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG:
        ctx->servername_arg = parg;
        return 1;
    case SSL_CTRL_EXTRA_CHAIN_CERT:
        if (parg == NULL)
            return 0;
        if (ctx->extra_certs == NULL && (ctx->extra_certs = sk_X509_new_null()) == NULL)
            return 0;
        return sk_X509_push(ctx->extra_certs, parg) > 0;
    case SSL_CTRL_GET_EXTRA_CHAIN_CERTS:
        if (ctx->extra_certs == NULL && larg == 0)
            *(STACK_OF(X509) **)parg = ctx->cfg.sh->certs[ctx->cfg.cert_current].chain;
        else
            *(STACK_OF(X509) **)parg = ctx->extra_certs;
        return 1;
    case SSL_CTRL_CLEAR_EXTRA_CHAIN_CERTS:
        sk_X509_pop_free(ctx->extra_certs, X509_free);
        ctx->extra_certs = NULL;
        return 1;
    case SSL_CTRL_SET_TLSEXT_DEBUG_ARG:
        return 1;
    default:
        return 0;
    }
}

/* shared_group: SSL_get_shared_group, as OpenSSL 3.0: only a server knows
 * the peer's groups; the groups both list, in the client's order (ours
 * with SSL_OP_CIPHER_SERVER_PREFERENCE); |n| -1 asks for their number,
 * else the NID of the |n|th (0 when out of range). */
static long shared_group(const SSL *s, long n)
{
    long k = 0;
    if (s->server != 1)
        return 0;
    if (s->cfg.options & SSL_OP_CIPHER_SERVER_PREFERENCE) {
        for (size_t i = 0; i < s->cfg.sh->num_groups; i++) {
            uint16_t g = s->cfg.sh->groups[i];
            int peer_has = 0;
            for (size_t j = 0; groups_packed_at(s->peer_groups, j) != 0; j++)
                peer_has |= groups_packed_at(s->peer_groups, j) == g;
            if (!peer_has)
                continue;
            if (k++ == n)
                return group_to_nid(g);
        }
    } else {
        uint16_t g;
        for (size_t j = 0; (g = groups_packed_at(s->peer_groups, j)) != 0; j++) {
            int ours = 0;
            for (size_t i = 0; i < s->cfg.sh->num_groups; i++)
                ours |= s->cfg.sh->groups[i] == g;
            if (!ours)
                continue;
            if (k++ == n)
                return group_to_nid(g);
        }
    }
    return n == -1 ? k : 0;
}

/* tmp_key: SSL_get_peer_tmp_key / SSL_get_tmp_key: a new reference to a
 * key made now from the share kept (public values only: our private key
 * is gone with the handshake). */
static long tmp_key(const SSL *s, int peer, void *parg)
{
    if (parg == NULL || s->kex_shares == NULL)
        return 0;
    const uint8_t *pub = peer ? s->kex_shares : s->kex_shares + s->kex_peer_len;
    size_t len = peer ? s->kex_peer_len : s->kex_own_len;
    EVP_PKEY *pk = s->group == 0 && s->dhe_domain != NULL
                       ? kex_dh_public_key(s->dhe_domain, pub, len)
                       : kex_public_key(s->group, pub, len);
    if (pk == NULL)
        return 0;
    *(EVP_PKEY **)parg = pk;
    return 1;
}

long SSL_ctrl(SSL *s, int cmd, long larg, void *parg)
{
    long ret;
    int handled;

    ret = cfg_ctrl(&s->cfg, s->method, cmd, larg, parg, &handled);
    if (handled) {
        if (cmd == SSL_CTRL_SET_MAX_SEND_FRAGMENT && ret == 1)
            s->rl.max_frag = s->cfg.max_send_fragment;
        return ret;
    }
    switch (cmd) {
    case SSL_CTRL_SET_TLSEXT_HOSTNAME: {
        char *name = NULL;
        if (larg != TLSEXT_NAMETYPE_host_name) {
            ERR_raise(ERR_LIB_SSL, SSL_R_SSL3_EXT_INVALID_SERVERNAME_TYPE);
            return 0;
        }
        if (parg != NULL) {
            size_t len = strlen(parg);
            if (len == 0 || len > TLSEXT_MAXLEN_host_name) {
                ERR_raise(ERR_LIB_SSL, SSL_R_SSL3_EXT_INVALID_SERVERNAME);
                return 0;
            }
            if ((name = OPENSSL_strdup(parg)) == NULL) {
                ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
                return 0;
            }
        }
        OPENSSL_free(s->hostname);
        s->hostname = name;
        return 1;
    }
    case SSL_CTRL_GET_NEGOTIATED_GROUP:
        /* without a key exchange (psk_ke): the session's, as OpenSSL */
        if (s->group == 0 && s->session != NULL)
            return group_to_nid(s->session->group);
        return group_to_nid(s->group);
    case SSL_CTRL_GET_SHARED_GROUP:
        return shared_group(s, larg);
    case SSL_CTRL_GET_GROUPS:
        /* the peer's supported_groups as sent (OpenSSL: once a session
         * exists), unknown ones as TLSEXT_nid_unknown | id */
        if (s->session == NULL)
            return 0;
        if (parg != NULL)
            for (size_t i = 0; i < s->num_peer_groups_all; i++)
                ((int *)parg)[i] = group_report_nid(s->peer_groups_all[i]);
        return s->num_peer_groups_all;
    case SSL_CTRL_GET_PEER_SIGNATURE_NID:
    case SSL_CTRL_GET_SIGNATURE_NID: {
        uint16_t alg = cmd == SSL_CTRL_GET_PEER_SIGNATURE_NID ? s->peer_sigalg : s->own_sigalg;
        const struct sigalg_info *info = sigalg_lookup(alg);
        if (info == NULL || parg == NULL)
            return 0;
        *(int *)parg = info->md_nid;
        return 1;
    }
    case SSL_CTRL_GET_PEER_TMP_KEY:
    case SSL_CTRL_GET_TMP_KEY:
        return tmp_key(s, cmd == SSL_CTRL_GET_PEER_TMP_KEY, parg);
    case SSL_CTRL_GET_EXTMS_SUPPORT:
        if (s->session == NULL || s->phase != HS_PHASE_DONE)
            return -1;
        return s->session->ems ? 1 : 0;
    case SSL_CTRL_GET_RI_SUPPORT:
        return s->ri_support;
    case SSL_CTRL_GET_EC_POINT_FORMATS:
        /* TLS 1.2: the peer's list, as sent */
        if (s->peer_ec_point_formats == NULL || parg == NULL)
            return 0;
        *(const unsigned char **)parg = s->peer_ec_point_formats;
        return s->num_peer_ec_point_formats;
    case SSL_CTRL_GET_CLIENT_CERT_TYPES:
        /* a client: the types of the TLS 1.2 CertificateRequest, as sent */
        if (s->server == 1 || s->peer_cert_types == NULL)
            return 0;
        if (parg != NULL)
            *(const unsigned char **)parg = s->peer_cert_types;
        return s->num_peer_cert_types;
    case SSL_CTRL_GET_RAW_CIPHERLIST:
    case SSL_CTRL_GET_NUM_RENEGOTIATIONS:
    case SSL_CTRL_CLEAR_NUM_RENEGOTIATIONS:
    case SSL_CTRL_GET_TOTAL_RENEGOTIATIONS:
    case SSL_CTRL_GET_CLIENT_CERT_REQUEST:
        return 0;
    case SSL_CTRL_SET_TLSEXT_DEBUG_ARG:
        return 1;
    default:
        return 0;
    }
}

long SSL_CTX_callback_ctrl(SSL_CTX *ctx, int cmd, void (*fp)(void))
{
    long ret;
    if (ctx == NULL)
        return 0;
    if (sess_ctx_callback_ctrl(ctx, cmd, fp, &ret))
        return ret;
    switch (cmd) {
    case SSL_CTRL_SET_TLSEXT_SERVERNAME_CB:
        ctx->servername_cb = (int (*)(SSL *, int *, void *))fp;
        return 1;
    case SSL_CTRL_SET_MSG_CALLBACK:
        ctx->cfg.msg_cb = (void (*)(int, int, int, const void *, size_t, SSL *, void *))fp;
        return 1;
    case SSL_CTRL_SET_TMP_DH_CB:
        ctx->cfg.dh_tmp_cb = (DH * (*)(SSL *, int, int)) fp;
        return 1;
    case SSL_CTRL_SET_TLSEXT_DEBUG_CB:
        return 1; /* accepted, never called */
    default:
        return 0;
    }
}

long SSL_callback_ctrl(SSL *s, int cmd, void (*fp)(void))
{
    switch (cmd) {
    case SSL_CTRL_SET_MSG_CALLBACK:
        s->cfg.msg_cb = (void (*)(int, int, int, const void *, size_t, SSL *, void *))fp;
        return 1;
    case SSL_CTRL_SET_TMP_DH_CB:
        s->cfg.dh_tmp_cb = (DH * (*)(SSL *, int, int)) fp;
        return 1;
    case SSL_CTRL_SET_TLSEXT_DEBUG_CB:
        return 1;
    default:
        return 0;
    }
}
