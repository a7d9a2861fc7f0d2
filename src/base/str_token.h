/* Splitting configuration strings ("X25519:P-256", cipher lists) into tokens. */
#ifndef SESAME_BASE_STR_TOKEN_H
#define SESAME_BASE_STR_TOKEN_H

#include <stddef.h>

/* str_next_token copies the next element of *p separated by any of |seps|
 * into |buf| (|cap| bytes) and advances *p past it; 0 at the end.  An
 * element too long for |buf| comes out as a token that matches no name. */
int str_next_token(const char **p, const char *seps, char *buf, size_t cap);

#endif
