// SHA-256 over OpenSSL 3's EVP API, for the verified-token cache's keys (a token is remembered by
// its digest, not its text).
#include "CStytchShims.h"

#include <pthread.h>
#include <openssl/err.h>
#include <openssl/evp.h>

/// SHA-256 from the default provider, fetched once for the process (an implicit fetch by
/// `EVP_sha256()` on every call costs about a fifth of a 1.4 KB digest).
static EVP_MD *stytch_digest_sha256;
static pthread_once_t stytch_digest_sha256_once = PTHREAD_ONCE_INIT;
static void stytch_digest_sha256_fetch(void) { stytch_digest_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL); }

int stytch_sha256_digest(const uint8_t *message, size_t message_len, uint8_t *digest, size_t digest_capacity) {
    if (digest == NULL || digest_capacity < STYTCH_SHA256_DIGEST_LENGTH) return -1;
    if (message == NULL && message_len != 0) return -1;
    pthread_once(&stytch_digest_sha256_once, stytch_digest_sha256_fetch);
    const EVP_MD *md = stytch_digest_sha256 != NULL ? stytch_digest_sha256 : EVP_sha256();
    // A failure leaves nothing on the thread's OpenSSL error queue (the caller only needs to know
    // that no digest was made; the next OpenSSL call must not find a stale error).
    if (md == NULL || EVP_MD_get_size(md) != STYTCH_SHA256_DIGEST_LENGTH) {
        ERR_clear_error();
        return -1;
    }
    static const uint8_t empty = 0;
    unsigned int written = 0;
    if (EVP_Digest(message != NULL ? message : &empty, message_len, digest, &written, md, NULL) != 1) {
        ERR_clear_error();
        return -1;
    }
    return written == STYTCH_SHA256_DIGEST_LENGTH ? 0 : -1;
}
