/* control.h - for unit tests that are also built against the system libssl
 * (a line "ctest-control: openssl" in the test; tests/CMakeLists.txt builds
 * it a second time, linked with the system libssl, as unit.<name>.openssl,
 * with SESAME_CONTROL_OPENSSL defined).  CONTROL_RUN() in TEST_MAIN checks,
 * in that build only, that the process really mapped the system libssl.so.3.
 * Include after testutil.h. */
#ifndef SESAME_TESTS_CONTROL_H
#define SESAME_TESTS_CONTROL_H

#include <limits.h>
#include <stdlib.h>

#ifdef SESAME_CONTROL_OPENSSL
/* The control build must run on the system libssl: the path of the
 * libssl.so.3 this process mapped, from /proc/self/maps. */
static void test_control_maps_system_libssl(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    REQUIRE(f != NULL);
    char line[512], path[512] = "";
    while (path[0] == 0 && fgets(line, sizeof(line), f) != NULL) {
        char *p = strchr(line, '/');
        if (p != NULL && strstr(p, "/libssl.so.3") != NULL) {
            snprintf(path, sizeof(path), "%s", p);
            path[strcspn(path, "\n")] = 0;
        }
    }
    fclose(f);
    char real[512];
    REQUIRE(path[0] != 0 && realpath(path, real) != NULL);
    fprintf(stderr, "  control: libssl mapped from %s\n", real);
    CHECK(strncmp(real, "/usr/lib/", 9) == 0 || strncmp(real, "/lib/", 5) == 0);
    CHECK(strstr(real, "sesame") == NULL && strstr(real, "/build") == NULL);
}
#define CONTROL_RUN() RUN(test_control_maps_system_libssl)
#else
#define CONTROL_RUN() ((void)0)
#endif

#endif
