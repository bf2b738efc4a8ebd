// RS256 verification over OpenSSL 3's EVP API. No deprecated RSA_* calls, no padding parsed here:
// OpenSSL decrypts the signature, checks the PKCS#1 v1.5 padding and the SHA-256 DigestInfo.
#include "CStytchShims.h"

#include <limits.h>
#include <pthread.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

/// How many idle verification contexts a key keeps for reuse (more concurrent verifications still
/// work: the extra contexts are made on demand and freed afterwards).
#define STYTCH_RS256_POOL_CAPACITY 16

struct stytch_rs256_key {
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *prepared;      /* verify_init + PKCS#1 v1.5 padding + SHA-256; only duplicated */
    pthread_mutex_t lock;        /* guards the pool's slots; never held while OpenSSL works */
    int idle;                    /* number of filled slots */
    EVP_PKEY_CTX *idle_verify[STYTCH_RS256_POOL_CAPACITY];
    EVP_MD_CTX *idle_digest[STYTCH_RS256_POOL_CAPACITY];
};

/// SHA-256 from the default provider, fetched once for the process.
static EVP_MD *stytch_sha256;
static pthread_once_t stytch_sha256_once = PTHREAD_ONCE_INIT;
static void stytch_sha256_fetch(void) { stytch_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL); }

static EVP_PKEY *rsa_public_key_from_components(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len) {
    EVP_PKEY *pkey = NULL;
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;

    if (n == NULL || e == NULL || n_len == 0 || e_len == 0 || n_len > INT_MAX || e_len > INT_MAX) return NULL;
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

stytch_rs256_key *stytch_rs256_key_new(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len) {
    stytch_rs256_key *key = NULL;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *pctx = NULL;

    pthread_once(&stytch_sha256_once, stytch_sha256_fetch);
    if (stytch_sha256 == NULL) return NULL;
    pkey = rsa_public_key_from_components(n, n_len, e, e_len);
    if (pkey == NULL) return NULL;
    key = (stytch_rs256_key *)OPENSSL_zalloc(sizeof(stytch_rs256_key));
    pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (key == NULL || pctx == NULL
        || EVP_PKEY_verify_init(pctx) != 1
        || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1
        || EVP_PKEY_CTX_set_signature_md(pctx, stytch_sha256) != 1
        || pthread_mutex_init(&key->lock, NULL) != 0) {
        EVP_PKEY_CTX_free(pctx);
        EVP_PKEY_free(pkey);
        OPENSSL_free(key);
        return NULL;
    }
    key->pkey = pkey;
    key->prepared = pctx;
    return key;
}

void stytch_rs256_key_free(stytch_rs256_key *key) {
    if (key == NULL) return;
    for (int i = 0; i < key->idle; i++) {
        EVP_PKEY_CTX_free(key->idle_verify[i]);
        EVP_MD_CTX_free(key->idle_digest[i]);
    }
    EVP_PKEY_CTX_free(key->prepared);
    EVP_PKEY_free(key->pkey);
    pthread_mutex_destroy(&key->lock);
    OPENSSL_free(key);
}

int stytch_rs256_key_bits(const stytch_rs256_key *key) {
    if (key == NULL) return -1;
    return EVP_PKEY_get_bits(key->pkey);
}

int stytch_rs256_verify(
    stytch_rs256_key *key,
    const uint8_t *signature, size_t signature_len,
    const uint8_t *message, size_t message_len
) {
    EVP_PKEY_CTX *pctx = NULL;
    EVP_MD_CTX *mdctx = NULL;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    int rc = -1;

    if (key == NULL || (signature == NULL && signature_len != 0) || (message == NULL && message_len != 0)) return -1;
    if (pthread_mutex_lock(&key->lock) != 0) return -1;
    if (key->idle > 0) {
        key->idle -= 1;
        pctx = key->idle_verify[key->idle];
        mdctx = key->idle_digest[key->idle];
        key->idle_verify[key->idle] = NULL;
        key->idle_digest[key->idle] = NULL;
    }
    pthread_mutex_unlock(&key->lock);
    if (pctx == NULL) {
        pctx = EVP_PKEY_CTX_dup(key->prepared);
        mdctx = EVP_MD_CTX_new();
        if (pctx == NULL || mdctx == NULL) {
            EVP_PKEY_CTX_free(pctx);
            EVP_MD_CTX_free(mdctx);
            return -1;
        }
    }

    if (EVP_DigestInit_ex2(mdctx, stytch_sha256, NULL) == 1
        && EVP_DigestUpdate(mdctx, message, message_len) == 1
        && EVP_DigestFinal_ex(mdctx, digest, &digest_len) == 1) {
        rc = EVP_PKEY_verify(pctx, signature, signature_len, digest, digest_len);
    }

    if (rc >= 0 && pthread_mutex_lock(&key->lock) == 0) {
        if (key->idle < STYTCH_RS256_POOL_CAPACITY) {
            key->idle_verify[key->idle] = pctx;
            key->idle_digest[key->idle] = mdctx;
            key->idle += 1;
            pctx = NULL;
            mdctx = NULL;
        }
        pthread_mutex_unlock(&key->lock);
    }
    /* Not returned to the pool (full, or OpenSSL failed and the contexts' state is unknown). */
    EVP_PKEY_CTX_free(pctx);
    EVP_MD_CTX_free(mdctx);
    return rc;
}

unsigned long stytch_error_pop(void) {
    return ERR_get_error();
}

int stytch_error_describe(unsigned long code, char *buffer, size_t capacity) {
    if (buffer == NULL || capacity == 0) return -1;
    ERR_error_string_n(code, buffer, capacity);
    return 0;
}
