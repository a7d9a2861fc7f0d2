/* replay.c - a main() for the fuzz targets, so that every compiler (gcc too)
 * and every CI pass can run them without libFuzzer.
 *
 *   fuzz_replay_<name> [-n N] [-s SEED] PATH...
 *
 * Runs LLVMFuzzerTestOneInput on every file given (a directory means every
 * regular file in it, sorted by name), then on N deterministic mutations of
 * those inputs (default 2000, or $FUZZ_REPLAY_N; seed 0x5e5a3e by default):
 * bit flips, byte and u16 overwrites with boundary values, length-field
 * nudges, truncations, insertions, deletions, duplications and splices of
 * two corpus entries.  Each input is passed in a buffer of exactly its size,
 * so ASan sees any read past the end.
 *
 * An input that runs longer than 20 s ($FUZZ_REPLAY_TIMEOUT; 0: no limit) is
 * taken for a hang (SIGALRM), like libFuzzer's -timeout.
 *
 * A failing input (FUZZ_ASSERT, a sanitizer report, a signal) is written to
 * ./fuzz-crash-<name>-<iteration>.bin and its path printed; reproduce it
 * with `fuzz_replay_<name> FILE` or `fuzz_<name> FILE` (libFuzzer).
 * With -w DIR the mutated inputs are not run but written to DIR (to look
 * at what the mutator makes). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define REPLAY_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define REPLAY_SANITIZER 1
#endif
#endif
#ifdef REPLAY_SANITIZER
void __sanitizer_set_death_callback(void (*callback)(void));
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT (64 * 1024)

typedef struct {
    uint8_t *data;
    size_t len;
    char *name;
} input;

static input *g_corpus;
static size_t g_num;
static const char *g_target = "target";
/* The input being run, for the crash dump. */
static const uint8_t *g_cur;
static size_t g_cur_len;
static long g_iter = -1;
static char g_crash_path[256];

static void dump_current(void)
{
    /* async-signal-safe: open/write/close only; the path was formatted before */
    if (g_cur == NULL)
        return;
    int fd = open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        size_t off = 0;
        while (off < g_cur_len) {
            ssize_t w = write(fd, g_cur + off, g_cur_len - off);
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        close(fd);
    }
    static const char msg1[] = "\n*** fuzz replay: failing input written to ";
    static const char msg2[] = "\n";
    ssize_t r = write(2, msg1, sizeof(msg1) - 1);
    r = write(2, g_crash_path, strlen(g_crash_path));
    r = write(2, msg2, sizeof(msg2) - 1);
    (void)r;
    g_cur = NULL;
}

static unsigned g_timeout = 20;

static void on_signal(int sig)
{
    if (sig == SIGALRM) {
        static const char msg[] = "\n*** fuzz replay: the input did not finish in time (a hang?)";
        ssize_t r = write(2, msg, sizeof(msg) - 1);
        (void)r;
    }
    dump_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* ---- deterministic PRNG (splitmix64) ---- */

static uint64_t g_rng;

static uint64_t rnd(void)
{
    uint64_t z = (g_rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static size_t below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

/* ---- corpus ---- */

static void add_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    uint8_t *buf = malloc(REPLAY_MAX_INPUT);
    size_t n = fread(buf, 1, REPLAY_MAX_INPUT, f);
    fclose(f);
    g_corpus = realloc(g_corpus, (g_num + 1) * sizeof(*g_corpus));
    g_corpus[g_num].data = buf;
    g_corpus[g_num].len = n;
    g_corpus[g_num].name = strdup(path);
    g_num++;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        exit(2);
    }
    if (!S_ISDIR(st.st_mode)) {
        add_file(path);
        return;
    }
    DIR *d = opendir(path);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof(*names));
        size_t l = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(l);
        snprintf(names[n], l, "%s/%s", path, e->d_name);
        n++;
    }
    if (d != NULL)
        closedir(d);
    if (n > 0)
        qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            add_file(names[i]);
        free(names[i]);
    }
    free(names);
}

/* ---- mutations ---- */

static const uint8_t k_bytes[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x0f, 0x10, 0x1f, 0x20,
                                  0x3f, 0x40, 0x7e, 0x7f, 0x80, 0x81, 0xfe, 0xff};
static const uint16_t k_u16[] = {0x0000, 0x0001, 0x0002, 0x00ff, 0x0100, 0x0303, 0x0304, 0x3fff,
                                 0x4000, 0x4001, 0x4100, 0x7fff, 0x8000, 0xfffe, 0xffff};

/* mutate_once edits buf[0..*len) in place (capacity REPLAY_MAX_INPUT). */
static void mutate_once(uint8_t *buf, size_t *len)
{
    size_t n = *len;
    switch (below(n == 0 ? 1 : 11)) {
    case 0: { /* insert 1..16 random bytes (the only choice for an empty input) */
        size_t k = 1 + below(16), at = below(n + 1);
        if (n + k > REPLAY_MAX_INPUT)
            return;
        memmove(buf + at + k, buf + at, n - at);
        for (size_t i = 0; i < k; i++)
            buf[at + i] = (uint8_t)rnd();
        *len = n + k;
        return;
    }
    case 1: /* flip one bit */
        buf[below(n)] ^= (uint8_t)(1u << below(8));
        return;
    case 2: /* random byte */
        buf[below(n)] = (uint8_t)rnd();
        return;
    case 3: /* boundary byte */
        buf[below(n)] = k_bytes[below(sizeof(k_bytes))];
        return;
    case 4: /* boundary u16 (lengths, versions, types are big-endian u16) */
        if (n >= 2) {
            size_t at = below(n - 1);
            uint16_t v = k_u16[below(sizeof(k_u16) / sizeof(k_u16[0]))];
            buf[at] = (uint8_t)(v >> 8);
            buf[at + 1] = (uint8_t)v;
        }
        return;
    case 5: /* nudge a u16 by -4..+4: an off-by-some length field */
        if (n >= 2) {
            size_t at = below(n - 1);
            uint16_t v = (uint16_t)(buf[at] << 8 | buf[at + 1]);
            v = (uint16_t)(v + (int)below(9) - 4);
            buf[at] = (uint8_t)(v >> 8);
            buf[at + 1] = (uint8_t)v;
        }
        return;
    case 6: /* truncate */
        *len = below(n);
        return;
    case 7: { /* delete a range */
        size_t at = below(n), k = 1 + below(n - at < 32 ? n - at : 32);
        memmove(buf + at, buf + at + k, n - at - k);
        *len = n - k;
        return;
    }
    case 8: { /* duplicate a range */
        size_t at = below(n), k = 1 + below(n - at < 64 ? n - at : 64), to = below(n + 1);
        if (n + k > REPLAY_MAX_INPUT)
            return;
        uint8_t tmp[64];
        memcpy(tmp, buf + at, k);
        memmove(buf + to + k, buf + to, n - to);
        memcpy(buf + to, tmp, k);
        *len = n + k;
        return;
    }
    case 9: { /* splice: our prefix, another entry's suffix */
        if (g_num == 0)
            return;
        const input *o = &g_corpus[below(g_num)];
        size_t cut = below(n + 1), from = below(o->len + 1), k = o->len - from;
        if (cut + k > REPLAY_MAX_INPUT)
            k = REPLAY_MAX_INPUT - cut;
        memcpy(buf + cut, o->data + from, k);
        *len = cut + k;
        return;
    }
    default: /* insert random bytes */
    {
        size_t k = 1 + below(4), at = below(n + 1);
        if (n + k > REPLAY_MAX_INPUT)
            return;
        memmove(buf + at + k, buf + at, n - at);
        for (size_t i = 0; i < k; i++)
            buf[at + i] = k_bytes[below(sizeof(k_bytes))];
        *len = n + k;
    }
        return;
    }
}

static void run(const uint8_t *data, size_t len)
{
    /* exact-size copy, so any overrun is a heap-buffer-overflow */
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL)
        abort();
    memcpy(copy, data, len);
    snprintf(g_crash_path, sizeof(g_crash_path), "fuzz-crash-%s-%ld.bin", g_target, g_iter);
    g_cur = copy;
    g_cur_len = len;
    alarm(g_timeout);
    LLVMFuzzerTestOneInput(copy, len);
    alarm(0);
    g_cur = NULL;
    free(copy);
}

int main(int argc, char **argv)
{
    long n = 2000;
    uint64_t seed = 0x5e5a3e;
    const char *write_dir = NULL;
    const char *env = getenv("FUZZ_REPLAY_N");
    if (env != NULL)
        n = strtol(env, NULL, 10);
    if ((env = getenv("FUZZ_REPLAY_TIMEOUT")) != NULL)
        g_timeout = (unsigned)strtoul(env, NULL, 10);
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            n = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc)
            write_dir = argv[++i];
        else
            break;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: %s [-n N] [-s SEED] [-w DIR] CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (strncmp(base, "fuzz_replay_", 12) == 0)
        base += 12;
    g_target = base;
    for (; i < argc; i++)
        add_path(argv[i]);
    if (g_num == 0) {
        fprintf(stderr, "%s: no corpus inputs found\n", g_target);
        return 2;
    }

#ifdef REPLAY_SANITIZER
    __sanitizer_set_death_callback(dump_current);
#endif
    signal(SIGABRT, on_signal);
    signal(SIGSEGV, on_signal);
    signal(SIGBUS, on_signal);
    signal(SIGFPE, on_signal);
    signal(SIGILL, on_signal);
    signal(SIGALRM, on_signal);

    if (write_dir == NULL) {
        for (size_t k = 0; k < g_num; k++) {
            g_iter = -(long)k - 1; /* corpus entries: -1, -2, ... */
            run(g_corpus[k].data, g_corpus[k].len);
        }
        g_iter = -1000;
        run((const uint8_t *)"", 0);
    }

    g_rng = seed;
    uint8_t *buf = malloc(REPLAY_MAX_INPUT);
    for (long it = 0; it < n; it++) {
        const input *src = &g_corpus[below(g_num)];
        size_t len = src->len;
        memcpy(buf, src->data, len);
        int rounds = 1 + (int)below(4);
        for (int r = 0; r < rounds; r++)
            mutate_once(buf, &len);
        g_iter = it;
        if (write_dir != NULL) {
            char path[512];
            snprintf(path, sizeof(path), "%s/mut-%06ld", write_dir, it);
            FILE *f = fopen(path, "wb");
            if (f != NULL) {
                fwrite(buf, 1, len, f);
                fclose(f);
            }
            continue;
        }
        run(buf, len);
    }
    free(buf);
    for (size_t k = 0; k < g_num; k++) {
        free(g_corpus[k].data);
        free(g_corpus[k].name);
    }
    free(g_corpus);
    printf("%s: %zu corpus inputs and %ld mutations (seed %#llx): no crash\n", g_target, g_num, n,
           (unsigned long long)seed);
    return 0;
}
