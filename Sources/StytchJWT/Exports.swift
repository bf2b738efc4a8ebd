// The umbrella: one import gives the whole library. The offline core (verifier, keys, claims,
// authenticate responses, the HTTP pipeline), remote keys (the JWKS cache) and Stytch's API
// (refresh, RBAC) are also products of their own for users who want less.
@_exported public import StytchJWTCore
@_exported public import StytchJWKS
@_exported public import StytchB2BAPI
