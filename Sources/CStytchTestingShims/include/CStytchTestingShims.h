// Test-only C: RSA key generation, PEM private keys and RS256 signing for StytchJWTTesting, the
// product users' tests (and this package's) sign tokens with. Production modules never link it.
#ifndef STYTCH_TESTING_SHIMS_H
#define STYTCH_TESTING_SHIMS_H

#include <stddef.h>
#include <stdint.h>

/// An RSA private key. Opaque.
typedef struct stytch_testing_rsa_key stytch_testing_rsa_key;

/// Generates a key pair of `bits` bits (1024 to 16384) with public exponent `exponent`. NULL on failure.
stytch_testing_rsa_key *stytch_testing_rsa_generate(unsigned int bits, unsigned long exponent);

/// Reads a PEM private key (PKCS#8 or traditional) of `length` bytes. NULL on failure.
stytch_testing_rsa_key *stytch_testing_rsa_from_pem(const char *pem, size_t length);

/// Frees the key. NULL is ignored.
void stytch_testing_rsa_free(stytch_testing_rsa_key *key);

/// Writes one RSA component (`"n"` or `"e"`) big-endian into `out` of `capacity` bytes.
/// Returns the number of bytes written, or -1 (nothing written) when it does not fit or fails.
int stytch_testing_rsa_component(const stytch_testing_rsa_key *key, const char *name, uint8_t *out, size_t capacity);

/// The signature size of the key in bytes.
int stytch_testing_rsa_signature_size(const stytch_testing_rsa_key *key);

/// Signs `message` with RSASSA-PKCS1-v1_5 SHA-256 into `signature` of `capacity` bytes.
/// Returns the signature length, or -1 (on failure or when it does not fit).
int stytch_testing_rs256_sign(
    const stytch_testing_rsa_key *key,
    const uint8_t *message, size_t message_len,
    uint8_t *signature, size_t capacity);

/// Pops and discards this thread's OpenSSL errors.
void stytch_testing_clear_errors(void);

#endif
