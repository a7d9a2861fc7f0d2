/* Public random bytes (ClientHello/ServerHello randoms, session ids, ticket
 * nonces) from a small per-thread buffer refilled by RAND_bytes.
 *
 * OpenSSL 3.0's RAND_bytes costs about 1 us a call whatever the length up
 * to a few hundred bytes (the DRBG lookup, its lock, parameter handling and
 * a getpid system call), about as much as the PRF of a resumed TLS 1.2
 * handshake; a handshake asks for 32 bytes two or three times.  The buffer
 * takes 1 KB at a time.  Only values that go to the peer in the clear come
 * from here: keys and other secrets use RAND_priv_bytes directly.
 *
 * Fork safety: a child process must never hand out the bytes its parent
 * also holds.  A pthread_atfork child handler (registered on first use)
 * advances a generation number, and a thread's buffer from an older
 * generation is wiped and refilled.  Bytes are wiped from the buffer as
 * they are handed out, and the rest when the thread exits. */
#ifndef SESAME_BASE_RANDOM_H
#define SESAME_BASE_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

/* rand_public: |len| random bytes into |out|; 1 on success, 0 (with
 * libcrypto's error pushed) on failure, as RAND_bytes. */
int rand_public(uint8_t *out, size_t len) WUR;

/* rand_public_drop_for_test: every thread's buffered bytes are dropped (as
 * after a fork), so a test that makes libcrypto's randomness repeatable
 * gets the same bytes from rand_public again. */
void rand_public_drop_for_test(void);

#endif
