/* Buffered public randomness: see random.h. */
#include "base/random.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "base/once.h"

#define RB_SIZE 1024
/* Larger requests go straight to RAND_bytes. */
#define RB_MAX_TAKE 128

typedef struct {
    uint8_t buf[RB_SIZE];
    size_t avail; /* the unused bytes are buf[0 .. avail) */
    unsigned gen; /* g_fork_gen when filled */
} RB_THREAD;

static atomic_uint g_fork_gen;
static pthread_key_t g_rb_key;
static SESAME_ONCE g_rb_once = SESAME_ONCE_INIT;
static _Thread_local RB_THREAD *tl_rb;

static void rb_after_fork_child(void)
{
    atomic_fetch_add(&g_fork_gen, 1);
}

void rand_public_drop_for_test(void)
{
    atomic_fetch_add(&g_fork_gen, 1);
}

static void rb_thread_free(void *p)
{
    OPENSSL_clear_free(p, sizeof(RB_THREAD));
    tl_rb = NULL;
}

static int rb_init(void *arg)
{
    (void)arg;
    if (pthread_key_create(&g_rb_key, rb_thread_free) != 0)
        return 0;
    if (pthread_atfork(NULL, NULL, rb_after_fork_child) != 0) {
        pthread_key_delete(g_rb_key);
        return 0;
    }
    return 1;
}

static RB_THREAD *rb_thread(void)
{
    if (!sesame_once(&g_rb_once, rb_init, NULL))
        return NULL;
    RB_THREAD *t = tl_rb;
    if (t == NULL) {
        t = OPENSSL_zalloc(sizeof(*t));
        if (t == NULL)
            return NULL;
        if (pthread_setspecific(g_rb_key, t) != 0) {
            OPENSSL_free(t);
            return NULL;
        }
        tl_rb = t;
    }
    return t;
}

int rand_public(uint8_t *out, size_t len)
{
    RB_THREAD *t = len <= RB_MAX_TAKE ? rb_thread() : NULL;
    if (t == NULL)
        return len <= INT32_MAX && RAND_bytes(out, (int)len) == 1;
    unsigned gen = atomic_load(&g_fork_gen);
    if (t->gen != gen) {
        /* a fork: the parent holds these bytes too */
        OPENSSL_cleanse(t->buf, sizeof(t->buf));
        t->avail = 0;
        t->gen = gen;
    }
    if (t->avail < len) {
        if (RAND_bytes(t->buf, RB_SIZE) != 1) {
            t->avail = 0;
            return 0;
        }
        t->avail = RB_SIZE;
    }
    t->avail -= len;
    memcpy(out, t->buf + t->avail, len);
    OPENSSL_cleanse(t->buf + t->avail, len);
    return 1;
}
