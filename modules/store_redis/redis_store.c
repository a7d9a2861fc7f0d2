/* redis_store.c: the Redis session-store module (docs/fleet-module.md).
 *
 *   get          GET key / GETDEL key (Redis >= 6.2)
 *   set          SET key val [PX ttl] [NX]
 *   del          DEL key
 *   cas          EVAL of CAS_SCRIPT (rare: ticket key rotation)
 *
 * The only exported symbol is sesame_store_module_v1.  Nothing here prints,
 * raises signals or touches errno as the caller sees it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis_store.h"

#define EXPORT __attribute__((visibility("default")))

/* KEYS[1] the key; ARGV[1] "1" if an expected value is given (ARGV[2]),
 * ARGV[3] the new value, ARGV[4] its time to live in ms ("0": none).
 * Returns 1 when it set the key, 0 when the condition failed. */
static const char CAS_SCRIPT[] = "local v = redis.call('GET', KEYS[1])\n"
                                 "if ARGV[1] == '1' then\n"
                                 "  if v ~= ARGV[2] then return 0 end\n"
                                 "elseif v then\n"
                                 "  return 0\n"
                                 "end\n"
                                 "if ARGV[4] ~= '0' then\n"
                                 "  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])\n"
                                 "else\n"
                                 "  redis.call('SET', KEYS[1], ARGV[3])\n"
                                 "end\n"
                                 "return 1\n";

static void *rs_open(const char *url, unsigned timeout_ms, char *err, size_t err_len)
{
    struct rs_handle *h;
    int saved = errno;

    h = calloc(1, sizeof(*h));
    if (h == NULL) {
        if (err != NULL && err_len > 0)
            snprintf(err, err_len, "store: out of memory");
        errno = saved;
        return NULL;
    }
    if (rs_url_parse(url, &h->url, err, err_len) != 0) {
        free(h);
        errno = saved;
        return NULL;
    }
    h->timeout_ms = timeout_ms == 0                  ? RS_DEFAULT_TIMEOUT_MS
                    : timeout_ms > RS_MAX_TIMEOUT_MS ? RS_MAX_TIMEOUT_MS
                                                     : timeout_ms;
    if (rs_pool_init(h) != 0) {
        if (err != NULL && err_len > 0)
            snprintf(err, err_len, "store: cannot create a mutex");
        explicit_bzero(h, sizeof(*h));
        free(h);
        errno = saved;
        return NULL;
    }
    errno = saved;
    return h;
}

static void rs_close(void *hv)
{
    struct rs_handle *h = hv;
    int saved = errno;
    if (h == NULL)
        return;
    rs_pool_free(h);
    explicit_bzero(h, sizeof(*h)); /* the password */
    free(h);
    errno = saved;
}

static int rs_get(void *hv, const uint8_t *key, size_t key_len, int del, uint8_t **out,
                  size_t *out_len)
{
    struct rs_handle *h = hv;
    const char *argv[2];
    size_t lens[2];
    redisReply *r;
    int rc, saved = errno;

    if (out != NULL)
        *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
    if (h == NULL || (key == NULL && key_len != 0) || out == NULL || out_len == NULL)
        return STORE_ERR;
    argv[0] = del ? "GETDEL" : "GET";
    lens[0] = del ? 6 : 3;
    argv[1] = (const char *)key;
    lens[1] = key_len;
    rc = rs_command(h, 2, argv, lens, &r);
    if (rc == STORE_OK) {
        if (r->type == REDIS_REPLY_STRING) {
            uint8_t *v = malloc(r->len > 0 ? (size_t)r->len : 1);
            if (v == NULL) {
                rc = STORE_ERR;
            } else {
                if (r->len > 0)
                    memcpy(v, r->str, (size_t)r->len);
                *out = v;
                *out_len = (size_t)r->len;
            }
        } else if (r->type != REDIS_REPLY_NIL) {
            rc = STORE_ERR; /* an error reply: e.g. not a string, GETDEL unknown */
        } else {
            rc = STORE_MISS;
        }
        rs_reply_free(r);
    }
    errno = saved;
    return rc;
}

/* set_args: SET key val [PX ttl] [NX] into argv/lens (6 slots); argc. */
static int set_args(const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len,
                    uint64_t ttl_ms, int nx, char ttl[24], const char **argv, size_t *lens)
{
    int argc = 0;
    argv[argc] = "SET";
    lens[argc++] = 3;
    argv[argc] = (const char *)key;
    lens[argc++] = key_len;
    argv[argc] = val != NULL ? (const char *)val : "";
    lens[argc++] = val_len;
    if (ttl_ms != 0) {
        argv[argc] = "PX";
        lens[argc++] = 2;
        lens[argc] = (size_t)snprintf(ttl, 24, "%llu", (unsigned long long)ttl_ms);
        argv[argc++] = ttl;
    }
    if (nx) {
        argv[argc] = "NX";
        lens[argc++] = 2;
    }
    return argc;
}

static int rs_set(void *hv, const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len,
                  uint64_t ttl_ms, int nx)
{
    struct rs_handle *h = hv;
    const char *argv[6];
    size_t lens[6];
    char ttl[24];
    redisReply *r;
    int argc, rc, saved = errno;

    if (h == NULL || (key == NULL && key_len != 0) || (val == NULL && val_len != 0))
        return STORE_ERR;
    argc = set_args(key, key_len, val, val_len, ttl_ms, nx, ttl, argv, lens);
    rc = rs_command(h, argc, argv, lens, &r);
    if (rc == STORE_OK) {
        if (r->type == REDIS_REPLY_STATUS && r->str != NULL && strcmp(r->str, "OK") == 0)
            rc = STORE_OK;
        else if (r->type == REDIS_REPLY_NIL && nx)
            rc = STORE_MISS; /* the key was there */
        else
            rc = STORE_ERR;
        rs_reply_free(r);
    }
    errno = saved;
    return rc;
}

static int rs_set_nowait(void *hv, const uint8_t *key, size_t key_len, const uint8_t *val,
                         size_t val_len, uint64_t ttl_ms)
{
    struct rs_handle *h = hv;
    const char *argv[6];
    size_t lens[6];
    char ttl[24];
    int argc, rc, saved = errno;

    if (h == NULL || (key == NULL && key_len != 0) || (val == NULL && val_len != 0))
        return STORE_ERR;
    argc = set_args(key, key_len, val, val_len, ttl_ms, 0, ttl, argv, lens);
    rc = rs_command_nowait(h, argc, argv, lens);
    errno = saved;
    return rc;
}

static int rs_del(void *hv, const uint8_t *key, size_t key_len)
{
    struct rs_handle *h = hv;
    const char *argv[2];
    size_t lens[2];
    redisReply *r;
    int rc, saved = errno;

    if (h == NULL || (key == NULL && key_len != 0))
        return STORE_ERR;
    argv[0] = "DEL";
    lens[0] = 3;
    argv[1] = (const char *)key;
    lens[1] = key_len;
    rc = rs_command(h, 2, argv, lens, &r);
    if (rc == STORE_OK) {
        if (r->type != REDIS_REPLY_INTEGER)
            rc = STORE_ERR;
        else
            rc = r->integer > 0 ? STORE_OK : STORE_MISS;
        rs_reply_free(r);
    }
    errno = saved;
    return rc;
}

static int rs_cas(void *hv, const uint8_t *key, size_t key_len, const uint8_t *expect,
                  size_t expect_len, const uint8_t *val, size_t val_len, uint64_t ttl_ms)
{
    struct rs_handle *h = hv;
    const char *argv[8];
    size_t lens[8];
    char ttl[24];
    redisReply *r;
    int rc, saved = errno;

    if (h == NULL || (key == NULL && key_len != 0) || (val == NULL && val_len != 0))
        return STORE_ERR;
    argv[0] = "EVAL";
    lens[0] = 4;
    argv[1] = CAS_SCRIPT;
    lens[1] = sizeof(CAS_SCRIPT) - 1;
    argv[2] = "1"; /* one key */
    lens[2] = 1;
    argv[3] = (const char *)key;
    lens[3] = key_len;
    argv[4] = expect != NULL ? "1" : "0";
    lens[4] = 1;
    argv[5] = expect != NULL ? (const char *)expect : "";
    lens[5] = expect != NULL ? expect_len : 0;
    argv[6] = val != NULL ? (const char *)val : "";
    lens[6] = val_len;
    lens[7] = (size_t)snprintf(ttl, sizeof(ttl), "%llu", (unsigned long long)ttl_ms);
    argv[7] = ttl;
    rc = rs_command(h, 8, argv, lens, &r);
    if (rc == STORE_OK) {
        if (r->type == REDIS_REPLY_INTEGER && (r->integer == 0 || r->integer == 1))
            rc = r->integer == 1 ? STORE_OK : STORE_MISS;
        else
            rc = STORE_ERR;
        rs_reply_free(r);
    }
    errno = saved;
    return rc;
}

static void rs_free_value(uint8_t *val, size_t len)
{
    if (val == NULL)
        return;
    explicit_bzero(val, len);
    free(val);
}

static const struct sesame_store_module rs_module = {
    .abi = SESAME_STORE_ABI,
    .name = "redis",
    .open = rs_open,
    .close = rs_close,
    .get = rs_get,
    .set = rs_set,
    .set_nowait = rs_set_nowait,
    .del = rs_del,
    .cas = rs_cas,
    .free_value = rs_free_value,
};

EXPORT const struct sesame_store_module *sesame_store_module_v1(void);

EXPORT const struct sesame_store_module *sesame_store_module_v1(void)
{
    return &rs_module;
}
