/* test_once.c - base/once.h: an initialisation that fails is run again on
 * the next call, one that succeeded never again, and racing threads see it
 * run once with its results visible (the TSan pass checks the ordering). */
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>

#include "base/once.h"

static int calls, fail_first;
static int value;

static int flaky_init(void *arg)
{
    calls++;
    if (calls <= fail_first)
        return 0;
    value = *(int *)arg;
    return 1;
}

static void test_once_retries_until_success(void)
{
    SESAME_ONCE once = SESAME_ONCE_INIT;
    int arg = 42;
    calls = 0;
    fail_first = 2;
    value = 0;
    CHECK(sesame_once(&once, flaky_init, &arg) == 0);
    CHECK(sesame_once(&once, flaky_init, &arg) == 0);
    CHECK_EQ_INT(calls, 2);
    CHECK(sesame_once(&once, flaky_init, &arg) == 1);
    CHECK_EQ_INT(value, 42);
    /* never again once it succeeded */
    arg = 7;
    CHECK(sesame_once(&once, flaky_init, &arg) == 1);
    CHECK(sesame_once(&once, flaky_init, &arg) == 1);
    CHECK_EQ_INT(calls, 3);
    CHECK_EQ_INT(value, 42);
}

static int other_init(void *arg)
{
    (void)arg;
    return 2; /* anything but 1 is a failure */
}

static void test_once_only_one_is_success(void)
{
    SESAME_ONCE once = SESAME_ONCE_INIT;
    CHECK(sesame_once(&once, other_init, NULL) == 0);
    CHECK(sesame_once(&once, other_init, NULL) == 0);
}

/* ---- threads ---- */

#define NTHREADS 8
static SESAME_ONCE g_once = SESAME_ONCE_INIT;
static atomic_int g_calls, g_start;
static int g_table[64]; /* written by the initialisation, read by every thread */

static int table_init(void *arg)
{
    (void)arg;
    /* the first two attempts fail, whichever threads make them */
    if (atomic_fetch_add(&g_calls, 1) < 2)
        return 0;
    for (int i = 0; i < 64; i++)
        g_table[i] = i * i;
    return 1;
}

static void *racer(void *arg)
{
    int *bad = arg;
    while (!atomic_load(&g_start))
        ;
    for (int round = 0; round < 1000; round++) {
        if (!sesame_once(&g_once, table_init, NULL))
            continue; /* a failed attempt: try again */
        for (int i = 0; i < 64; i++)
            if (g_table[i] != i * i)
                (*bad)++;
    }
    return NULL;
}

static void test_once_threads(void)
{
    pthread_t t[NTHREADS];
    int bad[NTHREADS] = {0};
    for (int i = 0; i < NTHREADS; i++)
        REQUIRE(pthread_create(&t[i], NULL, racer, &bad[i]) == 0);
    atomic_store(&g_start, 1);
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
        CHECK_EQ_INT(bad[i], 0);
    }
    CHECK_EQ_INT(atomic_load(&g_calls), 3);
}

TEST_MAIN({
    RUN(test_once_retries_until_success);
    RUN(test_once_only_one_is_success);
    RUN(test_once_threads);
})
