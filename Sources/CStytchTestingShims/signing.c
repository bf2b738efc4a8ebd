#include "CStytchTestingShims.h"

#include <limits.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

struct stytch_testing_rsa_key {
    EVP_PKEY *pkey;
};

static stytch_testing_rsa_key *wrap(EVP_PKEY *pkey) {
    stytch_testing_rsa_key *key;
    if (pkey == NULL) return NULL;
    key = (stytch_testing_rsa_key *)OPENSSL_zalloc(sizeof(stytch_testing_rsa_key));
    if (key == NULL) { EVP_PKEY_free(pkey); return NULL; }
    key->pkey = pkey;
    return key;
}

stytch_testing_rsa_key *stytch_testing_rsa_generate(unsigned int bits, unsigned long exponent) {
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    BIGNUM *e = NULL;
    if (bits < 1024 || bits > 16384) return NULL;
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    e = BN_new();
    if (ctx == NULL || e == NULL || BN_set_word(e, exponent) != 1) goto done;
    if (EVP_PKEY_keygen_init(ctx) <= 0) goto done;
    if (EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) <= 0) goto done;
    if (EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) <= 0) goto done;
    if (EVP_PKEY_generate(ctx, &pkey) <= 0) pkey = NULL;
done:
    BN_free(e);
    EVP_PKEY_CTX_free(ctx);
    return wrap(pkey);
}

stytch_testing_rsa_key *stytch_testing_rsa_from_pem(const char *pem, size_t length) {
    EVP_PKEY *pkey = NULL;
    BIO *bio = NULL;
    if (pem == NULL || length == 0 || length > INT_MAX) return NULL;
    bio = BIO_new_mem_buf(pem, (int)length);
    if (bio == NULL) return NULL;
    pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (pkey != NULL && EVP_PKEY_is_a(pkey, "RSA") != 1) { EVP_PKEY_free(pkey); pkey = NULL; }
    return wrap(pkey);
}

void stytch_testing_rsa_free(stytch_testing_rsa_key *key) {
    if (key == NULL) return;
    EVP_PKEY_free(key->pkey);
    OPENSSL_free(key);
}

int stytch_testing_rsa_component(const stytch_testing_rsa_key *key, const char *name, uint8_t *out, size_t capacity) {
    BIGNUM *bn = NULL;
    int written = -1;
    if (key == NULL || name == NULL || out == NULL) return -1;
    if (EVP_PKEY_get_bn_param(key->pkey, name, &bn) != 1) return -1;
    if ((size_t)BN_num_bytes(bn) <= capacity) written = BN_bn2bin(bn, out);
    BN_free(bn);
    return written;
}

int stytch_testing_rsa_signature_size(const stytch_testing_rsa_key *key) {
    if (key == NULL) return -1;
    return EVP_PKEY_get_size(key->pkey);
}

int stytch_testing_rs256_sign(
    const stytch_testing_rsa_key *key,
    const uint8_t *message, size_t message_len,
    uint8_t *signature, size_t capacity
) {
    EVP_MD_CTX *ctx = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    size_t length = capacity;
    int rc = -1;
    if (key == NULL || signature == NULL || (message == NULL && message_len != 0)) return -1;
    if (EVP_PKEY_get_size(key->pkey) <= 0 || (size_t)EVP_PKEY_get_size(key->pkey) > capacity || capacity > INT_MAX) return -1;
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return -1;
    if (EVP_DigestSignInit_ex(ctx, &pctx, "SHA256", NULL, NULL, key->pkey, NULL) == 1
        && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
        && EVP_DigestSign(ctx, signature, &length, message, message_len) == 1) {
        rc = (int)length;
    }
    EVP_MD_CTX_free(ctx);
    return rc;
}

void stytch_testing_clear_errors(void) {
    ERR_clear_error();
}
