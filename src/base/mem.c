/* See mem.h. */
#include <string.h>

#include <openssl/crypto.h>

#include "base/mem.h"

void mem_wipe(void *p, size_t len)
{
    if (p == NULL || len == 0)
        return;
    /* glibc's explicit_bzero: its vectorised memset behind a barrier */
    explicit_bzero(p, len);
}

uint8_t *mem_grow_wiped(uint8_t *old, size_t old_cap, size_t used, size_t new_cap)
{
    if (used > old_cap || used > new_cap)
        return NULL;
    uint8_t *n = OPENSSL_malloc(new_cap);
    if (n == NULL)
        return NULL;
    if (used > 0)
        memcpy(n, old, used);
    OPENSSL_clear_free(old, old_cap);
    return n;
}
