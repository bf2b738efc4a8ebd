#!/usr/bin/env python3
"""Writes N distinct session JWTs, one per line, for timing `stytch-jwt verify --batch`.

Each token is the fixture's header and claims (`Fixtures/session.jwt`) plus a distinct custom claim
`"n": <line number>`, signed RS256 with the test-only demo key (`Keys/TEST-ONLY-demo-signing-key.pem`),
so every one verifies against `Keys/demo-jwks.json` at `--now 1767225660` and none repeats (the
verified-token cache cannot help). Needs Python's `cryptography` package (Debian: python3-cryptography).

    python3 Benchmarks/make-batch-tokens.py 100000 /tmp/tokens.txt
"""
import base64
import json
import os
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: make-batch-tokens.py COUNT OUTPUT")
    count, output = int(sys.argv[1]), sys.argv[2]
    with open(os.path.join(ROOT, "Keys/TEST-ONLY-demo-signing-key.pem"), "rb") as handle:
        key = serialization.load_pem_private_key(handle.read(), password=None)
    with open(os.path.join(ROOT, "Fixtures/session.jwt")) as handle:
        header_segment, payload_segment, _ = handle.read().strip().split(".")
    payload = json.loads(b64url_decode(payload_segment))
    with open(output, "w") as out:
        for n in range(count):
            payload["n"] = n
            signing_input = header_segment + "." + b64url(json.dumps(payload, separators=(",", ":")).encode())
            signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
            out.write(signing_input + "." + b64url(signature) + "\n")


if __name__ == "__main__":
    main()
