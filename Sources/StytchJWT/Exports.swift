// One import gives the whole verifier API: keys, key sets and the error type live in StytchJWKS.
@_exported public import StytchJWKS
