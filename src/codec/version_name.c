/* Protocol version names as OpenSSL prints them. */
#include <openssl/ssl.h>

#include "codec/consts.h"

const char *codec_version_name(int version)
{
    switch (version) {
    case TLS1_3_VERSION:
        return "TLSv1.3";
    case TLS1_2_VERSION:
        return "TLSv1.2";
    case TLS1_1_VERSION:
        return "TLSv1.1";
    case TLS1_VERSION:
        return "TLSv1";
    case SSL3_VERSION:
        return "SSLv3";
    default:
        return "unknown";
    }
}
