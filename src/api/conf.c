/* SSL_CONF_*: OpenSSL's configuration commands ("-cipher X" on a command line,
 * "CipherString = X" in a file) applied to an SSL_CTX or an SSL.
 *
 * The table below is OpenSSL 3.0's, checked name by name against the system
 * libssl (which names exist for which role and which flags, what each sets,
 * what each returns); unit.conf holds those answers.  Each command calls the
 * public setter OpenSSL's calls, so it behaves as that setter does here.
 *
 * Return values (SSL_CONF_cmd): 1 a switch was applied, 2 a command with a
 * value was applied, 0 the value was rejected, -2 unknown command (or not for
 * this role / without SSL_CONF_FLAG_CERTIFICATE), -3 a value is missing. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/conf.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>

#include "api/api.h"
#include "auth/config.h"

/* What a table entry applies to (besides the roles). */
enum conf_target {
    T_OPTION = 0, /* SSL_OP_* */
    T_CERT,       /* SSL_CERT_FLAG_* (SSL_CTRL_CERT_FLAGS) */
    T_VERIFY,     /* SSL_VERIFY_* (verify mode, callback kept) */
};

/* The role bits are OpenSSL's SSL_CONF_FLAG_CLIENT / _SERVER. */
#define R_CLI  SSL_CONF_FLAG_CLIENT
#define R_SRV  SSL_CONF_FLAG_SERVER
#define R_BOTH (SSL_CONF_FLAG_CLIENT | SSL_CONF_FLAG_SERVER)

/* One flag: a switch ("-no_ticket") or a word of a list ("Options = -Bugs").
 * |inverted|: the word clears the bits (e.g. "SessionTicket" clears
 * SSL_OP_NO_TICKET); a '-' before a list word inverts once more. */
struct conf_flag {
    const char *name;
    uint64_t bits;
    uint8_t roles;
    uint8_t target;
    uint8_t inverted;
};

struct ssl_conf_ctx_st {
    unsigned int flags; /* SSL_CONF_FLAG_* */
    char *prefix;       /* NULL: none ("-" on a command line) */
    size_t prefix_len;
    SSL_CTX *ctx; /* at most one of the two is set */
    SSL *ssl;
    /* SSL_CONF_FLAG_REQUIRE_PRIVATE: the file each certificate slot's
     * certificate came from, its key read from there at finish if none */
    char *cert_file[CERT_NUM_SLOTS];
    STACK_OF(X509_NAME) * canames; /* RequestCAFile & co., set at finish */
    /* the list being parsed (Protocol, Options, VerifyMode) */
    const struct conf_flag *list;
    size_t list_len;
};

/* ---- the target ---- */

static struct ssl_config *target_cfg(SSL_CONF_CTX *cctx)
{
    if (cctx->ssl != NULL)
        return &cctx->ssl->cfg;
    if (cctx->ctx != NULL)
        return &cctx->ctx->cfg;
    return NULL;
}

static void apply_flag(SSL_CONF_CTX *cctx, const struct conf_flag *f, int on)
{
    struct ssl_config *c = target_cfg(cctx);
    if (c == NULL)
        return;
    if (f->inverted)
        on = !on;
    switch (f->target) {
    case T_OPTION:
        if (on)
            c->options |= f->bits;
        else
            c->options &= ~f->bits;
        break;
    case T_CERT:
        if (on)
            c->cert_flags |= (uint32_t)f->bits;
        else
            c->cert_flags &= ~(uint32_t)f->bits;
        break;
    case T_VERIFY:
        if (on)
            c->verify_mode |= (int)f->bits;
        else
            c->verify_mode &= ~(int)f->bits;
        break;
    }
}

/* ---- list commands: Protocol, Options, VerifyMode ---- */

/* conf_list_word is CONF_parse_list's callback: one word of the list, with
 * an optional '+' (set) or '-' (clear) before it; case-insensitive. */
static int conf_list_word(const char *elem, int len, void *arg)
{
    SSL_CONF_CTX *cctx = arg;
    int on = 1;

    if (elem == NULL || len <= 0)
        return 0; /* an empty word fails the list */
    if (*elem == '+' || *elem == '-') {
        on = *elem == '+';
        elem++;
        len--;
    }
    for (size_t i = 0; i < cctx->list_len; i++) {
        const struct conf_flag *f = &cctx->list[i];
        if (!(cctx->flags & f->roles & R_BOTH))
            continue;
        if (strlen(f->name) != (size_t)len || OPENSSL_strncasecmp(f->name, elem, (size_t)len) != 0)
            continue;
        apply_flag(cctx, f, on);
        return 1;
    }
    return 0;
}

static int parse_list(SSL_CONF_CTX *cctx, const struct conf_flag *list, size_t n, const char *value)
{
    cctx->list = list;
    cctx->list_len = n;
    return CONF_parse_list(value, ',', 1, conf_list_word, cctx);
}

static const struct conf_flag protocol_words[] = {
    {"ALL", SSL_OP_NO_SSL_MASK, R_BOTH, T_OPTION, 1},
    {"SSLv2", SSL_OP_NO_SSLv2, R_BOTH, T_OPTION, 1},
    {"SSLv3", SSL_OP_NO_SSLv3, R_BOTH, T_OPTION, 1},
    {"TLSv1", SSL_OP_NO_TLSv1, R_BOTH, T_OPTION, 1},
    {"TLSv1.1", SSL_OP_NO_TLSv1_1, R_BOTH, T_OPTION, 1},
    {"TLSv1.2", SSL_OP_NO_TLSv1_2, R_BOTH, T_OPTION, 1},
    {"TLSv1.3", SSL_OP_NO_TLSv1_3, R_BOTH, T_OPTION, 1},
    {"DTLSv1", SSL_OP_NO_DTLSv1, R_BOTH, T_OPTION, 1},
    {"DTLSv1.2", SSL_OP_NO_DTLSv1_2, R_BOTH, T_OPTION, 1},
};

static const struct conf_flag option_words[] = {
    {"SessionTicket", SSL_OP_NO_TICKET, R_BOTH, T_OPTION, 1},
    {"EmptyFragments", SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS, R_BOTH, T_OPTION, 1},
    {"Bugs", SSL_OP_ALL, R_BOTH, T_OPTION, 0},
    {"Compression", SSL_OP_NO_COMPRESSION, R_BOTH, T_OPTION, 1},
    {"ServerPreference", SSL_OP_CIPHER_SERVER_PREFERENCE, R_SRV, T_OPTION, 0},
    {"NoResumptionOnRenegotiation", SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION, R_SRV, T_OPTION,
     0},
    {"DHSingle", SSL_OP_SINGLE_DH_USE, R_SRV, T_OPTION, 0},
    {"ECDHSingle", SSL_OP_SINGLE_ECDH_USE, R_SRV, T_OPTION, 0},
    {"UnsafeLegacyRenegotiation", SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION, R_BOTH, T_OPTION, 0},
    {"UnsafeLegacyServerConnect", SSL_OP_LEGACY_SERVER_CONNECT, R_BOTH, T_OPTION, 0},
    {"ClientRenegotiation", SSL_OP_ALLOW_CLIENT_RENEGOTIATION, R_BOTH, T_OPTION, 0},
    {"EncryptThenMac", SSL_OP_NO_ENCRYPT_THEN_MAC, R_BOTH, T_OPTION, 1},
    {"NoRenegotiation", SSL_OP_NO_RENEGOTIATION, R_BOTH, T_OPTION, 0},
    {"AllowNoDHEKEX", SSL_OP_ALLOW_NO_DHE_KEX, R_BOTH, T_OPTION, 0},
    {"PrioritizeChaCha", SSL_OP_PRIORITIZE_CHACHA, R_BOTH, T_OPTION, 0},
    {"MiddleboxCompat", SSL_OP_ENABLE_MIDDLEBOX_COMPAT, R_BOTH, T_OPTION, 0},
    {"AntiReplay", SSL_OP_NO_ANTI_REPLAY, R_BOTH, T_OPTION, 1},
    {"ExtendedMasterSecret", SSL_OP_NO_EXTENDED_MASTER_SECRET, R_BOTH, T_OPTION, 1},
    {"CANames", SSL_OP_DISABLE_TLSEXT_CA_NAMES, R_BOTH, T_OPTION, 1},
    {"KTLS", SSL_OP_ENABLE_KTLS, R_BOTH, T_OPTION, 0},
};

static const struct conf_flag verify_words[] = {
    {"Peer", SSL_VERIFY_PEER, R_CLI, T_VERIFY, 0},
    {"Request", SSL_VERIFY_PEER, R_SRV, T_VERIFY, 0},
    {"Require", SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, R_SRV, T_VERIFY, 0},
    {"Once", SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, R_SRV, T_VERIFY, 0},
    {"RequestPostHandshake", SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE, R_SRV, T_VERIFY, 0},
    {"RequirePostHandshake",
     SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, R_SRV, T_VERIFY,
     0},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int cmd_Protocol(SSL_CONF_CTX *cctx, const char *v)
{
    return parse_list(cctx, protocol_words, NELEM(protocol_words), v);
}

static int cmd_Options(SSL_CONF_CTX *cctx, const char *v)
{
    return parse_list(cctx, option_words, NELEM(option_words), v);
}

static int cmd_VerifyMode(SSL_CONF_CTX *cctx, const char *v)
{
    return parse_list(cctx, verify_words, NELEM(verify_words), v);
}

/* ---- commands with a value ---- */

/* Without an SSL_CTX or SSL, the list setters check the syntax only (as
 * OpenSSL's SSL_CTX_set1_*_list(NULL, ...)). */
static int cmd_SignatureAlgorithms(SSL_CONF_CTX *cctx, const char *v)
{
    if (cctx->ssl != NULL)
        return SSL_set1_sigalgs_list(cctx->ssl, v) > 0;
    return SSL_CTX_set1_sigalgs_list(cctx->ctx, v) > 0;
}

static int cmd_ClientSignatureAlgorithms(SSL_CONF_CTX *cctx, const char *v)
{
    if (cctx->ssl != NULL)
        return SSL_set1_client_sigalgs_list(cctx->ssl, v) > 0;
    return SSL_CTX_set1_client_sigalgs_list(cctx->ctx, v) > 0;
}

static int cmd_Groups(SSL_CONF_CTX *cctx, const char *v)
{
    if (cctx->ssl != NULL)
        return SSL_set1_groups_list(cctx->ssl, v) > 0;
    return SSL_CTX_set1_groups_list(cctx->ctx, v) > 0;
}

/* One group; "auto" (command line) and "automatic" (file) are the 1.0.2
 * spellings of the default, accepted and ignored. */
static int cmd_ECDHParameters(SSL_CONF_CTX *cctx, const char *v)
{
    if ((cctx->flags & SSL_CONF_FLAG_FILE) &&
        (OPENSSL_strcasecmp(v, "+automatic") == 0 || OPENSSL_strcasecmp(v, "automatic") == 0))
        return 1;
    if ((cctx->flags & SSL_CONF_FLAG_CMDLINE) && strcmp(v, "auto") == 0)
        return 1;
    if (strchr(v, ':') != NULL)
        return 0;
    if (cctx->ctx != NULL)
        return SSL_CTX_set1_groups_list(cctx->ctx, v) > 0;
    if (cctx->ssl != NULL)
        return SSL_set1_groups_list(cctx->ssl, v) > 0;
    return 1;
}

static int cmd_CipherString(SSL_CONF_CTX *cctx, const char *v)
{
    if (cctx->ctx != NULL)
        return SSL_CTX_set_cipher_list(cctx->ctx, v) > 0;
    if (cctx->ssl != NULL)
        return SSL_set_cipher_list(cctx->ssl, v) > 0;
    return 1;
}

static int cmd_Ciphersuites(SSL_CONF_CTX *cctx, const char *v)
{
    if (cctx->ctx != NULL)
        return SSL_CTX_set_ciphersuites(cctx->ctx, v) > 0;
    if (cctx->ssl != NULL)
        return SSL_set_ciphersuites(cctx->ssl, v) > 0;
    return 1;
}

/* MinProtocol / MaxProtocol: the names are case-sensitive; "None" is 0. */
static int proto_bound(SSL_CONF_CTX *cctx, const char *v, int is_max)
{
    static const struct {
        const char *name;
        int version;
    } names[] = {
        {"None", 0},
        {"SSLv3", SSL3_VERSION},
        {"TLSv1", TLS1_VERSION},
        {"TLSv1.1", TLS1_1_VERSION},
        {"TLSv1.2", TLS1_2_VERSION},
        {"TLSv1.3", TLS1_3_VERSION},
        {"DTLSv1", DTLS1_VERSION},
        {"DTLSv1.2", DTLS1_2_VERSION},
    };
    int version = -1;
    for (size_t i = 0; i < NELEM(names); i++)
        if (strcmp(names[i].name, v) == 0)
            version = names[i].version;
    if (version < 0 || (cctx->ctx == NULL && cctx->ssl == NULL))
        return 0;
    int cmd = is_max ? SSL_CTRL_SET_MAX_PROTO_VERSION : SSL_CTRL_SET_MIN_PROTO_VERSION;
    if (cctx->ssl != NULL)
        return SSL_ctrl(cctx->ssl, cmd, version, NULL) > 0;
    return SSL_CTX_ctrl(cctx->ctx, cmd, version, NULL) > 0;
}

static int cmd_MinProtocol(SSL_CONF_CTX *cctx, const char *v)
{
    return proto_bound(cctx, v, 0);
}

static int cmd_MaxProtocol(SSL_CONF_CTX *cctx, const char *v)
{
    return proto_bound(cctx, v, 1);
}

static int cmd_Certificate(SSL_CONF_CTX *cctx, const char *v)
{
    struct ssl_config *c = NULL;
    int ok = 1;
    if (cctx->ctx != NULL) {
        ok = SSL_CTX_use_certificate_chain_file(cctx->ctx, v) > 0;
        c = &cctx->ctx->cfg;
    }
    if (cctx->ssl != NULL) {
        ok = SSL_use_certificate_chain_file(cctx->ssl, v) > 0;
        c = &cctx->ssl->cfg;
    }
    if (ok && c != NULL && (cctx->flags & SSL_CONF_FLAG_REQUIRE_PRIVATE)) {
        char **slot = &cctx->cert_file[c->cert_current];
        OPENSSL_free(*slot);
        if ((*slot = OPENSSL_strdup(v)) == NULL)
            ok = 0;
    }
    return ok;
}

static int cmd_PrivateKey(SSL_CONF_CTX *cctx, const char *v)
{
    if (!(cctx->flags & SSL_CONF_FLAG_CERTIFICATE))
        return -2;
    if (cctx->ctx != NULL)
        return SSL_CTX_use_PrivateKey_file(cctx->ctx, v, SSL_FILETYPE_PEM) > 0;
    if (cctx->ssl != NULL)
        return SSL_use_PrivateKey_file(cctx->ssl, v, SSL_FILETYPE_PEM) > 0;
    return 1;
}

static int cmd_ServerInfoFile(SSL_CONF_CTX *cctx, const char *v)
{
    if (cctx->ctx != NULL)
        return SSL_CTX_use_serverinfo_file(cctx->ctx, v) > 0;
    return 1;
}

/* The verify or chain store of the target's configuration, made on first
 * use, loaded from a file, a directory or a URI. */
static int load_store(SSL_CONF_CTX *cctx, const char *file, const char *dir, const char *uri,
                      int verify)
{
    struct ssl_config *c = target_cfg(cctx);
    SSL_CTX *ctx = cctx->ssl != NULL ? cctx->ssl->ctx : cctx->ctx;
    if (c == NULL)
        return 1;
    struct ssl_config_shared *w = cfg_shared_mut(c);
    if (w == NULL)
        return 0;
    X509_STORE **st = verify ? &w->verify_store : &w->chain_store;
    if (*st == NULL && (*st = X509_STORE_new()) == NULL)
        return 0;
    if (file != NULL && !X509_STORE_load_file_ex(*st, file, ctx->libctx, ctx->propq))
        return 0;
    if (dir != NULL && !X509_STORE_load_path(*st, dir))
        return 0;
    if (uri != NULL && !X509_STORE_load_store_ex(*st, uri, ctx->libctx, ctx->propq))
        return 0;
    return 1;
}

static int cmd_ChainCAPath(SSL_CONF_CTX *cctx, const char *v)
{
    return load_store(cctx, NULL, v, NULL, 0);
}
static int cmd_ChainCAFile(SSL_CONF_CTX *cctx, const char *v)
{
    return load_store(cctx, v, NULL, NULL, 0);
}
static int cmd_ChainCAStore(SSL_CONF_CTX *cctx, const char *v)
{
    return load_store(cctx, NULL, NULL, v, 0);
}
static int cmd_VerifyCAPath(SSL_CONF_CTX *cctx, const char *v)
{
    return load_store(cctx, NULL, v, NULL, 1);
}
static int cmd_VerifyCAFile(SSL_CONF_CTX *cctx, const char *v)
{
    return load_store(cctx, v, NULL, NULL, 1);
}
static int cmd_VerifyCAStore(SSL_CONF_CTX *cctx, const char *v)
{
    return load_store(cctx, NULL, NULL, v, 1);
}

static int canames(SSL_CONF_CTX *cctx)
{
    if (cctx->canames == NULL)
        cctx->canames = sk_X509_NAME_new_null();
    return cctx->canames != NULL;
}

/* RequestCA*: the names for the certificate_authorities extension (and a
 * server's CertificateRequest), SSL_CTX_set0_CA_list at finish. */
static int cmd_RequestCAFile(SSL_CONF_CTX *cctx, const char *v)
{
    return canames(cctx) && SSL_add_file_cert_subjects_to_stack(cctx->canames, v);
}
static int cmd_RequestCAPath(SSL_CONF_CTX *cctx, const char *v)
{
    return canames(cctx) && SSL_add_dir_cert_subjects_to_stack(cctx->canames, v);
}
static int cmd_RequestCAStore(SSL_CONF_CTX *cctx, const char *v)
{
    return canames(cctx) && SSL_add_store_cert_subjects_to_stack(cctx->canames, v);
}

/* DHParameters: PEM DH domain parameters. */
static int cmd_DHParameters(SSL_CONF_CTX *cctx, const char *v)
{
    SSL_CTX *ctx = cctx->ssl != NULL ? cctx->ssl->ctx : cctx->ctx;
    EVP_PKEY *dh = NULL;
    OSSL_DECODER_CTX *dctx = NULL;
    BIO *in = NULL;
    int ok = 0;

    if (ctx == NULL)
        return 1;
    if ((in = BIO_new_file(v, "r")) == NULL)
        goto end;
    dctx = OSSL_DECODER_CTX_new_for_pkey(
        &dh, "PEM", NULL, "DH", OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS, ctx->libctx, ctx->propq);
    if (dctx == NULL)
        goto end;
    /* the file may hold other PEM blocks before the parameters */
    ERR_set_mark();
    for (int blocks = 0; blocks < 64 && dh == NULL && !BIO_eof(in); blocks++)
        if (OSSL_DECODER_from_bio(dctx, in))
            break;
    if (dh == NULL) {
        ERR_clear_last_mark();
        goto end;
    }
    ERR_pop_to_mark();
    if (cctx->ctx != NULL)
        ok = SSL_CTX_set0_tmp_dh_pkey(cctx->ctx, dh) > 0;
    else
        ok = SSL_set0_tmp_dh_pkey(cctx->ssl, dh) > 0;
    if (ok)
        dh = NULL;
end:
    OSSL_DECODER_CTX_free(dctx);
    EVP_PKEY_free(dh);
    BIO_free(in);
    return ok;
}

/* RecordPadding and NumTickets take atoi() of the value, as OpenSSL 3.0:
 * "abc" is 0; a negative number fails. */
static int cmd_RecordPadding(SSL_CONF_CTX *cctx, const char *v)
{
    int n = atoi(v);
    int ok = 0;
    if (n < 0)
        return 0;
    if (cctx->ctx != NULL)
        ok = SSL_CTX_set_block_padding(cctx->ctx, (size_t)n);
    if (cctx->ssl != NULL)
        ok = SSL_set_block_padding(cctx->ssl, (size_t)n);
    return ok;
}

static int cmd_NumTickets(SSL_CONF_CTX *cctx, const char *v)
{
    int n = atoi(v);
    int ok = 0;
    if (n < 0)
        return 0;
    if (cctx->ctx != NULL)
        ok = SSL_CTX_set_num_tickets(cctx->ctx, (size_t)n);
    if (cctx->ssl != NULL)
        ok = SSL_set_num_tickets(cctx->ssl, (size_t)n);
    return ok;
}

/* ---- the command table ---- */

struct conf_cmd {
    int (*fn)(SSL_CONF_CTX *cctx, const char *value); /* NULL: a switch */
    const char *file_name;                            /* NULL: command line only */
    const char *cmdline_name;                         /* NULL: file only */
    uint8_t flags;       /* SSL_CONF_FLAG_CLIENT / _SERVER / _CERTIFICATE required */
    uint8_t value_type;  /* SSL_CONF_TYPE_* */
    struct conf_flag sw; /* a switch: what it sets */
};

#define SWITCH(name, roles, bits, target, inv)                                                     \
    {                                                                                              \
        NULL, NULL, name, (roles) == R_BOTH ? 0 : (roles), SSL_CONF_TYPE_NONE,                     \
        {                                                                                          \
            name, bits, R_BOTH, target, inv                                                        \
        }                                                                                          \
    }
#define CMD(fn, file, cmdline, flags, type)                                                        \
    {                                                                                              \
        cmd_##fn, file, cmdline, flags, type,                                                      \
        {                                                                                          \
            NULL, 0, 0, 0, 0                                                                       \
        }                                                                                          \
    }
#define CERTFLAG SSL_CONF_FLAG_CERTIFICATE

static const struct conf_cmd conf_cmds[] = {
    SWITCH("no_ssl3", R_BOTH, SSL_OP_NO_SSLv3, T_OPTION, 0),
    SWITCH("no_tls1", R_BOTH, SSL_OP_NO_TLSv1, T_OPTION, 0),
    SWITCH("no_tls1_1", R_BOTH, SSL_OP_NO_TLSv1_1, T_OPTION, 0),
    SWITCH("no_tls1_2", R_BOTH, SSL_OP_NO_TLSv1_2, T_OPTION, 0),
    SWITCH("no_tls1_3", R_BOTH, SSL_OP_NO_TLSv1_3, T_OPTION, 0),
    SWITCH("bugs", R_BOTH, SSL_OP_ALL, T_OPTION, 0),
    SWITCH("no_comp", R_BOTH, SSL_OP_NO_COMPRESSION, T_OPTION, 0),
    SWITCH("comp", R_BOTH, SSL_OP_NO_COMPRESSION, T_OPTION, 1),
    SWITCH("ecdh_single", R_SRV, SSL_OP_SINGLE_ECDH_USE, T_OPTION, 0),
    SWITCH("no_ticket", R_BOTH, SSL_OP_NO_TICKET, T_OPTION, 0),
    SWITCH("serverpref", R_SRV, SSL_OP_CIPHER_SERVER_PREFERENCE, T_OPTION, 0),
    SWITCH("legacy_renegotiation", R_BOTH, SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION, T_OPTION, 0),
    SWITCH("client_renegotiation", R_SRV, SSL_OP_ALLOW_CLIENT_RENEGOTIATION, T_OPTION, 0),
    SWITCH("legacy_server_connect", R_CLI, SSL_OP_LEGACY_SERVER_CONNECT, T_OPTION, 0),
    SWITCH("no_renegotiation", R_BOTH, SSL_OP_NO_RENEGOTIATION, T_OPTION, 0),
    SWITCH("no_resumption_on_reneg", R_SRV, SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION, T_OPTION,
           0),
    SWITCH("no_legacy_server_connect", R_CLI, SSL_OP_LEGACY_SERVER_CONNECT, T_OPTION, 1),
    SWITCH("allow_no_dhe_kex", R_BOTH, SSL_OP_ALLOW_NO_DHE_KEX, T_OPTION, 0),
    SWITCH("prioritize_chacha", R_SRV, SSL_OP_PRIORITIZE_CHACHA, T_OPTION, 0),
    SWITCH("strict", R_BOTH, SSL_CERT_FLAG_TLS_STRICT, T_CERT, 0),
    SWITCH("no_middlebox", R_BOTH, SSL_OP_ENABLE_MIDDLEBOX_COMPAT, T_OPTION, 1),
    SWITCH("anti_replay", R_SRV, SSL_OP_NO_ANTI_REPLAY, T_OPTION, 1),
    SWITCH("no_anti_replay", R_SRV, SSL_OP_NO_ANTI_REPLAY, T_OPTION, 0),
    SWITCH("no_etm", R_BOTH, SSL_OP_NO_ENCRYPT_THEN_MAC, T_OPTION, 0),
    CMD(SignatureAlgorithms, "SignatureAlgorithms", "sigalgs", 0, SSL_CONF_TYPE_STRING),
    CMD(ClientSignatureAlgorithms, "ClientSignatureAlgorithms", "client_sigalgs", 0,
        SSL_CONF_TYPE_STRING),
    CMD(Groups, "Curves", "curves", 0, SSL_CONF_TYPE_STRING),
    CMD(Groups, "Groups", "groups", 0, SSL_CONF_TYPE_STRING),
    CMD(ECDHParameters, "ECDHParameters", "named_curve", R_SRV, SSL_CONF_TYPE_STRING),
    CMD(CipherString, "CipherString", "cipher", 0, SSL_CONF_TYPE_STRING),
    CMD(Ciphersuites, "Ciphersuites", "ciphersuites", 0, SSL_CONF_TYPE_STRING),
    CMD(Protocol, "Protocol", NULL, 0, SSL_CONF_TYPE_STRING),
    CMD(MinProtocol, "MinProtocol", "min_protocol", 0, SSL_CONF_TYPE_STRING),
    CMD(MaxProtocol, "MaxProtocol", "max_protocol", 0, SSL_CONF_TYPE_STRING),
    CMD(Options, "Options", NULL, 0, SSL_CONF_TYPE_STRING),
    CMD(VerifyMode, "VerifyMode", NULL, 0, SSL_CONF_TYPE_STRING),
    CMD(Certificate, "Certificate", "cert", CERTFLAG, SSL_CONF_TYPE_FILE),
    CMD(PrivateKey, "PrivateKey", "key", CERTFLAG, SSL_CONF_TYPE_FILE),
    CMD(ServerInfoFile, "ServerInfoFile", NULL, R_SRV | CERTFLAG, SSL_CONF_TYPE_FILE),
    CMD(ChainCAPath, "ChainCAPath", "chainCApath", CERTFLAG, SSL_CONF_TYPE_DIR),
    CMD(ChainCAFile, "ChainCAFile", "chainCAfile", CERTFLAG, SSL_CONF_TYPE_FILE),
    CMD(ChainCAStore, "ChainCAStore", "chainCAstore", CERTFLAG, SSL_CONF_TYPE_STORE),
    CMD(VerifyCAPath, "VerifyCAPath", "verifyCApath", CERTFLAG, SSL_CONF_TYPE_DIR),
    CMD(VerifyCAFile, "VerifyCAFile", "verifyCAfile", CERTFLAG, SSL_CONF_TYPE_FILE),
    CMD(VerifyCAStore, "VerifyCAStore", "verifyCAstore", CERTFLAG, SSL_CONF_TYPE_STORE),
    CMD(RequestCAFile, "RequestCAFile", "requestCAFile", CERTFLAG, SSL_CONF_TYPE_FILE),
    CMD(RequestCAFile, "ClientCAFile", NULL, R_SRV | CERTFLAG, SSL_CONF_TYPE_FILE),
    CMD(RequestCAPath, "RequestCAPath", NULL, CERTFLAG, SSL_CONF_TYPE_DIR),
    CMD(RequestCAPath, "ClientCAPath", NULL, R_SRV | CERTFLAG, SSL_CONF_TYPE_DIR),
    CMD(RequestCAStore, "RequestCAStore", "requestCAStore", CERTFLAG, SSL_CONF_TYPE_STORE),
    CMD(RequestCAStore, "ClientCAStore", NULL, R_SRV | CERTFLAG, SSL_CONF_TYPE_STORE),
    CMD(DHParameters, "DHParameters", "dhparam", R_SRV | CERTFLAG, SSL_CONF_TYPE_FILE),
    CMD(RecordPadding, "RecordPadding", "record_padding", 0, SSL_CONF_TYPE_STRING),
    CMD(NumTickets, "NumTickets", "num_tickets", R_SRV, SSL_CONF_TYPE_STRING),
};

/* Strip the prefix (or the command line's '-'); 0 if |*cmd| lacks it. */
static int skip_prefix(const SSL_CONF_CTX *cctx, const char **cmd)
{
    if (*cmd == NULL)
        return 0;
    if (cctx->prefix != NULL) {
        if (strlen(*cmd) <= cctx->prefix_len)
            return 0;
        if ((cctx->flags & SSL_CONF_FLAG_CMDLINE) &&
            strncmp(*cmd, cctx->prefix, cctx->prefix_len) != 0)
            return 0;
        if ((cctx->flags & SSL_CONF_FLAG_FILE) &&
            OPENSSL_strncasecmp(*cmd, cctx->prefix, cctx->prefix_len) != 0)
            return 0;
        *cmd += cctx->prefix_len;
    } else if (cctx->flags & SSL_CONF_FLAG_CMDLINE) {
        if ((*cmd)[0] != '-' || (*cmd)[1] == '\0')
            return 0;
        *cmd += 1;
    }
    return 1;
}

static int cmd_allowed(const SSL_CONF_CTX *cctx, const struct conf_cmd *t)
{
    static const unsigned need[] = {SSL_CONF_FLAG_SERVER, SSL_CONF_FLAG_CLIENT,
                                    SSL_CONF_FLAG_CERTIFICATE};
    for (size_t i = 0; i < NELEM(need); i++)
        if ((t->flags & need[i]) && !(cctx->flags & need[i]))
            return 0;
    return 1;
}

/* Command-line names are case-sensitive, file names are not. */
static const struct conf_cmd *lookup(const SSL_CONF_CTX *cctx, const char *cmd)
{
    for (size_t i = 0; i < NELEM(conf_cmds); i++) {
        const struct conf_cmd *t = &conf_cmds[i];
        if (!cmd_allowed(cctx, t))
            continue;
        if ((cctx->flags & SSL_CONF_FLAG_CMDLINE) && t->cmdline_name != NULL &&
            strcmp(t->cmdline_name, cmd) == 0)
            return t;
        if ((cctx->flags & SSL_CONF_FLAG_FILE) && t->file_name != NULL &&
            OPENSSL_strcasecmp(t->file_name, cmd) == 0)
            return t;
    }
    return NULL;
}

int SSL_CONF_cmd(SSL_CONF_CTX *cctx, const char *cmd, const char *value)
{
    const struct conf_cmd *t;
    int rv;

    if (cmd == NULL) {
        ERR_raise(ERR_LIB_SSL, SSL_R_INVALID_NULL_CMD_NAME);
        return 0;
    }
    if (!skip_prefix(cctx, &cmd) || (t = lookup(cctx, cmd)) == NULL) {
        if (cctx->flags & SSL_CONF_FLAG_SHOW_ERRORS)
            ERR_raise_data(ERR_LIB_SSL, SSL_R_UNKNOWN_CMD_NAME, "cmd=%s", cmd);
        return -2;
    }
    if (t->value_type == SSL_CONF_TYPE_NONE) {
        apply_flag(cctx, &t->sw, 1);
        return 1;
    }
    if (value == NULL) {
        rv = -3;
    } else {
        rv = t->fn(cctx, value);
        if (rv > 0)
            return 2;
        if (rv != -2)
            rv = 0;
    }
    if (cctx->flags & SSL_CONF_FLAG_SHOW_ERRORS)
        ERR_raise_data(ERR_LIB_SSL, SSL_R_BAD_VALUE, "cmd=%s, value=%s", cmd,
                       value != NULL ? value : "<EMPTY>");
    return rv;
}

int SSL_CONF_cmd_argv(SSL_CONF_CTX *cctx, int *pargc, char ***pargv)
{
    const char *arg, *next;
    int rv;

    if (pargc != NULL && *pargc == 0)
        return 0;
    arg = (pargc == NULL || *pargc > 0) ? (*pargv)[0] : NULL;
    if (arg == NULL)
        return 0;
    next = (pargc == NULL || *pargc > 1) ? (*pargv)[1] : NULL;
    cctx->flags &= ~(unsigned)SSL_CONF_FLAG_FILE;
    cctx->flags |= SSL_CONF_FLAG_CMDLINE;
    rv = SSL_CONF_cmd(cctx, arg, next);
    if (rv > 0) {
        /* consumed: the switch, or the command and its value */
        *pargv += rv;
        if (pargc != NULL)
            *pargc -= rv;
        return rv;
    }
    if (rv == -2)
        return 0; /* not ours: nothing consumed */
    return rv == 0 ? -1 : rv;
}

int SSL_CONF_cmd_value_type(SSL_CONF_CTX *cctx, const char *cmd)
{
    const struct conf_cmd *t;
    if (skip_prefix(cctx, &cmd) && (t = lookup(cctx, cmd)) != NULL)
        return t->value_type;
    return SSL_CONF_TYPE_UNKNOWN;
}

/* ---- the context ---- */

SSL_CONF_CTX *SSL_CONF_CTX_new(void)
{
    SSL_CONF_CTX *cctx = OPENSSL_zalloc(sizeof(*cctx));
    if (cctx == NULL)
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
    return cctx;
}

static void free_cert_files(SSL_CONF_CTX *cctx)
{
    for (size_t i = 0; i < CERT_NUM_SLOTS; i++) {
        OPENSSL_free(cctx->cert_file[i]);
        cctx->cert_file[i] = NULL;
    }
}

void SSL_CONF_CTX_free(SSL_CONF_CTX *cctx)
{
    if (cctx == NULL)
        return;
    free_cert_files(cctx);
    OPENSSL_free(cctx->prefix);
    sk_X509_NAME_pop_free(cctx->canames, X509_NAME_free);
    OPENSSL_free(cctx);
}

/* finish: with SSL_CONF_FLAG_REQUIRE_PRIVATE, a certificate still without
 * its key takes the key from the certificate's own file; the CA names
 * collected become the target's CA list. */
int SSL_CONF_CTX_finish(SSL_CONF_CTX *cctx)
{
    struct ssl_config *c = target_cfg(cctx);
    if (c != NULL && (cctx->flags & SSL_CONF_FLAG_REQUIRE_PRIVATE)) {
        for (size_t i = 0; i < CERT_NUM_SLOTS; i++)
            if (cctx->cert_file[i] != NULL && c->sh->certs[i].pkey == NULL &&
                !cmd_PrivateKey(cctx, cctx->cert_file[i]))
                return 0;
    }
    if (cctx->canames != NULL) {
        if (cctx->ssl != NULL)
            SSL_set0_CA_list(cctx->ssl, cctx->canames);
        else if (cctx->ctx != NULL)
            SSL_CTX_set0_CA_list(cctx->ctx, cctx->canames);
        else
            sk_X509_NAME_pop_free(cctx->canames, X509_NAME_free);
        cctx->canames = NULL;
    }
    return 1;
}

unsigned int SSL_CONF_CTX_set_flags(SSL_CONF_CTX *cctx, unsigned int flags)
{
    return cctx->flags |= flags;
}

unsigned int SSL_CONF_CTX_clear_flags(SSL_CONF_CTX *cctx, unsigned int flags)
{
    return cctx->flags &= ~flags;
}

int SSL_CONF_CTX_set1_prefix(SSL_CONF_CTX *cctx, const char *pre)
{
    char *copy = NULL;
    if (pre != NULL && (copy = OPENSSL_strdup(pre)) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    OPENSSL_free(cctx->prefix);
    cctx->prefix = copy;
    cctx->prefix_len = copy != NULL ? strlen(copy) : 0;
    return 1;
}

void SSL_CONF_CTX_set_ssl(SSL_CONF_CTX *cctx, SSL *ssl)
{
    cctx->ssl = ssl;
    cctx->ctx = NULL;
    free_cert_files(cctx);
}

void SSL_CONF_CTX_set_ssl_ctx(SSL_CONF_CTX *cctx, SSL_CTX *ctx)
{
    cctx->ctx = ctx;
    cctx->ssl = NULL;
    free_cert_files(cctx);
}

/* ---- SSL_CTX_config / SSL_config: sections of the configuration file ----
 *
 * libcrypto's "ssl_conf" module keeps the sections named in the loaded
 * configuration (openssl_conf -> ssl_conf = sect; sect: name = section);
 * these three functions of libcrypto hand them out (libssl's own
 * interface to the module, exported by libcrypto without a header). */
struct ssl_conf_cmd_st;
int conf_ssl_name_find(const char *name, size_t *idx);
const struct ssl_conf_cmd_st *conf_ssl_get(size_t idx, const char **name, size_t *cnt);
void conf_ssl_get_cmd(const struct ssl_conf_cmd_st *cmd, size_t idx, char **cmdstr, char **arg);

/* do_config applies the section |name| (for a |system| default: not an
 * error when there is none, and no certificate commands), as OpenSSL 3.0:
 * every command is tried; 0 if any failed (without an error of its own:
 * OpenSSL queues none for a command either). */
static int do_config(SSL *s, SSL_CTX *ctx, const char *name, int system)
{
    const struct ssl_conf_cmd_st *cmds;
    size_t idx, count;
    SSL_CONF_CTX *cctx;
    const SSL_METHOD *meth;
    unsigned flags = SSL_CONF_FLAG_FILE;
    int failed = 0;

    if (s == NULL && ctx == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
        return 0;
    }
    if (name == NULL && system)
        name = "system_default";
    if (!conf_ssl_name_find(name, &idx)) {
        if (!system)
            ERR_raise_data(ERR_LIB_SSL, SSL_R_INVALID_CONFIGURATION_NAME, "name=%s",
                           name != NULL ? name : "<NULL>");
        return 0;
    }
    cmds = conf_ssl_get(idx, &name, &count);
    if ((cctx = SSL_CONF_CTX_new()) == NULL)
        return 0;
    if (!system)
        flags |= SSL_CONF_FLAG_CERTIFICATE | SSL_CONF_FLAG_REQUIRE_PRIVATE;
    if (s != NULL) {
        meth = s->method;
        SSL_CONF_CTX_set_ssl(cctx, s);
        ctx = s->ctx;
    } else {
        meth = ctx->method;
        SSL_CONF_CTX_set_ssl_ctx(cctx, ctx);
    }
    /* role: what the method can do (TLS_method() both) */
    if (meth->role != 1)
        flags |= SSL_CONF_FLAG_SERVER;
    if (meth->role != 2)
        flags |= SSL_CONF_FLAG_CLIENT;
    SSL_CONF_CTX_set_flags(cctx, flags);
    /* files named in the section are read in the object's library context */
    OSSL_LIB_CTX *prev = OSSL_LIB_CTX_set0_default(ctx->libctx);
    for (size_t i = 0; i < count; i++) {
        char *cmd, *arg;
        conf_ssl_get_cmd(cmds, i, &cmd, &arg);
        if (SSL_CONF_cmd(cctx, cmd, arg) <= 0)
            failed++;
    }
    if (!SSL_CONF_CTX_finish(cctx))
        failed++;
    OSSL_LIB_CTX_set0_default(prev);
    SSL_CONF_CTX_free(cctx);
    return failed == 0;
}

int SSL_CTX_config(SSL_CTX *ctx, const char *name)
{
    return do_config(NULL, ctx, name, 0);
}

int SSL_config(SSL *s, const char *name)
{
    return do_config(s, NULL, name, 0);
}

void conf_apply_system_default(SSL_CTX *ctx)
{
    (void)do_config(NULL, ctx, NULL, 1);
}

/* OpenSSL 3.0: a no-op, libcrypto registers the "ssl_conf" module itself. */
void SSL_add_ssl_module(void) {}
