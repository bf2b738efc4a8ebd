// OpenSSL 3's EVP API as it is, for the benchmark's raw-OpenSSL row (the limit the verifier is
// compared with). Benchmarks only: the library's own C lives in Sources/COpenSSL.
#ifndef STYTCH_BENCH_OPENSSL_H
#define STYTCH_BENCH_OPENSSL_H

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#endif
