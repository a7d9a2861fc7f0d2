/* peer_internal.h - what peer.c (TLS 1.3) and peer12.c (TLS 1.2) share, not for scripts. */
#ifndef SESAME_TESTS_HOSTILE_PEER_INTERNAL_H
#define SESAME_TESTS_HOSTILE_PEER_INTERNAL_H

#include "peer.h"

/* X25519: our key pair (made once, public key in |pub|); the shared secret with
 * p->peer_share.  1, or 0 with p->why. */
int hp_kex_keygen(HP *p, uint8_t pub[32]);
int hp_kex_derive(HP *p, uint8_t out[32]);
/* hp_kex12_derive: the shared secret of p->kex12 (P-256 or DHE) with p->kex12_peer. */
int hp_kex12_derive(HP *p, uint8_t *out, size_t *out_len);
/* hp_io_name: an HP_IO_* status in words. */
const char *hp_io_name(int r);
/* hp_buf_drop removes the first |n| bytes. */
void hp_buf_drop(HP_BUF *b, size_t n);

/* A tiny reader over received bytes. */
typedef struct {
    const uint8_t *p;
    size_t n;
} RD;

static inline int rd_u8(RD *r, unsigned *v)
{
    if (r->n < 1)
        return 0;
    *v = r->p[0];
    r->p++, r->n--;
    return 1;
}

static inline int rd_u16(RD *r, unsigned *v)
{
    if (r->n < 2)
        return 0;
    *v = (unsigned)r->p[0] << 8 | r->p[1];
    r->p += 2, r->n -= 2;
    return 1;
}

static inline int rd_bytes(RD *r, size_t len, RD *out)
{
    if (r->n < len)
        return 0;
    out->p = r->p;
    out->n = len;
    r->p += len, r->n -= len;
    return 1;
}

static inline int rd_u8_prefixed(RD *r, RD *out)
{
    unsigned l;
    return rd_u8(r, &l) && rd_bytes(r, l, out);
}

static inline int rd_u16_prefixed(RD *r, RD *out)
{
    unsigned l;
    return rd_u16(r, &l) && rd_bytes(r, l, out);
}

/* find_ext finds extension |type| in an extensions block. */
static inline int find_ext(RD exts, unsigned type, RD *out)
{
    unsigned t;
    RD body;
    while (exts.n > 0) {
        if (!rd_u16(&exts, &t) || !rd_u16_prefixed(&exts, &body))
            return 0;
        if (t == type) {
            *out = body;
            return 1;
        }
    }
    return 0;
}

#endif
