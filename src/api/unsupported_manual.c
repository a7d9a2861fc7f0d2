/* Hand-written stubs for exported OpenSSL names that tools/gen-unsupported.py
 * cannot generate: names the system libssl.so.3 exports that have no
 * prototype in any OpenSSL header (the generator reports them as
 * "NO PROTOTYPE").  They only need to exist so that programs binding with
 * -z now load; give each a plausible prototype, a comment saying where it
 * comes from, OpenSSL's failure value and ERR_raise(ERR_LIB_SSL,
 * ERR_R_UNSUPPORTED) unless it returns void.
 *
 * Mark each one with a comment line of the form
 *     @stub <name>: <failure value>
 * so that the generator lists it in docs/unsupported.md.  The generator
 * treats every function defined here as implemented and does not stub it
 * again in unsupported.c.
 *
 * As of this writing every missing name has a prototype in <openssl/ssl.h>
 * and friends, so there is nothing here yet.
 */
#include "internal.h"
