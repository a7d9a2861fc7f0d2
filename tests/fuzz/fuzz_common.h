/* fuzz_common.h - shared helpers for the fuzz targets in tests/fuzz/ and the
 * corpus generator.  Everything is static inline so a target that uses only
 * some helpers still compiles cleanly with -Wall -Wextra -Werror.
 *
 * Determinism: the ticket-related targets and the generator agree on
 *   - FUZZ_TICKET_KEYS: the 80 application ticket keys (name 16 || HMAC 32 ||
 *     AES 32) set with SSL_CTX_set_tlsext_ticket_keys, and
 *   - FUZZ_CLOCK_MS: the session clock (ticket_keys_set_clock_for_test),
 * so a ticket written into tests/fuzz/corpus/ by gen_corpus never expires and
 * always decrypts in fuzz_ticket_open and fuzz_server_first_flight. */
#ifndef SESAME_TESTS_FUZZ_COMMON_H
#define SESAME_TESTS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/clock.h"
#include "session/ticket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fuzz-found bug: print and abort, so libFuzzer and the replay driver
 * both report it as a crash with the input that caused it. */
#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: FUZZ_ASSERT failed: %s\n", __FILE__, __LINE__, #cond);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* 2023-11-14T22:13:20Z; any fixed value works, it only has to be the same
 * in the generator and in the targets. */
#define FUZZ_CLOCK_MS UINT64_C(1700000000000)

static inline uint64_t fuzz_clock(void)
{
    return FUZZ_CLOCK_MS;
}

static inline void fuzz_ticket_keys(uint8_t keys[80])
{
    for (int i = 0; i < 80; i++)
        keys[i] = (uint8_t)(0xA0 ^ (i * 7));
}

/* fuzz_cert_new: a self-signed ECDSA P-256 certificate for "localhost". The
 * key is fresh each time (the fuzzed code never depends on it). */
static inline int fuzz_cert_new(EVP_PKEY **out_key, X509 **out_cert)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    int ok = key != NULL && x != NULL && n != NULL && X509_set_version(x, 2) &&
             ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
             X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL &&
             X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365 * 20) != NULL &&
             X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"localhost",
                                        -1, -1, 0) &&
             X509_set_subject_name(x, n) && X509_set_issuer_name(x, n) && X509_set_pubkey(x, key) &&
             X509_sign(x, key, EVP_sha256()) > 0;
    X509_NAME_free(n);
    if (!ok) {
        EVP_PKEY_free(key);
        X509_free(x);
        return 0;
    }
    *out_key = key;
    *out_cert = x;
    return 1;
}

/* fuzz_server_ctx: a TLS server SSL_CTX made with the public API: a P-256
 * certificate, stateless tickets with the fixed keys, the fixed clock. */
static inline SSL_CTX *fuzz_server_ctx(void)
{
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    uint8_t keys[80];
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL || !fuzz_cert_new(&key, &cert))
        goto err;
    sesame_set_clock_for_test(fuzz_clock);
    fuzz_ticket_keys(keys);
    if (SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
        SSL_CTX_set_tlsext_ticket_keys(ctx, keys, sizeof(keys)) != 1)
        goto err;
    X509_free(cert);
    EVP_PKEY_free(key);
    return ctx;
err:
    X509_free(cert);
    EVP_PKEY_free(key);
    SSL_CTX_free(ctx);
    return NULL;
}

/* fuzz_mem_bio: a memory BIO that reports "retry" (WANT_READ) when empty
 * instead of EOF. */
static inline BIO *fuzz_mem_bio(void)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (b != NULL)
        BIO_set_mem_eof_return(b, -1);
    return b;
}

#endif
