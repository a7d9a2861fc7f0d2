/* Memory helpers for buffers that may hold secrets. */
#ifndef SESAME_BASE_MEM_H
#define SESAME_BASE_MEM_H

#include <stddef.h>
#include <stdint.h>

/* mem_grow_wiped: a buffer of |new_cap| bytes holding the first |used|
 * bytes of |old| (|old_cap| bytes, may be NULL), with |old| wiped and freed.
 * Unlike realloc, never leaves a copy of the contents in freed memory.  On
 * failure returns NULL and leaves |old| untouched. */
uint8_t *mem_grow_wiped(uint8_t *old, size_t old_cap, size_t used, size_t new_cap);

/* mem_wipe zeroes |len| bytes at |p| in a way the compiler may not drop
 * (p may be NULL when len is 0).  For large buffers: libcrypto's
 * OPENSSL_cleanse stores 8 bytes a step and costs several times more than
 * the record's own encryption's share on every 16 KB buffer freed. */
void mem_wipe(void *p, size_t len);

#endif
