/* Which protocol versions a connection may speak: TLS 1.2 and TLS 1.3. */
#include "internal.h"

#include "auth/policy.h"
#include "handshake/hs.h"

int hs_version_range(const SSL *s, uint16_t *out_min, uint16_t *out_max)
{
    int lo, hi;
    /* OpenSSL's range, of which we speak the TLS 1.2 and 1.3 part */
    if (!policy_version_range(&s->cfg, s->method->version, &lo, &hi) || hi < TLS1_2_VERSION)
        return 0;
    *out_min = (uint16_t)(lo < TLS1_2_VERSION ? TLS1_2_VERSION : lo);
    *out_max = (uint16_t)hi;
    return 1;
}

int hs_state_is_tls12(int state)
{
    return (state >= CS12_READ_SERVER_CERTIFICATE && state <= CS12_READ_FINISHED) ||
           (state >= SS12_SEND_SERVER_HELLO && state <= SS12_SEND_FINISHED);
}
