/* TLS 1.2 handshake messages: ServerKeyExchange (RFC 8422 5.4, RFC 5246
 * 7.4.3), ClientKeyExchange (RFC 8422 5.7, RFC 5246 7.4.7), Certificate
 * (7.4.2), CertificateRequest (7.4.4), the empty ServerHelloDone (7.4.5)
 * and HelloRequest (7.4.1.1), NewSessionTicket (RFC 5077 3.3).
 *
 * Alerts: a vector outside its RFC length range, a truncated field or
 * trailing bytes is decode_error (as OpenSSL's SSL_R_LENGTH_MISMATCH
 * paths); a well-formed value the RFC forbids is illegal_parameter.  The
 * values that need the connection's configuration (is the curve one we
 * offered? is the sigalg? is the DH group acceptable?) are the caller's. */
#include <string.h>

#include "codec/codec_internal.h"
#include "codec/extensions.h"
#include "codec/messages12.h"

/* Largest contents of a u8/u16/u24-prefixed vector. */
#define MAX_U8  0xffu
#define MAX_U16 0xffffu
#define MAX_U24 0xffffffu

/* get_u16_nonempty reads a u16-prefixed vector of at least one byte. */
static int get_u16_nonempty(CBS *in, CBS *out)
{
    return cbs_get_u16_prefixed(in, out) && cbs_len(out) > 0;
}

/* ---- ServerKeyExchange ---- */

/* parse_ecdhe_params: RFC 8422 5.4
 *   struct { ECCurveType curve_type; NamedCurve namedcurve; } ECParameters;
 *   struct { ECParameters curve_params; ECPoint public; } ServerECDHParams;
 *   struct { opaque point <1..2^8-1>; } ECPoint;
 * The type and the curve are read before the type is judged, as OpenSSL
 * does: three bytes missing are a decode_error whatever the first one. */
static int parse_ecdhe_params(CBS *in, CODEC_SERVER_KEY_EXCHANGE *out, uint8_t *out_alert)
{
    uint8_t curve_type;
    if (!cbs_get_u8(in, &curve_type) || !cbs_get_u16(in, &out->named_curve))
        return CODEC_DECODE_ERROR(out_alert);
    /* RFC 8422 5.4: explicit_prime (1) and explicit_char2 (2) are
     * deprecated and "MUST NOT" be used; anything else is no curve type. */
    if (curve_type != CODEC_EC_CURVE_TYPE_NAMED)
        return CODEC_ILLEGAL(out_alert, SSL_R_WRONG_CURVE);
    if (!cbs_get_u8_prefixed(in, &out->point) || cbs_len(&out->point) == 0)
        return CODEC_DECODE_ERROR(out_alert);
    return 1;
}

/* parse_dhe_params: RFC 5246 7.4.3
 *   struct { opaque dh_p<1..2^16-1>; opaque dh_g<1..2^16-1>;
 *            opaque dh_Ys<1..2^16-1>; } ServerDHParams; */
static int parse_dhe_params(CBS *in, CODEC_SERVER_KEY_EXCHANGE *out, uint8_t *out_alert)
{
    if (!get_u16_nonempty(in, &out->dh_p) || !get_u16_nonempty(in, &out->dh_g) ||
        !get_u16_nonempty(in, &out->dh_ys))
        return CODEC_DECODE_ERROR(out_alert);
    return 1;
}

int codec_parse_server_key_exchange(CBS *body, int dhe, CODEC_SERVER_KEY_EXCHANGE *out,
                                    uint8_t *out_alert)
{
    CBS in = *body, start = *body;
    memset(out, 0, sizeof(*out));
    if (!(dhe ? parse_dhe_params(&in, out, out_alert) : parse_ecdhe_params(&in, out, out_alert)))
        return 0;
    /* |params| views what the parameters took of the body: the signed
     * bytes, split off the untouched copy. */
    if (!cbs_get_bytes(&start, &out->params, cbs_len(&start) - cbs_len(&in)))
        return CODEC_DECODE_ERROR(out_alert);
    /* RFC 5246 4.7 digitally-signed: SignatureAndHashAlgorithm algorithm;
     * opaque signature<0..2^16-1>.  An empty signature verifies under no
     * algorithm we speak; it is refused here as malformed. */
    if (!cbs_get_u16(&in, &out->sigalg) || !get_u16_nonempty(&in, &out->signature) ||
        cbs_len(&in) != 0)
        return CODEC_DECODE_ERROR(out_alert);
    *body = in;
    return 1;
}

int codec_write_ecdhe_params(CBB *cbb, uint16_t named_curve, const uint8_t *point, size_t point_len)
{
    CBB pt;
    if (point_len == 0 || point_len > MAX_U8 || point == NULL ||
        !cbb_add_u8(cbb, CODEC_EC_CURVE_TYPE_NAMED) || !cbb_add_u16(cbb, named_curve) ||
        !cbb_add_u8_prefixed(cbb, &pt) || !cbb_add_bytes(&pt, point, point_len) || !cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}

int codec_write_dhe_params(CBB *cbb, const uint8_t *p, size_t p_len, const uint8_t *g, size_t g_len,
                           const uint8_t *ys, size_t ys_len)
{
    const uint8_t *v[3] = {p, g, ys};
    const size_t n[3] = {p_len, g_len, ys_len};
    CBB child;
    for (int i = 0; i < 3; i++) {
        if (n[i] == 0 || n[i] > MAX_U16 || v[i] == NULL)
            return CODEC_WRITE_FAIL();
    }
    for (int i = 0; i < 3; i++) {
        if (!cbb_add_u16_prefixed(cbb, &child) || !cbb_add_bytes(&child, v[i], n[i]))
            return CODEC_WRITE_FAIL();
    }
    if (!cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}

int codec_write_server_key_exchange(CBB *cbb, const uint8_t *params, size_t params_len,
                                    uint16_t sigalg, const uint8_t *sig, size_t sig_len)
{
    CBB body, s;
    if (params_len == 0 || params == NULL || sig_len == 0 || sig_len > MAX_U16 || sig == NULL ||
        !cbb_add_u8(cbb, CODEC_HS_SERVER_KEY_EXCHANGE) || !cbb_add_u24_prefixed(cbb, &body) ||
        !cbb_add_bytes(&body, params, params_len) || !cbb_add_u16(&body, sigalg) ||
        !cbb_add_u16_prefixed(&body, &s) || !cbb_add_bytes(&s, sig, sig_len) || !cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}

/* ---- ClientKeyExchange ---- */

int codec_parse_client_key_exchange(CBS *body, int dhe, CBS *out_public, uint8_t *out_alert)
{
    CBS in = *body;
    /* ECDHE: ClientECDiffieHellmanPublic { ECPoint ecdh_Yc } (explicit: the
     * implicit form is for fixed-ECDH client certificates, which RFC 8422
     * dropped); ECPoint is point<1..2^8-1>.  DHE: ClientDiffieHellmanPublic
     * { opaque dh_Yc<1..2^16-1> } (explicit).  Either way, exactly the body. */
    int ok = dhe ? cbs_get_u16_prefixed(&in, out_public) : cbs_get_u8_prefixed(&in, out_public);
    if (!ok || cbs_len(out_public) == 0 || cbs_len(&in) != 0)
        return CODEC_DECODE_ERROR(out_alert);
    *body = in;
    return 1;
}

int codec_write_client_key_exchange(CBB *cbb, int dhe, const uint8_t *pub, size_t pub_len)
{
    CBB body, v;
    if (pub_len == 0 || pub_len > (dhe ? MAX_U16 : MAX_U8) || pub == NULL ||
        !cbb_add_u8(cbb, CODEC_HS_CLIENT_KEY_EXCHANGE) || !cbb_add_u24_prefixed(cbb, &body) ||
        !(dhe ? cbb_add_u16_prefixed(&body, &v) : cbb_add_u8_prefixed(&body, &v)) ||
        !cbb_add_bytes(&v, pub, pub_len) || !cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}

/* ---- Certificate ---- */

int codec_cert12_next(CBS *list, CBS *out_cert_der)
{
    return cbs_get_u24_prefixed(list, out_cert_der);
}

int codec_parse_certificate12(CBS *body, CODEC_CERTIFICATE12 *out, uint8_t *out_alert)
{
    /* RFC 5246 7.4.2: opaque ASN.1Cert<1..2^24-1>;
     *   struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate; */
    CBS in = *body, iter, der;
    memset(out, 0, sizeof(*out));
    if (!cbs_get_u24_prefixed(&in, &out->certificate_list) || cbs_len(&in) != 0)
        return CODEC_DECODE_ERROR(out_alert);
    iter = out->certificate_list;
    while (cbs_len(&iter) > 0) {
        if (!codec_cert12_next(&iter, &der) || cbs_len(&der) == 0)
            return CODEC_DECODE_ERROR(out_alert);
        out->num_certs++;
    }
    *body = in;
    return 1;
}

int codec_write_certificate12(CBB *cbb, const uint8_t *const *der, const size_t *der_len,
                              size_t num)
{
    CBB body, list, entry;
    /* Validate first: a failure mid-write would leave the caller's CBB with
     * an open child on our stack. */
    for (size_t i = 0; i < num; i++) {
        if (der_len[i] == 0 || der_len[i] > MAX_U24 || der[i] == NULL)
            return CODEC_WRITE_FAIL();
    }
    if (!cbb_add_u8(cbb, CODEC_HS_CERTIFICATE) || !cbb_add_u24_prefixed(cbb, &body) ||
        !cbb_add_u24_prefixed(&body, &list))
        return CODEC_WRITE_FAIL();
    for (size_t i = 0; i < num; i++) {
        if (!cbb_add_u24_prefixed(&list, &entry) || !cbb_add_bytes(&entry, der[i], der_len[i]))
            return CODEC_WRITE_FAIL();
    }
    /* A list over 2^24-1 bytes fails here (the prefix does not fit). */
    if (!cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}

/* ---- CertificateRequest ---- */

int codec_parse_certificate_request12(CBS *body, CODEC_CERTIFICATE_REQUEST12 *out,
                                      uint8_t *out_alert)
{
    /* RFC 5246 7.4.4:
     *   ClientCertificateType certificate_types<1..2^8-1>;
     *   SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
     *   DistinguishedName certificate_authorities<0..2^16-1>;
     * with opaque DistinguishedName<1..2^16-1>.  Unknown certificate types
     * and algorithms are the caller's to skip. */
    CBS in = *body, iter, name;
    memset(out, 0, sizeof(*out));
    if (!cbs_get_u8_prefixed(&in, &out->certificate_types) ||
        cbs_len(&out->certificate_types) == 0 || !codec_get_u16_list(&in, &out->sigalgs) ||
        !cbs_get_u16_prefixed(&in, &out->certificate_authorities) || cbs_len(&in) != 0)
        return CODEC_DECODE_ERROR(out_alert);
    iter = out->certificate_authorities;
    while (cbs_len(&iter) > 0) {
        if (!get_u16_nonempty(&iter, &name))
            return CODEC_DECODE_ERROR(out_alert);
    }
    *body = in;
    return 1;
}

int codec_write_certificate_request12(CBB *cbb, const uint16_t *sigalgs, size_t num_sigalgs,
                                      const uint8_t *const *cas, const size_t *ca_lens,
                                      size_t num_cas)
{
    static const uint8_t kTypes[] = {CODEC_CERT_TYPE_RSA_SIGN, CODEC_CERT_TYPE_ECDSA_SIGN};
    CBB body, types, list, name;
    /* Validate first (see codec_write_certificate12). */
    if (num_sigalgs == 0 || num_sigalgs > MAX_U16 / 2 || sigalgs == NULL)
        return CODEC_WRITE_FAIL();
    for (size_t i = 0; i < num_cas; i++) {
        if (ca_lens[i] == 0 || ca_lens[i] > MAX_U16 || cas[i] == NULL)
            return CODEC_WRITE_FAIL();
    }
    if (!cbb_add_u8(cbb, CODEC_HS_CERTIFICATE_REQUEST) || !cbb_add_u24_prefixed(cbb, &body) ||
        !cbb_add_u8_prefixed(&body, &types) || !cbb_add_bytes(&types, kTypes, sizeof(kTypes)) ||
        !codec_write_u16_list(&body, sigalgs, num_sigalgs) || !cbb_add_u16_prefixed(&body, &list))
        return CODEC_WRITE_FAIL();
    for (size_t i = 0; i < num_cas; i++) {
        if (!cbb_add_u16_prefixed(&list, &name) || !cbb_add_bytes(&name, cas[i], ca_lens[i]))
            return CODEC_WRITE_FAIL();
    }
    /* Names adding up to more than 2^16-1 bytes fail here. */
    if (!cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}

/* ---- ServerHelloDone, HelloRequest ---- */

int codec_parse_empty(CBS *body, uint8_t *out_alert)
{
    if (cbs_len(body) != 0)
        return CODEC_DECODE_ERROR(out_alert);
    return 1;
}

int codec_write_empty(CBB *cbb, uint8_t type)
{
    if (!cbb_add_u8(cbb, type) || !cbb_add_u24(cbb, 0))
        return CODEC_WRITE_FAIL();
    return 1;
}

/* ---- NewSessionTicket ---- */

int codec_parse_new_session_ticket12(CBS *body, CODEC_NEW_SESSION_TICKET12 *out, uint8_t *out_alert)
{
    /* RFC 5077 3.3: uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>.
     * An empty ticket says the server will not issue one after all. */
    CBS in = *body;
    memset(out, 0, sizeof(*out));
    if (!cbs_get_u32(&in, &out->lifetime_hint) || !cbs_get_u16_prefixed(&in, &out->ticket) ||
        cbs_len(&in) != 0)
        return CODEC_DECODE_ERROR(out_alert);
    *body = in;
    return 1;
}

int codec_write_new_session_ticket12(CBB *cbb, uint32_t lifetime_hint, const uint8_t *ticket,
                                     size_t ticket_len)
{
    CBB body, t;
    if (ticket_len > MAX_U16 || (ticket_len > 0 && ticket == NULL) ||
        !cbb_add_u8(cbb, CODEC_HS_NEW_SESSION_TICKET) || !cbb_add_u24_prefixed(cbb, &body) ||
        !cbb_add_u32(&body, lifetime_hint) || !cbb_add_u16_prefixed(&body, &t) ||
        !cbb_add_bytes(&t, ticket, ticket_len) || !cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}
