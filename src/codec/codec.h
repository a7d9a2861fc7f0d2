/* The codec layer: parse and serialise TLS handshake messages and their
 * extensions into/from plain structs. Never sees an SSL*.
 *
 *   consts.h      wire constants (CODEC_HS_*, CODEC_ALERT_*, CODEC_EXT_*, ...)
 *   extensions.h  extension table, extension/u16-list walkers, alert policy
 *   hello.h       ClientHello, ServerHello, HelloRetryRequest
 *   messages13.h  EncryptedExtensions, CertificateRequest, Certificate,
 *                 CertificateVerify, Finished, NewSessionTicket,
 *                 KeyUpdate
 */
#ifndef SESAME_CODEC_CODEC_H
#define SESAME_CODEC_CODEC_H

#include "codec/consts.h"
#include "codec/extensions.h"
#include "codec/hello.h"
#include "codec/messages13.h"

#endif
