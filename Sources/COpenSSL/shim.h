// The project's only C: small static inline helpers over OpenSSL 3's EVP API that give Swift
// plain signatures. No deprecated RSA_* calls; every function leaves ownership rules explicit.
#ifndef STYTCH_COPENSSL_SHIM_H
#define STYTCH_COPENSSL_SHIM_H

#include <limits.h>
#include <pthread.h>
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

/// How many idle verification contexts a key keeps for reuse (more concurrent verifications than
/// this still work: the extra contexts are made on demand and freed afterwards).
#define STYTCH_RS256_POOL_CAPACITY 16

/// RS256 verification state for one public key: a verify context prepared once (RSASSA-PKCS1-v1_5,
/// signature digest SHA-256) and a small pool of idle per-call contexts behind a mutex.
///
/// A verification takes a context pair from the pool (or duplicates the prepared one when the
/// pool is empty), uses it on this thread only, and gives it back, so no OpenSSL context is ever
/// used by two threads at once and a warm verification allocates no context. The mutex guards only
/// the pool's slots; it is never held while OpenSSL works.
typedef struct stytch_rs256_verifier {
    EVP_PKEY_CTX *prepared;      /* EVP_PKEY_verify_init + PKCS#1 v1.5 padding + SHA-256; only duplicated */
    const EVP_MD *sha256;
    pthread_mutex_t lock;
    int idle;                    /* number of filled slots */
    EVP_PKEY_CTX *idle_verify[STYTCH_RS256_POOL_CAPACITY];
    EVP_MD_CTX *idle_digest[STYTCH_RS256_POOL_CAPACITY];
} stytch_rs256_verifier;

/// Prepares RS256 verification with `pkey` (which the verifier references; the caller keeps its
/// own reference too). Returns NULL on failure. Free with `stytch_rs256_verifier_free`.
static inline stytch_rs256_verifier *stytch_rs256_verifier_new(EVP_PKEY *pkey, const EVP_MD *sha256) {
    stytch_rs256_verifier *verifier = (stytch_rs256_verifier *)OPENSSL_zalloc(sizeof(stytch_rs256_verifier));
    EVP_PKEY_CTX *pctx = NULL;
    if (verifier == NULL) return NULL;
    pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (pctx == NULL
        || EVP_PKEY_verify_init(pctx) != 1
        || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1
        || EVP_PKEY_CTX_set_signature_md(pctx, sha256) != 1
        || pthread_mutex_init(&verifier->lock, NULL) != 0) {
        EVP_PKEY_CTX_free(pctx);
        OPENSSL_free(verifier);
        return NULL;
    }
    verifier->prepared = pctx;
    verifier->sha256 = sha256;
    return verifier;
}

/// Frees the verifier, its prepared context and every idle context. No verification may be running.
static inline void stytch_rs256_verifier_free(stytch_rs256_verifier *verifier) {
    if (verifier == NULL) return;
    for (int i = 0; i < verifier->idle; i++) {
        EVP_PKEY_CTX_free(verifier->idle_verify[i]);
        EVP_MD_CTX_free(verifier->idle_digest[i]);
    }
    EVP_PKEY_CTX_free(verifier->prepared);
    pthread_mutex_destroy(&verifier->lock);
    OPENSSL_free(verifier);
}

/// Verifies an RS256 signature: SHA-256 of `message`, then `EVP_PKEY_verify` on the digest, in
/// which OpenSSL decrypts the signature, checks the PKCS#1 v1.5 padding and the SHA-256 DigestInfo,
/// and compares the digest (the same provider routine `EVP_DigestVerify` ends in). Returns 1 when
/// the signature is valid, 0 when it is not, and a negative value when OpenSSL failed.
/// Safe to call from many threads at once with the same verifier.
static inline int stytch_rs256_verifier_verify(
    stytch_rs256_verifier *verifier,
    const uint8_t *signature, size_t signature_len,
    const uint8_t *message, size_t message_len
) {
    EVP_PKEY_CTX *pctx = NULL;
    EVP_MD_CTX *mdctx = NULL;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    int rc = -1;

    if (pthread_mutex_lock(&verifier->lock) != 0) return -1;
    if (verifier->idle > 0) {
        verifier->idle -= 1;
        pctx = verifier->idle_verify[verifier->idle];
        mdctx = verifier->idle_digest[verifier->idle];
        verifier->idle_verify[verifier->idle] = NULL;
        verifier->idle_digest[verifier->idle] = NULL;
    }
    pthread_mutex_unlock(&verifier->lock);
    if (pctx == NULL) {
        pctx = EVP_PKEY_CTX_dup(verifier->prepared);
        mdctx = EVP_MD_CTX_new();
        if (pctx == NULL || mdctx == NULL) {
            EVP_PKEY_CTX_free(pctx);
            EVP_MD_CTX_free(mdctx);
            return -1;
        }
    }

    if (EVP_DigestInit_ex2(mdctx, verifier->sha256, NULL) == 1
        && EVP_DigestUpdate(mdctx, message, message_len) == 1
        && EVP_DigestFinal_ex(mdctx, digest, &digest_len) == 1) {
        rc = EVP_PKEY_verify(pctx, signature, signature_len, digest, digest_len);
    }

    if (rc >= 0 && pthread_mutex_lock(&verifier->lock) == 0) {
        if (verifier->idle < STYTCH_RS256_POOL_CAPACITY) {
            verifier->idle_verify[verifier->idle] = pctx;
            verifier->idle_digest[verifier->idle] = mdctx;
            verifier->idle += 1;
            pctx = NULL;
            mdctx = NULL;
        }
        pthread_mutex_unlock(&verifier->lock);
    }
    /* Not returned to the pool (full, or OpenSSL failed and the contexts' state is unknown). */
    EVP_PKEY_CTX_free(pctx);
    EVP_MD_CTX_free(mdctx);
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
