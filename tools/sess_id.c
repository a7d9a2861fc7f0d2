/* sesame sess_id: read a PEM SSL_SESSION, print it and/or write it back. */
#include "tools.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

int cmd_sess_id(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    int text = 0, noout = 0, help = 0;
    const struct opt tab[] = {
        {"in", OPT_STR, &in, "FILE  PEM session to read (default stdin)"},
        {"out", OPT_STR, &out, "FILE  where to write the PEM (default stdout)"},
        {"text", OPT_FLAG, &text, "print the session in text form"},
        {"noout", OPT_FLAG, &noout, "do not write the PEM session"},
        {"help", OPT_FLAG, &help, "this text"},
        {NULL, 0, NULL, NULL},
    };
    if (!opts_parse(argc, argv, tab, "sess_id"))
        return 1;
    if (help) {
        opts_usage(stdout, "sess_id", tab);
        return 0;
    }
    BIO *bin = in ? BIO_new_file(in, "r") : BIO_new_fp(stdin, BIO_NOCLOSE);
    if (bin == NULL) {
        fprintf(stderr, "cannot open '%s'\n", in);
        ERR_print_errors_fp(stderr);
        return 1;
    }
    SSL_SESSION *s = PEM_read_bio_SSL_SESSION(bin, NULL, NULL, NULL);
    BIO_free(bin);
    if (s == NULL) {
        fprintf(stderr, "unable to load SSL_SESSION\n");
        ERR_print_errors_fp(stderr);
        return 1;
    }
    int rc = 0;
    BIO *bout = BIO_new_fp(stdout, BIO_NOCLOSE);
    if (text && SSL_SESSION_print(bout, s) != 1) {
        fprintf(stderr, "cannot print the session\n");
        rc = 1;
    }
    if (!noout && rc == 0) {
        BIO *bo = bout;
        if (out != NULL && (bo = BIO_new_file(out, "w")) == NULL) {
            fprintf(stderr, "cannot open '%s'\n", out);
            rc = 1;
        } else if (PEM_write_bio_SSL_SESSION(bo, s) != 1) {
            fprintf(stderr, "unable to write SSL_SESSION\n");
            rc = 1;
        }
        if (bo != NULL && bo != bout)
            BIO_free(bo);
    }
    if (rc != 0)
        ERR_print_errors_fp(stderr);
    BIO_free(bout);
    SSL_SESSION_free(s);
    return rc;
}
