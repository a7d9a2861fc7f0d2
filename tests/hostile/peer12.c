/* peer12.c - the hostile peer's TLS 1.2 (see peer.h, "TLS 1.2"): the PRF, records, both
 * roles' handshake steps.  libcrypto only; written from RFC 5246, 5288, 7627 and 8422,
 * sharing no code with the library under test. */
#include "peer.h"
#include "peer_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#define SIGALG_ECDSA_P256_SHA256 0x0403
#define SIGALG_RSA_PSS_SHA256    0x0804
#define SIGALG_RSA_PKCS1_SHA256  0x0401
#define CURVE_TYPE_NAMED         3
#define EXPLICIT_NONCE_LEN       8 /* RFC 5288 3 */
#define TAG_LEN                  16
#define MASTER_LEN               48
#define VERIFY_DATA_LEN          12
#define MAX_PMS                  1024 /* a DHE premaster secret of up to 8192 bits */

/* RFC 8446 4.1.3: what a TLS 1.3 server negotiating TLS 1.2 ends its random with. */
static const uint8_t k_downgrade12[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', 1};

static void die(const char *what)
{
    fprintf(stderr, "hostile peer: %s failed\n", what);
    abort();
}

/* ---- the PRF (RFC 5246 5), libcrypto's TLS1-PRF over SHA-256 ---- */

static void prf(const uint8_t *secret, size_t secret_len, const char *label, const uint8_t *s1,
                size_t s1_len, const uint8_t *s2, size_t s2_len, uint8_t *out, size_t out_len)
{
    HP_BUF seed = {0};
    hp_buf_add(&seed, label, strlen(label));
    hp_buf_add(&seed, s1, s1_len);
    hp_buf_add(&seed, s2, s2_len);
    /* a new context each time: OpenSSL 3.0's TLS1-PRF appends every seed it is given */
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *c = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[4];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    params[1] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed.p, seed.n);
    params[3] = OSSL_PARAM_construct_end();
    int ok = c != NULL && EVP_KDF_derive(c, out, out_len, params) > 0;
    EVP_KDF_CTX_free(c);
    EVP_KDF_free(kdf);
    hp_buf_free(&seed);
    if (!ok)
        die("TLS1-PRF");
}

static void transcript_hash(HP *p, uint8_t out[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int n;
    if (c == NULL || !EVP_MD_CTX_copy_ex(c, p->transcript) || !EVP_DigestFinal_ex(c, out, &n))
        die("transcript hash");
    EVP_MD_CTX_free(c);
}

/* ---- records: AES-128-GCM with an explicit nonce (RFC 5288 3, RFC 5246 6.2.3.3) ---- */

static void be64(uint64_t v, uint8_t out[8])
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* aad: seq_num || type || version || length (of the plaintext) */
static void make_aad(uint64_t seq, uint8_t type, size_t len, uint8_t aad[13])
{
    be64(seq, aad);
    aad[8] = type;
    aad[9] = 3;
    aad[10] = 3;
    aad[11] = (uint8_t)(len >> 8);
    aad[12] = (uint8_t)len;
}

void hp12_seal(HP *p, uint8_t type, const void *data, size_t len, HP_BUF *out)
{
    size_t clen = EXPLICIT_NONCE_LEN + len + TAG_LEN;
    uint8_t hdr[5] = {type, 3, 3, (uint8_t)(clen >> 8), (uint8_t)clen};
    uint8_t nonce[12], aad[13], tag[TAG_LEN];
    uint8_t *ct = malloc(len + 1);
    int n = 0;
    if (ct == NULL)
        abort();
    /* the explicit part of the nonce is the sequence number, as most implementations do */
    memcpy(nonce, p->wr.iv, 4);
    be64(p->wr.seq, nonce + 4);
    make_aad(p->wr.seq, type, len, aad);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int ok = c != NULL && EVP_EncryptInit_ex2(c, EVP_aes_128_gcm(), p->wr.key, nonce, NULL) &&
             EVP_EncryptUpdate(c, NULL, &n, aad, sizeof(aad)) &&
             (len == 0 || EVP_EncryptUpdate(c, ct, &n, data, (int)len)) &&
             EVP_EncryptFinal_ex(c, ct + len, &n) &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, tag);
    EVP_CIPHER_CTX_free(c);
    if (!ok)
        die("AES-GCM seal (TLS 1.2)");
    hp_buf_add(out, hdr, 5);
    hp_buf_add(out, nonce + 4, EXPLICIT_NONCE_LEN);
    hp_buf_add(out, ct, len);
    hp_buf_add(out, tag, TAG_LEN);
    p->wr.seq++;
    free(ct);
}

int hp12_open(HP *p, size_t len)
{
    uint8_t *body = p->rec + 5, nonce[12], aad[13];
    int n = 0;
    if (len < EXPLICIT_NONCE_LEN + TAG_LEN)
        return hp_fail(p, "protected TLS 1.2 record of %zu bytes from the victim", len);
    size_t pt_len = len - EXPLICIT_NONCE_LEN - TAG_LEN;
    uint8_t *ct = body + EXPLICIT_NONCE_LEN;
    memcpy(nonce, p->rd.iv, 4);
    memcpy(nonce + 4, body, EXPLICIT_NONCE_LEN);
    make_aad(p->rd.seq, p->rec[0], pt_len, aad);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int ok = c != NULL && EVP_DecryptInit_ex2(c, EVP_aes_128_gcm(), p->rd.key, nonce, NULL) &&
             EVP_DecryptUpdate(c, NULL, &n, aad, sizeof(aad)) &&
             (pt_len == 0 || EVP_DecryptUpdate(c, ct, &n, ct, (int)pt_len)) &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, ct + pt_len) &&
             EVP_DecryptFinal_ex(c, ct + pt_len, &n) > 0;
    EVP_CIPHER_CTX_free(c);
    if (!ok)
        return hp_fail(p, "a TLS 1.2 record from the victim does not open (seq %llu)",
                       (unsigned long long)p->rd.seq);
    p->rd.seq++;
    p->rec_type = p->rec[0];
    p->rec_data = ct;
    p->rec_len = pt_len;
    return 1;
}

/* ---- ChangeCipherSpec, keys, Finished (RFC 5246 6.3, 7.1, 7.4.9, 8.1; RFC 7627 4) ---- */

int hp12_victim_ccs(HP *p)
{
    if (p->rec_len != 1 || p->rec_data[0] != 1)
        return hp_fail(p, "malformed change_cipher_spec from the victim");
    if (p->rd.on)
        return hp_fail(p, "a second change_cipher_spec from the victim");
    if (!p->rd_next.on)
        return hp_fail(p, "change_cipher_spec from the victim before the key exchange");
    p->rd = p->rd_next;
    p->rd.seq = 0;
    return 1;
}

int hp12_send_ccs(HP *p)
{
    static const uint8_t one = 1;
    if (!p->wr_next.on)
        return hp_fail(p, "our change_cipher_spec before the key exchange");
    if (!hp_send_plain(p, HP_CT_CCS, &one, 1))
        return 0;
    p->wr = p->wr_next;
    p->wr.seq = 0;
    return 1;
}

/* hp_kex12_derive: the premaster secret with the victim's value, as a client of a curve or
 * DHE other than X25519 (RFC 8422 5.10; RFC 5246 8.1.2: DHE's without its leading zeros,
 * which libcrypto's DH derivation leaves out unless asked to pad). */
int hp_kex12_derive(HP *p, uint8_t *out, size_t *out_len)
{
    EVP_PKEY *peer = EVP_PKEY_new();
    EVP_PKEY_CTX *c = NULL;
    int ok = peer != NULL && p->kex12 != NULL && EVP_PKEY_copy_parameters(peer, p->kex12) > 0 &&
             EVP_PKEY_set1_encoded_public_key(peer, p->kex12_peer.p, p->kex12_peer.n) > 0 &&
             (c = EVP_PKEY_CTX_new_from_pkey(NULL, p->kex12, NULL)) != NULL &&
             EVP_PKEY_derive_init(c) > 0 && EVP_PKEY_derive_set_peer(c, peer) > 0 &&
             EVP_PKEY_derive(c, out, out_len) > 0;
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(peer);
    return ok ? 1 : hp_fail(p, "no shared secret with the victim's key exchange value");
}

void hp12_key_block(HP *p)
{
    uint8_t kb[2 * 16 + 2 * 4];
    /* RFC 5246 6.3: client_write_key, server_write_key, client_write_IV, server_write_IV */
    prf(p->master12, MASTER_LEN, "key expansion", p->server_random, 32, p->client_random, 32, kb,
        sizeof(kb));
    HP_DIR *cw = p->is_server ? &p->rd_next : &p->wr_next;
    HP_DIR *sw = p->is_server ? &p->wr_next : &p->rd_next;
    memset(cw, 0, sizeof(*cw));
    memset(sw, 0, sizeof(*sw));
    memcpy(cw->key, kb, 16);
    memcpy(sw->key, kb + 16, 16);
    memcpy(cw->iv, kb + 32, 4);
    memcpy(sw->iv, kb + 36, 4);
    cw->on = sw->on = 1;
    OPENSSL_cleanse(kb, sizeof(kb));
}

int hp12_derive(HP *p)
{
    uint8_t pms[MAX_PMS], h[32];
    size_t pms_len = sizeof(pms);
    if (!p->ems)
        return hp_fail(p, "no extended master secret negotiated");
    if (p->is_server || p->kex12_group == HP_GROUP_X25519) {
        if (!hp_kex_derive(p, pms))
            return 0;
        pms_len = 32;
    } else if (!hp_kex12_derive(p, pms, &pms_len)) {
        return 0;
    }
    /* RFC 7627 4: the session hash covers the messages through ClientKeyExchange */
    transcript_hash(p, h);
    prf(pms, pms_len, "extended master secret", h, sizeof(h), NULL, 0, p->master12, MASTER_LEN);
    OPENSSL_cleanse(pms, sizeof(pms));
    hp12_key_block(p);
    return 1;
}

static void verify_data(HP *p, int from_server, uint8_t out[VERIFY_DATA_LEN])
{
    uint8_t h[32];
    transcript_hash(p, h);
    prf(p->master12, MASTER_LEN, from_server ? "server finished" : "client finished", h, sizeof(h),
        NULL, 0, out, VERIFY_DATA_LEN);
}

HP_BUF hp12_finished_msg(HP *p, int from_server)
{
    uint8_t *vd = from_server ? p->server_vd : p->client_vd;
    verify_data(p, from_server, vd);
    return hp_hs_msg(HP_HS_FINISHED, vd, VERIFY_DATA_LEN);
}

int hp12_send_finished(HP *p)
{
    HP_BUF m = hp12_finished_msg(p, p->is_server);
    int ok = hp_send_hs(p, &m);
    hp_buf_free(&m);
    return ok;
}

int hp12_recv_finished(HP *p)
{
    int from_server = !p->is_server;
    uint8_t *want = from_server ? p->server_vd : p->client_vd;
    HP_BUF fin = {0};
    verify_data(p, from_server, want);
    if (!hp_recv_hs(p, HP_HS_FINISHED, &fin, 1))
        return 0;
    int ok = fin.n == VERIFY_DATA_LEN && CRYPTO_memcmp(fin.p, want, VERIFY_DATA_LEN) == 0;
    hp_buf_free(&fin);
    if (!p->rd.on)
        return hp_fail(p, "the victim's Finished came without its change_cipher_spec");
    if (!ok)
        return hp_fail(p, "the victim's Finished does not verify (our key schedule is wrong)");
    return 1;
}

/* ---- the client's side ---- */

HP_BUF hp12_client_hello(HP *p, const HP12_CH_OPTS *o)
{
    static const HP12_CH_OPTS defaults;
    static const uint16_t one_suite[] = {HP_SUITE12_ECDSA_AES128_GCM};
    /* P-256 too: the curve of an ECDSA certificate must be one the client names (RFC 8422
     * 5.3; OpenSSL insists), though the key exchange is X25519 when the victim may choose */
    static const uint16_t two_groups[] = {HP_GROUP_X25519, HP_GROUP_SECP256R1};
    HP_BUF body = {0}, exts = {0}, ri = {0}, groups = {0};
    if (o == NULL)
        o = &defaults;
    const uint16_t *suites = o->suites != NULL ? o->suites : one_suite;
    size_t num = o->suites != NULL ? o->num_suites : 1;
    const uint16_t *gl = o->groups != NULL ? o->groups : two_groups;
    size_t num_groups = o->groups != NULL ? o->num_groups : 2;
    RAND_bytes(p->client_random, 32);

    hp_buf_u16(&body, o->legacy_version ? o->legacy_version : 0x0303);
    hp_buf_add(&body, p->client_random, 32);
    /* RFC 5246 7.4.1.2: the id of the session to resume, or none */
    size_t sid_len = o->resume ? p->sid12_len : 0;
    hp_buf_u8(&body, (unsigned)sid_len);
    hp_buf_add(&body, p->sid12, sid_len);
    hp_buf_u16(&body, (unsigned)(2 * (num + (o->fallback_scsv ? 1 : 0))));
    for (size_t i = 0; i < num; i++)
        hp_buf_u16(&body, suites[i]);
    if (o->fallback_scsv)
        hp_buf_u16(&body, HP_SCSV_FALLBACK);
    hp_buf_u8(&body, 1);
    hp_buf_u8(&body, 0);

    hp_buf_u16(&groups, (unsigned)(2 * num_groups));
    for (size_t i = 0; i < num_groups; i++)
        hp_buf_u16(&groups, gl[i]);
    hp_buf_ext(&exts, HP_EXT_SUPPORTED_GROUPS, groups.p, groups.n);
    static const uint8_t formats[] = {1, 0}; /* uncompressed */
    hp_buf_ext(&exts, HP_EXT_EC_POINT_FORMATS, formats, sizeof(formats));
    static const uint8_t sigalgs[] = {0,
                                      6,
                                      SIGALG_ECDSA_P256_SHA256 >> 8,
                                      SIGALG_ECDSA_P256_SHA256 & 0xff,
                                      SIGALG_RSA_PSS_SHA256 >> 8,
                                      SIGALG_RSA_PSS_SHA256 & 0xff,
                                      SIGALG_RSA_PKCS1_SHA256 >> 8,
                                      SIGALG_RSA_PKCS1_SHA256 & 0xff};
    hp_buf_ext(&exts, HP_EXT_SIGNATURE_ALGORITHMS, sigalgs, sizeof(sigalgs));
    if (!o->no_ems)
        hp_buf_ext(&exts, HP_EXT_EXTENDED_MASTER_SECRET, NULL, 0);
    if (!o->no_reneg_info) {
        /* RFC 5746 3.2: renegotiated_connection, empty on a first handshake */
        hp_buf_u8(&ri, (unsigned)o->reneg_info_len);
        hp_buf_add(&ri, o->reneg_info, o->reneg_info_len);
        hp_buf_ext(&exts, HP_EXT_RENEGOTIATION_INFO, ri.p, ri.n);
    }
    hp_buf_u16(&body, (unsigned)exts.n);
    hp_buf_add(&body, exts.p, exts.n);
    HP_BUF m = hp_hs_msg(HP_HS_CLIENT_HELLO, body.p, body.n);
    hp_buf_free(&body);
    hp_buf_free(&exts);
    hp_buf_free(&ri);
    hp_buf_free(&groups);
    return m;
}

int hp12_client_send_hello(HP *p, const HP12_CH_OPTS *o)
{
    p->tls12 = 1;
    HP_BUF m = hp12_client_hello(p, o);
    hp_transcript_add(p, m.p, m.n);
    /* the record version of a first ClientHello: 0x0301, or the hello's own when older */
    uint16_t rv = o != NULL && o->legacy_version != 0 && o->legacy_version < 0x0301
                      ? o->legacy_version
                      : 0x0301;
    size_t frag = p->hs_frag ? p->hs_frag : m.n;
    int ok = 1;
    for (size_t off = 0; ok && off < m.n; off += frag) {
        size_t n = m.n - off < frag ? m.n - off : frag;
        ok = hp_send_plain_v(p, rv, HP_CT_HANDSHAKE, m.p + off, n);
    }
    hp_buf_free(&m);
    return ok;
}

int hp12_client_recv_server_hello(HP *p)
{
    HP_BUF body = {0};
    RD r, random, sid, exts, ext;
    unsigned version, suite, comp;
    int ok = 0;
    if (!hp_recv_hs(p, HP_HS_SERVER_HELLO, &body, 1))
        goto out;
    r.p = body.p;
    r.n = body.n;
    if (!rd_u16(&r, &version) || !rd_bytes(&r, 32, &random) || !rd_u8_prefixed(&r, &sid) ||
        sid.n > sizeof(p->sid12) || !rd_u16(&r, &suite) || !rd_u8(&r, &comp) ||
        !rd_u16_prefixed(&r, &exts)) {
        hp_fail(p, "malformed ServerHello from the victim");
        goto out;
    }
    if (version != 0x0303 || find_ext(exts, HP_EXT_SUPPORTED_VERSIONS, &ext)) {
        hp_fail(p, "the victim did not choose TLS 1.2 (version 0x%04x)", version);
        goto out;
    }
    if (suite != HP_SUITE12_ECDSA_AES128_GCM && suite != HP_SUITE12_DHE_RSA_AES128_GCM) {
        hp_fail(p, "the victim chose suite 0x%04x", suite);
        goto out;
    }
    memcpy(p->server_random, random.p, 32);
    p->suite12 = (uint16_t)suite;
    p->ems = find_ext(exts, HP_EXT_EXTENDED_MASTER_SECRET, &ext);
    p->victim_reneg_info = find_ext(exts, HP_EXT_RENEGOTIATION_INFO, &ext);
    if (!p->ems) {
        hp_fail(p, "the victim's ServerHello has no extended_master_secret");
        goto out;
    }
    /* RFC 5246 7.4.1.3: the id we offered echoed is a resumption */
    p->resumed12 = p->sid12_len > 0 && sid.n == p->sid12_len && memcmp(sid.p, p->sid12, sid.n) == 0;
    memcpy(p->sid12, sid.p, sid.n);
    p->sid12_len = sid.n;
    ok = 1;
out:
    hp_buf_free(&body);
    return ok;
}

/* recv_ske parses the victim's ServerKeyExchange: ServerECDHParams (RFC 8422 5.4) or
 * ServerDHParams (RFC 5246 7.4.3); the signature after them is not checked. */
static int recv_ske(HP *p)
{
    HP_BUF body = {0};
    RD r, point, dp, dg, ys;
    unsigned curve_type, group;
    int ok = 0;
    if (!hp_recv_hs(p, HP_HS_SERVER_KEY_EXCHANGE, &body, 1))
        goto out;
    r.p = body.p;
    r.n = body.n;
    p->kex12_peer.n = p->dh_p.n = p->dh_g.n = 0;
    if (p->suite12 == HP_SUITE12_DHE_RSA_AES128_GCM) {
        if (!rd_u16_prefixed(&r, &dp) || !rd_u16_prefixed(&r, &dg) || !rd_u16_prefixed(&r, &ys) ||
            dp.n == 0 || dg.n == 0 || ys.n == 0) {
            hp_fail(p, "malformed ServerDHParams from the victim");
            goto out;
        }
        p->kex12_group = HP_KEX12_DHE;
        hp_buf_add(&p->dh_p, dp.p, dp.n);
        hp_buf_add(&p->dh_g, dg.p, dg.n);
        hp_buf_add(&p->kex12_peer, ys.p, ys.n);
        ok = 1;
        goto out;
    }
    if (!rd_u8(&r, &curve_type) || !rd_u16(&r, &group) || !rd_u8_prefixed(&r, &point) ||
        curve_type != CURVE_TYPE_NAMED ||
        !((group == HP_GROUP_X25519 && point.n == 32) ||
          (group == HP_GROUP_SECP256R1 && point.n == 65))) {
        hp_fail(p, "the victim's ServerKeyExchange is neither X25519 nor P-256");
        goto out;
    }
    p->kex12_group = (uint16_t)group;
    if (group == HP_GROUP_X25519) {
        memcpy(p->peer_share, point.p, 32);
        p->have_peer_share = 1;
    } else {
        hp_buf_add(&p->kex12_peer, point.p, point.n);
    }
    ok = 1;
out:
    hp_buf_free(&body);
    return ok;
}

int hp12_client_recv_server_flight(HP *p)
{
    if (!hp12_client_recv_server_hello(p))
        return 0;
    if (p->resumed12)
        return hp_fail(p, "the victim resumed a session");
    return hp_recv_hs(p, HP_HS_CERTIFICATE, NULL, 1) && recv_ske(p) &&
           hp_recv_hs(p, HP_HS_SERVER_HELLO_DONE, NULL, 1);
}

/* dh_domain: a DH key of the victim's domain (p, g), for its parameters. */
static EVP_PKEY *dh_domain(HP *p)
{
    BIGNUM *bp = BN_bin2bn(p->dh_p.p, (int)p->dh_p.n, NULL);
    BIGNUM *bg = BN_bin2bn(p->dh_g.p, (int)p->dh_g.n, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    EVP_PKEY *dom = NULL;
    if (bp != NULL && bg != NULL && bld != NULL && c != NULL &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, bp) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, bg) &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(c) > 0 &&
        EVP_PKEY_fromdata(c, &dom, EVP_PKEY_KEY_PARAMETERS, params) <= 0)
        dom = NULL;
    OSSL_PARAM_free(params);
    EVP_PKEY_CTX_free(c);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bp);
    BN_free(bg);
    return dom;
}

/* kex12_keygen: our key for the victim's choice (not X25519). */
static EVP_PKEY *kex12_keygen(HP *p)
{
    if (p->kex12_group == HP_GROUP_SECP256R1)
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *dom = dh_domain(p), *key = NULL;
    EVP_PKEY_CTX *c = dom != NULL ? EVP_PKEY_CTX_new_from_pkey(NULL, dom, NULL) : NULL;
    if (c == NULL || EVP_PKEY_keygen_init(c) <= 0 || EVP_PKEY_keygen(c, &key) <= 0)
        key = NULL;
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(dom);
    return key;
}

HP_BUF hp12_client_key_exchange_msg(HP *p)
{
    if (p->kex12_group == HP_GROUP_X25519 || p->kex12_group == 0) {
        uint8_t point[1 + 32] = {32};
        hp_kex_keygen(p, point + 1);
        return hp_hs_msg(HP_HS_CLIENT_KEY_EXCHANGE, point, sizeof(point));
    }
    /* RFC 8422 5.7: ECPoint point<1..2^8-1>; RFC 5246 7.4.7.2: dh_Yc<1..2^16-1> */
    HP_BUF body = {0};
    unsigned char *pub = NULL;
    size_t n = 0;
    if (p->kex12 == NULL)
        p->kex12 = kex12_keygen(p);
    if (p->kex12 == NULL || (n = EVP_PKEY_get1_encoded_public_key(p->kex12, &pub)) == 0)
        die("our key exchange value (TLS 1.2)");
    if (p->kex12_group == HP_KEX12_DHE)
        hp_buf_u16(&body, (unsigned)n);
    else
        hp_buf_u8(&body, (unsigned)n);
    hp_buf_add(&body, pub, n);
    OPENSSL_free(pub);
    HP_BUF m = hp_hs_msg(HP_HS_CLIENT_KEY_EXCHANGE, body.p, body.n);
    hp_buf_free(&body);
    return m;
}

int hp12_client_send_cke(HP *p)
{
    HP_BUF m = hp12_client_key_exchange_msg(p);
    int ok = hp_send_hs(p, &m) && hp12_derive(p);
    hp_buf_free(&m);
    return ok;
}

int hp12_client_handshake(HP *p, const HP12_CH_OPTS *o)
{
    if (!hp12_client_send_hello(p, o) || !hp12_client_recv_server_hello(p))
        return 0;
    if (p->resumed12) {
        /* RFC 5246 7.3: the server's change_cipher_spec and Finished come first */
        hp12_key_block(p);
        return hp12_recv_finished(p) && hp12_send_ccs(p) && hp12_send_finished(p);
    }
    return hp_recv_hs(p, HP_HS_CERTIFICATE, NULL, 1) && recv_ske(p) &&
           hp_recv_hs(p, HP_HS_SERVER_HELLO_DONE, NULL, 1) && hp12_client_send_cke(p) &&
           hp12_send_ccs(p) && hp12_send_finished(p) && hp12_recv_finished(p);
}

int hp12_close(HP *p)
{
    if (!hp_send_alert(p, 1, HP_AD_CLOSE_NOTIFY))
        return 0;
    /* the victim's close_notify, its end, or (in-process) nothing more to say */
    int r = hp_pump(p, 0);
    if (p->alert_level >= 0 && p->alert_desc != HP_AD_CLOSE_NOTIFY)
        return hp_fail(p, "the victim answered our close_notify with %s",
                       hp_alert_name(p->alert_desc));
    return r != HP_IO_ERR ? 1 : hp_fail(p, "the connection failed at its close");
}

/* ---- the server's side ---- */

int hp12_server_recv_hello(HP *p)
{
    HP_BUF body = {0};
    RD r, random, sid, suites, comp, exts, ext, groups;
    unsigned version, v;
    int ok = 0, have_suite = 0, have_group = 0;
    p->tls12 = 1;
    if (!hp_recv_hs(p, HP_HS_CLIENT_HELLO, &body, 1))
        return 0;
    r.p = body.p;
    r.n = body.n;
    if (!rd_u16(&r, &version) || !rd_bytes(&r, 32, &random) || !rd_u8_prefixed(&r, &sid) ||
        !rd_u16_prefixed(&r, &suites) || !rd_u8_prefixed(&r, &comp) ||
        !rd_u16_prefixed(&r, &exts)) {
        hp_fail(p, "malformed ClientHello from the victim");
        goto out;
    }
    memcpy(p->client_random, random.p, 32);
    if (sid.n > sizeof(p->victim_sid12)) {
        hp_fail(p, "the victim's session id has %zu bytes", sid.n);
        goto out;
    }
    memcpy(p->victim_sid12, sid.p, sid.n);
    p->victim_sid12_len = sid.n;
    while (rd_u16(&suites, &v))
        have_suite |= v == HP_SUITE12_ECDSA_AES128_GCM;
    if (!have_suite) {
        hp_fail(p, "the victim does not offer ECDHE-ECDSA-AES128-GCM-SHA256");
        goto out;
    }
    if (find_ext(exts, HP_EXT_SUPPORTED_GROUPS, &ext) && rd_u16_prefixed(&ext, &groups))
        while (rd_u16(&groups, &v))
            have_group |= v == HP_GROUP_X25519;
    if (!have_group) {
        hp_fail(p, "the victim does not offer X25519");
        goto out;
    }
    p->ems = find_ext(exts, HP_EXT_EXTENDED_MASTER_SECRET, &ext);
    p->victim_ec_formats = find_ext(exts, HP_EXT_EC_POINT_FORMATS, &ext);
    p->victim_ticket_ext = find_ext(exts, HP_EXT_SESSION_TICKET, &ext);
    if (!p->ems) {
        hp_fail(p, "the victim does not offer extended_master_secret");
        goto out;
    }
    ok = 1;
out:
    hp_buf_free(&body);
    return ok;
}

int hp12_server_send_hello(HP *p, const HP12_SH_OPTS *o)
{
    static const HP12_SH_OPTS defaults;
    HP_BUF body = {0}, exts = {0};
    if (o == NULL)
        o = &defaults;
    RAND_bytes(p->server_random, 32);
    if (o->downgrade_sentinel)
        memcpy(p->server_random + 24, k_downgrade12, 8);
    if (o->resume) {
        /* RFC 5246 7.4.1.3: the id the client offered, echoed */
        memcpy(p->sid12, p->victim_sid12, p->victim_sid12_len);
        p->sid12_len = p->victim_sid12_len;
    } else {
        /* a new session (never the victim's TLS 1.3 one) */
        RAND_bytes(p->sid12, sizeof(p->sid12));
        p->sid12_len = sizeof(p->sid12);
    }
    hp_buf_u16(&body, o->version ? o->version : 0x0303);
    hp_buf_add(&body, p->server_random, 32);
    hp_buf_u8(&body, (unsigned)p->sid12_len);
    hp_buf_add(&body, p->sid12, p->sid12_len);
    hp_buf_u16(&body, o->suite ? o->suite : HP_SUITE12_ECDSA_AES128_GCM);
    hp_buf_u8(&body, 0);
    if (!o->no_reneg_info) {
        static const uint8_t empty_ri[] = {0};
        hp_buf_ext(&exts, HP_EXT_RENEGOTIATION_INFO, empty_ri, sizeof(empty_ri));
    }
    if (p->ems && !o->no_ems)
        hp_buf_ext(&exts, HP_EXT_EXTENDED_MASTER_SECRET, NULL, 0);
    if (p->victim_ec_formats) {
        static const uint8_t formats[] = {1, 0};
        hp_buf_ext(&exts, HP_EXT_EC_POINT_FORMATS, formats, sizeof(formats));
    }
    if (o->ticket_ext)
        hp_buf_ext(&exts, HP_EXT_SESSION_TICKET, NULL, 0);
    if (o->ticket_ext_body) {
        static const uint8_t junk = 0; /* RFC 5077 3.2: the server's extension is empty */
        hp_buf_ext(&exts, HP_EXT_SESSION_TICKET, &junk, 1);
    }
    hp_buf_u16(&body, (unsigned)exts.n);
    hp_buf_add(&body, exts.p, exts.n);
    HP_BUF m = hp_hs_msg(HP_HS_SERVER_HELLO, body.p, body.n);
    int ok = hp_send_hs(p, &m);
    hp_buf_free(&m);
    hp_buf_free(&body);
    hp_buf_free(&exts);
    return ok;
}

int hp12_server_send_cert(HP *p)
{
    HP_BUF body = {0};
    unsigned char *der = NULL;
    int der_len = i2d_X509(p->cert, &der);
    if (der_len <= 0)
        return hp_fail(p, "cannot encode our certificate");
    hp_buf_u24(&body, 3 + (unsigned long)der_len);
    hp_buf_u24(&body, (unsigned long)der_len);
    hp_buf_add(&body, der, (size_t)der_len);
    OPENSSL_free(der);
    HP_BUF m = hp_hs_msg(HP_HS_CERTIFICATE, body.p, body.n);
    int ok = hp_send_hs(p, &m);
    hp_buf_free(&m);
    hp_buf_free(&body);
    return ok;
}

int hp12_server_send_ske(HP *p, const HP12_SH_OPTS *o)
{
    static const HP12_SH_OPTS defaults;
    HP_BUF params = {0}, tbs = {0}, body = {0};
    uint8_t pub[32], sig[256];
    size_t sig_len = sizeof(sig);
    if (o == NULL)
        o = &defaults;
    if (!hp_kex_keygen(p, pub))
        return 0;
    /* RFC 8422 5.4: ServerECDHParams, signed with both randoms before them */
    hp_buf_u8(&params, CURVE_TYPE_NAMED);
    hp_buf_u16(&params, o->ske_group ? o->ske_group : HP_GROUP_X25519);
    hp_buf_u8(&params, sizeof(pub));
    hp_buf_add(&params, pub, sizeof(pub));
    hp_buf_add(&tbs, p->client_random, 32);
    hp_buf_add(&tbs, p->server_random, 32);
    hp_buf_add(&tbs, params.p, params.n);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c != NULL && EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, p->key) > 0 &&
             EVP_DigestSign(c, sig, &sig_len, tbs.p, tbs.n) > 0;
    EVP_MD_CTX_free(c);
    hp_buf_free(&tbs);
    if (!ok) {
        hp_buf_free(&params);
        return hp_fail(p, "ServerKeyExchange signature failed (need an ECDSA P-256 key)");
    }
    if (o->bad_signature)
        sig[sig_len / 2] ^= 0x01;
    hp_buf_add(&body, params.p, params.n);
    hp_buf_u16(&body, SIGALG_ECDSA_P256_SHA256);
    hp_buf_u16(&body, (unsigned)sig_len);
    hp_buf_add(&body, sig, sig_len);
    HP_BUF m = hp_hs_msg(HP_HS_SERVER_KEY_EXCHANGE, body.p, body.n);
    ok = hp_send_hs(p, &m);
    hp_buf_free(&m);
    hp_buf_free(&body);
    hp_buf_free(&params);
    return ok;
}

int hp12_server_send_done(HP *p)
{
    HP_BUF m = hp_hs_msg(HP_HS_SERVER_HELLO_DONE, NULL, 0);
    int ok = hp_send_hs(p, &m);
    hp_buf_free(&m);
    return ok;
}

int hp12_server_send_flight(HP *p, const HP12_SH_OPTS *o)
{
    return hp12_server_send_hello(p, o) && hp12_server_send_cert(p) && hp12_server_send_ske(p, o) &&
           hp12_server_send_done(p);
}

int hp12_server_recv_cke(HP *p)
{
    HP_BUF body = {0};
    RD r, point;
    if (!hp_recv_hs(p, HP_HS_CLIENT_KEY_EXCHANGE, &body, 1))
        return 0;
    r.p = body.p;
    r.n = body.n;
    int ok = rd_u8_prefixed(&r, &point) && point.n == 32 && r.n == 0;
    if (ok) {
        memcpy(p->peer_share, point.p, 32);
        p->have_peer_share = 1;
    }
    hp_buf_free(&body);
    if (!ok)
        return hp_fail(p, "the victim's ClientKeyExchange is not an X25519 point");
    return hp12_derive(p);
}

int hp12_server_handshake(HP *p, const HP12_SH_OPTS *o)
{
    return hp12_server_recv_hello(p) && hp12_server_send_flight(p, o) && hp12_server_recv_cke(p) &&
           hp12_recv_finished(p) && hp12_send_ccs(p) && hp12_send_finished(p);
}
