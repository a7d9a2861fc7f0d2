/* sesame's own API for the fleet session store (include/sesame.h), exported
 * as SESAME_1; the store itself is session/store*.c. */
#include "internal.h"

#pragma GCC visibility push(default)
#include "sesame.h"
#pragma GCC visibility pop

#include "api/session_hooks.h"

enum { STORE_HITS, STORE_MISSES, STORE_ERRORS, STORE_TIMEOUTS }; /* session/store.h */

int sesame_CTX_set_session_store(SSL_CTX *ctx, const char *url)
{
    if (ctx == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
        return 0;
    }
    return sess_store_attach(ctx, url);
}

const char *sesame_CTX_get_session_store(const SSL_CTX *ctx)
{
    return ctx != NULL ? sess_store_url(ctx) : NULL;
}

long sesame_CTX_sess_store_hits(const SSL_CTX *ctx)
{
    return ctx != NULL ? sess_store_counter(ctx, STORE_HITS) : 0;
}

long sesame_CTX_sess_store_misses(const SSL_CTX *ctx)
{
    return ctx != NULL ? sess_store_counter(ctx, STORE_MISSES) : 0;
}

long sesame_CTX_sess_store_errors(const SSL_CTX *ctx)
{
    return ctx != NULL ? sess_store_counter(ctx, STORE_ERRORS) : 0;
}

long sesame_CTX_sess_store_timeouts(const SSL_CTX *ctx)
{
    return ctx != NULL ? sess_store_counter(ctx, STORE_TIMEOUTS) : 0;
}
