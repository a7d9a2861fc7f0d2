/* Once-only initialisations that may fail.
 *
 * pthread_once remembers a failed initialisation for the life of the
 * process: one allocation failure while fetching an algorithm, loading the
 * error strings or creating a thread key would then break every later
 * connection.  sesame_once instead runs the initialisation under a lock
 * until it reports success, and after that never again: the check is then
 * a single atomic load (acquire), with no lock.
 *
 * An initialisation function must leave nothing half done when it fails
 * (free what it made, or keep it where the next attempt finds it), and must
 * not call sesame_once on the same object (it would deadlock, as
 * pthread_once does). */
#ifndef SESAME_BASE_ONCE_H
#define SESAME_BASE_ONCE_H

#include <pthread.h>
#include <stdatomic.h>

typedef struct {
    atomic_int done; /* the initialisation succeeded */
    pthread_mutex_t lock;
} SESAME_ONCE;

#define SESAME_ONCE_INIT                                                                           \
    {                                                                                              \
        0, PTHREAD_MUTEX_INITIALIZER                                                               \
    }

/* sesame_once runs |init(arg)| unless a call on |once| succeeded before.
 * |init| returns 1 on success, anything else on failure.  Returns 1 when
 * the initialisation has succeeded (now or earlier; what it wrote is then
 * visible to the caller), 0 when it failed this time (the next call runs
 * it again). */
int sesame_once(SESAME_ONCE *once, int (*init)(void *arg), void *arg);

/* sesame_once_running: 1 while the calling thread runs an initialisation
 * (for tests: the allocation-failure sweep fails allocations made there). */
int sesame_once_running(void);

#endif
