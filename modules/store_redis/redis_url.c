/* redis_url.c: the store URL.
 *
 *   redis://[[user]:password@]host[:port][/db][?query]
 *   unix:///path/to/socket[?db=N&password=P&user=U]
 *
 * Port 6379 and db 0 by default; an IPv6 address goes in brackets.  User,
 * password, path and query values are percent-decoded.  The query may also
 * carry db, password and user for redis:// URLs; every other parameter is
 * libssl's own (timeout_ms, prefix, ...) and ignored here.  rediss:// is
 * refused: hiredis 0.14 has no TLS. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "redis_store.h"

static int fail(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t err_len, const char *fmt, ...)
{
    if (err != NULL && err_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* decode: percent-decodes s[0..n) into out (NUL-terminated, cap bytes);
 * 0, or -1 on a bad escape, an encoded NUL, or no room. */
static int decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int hi, lo;
            if (i + 2 >= n)
                return -1;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi << 4 | lo);
            if (c == '\0')
                return -1;
            i += 2;
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

/* number: a decimal in s[0..n) no greater than max; -1 if not one. */
static long number(const char *s, size_t n, long max)
{
    long v = 0;
    size_t i;
    if (n == 0 || n > 10)
        return -1;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= max ? v : -1;
}

/* query: the db, password and user parameters of q[0..n); others ignored.
 * *db_seen tells whether the URL's path gave a db already. */
static int query(const char *q, size_t n, struct rs_url *u, int db_seen, char *err, size_t err_len)
{
    while (n > 0) {
        const char *amp = memchr(q, '&', n);
        size_t len = amp != NULL ? (size_t)(amp - q) : n;
        const char *eq = memchr(q, '=', len);
        size_t klen = eq != NULL ? (size_t)(eq - q) : len;
        const char *v = eq != NULL ? eq + 1 : q + len;
        size_t vlen = eq != NULL ? len - klen - 1 : 0;

        if (klen == 2 && memcmp(q, "db", 2) == 0) {
            long db = number(v, vlen, 0x7fffffffL);
            if (db < 0)
                return fail(err, err_len, "store URL: db '%.*s' is not a number", (int)vlen, v);
            if (db_seen && db != u->db)
                return fail(err, err_len, "store URL: db given twice (path /%ld, query db=%ld)",
                            u->db, db);
            u->db = db;
        } else if (klen == 8 && memcmp(q, "password", 8) == 0) {
            if (decode(v, vlen, u->password, sizeof(u->password)) != 0)
                return fail(err, err_len, "store URL: bad password parameter");
            u->has_password = u->password[0] != '\0';
        } else if ((klen == 4 && memcmp(q, "user", 4) == 0) ||
                   (klen == 8 && memcmp(q, "username", 8) == 0)) {
            if (decode(v, vlen, u->user, sizeof(u->user)) != 0)
                return fail(err, err_len, "store URL: bad user parameter");
        }
        if (amp == NULL)
            break;
        n -= len + 1;
        q = amp + 1;
    }
    return 0;
}

/* hostport: host[:port] or [v6][:port] in s[0..n). */
static int hostport(const char *s, size_t n, struct rs_url *u, char *err, size_t err_len)
{
    const char *host = s, *port = NULL;
    size_t hlen, plen = 0, i;

    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (close == NULL)
            return fail(err, err_len, "store URL: '[' without ']' in the host");
        host = s + 1;
        hlen = (size_t)(close - host);
        if (close + 1 < s + n) {
            if (close[1] != ':')
                return fail(err, err_len, "store URL: junk after ']' in the host");
            port = close + 2;
            plen = (size_t)(s + n - port);
        }
    } else {
        const char *colon = memchr(s, ':', n);
        hlen = colon != NULL ? (size_t)(colon - s) : n;
        if (colon != NULL) {
            port = colon + 1;
            plen = (size_t)(s + n - port);
            if (memchr(port, ':', plen) != NULL)
                return fail(err, err_len, "store URL: an IPv6 address needs brackets: [addr]:port");
        }
    }
    if (hlen == 0)
        return fail(err, err_len, "store URL: empty host");
    if (hlen >= sizeof(u->host))
        return fail(err, err_len, "store URL: host too long");
    for (i = 0; i < hlen; i++) {
        unsigned char c = (unsigned char)host[i];
        if (!isalnum(c) && c != '.' && c != '-' && c != '_' && c != ':' && c != '%')
            return fail(err, err_len, "store URL: bad character in the host");
    }
    memcpy(u->host, host, hlen);
    u->host[hlen] = '\0';
    u->port = 6379;
    if (port != NULL) {
        long p = number(port, plen, 65535);
        if (p <= 0)
            return fail(err, err_len, "store URL: bad port '%.*s' (1-65535)", (int)plen, port);
        u->port = (int)p;
    }
    return 0;
}

static int parse_redis(const char *s, struct rs_url *u, char *err, size_t err_len)
{
    size_t alen = strcspn(s, "/?#");
    const char *auth = s, *at = NULL, *p, *rest = s + alen;
    int db_seen = 0;

    for (p = auth; p < auth + alen; p++) /* the last '@': a password may hold one */
        if (*p == '@')
            at = p;
    if (at != NULL) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        if (colon == NULL)
            return fail(err, err_len,
                        "store URL: user without password (redis://:password@host or "
                        "redis://user:password@host)");
        if (decode(auth, (size_t)(colon - auth), u->user, sizeof(u->user)) != 0)
            return fail(err, err_len, "store URL: bad user");
        if (decode(colon + 1, (size_t)(at - colon - 1), u->password, sizeof(u->password)) != 0)
            return fail(err, err_len, "store URL: bad password");
        u->has_password = u->password[0] != '\0'; /* redis://:@host: none */
        alen -= (size_t)(at + 1 - auth);
        auth = at + 1;
    }
    if (hostport(auth, alen, u, err, err_len) != 0)
        return -1;

    if (*rest == '/') {
        size_t dlen = strcspn(rest + 1, "?#");
        if (dlen > 0) {
            long db = number(rest + 1, dlen, 0x7fffffffL);
            if (db < 0)
                return fail(err, err_len, "store URL: db '%.*s' is not a number", (int)dlen,
                            rest + 1);
            u->db = db;
            db_seen = 1;
        }
        rest += 1 + dlen;
    }
    if (*rest == '?')
        return query(rest + 1, strcspn(rest + 1, "#"), u, db_seen, err, err_len);
    return 0;
}

static int parse_unix(const char *s, struct rs_url *u, char *err, size_t err_len)
{
    size_t plen = strcspn(s, "?#");
    if (plen == 0 || s[0] != '/')
        return fail(err, err_len, "store URL: unix:// needs an absolute path (unix:///path)");
    if (decode(s, plen, u->path, sizeof(u->path)) != 0)
        return fail(err, err_len, "store URL: socket path too long or badly escaped");
    u->is_unix = 1;
    if (s[plen] == '?')
        return query(s + plen + 1, strcspn(s + plen + 1, "#"), u, 0, err, err_len);
    return 0;
}

int rs_url_parse(const char *url, struct rs_url *out, char *err, size_t err_len)
{
    int rc;
    memset(out, 0, sizeof(*out));
    if (url == NULL)
        return fail(err, err_len, "store URL: none given");
    if (strncasecmp(url, "redis://", 8) == 0)
        rc = parse_redis(url + 8, out, err, err_len);
    else if (strncasecmp(url, "unix://", 7) == 0)
        rc = parse_unix(url + 7, out, err, err_len);
    else if (strncasecmp(url, "rediss://", 9) == 0)
        rc = fail(err, err_len,
                  "rediss:// needs hiredis with TLS (hiredis >= 1.0 built with SSL); this one "
                  "has none");
    else
        rc = fail(err, err_len, "store URL: unknown scheme (redis:// or unix://)");
    if (rc != 0) {
        /* A password parsed before the failure does not stay behind. */
        explicit_bzero(out, sizeof(*out));
    }
    return rc;
}
