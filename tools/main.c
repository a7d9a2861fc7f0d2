/* sesame: the command-line front end; dispatches to the subcommands. */
#include "tools.h"

#include <signal.h>
#include <string.h>

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *what;
};

static const struct command commands[] = {
    {"s_server", cmd_s_server, "TLS server (openssl s_server compatible flags)"},
    {"s_client", cmd_s_client, "TLS client (openssl s_client compatible flags)"},
    {"sess_id", cmd_sess_id, "print a PEM SSL session"},
    {"demo", cmd_demo, "in-process TLS 1.3 handshake, tickets and resumption"},
    {"version", cmd_version, "print the version and the libssl.so.3 in use"},
    {"run", cmd_run, "run a program on this libssl.so.3 (LD_LIBRARY_PATH)"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: sesame COMMAND [options]\n\ncommands:\n");
    for (const struct command *c = commands; c->name != NULL; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->what);
    fprintf(f, "  %-10s %s\n", "help", "this text");
    fprintf(f, "\n'sesame COMMAND -help' lists a command's options.\n");
}

int main(int argc, char **argv)
{
    /* A peer closing early must not kill us while we write to it. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-help") == 0 ||
        strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return argc < 2 ? 1 : 0;
    }
    for (const struct command *c = commands; c->name != NULL; c++)
        if (strcmp(c->name, argv[1]) == 0)
            return c->fn(argc - 1, argv + 1);
    fprintf(stderr, "sesame: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 1;
}
