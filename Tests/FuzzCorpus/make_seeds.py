#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz corpora (Tests/FuzzCorpus/<target>/seed-*).

Seeds come from the fixtures (Fixtures/*.json, Fixtures/session.jwt, Keys/demo-jwks.json), from
Project Wycheproof's JWS strings and JWK sets (Tests/Vectors/wycheproof/testvectors_v1/,
Apache-2.0), and from small hand-made variants of the fixtures. Files that later fuzzing runs added
(`min-*`, minimized with libFuzzer's -merge=1) and crash reproducers (`crash-*`) are left alone.

Usage: python3 Tests/FuzzCorpus/make_seeds.py   (standard library only; rewrites seed-* files)
"""
import base64
import copy
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WYCHEPROOF = os.path.join(ROOT, "Tests", "Vectors", "wycheproof", "testvectors_v1")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def read(path: str) -> bytes:
    with open(os.path.join(ROOT, path), "rb") as handle:
        return handle.read()


def write_all(target: str, seeds):
    folder = os.path.join(HERE, target)
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.startswith("seed-"):
            os.remove(os.path.join(folder, name))
    seen = set()
    for name, data in seeds:
        if isinstance(data, str):
            data = data.encode()
        digest = hashlib.sha1(data).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        with open(os.path.join(folder, f"seed-{name}"), "wb") as handle:
            handle.write(data)
    print(f"{target}: {len(seen)} seeds")


def main():
    token = read("Fixtures/session.jwt").decode().strip()
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(unb64url(header_b64))
    payload = json.loads(unb64url(payload_b64))
    responses = {
        name: json.loads(read(f"Fixtures/{name}.json"))
        for name in ("password-authenticate-response", "mfa-required-response")
    }
    jwks = json.loads(read("Keys/demo-jwks.json"))

    # --- token: compact JWS strings -----------------------------------------------------------
    tokens = [("fixture-session-jwt", token)]
    for name, response in responses.items():
        if response.get("session_jwt"):
            tokens.append((f"{name}-session-jwt", response["session_jwt"]))

    def with_header(h):
        return b64url(compact(h)) + "." + payload_b64 + "." + signature_b64

    variants = {
        "alg-none": dict(header, alg="none"),
        "alg-hs256": dict(header, alg="HS256"),
        "alg-missing": {k: v for k, v in header.items() if k != "alg"},
        "kid-missing": {k: v for k, v in header.items() if k != "kid"},
        "kid-unknown": dict(header, kid="jwk-test-unknown"),
        "kid-empty": dict(header, kid=""),
        "typ-lower": dict(header, typ="jwt"),
        "typ-other": dict(header, typ="at+jwt"),
        "crit": dict(header, crit=["exp"]),
        "jku": dict(header, jku="https://example.com/jwks"),
        "jwk": dict(header, jwk={"kty": "RSA", "n": "AQAB", "e": "AQAB"}),
    }
    for name, h in variants.items():
        tokens.append((f"header-{name}", with_header(h)))
    tokens += [
        ("empty", ""),
        ("dots", ".."),
        ("one-dot", header_b64 + "." + payload_b64),
        ("four-segments", token + ".AAAA"),
        ("padding", header_b64 + "==." + payload_b64 + "." + signature_b64),
        ("no-signature", header_b64 + "." + payload_b64 + "."),
        ("short-signature", header_b64 + "." + payload_b64 + "." + signature_b64[:40]),
        ("header-duplicate-alg", b64url(b'{"alg":"RS256","alg":"none","kid":"x"}') + "." + payload_b64 + "." + signature_b64),
        ("header-bom", b64url(b"\xef\xbb\xbf" + compact(header)) + "." + payload_b64 + "." + signature_b64),
        ("payload-deep", header_b64 + "." + b64url(b"[" * 40 + b"]" * 40) + "." + signature_b64),
    ]
    with open(os.path.join(WYCHEPROOF, "json_web_signature_test.json")) as handle:
        wycheproof_jws = json.load(handle)
    for group in wycheproof_jws["testGroups"]:
        for test in group["tests"]:
            if isinstance(test.get("jws"), str):
                tokens.append((f"wycheproof-jws-{test['tcId']}", test["jws"]))
    write_all("token", tokens)

    # --- jwks: JWKS documents ------------------------------------------------------------------
    key = jwks["keys"][0]
    documents = [("demo-jwks", read("Keys/demo-jwks.json"))]

    def doc(keys, **extra):
        return compact(dict({"keys": keys}, **extra))

    documents += [
        ("empty-keys", doc([])),
        ("no-keys", compact({"request_id": "x", "status_code": 200})),
        ("duplicate-kid", doc([key, key])),
        ("two-kids", doc([key, dict(key, kid="jwk-test-second")])),
        ("e-3", doc([dict(key, e="Aw")])),
        ("e-even", doc([dict(key, e="AQAA")])),
        ("e-huge", doc([dict(key, e=b64url(b"\x01" * 9))])),
        ("n-short", doc([dict(key, n=key["n"][:100])])),
        ("n-leading-zeros", doc([dict(key, n=b64url(b"\x00\x00" + unb64url(key["n"])))])),
        ("private-d", doc([dict(key, d="AQAB")])),
        ("use-enc", doc([dict(key, use="enc")])),
        ("key-ops-sign", doc([dict(key, key_ops=["sign"])])),
        ("alg-rs512", doc([dict(key, alg="RS512")])),
        ("kty-ec", doc([dict(key, kty="EC")])),
        ("kid-number", doc([dict(key, kid=7)])),
        ("not-object", doc(["key", 1, None])),
        ("many-keys", doc([dict(key, kid=f"k{i}") for i in range(102)])),
        ("duplicate-member", b'{"keys":[],"keys":[]}'),
    ]
    with open(os.path.join(WYCHEPROOF, "json_web_key_test.json")) as handle:
        wycheproof_jwk = json.load(handle)
    for index, group in enumerate(wycheproof_jwk["testGroups"]):
        for side in ("public", "private"):
            material = group.get(side)
            if material is None:
                continue
            keys = material["keys"] if isinstance(material, dict) and "keys" in material else [material]
            if side == "private":
                keys = [{k: v for k, v in entry.items() if k not in ("d", "p", "q", "dp", "dq", "qi", "k")} for entry in keys]
            documents.append((f"wycheproof-jwk-group-{index}-{side}", doc(keys)))
    write_all("jwks", documents)

    # --- response: authenticate response bodies ------------------------------------------------
    password = responses["password-authenticate-response"]
    bodies = [(name, read(f"Fixtures/{name}.json")) for name in responses]

    def mutated(**changes):
        body = copy.deepcopy(password)
        for path, value in changes.items():
            node = body
            parts = path.split("__")
            for part in parts[:-1]:
                node = node[part]
            if value is KeyError:
                node.pop(parts[-1], None)
            else:
                node[parts[-1]] = value
        return compact(body)

    bodies += [
        ("error-401", compact({"status_code": 401, "error_type": "unauthorized_credentials", "request_id": "x"})),
        ("status-500", mutated(status_code=500)),
        ("member-id-mismatch", mutated(member_id="member-test-other")),
        ("org-mismatch", mutated(organization_id="organization-test-other")),
        ("slug-mismatch", mutated(organization__organization_slug="other")),
        ("session-missing", mutated(member_session=KeyError)),
        ("session-null", mutated(member_session=None)),
        ("roles-reordered", mutated(member_session__roles=list(reversed(password["member_session"]["roles"])))),
        ("started-fraction", mutated(member_session__started_at="2026-01-01T00:00:00.000000000Z")),
        ("jwt-empty", mutated(session_jwt="")),
        ("not-authenticated", mutated(member_authenticated=False)),
        ("duplicate-member", b'{"status_code":200,"status_code":200}'),
    ]
    write_all("response", bodies)

    # --- claims: JWT payloads, signed by the harness ---------------------------------------------
    session = "https://stytch.com/session"
    organization = "https://stytch.com/organization"

    def claims(**changes):
        body = copy.deepcopy(payload)
        for path, value in changes.items():
            node = body
            parts = [session if p == "S" else organization if p == "O" else p for p in path.split("__")]
            for part in parts[:-1]:
                node = node[int(part)] if isinstance(node, list) else node[part]
            last = parts[-1]
            if value is KeyError:
                node.pop(last, None)
            elif isinstance(node, list):
                node[int(last)] = value
            else:
                node[last] = value
        return compact(body)

    factor = payload[session]["authentication_factors"][0]
    payloads = [
        ("fixture", unb64url(payload_b64)),
        ("aud-string", claims(aud=payload["aud"][0])),
        ("aud-other", claims(aud=["project-test-other"])),
        ("aud-mixed", claims(aud=[1, payload["aud"][0]])),
        ("iss-api", claims(iss="https://test.stytch.com")),
        ("iss-slash", claims(iss="https://test.stytch.com/")),
        ("exp-string", claims(exp=str(payload["exp"]))),
        ("exp-fraction", compact(payload).replace(str(payload["exp"]).encode(), str(payload["exp"]).encode() + b".5")),
        ("exp-huge", compact(payload).replace(str(payload["exp"]).encode(), b"1e400")),
        ("nbf-future", claims(nbf=payload["nbf"] + 3600)),
        ("iat-missing", claims(iat=KeyError)),
        ("sub-empty", claims(sub="")),
        ("roles-absent", claims(S__roles=KeyError)),
        ("roles-number", claims(S__roles=[1])),
        ("session-nanos", claims(S__started_at="2026-01-01T00:00:00.123456789Z", S__expires_at="2026-01-01T02:00:00.999999999+01:00")),
        ("session-leap", claims(S__last_accessed_at="2025-12-31T23:59:60Z")),
        ("session-expired", claims(S__expires_at="2026-01-01T00:00:30Z")),
        ("session-bad-date", claims(S__expires_at="2026-02-30T00:00:00Z")),
        ("factor-unknown", claims(S__authentication_factors__0__type="brand_new_factor", S__authentication_factors__0__delivery_method="pigeon")),
        ("factor-email", claims(S__authentication_factors=[dict(factor, type="magic_link", delivery_method="email",
                                                               email_factor={"email_id": "email-test-1", "email_address": "a@example.com"})])),
        ("factor-two-subobjects", claims(S__authentication_factors=[dict(factor, email_factor={"email_id": "e", "email_address": "a"},
                                                                        authenticator_app_factor={"totp_id": "t"})])),
        ("factor-sso", claims(S__authentication_factors=[dict(factor, type="sso", delivery_method="sso_saml",
                                                             saml_sso_factor={"id": "i", "provider_id": "p", "external_id": "x"})])),
        ("org-no-slug", claims(O__slug=KeyError)),
        ("org-missing", claims(O=KeyError)),
        ("custom-nested", claims(my_custom_claim={"a": [1, 2.5, -0, 1e-7, True, None, {"b": "\u00e9\u2028"}]})),
        ("custom-bigint", compact(payload).replace(b'"my_custom_claim":"value"', b'"my_custom_claim":123456789012345678901234567890')),
        ("jti", claims(jti="jwt-id-1")),
    ]
    write_all("claims", payloads)


if __name__ == "__main__":
    sys.exit(main())
