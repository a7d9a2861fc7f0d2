/* Fuzz target: values read from the fleet session store (src/session/
 * store_wrap.c, store_ring.c, store_sessions.c): whoever can write to Redis
 * can hand a server any bytes, which must never do more than fail to read.
 * Input: a flags byte, then the value.
 *   flags & 1: the store has a key_file (values wrapped with AES-256-GCM);
 *   flags & 2: wrap the value first, then unwrap it (the round trip must
 *              give the same bytes), so the decoders see chosen plaintext
 *              even with wrapping on.
 * The plaintext goes to both decoders a server applies: the ticket key
 * ring's and the session's (sess_decode, the i2d format). */
#include "fuzz_common.h"

#include "internal.h"

#include "session/session_cache.h"
#include "session/store_internal.h"

static const uint8_t KEY[] = "sesame:s::00112233";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sess_store st; /* only have_wrap and wrap_key are read */
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    data++;
    size--;
    st.have_wrap = flags & 1;
    memset(st.wrap_key, 0x5a, sizeof(st.wrap_key));

    uint8_t *wrapped = NULL, *owned = NULL;
    size_t wrapped_len = 0, pt_len = 0;
    const uint8_t *val = data, *pt = NULL;
    size_t val_len = size;
    if (flags & 2) {
        wrapped = store_wrap(&st, KEY, sizeof(KEY) - 1, data, size, &wrapped_len);
        if (wrapped == NULL)
            return 0; /* too long */
        val = wrapped;
        val_len = wrapped_len;
    }
    if (store_unwrap(&st, KEY, sizeof(KEY) - 1, val, val_len, &pt, &pt_len, &owned)) {
        if (flags & 2)
            FUZZ_ASSERT(pt_len == size && memcmp(pt, data, size) == 0);
        struct store_ring ring;
        (void)store_ring_decode(pt, pt_len, &ring);
        CBS cbs;
        cbs_init(&cbs, pt, pt_len);
        SSL_SESSION *sess = sess_decode(&cbs, 0, NULL);
        SSL_SESSION_free(sess);
    } else {
        FUZZ_ASSERT(!(flags & 2)); /* what we wrapped always unwraps */
    }
    OPENSSL_clear_free(owned, pt_len);
    OPENSSL_clear_free(wrapped, wrapped_len);
    ERR_clear_error();
    return 0;
}
