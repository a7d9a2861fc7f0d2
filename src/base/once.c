/* See once.h. */
#include "base/once.h"

int sesame_once(SESAME_ONCE *once, int (*init)(void *arg), void *arg)
{
    /* acquire: pairs with the release below, so whatever |init| wrote is
     * visible to every thread that sees |done| set */
    if (atomic_load_explicit(&once->done, memory_order_acquire))
        return 1;
    if (pthread_mutex_lock(&once->lock) != 0)
        return 0;
    int ok = atomic_load_explicit(&once->done, memory_order_relaxed);
    if (!ok && init(arg) == 1) {
        atomic_store_explicit(&once->done, 1, memory_order_release);
        ok = 1;
    }
    pthread_mutex_unlock(&once->lock);
    return ok;
}
