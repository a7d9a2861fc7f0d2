/* Bounded reader (CBS) and growable/fixed writer (CBB) for wire formats.
 *
 * Every byte received from a peer is parsed through a CBS: a read-only view
 * {data, len} that only ever shrinks from the front.  All getters return 1 on
 * success and 0 (leaving the view unchanged) when the view is too short.
 *
 * A CBB writes into a buffer (heap-grown or caller-fixed).  Length-prefixed
 * children are opened with cbb_add_uN_prefixed(); their prefix is filled in
 * when the child is flushed, which happens automatically when anything is
 * next written to the parent, or on cbb_flush()/cbb_finish().
 */
#ifndef SESAME_BASE_BYTES_H
#define SESAME_BASE_BYTES_H

#include <stddef.h>
#include <stdint.h>

#define WUR __attribute__((warn_unused_result))

typedef struct {
    const uint8_t *data;
    size_t len;
} CBS;

/* cbs_init points |cbs| at |len| bytes of |data|. */
void cbs_init(CBS *cbs, const uint8_t *data, size_t len);
static inline size_t cbs_len(const CBS *cbs)
{
    return cbs->len;
}
static inline const uint8_t *cbs_data(const CBS *cbs)
{
    return cbs->data;
}

int cbs_skip(CBS *cbs, size_t n) WUR;
int cbs_get_u8(CBS *cbs, uint8_t *out) WUR;
int cbs_get_u16(CBS *cbs, uint16_t *out) WUR;
int cbs_get_u24(CBS *cbs, uint32_t *out) WUR;
int cbs_get_u32(CBS *cbs, uint32_t *out) WUR;
/* cbs_peek_u8 reads the first byte without consuming it. */
int cbs_peek_u8(const CBS *cbs, uint8_t *out) WUR;
/* cbs_get_bytes splits the first |n| bytes off into |out|. */
int cbs_get_bytes(CBS *cbs, CBS *out, size_t n) WUR;
/* cbs_copy_bytes copies the first |n| bytes into |out| and consumes them. */
int cbs_copy_bytes(CBS *cbs, uint8_t *out, size_t n) WUR;
/* cbs_get_uN_prefixed reads an N-bit big-endian length then that many bytes. */
int cbs_get_u8_prefixed(CBS *cbs, CBS *out) WUR;
int cbs_get_u16_prefixed(CBS *cbs, CBS *out) WUR;
int cbs_get_u24_prefixed(CBS *cbs, CBS *out) WUR;
/* cbs_mem_equal is 1 iff the view's contents equal |data|/|len| (constant time). */
int cbs_mem_equal(const CBS *cbs, const uint8_t *data, size_t len);
/* cbs_memdup copies the view into a fresh OPENSSL_malloc buffer (*out=NULL
 * for an empty view). Frees the previous *out. */
int cbs_memdup(const CBS *cbs, uint8_t **out, size_t *out_len) WUR;

struct cbb_buffer {
    uint8_t *data;
    size_t len;
    size_t cap;
    uint8_t can_grow; /* heap-owned, realloc on demand */
    uint8_t error;    /* sticky: an earlier write failed */
};

typedef struct cbb_st CBB;
struct cbb_st {
    struct cbb_buffer *buf;    /* shared by a writer and all its children */
    struct cbb_buffer storage; /* the buffer itself, in the top-level CBB */
    CBB *child;                /* the open child, if any */
    size_t prefix_offset;      /* children: where the length prefix sits */
    uint8_t prefix_len;        /* children: 1, 2 or 3; 0 for the top level */
    uint8_t is_child;
};

/* cbb_init: a heap buffer with |initial_cap| bytes reserved. */
int cbb_init(CBB *cbb, size_t initial_cap) WUR;
/* cbb_init_fixed: write into |buf| of |cap| bytes; overflow is an error. */
int cbb_init_fixed(CBB *cbb, uint8_t *buf, size_t cap) WUR;
/* cbb_cleanup frees an owned heap buffer. Safe on a zeroed CBB. */
void cbb_cleanup(CBB *cbb);
/* cbb_flush closes any open child, writing its length prefix. */
int cbb_flush(CBB *cbb) WUR;
/* cbb_finish flushes and hands over the bytes: for a heap CBB the caller owns
 * *out (OPENSSL_free); for a fixed CBB *out is the caller's buffer.
 * |out| may be NULL to just take the length. */
int cbb_finish(CBB *cbb, uint8_t **out, size_t *out_len) WUR;
/* cbb_data/cbb_len: the top-level writer's bytes so far (flush first). */
const uint8_t *cbb_data(const CBB *cbb);
size_t cbb_len(const CBB *cbb);

int cbb_add_u8(CBB *cbb, uint8_t v) WUR;
int cbb_add_u16(CBB *cbb, uint16_t v) WUR;
int cbb_add_u24(CBB *cbb, uint32_t v) WUR;
int cbb_add_u32(CBB *cbb, uint32_t v) WUR;
int cbb_add_u64(CBB *cbb, uint64_t v) WUR;
int cbb_add_bytes(CBB *cbb, const uint8_t *data, size_t len) WUR;
/* cbb_add_space reserves |len| bytes and returns a pointer to fill in.  The
 * pointer is valid until the next write to this CBB tree. */
int cbb_add_space(CBB *cbb, uint8_t **out, size_t len) WUR;
/* cbb_add_uN_prefixed opens |child|, whose contents get an N-bit length. */
int cbb_add_u8_prefixed(CBB *cbb, CBB *child) WUR;
int cbb_add_u16_prefixed(CBB *cbb, CBB *child) WUR;
int cbb_add_u24_prefixed(CBB *cbb, CBB *child) WUR;

#endif
