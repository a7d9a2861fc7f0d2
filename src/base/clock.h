/* The one clock of the library: sessions, tickets, ticket keys and the
 * handshake (ticket ages) all read it, so a test clock reaches them all. */
#ifndef SESAME_BASE_CLOCK_H
#define SESAME_BASE_CLOCK_H

#include <stdint.h>

/* sesame_now_ms: milliseconds since the epoch (CLOCK_REALTIME), or the test
 * clock when one is set. */
uint64_t sesame_now_ms(void);

/* sesame_set_clock_for_test replaces the clock for the whole process (NULL
 * restores the real one).  For tests and fuzzers only. */
void sesame_set_clock_for_test(uint64_t (*now_ms)(void));

#endif
