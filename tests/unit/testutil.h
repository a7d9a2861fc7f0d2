/* testutil.h - a tiny header for sesame's unit tests.
 *
 * Convention:
 *   #include "testutil.h"
 *   static void test_bytes_reader_bounds(void) { CHECK(x == 1); ... }
 *   TEST_MAIN({
 *       RUN(test_bytes_reader_bounds);
 *   })
 * Each CHECK that fails prints "file:line: CHECK failed: expr" to stderr and increments
 * test_failures; TEST_MAIN returns test_failures != 0, so ctest sees a non-zero exit.
 *
 * A test that cannot run where it is (e.g. it needs TLS 1.2 while the library lacks it)
 * calls SKIP("why") and returns; such a test is registered with RUN_ALONE(fn) and a line
 * "ctest-alone: fn" in the file, so that tests/CMakeLists.txt gives it its own ctest entry
 * (`unit_x fn` runs it alone) which exits 77 and ctest reports as skipped, never as passed.
 * Everything is static: include it from exactly one .c file per test executable.
 */
#ifndef SESAME_TESTS_TESTUTIL_H
#define SESAME_TESTS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures = 0;        /* failed CHECKs so far */
static int test_checks = 0;          /* CHECKs evaluated so far */
static int test_skipped = 0;         /* SKIP()s so far */
static const char *test_only = NULL; /* argv[1]: run this test function alone */

/* SKIP(why): the current test cannot run here; says why and returns from it. */
#define SKIP(why)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "  skipped: %s\n", (why));                                                 \
        test_skipped++;                                                                            \
        return;                                                                                    \
    } while (0)

/* test_check_: the body of CHECK; returns ok so CHECK can be used in conditions. */
static int test_check_(int ok, const char *file, int line, const char *expr)
{
    test_checks++;
    if (!ok) {
        fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, expr);
        test_failures++;
    }
    return ok;
}

/* CHECK(cond): records a failure (and continues) when cond is false; evaluates to !!cond. */
#define CHECK(cond) test_check_(!!(cond), __FILE__, __LINE__, #cond)

/* REQUIRE(cond): like CHECK but returns from the current (void) function on failure. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!CHECK(cond))                                                                          \
            return;                                                                                \
    } while (0)

/* CHECK_EQ_INT(a, b): integers compared as long long; prints both values on failure. */
#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long ta_ = (long long)(a), tb_ = (long long)(b);                                      \
        test_checks++;                                                                             \
        if (ta_ != tb_) {                                                                          \
            fprintf(stderr, "%s:%d: CHECK_EQ_INT failed: %s == %s (%lld != %lld)\n", __FILE__,     \
                    __LINE__, #a, #b, ta_, tb_);                                                   \
            test_failures++;                                                                       \
        }                                                                                          \
    } while (0)

/* CHECK_EQ_MEM(a, alen, b, blen): byte-wise equality; prints both in hex on failure. */
#define CHECK_EQ_MEM(a, alen, b, blen)                                                             \
    do {                                                                                           \
        const void *ma_ = (a), *mb_ = (b);                                                         \
        size_t la_ = (size_t)(alen), lb_ = (size_t)(blen);                                         \
        test_checks++;                                                                             \
        if (la_ != lb_ || (la_ != 0 && memcmp(ma_, mb_, la_) != 0)) {                              \
            fprintf(stderr, "%s:%d: CHECK_EQ_MEM failed: %s == %s\n", __FILE__, __LINE__, #a, #b); \
            test_print_hex("  got     ", ma_, la_);                                                \
            test_print_hex("  expected", mb_, lb_);                                                \
            test_failures++;                                                                       \
        }                                                                                          \
    } while (0)

/* CHECK_EQ_HEX(buf, len, "hex"): compares bytes against a hex string literal. */
#define CHECK_EQ_HEX(buf, len, hexstr)                                                             \
    do {                                                                                           \
        uint8_t hx_[4096];                                                                         \
        size_t hl_ = test_from_hex((hexstr), hx_, sizeof(hx_));                                    \
        CHECK_EQ_MEM((buf), (len), hx_, hl_);                                                      \
    } while (0)

/* RUN(fn): runs a void(void) test function (unless another one was named on the command
 * line), printing its name and whether it passed, failed or skipped. */
#define RUN_(fn, alone)                                                                            \
    do {                                                                                           \
        if (test_only != NULL ? strcmp(test_only, #fn) != 0 : (alone))                             \
            break;                                                                                 \
        int before_ = test_failures, skipped_ = test_skipped;                                      \
        fn();                                                                                      \
        fprintf(stderr, "%s %s\n",                                                                 \
                test_failures != before_   ? "FAIL"                                                \
                : test_skipped != skipped_ ? "skip"                                                \
                                           : "ok  ",                                               \
                #fn);                                                                              \
    } while (0)
#define RUN(fn) RUN_(fn, 0)
/* RUN_ALONE(fn): runs only when named on the command line (its own ctest entry). */
#define RUN_ALONE(fn) RUN_(fn, 1)

/* TEST_MAIN({ body }): defines main(); prints a summary; exit status 1 on any failure, 77
 * (ctest: skipped) when a test named alone on the command line skipped. */
#define TEST_MAIN(...)                                                                             \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        test_only = argc > 1 ? argv[1] : NULL;                                                     \
        __VA_ARGS__;                                                                               \
        fprintf(stderr, "%s: %d checks, %d failed, %d skipped\n", __FILE__, test_checks,           \
                test_failures, test_skipped);                                                      \
        if (test_failures != 0)                                                                    \
            return 1;                                                                              \
        return test_skipped != 0 ? 77 : 0;                                                         \
    }

/* test_print_hex: "label (n bytes): 0a0b..." on stderr (first 256 bytes). */
static void test_print_hex(const char *label, const void *buf, size_t len)
{
    const uint8_t *p = (const uint8_t *)buf;
    size_t i, n = len > 256 ? 256 : len;
    fprintf(stderr, "%s (%zu bytes): ", label, len);
    for (i = 0; i < n; i++)
        fprintf(stderr, "%02x", p[i]);
    fprintf(stderr, "%s\n", n < len ? "..." : "");
}

/* test_from_hex: decodes hex (whitespace and ':' ignored) into out; returns the byte count,
 * or aborts on malformed input or overflow (a bug in the test itself). */
static size_t test_from_hex(const char *hex, uint8_t *out, size_t out_cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *hex; hex++) {
        int v;
        char c = *hex;
        if (c == ' ' || c == '\n' || c == '\t' || c == ':')
            continue;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else {
            fprintf(stderr, "test_from_hex: bad character '%c'\n", c);
            abort();
        }
        if (hi < 0) {
            hi = v;
        } else {
            if (n >= out_cap) {
                fprintf(stderr, "test_from_hex: output buffer too small\n");
                abort();
            }
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    if (hi >= 0) {
        fprintf(stderr, "test_from_hex: odd number of hex digits\n");
        abort();
    }
    return n;
}

/* test_to_hex: writes 2*len+1 chars (lowercase, NUL-terminated) into out. */
static char *test_to_hex(const void *buf, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *p = (const uint8_t *)buf;
    size_t i;
    for (i = 0; i < len; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * len] = '\0';
    return out;
}

/* Silence -Wunused-function for helpers a given test does not use. */
static inline void test_util_unused_(void)
{
    (void)test_check_;
    (void)test_print_hex;
    (void)test_from_hex;
    (void)test_to_hex;
}

#endif
