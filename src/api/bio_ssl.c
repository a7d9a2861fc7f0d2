/* BIO_f_ssl: a filter BIO that reads and writes through an SSL, with the
 * helpers built on it (BIO_new_ssl, BIO_new_ssl_connect,
 * BIO_new_buffer_ssl_connect, BIO_ssl_copy_session_id, BIO_ssl_shutdown).
 *
 * As in OpenSSL: BIO_set_ssl makes the SSL's read BIO the next BIO of the
 * chain (with a reference of its own), pushing a BIO below an SSL BIO gives
 * it to the SSL as its transport, and the retry flags of the SSL BIO say
 * what SSL_get_error said. */
#include "internal.h"

#include <limits.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "base/once.h"

typedef struct {
    SSL *ssl;
    /* BIO_set_ssl_renegotiate_bytes / _timeout: after so many bytes or
     * seconds the BIO asks for a renegotiation (SSL_renegotiate, which
     * sesame refuses with an error, as OpenSSL does in TLS 1.3) */
    int num_renegotiates;
    unsigned long renegotiate_count;
    size_t byte_count;
    unsigned long renegotiate_timeout;
    unsigned long last_time;
} BIO_SSL;

static int bio_ssl_new(BIO *b)
{
    BIO_SSL *bs = OPENSSL_zalloc(sizeof(*bs));
    if (bs == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    BIO_set_init(b, 0);
    BIO_set_data(b, bs);
    BIO_clear_flags(b, ~0); /* no retry flags yet */
    return 1;
}

static int bio_ssl_free(BIO *b)
{
    BIO_SSL *bs;
    if (b == NULL)
        return 0;
    bs = BIO_get_data(b);
    if (bs != NULL && BIO_get_shutdown(b)) {
        /* a connection that got going says close_notify (one still in its
         * handshake is just freed, with no error queued: OpenSSL) */
        if (bs->ssl != NULL && !SSL_in_init(bs->ssl))
            SSL_shutdown(bs->ssl);
        if (BIO_get_init(b))
            SSL_free(bs->ssl);
        BIO_clear_flags(b, ~0);
        BIO_set_init(b, 0);
    }
    OPENSSL_free(bs);
    BIO_set_data(b, NULL);
    return 1;
}

/* After |n| bytes moved: the renegotiation the BIO was asked to make. */
static void count_bytes(BIO_SSL *bs, size_t n)
{
    if (bs->renegotiate_count > 0) {
        bs->byte_count += n;
        if (bs->byte_count > bs->renegotiate_count) {
            bs->byte_count = 0;
            bs->num_renegotiates++;
            SSL_renegotiate(bs->ssl);
        }
    }
    if (bs->renegotiate_timeout > 0) {
        unsigned long now = (unsigned long)time(NULL);
        if (now > bs->last_time + bs->renegotiate_timeout) {
            bs->last_time = now;
            bs->num_renegotiates++;
            SSL_renegotiate(bs->ssl);
        }
    }
}

/* The retry flags of |b| from SSL_get_error. */
static void set_retry(BIO *b, SSL *ssl, int ret)
{
    int reason = 0;
    switch (SSL_get_error(ssl, ret)) {
    case SSL_ERROR_WANT_READ:
        BIO_set_retry_read(b);
        break;
    case SSL_ERROR_WANT_WRITE:
        BIO_set_retry_write(b);
        break;
    case SSL_ERROR_WANT_X509_LOOKUP:
        BIO_set_retry_special(b);
        reason = BIO_RR_SSL_X509_LOOKUP;
        break;
    case SSL_ERROR_WANT_ACCEPT:
        BIO_set_retry_special(b);
        reason = BIO_RR_ACCEPT;
        break;
    case SSL_ERROR_WANT_CONNECT:
        BIO_set_retry_special(b);
        reason = BIO_RR_CONNECT;
        break;
    default:
        break;
    }
    BIO_set_retry_reason(b, reason);
}

/* read/write return SSL_read's / SSL_write's value: > 0 bytes moved, 0 at
 * the peer's close_notify, -1 on a failure or a retry (the flags say). */
static int bio_ssl_read(BIO *b, char *buf, size_t size, size_t *readbytes)
{
    BIO_SSL *bs = BIO_get_data(b);
    int ret;
    if (buf == NULL || bs == NULL || bs->ssl == NULL)
        return 0;
    BIO_clear_retry_flags(b);
    ret = SSL_read(bs->ssl, buf, size > INT_MAX ? INT_MAX : (int)size);
    if (ret > 0) {
        *readbytes = (size_t)ret;
        count_bytes(bs, (size_t)ret);
        return 1;
    }
    *readbytes = 0;
    set_retry(b, bs->ssl, ret);
    return ret;
}

static int bio_ssl_write(BIO *b, const char *buf, size_t size, size_t *written)
{
    BIO_SSL *bs = BIO_get_data(b);
    int ret;
    if (buf == NULL || bs == NULL || bs->ssl == NULL)
        return 0;
    BIO_clear_retry_flags(b);
    ret = SSL_write(bs->ssl, buf, size > INT_MAX ? INT_MAX : (int)size);
    if (ret > 0) {
        *written = (size_t)ret;
        count_bytes(bs, (size_t)ret);
        return 1;
    }
    *written = 0;
    set_retry(b, bs->ssl, ret);
    return ret;
}

static long do_handshake(BIO *b, SSL *ssl)
{
    BIO_clear_retry_flags(b);
    BIO_set_retry_reason(b, 0);
    long ret = SSL_do_handshake(ssl);
    switch (SSL_get_error(ssl, (int)ret)) {
    case SSL_ERROR_WANT_READ:
        BIO_set_flags(b, BIO_FLAGS_READ | BIO_FLAGS_SHOULD_RETRY);
        break;
    case SSL_ERROR_WANT_WRITE:
        BIO_set_flags(b, BIO_FLAGS_WRITE | BIO_FLAGS_SHOULD_RETRY);
        break;
    case SSL_ERROR_WANT_CONNECT:
        BIO_set_flags(b, BIO_FLAGS_IO_SPECIAL | BIO_FLAGS_SHOULD_RETRY);
        BIO_set_retry_reason(b, BIO_get_retry_reason(BIO_next(b)));
        break;
    case SSL_ERROR_WANT_X509_LOOKUP:
        BIO_set_retry_special(b);
        BIO_set_retry_reason(b, BIO_RR_SSL_X509_LOOKUP);
        break;
    default:
        break;
    }
    return ret;
}

/* BIO_set_ssl: |ssl| (owned when |close| is BIO_CLOSE) becomes this BIO's
 * SSL, its read BIO the next in the chain. */
static long set_ssl(BIO *b, SSL *ssl, long close)
{
    BIO_SSL *bs = BIO_get_data(b);
    BIO *next = BIO_next(b);
    if (bs->ssl != NULL) {
        /* a previous SSL: released as a free would, then a fresh state */
        bio_ssl_free(b);
        if (!bio_ssl_new(b))
            return 0;
        bs = BIO_get_data(b);
    }
    BIO_set_shutdown(b, (int)close);
    bs->ssl = ssl;
    BIO *rbio = SSL_get_rbio(ssl);
    if (rbio != NULL) {
        if (next != NULL)
            BIO_push(rbio, next);
        BIO_set_next(b, rbio);
        BIO_up_ref(rbio);
    }
    BIO_set_init(b, 1);
    return 1;
}

static long bio_ssl_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    BIO_SSL *bs = BIO_get_data(b);
    SSL *ssl = bs != NULL ? bs->ssl : NULL;
    BIO *next = BIO_next(b);
    long ret = 1;

    if (ssl == NULL && cmd != BIO_C_SET_SSL)
        return 0;
    switch (cmd) {
    case BIO_CTRL_RESET: {
        int server = SSL_is_server(ssl);
        SSL_shutdown(ssl);
        if (server)
            SSL_set_accept_state(ssl);
        else
            SSL_set_connect_state(ssl);
        if (!SSL_clear(ssl))
            return 0;
        if (next != NULL)
            return BIO_ctrl(next, cmd, num, ptr);
        if (SSL_get_rbio(ssl) != NULL)
            return BIO_ctrl(SSL_get_rbio(ssl), cmd, num, ptr);
        return 1;
    }
    case BIO_CTRL_INFO:
        return 0;
    case BIO_C_SSL_MODE:
        if (num)
            SSL_set_connect_state(ssl);
        else
            SSL_set_accept_state(ssl);
        return 1;
    case BIO_C_SET_SSL_RENEGOTIATE_TIMEOUT:
        ret = (long)bs->renegotiate_timeout;
        if (num < 60)
            num = 5;
        bs->renegotiate_timeout = (unsigned long)num;
        bs->last_time = (unsigned long)time(NULL);
        return ret;
    case BIO_C_SET_SSL_RENEGOTIATE_BYTES:
        ret = (long)bs->renegotiate_count;
        if (num >= 512)
            bs->renegotiate_count = (unsigned long)num;
        return ret;
    case BIO_C_GET_SSL_NUM_RENEGOTIATES:
        return bs->num_renegotiates;
    case BIO_C_SET_SSL:
        return set_ssl(b, ptr, num);
    case BIO_C_GET_SSL:
        if (ptr == NULL)
            return 0;
        *(SSL **)ptr = ssl;
        return 1;
    case BIO_CTRL_GET_CLOSE:
        return BIO_get_shutdown(b);
    case BIO_CTRL_SET_CLOSE:
        BIO_set_shutdown(b, (int)num);
        return 1;
    case BIO_CTRL_WPENDING:
        return BIO_ctrl(SSL_get_wbio(ssl), cmd, num, ptr);
    case BIO_CTRL_PENDING:
        ret = SSL_pending(ssl);
        if (ret == 0)
            ret = (long)BIO_pending(SSL_get_rbio(ssl));
        return ret;
    case BIO_CTRL_FLUSH:
        BIO_clear_retry_flags(b);
        ret = BIO_ctrl(SSL_get_wbio(ssl), cmd, num, ptr);
        BIO_copy_next_retry(b);
        return ret;
    case BIO_CTRL_PUSH:
        /* the BIO pushed below becomes the SSL's transport (a reference
         * of its own: SSL_set_bio takes one) */
        if (next != NULL && next != SSL_get_rbio(ssl)) {
            BIO_up_ref(next);
            SSL_set_bio(ssl, next, next);
        }
        return 1;
    case BIO_CTRL_POP:
        if (b == ptr) /* this BIO itself leaves the chain */
            SSL_set_bio(ssl, NULL, NULL);
        return 1;
    case BIO_C_DO_STATE_MACHINE:
        return do_handshake(b, ssl);
    case BIO_CTRL_DUP: {
        BIO *dbio = ptr;
        BIO_SSL *dbs = BIO_get_data(dbio);
        SSL_free(dbs->ssl);
        dbs->ssl = SSL_dup(ssl);
        dbs->renegotiate_count = bs->renegotiate_count;
        dbs->byte_count = bs->byte_count;
        dbs->renegotiate_timeout = bs->renegotiate_timeout;
        dbs->last_time = bs->last_time;
        return dbs->ssl != NULL;
    }
    case BIO_C_GET_FD:
        return BIO_ctrl(SSL_get_rbio(ssl), cmd, num, ptr);
    case BIO_CTRL_SET_CALLBACK:
        return 0; /* through callback_ctrl */
    default:
        return BIO_ctrl(SSL_get_rbio(ssl), cmd, num, ptr);
    }
}

static long bio_ssl_callback_ctrl(BIO *b, int cmd, BIO_info_cb *fp)
{
    BIO_SSL *bs = BIO_get_data(b);
    SSL *ssl = bs != NULL ? bs->ssl : NULL;
    if (ssl == NULL)
        return 0;
    if (cmd == BIO_CTRL_SET_CALLBACK) {
        /* an info callback on the SSL (OpenSSL casts it the same way) */
        SSL_set_info_callback(ssl, (void (*)(const SSL *, int, int))(void (*)(void))fp);
        return 1;
    }
    return BIO_callback_ctrl(SSL_get_rbio(ssl), cmd, fp);
}

static int bio_ssl_puts(BIO *b, const char *str)
{
    return BIO_write(b, str, (int)strlen(str));
}

/* made once, for the life of the process (the type is opaque: OpenSSL's
 * own is a static structure we cannot declare) */
static BIO_METHOD *k_method;

static int make_method(void *arg)
{
    (void)arg;
    BIO_METHOD *m = BIO_meth_new(BIO_TYPE_SSL, "ssl");
    if (m == NULL || !BIO_meth_set_write_ex(m, bio_ssl_write) ||
        !BIO_meth_set_read_ex(m, bio_ssl_read) || !BIO_meth_set_puts(m, bio_ssl_puts) ||
        !BIO_meth_set_ctrl(m, bio_ssl_ctrl) || !BIO_meth_set_create(m, bio_ssl_new) ||
        !BIO_meth_set_destroy(m, bio_ssl_free) ||
        !BIO_meth_set_callback_ctrl(m, bio_ssl_callback_ctrl)) {
        BIO_meth_free(m);
        return 0;
    }
    k_method = m;
    return 1;
}

const BIO_METHOD *BIO_f_ssl(void)
{
    static SESAME_ONCE once = SESAME_ONCE_INIT;
    if (!sesame_once(&once, make_method, NULL)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return NULL;
    }
    return k_method;
}

BIO *BIO_new_ssl(SSL_CTX *ctx, int client)
{
    BIO *ret = BIO_new(BIO_f_ssl());
    SSL *ssl;
    if (ret == NULL)
        return NULL;
    if ((ssl = SSL_new(ctx)) == NULL) {
        BIO_free(ret);
        return NULL;
    }
    if (client)
        SSL_set_connect_state(ssl);
    else
        SSL_set_accept_state(ssl);
    BIO_set_ssl(ret, ssl, BIO_CLOSE);
    return ret;
}

BIO *BIO_new_ssl_connect(SSL_CTX *ctx)
{
    BIO *con = BIO_new(BIO_s_connect()), *ssl;
    if (con == NULL)
        return NULL;
    if ((ssl = BIO_new_ssl(ctx, 1)) == NULL) {
        BIO_free(con);
        return NULL;
    }
    return BIO_push(ssl, con);
}

BIO *BIO_new_buffer_ssl_connect(SSL_CTX *ctx)
{
    BIO *buf = BIO_new(BIO_f_buffer()), *ssl;
    if (buf == NULL)
        return NULL;
    if ((ssl = BIO_new_ssl_connect(ctx)) == NULL) {
        BIO_free(buf);
        return NULL;
    }
    return BIO_push(buf, ssl);
}

/* The SSL of the first SSL BIO in the chain of |b|, or NULL. */
static SSL *chain_ssl(BIO *b)
{
    BIO *sb = BIO_find_type(b, BIO_TYPE_SSL);
    BIO_SSL *bs = sb != NULL ? BIO_get_data(sb) : NULL;
    return bs != NULL ? bs->ssl : NULL;
}

int BIO_ssl_copy_session_id(BIO *to, BIO *from)
{
    SSL *t = chain_ssl(to), *f = chain_ssl(from);
    if (t == NULL || f == NULL)
        return 0;
    return SSL_copy_session_id(t, f) ? 1 : 0;
}

void BIO_ssl_shutdown(BIO *b)
{
    for (; b != NULL; b = BIO_next(b)) {
        if (BIO_method_type(b) != BIO_TYPE_SSL)
            continue;
        BIO_SSL *bs = BIO_get_data(b);
        if (bs != NULL && bs->ssl != NULL)
            SSL_shutdown(bs->ssl);
    }
}
