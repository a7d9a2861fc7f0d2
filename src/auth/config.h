/* The configuration an SSL_CTX holds and its SSLs copy (struct ssl_config,
 * internal.h): defaults, copies, and the copy-on-write of its shared part.
 *
 * The large part of a configuration (struct ssl_config_shared) is one
 * reference-counted block: SSL_new shares the context's block, and the
 * first writer on either side, the context or the SSL, gets a copy of its
 * own (cfg_shared_mut) before changing it.  Readers use c->sh (a pointer
 * to const).  A block whose mutable internals were handed out to the
 * application (SSL_CTX_get0_param, a chain stack) is marked escaped and no
 * longer shared: later SSLs get copies of it. */
#ifndef SESAME_AUTH_CONFIG_H
#define SESAME_AUTH_CONFIG_H

#include "internal.h"

/* cfg_init sets OpenSSL's defaults. Fails only on allocation. */
int cfg_init(struct ssl_config *c) WUR;
/* cfg_copy makes |dst| (uninitialised) a copy of |src|: the small settings
 * copied, the shared block shared (or copied if escaped).  On failure
 * |dst| needs no cfg_free. */
int cfg_copy(struct ssl_config *dst, const struct ssl_config *src) WUR;
/* cfg_free releases |c|'s reference to its block; safe on a zeroed config. */
void cfg_free(struct ssl_config *c);
/* cfg_shared_mut: |c|'s shared block, made |c|'s own first (copied) if
 * anyone else holds it, for writing.  NULL on allocation failure (error
 * raised), |c| unchanged. */
struct ssl_config_shared *cfg_shared_mut(struct ssl_config *c) WUR;
/* cfg_shared_escape: cfg_shared_mut, and marks the block so that it is
 * never shared again (the caller hands out a pointer into it). */
struct ssl_config_shared *cfg_shared_escape(struct ssl_config *c) WUR;
/* cfg_shared_is_own: 1 if |c| holds the only reference to its block (a
 * test aid: it tells whether an SSL got a copy of its own). */
int cfg_shared_is_own(const struct ssl_config *c);
/* cfg_rebuild_ciphers refreshes sh->cipher_stack from suites13 + suites12. */
int cfg_rebuild_ciphers(struct ssl_config_shared *sh) WUR;
/* cfg_cert_slot_free / cfg_cert_slot_copy: one CERT_SLOT. */
void cfg_cert_slot_free(CERT_SLOT *slot);
int cfg_cert_slot_copy(CERT_SLOT *dst, const CERT_SLOT *src) WUR;

#endif
