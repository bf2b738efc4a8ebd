// The project's only C: small static inline helpers over OpenSSL 3's EVP API that give Swift
// plain signatures. No deprecated RSA_* calls; every function leaves ownership rules explicit.
#ifndef STYTCH_COPENSSL_SHIM_H
#define STYTCH_COPENSSL_SHIM_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

/// Fetches SHA-256 from the default provider once. The caller keeps it for the process lifetime.
static inline EVP_MD *stytch_sha256_fetch(void) {
    return EVP_MD_fetch(NULL, "SHA256", NULL);
}

/// Builds an RSA public key from big-endian modulus and exponent bytes.
/// Returns NULL on failure (the OpenSSL error queue says why). The caller owns the key.
static inline EVP_PKEY *stytch_rsa_public_key_from_components(
    const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len
) {
    EVP_PKEY *pkey = NULL;
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;

    if (n_len == 0 || e_len == 0 || n_len > INT_MAX || e_len > INT_MAX) return NULL;
    bn_n = BN_bin2bn(n, (int)n_len, NULL);
    bn_e = BN_bin2bn(e, (int)e_len, NULL);
    bld = OSSL_PARAM_BLD_new();
    if (bn_n == NULL || bn_e == NULL || bld == NULL) goto done;
    if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n)) goto done;
    if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e)) goto done;
    params = OSSL_PARAM_BLD_to_param(bld);
    if (params == NULL) goto done;
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0) goto done;
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) pkey = NULL;
done:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_e);
    BN_free(bn_n);
    return pkey;
}

/// The key size in bits (the modulus length for RSA), or a value <= 0 on failure.
static inline int stytch_pkey_bits(const EVP_PKEY *pkey) {
    return EVP_PKEY_get_bits(pkey);
}

/// A digest-verify context initialised once for RSASSA-PKCS1-v1_5 with SHA-256 over `pkey`.
/// Verifications duplicate it rather than initialise a new one. The caller owns the context.
static inline EVP_MD_CTX *stytch_rs256_prepare(EVP_PKEY *pkey, const EVP_MD *sha256) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    if (ctx == NULL) return NULL;
    if (EVP_DigestVerifyInit(ctx, &pctx, sha256, NULL, pkey) != 1
        || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/// Verifies an RS256 signature with a copy of a prepared context. Returns 1 when the signature
/// is valid, 0 when it is not, and a negative value when OpenSSL failed. `prepared` is only read,
/// so many threads may verify with the same prepared context at once.
static inline int stytch_rs256_verify(
    const EVP_MD_CTX *prepared,
    const uint8_t *signature, size_t signature_len,
    const uint8_t *message, size_t message_len
) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = -1;
    if (ctx == NULL) return -1;
    if (EVP_MD_CTX_copy_ex(ctx, prepared) == 1) {
        rc = EVP_DigestVerify(ctx, signature, signature_len, message, message_len);
    }
    EVP_MD_CTX_free(ctx);
    return rc;
}

/// Pops the oldest error on this thread's OpenSSL error queue (0 when empty).
static inline unsigned long stytch_error_pop(void) {
    return ERR_get_error();
}

/// Writes a readable description of an OpenSSL error code into `buffer` (NUL-terminated).
static inline void stytch_error_describe(unsigned long code, char *buffer, size_t length) {
    ERR_error_string_n(code, buffer, length);
}

// MARK: - Test-only helpers: signing and key generation for fixtures and tests, never used to verify.

/// Generates an RSA key pair of `bits` bits with public exponent `exponent`. Caller owns it.
static inline EVP_PKEY *stytch_testing_rsa_generate(unsigned int bits, unsigned long exponent) {
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    BIGNUM *e = BN_new();
    if (ctx == NULL || e == NULL || BN_set_word(e, exponent) != 1) goto done;
    if (EVP_PKEY_keygen_init(ctx) <= 0) goto done;
    if (EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) <= 0) goto done;
    if (EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) <= 0) goto done;
    if (EVP_PKEY_generate(ctx, &pkey) <= 0) pkey = NULL;
done:
    BN_free(e);
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

/// Reads a PEM private key (PKCS#8 or traditional). Caller owns it.
static inline EVP_PKEY *stytch_testing_private_key_from_pem(const char *pem, size_t length) {
    EVP_PKEY *pkey = NULL;
    BIO *bio = NULL;
    if (length > INT_MAX) return NULL;
    bio = BIO_new_mem_buf(pem, (int)length);
    if (bio == NULL) return NULL;
    pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    return pkey;
}

/// Writes one RSA component (`"n"` or `"e"`) big-endian into `out` (capacity `capacity`).
/// Returns the number of bytes written, or a negative value on failure.
static inline int stytch_testing_rsa_component(
    const EVP_PKEY *pkey, const char *name, uint8_t *out, size_t capacity
) {
    BIGNUM *bn = NULL;
    int written = -1;
    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) return -1;
    if ((size_t)BN_num_bytes(bn) <= capacity) written = BN_bn2bin(bn, out);
    BN_free(bn);
    return written;
}

/// Signs `message` with RSASSA-PKCS1-v1_5 SHA-256. `signature` must hold EVP_PKEY_get_size bytes;
/// `*signature_len` is its capacity on entry and the signature length on return. Returns 1 on success.
static inline int stytch_testing_rs256_sign(
    EVP_PKEY *pkey, const EVP_MD *sha256,
    const uint8_t *message, size_t message_len,
    uint8_t *signature, size_t *signature_len
) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int rc = 0;
    if (ctx == NULL) return 0;
    if (EVP_DigestSignInit(ctx, &pctx, sha256, NULL, pkey) == 1
        && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1) {
        rc = EVP_DigestSign(ctx, signature, signature_len, message, message_len) == 1;
    }
    EVP_MD_CTX_free(ctx);
    return rc;
}

/// The maximum signature size for `pkey` in bytes.
static inline int stytch_pkey_size(const EVP_PKEY *pkey) {
    return EVP_PKEY_get_size(pkey);
}

#endif
