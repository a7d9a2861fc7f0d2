/* test_random.c - base/random.h: buffered public randomness.  Outputs do
 * not repeat, a forked child never hands out the bytes its parent hands
 * out next, threads have buffers of their own, large requests work. */
#include "testutil.h"

#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/random.h"

static void test_random_distinct(void)
{
    /* 200 draws of 32 bytes cross several 1 KB refills */
    static uint8_t seen[200][32];
    for (int i = 0; i < 200; i++) {
        REQUIRE(rand_public(seen[i], 32) == 1);
        for (int j = 0; j < i; j++)
            CHECK(memcmp(seen[i], seen[j], 32) != 0);
    }
    uint8_t zero[32] = {0};
    CHECK(memcmp(seen[0], zero, 32) != 0);
    /* lengths from 1 to a large one (straight from RAND_bytes) */
    uint8_t big[4096], big2[4096];
    CHECK(rand_public(big, 1) == 1);
    CHECK(rand_public(big, sizeof(big)) == 1 && rand_public(big2, sizeof(big2)) == 1);
    CHECK(memcmp(big, big2, sizeof(big)) != 0);
}

/* The parent and a forked child each draw 32 bytes right after the fork:
 * a buffer copied into the child must not give it the parent's bytes. */
static void test_random_fork(void)
{
    uint8_t warm[8], parent[32], child[32];
    REQUIRE(rand_public(warm, sizeof(warm)) == 1); /* the buffer is full */
    int fd[2];
    REQUIRE(pipe(fd) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        int ok = rand_public(child, sizeof(child)) == 1 &&
                 write(fd[1], child, sizeof(child)) == (ssize_t)sizeof(child);
        _exit(ok ? 0 : 1);
    }
    close(fd[1]);
    CHECK(rand_public(parent, sizeof(parent)) == 1);
    size_t got = 0;
    while (got < sizeof(child)) {
        ssize_t n = read(fd[0], child + got, sizeof(child) - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd[0]);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_EQ_INT((int)got, 32);
    CHECK(memcmp(parent, child, sizeof(parent)) != 0);
}

static uint8_t thread_out[4][32];

static void *draw(void *arg)
{
    uint8_t *out = arg;
    return rand_public(out, 32) == 1 ? arg : NULL;
}

static void test_random_threads(void)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        REQUIRE(pthread_create(&t[i], NULL, draw, thread_out[i]) == 0);
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        pthread_join(t[i], &r);
        CHECK(r == thread_out[i]);
    }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < i; j++)
            CHECK(memcmp(thread_out[i], thread_out[j], 32) != 0);
}

TEST_MAIN({
    RUN(test_random_distinct);
    RUN(test_random_fork);
    RUN(test_random_threads);
})
