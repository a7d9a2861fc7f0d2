/* See clock.h. */
#include <stdatomic.h>
#include <time.h>

#include "base/clock.h"

static uint64_t (*_Atomic test_clock)(void);

void sesame_set_clock_for_test(uint64_t (*now_ms)(void))
{
    atomic_store(&test_clock, now_ms);
}

uint64_t sesame_now_ms(void)
{
    uint64_t (*f)(void) = atomic_load_explicit(&test_clock, memory_order_relaxed);
    if (f != NULL)
        return f();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
