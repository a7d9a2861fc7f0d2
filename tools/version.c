/* sesame version: which libssl.so.3 this process loaded, and libcrypto's version. */
#include "tools.h"

#include <string.h>

#include <openssl/crypto.h>

int cmd_version(int argc, char **argv)
{
    int help = 0;
    const struct opt tab[] = {
        {"help", OPT_FLAG, &help, "this text"},
        {NULL, 0, NULL, NULL},
    };
    if (!opts_parse(argc, argv, tab, "version"))
        return 1;
    if (help) {
        opts_usage(stdout, "version", tab);
        return 0;
    }
    const char *lib = loaded_libssl_path();
    printf("sesame\n");
    printf("libssl: %s\n", lib ? lib : "(not found)");
    printf("libcrypto: %s\n", OpenSSL_version(OPENSSL_VERSION));
    return lib ? 0 : 1;
}
