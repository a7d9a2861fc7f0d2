/* SSL_CONF_*: configuration commands ("CipherString", "-cipher", ...) applied
 * to an SSL_CTX or an SSL, as OpenSSL 3.0 names and answers them: the same
 * commands in file form (matched without regard to case) and command-line
 * form (after a prefix, "-" by default), the same flags deciding which are
 * allowed, the same values of the option lists, and the same return values
 * (2: command and value used, 1: a switch, 0: bad value, -2: unknown command,
 * -3: value missing).  Each command calls this library's own setter, so what
 * sesame does not implement fails as that setter does.  Checked against the
 * system libssl by unit.ssl_conf and unit.ssl_conf.openssl. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/conf.h>
#include <openssl/pem.h>

#include "api/api.h"

struct ssl_conf_ctx_st {
    unsigned int flags;
    char *prefix;
    size_t prefix_len;
    SSL_CTX *ctx;
    SSL *ssl;
    /* with SSL_CONF_FLAG_REQUIRE_PRIVATE: the file each certificate slot
     * was loaded from, to load a missing key from it at finish */
    char *cert_file[CERT_NUM_SLOTS];
    /* RequestCAFile / ClientCAFile ...: the names, installed at finish */
    STACK_OF(X509_NAME) * ca_names;
    /* the option table an Options / Protocol / VerifyMode list is read with */
    const struct conf_flag *tbl;
    size_t ntbl;
};

/* ---- option tables ------------------------------------------------------ */

/* What a name in an option list (or a switch) changes. */
enum { FLAG_OPTION = 0, FLAG_VERIFY = 1, FLAG_CERT = 2 };
#define FLAG_INV 0x100 /* the name turns the bit off */

struct conf_flag {
    const char *name;
    unsigned int flags; /* SSL_CONF_FLAG_CLIENT / _SERVER it applies to */
    int kind;           /* FLAG_* (| FLAG_INV) */
    uint64_t value;
};

#define BOTH (SSL_CONF_FLAG_CLIENT | SSL_CONF_FLAG_SERVER)
#define SRV  SSL_CONF_FLAG_SERVER
#define CLI  SSL_CONF_FLAG_CLIENT

static const struct conf_flag k_options[] = {
    {"SessionTicket", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_NO_TICKET},
    {"EmptyFragments", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS},
    {"Bugs", BOTH, FLAG_OPTION, SSL_OP_ALL},
    {"Compression", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_NO_COMPRESSION},
    {"ServerPreference", SRV, FLAG_OPTION, SSL_OP_CIPHER_SERVER_PREFERENCE},
    {"NoResumptionOnRenegotiation", SRV, FLAG_OPTION,
     SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION},
    {"DHSingle", SRV, FLAG_OPTION, SSL_OP_SINGLE_DH_USE},
    {"ECDHSingle", SRV, FLAG_OPTION, SSL_OP_SINGLE_ECDH_USE},
    {"UnsafeLegacyRenegotiation", BOTH, FLAG_OPTION, SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION},
    {"UnsafeLegacyServerConnect", CLI, FLAG_OPTION, SSL_OP_LEGACY_SERVER_CONNECT},
    {"ClientRenegotiation", SRV, FLAG_OPTION, SSL_OP_ALLOW_CLIENT_RENEGOTIATION},
    {"EncryptThenMac", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_NO_ENCRYPT_THEN_MAC},
    {"NoRenegotiation", BOTH, FLAG_OPTION, SSL_OP_NO_RENEGOTIATION},
    {"AllowNoDHEKEX", BOTH, FLAG_OPTION, SSL_OP_ALLOW_NO_DHE_KEX},
    {"PrioritizeChaCha", SRV, FLAG_OPTION, SSL_OP_PRIORITIZE_CHACHA},
    {"MiddleboxCompat", BOTH, FLAG_OPTION, SSL_OP_ENABLE_MIDDLEBOX_COMPAT},
    {"AntiReplay", SRV, FLAG_OPTION | FLAG_INV, SSL_OP_NO_ANTI_REPLAY},
    {"ExtendedMasterSecret", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_NO_EXTENDED_MASTER_SECRET},
    {"CANames", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_DISABLE_TLSEXT_CA_NAMES},
    {"KTLS", BOTH, FLAG_OPTION, SSL_OP_ENABLE_KTLS},
};

static const struct conf_flag k_protocols[] = {
    {"ALL", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_NO_SSL_MASK},
    {"SSLv2", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_NO_SSLv2},
    {"SSLv3", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_NO_SSLv3},
    {"TLSv1", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_NO_TLSv1},
    {"TLSv1.1", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_NO_TLSv1_1},
    {"TLSv1.2", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_NO_TLSv1_2},
    {"TLSv1.3", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_NO_TLSv1_3},
    {"DTLSv1", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_NO_DTLSv1},
    {"DTLSv1.2", BOTH, FLAG_OPTION | FLAG_INV, SSL_OP_NO_DTLSv1_2},
};

static const struct conf_flag k_verify[] = {
    {"Peer", CLI, FLAG_VERIFY, SSL_VERIFY_PEER},
    {"Request", SRV, FLAG_VERIFY, SSL_VERIFY_PEER},
    {"Require", SRV, FLAG_VERIFY, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT},
    {"Once", SRV, FLAG_VERIFY, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE},
    {"RequestPostHandshake", SRV, FLAG_VERIFY, SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE},
    {"RequirePostHandshake", SRV, FLAG_VERIFY,
     SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE | SSL_VERIFY_FAIL_IF_NO_PEER_CERT},
};

/* set_flag turns |f| on (|on|) or off on the target; a target-less context
 * changes nothing. */
static void set_flag(SSL_CONF_CTX *c, int kind, uint64_t value, int on)
{
    if (kind & FLAG_INV)
        on = !on;
    switch (kind & ~FLAG_INV) {
    case FLAG_OPTION:
        if (c->ctx != NULL)
            (void)(on ? SSL_CTX_set_options(c->ctx, value) : SSL_CTX_clear_options(c->ctx, value));
        else if (c->ssl != NULL)
            (void)(on ? SSL_set_options(c->ssl, value) : SSL_clear_options(c->ssl, value));
        break;
    case FLAG_VERIFY: {
        /* the mode changes, the callback stays */
        if (c->ctx != NULL) {
            int m = SSL_CTX_get_verify_mode(c->ctx);
            m = on ? m | (int)value : m & ~(int)value;
            SSL_CTX_set_verify(c->ctx, m, SSL_CTX_get_verify_callback(c->ctx));
        } else if (c->ssl != NULL) {
            int m = SSL_get_verify_mode(c->ssl);
            m = on ? m | (int)value : m & ~(int)value;
            SSL_set_verify(c->ssl, m, SSL_get_verify_callback(c->ssl));
        }
        break;
    }
    default: /* certificate flags (strict checking): not implemented, ignored */
        break;
    }
}

/* one_flag: a CONF_parse_list callback; one name of an option list, with an
 * optional + or - before it; names are matched without regard to case and
 * only those for the context's role count. */
static int one_flag(const char *elem, int len, void *arg)
{
    SSL_CONF_CTX *c = arg;
    int on = 1;
    if (elem == NULL)
        return 0;
    if (len > 0 && (*elem == '+' || *elem == '-')) {
        on = *elem == '+';
        elem++;
        len--;
    }
    for (size_t i = 0; i < c->ntbl; i++) {
        const struct conf_flag *t = &c->tbl[i];
        if (!(c->flags & t->flags & BOTH))
            continue;
        if (strlen(t->name) != (size_t)len || strncasecmp(t->name, elem, (size_t)len) != 0)
            continue;
        set_flag(c, t->kind, t->value, on);
        return 1;
    }
    return 0;
}

static int flag_list(SSL_CONF_CTX *c, const struct conf_flag *tbl, size_t n, const char *value)
{
    c->tbl = tbl;
    c->ntbl = n;
    return CONF_parse_list(value, ',', 1, one_flag, c);
}

/* ---- commands with a value -------------------------------------------- */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Each returns > 0 when the value was applied, 0 when it was refused, -2
 * when the command does not apply after all. */

static int cmd_sigalgs(SSL_CONF_CTX *c, const char *v)
{
    if (c->ctx != NULL)
        return SSL_CTX_set1_sigalgs_list(c->ctx, v) > 0;
    if (c->ssl != NULL)
        return SSL_set1_sigalgs_list(c->ssl, v) > 0;
    return 1;
}

static int cmd_client_sigalgs(SSL_CONF_CTX *c, const char *v)
{
    if (c->ctx != NULL)
        return SSL_CTX_set1_client_sigalgs_list(c->ctx, v) > 0;
    if (c->ssl != NULL)
        return SSL_set1_client_sigalgs_list(c->ssl, v) > 0;
    return 1;
}

static int cmd_groups(SSL_CONF_CTX *c, const char *v)
{
    if (c->ctx != NULL)
        return SSL_CTX_set1_groups_list(c->ctx, v) > 0;
    if (c->ssl != NULL)
        return SSL_set1_groups_list(c->ssl, v) > 0;
    return 1;
}

static int cmd_ecdh_parameters(SSL_CONF_CTX *c, const char *v)
{
    /* OpenSSL 1.0.2's names for its automatic choice are accepted and do
     * nothing; otherwise a single group */
    if ((c->flags & SSL_CONF_FLAG_FILE) &&
        (strcasecmp(v, "+automatic") == 0 || strcasecmp(v, "automatic") == 0))
        return 1;
    if ((c->flags & SSL_CONF_FLAG_CMDLINE) && strcmp(v, "auto") == 0)
        return 1;
    if (strchr(v, ':') != NULL)
        return 0;
    return cmd_groups(c, v);
}

static int cmd_cipher_string(SSL_CONF_CTX *c, const char *v)
{
    if (c->ctx != NULL)
        return SSL_CTX_set_cipher_list(c->ctx, v) > 0;
    if (c->ssl != NULL)
        return SSL_set_cipher_list(c->ssl, v) > 0;
    return 1;
}

static int cmd_ciphersuites(SSL_CONF_CTX *c, const char *v)
{
    if (c->ctx != NULL)
        return SSL_CTX_set_ciphersuites(c->ctx, v) > 0;
    if (c->ssl != NULL)
        return SSL_set_ciphersuites(c->ssl, v) > 0;
    return 1;
}

static int cmd_protocol(SSL_CONF_CTX *c, const char *v)
{
    return flag_list(c, k_protocols, NELEM(k_protocols), v);
}

static int cmd_options(SSL_CONF_CTX *c, const char *v)
{
    return flag_list(c, k_options, NELEM(k_options), v);
}

static int cmd_verify_mode(SSL_CONF_CTX *c, const char *v)
{
    return flag_list(c, k_verify, NELEM(k_verify), v);
}

/* version_named: the version a MinProtocol / MaxProtocol value names (0 for
 * "None"), or -1. */
static int version_named(const char *v)
{
    static const struct {
        const char *name;
        int version;
    } k[] = {{"None", 0},
             {"SSLv3", SSL3_VERSION},
             {"TLSv1", TLS1_VERSION},
             {"TLSv1.1", TLS1_1_VERSION},
             {"TLSv1.2", TLS1_2_VERSION},
             {"TLSv1.3", TLS1_3_VERSION},
             {"DTLSv1", DTLS1_VERSION},
             {"DTLSv1.2", DTLS1_2_VERSION}};
    for (size_t i = 0; i < NELEM(k); i++)
        if (strcmp(k[i].name, v) == 0)
            return k[i].version;
    return -1;
}

static int cmd_min_protocol(SSL_CONF_CTX *c, const char *v)
{
    int ver = version_named(v);
    if (ver < 0)
        return 0;
    if (c->ctx != NULL)
        return SSL_CTX_set_min_proto_version(c->ctx, ver) > 0;
    if (c->ssl != NULL)
        return SSL_set_min_proto_version(c->ssl, ver) > 0;
    return 0; /* no method to check the version against */
}

static int cmd_max_protocol(SSL_CONF_CTX *c, const char *v)
{
    int ver = version_named(v);
    if (ver < 0)
        return 0;
    if (c->ctx != NULL)
        return SSL_CTX_set_max_proto_version(c->ctx, ver) > 0;
    if (c->ssl != NULL)
        return SSL_set_max_proto_version(c->ssl, ver) > 0;
    return 0;
}

static int cmd_certificate(SSL_CONF_CTX *c, const char *v)
{
    int rv = 1, slot = -1;
    if (c->ctx != NULL) {
        rv = SSL_CTX_use_certificate_chain_file(c->ctx, v);
        slot = c->ctx->cfg.cert_current;
    } else if (c->ssl != NULL) {
        rv = SSL_use_certificate_chain_file(c->ssl, v);
        slot = c->ssl->cfg.cert_current;
    }
    if (rv > 0 && slot >= 0 && slot < CERT_NUM_SLOTS &&
        (c->flags & SSL_CONF_FLAG_REQUIRE_PRIVATE)) {
        OPENSSL_free(c->cert_file[slot]);
        if ((c->cert_file[slot] = OPENSSL_strdup(v)) == NULL)
            rv = 0;
    }
    return rv > 0;
}

static int cmd_private_key(SSL_CONF_CTX *c, const char *v)
{
    if (!(c->flags & SSL_CONF_FLAG_CERTIFICATE))
        return -2;
    if (c->ctx != NULL)
        return SSL_CTX_use_PrivateKey_file(c->ctx, v, SSL_FILETYPE_PEM) > 0;
    if (c->ssl != NULL)
        return SSL_use_PrivateKey_file(c->ssl, v, SSL_FILETYPE_PEM) > 0;
    return 1;
}

static int cmd_server_info_file(SSL_CONF_CTX *c, const char *v)
{
    if (c->ctx != NULL)
        return SSL_CTX_use_serverinfo_file(c->ctx, v) > 0;
    return 1;
}

/* add_to_store loads |file| or |dir| into the verify or chain store of the
 * target, made first if it has none. */
static int add_to_store(SSL_CONF_CTX *c, const char *file, const char *dir, int verify)
{
    if (c->ctx == NULL && c->ssl == NULL)
        return 1;
    struct ssl_config *cfg = c->ctx != NULL ? &c->ctx->cfg : &c->ssl->cfg;
    struct ssl_config_shared *w = cfg_shared_mut(cfg);
    if (w == NULL)
        return 0;
    X509_STORE **st = verify ? &w->verify_store : &w->chain_store;
    if (*st == NULL && (*st = X509_STORE_new()) == NULL)
        return 0;
    if (file != NULL && !X509_STORE_load_file(*st, file))
        return 0;
    if (dir != NULL && !X509_STORE_load_path(*st, dir))
        return 0;
    return 1;
}

static int cmd_chain_ca_path(SSL_CONF_CTX *c, const char *v)
{
    return add_to_store(c, NULL, v, 0);
}
static int cmd_chain_ca_file(SSL_CONF_CTX *c, const char *v)
{
    return add_to_store(c, v, NULL, 0);
}
static int cmd_verify_ca_path(SSL_CONF_CTX *c, const char *v)
{
    return add_to_store(c, NULL, v, 1);
}
static int cmd_verify_ca_file(SSL_CONF_CTX *c, const char *v)
{
    return add_to_store(c, v, NULL, 1);
}

static int cmd_request_ca_file(SSL_CONF_CTX *c, const char *v)
{
    if (c->ca_names == NULL && (c->ca_names = sk_X509_NAME_new_null()) == NULL)
        return 0;
    return SSL_add_file_cert_subjects_to_stack(c->ca_names, v);
}

static int cmd_request_ca_path(SSL_CONF_CTX *c, const char *v)
{
    if (c->ca_names == NULL && (c->ca_names = sk_X509_NAME_new_null()) == NULL)
        return 0;
    return SSL_add_dir_cert_subjects_to_stack(c->ca_names, v);
}

static int cmd_dh_parameters(SSL_CONF_CTX *c, const char *v)
{
    if (c->ctx == NULL && c->ssl == NULL)
        return 1;
    BIO *in = BIO_new_file(v, "r");
    EVP_PKEY *dh = in != NULL ? PEM_read_bio_Parameters(in, NULL) : NULL;
    BIO_free(in);
    if (dh == NULL || !EVP_PKEY_is_a(dh, "DH")) {
        EVP_PKEY_free(dh);
        return 0;
    }
    int rv =
        c->ctx != NULL ? SSL_CTX_set0_tmp_dh_pkey(c->ctx, dh) : SSL_set0_tmp_dh_pkey(c->ssl, dh);
    if (rv <= 0)
        EVP_PKEY_free(dh);
    return rv > 0;
}

/* number: a decimal value, read as OpenSSL reads it (atoi: "x" is 0). */
static int number(const char *v)
{
    return atoi(v);
}

static int cmd_record_padding(SSL_CONF_CTX *c, const char *v)
{
    int n = number(v);
    if (n < 0)
        return 0;
    if (c->ctx != NULL)
        return SSL_CTX_set_block_padding(c->ctx, (size_t)n) > 0;
    if (c->ssl != NULL)
        return SSL_set_block_padding(c->ssl, (size_t)n) > 0;
    return 0;
}

static int cmd_num_tickets(SSL_CONF_CTX *c, const char *v)
{
    int n = number(v);
    if (n < 0)
        return 0;
    if (c->ctx != NULL)
        return SSL_CTX_set_num_tickets(c->ctx, (size_t)n) > 0;
    if (c->ssl != NULL)
        return SSL_set_num_tickets(c->ssl, (size_t)n) > 0;
    return 0;
}

/* ---- the command table ------------------------------------------------ */

struct conf_cmd {
    const char *file;    /* file form, or NULL */
    const char *cmdline; /* command-line form, or NULL */
    unsigned int flags;  /* SSL_CONF_FLAG_SERVER / _CLIENT / _CERTIFICATE: needed */
    int type;            /* SSL_CONF_TYPE_* */
    int (*run)(SSL_CONF_CTX *, const char *);
    /* a switch (SSL_CONF_TYPE_NONE): what it sets */
    int kind;
    uint64_t value;
};

#define CERTF SSL_CONF_FLAG_CERTIFICATE

static const struct conf_cmd k_cmds[] = {
    /* switches: command line only, no value */
    {NULL, "no_ssl3", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION, SSL_OP_NO_SSLv3},
    {NULL, "no_tls1", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION, SSL_OP_NO_TLSv1},
    {NULL, "no_tls1_1", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION, SSL_OP_NO_TLSv1_1},
    {NULL, "no_tls1_2", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION, SSL_OP_NO_TLSv1_2},
    {NULL, "no_tls1_3", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION, SSL_OP_NO_TLSv1_3},
    {NULL, "bugs", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION, SSL_OP_ALL},
    {NULL, "no_comp", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION, SSL_OP_NO_COMPRESSION},
    {NULL, "comp", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION | FLAG_INV, SSL_OP_NO_COMPRESSION},
    {NULL, "ecdh_single", SRV, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION, SSL_OP_SINGLE_ECDH_USE},
    {NULL, "no_ticket", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION, SSL_OP_NO_TICKET},
    {NULL, "serverpref", SRV, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION,
     SSL_OP_CIPHER_SERVER_PREFERENCE},
    {NULL, "legacy_renegotiation", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION,
     SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION},
    {NULL, "client_renegotiation", SRV, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION,
     SSL_OP_ALLOW_CLIENT_RENEGOTIATION},
    {NULL, "legacy_server_connect", CLI, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION,
     SSL_OP_LEGACY_SERVER_CONNECT},
    {NULL, "no_renegotiation", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION, SSL_OP_NO_RENEGOTIATION},
    {NULL, "no_resumption_on_reneg", SRV, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION,
     SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION},
    {NULL, "no_legacy_server_connect", CLI, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION | FLAG_INV,
     SSL_OP_LEGACY_SERVER_CONNECT},
    {NULL, "allow_no_dhe_kex", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION, SSL_OP_ALLOW_NO_DHE_KEX},
    {NULL, "prioritize_chacha", SRV, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION,
     SSL_OP_PRIORITIZE_CHACHA},
    {NULL, "strict", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_CERT, 0},
    {NULL, "no_middlebox", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION | FLAG_INV,
     SSL_OP_ENABLE_MIDDLEBOX_COMPAT},
    {NULL, "anti_replay", SRV, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION | FLAG_INV,
     SSL_OP_NO_ANTI_REPLAY},
    {NULL, "no_anti_replay", SRV, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION, SSL_OP_NO_ANTI_REPLAY},
    {NULL, "no_etm", 0, SSL_CONF_TYPE_NONE, NULL, FLAG_OPTION, SSL_OP_NO_ENCRYPT_THEN_MAC},
    /* commands with a value */
    {"SignatureAlgorithms", "sigalgs", 0, SSL_CONF_TYPE_STRING, cmd_sigalgs, 0, 0},
    {"Curves", "curves", 0, SSL_CONF_TYPE_STRING, cmd_groups, 0, 0},
    {"Groups", "groups", 0, SSL_CONF_TYPE_STRING, cmd_groups, 0, 0},
    {"ECDHParameters", "named_curve", SRV, SSL_CONF_TYPE_STRING, cmd_ecdh_parameters, 0, 0},
    {"CipherString", "cipher", 0, SSL_CONF_TYPE_STRING, cmd_cipher_string, 0, 0},
    {"Ciphersuites", "ciphersuites", 0, SSL_CONF_TYPE_STRING, cmd_ciphersuites, 0, 0},
    {"Protocol", NULL, 0, SSL_CONF_TYPE_STRING, cmd_protocol, 0, 0},
    {"MinProtocol", "min_protocol", 0, SSL_CONF_TYPE_STRING, cmd_min_protocol, 0, 0},
    {"MaxProtocol", "max_protocol", 0, SSL_CONF_TYPE_STRING, cmd_max_protocol, 0, 0},
    {"Options", NULL, 0, SSL_CONF_TYPE_STRING, cmd_options, 0, 0},
    {"VerifyMode", NULL, 0, SSL_CONF_TYPE_STRING, cmd_verify_mode, 0, 0},
    {"Certificate", "cert", CERTF, SSL_CONF_TYPE_FILE, cmd_certificate, 0, 0},
    {"PrivateKey", "key", CERTF, SSL_CONF_TYPE_FILE, cmd_private_key, 0, 0},
    {"ServerInfoFile", NULL, SRV | CERTF, SSL_CONF_TYPE_FILE, cmd_server_info_file, 0, 0},
    {"ChainCAPath", "chainCApath", CERTF, SSL_CONF_TYPE_DIR, cmd_chain_ca_path, 0, 0},
    {"ChainCAFile", "chainCAfile", CERTF, SSL_CONF_TYPE_FILE, cmd_chain_ca_file, 0, 0},
    {"ChainCAStore", "chainCAstore", CERTF, SSL_CONF_TYPE_STORE, NULL, 0, 0},
    {"VerifyCAPath", "verifyCApath", CERTF, SSL_CONF_TYPE_DIR, cmd_verify_ca_path, 0, 0},
    {"VerifyCAFile", "verifyCAfile", CERTF, SSL_CONF_TYPE_FILE, cmd_verify_ca_file, 0, 0},
    {"VerifyCAStore", "verifyCAstore", CERTF, SSL_CONF_TYPE_STORE, NULL, 0, 0},
    {"RequestCAFile", "requestCAFile", CERTF, SSL_CONF_TYPE_FILE, cmd_request_ca_file, 0, 0},
    {"ClientCAFile", NULL, SRV | CERTF, SSL_CONF_TYPE_FILE, cmd_request_ca_file, 0, 0},
    {"RequestCAPath", NULL, CERTF, SSL_CONF_TYPE_DIR, cmd_request_ca_path, 0, 0},
    {"ClientCAPath", NULL, SRV | CERTF, SSL_CONF_TYPE_DIR, cmd_request_ca_path, 0, 0},
    {"RequestCAStore", "requestCAStore", CERTF, SSL_CONF_TYPE_STORE, NULL, 0, 0},
    {"ClientCAStore", NULL, SRV | CERTF, SSL_CONF_TYPE_STORE, NULL, 0, 0},
    {"DHParameters", "dhparam", SRV | CERTF, SSL_CONF_TYPE_FILE, cmd_dh_parameters, 0, 0},
    {"RecordPadding", "record_padding", 0, SSL_CONF_TYPE_STRING, cmd_record_padding, 0, 0},
    {"NumTickets", "num_tickets", SRV, SSL_CONF_TYPE_STRING, cmd_num_tickets, 0, 0},
    {"ClientSignatureAlgorithms", "client_sigalgs", 0, SSL_CONF_TYPE_STRING, cmd_client_sigalgs, 0,
     0},
};

/* skip_prefix: the command name after the context's prefix (the default
 * "-" for the command line); NULL when it lacks it. */
static const char *skip_prefix(const SSL_CONF_CTX *c, const char *cmd)
{
    if (cmd == NULL)
        return NULL;
    if (c->prefix != NULL) {
        if (strlen(cmd) <= c->prefix_len)
            return NULL;
        if ((c->flags & SSL_CONF_FLAG_CMDLINE) && strncmp(cmd, c->prefix, c->prefix_len) != 0)
            return NULL;
        if ((c->flags & SSL_CONF_FLAG_FILE) && strncasecmp(cmd, c->prefix, c->prefix_len) != 0)
            return NULL;
        return cmd + c->prefix_len;
    }
    if (c->flags & SSL_CONF_FLAG_CMDLINE) {
        if (cmd[0] != '-' || cmd[1] == 0)
            return NULL;
        return cmd + 1;
    }
    return cmd;
}

/* lookup: the command |name| (prefix removed) names in this context, if it
 * is allowed here (a server-only command needs SSL_CONF_FLAG_SERVER, ...). */
static const struct conf_cmd *lookup(const SSL_CONF_CTX *c, const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < NELEM(k_cmds); i++) {
        const struct conf_cmd *t = &k_cmds[i];
        unsigned need = t->flags & (SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_CLIENT | CERTF);
        if ((need & c->flags) != need)
            continue;
        if ((c->flags & SSL_CONF_FLAG_CMDLINE) && t->cmdline != NULL &&
            strcmp(t->cmdline, name) == 0)
            return t;
        if ((c->flags & SSL_CONF_FLAG_FILE) && t->file != NULL && strcasecmp(t->file, name) == 0)
            return t;
    }
    return NULL;
}

/* ---- the API ---------------------------------------------------------- */

SSL_CONF_CTX *SSL_CONF_CTX_new(void)
{
    SSL_CONF_CTX *c = OPENSSL_zalloc(sizeof(*c));
    if (c == NULL)
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
    return c;
}

void SSL_CONF_CTX_free(SSL_CONF_CTX *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < CERT_NUM_SLOTS; i++)
        OPENSSL_free(c->cert_file[i]);
    OPENSSL_free(c->prefix);
    sk_X509_NAME_pop_free(c->ca_names, X509_NAME_free);
    OPENSSL_free(c);
}

unsigned int SSL_CONF_CTX_set_flags(SSL_CONF_CTX *c, unsigned int flags)
{
    c->flags |= flags;
    return c->flags;
}

unsigned int SSL_CONF_CTX_clear_flags(SSL_CONF_CTX *c, unsigned int flags)
{
    c->flags &= ~flags;
    return c->flags;
}

int SSL_CONF_CTX_set1_prefix(SSL_CONF_CTX *c, const char *pre)
{
    char *p = NULL;
    if (pre != NULL && (p = OPENSSL_strdup(pre)) == NULL)
        return 0;
    OPENSSL_free(c->prefix);
    c->prefix = p;
    c->prefix_len = p != NULL ? strlen(p) : 0;
    return 1;
}

void SSL_CONF_CTX_set_ssl(SSL_CONF_CTX *c, SSL *ssl)
{
    c->ssl = ssl;
    c->ctx = NULL;
}

void SSL_CONF_CTX_set_ssl_ctx(SSL_CONF_CTX *c, SSL_CTX *ctx)
{
    c->ctx = ctx;
    c->ssl = NULL;
}

int SSL_CONF_cmd(SSL_CONF_CTX *c, const char *cmd, const char *value)
{
    if (cmd == NULL) {
        ERR_raise(ERR_LIB_SSL, SSL_R_INVALID_NULL_CMD_NAME);
        return 0;
    }
    const char *name = skip_prefix(c, cmd);
    const struct conf_cmd *t = lookup(c, name);
    if (t == NULL) {
        if (c->flags & SSL_CONF_FLAG_SHOW_ERRORS)
            ERR_raise_data(ERR_LIB_SSL, SSL_R_UNKNOWN_CMD_NAME, "cmd=%s",
                           name != NULL ? name : cmd);
        return -2;
    }
    if (t->type == SSL_CONF_TYPE_NONE) {
        set_flag(c, t->kind, t->value, 1);
        return 1;
    }
    int rv = -3;
    if (value != NULL) {
        /* a store URI (ChainCAStore ...): OSSL_STORE is not supported */
        rv = t->run != NULL ? t->run(c, value) : 0;
        if (rv > 0)
            return 2;
        if (rv != -2)
            rv = 0;
    }
    if (c->flags & SSL_CONF_FLAG_SHOW_ERRORS)
        ERR_raise_data(ERR_LIB_SSL, SSL_R_BAD_VALUE, "cmd=%s, value=%s", name,
                       value != NULL ? value : "<EMPTY>");
    return rv;
}

int SSL_CONF_cmd_argv(SSL_CONF_CTX *c, int *pargc, char ***pargv)
{
    if (pargc != NULL && *pargc == 0)
        return 0;
    const char *arg = (pargc == NULL || *pargc > 0) ? (*pargv)[0] : NULL;
    if (arg == NULL)
        return 0;
    const char *next = (pargc == NULL || *pargc > 1) ? (*pargv)[1] : NULL;
    c->flags &= ~SSL_CONF_FLAG_FILE;
    c->flags |= SSL_CONF_FLAG_CMDLINE;
    int rv = SSL_CONF_cmd(c, arg, next);
    if (rv > 0) {
        *pargv += rv;
        if (pargc != NULL)
            *pargc -= rv;
        return rv;
    }
    if (rv == -2)
        return 0; /* not ours: nothing consumed */
    return rv == 0 ? -1 : rv;
}

int SSL_CONF_cmd_value_type(SSL_CONF_CTX *c, const char *cmd)
{
    const struct conf_cmd *t = lookup(c, skip_prefix(c, cmd));
    return t != NULL ? t->type : SSL_CONF_TYPE_UNKNOWN;
}

int SSL_CONF_CTX_finish(SSL_CONF_CTX *c)
{
    struct ssl_config *cfg = c->ctx != NULL ? &c->ctx->cfg : c->ssl != NULL ? &c->ssl->cfg : NULL;
    /* A certificate loaded without its key: the key from the same file. */
    if (cfg != NULL && (c->flags & SSL_CONF_FLAG_REQUIRE_PRIVATE)) {
        for (int i = 0; i < CERT_NUM_SLOTS; i++) {
            if (c->cert_file[i] == NULL || cfg->sh->certs[i].pkey != NULL)
                continue;
            if (cmd_private_key(c, c->cert_file[i]) <= 0)
                return 0;
        }
    }
    /* The CA names for the CertificateRequest: OpenSSL keeps them as the
     * context's "CA list", which a server sends when it has no client CA
     * list; sesame has the client CA list only, so a server gets them there
     * when it has none (a client sends no certificate_authorities). */
    if (c->ca_names != NULL) {
        STACK_OF(X509_NAME) *names = c->ca_names;
        c->ca_names = NULL;
        if (c->ctx != NULL && (c->flags & SSL_CONF_FLAG_SERVER) &&
            sk_X509_NAME_num(c->ctx->client_ca_names) <= 0) {
            SSL_CTX_set_client_CA_list(c->ctx, names);
        } else if (c->ssl != NULL && (c->flags & SSL_CONF_FLAG_SERVER) &&
                   sk_X509_NAME_num(SSL_get_client_CA_list(c->ssl)) <= 0) {
            SSL_set_client_CA_list(c->ssl, names);
        } else {
            sk_X509_NAME_pop_free(names, X509_NAME_free);
        }
    }
    return 1;
}
