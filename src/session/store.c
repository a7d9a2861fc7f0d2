/* The fleet session store: attaching an SSL_CTX to a store, its settings,
 * loading the store module, the counters.  Sessions in the store:
 * store_sessions.c; values at rest: store_wrap.c; ticket keys: store_ring.c.
 *
 * A URL is the module's (redis://[:password@]host:port/db, unix:///path)
 * plus query parameters read here: timeout_ms, strict_tickets, key_file,
 * ticket_key_period, prefix (include/sesame.h). */
#include "internal.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/once.h"
#include "keys/algs.h"
#include "keys/hkdf.h"
#include "session/store.h"
#include "session/store_internal.h"

#define MODULE_FILE        "libsesame-store-redis.so"
#define DEFAULT_TIMEOUT_MS 10
#define MAX_TIMEOUT_MS     10000
#define MAX_KEY_FILE       4096
#define MIN_KEY_FILE       16

/* ---- the module (one per process, loaded on first use) ---- */

static SESAME_ONCE module_once = SESAME_ONCE_INIT;
static const struct sesame_store_module *module;
static char module_err[512];

/* module_path: $SESAME_STORE_MODULE, else MODULE_FILE beside the object
 * that holds this code (libssl.so.3). */
static int module_path(char *out, size_t cap)
{
    const char *env = secure_getenv("SESAME_STORE_MODULE");
    if (env != NULL && *env != '\0')
        return snprintf(out, cap, "%s", env) < (int)cap;
    Dl_info info;
    if (dladdr((void *)&sess_store_attach, &info) == 0 || info.dli_fname == NULL)
        return snprintf(out, cap, "%s", MODULE_FILE) < (int)cap;
    const char *slash = strrchr(info.dli_fname, '/');
    if (slash == NULL)
        return snprintf(out, cap, "%s", MODULE_FILE) < (int)cap;
    return snprintf(out, cap, "%.*s/%s", (int)(slash - info.dli_fname), info.dli_fname,
                    MODULE_FILE) < (int)cap;
}

static int load_module(void *arg)
{
    (void)arg;
    char path[1024];
    if (!module_path(path, sizeof(path))) {
        snprintf(module_err, sizeof(module_err), "store module path too long");
        return 0;
    }
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        const char *e = dlerror();
        snprintf(module_err, sizeof(module_err), "cannot load the store module %.200s: %.250s",
                 path, e != NULL ? e : "unknown error");
        return 0;
    }
    sesame_store_module_fn fn;
    *(void **)&fn = dlsym(dl, SESAME_STORE_MODULE_SYMBOL);
    const struct sesame_store_module *m = fn != NULL ? fn() : NULL;
    if (m == NULL || m->abi != SESAME_STORE_ABI || m->open == NULL || m->get == NULL ||
        m->set == NULL || m->del == NULL || m->cas == NULL || m->close == NULL ||
        m->free_value == NULL) {
        snprintf(module_err, sizeof(module_err), "%.300s is not a sesame store module (ABI %d)",
                 path, SESAME_STORE_ABI);
        dlclose(dl);
        return 0;
    }
    module = m; /* the module stays loaded for the life of the process */
    return 1;
}

/* ---- URL parameters ---- */

/* query_param: the value of |name| in |url|'s query into |out| (cap bytes);
 * 1 found, 0 absent, -1 too long. */
static int query_param(const char *url, const char *name, char *out, size_t cap)
{
    const char *q = strchr(url, '?');
    size_t nlen = strlen(name);
    while (q != NULL) {
        q++;
        const char *end = strchr(q, '&');
        size_t len = end != NULL ? (size_t)(end - q) : strlen(q);
        if (len > nlen && strncmp(q, name, nlen) == 0 && q[nlen] == '=') {
            size_t vlen = len - nlen - 1;
            if (vlen >= cap)
                return -1;
            memcpy(out, q + nlen + 1, vlen);
            out[vlen] = '\0';
            return 1;
        }
        q = end;
    }
    return 0;
}

/* number_param: an unsigned decimal parameter in [lo, hi]; 1 set (or
 * absent: *out unchanged), 0 malformed. */
static int number_param(const char *url, const char *name, unsigned long lo, unsigned long hi,
                        unsigned long *out)
{
    char v[24];
    int r = query_param(url, name, v, sizeof(v));
    if (r == 0)
        return 1;
    if (r < 0 || v[0] < '0' || v[0] > '9')
        return 0;
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (*end != '\0' || n < lo || n > hi)
        return 0;
    *out = n;
    return 1;
}

static int prefix_ok(const char *p)
{
    if (*p == '\0')
        return 0;
    for (; *p != '\0'; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.' || *p == ':'))
            return 0;
    return 1;
}

/* read_wrap_key: the wrap key from the secret in |path|: HKDF-Extract
 * (SHA-256) of the file's bytes. */
static int read_wrap_key(const char *path, uint8_t key[STORE_WRAP_KEY], char *why, size_t why_len)
{
    uint8_t buf[MAX_KEY_FILE + 1];
    size_t n = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(why, why_len, "key_file %.300s cannot be read", path);
        return 0;
    }
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    int ok = 0;
    if (n < MIN_KEY_FILE || n > MAX_KEY_FILE) {
        snprintf(why, why_len, "key_file %.300s must hold %d to %d bytes", path, MIN_KEY_FILE,
                 MAX_KEY_FILE);
    } else {
        static const uint8_t salt[] = "sesame session store wrap key";
        ok = tls13_hkdf_extract(algs_sha256(), key, salt, sizeof(salt) - 1, buf, n);
        if (!ok)
            snprintf(why, why_len, "key_file: key derivation failed");
    }
    mem_wipe(buf, sizeof(buf));
    return ok;
}

/* public_url: |url| without the password of its userinfo. */
static char *public_url(const char *url)
{
    const char *scheme_end = strstr(url, "://");
    const char *at = scheme_end != NULL ? strchr(scheme_end + 3, '@') : NULL;
    const char *slash = scheme_end != NULL ? strchr(scheme_end + 3, '/') : NULL;
    if (at == NULL || (slash != NULL && slash < at))
        return OPENSSL_strdup(url);
    const char *colon = memchr(scheme_end + 3, ':', (size_t)(at - scheme_end - 3));
    if (colon == NULL)
        return OPENSSL_strdup(url);
    size_t head = (size_t)(colon - url) + 1, tail = strlen(at);
    char *out = OPENSSL_malloc(head + 3 + tail + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, url, head);
    memcpy(out + head, "***", 3);
    memcpy(out + head + 3, at, tail + 1);
    return out;
}

static void store_free(struct sess_store *st)
{
    if (st == NULL)
        return;
    if (st->h != NULL)
        st->mod->close(st->h);
    store_ring_free(st);
    OPENSSL_free(st->url_public);
    mem_wipe(st, sizeof(*st));
    OPENSSL_free(st);
}

/* store_new: a store for |url|; NULL with the reason in |why|. */
static struct sess_store *store_new(const char *url, char *why, size_t why_len)
{
    unsigned long timeout = DEFAULT_TIMEOUT_MS, strict = 0, period = 0;
    char prefix[STORE_PREFIX_MAX + 1] = "sesame", key_file[1024];
    int r;
    if (strncmp(url, "redis://", 8) != 0 && strncmp(url, "rediss://", 9) != 0 &&
        strncmp(url, "unix://", 7) != 0) {
        snprintf(why, why_len, "unknown store URL scheme (redis://, rediss://, unix://)");
        return NULL;
    }
    if (!number_param(url, "timeout_ms", 1, MAX_TIMEOUT_MS, &timeout) ||
        !number_param(url, "strict_tickets", 0, 1, &strict) ||
        !number_param(url, "ticket_key_period", 1, 365UL * 24 * 3600, &period)) {
        snprintf(why, why_len,
                 "bad timeout_ms (1-%d), strict_tickets (0/1) or ticket_key_period (seconds)",
                 MAX_TIMEOUT_MS);
        return NULL;
    }
    if ((r = query_param(url, "prefix", prefix, sizeof(prefix))) < 0 ||
        (r > 0 && !prefix_ok(prefix))) {
        snprintf(why, why_len, "bad prefix (1-%d of A-Z a-z 0-9 _ - . :)", STORE_PREFIX_MAX);
        return NULL;
    }
    if (!sesame_once(&module_once, load_module, NULL)) {
        snprintf(why, why_len, "%s", module_err);
        return NULL;
    }
    struct sess_store *st = OPENSSL_zalloc(sizeof(*st));
    if (st == NULL) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    st->mod = module;
    st->timeout_ms = (unsigned)timeout;
    st->strict = (int)strict;
    st->period_ms = (uint64_t)period * 1000;
    memcpy(st->prefix, prefix, sizeof(prefix));
    store_ring_init(st);
    if ((r = query_param(url, "key_file", key_file, sizeof(key_file))) != 0) {
        if (r < 0 || !read_wrap_key(key_file, st->wrap_key, why, why_len)) {
            if (r < 0)
                snprintf(why, why_len, "key_file path too long");
            store_free(st);
            return NULL;
        }
        st->have_wrap = 1;
    }
    if ((st->url_public = public_url(url)) == NULL) {
        snprintf(why, why_len, "out of memory");
        store_free(st);
        return NULL;
    }
    char err[256] = "";
    if ((st->h = st->mod->open(url, st->timeout_ms, err, sizeof(err))) == NULL) {
        snprintf(why, why_len, "%s", err[0] != '\0' ? err : "the store module refused the URL");
        store_free(st);
        return NULL;
    }
    return st;
}

int sess_store_attach(SSL_CTX *ctx, const char *url)
{
    struct sess_store *st = NULL;
    if (url != NULL) {
        char why[600];
        if ((st = store_new(url, why, sizeof(why))) == NULL) {
            ERR_raise_data(ERR_LIB_SSL, SSL_R_BAD_VALUE, "session store: %s", why);
            return 0;
        }
    }
    store_free(ctx->store);
    ctx->store = st;
    return 1;
}

void sess_store_ctx_init(SSL_CTX *ctx)
{
    static _Atomic int reported;
    const char *url = secure_getenv("SESAME_SESSION_STORE");
    if (url == NULL || *url == '\0')
        return;
    char why[600];
    if ((ctx->store = store_new(url, why, sizeof(why))) == NULL && !atomic_exchange(&reported, 1)) {
        char *pub = public_url(url);
        fprintf(stderr,
                "sesame: SESAME_SESSION_STORE=%s: %s; sessions stay in this process (full "
                "handshakes on other servers)\n",
                pub != NULL ? pub : "(URL)", why);
        OPENSSL_free(pub);
    }
}

void sess_store_ctx_free(SSL_CTX *ctx)
{
    store_free(ctx->store);
    ctx->store = NULL;
}

const char *sess_store_url(const SSL_CTX *ctx)
{
    return ctx->store != NULL ? ctx->store->url_public : NULL;
}

long sess_store_counter(const SSL_CTX *ctx, int which)
{
    if (ctx->store == NULL || which < 0 || which > STORE_CNT_TIMEOUTS)
        return 0;
    return atomic_load_explicit(&ctx->store->cnt[which], memory_order_relaxed);
}

void store_count(struct sess_store *st, int r, int lookup)
{
    int which = -1;
    if (r == STORE_ERR)
        which = STORE_CNT_ERRORS;
    else if (r == STORE_TIMEOUT)
        which = STORE_CNT_TIMEOUTS;
    else if (lookup)
        which = r == STORE_OK ? STORE_CNT_HITS : STORE_CNT_MISSES;
    if (which >= 0)
        atomic_fetch_add_explicit(&st->cnt[which], 1, memory_order_relaxed);
}

int sess_store_active(const SSL_CTX *ctx, const SSL *s)
{
    return ctx->store != NULL && s->server;
}

int sess_store_strict(const SSL_CTX *ctx)
{
    return ctx->store != NULL && ctx->store->strict;
}
