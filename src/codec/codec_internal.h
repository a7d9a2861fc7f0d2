/* Helpers private to the codec's .c files. */
#ifndef SESAME_CODEC_CODEC_INTERNAL_H
#define SESAME_CODEC_CODEC_INTERNAL_H

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "codec/consts.h"

/* CODEC_FAIL raises SSL error |reason| where it is detected, stores |alert|
 * in |*out_alert| and evaluates to 0. */
#define CODEC_FAIL(out_alert, alert, reason)                                                       \
    (ERR_raise(ERR_LIB_SSL, (reason)), *(out_alert) = (uint8_t)(alert), 0)

/* Malformed framing: truncation, bad inner length, trailing bytes. */
#define CODEC_DECODE_ERROR(out_alert)                                                              \
    CODEC_FAIL(out_alert, CODEC_ALERT_DECODE_ERROR, SSL_R_LENGTH_MISMATCH)

/* A well-formed field with a value the RFC forbids. */
#define CODEC_ILLEGAL(out_alert, reason)                                                           \
    CODEC_FAIL(out_alert, CODEC_ALERT_ILLEGAL_PARAMETER, reason)

/* A writer failed (allocation, overflow, or a bad caller argument). */
#define CODEC_WRITE_FAIL() (ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR), 0)

#endif
