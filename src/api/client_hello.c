/* SSL_client_hello_* : the ClientHello as seen from inside the callback set
 * with SSL_CTX_set_client_hello_cb.  Outside the callback there is no
 * ClientHello to look at, and the getters return OpenSSL's failure values. */
#include "internal.h"

#include "codec/extensions.h"
#include "codec/hello.h"
#include "handshake/hs.h"

static const CODEC_CLIENT_HELLO *current(const SSL *s)
{
    return s->hs != NULL ? s->hs->client_hello : NULL;
}

static size_t view(const CBS *cbs, const unsigned char **out)
{
    if (out != NULL)
        *out = cbs_data(cbs);
    return cbs_len(cbs);
}

unsigned int SSL_client_hello_get0_legacy_version(SSL *s)
{
    const CODEC_CLIENT_HELLO *ch = current(s);
    return ch != NULL ? ch->legacy_version : 0;
}

size_t SSL_client_hello_get0_random(SSL *s, const unsigned char **out)
{
    const CODEC_CLIENT_HELLO *ch = current(s);
    return ch != NULL ? view(&ch->random, out) : 0;
}

size_t SSL_client_hello_get0_session_id(SSL *s, const unsigned char **out)
{
    const CODEC_CLIENT_HELLO *ch = current(s);
    return ch != NULL ? view(&ch->session_id, out) : 0;
}

size_t SSL_client_hello_get0_ciphers(SSL *s, const unsigned char **out)
{
    const CODEC_CLIENT_HELLO *ch = current(s);
    return ch != NULL ? view(&ch->cipher_suites, out) : 0;
}

size_t SSL_client_hello_get0_compression_methods(SSL *s, const unsigned char **out)
{
    const CODEC_CLIENT_HELLO *ch = current(s);
    return ch != NULL ? view(&ch->compression_methods, out) : 0;
}

int SSL_client_hello_get0_ext(SSL *s, unsigned int type, const unsigned char **out, size_t *outlen)
{
    const CODEC_CLIENT_HELLO *ch = current(s);
    CBS exts, data;
    uint16_t t;
    if (ch == NULL || type > 0xffff)
        return 0;
    exts = ch->extensions;
    while (codec_ext_next(&exts, &t, &data))
        if (t == type) {
            if (out != NULL)
                *out = cbs_data(&data);
            if (outlen != NULL)
                *outlen = cbs_len(&data);
            return 1;
        }
    return 0;
}

int SSL_client_hello_get1_extensions_present(SSL *s, int **out, size_t *outlen)
{
    const CODEC_CLIENT_HELLO *ch = current(s);
    CBS exts, data;
    uint16_t t;
    size_t n = 0;
    if (ch == NULL || out == NULL || outlen == NULL)
        return 0;
    exts = ch->extensions;
    while (codec_ext_next(&exts, &t, &data))
        n++;
    int *list = OPENSSL_malloc(n ? n * sizeof(*list) : 1);
    if (list == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    exts = ch->extensions;
    for (size_t i = 0; i < n && codec_ext_next(&exts, &t, &data); i++)
        list[i] = t;
    *out = list;
    *outlen = n;
    return 1;
}
