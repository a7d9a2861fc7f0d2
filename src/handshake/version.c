/* Which protocol versions a connection may speak: TLS 1.2 and TLS 1.3. */
#include "internal.h"

#include "handshake/hs.h"

int hs_version_range(const struct ssl_config *c, uint16_t *out_min, uint16_t *out_max)
{
    int lo = c->min_version == 0 ? TLS1_2_VERSION : c->min_version;
    int hi = c->max_version == 0 ? TLS1_3_VERSION : c->max_version;
    if (lo < TLS1_2_VERSION)
        lo = TLS1_2_VERSION; /* TLS 1.0 and 1.1 are never spoken */
    if (hi > TLS1_3_VERSION)
        hi = TLS1_3_VERSION;
    if ((c->options & SSL_OP_NO_TLSv1_3) && hi >= TLS1_3_VERSION)
        hi = TLS1_2_VERSION;
    if ((c->options & SSL_OP_NO_TLSv1_2) && lo <= TLS1_2_VERSION)
        lo = TLS1_3_VERSION;
    if (lo > hi)
        return 0;
    *out_min = (uint16_t)lo;
    *out_max = (uint16_t)hi;
    return 1;
}

int hs_state_is_tls12(int state)
{
    return (state >= CS12_READ_SERVER_CERTIFICATE && state <= CS12_READ_FINISHED) ||
           (state >= SS12_SEND_SERVER_HELLO && state <= SS12_SEND_FINISHED);
}
