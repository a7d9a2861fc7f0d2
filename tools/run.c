/* sesame run PROGRAM [ARGS...]: runs an unmodified program on our libssl.so.3.
 *
 * The library is the one this very process has mapped (found through the
 * dynamic loader, never a fixed path), so the same binary does the right
 * thing in the build tree (build/lib) and in an install prefix
 * (P/lib/sesame). Its directory goes first on LD_LIBRARY_PATH, then the
 * program replaces this process (execvp), keeping its PID, its arguments,
 * its standard streams and, once it ends, its exit status. */
#include "tools.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void run_usage(FILE *f)
{
    fprintf(f, "usage: sesame run [--] PROGRAM [ARGS...]\n\n"
               "Runs PROGRAM with the directory of the libssl.so.3 this sesame uses put first\n"
               "on LD_LIBRARY_PATH, so a program linked against OpenSSL 3.0's libssl loads\n"
               "sesame's instead ('sesame version' shows which file that is).\n"
               "Exit status: PROGRAM's; 127 when it is not found, 126 when it cannot be run,\n"
               "125 when sesame cannot tell where its libssl.so.3 is, 2 without PROGRAM.\n"
               "Set-user-ID programs ignore LD_LIBRARY_PATH and keep the system's library.\n");
}

/* libssl_dir writes the absolute directory of the libssl.so.3 that SSL_
 * symbols resolve to in this process. 1 on success. */
static int libssl_dir(char *out, size_t out_len)
{
    /* RTLD_NOLOAD: the library the loader already chose for us (by its
     * soname), never a second copy from somewhere else. */
    void *h = dlopen("libssl.so.3", RTLD_LAZY | RTLD_NOLOAD);
    if (h == NULL)
        return 0;
    void *sym = dlsym(h, "SSL_CTX_new");
    Dl_info info;
    int ok = sym != NULL && dladdr(sym, &info) != 0 && info.dli_fname != NULL &&
             info.dli_fname[0] != '\0';
    char dir[PATH_MAX];
    if (ok) {
        /* The directory of the name the loader used, not of what a symlink
         * named libssl.so.3 may point to: that name is what it searches. */
        size_t n = strlen(info.dli_fname);
        ok = n < sizeof(dir);
        if (ok) {
            memcpy(dir, info.dli_fname, n + 1);
            char *slash = strrchr(dir, '/');
            if (slash == NULL)
                ok = 0;
            else if (slash == dir)
                dir[1] = '\0';
            else
                *slash = '\0';
        }
    }
    dlclose(h);
    char real[PATH_MAX];
    if (!ok || realpath(dir, real) == NULL || strlen(real) >= out_len)
        return 0;
    memcpy(out, real, strlen(real) + 1);
    return 1;
}

int cmd_run(int argc, char **argv)
{
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "--") == 0) {
        first = 2;
    } else if (argc > 1 && (strcmp(argv[1], "-help") == 0 || strcmp(argv[1], "--help") == 0 ||
                            strcmp(argv[1], "-h") == 0)) {
        run_usage(stdout);
        return 0;
    }
    if (first >= argc) {
        run_usage(stderr);
        return 2;
    }
    const char *prog = argv[first];

    char dir[PATH_MAX];
    if (!libssl_dir(dir, sizeof(dir))) {
        fprintf(stderr, "sesame run: cannot find the libssl.so.3 this program uses\n");
        return 125;
    }
    /* An empty entry in LD_LIBRARY_PATH means the current directory: add
     * the old value only when there is one. */
    const char *old = getenv("LD_LIBRARY_PATH");
    size_t len = strlen(dir) + (old != NULL && old[0] != '\0' ? 1 + strlen(old) : 0) + 1;
    char *path = malloc(len);
    if (path == NULL) {
        fprintf(stderr, "sesame run: out of memory\n");
        return 125;
    }
    if (old != NULL && old[0] != '\0')
        snprintf(path, len, "%s:%s", dir, old);
    else
        snprintf(path, len, "%s", dir);
    if (setenv("LD_LIBRARY_PATH", path, 1) != 0) {
        fprintf(stderr, "sesame run: cannot set LD_LIBRARY_PATH: %s\n", strerror(errno));
        free(path);
        return 125;
    }
    free(path);

    fflush(NULL);
    execvp(prog, argv + first);
    /* Only reached when the program could not be started: answer as a shell
     * does (127 not found, 126 found but not runnable). */
    int e = errno;
    if (e == ENOENT && strchr(prog, '/') == NULL)
        fprintf(stderr, "sesame run: %s: command not found\n", prog);
    else
        fprintf(stderr, "sesame run: %s: %s\n", prog, strerror(e));
    return e == ENOENT || e == ENOTDIR ? 127 : 126;
}
