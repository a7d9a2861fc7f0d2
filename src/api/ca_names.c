/* The CA list (SSL_CTX_set0_CA_list & co.): certificate authority names a
 * server sends in its CertificateRequest when it has no client CA list (as
 * OpenSSL 3.0), the names the peer sent (SSL_get0_peer_CA_list), and the
 * helpers that fill a list of names from a directory or an OSSL_STORE URI. */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>

#include <openssl/store.h>

#include "api/api.h"

void SSL_CTX_set0_CA_list(SSL_CTX *ctx, STACK_OF(X509_NAME) * name_list)
{
    sk_X509_NAME_pop_free(ctx->ca_names, X509_NAME_free);
    ctx->ca_names = name_list;
}

void SSL_set0_CA_list(SSL *s, STACK_OF(X509_NAME) * name_list)
{
    sk_X509_NAME_pop_free(s->ca_names, X509_NAME_free);
    s->ca_names = name_list;
}

const STACK_OF(X509_NAME) * SSL_CTX_get0_CA_list(const SSL_CTX *ctx)
{
    return ctx->ca_names;
}

const STACK_OF(X509_NAME) * SSL_get0_CA_list(const SSL *s)
{
    return s->ca_names != NULL ? s->ca_names : s->ctx->ca_names;
}

/* The names the peer sent: a client's are those of the server's
 * CertificateRequest, a server's those of a TLS 1.3 ClientHello's
 * certificate_authorities extension. */
const STACK_OF(X509_NAME) * SSL_get0_peer_CA_list(const SSL *s)
{
    return s->peer_ca_names;
}

static int add1_name(STACK_OF(X509_NAME) * *sk, const X509 *x)
{
    X509_NAME *name;
    if (x == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
        return 0;
    }
    if (*sk == NULL && (*sk = sk_X509_NAME_new_null()) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    if ((name = X509_NAME_dup(X509_get_subject_name(x))) == NULL)
        return 0;
    if (!sk_X509_NAME_push(*sk, name)) {
        X509_NAME_free(name);
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    return 1;
}

int SSL_CTX_add1_to_CA_list(SSL_CTX *ctx, const X509 *x)
{
    return add1_name(&ctx->ca_names, x);
}

int SSL_add1_to_CA_list(SSL *s, const X509 *x)
{
    return add1_name(&s->ca_names, x);
}

STACK_OF(X509_NAME) * SSL_dup_CA_list(const STACK_OF(X509_NAME) * sk)
{
    int n = sk_X509_NAME_num(sk);
    STACK_OF(X509_NAME) *ret = sk_X509_NAME_new_reserve(NULL, n > 0 ? n : 0);
    if (ret == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        X509_NAME *name = X509_NAME_dup(sk_X509_NAME_value(sk, i));
        if (name == NULL) {
            sk_X509_NAME_pop_free(ret, X509_NAME_free);
            ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
            return NULL;
        }
        sk_X509_NAME_push(ret, name); /* cannot fail: reserved */
    }
    return ret;
}

/* Every entry of |dir| (in readdir order, "." and ".." included, as OpenSSL
 * reads it): the subjects of the PEM certificates each file holds, those
 * already in |stack| not repeated; an entry that is no such file adds
 * nothing. */
int SSL_add_dir_cert_subjects_to_stack(STACK_OF(X509_NAME) * stack, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int ok = 0;

    if (d == NULL) {
        ERR_raise_data(ERR_LIB_SYS, errno, "calling OPENSSL_dir_read(%s)", dir);
        ERR_raise(ERR_LIB_SSL, ERR_R_SYS_LIB);
        return 0;
    }
    for (;;) {
        char path[4096];
        errno = 0;
        if ((e = readdir(d)) == NULL)
            break;
        int n = BIO_snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (n <= 0 || (size_t)n >= sizeof(path)) {
            ERR_raise(ERR_LIB_SSL, SSL_R_PATH_TOO_LONG);
            goto end;
        }
        if (!cert_add_file_names(stack, path, NULL, NULL))
            goto end;
    }
    if (errno != 0) {
        ERR_raise_data(ERR_LIB_SYS, errno, "calling OPENSSL_dir_read(%s)", dir);
        ERR_raise(ERR_LIB_SSL, ERR_R_SYS_LIB);
        goto end;
    }
    ok = 1;
end:
    closedir(d);
    return ok;
}

static int name_listed(STACK_OF(X509_NAME) * stack, const X509_NAME *name)
{
    for (int i = 0; i < sk_X509_NAME_num(stack); i++)
        if (X509_NAME_cmp(sk_X509_NAME_value(stack, i), name) == 0)
            return 1;
    return 0;
}

/* The certificates an OSSL_STORE URI names; a name inside it (an entry of a
 * directory) is opened in turn, |depth| levels down. */
static int add_store_names(STACK_OF(X509_NAME) * stack, const char *uri, int depth)
{
    OSSL_STORE_CTX *st = OSSL_STORE_open(uri, NULL, NULL, NULL, NULL);
    int ok = 1;

    if (st == NULL)
        return 0;
    while (ok && !OSSL_STORE_eof(st) && !OSSL_STORE_error(st)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(st);
        if (info == NULL)
            continue;
        switch (OSSL_STORE_INFO_get_type(info)) {
        case OSSL_STORE_INFO_NAME:
            if (depth > 0)
                ok = add_store_names(stack, OSSL_STORE_INFO_get0_NAME(info), depth - 1);
            break;
        case OSSL_STORE_INFO_CERT: {
            X509 *x = OSSL_STORE_INFO_get0_CERT(info);
            const X509_NAME *subject = x != NULL ? X509_get_subject_name(x) : NULL;
            X509_NAME *dup;
            if (subject == NULL) {
                ok = 0;
                break;
            }
            if (name_listed(stack, subject))
                break;
            if ((dup = X509_NAME_dup(subject)) == NULL || !sk_X509_NAME_push(stack, dup)) {
                X509_NAME_free(dup);
                ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
                ok = 0;
            }
            break;
        }
        default:
            break;
        }
        OSSL_STORE_INFO_free(info);
    }
    if (ok)
        ERR_clear_error(); /* what the store said about entries it skipped */
    OSSL_STORE_close(st);
    return ok;
}

int SSL_add_store_cert_subjects_to_stack(STACK_OF(X509_NAME) * stack, const char *uri)
{
    return add_store_names(stack, uri, 1);
}
