#!/usr/bin/env python3
"""Makes every file in Fixtures/ and Keys/demo-jwks.json, reproducibly.

Uses only the Python standard library and the `openssl` command (Debian's `openssl` package).
RSASSA-PKCS1-v1_5 signatures are deterministic, so running this again with the same key
writes byte-identical files.

The signing key Keys/TEST-ONLY-demo-signing-key.pem is for tests and fixtures only: it is
public in this repository and must never sign anything a real service trusts. Pass
--new-key to replace it (every fixture then changes).

    python3 Fixtures/make_fixtures.py            # rewrite fixtures from the committed key
    python3 Fixtures/make_fixtures.py --new-key  # generate a new test-only key first
"""
import base64
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY = os.path.join(ROOT, "Keys", "TEST-ONLY-demo-signing-key.pem")
JWKS = os.path.join(ROOT, "Keys", "demo-jwks.json")
FIXTURES = os.path.join(ROOT, "Fixtures")

PROJECT_ID = "project-test-00000000-0000-4000-8000-000000000000"
KID = "jwk-test-11111111-1111-4111-8111-111111111111"
MEMBER_ID = "member-test-fde03dd1-fff7-4b3c-9b31-ead3fbc224de"
SESSION_ID = "member-session-test-e26a0ccb-0dc0-4edb-a4bb-e70210f43555"
ORG_ID = "organization-test-bd49f916-180c-46fe-9535-d9acd5e30519"
ORG_SLUG = "acme"
EMAIL = "ada@acme.example"
EMAIL_ID = "email-test-5c4e3b43-6ab1-4b1a-8b7e-6c1a1a3b3c3d"
PASSWORD_ID = "member-password-test-2f3b2f7a-9c55-4c28-9d8a-0e7b4f6f8e01"
IAT = 1767225600  # 2026-01-01T00:00:00Z
NOW = IAT + 60     # the instant the README's main command verifies at (--now)
ACCESS_TOKEN_LIFETIME = 3600  # M2M and Connected Apps access tokens live one hour, not 300 s
# Fixed IDs (no randomness): an M2M client (client-credentials grant) and a Connected App client.
M2M_CLIENT_ID = "m2m-client-test-4b1c7e2a-93d5-4f6e-8a0b-c2d9e7f15a36"
M2M_JTI = "Qm7rTz2VwK9pXc4LhN8sJd3FyB6gA1eUoR5tWiYvE0Hn"  # 44 characters, like Stytch's jti
CONNECTED_APP_CLIENT_ID = "connected-app-test-8e2f6a1d-5c74-4b39-9f0e-1a7d3c5b9e82"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def openssl(*args: str, stdin: bytes = b"") -> bytes:
    return subprocess.run(["openssl", *args], input=stdin, check=True, capture_output=True).stdout


def public_components() -> tuple[bytes, bytes]:
    text = openssl("pkey", "-in", KEY, "-noout", "-text").decode()
    # "modulus:" hex block, then "publicExponent: 65537 (0x10001)"
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "modulus:")
    hex_digits = ""
    for line in lines[start + 1:]:
        if not line.startswith("    "):
            break
        hex_digits += line.strip().replace(":", "")
    n = bytes.fromhex(hex_digits).lstrip(b"\x00")
    exponent_line = next(line for line in lines if line.startswith("publicExponent:"))
    e_value = int(exponent_line.split()[1])
    e = e_value.to_bytes((e_value.bit_length() + 7) // 8, "big")
    return n, e


def sign(signing_input: bytes) -> bytes:
    with tempfile.NamedTemporaryFile() as message:
        message.write(signing_input)
        message.flush()
        return openssl("dgst", "-sha256", "-sign", KEY, message.name)


def compact(header: dict, payload: dict) -> str:
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64url(json.dumps(payload, separators=(",", ":")).encode())
    return signing_input + "." + b64url(sign(signing_input.encode("ascii")))


def write(path: str, content: str) -> None:
    with open(path, "w") as handle:
        handle.write(content)
    print("wrote", os.path.relpath(path, ROOT))


FACTOR = {
    "type": "password",
    "delivery_method": "knowledge",
    "last_authenticated_at": "2026-01-01T00:00:00Z",
}
ROLES = ["stytch_member", "editor"]


def session_payload() -> dict:
    return {
        "aud": [PROJECT_ID],
        "iss": f"stytch.com/{PROJECT_ID}",
        "sub": MEMBER_ID,
        "iat": IAT,
        "nbf": IAT,
        "exp": IAT + 300,
        "https://stytch.com/session": {
            "id": SESSION_ID,
            "started_at": "2026-01-01T00:00:00Z",
            "last_accessed_at": "2026-01-01T00:00:00Z",
            "expires_at": "2026-01-01T02:00:00Z",
            "authentication_factors": [FACTOR],
            "roles": ROLES,
        },
        "https://stytch.com/organization": {"organization_id": ORG_ID, "slug": ORG_SLUG},
        "my_custom_claim": "value",
    }


def m2m_access_token_payload() -> dict:
    """An M2M access token (client-credentials grant), as stytch-python 15.3.0 reads it in
    consumer/api/m2m.py authenticate_token: `sub` is the client ID, `scope` a string of scopes
    separated by U+0020, every other non-registered member a custom claim. No session claim and
    no organization claim."""
    return {
        "aud": [PROJECT_ID],
        "iss": f"stytch.com/{PROJECT_ID}",
        "sub": M2M_CLIENT_ID,
        "scope": "read:users write:users admin",
        "iat": IAT,
        "nbf": IAT,
        "exp": IAT + ACCESS_TOKEN_LIFETIME,
        "jti": M2M_JTI,
        "tenant": "acme",
    }


def connected_apps_access_token_payload() -> dict:
    """A B2B Connected Apps (OAuth/OIDC provider) access token, as stytch-python 15.3.0 reads it
    in b2b/api/idp.py introspect_access_token_local: `sub` is the member, `scope` the raw scope
    string, the organization claim is required, and `client_id` stays a custom claim locally.
    No session claim."""
    return {
        "aud": [PROJECT_ID],
        "iss": f"stytch.com/{PROJECT_ID}",
        "sub": MEMBER_ID,
        "scope": "openid profile read:documents",
        "https://stytch.com/organization": {"organization_id": ORG_ID, "slug": ORG_SLUG},
        "client_id": CONNECTED_APP_CLIENT_ID,
        "iat": IAT,
        "nbf": IAT,
        "exp": IAT + ACCESS_TOKEN_LIFETIME,
    }


def member() -> dict:
    return {
        "organization_id": ORG_ID,
        "member_id": MEMBER_ID,
        "email_address": EMAIL,
        "status": "active",
        "name": "Ada Lovelace",
        "sso_registrations": [],
        "is_breakglass": False,
        "member_password_id": PASSWORD_ID,
        "oauth_registrations": [],
        "email_address_verified": True,
        "mfa_phone_number_verified": False,
        "is_admin": False,
        "totp_registration_id": "",
        "retired_email_addresses": [],
        "is_locked": False,
        "mfa_enrolled": False,
        "mfa_phone_number": "",
        "default_mfa_method": "",
        "roles": [
            {"role_id": "stytch_member", "sources": [{"type": "direct_assignment", "details": {}}]},
            {"role_id": "editor", "sources": [{"type": "direct_assignment", "details": {}}]},
        ],
        "trusted_metadata": {"tier": "gold"},
        "untrusted_metadata": {},
        "created_at": "2025-12-01T09:30:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "scim_registration": None,
        "external_id": "",
        "lock_created_at": None,
        "lock_expires_at": None,
    }


def organization() -> dict:
    return {
        "organization_id": ORG_ID,
        "organization_name": "Acme Corp",
        "organization_logo_url": "",
        "organization_slug": ORG_SLUG,
        "organization_external_id": "",
        "sso_jit_provisioning": "NOT_ALLOWED",
        "sso_jit_provisioning_allowed_connections": [],
        "sso_active_connections": [],
        "sso_default_connection_id": None,
        "email_allowed_domains": ["acme.example"],
        "email_jit_provisioning": "RESTRICTED",
        "email_invites": "ALL_ALLOWED",
        "auth_methods": "ALL_ALLOWED",
        "allowed_auth_methods": [],
        "mfa_policy": "OPTIONAL",
        "mfa_methods": "ALL_ALLOWED",
        "allowed_mfa_methods": [],
        "rbac_email_implicit_role_assignments": [],
        "oauth_tenant_jit_provisioning": "NOT_ALLOWED",
        "claimed_email_domains": ["acme.example"],
        "trusted_metadata": {},
        "scim_active_connection": None,
        "created_at": "2025-11-01T12:00:00Z",
        "updated_at": "2025-12-15T08:00:00Z",
    }


def member_session() -> dict:
    return {
        "member_session_id": SESSION_ID,
        "member_id": MEMBER_ID,
        # The same instants as the JWT's session claim, written with another precision on purpose.
        "started_at": "2026-01-01T00:00:00.000000000Z",
        "last_accessed_at": "2026-01-01T00:00:00Z",
        "expires_at": "2026-01-01T02:00:00.000Z",
        "authentication_factors": [FACTOR],
        "custom_claims": {"my_custom_claim": "value"},
        "organization_id": ORG_ID,
        # The same roles as the JWT's, in another order on purpose.
        "roles": list(reversed(ROLES)),
        "organization_slug": ORG_SLUG,
    }


def main() -> None:
    if "--new-key" in sys.argv:
        pem = openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")
        write(KEY, pem.decode())

    n, e = public_components()
    jwks = {
        "keys": [{
            "alg": "RS256", "e": b64url(e), "key_ops": ["verify"], "kid": KID, "kty": "RSA",
            "n": b64url(n), "use": "sig",
        }],
        "request_id": "request-id-test-00000000-0000-4000-8000-0000000000aa",
        "status_code": 200,
    }
    write(JWKS, json.dumps(jwks, indent=2) + "\n")

    header = {"alg": "RS256", "kid": KID, "typ": "JWT"}
    token = compact(header, session_payload())
    write(os.path.join(FIXTURES, "session.jwt"), token + "\n")

    response = {
        "request_id": "request-id-test-b05c992f-ebdc-489d-a754-c7e70ba13141",
        "member_id": MEMBER_ID,
        "organization_id": ORG_ID,
        "member": member(),
        "session_token": "mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q",
        "session_jwt": token,
        "organization": organization(),
        "intermediate_session_token": "",
        "member_authenticated": True,
        "status_code": 200,
        "member_session": member_session(),
        "mfa_required": None,
        "primary_required": None,
        "member_device": {
            "visitor_id": "visitor-test-0f9a8b7c",
            "visitor_id_details": {"is_new": False, "first_seen_at": "2025-12-01T09:30:00Z", "last_seen_at": "2026-01-01T00:00:00Z"},
            "ip_address": "203.0.113.7",
            "ip_address_details": {"is_new": False},
        },
        "intermediate_session_token_expires_at": None,
    }
    write(os.path.join(FIXTURES, "password-authenticate-response.json"), json.dumps(response, indent=2) + "\n")

    mfa = dict(response)
    mfa.update({
        "request_id": "request-id-test-8d1e1c44-3f52-4f11-9a50-7b4a9a3c2d10",
        "session_token": "",
        "session_jwt": "",
        "intermediate_session_token": "SeiGwdj5lKkrEVgcEY3QNJXt6srxS3IK2Nwkar6mXD4",
        "member_authenticated": False,
        "member_session": None,
        "mfa_required": {
            "member_options": {"mfa_phone_number": "+15555550123", "totp_registration_id": ""},
            "secondary_auth_initiated": "sms_otp",
        },
        "intermediate_session_token_expires_at": "2026-01-01T00:10:00Z",
    })
    write(os.path.join(FIXTURES, "mfa-required-response.json"), json.dumps(mfa, indent=2) + "\n")

    write(os.path.join(FIXTURES, "m2m-access-token.jwt"), compact(header, m2m_access_token_payload()) + "\n")
    write(os.path.join(FIXTURES, "connected-apps-access-token.jwt"),
          compact(header, connected_apps_access_token_payload()) + "\n")


if __name__ == "__main__":
    main()
