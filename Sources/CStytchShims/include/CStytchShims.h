// The project's C shims: OpenSSL 3 EVP adapted to Swift-friendly signatures (rs256.c), and the
// vectorised byte routines of the token reader (base64url.c, stytch_vector.h).
//
// Rules: every type Swift sees is opaque; every function that writes a buffer takes its capacity
// and checks it; no function trusts its caller for a bound; nothing here is test code.
#ifndef STYTCH_SHIMS_H
#define STYTCH_SHIMS_H

#include <stddef.h>
#include <stdint.h>

#include "stytch_vector.h"

/// An RSA public key prepared for RS256 verification: the OpenSSL key, a verify context set up
/// once (RSASSA-PKCS1-v1_5, SHA-256), and a small pool of per-call contexts. Opaque.
typedef struct stytch_rs256_key stytch_rs256_key;

/// Builds a key from big-endian modulus and exponent bytes and prepares it for RS256.
/// Returns NULL on failure (the OpenSSL error queue says why). Free with `stytch_rs256_key_free`.
stytch_rs256_key *stytch_rs256_key_new(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len);

/// Frees the key and its contexts. No verification may be running. NULL is ignored.
void stytch_rs256_key_free(stytch_rs256_key *key);

/// The modulus size in bits, or a value <= 0 on failure.
int stytch_rs256_key_bits(const stytch_rs256_key *key);

/// Verifies an RS256 signature over `message`. Returns 1 when valid, 0 when not, a negative value
/// when OpenSSL failed or an argument is unusable. Safe from many threads at once on one key.
int stytch_rs256_verify(
    stytch_rs256_key *key,
    const uint8_t *signature, size_t signature_len,
    const uint8_t *message, size_t message_len);

/// The length of a SHA-256 digest in bytes.
#define STYTCH_SHA256_DIGEST_LENGTH 32

/// Writes the SHA-256 digest of `message` (`message_len` bytes) into `digest`, which holds
/// `digest_capacity` bytes (at least STYTCH_SHA256_DIGEST_LENGTH). Returns 0, or -1 (the digest
/// bytes are then meaningless) when an argument is unusable or OpenSSL failed (sha256.c).
int stytch_sha256_digest(const uint8_t *message, size_t message_len, uint8_t *digest, size_t digest_capacity);

/// Pops the oldest error on this thread's OpenSSL error queue (0 when empty).
unsigned long stytch_error_pop(void);

/// Writes a NUL-terminated description of an OpenSSL error code into `buffer` of `capacity`
/// bytes. Returns 0, or -1 (nothing written) when `buffer` is NULL or `capacity` is 0.
int stytch_error_describe(unsigned long code, char *buffer, size_t capacity);

#endif
