/* See once.h. */
#include "base/once.h"

static _Thread_local int tl_running;

int sesame_once_running(void)
{
    return tl_running > 0;
}

int sesame_once(SESAME_ONCE *once, int (*init)(void *arg), void *arg)
{
    /* acquire: pairs with the release below, so whatever |init| wrote is
     * visible to every thread that sees |done| set */
    if (atomic_load_explicit(&once->done, memory_order_acquire))
        return 1;
    if (pthread_mutex_lock(&once->lock) != 0)
        return 0;
    int ok = atomic_load_explicit(&once->done, memory_order_relaxed);
    if (!ok) {
        tl_running++;
        ok = init(arg) == 1;
        tl_running--;
        if (ok)
            atomic_store_explicit(&once->done, 1, memory_order_release);
    }
    pthread_mutex_unlock(&once->lock);
    return ok;
}
