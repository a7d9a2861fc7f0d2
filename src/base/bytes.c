/* Bounded reader and writer; see bytes.h. */
#include "base/bytes.h"
#include "base/mem.h"

#include <string.h>

#include <openssl/crypto.h>

void cbs_init(CBS *cbs, const uint8_t *data, size_t len)
{
    cbs->data = data;
    cbs->len = len;
}

int cbs_skip(CBS *cbs, size_t n)
{
    if (cbs->len < n)
        return 0;
    cbs->data += n;
    cbs->len -= n;
    return 1;
}

static int get_be(CBS *cbs, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (cbs->len < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | cbs->data[i];
    cbs->data += n;
    cbs->len -= n;
    *out = v;
    return 1;
}

int cbs_get_u8(CBS *cbs, uint8_t *out)
{
    uint64_t v;
    if (!get_be(cbs, 1, &v))
        return 0;
    *out = (uint8_t)v;
    return 1;
}

int cbs_get_u16(CBS *cbs, uint16_t *out)
{
    uint64_t v;
    if (!get_be(cbs, 2, &v))
        return 0;
    *out = (uint16_t)v;
    return 1;
}

int cbs_get_u24(CBS *cbs, uint32_t *out)
{
    uint64_t v;
    if (!get_be(cbs, 3, &v))
        return 0;
    *out = (uint32_t)v;
    return 1;
}

int cbs_get_u32(CBS *cbs, uint32_t *out)
{
    uint64_t v;
    if (!get_be(cbs, 4, &v))
        return 0;
    *out = (uint32_t)v;
    return 1;
}

int cbs_peek_u8(const CBS *cbs, uint8_t *out)
{
    if (cbs->len < 1)
        return 0;
    *out = cbs->data[0];
    return 1;
}

int cbs_get_bytes(CBS *cbs, CBS *out, size_t n)
{
    if (cbs->len < n)
        return 0;
    cbs_init(out, cbs->data, n);
    cbs->data += n;
    cbs->len -= n;
    return 1;
}

int cbs_copy_bytes(CBS *cbs, uint8_t *out, size_t n)
{
    if (cbs->len < n)
        return 0;
    if (n)
        memcpy(out, cbs->data, n);
    cbs->data += n;
    cbs->len -= n;
    return 1;
}

static int get_prefixed(CBS *cbs, CBS *out, size_t prefix)
{
    CBS copy = *cbs;
    uint64_t n;
    if (!get_be(&copy, prefix, &n) || !cbs_get_bytes(&copy, out, (size_t)n))
        return 0;
    *cbs = copy;
    return 1;
}

int cbs_get_u8_prefixed(CBS *cbs, CBS *out)
{
    return get_prefixed(cbs, out, 1);
}
int cbs_get_u16_prefixed(CBS *cbs, CBS *out)
{
    return get_prefixed(cbs, out, 2);
}
int cbs_get_u24_prefixed(CBS *cbs, CBS *out)
{
    return get_prefixed(cbs, out, 3);
}

int cbs_mem_equal(const CBS *cbs, const uint8_t *data, size_t len)
{
    if (cbs->len != len)
        return 0;
    return len == 0 || CRYPTO_memcmp(cbs->data, data, len) == 0;
}

int cbs_memdup(const CBS *cbs, uint8_t **out, size_t *out_len)
{
    OPENSSL_free(*out);
    *out = NULL;
    *out_len = 0;
    if (cbs->len == 0)
        return 1;
    *out = OPENSSL_memdup(cbs->data, cbs->len);
    if (*out == NULL)
        return 0;
    *out_len = cbs->len;
    return 1;
}

/* ---- writer ---- */

int cbb_init(CBB *cbb, size_t initial_cap)
{
    memset(cbb, 0, sizeof(*cbb));
    cbb->buf = &cbb->storage;
    if (initial_cap) {
        cbb->storage.data = OPENSSL_malloc(initial_cap);
        if (cbb->storage.data == NULL)
            return 0;
    }
    cbb->storage.cap = initial_cap;
    cbb->storage.can_grow = 1;
    return 1;
}

int cbb_init_fixed(CBB *cbb, uint8_t *buf, size_t cap)
{
    memset(cbb, 0, sizeof(*cbb));
    cbb->buf = &cbb->storage;
    cbb->storage.data = buf;
    cbb->storage.cap = cap;
    return 1;
}

void cbb_cleanup(CBB *cbb)
{
    if (cbb->is_child || cbb->buf == NULL)
        return;
    if (cbb->storage.can_grow)
        OPENSSL_clear_free(cbb->storage.data, cbb->storage.cap);
    memset(cbb, 0, sizeof(*cbb));
}

/* reserve appends |len| bytes to the shared buffer. */
static int reserve(struct cbb_buffer *b, uint8_t **out, size_t len)
{
    if (b->error)
        return 0;
    if (len > SIZE_MAX - b->len)
        goto err;
    if (b->len + len > b->cap) {
        if (!b->can_grow)
            goto err;
        size_t ncap = b->cap ? b->cap : 64;
        while (ncap < b->len + len) {
            if (ncap > SIZE_MAX / 2)
                goto err;
            ncap *= 2;
        }
        /* Writers may hold secrets (sessions, tickets): never leave the old
         * contents in freed memory. */
        uint8_t *n = mem_grow_wiped(b->data, b->cap, b->len, ncap);
        if (n == NULL)
            goto err;
        b->data = n;
        b->cap = ncap;
    }
    *out = b->data + b->len;
    b->len += len;
    return 1;
err:
    b->error = 1;
    return 0;
}

int cbb_flush(CBB *cbb)
{
    if (cbb->buf == NULL || cbb->buf->error)
        return 0;
    CBB *child = cbb->child;
    if (child == NULL)
        return 1;
    if (!cbb_flush(child))
        return 0;
    size_t start = child->prefix_offset + child->prefix_len;
    size_t n = cbb->buf->len - start;
    uint8_t plen = child->prefix_len;
    if (plen < 8 && n >> (8 * plen) != 0) {
        cbb->buf->error = 1;
        return 0;
    }
    for (uint8_t i = 0; i < plen; i++)
        cbb->buf->data[child->prefix_offset + i] = (uint8_t)(n >> (8 * (plen - 1 - i)));
    child->buf = NULL; /* the child is closed */
    cbb->child = NULL;
    return 1;
}

int cbb_finish(CBB *cbb, uint8_t **out, size_t *out_len)
{
    if (cbb->is_child || !cbb_flush(cbb))
        return 0;
    if (out != NULL) {
        *out = cbb->storage.data;
        if (cbb->storage.can_grow)
            cbb->storage.data = NULL; /* ownership moves to the caller */
    }
    if (out_len != NULL)
        *out_len = cbb->storage.len;
    if (out != NULL && cbb->storage.can_grow)
        memset(cbb, 0, sizeof(*cbb));
    return 1;
}

const uint8_t *cbb_data(const CBB *cbb)
{
    return cbb->buf->data;
}
size_t cbb_len(const CBB *cbb)
{
    return cbb->buf->len;
}

static int add_be(CBB *cbb, uint64_t v, size_t n)
{
    uint8_t *p;
    if (!cbb_flush(cbb) || !reserve(cbb->buf, &p, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    return 1;
}

int cbb_add_u8(CBB *cbb, uint8_t v)
{
    return add_be(cbb, v, 1);
}
int cbb_add_u16(CBB *cbb, uint16_t v)
{
    return add_be(cbb, v, 2);
}
int cbb_add_u24(CBB *cbb, uint32_t v)
{
    return add_be(cbb, v, 3);
}
int cbb_add_u32(CBB *cbb, uint32_t v)
{
    return add_be(cbb, v, 4);
}
int cbb_add_u64(CBB *cbb, uint64_t v)
{
    return add_be(cbb, v, 8);
}

int cbb_add_space(CBB *cbb, uint8_t **out, size_t len)
{
    return cbb_flush(cbb) && reserve(cbb->buf, out, len);
}

int cbb_add_bytes(CBB *cbb, const uint8_t *data, size_t len)
{
    uint8_t *p;
    if (!cbb_add_space(cbb, &p, len))
        return 0;
    if (len)
        memcpy(p, data, len);
    return 1;
}

static int add_prefixed(CBB *cbb, CBB *child, uint8_t plen)
{
    uint8_t *p;
    if (!cbb_flush(cbb))
        return 0;
    size_t off = cbb->buf->len;
    if (!reserve(cbb->buf, &p, plen))
        return 0;
    memset(p, 0, plen);
    memset(child, 0, sizeof(*child));
    child->buf = cbb->buf;
    child->prefix_offset = off;
    child->prefix_len = plen;
    child->is_child = 1;
    cbb->child = child;
    return 1;
}

int cbb_add_u8_prefixed(CBB *cbb, CBB *child)
{
    return add_prefixed(cbb, child, 1);
}
int cbb_add_u16_prefixed(CBB *cbb, CBB *child)
{
    return add_prefixed(cbb, child, 2);
}
int cbb_add_u24_prefixed(CBB *cbb, CBB *child)
{
    return add_prefixed(cbb, child, 3);
}
