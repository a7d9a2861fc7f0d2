/* Choosing our certificate and signature scheme for a handshake
 * (RFC 8446 4.4.2.2, 4.2.3). */
#include "internal.h"

#include "auth/auth.h"
#include "auth/sigalgs.h"
#include "codec/extensions.h"
#include "codec/groups.h"

#include <openssl/objects.h>

int auth_have_cert(const CERT_SLOT *certs)
{
    for (int i = 0; i < CERT_NUM_SLOTS; i++)
        if (certs[i].x509 != NULL && certs[i].pkey != NULL)
            return 1;
    return 0;
}

int auth_select_cert(const CERT_SLOT *certs, int current, unsigned slots, const uint16_t *ours,
                     size_t num_ours, const CBS *peer, int tls13, int *out_slot,
                     uint16_t *out_sigalg)
{
    for (size_t i = 0; i < num_ours; i++) {
        uint16_t alg = ours[i];
        if (peer == NULL || !codec_u16_list_contains(peer, alg))
            continue;
        /* the current slot wins ties, so SSL_use_certificate order matters */
        for (int k = -1; k < CERT_NUM_SLOTS; k++) {
            int slot = k < 0 ? current : k;
            if (k == current || slot < 0 || slot >= CERT_NUM_SLOTS || !(slots & (1u << slot)))
                continue;
            const CERT_SLOT *c = &certs[slot];
            if (c->x509 != NULL && c->pkey != NULL && sigalg_key_compatible(c->pkey, alg, tls13)) {
                *out_slot = slot;
                *out_sigalg = alg;
                return 1;
            }
        }
    }
    ERR_raise(ERR_LIB_SSL, SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM);
    return 0;
}

uint16_t auth_ec_key_group(const EVP_PKEY *pkey)
{
    char name[64];
    if (pkey == NULL || !EVP_PKEY_is_a(pkey, "EC") ||
        !EVP_PKEY_get_group_name(pkey, name, sizeof(name), NULL))
        return 0;
    return group_from_nid(OBJ_txt2nid(name));
}
