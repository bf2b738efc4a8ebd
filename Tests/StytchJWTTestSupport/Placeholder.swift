// The loopback JWKS server for tests lives here.
