/* pair.h - in-memory client/server pairs over the public OpenSSL API, for
 * handshake and session tests.  Certificates are made in memory with
 * libcrypto (an ECDSA P-256 CA and a leaf for "localhost").
 * Include after testutil.h, from one .c file per test executable. */
#ifndef SESAME_TESTS_PAIR_H
#define SESAME_TESTS_PAIR_H

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

typedef struct {
    EVP_PKEY *ca_key, *leaf_key;
    X509 *ca, *leaf;
} TEST_PKI;

static X509 *pair_make_cert(EVP_PKEY *key, EVP_PKEY *signer, X509 *issuer, const char *cn,
                            int is_ca, long not_after_days)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(uintptr_t)x & 0x7fffffff);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * not_after_days);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
    X509_set_pubkey(x, key);
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
    X509_EXTENSION *e;
    if (is_ca) {
        e = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
        e = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        e = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "DNS:localhost,DNS:other.example");
    }
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    X509_sign(x, signer, EVP_sha256());
    X509_NAME_free(n);
    return x;
}

static void pair_pki_init(TEST_PKI *p)
{
    p->ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    p->leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    p->ca = pair_make_cert(p->ca_key, p->ca_key, NULL, "test-ca", 1, 30);
    p->leaf = pair_make_cert(p->leaf_key, p->ca_key, p->ca, "localhost", 0, 30);
}

static void pair_pki_free(TEST_PKI *p)
{
    EVP_PKEY_free(p->ca_key);
    EVP_PKEY_free(p->leaf_key);
    X509_free(p->ca);
    X509_free(p->leaf);
}

/* pair_server_ctx: TLS server context with the leaf certificate. */
static SSL_CTX *pair_server_ctx(const TEST_PKI *p)
{
    SSL_CTX *c = SSL_CTX_new(TLS_server_method());
    if (c == NULL)
        return NULL;
    if (SSL_CTX_use_certificate(c, p->leaf) != 1 || SSL_CTX_use_PrivateKey(c, p->leaf_key) != 1) {
        SSL_CTX_free(c);
        return NULL;
    }
    return c;
}

/* pair_client_ctx: a verifying client context trusting the test CA. */
static SSL_CTX *pair_client_ctx(const TEST_PKI *p)
{
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    if (c == NULL)
        return NULL;
    X509_STORE_add_cert(SSL_CTX_get_cert_store(c), p->ca);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
    return c;
}

/* pair_new: a client and a server SSL joined by a BIO pair. */
static __attribute__((unused)) int pair_new(SSL_CTX *cctx, SSL_CTX *sctx, SSL **out_c, SSL **out_s)
{
    BIO *b1 = NULL, *b2 = NULL;
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    if (c == NULL || s == NULL || !BIO_new_bio_pair(&b1, 0, &b2, 0)) {
        SSL_free(c);
        SSL_free(s);
        return 0;
    }
    SSL_set_bio(c, b1, b1);
    SSL_set_bio(s, b2, b2);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    SSL_set_tlsext_host_name(c, "localhost");
    SSL_set1_host(c, "localhost");
    *out_c = c;
    *out_s = s;
    return 1;
}

/* pair_handshake drives both sides until both finish (1) or one fails (0). */
static __attribute__((unused)) int pair_handshake(SSL *c, SSL *s)
{
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 1000 && !(cdone && sdone); i++) {
        if (!cdone) {
            int r = SSL_do_handshake(c);
            if (r == 1)
                cdone = 1;
            else if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ &&
                     SSL_get_error(c, r) != SSL_ERROR_WANT_WRITE)
                return 0;
        }
        if (!sdone) {
            int r = SSL_do_handshake(s);
            if (r == 1)
                sdone = 1;
            else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ &&
                     SSL_get_error(s, r) != SSL_ERROR_WANT_WRITE)
                return 0;
        }
    }
    return cdone && sdone;
}

/* pair_pump_client lets the client read what the server sent after the
 * handshake (tickets), without application data. */
static __attribute__((unused)) void pair_pump_client(SSL *c)
{
    char b[16];
    int r = SSL_read(c, b, sizeof(b));
    (void)r;
    ERR_clear_error();
}

/* pair_roundtrip: the client writes |msg|, the server echoes it back. */
static __attribute__((unused)) int pair_roundtrip(SSL *c, SSL *s, const char *msg)
{
    char buf[256];
    int n = (int)strlen(msg);
    if (SSL_write(c, msg, n) != n)
        return 0;
    if (SSL_read(s, buf, sizeof(buf)) != n || memcmp(buf, msg, (size_t)n) != 0)
        return 0;
    if (SSL_write(s, buf, n) != n)
        return 0;
    return SSL_read(c, buf, sizeof(buf)) == n && memcmp(buf, msg, (size_t)n) == 0;
}

#endif
