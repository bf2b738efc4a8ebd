#!/usr/bin/env python3
"""Writes COUNT distinct Stytch-shaped B2B session JWTs of exactly LENGTH bytes (default 1,434), one
per line, issued now, for the HTTP load benchmark (run-http-benchmark.sh) and the token-cache
memory measurement.

Each token has the claims of `Fixtures/session.jwt` (project, issuer, audience, organization, roles,
one password factor, its custom claim when the length allows) with `iat` = `nbf` = now, a member ID and member session ID
numbered by line (so every token is a different member's, as in real traffic), the organization
slug padded so the token has exactly LENGTH bytes, and RS256 by the test-only demo key
(`Keys/TEST-ONLY-demo-signing-key.pem`, kid of `Keys/demo-jwks.json`). `exp` is `iat` + LIFETIME
seconds (default 3,600 rather than Stytch's 300, so a long benchmark does not outlive its tokens; the
token's size does not change). Needs Python's `cryptography` package (Debian: python3-cryptography).

    python3 Benchmarks/http/make-http-tokens.py 40000 /tmp/tokens.txt [LENGTH] [LIFETIME]
"""
import base64
import json
import os
import sys
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def main() -> None:
    if len(sys.argv) not in (3, 4, 5):
        sys.exit("usage: make-http-tokens.py COUNT OUTPUT [LENGTH] [LIFETIME]")
    count, output = int(sys.argv[1]), sys.argv[2]
    length = int(sys.argv[3]) if len(sys.argv) > 3 else 1434
    lifetime = int(sys.argv[4]) if len(sys.argv) > 4 else 3600
    with open(os.path.join(ROOT, "Keys/TEST-ONLY-demo-signing-key.pem"), "rb") as handle:
        key = serialization.load_pem_private_key(handle.read(), password=None)
    with open(os.path.join(ROOT, "Fixtures/session.jwt")) as handle:
        header_segment, payload_segment, _ = handle.read().strip().split(".")
    template = json.loads(b64url_decode(payload_segment))
    now = int(time.time())
    template["iat"] = template["nbf"] = now
    template["exp"] = now + lifetime
    session = template["https://stytch.com/session"]
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    session["started_at"] = session["last_accessed_at"] = stamp
    session["expires_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 7200))
    session["authentication_factors"][0]["last_authenticated_at"] = stamp
    member, session_id = template["sub"], session["id"]

    organization = template["https://stytch.com/organization"]
    slug = organization["slug"]

    def payload(n: int, shape: tuple) -> str:
        keep_custom, pad = shape
        template["sub"] = member[:-12] + "%012d" % n
        session["id"] = session_id[:-12] + "%012d" % n
        organization["slug"] = slug + "x" * pad
        if not keep_custom:
            template.pop("my_custom_claim", None)
        return b64url(json.dumps(template, separators=(",", ":")).encode())

    # The signature segment is 342 characters for a 2048-bit key. The organization slug is padded
    # so the token has exactly `length` bytes (base64url grows by 4 characters per 3 bytes, so every
    # padding from 0 up is tried); a length shorter than the fixture's drops its custom claim.
    signature_length = 342
    shapes = [(keep, pad) for keep in (True, False) for pad in range(0, 4096)]
    shape = next((s for s in shapes if len(header_segment) + 1 + len(payload(0, s)) + 1 + signature_length == length), None)
    if shape is None:
        sys.exit(f"no padding makes a {length}-byte token")
    with open(output, "w") as out:
        for n in range(count):
            signing_input = header_segment + "." + payload(n, shape)
            signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
            token = signing_input + "." + b64url(signature)
            assert len(token) == length
            out.write(token + "\n")


if __name__ == "__main__":
    main()
