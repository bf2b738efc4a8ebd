// The system OpenSSL 3 headers, for the C shim targets. No code lives here: every function over
// OpenSSL is in Sources/CStytchShims (or, for test signing, Sources/CStytchTestingShims).
#ifndef STYTCH_COPENSSL_H
#define STYTCH_COPENSSL_H
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#endif
