/* See str_token.h. */
#include <string.h>

#include "base/str_token.h"

int str_next_token(const char **p, const char *seps, char *buf, size_t cap)
{
    const char *s = *p;
    while (*s && strchr(seps, *s))
        s++;
    if (!*s || cap < 2)
        return 0;
    size_t n = strcspn(s, seps);
    if (n >= cap) {
        buf[0] = '\x01'; /* matches nothing */
        buf[1] = '\0';
    } else {
        memcpy(buf, s, n);
        buf[n] = '\0';
    }
    *p = s + n;
    return 1;
}
