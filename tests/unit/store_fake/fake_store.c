/* A session-store module for unit.store: an in-process map behind the
 * interface of src/session/store_module.h, with switches the test flips
 * (fake_store_set_mode) to make every operation fail, time out or answer
 * normally, and a way to look at what is stored (fake_store_get). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "session/store_module.h"

#define FAKE_MAX 4096

struct entry {
    uint8_t *key, *val;
    size_t key_len, val_len;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry map[FAKE_MAX];
static size_t n_entries;
static int mode = STORE_OK; /* STORE_OK: normal, else every operation returns it */
static long ops;

__attribute__((visibility("default"))) void fake_store_set_mode(int m)
{
    pthread_mutex_lock(&lock);
    mode = m;
    pthread_mutex_unlock(&lock);
}

__attribute__((visibility("default"))) long fake_store_ops(void)
{
    pthread_mutex_lock(&lock);
    long n = ops;
    pthread_mutex_unlock(&lock);
    return n;
}

static struct entry *find(const uint8_t *key, size_t len)
{
    for (size_t i = 0; i < n_entries; i++)
        if (map[i].key_len == len && memcmp(map[i].key, key, len) == 0)
            return &map[i];
    return NULL;
}

static void drop(struct entry *e)
{
    free(e->key);
    free(e->val);
    *e = map[--n_entries];
}

static int put(const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len)
{
    struct entry *e = find(key, key_len);
    if (e == NULL) {
        if (n_entries == FAKE_MAX)
            return STORE_ERR;
        e = &map[n_entries++];
        e->key = malloc(key_len);
        memcpy(e->key, key, key_len);
        e->key_len = key_len;
    } else {
        free(e->val);
    }
    e->val = malloc(val_len);
    memcpy(e->val, val, val_len);
    e->val_len = val_len;
    return STORE_OK;
}

/* fake_store_get: a copy of the value of the key starting with |prefix|
 * (malloc'ed, or NULL), for the test to look at. */
__attribute__((visibility("default"))) uint8_t *fake_store_get(const char *prefix, size_t *len)
{
    uint8_t *r = NULL;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n_entries && r == NULL; i++)
        if (map[i].key_len >= strlen(prefix) && memcmp(map[i].key, prefix, strlen(prefix)) == 0) {
            r = malloc(map[i].val_len);
            memcpy(r, map[i].val, map[i].val_len);
            *len = map[i].val_len;
        }
    pthread_mutex_unlock(&lock);
    return r;
}

/* fake_store_put_raw: stores a value under |key| as a peer server would. */
__attribute__((visibility("default"))) void fake_store_put_raw(const char *key, const uint8_t *val,
                                                               size_t len)
{
    pthread_mutex_lock(&lock);
    put((const uint8_t *)key, strlen(key), val, len);
    pthread_mutex_unlock(&lock);
}

static int begin(void)
{
    pthread_mutex_lock(&lock);
    ops++;
    if (mode != STORE_OK) {
        int m = mode;
        pthread_mutex_unlock(&lock);
        return m;
    }
    return STORE_OK;
}

static void *fake_open(const char *url, unsigned timeout_ms, char *err, size_t err_len)
{
    (void)timeout_ms;
    if (strstr(url, "refuse") != NULL) {
        strncpy(err, "fake: refused URL", err_len - 1);
        err[err_len - 1] = '\0';
        return NULL;
    }
    return (void *)1;
}

static void fake_close(void *h)
{
    (void)h;
}

static int fake_get(void *h, const uint8_t *key, size_t key_len, int del, uint8_t **out,
                    size_t *out_len)
{
    (void)h;
    int r = begin();
    if (r != STORE_OK)
        return r;
    struct entry *e = find(key, key_len);
    if (e == NULL) {
        pthread_mutex_unlock(&lock);
        return STORE_MISS;
    }
    *out = malloc(e->val_len);
    memcpy(*out, e->val, e->val_len);
    *out_len = e->val_len;
    if (del)
        drop(e);
    pthread_mutex_unlock(&lock);
    return STORE_OK;
}

static int fake_set(void *h, const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len,
                    uint64_t ttl_ms, int nx)
{
    (void)h;
    (void)ttl_ms;
    int r = begin();
    if (r != STORE_OK)
        return r;
    if (nx && find(key, key_len) != NULL)
        r = STORE_MISS;
    else
        r = put(key, key_len, val, val_len);
    pthread_mutex_unlock(&lock);
    return r;
}

static int fake_del(void *h, const uint8_t *key, size_t key_len)
{
    (void)h;
    int r = begin();
    if (r != STORE_OK)
        return r;
    struct entry *e = find(key, key_len);
    if (e != NULL)
        drop(e);
    pthread_mutex_unlock(&lock);
    return e != NULL ? STORE_OK : STORE_MISS;
}

static int fake_cas(void *h, const uint8_t *key, size_t key_len, const uint8_t *expect,
                    size_t expect_len, const uint8_t *val, size_t val_len, uint64_t ttl_ms)
{
    (void)h;
    (void)ttl_ms;
    int r = begin();
    if (r != STORE_OK)
        return r;
    struct entry *e = find(key, key_len);
    if (expect == NULL
            ? e != NULL
            : e == NULL || e->val_len != expect_len || memcmp(e->val, expect, expect_len) != 0)
        r = STORE_MISS;
    else
        r = put(key, key_len, val, val_len);
    pthread_mutex_unlock(&lock);
    return r;
}

static void fake_free_value(uint8_t *val, size_t len)
{
    if (val != NULL)
        memset(val, 0, len);
    free(val);
}

static const struct sesame_store_module fake = {
    .abi = SESAME_STORE_ABI,
    .name = "fake",
    .open = fake_open,
    .close = fake_close,
    .get = fake_get,
    .set = fake_set,
    .del = fake_del,
    .cas = fake_cas,
    .free_value = fake_free_value,
    .set_nowait = NULL, /* set is used */
};

__attribute__((visibility("default"))) const struct sesame_store_module *
sesame_store_module_v1(void)
{
    return &fake;
}
