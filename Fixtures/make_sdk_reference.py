#!/usr/bin/env python3
"""Records what the official Stytch Python SDK (stytch 15.3.0) answers, as replayable JSON.

Writes Fixtures/sdk-reference/{rbac,m2m-scopes,connected-apps,claims}.json next to this file.
Nothing here re-implements Stytch's logic: every answer comes from calling the SDK's own code,
end to end where possible:

- rbac.json           B2B `Sessions.authenticate_jwt_local(session_jwt, authorization_check=...)`
                      with the SDK's `PolicyCache` (project policy merged with the session's
                      organization policy by `get_with_org`), cross-checked against a direct call
                      of `rbac_local.perform_authorization_check`.
- m2m-scopes.json     `M2M.authenticate_token(token, required_scopes=...)` (the SDK's own token
                      scope parsing), plus `m2m_authorization.perform_authorization_check` called
                      once per required scope to say which ones are missing.
- connected-apps.json B2B `IDP.introspect_access_token_local(token, authorization_check=...)`,
                      cross-checked against `rbac_local.perform_scope_authorization_check`.
- claims.json         the three local entry points on hand-made payloads, with the clock frozen,
                      to pin claim names, custom-claim extraction, kind confusion and time rules.

Only the network is stubbed: the JWKS client returns the committed test-only demo key
(Keys/demo-jwks.json, signed with Keys/TEST-ONLY-demo-signing-key.pem), and the RBAC API the
policy cache would call returns the policies defined below. The clock (pyjwt's and the SDK's) is
frozen at NOW so that every run writes byte-identical files. No randomness is used.

Requires: pip install stytch==15.3.0 (brings pyjwt[crypto], cryptography, pydantic).

    python3 Fixtures/make_sdk_reference.py
"""
from __future__ import annotations

import base64
import datetime as _dt
import importlib.metadata
import json
import os
import sys
import types

SDK_VERSION = "15.3.0"
try:
    _installed = importlib.metadata.version("stytch")
except importlib.metadata.PackageNotFoundError:
    _installed = None
if _installed != SDK_VERSION:
    sys.exit(f"make_sdk_reference.py: needs stytch=={SDK_VERSION} installed, found {_installed!r}")

import jwt as pyjwt  # noqa: E402  (pyjwt, a dependency of stytch)
import jwt.api_jwt  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402

import stytch.shared.jwt_helpers as sdk_jwt_helpers  # noqa: E402
from stytch.b2b.api.idp import IDP  # noqa: E402
from stytch.b2b.api.sessions import Sessions  # noqa: E402
from stytch.b2b.models.rbac import OrgPolicy, Policy, PolicyResponse  # noqa: E402
from stytch.b2b.models.rbac_organizations import GetOrgPolicyResponse  # noqa: E402
from stytch.b2b.models.sessions import AuthorizationCheck  # noqa: E402
from stytch.consumer.api.m2m import M2M  # noqa: E402
from stytch.core.api_base import ApiBase  # noqa: E402
from stytch.shared import m2m_authorization, rbac_local  # noqa: E402
from stytch.shared.policy_cache import PolicyCache  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "sdk-reference")
KEY = os.path.join(ROOT, "Keys", "TEST-ONLY-demo-signing-key.pem")
JWKS = os.path.join(ROOT, "Keys", "demo-jwks.json")
GENERATOR = "Fixtures/make_sdk_reference.py"
SDK = f"stytch {SDK_VERSION}"

PROJECT_ID = "project-test-00000000-0000-4000-8000-000000000000"
BASE_URL = "https://test.stytch.com/"  # what the SDK's client uses for project-test-… IDs
KID = "jwk-test-11111111-1111-4111-8111-111111111111"
IAT = 1767225600  # 2026-01-01T00:00:00Z
NOW = IAT + 60
MEMBER_ID = "member-test-fde03dd1-fff7-4b3c-9b31-ead3fbc224de"
SESSION_ID = "member-session-test-e26a0ccb-0dc0-4edb-a4bb-e70210f43555"
M2M_CLIENT_ID = "m2m-client-test-0b8a3c51-5f7e-4c38-9d0e-6a1b2c3d4e5f"
ORG_A = "organization-test-aaaaaaaa-0000-4000-8000-000000000001"
ORG_B = "organization-test-bbbbbbbb-0000-4000-8000-000000000002"
ORG_C = "organization-test-cccccccc-0000-4000-8000-000000000003"
SESSION_CLAIM = "https://stytch.com/session"
ORG_CLAIM = "https://stytch.com/organization"

KELVIN = "\u212a"  # KELVIN SIGN, canonically equivalent to "K"
E_NFC = "\u00e9"  # é precomposed
E_NFD = "e\u0301"  # e + COMBINING ACUTE ACCENT


# --------------------------------------------------------------------------- clock and keys

class _FrozenDatetime(_dt.datetime):
    @classmethod
    def now(cls, tz=None):  # pyjwt: datetime.now(tz=timezone.utc).timestamp()
        return _dt.datetime.fromtimestamp(NOW, tz=tz)


jwt.api_jwt.datetime = _FrozenDatetime  # pyjwt's registered-claim clock
sdk_jwt_helpers.time = types.SimpleNamespace(time=lambda: float(NOW))  # the SDK's max-age clock

with open(KEY, "rb") as f:
    _PRIVATE_KEY = serialization.load_pem_private_key(f.read(), password=None)
with open(JWKS) as f:
    _JWKS = json.load(f)


class PinnedJWKSClient:
    """Stands in for pyjwt.PyJWKClient (the network); same lookup by the header's kid."""

    def __init__(self, jwks: dict) -> None:
        self.keys = {k["kid"]: pyjwt.PyJWK(k) for k in jwks["keys"]}

    def get_signing_key_from_jwt(self, token: str) -> pyjwt.PyJWK:
        kid = pyjwt.get_unverified_header(token).get("kid")
        if kid not in self.keys:
            raise pyjwt.PyJWKClientError(f'Unable to find a signing key that matches: "{kid}"')
        return self.keys[kid]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign(payload: dict, kid: str = KID) -> str:
    header = {"alg": "RS256", "kid": kid, "typ": "JWT"}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    )
    signature = _PRIVATE_KEY.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(signature)


def registered(sub: str, **overrides) -> dict:
    claims = {
        "aud": [PROJECT_ID],
        "iss": f"stytch.com/{PROJECT_ID}",
        "sub": sub,
        "iat": IAT,
        "nbf": IAT,
        "exp": IAT + 300,
    }
    claims.update(overrides)
    return claims


def session_payload(org_id: str, roles=None, roles_present=True, slug="acme", extra=None) -> dict:
    session = {
        "id": SESSION_ID,
        "started_at": "2026-01-01T00:00:00Z",
        "last_accessed_at": "2026-01-01T00:00:00Z",
        "expires_at": "2026-01-01T02:00:00Z",
        "authentication_factors": [
            {
                "type": "password",
                "delivery_method": "knowledge",
                "last_authenticated_at": "2026-01-01T00:00:00Z",
            }
        ],
    }
    if roles_present:
        session["roles"] = roles
    payload = registered(MEMBER_ID)
    payload[SESSION_CLAIM] = session
    org = {"organization_id": org_id}
    if slug is not None:
        org["slug"] = slug
    payload[ORG_CLAIM] = org
    if extra:
        payload.update(extra)
    return payload


# --------------------------------------------------------------------------- SDK objects

class StubRBAC:
    """What PolicyCache calls on the network: RBAC.policy() and
    RBAC.organizations.get_org_policy(organization_id); answers are the SDK's own models."""

    def __init__(self, project_policy: dict, org_policies: dict) -> None:
        self._project = project_policy
        self._orgs = org_policies
        self.organizations = self

    def policy(self) -> PolicyResponse:
        return PolicyResponse(request_id="", status_code=200, policy=Policy(**self._project))

    def get_org_policy(self, organization_id: str) -> GetOrgPolicyResponse:
        roles = self._orgs.get(organization_id, {"roles": []})
        return GetOrgPolicyResponse(request_id="", status_code=200, org_policy=OrgPolicy(**roles))


def sdk_objects(policy: dict | None = None):
    policy = policy or {"project_policy": {"roles": [], "resources": [], "scopes": []}, "org_policies": {}}
    cache = PolicyCache(StubRBAC(policy["project_policy"], policy["org_policies"]))
    api_base = ApiBase(BASE_URL)
    jwks = PinnedJWKSClient(_JWKS)
    sessions = Sessions(api_base=api_base, sync_client=None, async_client=None,
                        jwks_client=jwks, project_id=PROJECT_ID, policy_cache=cache)
    idp = IDP(api_base=api_base, sync_client=None, async_client=None,
              jwks_client=jwks, project_id=PROJECT_ID, policy_cache=cache)
    m2m = M2M(api_base=api_base, sync_client=None, async_client=None,
              jwks_client=jwks, project_id=PROJECT_ID)
    return types.SimpleNamespace(cache=cache, sessions=sessions, idp=idp, m2m=m2m)


def role(role_id, *perms):
    return {"role_id": role_id, "description": "", "permissions": [
        {"resource_id": r, "actions": list(a)} for r, a in perms]}


def scope_def(name, *perms):
    return {"scope": name, "description": "", "permissions": [
        {"resource_id": r, "actions": list(a)} for r, a in perms]}


def resource(resource_id, *actions):
    return {"resource_id": resource_id, "description": "", "actions": list(actions)}


# --------------------------------------------------------------------------- rbac.json

RBAC_POLICIES = {
    "main": {
        "project_policy": {
            "resources": [
                resource("documents", "read", "write", "delete"),
                resource("reports", "read", "export"),
                resource("billing", "view", "export"),
                resource("Documents", "read"),
                resource(KELVIN + "elvin", "read"),
                resource("caf" + E_NFC, "read"),
            ],
            "roles": [
                role("stytch_member", ("documents", ["read"])),
                role("stytch_admin", ("documents", ["*"]), ("reports", ["*"]), ("stytch.member", ["*"])),
                role("editor", ("documents", ["read", "write"]), ("reports", ["read"])),
                role("case_role", ("Documents", ["read"]), ("documents", ["Write"])),
                role("kelvin_role", (KELVIN + "elvin", ["read"])),
                role("cafe_role", ("caf" + E_NFC, ["read"])),
                role("star_resource", ("*", ["read"])),
                role("empty_permissions"),
                role("empty_actions", ("documents", [])),
                role("r" + E_NFC + "viseur", ("reports", ["read"])),
                role("empty_names", ("", [""])),
            ],
            "scopes": [],
        },
        "org_policies": {
            ORG_A: {"roles": [
                # same role_id as a project role: both entries are kept; permissions add up
                role("editor", ("billing", ["export"])),
                role("auditor", ("reports", ["read", "export"])),
            ]},
            ORG_B: {"roles": [
                role("auditor", ("reports", ["*"])),
                # same role_id as a project role, with fewer permissions: cannot take any away
                role("stytch_admin", ("billing", ["view"])),
            ]},
            ORG_C: {"roles": []},
        },
    },
    "empty": {
        "project_policy": {"resources": [], "roles": [], "scopes": []},
        "org_policies": {ORG_A: {"roles": [role("stytch_member", ("documents", ["read"]))]}},
    },
}


def rbac_cases():
    M = "main"
    c = []

    def add(desc, org, roles, check, policy=M, roles_present=True):
        c.append({
            "description": desc,
            "policy": policy,
            "session": {"organization_id": org, "roles": roles if roles_present else None},
            "check": {"organization_id": check[0], "resource_id": check[1], "action": check[2]},
        })

    add("member reads documents", ORG_A, ["stytch_member"], (ORG_A, "documents", "read"))
    add("member cannot write documents", ORG_A, ["stytch_member"], (ORG_A, "documents", "write"))
    add("admin wildcard action covers write", ORG_A, ["stytch_admin"], (ORG_A, "documents", "write"))
    add("admin wildcard action covers an action the resource does not declare", ORG_A, ["stytch_admin"],
        (ORG_A, "documents", "launch"))
    add("admin wildcard is per resource: billing not granted in org C", ORG_C, ["stytch_admin"],
        (ORG_C, "billing", "view"))
    add("wildcard action granted to a check whose action is literally *", ORG_A, ["stytch_admin"],
        (ORG_A, "documents", "*"))
    add("check action * is not a wildcard on the check side", ORG_A, ["editor"], (ORG_A, "documents", "*"))
    add("tenancy: other organization", ORG_A, ["stytch_admin"], (ORG_B, "documents", "read"))
    add("tenancy checked before permissions (no permission either)", ORG_A, ["stytch_member"],
        (ORG_B, "billing", "export"))
    add("tenancy checked even with empty roles", ORG_A, [], (ORG_B, "documents", "read"))
    add("tenancy: organization ID differs only by case", ORG_A, ["stytch_admin"],
        (ORG_A.upper(), "documents", "read"))
    add("tenancy: trailing space", ORG_A, ["stytch_admin"], (ORG_A + " ", "documents", "read"))
    add("tenancy: empty organization ID asked", ORG_A, ["stytch_admin"], ("", "documents", "read"))
    add("empty roles", ORG_A, [], (ORG_A, "documents", "read"))
    add("unknown role only", ORG_A, ["no_such_role"], (ORG_A, "documents", "read"))
    add("unknown role next to a granting one", ORG_A, ["no_such_role", "stytch_member"],
        (ORG_A, "documents", "read"))
    add("duplicate roles", ORG_A, ["stytch_member", "stytch_member"], (ORG_A, "documents", "read"))
    add("several roles: union of permissions (editor reports:read)", ORG_C, ["stytch_member", "editor"],
        (ORG_C, "reports", "read"))
    add("role id differs by case", ORG_A, ["Stytch_Member"], (ORG_A, "documents", "read"))
    add("role id with trailing space", ORG_A, ["stytch_member "], (ORG_A, "documents", "read"))
    add("role id NFC matches", ORG_A, ["r" + E_NFC + "viseur"], (ORG_A, "reports", "read"))
    add("role id NFD does not match an NFC role", ORG_A, ["r" + E_NFD + "viseur"], (ORG_A, "reports", "read"))
    add("resource differs by case: Documents granted, documents read not", ORG_A, ["case_role"],
        (ORG_A, "documents", "read"))
    add("resource exact case granted", ORG_A, ["case_role"], (ORG_A, "Documents", "read"))
    add("action differs by case: Write granted, write not", ORG_A, ["case_role"], (ORG_A, "documents", "write"))
    add("action exact case granted", ORG_A, ["case_role"], (ORG_A, "documents", "Write"))
    add("resource with KELVIN SIGN: exact", ORG_A, ["kelvin_role"], (ORG_A, KELVIN + "elvin", "read"))
    add("resource with KELVIN SIGN vs ASCII K", ORG_A, ["kelvin_role"], (ORG_A, "Kelvin", "read"))
    add("resource NFC: exact", ORG_A, ["cafe_role"], (ORG_A, "caf" + E_NFC, "read"))
    add("resource NFC policy vs NFD check", ORG_A, ["cafe_role"], (ORG_A, "caf" + E_NFD, "read"))
    add("resource * in a permission is literal, not a wildcard", ORG_A, ["star_resource"],
        (ORG_A, "documents", "read"))
    add("resource * in a permission matches a check for resource *", ORG_A, ["star_resource"],
        (ORG_A, "*", "read"))
    add("role with no permissions", ORG_A, ["empty_permissions"], (ORG_A, "documents", "read"))
    add("permission with empty actions list", ORG_A, ["empty_actions"], (ORG_A, "documents", "read"))
    add("empty resource and action names match literally", ORG_A, ["empty_names"], (ORG_A, "", ""))
    add("empty action does not match", ORG_A, ["stytch_member"], (ORG_A, "documents", ""))
    add("resource not in the policy's resources list (permission decides)", ORG_A, ["stytch_admin"],
        (ORG_A, "stytch.member", "delete"))
    # organization roles
    add("org A custom role auditor", ORG_A, ["auditor"], (ORG_A, "reports", "export"))
    add("org A auditor has no wildcard", ORG_A, ["auditor"], (ORG_A, "reports", "delete"))
    add("org B auditor has the wildcard", ORG_B, ["auditor"], (ORG_B, "reports", "delete"))
    add("org C has no auditor role", ORG_C, ["auditor"], (ORG_C, "reports", "read"))
    add("org A custom role asked about org B: tenancy first", ORG_A, ["auditor"], (ORG_B, "reports", "read"))
    add("collision: org A editor adds billing:export", ORG_A, ["editor"], (ORG_A, "billing", "export"))
    add("collision: org A editor keeps the project editor's documents:write", ORG_A, ["editor"],
        (ORG_A, "documents", "write"))
    add("collision: project editor in org C has no billing:export", ORG_C, ["editor"], (ORG_C, "billing", "export"))
    add("collision: org B stytch_admin keeps the project's documents:*", ORG_B, ["stytch_admin"],
        (ORG_B, "documents", "delete"))
    add("collision: org B stytch_admin adds billing:view", ORG_B, ["stytch_admin"], (ORG_B, "billing", "view"))
    add("collision: org B stytch_admin has no billing:export", ORG_B, ["stytch_admin"], (ORG_B, "billing", "export"))
    add("empty project policy: org role still grants", ORG_A, ["stytch_member"], (ORG_A, "documents", "read"),
        policy="empty")
    add("empty project policy: nothing in org C", ORG_C, ["stytch_member"], (ORG_C, "documents", "read"),
        policy="empty")
    # the roles claim itself
    add("roles claim absent, with an authorization check", ORG_A, None, (ORG_A, "documents", "read"),
        roles_present=False)
    add("roles claim absent and another organization: roles error comes first", ORG_A, None,
        (ORG_B, "documents", "read"), roles_present=False)
    add("roles claim a string, not an array", ORG_A, "stytch_admin", (ORG_A, "documents", "read"))
    add("roles claim with a non-string element", ORG_A, ["stytch_admin", 1], (ORG_A, "documents", "read"))
    return c


def classify_rbac(exc):
    if isinstance(exc, rbac_local.TenancyError):
        return "tenancy_mismatch"
    if isinstance(exc, rbac_local.RBACPermissionError):
        return "permission_denied"
    if type(exc) is ValueError and "roles claim" in str(exc):
        return "invalid_roles_claim"
    return "error"


def run_rbac():
    cases = []
    for case in rbac_cases():
        policy = RBAC_POLICIES[case["policy"]]
        sdk = sdk_objects(policy)
        s = case["session"]
        token = sign(session_payload(s["organization_id"], roles=s["roles"], roles_present=s["roles"] is not None))
        check = AuthorizationCheck(**case["check"])
        try:
            result = sdk.sessions.authenticate_jwt_local(token, authorization_check=check)
            if result is None:
                raise RuntimeError("SDK rejected the token itself: fix the generator")
            outcome, exc_name, message = "allowed", None, None
        except Exception as exc:  # the SDK's answer is the exception
            outcome, exc_name, message = classify_rbac(exc), type(exc).__name__, str(exc)
        if outcome == "error":
            raise RuntimeError(f"unexpected SDK exception {exc_name}: {message} in {case['description']}")
        # Cross-check: the bare RBAC function on the same merged policy gives the same answer.
        if isinstance(s["roles"], list) and all(isinstance(r, str) for r in s["roles"]):
            try:
                rbac_local.perform_authorization_check(
                    policy=sdk.cache.get_with_org(s["organization_id"]),
                    subject_roles=s["roles"], subject_org_id=s["organization_id"],
                    authorization_check=check)
                direct = "allowed"
            except Exception as exc:
                direct = classify_rbac(exc)
            assert direct == outcome, (case["description"], direct, outcome)
        case.update({"outcome": outcome, "sdk_exception": exc_name, "sdk_message": message})
        cases.append(case)
    return {
        "generator": GENERATOR,
        "sdk": SDK,
        "description": (
            "B2B session RBAC: stytch.b2b.api.sessions.Sessions.authenticate_jwt_local(session_jwt, "
            "authorization_check=AuthorizationCheck(**check)) on a session JWT whose session claim holds "
            "session.roles (null: the roles member is absent) and whose organization claim holds "
            "session.organization_id. The policy used is policies[policy].project_policy with the roles of "
            "policies[policy].org_policies[session.organization_id] appended (organizations not listed have "
            "no custom roles), as PolicyCache.get_with_org does."
        ),
        "outcomes": {
            "allowed": "returned the MemberSession",
            "tenancy_mismatch": "raised rbac_local.TenancyError (a ValueError)",
            "permission_denied": "raised rbac_local.RBACPermissionError (a ValueError)",
            "invalid_roles_claim": "raised ValueError('Invalid roles claim. Expected a list of strings.')",
        },
        "policies": RBAC_POLICIES,
        "cases": cases,
    }


# --------------------------------------------------------------------------- m2m-scopes.json

def m2m_cases():
    c = []

    def add(desc, scope, required):
        c.append({"description": desc, "token_scope": scope, "required_scopes": required})

    add("no required scopes (None)", "read:users", None)
    add("no required scopes (empty list)", "read:users", [])
    add("exact action:resource", "read:users write:users", ["read:users"])
    add("all of several required", "read:users write:users", ["read:users", "write:users"])
    add("one of several missing", "read:users", ["read:users", "write:users"])
    add("order of required scopes does not matter when granted", "read:users write:users",
        ["write:users", "read:users"])
    add("resource wildcard grants any resource", "read:*", ["read:users"])
    add("resource wildcard grants several resources", "read:*", ["read:users", "read:orgs"])
    add("resource wildcard does not cross actions", "read:*", ["write:users"])
    add("resource wildcard next to a specific one", "read:users read:*", ["read:orgs"])
    add("required resource * needs the wildcard", "read:users", ["read:*"])
    add("required resource * granted by the wildcard", "read:*", ["read:*"])
    add("action wildcard is not supported", "*:users", ["read:users"])
    add("action wildcard matches literal *:users", "*:users", ["*:users"])
    add("*:* grants *:anything", "*:*", ["*:users"])
    add("*:* does not grant read:users", "*:*", ["read:users"])
    add("bare * only matches bare *", "*", ["read:users"])
    add("bare * matches bare *", "*", ["*"])
    add("bare scope exact", "openid profile", ["openid"])
    add("bare scope missing", "openid", ["profile"])
    add("bare scope does not grant action:resource", "admin", ["admin:users"])
    add("action:resource does not grant a bare scope", "admin:users", ["admin"])
    add("action:* grants the bare action (resource '-' vs *)", "admin:*", ["admin"])
    add("action:- grants the bare action", "admin:-", ["admin"])
    add("bare action grants action:-", "admin", ["admin:-"])
    add("empty scope string, nothing required", "", [])
    add("empty scope string, something required", "", ["read:users"])
    add("empty required scope string, token has scopes", "read:users", [""])
    add("empty required scope string granted by :*", ":*", [""])
    add("empty required scope string granted by :-", ":-", [""])
    add("only spaces in the token scope", "   ", [])
    add("repeated spaces between scopes", "read:users   write:users", ["write:users"])
    add("leading and trailing spaces", "  read:users write:users  ", ["read:users", "write:users"])
    add("tab is not a separator for M2M", "openid\tprofile", ["profile"])
    add("tab-joined string is one scope (required verbatim)", "openid\tprofile", ["openid\tprofile"])
    add("newline is not a separator for M2M", "openid\nprofile", ["openid"])
    add("NBSP is not a separator for M2M", "openid\u00a0profile", ["openid"])
    add("U+3000 is not a separator for M2M", "openid\u3000profile", ["openid"])
    add("tab-joined action:resource scopes form one scope with two colons: SDK raises",
        "read:users\twrite:users", ["read:users"])
    add("trailing tab stays in the resource", "read:users\t", ["read:users"])
    add("colon only: action '' resource ''", ":", [":"])
    add("colon only does not grant empty required", ":", [""])
    add("empty resource", "read:", ["read:"])
    add("empty resource vs bare", "read:", ["read"])
    add("empty action", ":users", [":users"])
    add("required with empty action granted by :*", ":*", [":users"])
    add("two colons in a token scope: SDK raises, even with nothing required", "read:users:all", [])
    add("two colons in a token scope: SDK raises", "read:users:all", ["read:users:all"])
    add("two colons in a token scope next to good ones", "read:users a:b:c", ["read:users"])
    add("two colons in a required scope", "read:users", ["read:users:all"])
    add("two colons in a required scope after a granted one", "read:users", ["read:users", "a:b:c"])
    add("two colons in a required scope after a missing one (early return)", "read:users",
        ["write:users", "a:b:c"])
    add("two colons in a required scope before a missing one", "read:users", ["a:b:c", "write:users"])
    add("URL-like scope with one colon splits at it", "https://example.com/scope", ["https://example.com/scope"])
    add("URL-like scope with a port (two colons) raises", "https://example.com:443/scope", [])
    add("action case differs", "Read:users", ["read:users"])
    add("resource case differs", "read:Users", ["read:users"])
    add("exact case", "Read:Users", ["Read:Users"])
    add("KELVIN SIGN in token vs K required", "read:" + KELVIN + "eys", ["read:Keys"])
    add("KELVIN SIGN exact", "read:" + KELVIN + "eys", ["read:" + KELVIN + "eys"])
    add("NFC token vs NFD required", "read:caf" + E_NFC, ["read:caf" + E_NFD])
    add("NFD token vs NFD required", "read:caf" + E_NFD, ["read:caf" + E_NFD])
    add("NFC action vs NFD action under resource wildcard", "r" + E_NFC + "ad:*", ["r" + E_NFD + "ad:users"])
    add("fullwidth colon is not a separator", "read\uff1ausers", ["read:users"])
    add("duplicate required scopes", "read:users", ["read:users", "read:users"])
    add("required scope with surrounding space is verbatim", "read:users", [" read:users"])
    add("required scope with a space inside resource", "read:users", ["read:us ers"])
    add("resource '-' in a token does not grant other resources", "read:-", ["read:users"])
    return c


def run_m2m():
    cases = []
    for case in m2m_cases():
        sdk = sdk_objects()
        seen = {}

        def recording_check(params, seen=seen):
            seen["has_scopes"] = list(params.has_scopes)  # the SDK's own parse of the scope claim
            return m2m_authorization.perform_authorization_check(params)

        payload = registered(M2M_CLIENT_ID, scope=case["token_scope"])
        token = sign(payload)
        try:
            result = sdk.m2m.authenticate_token(token, required_scopes=case["required_scopes"],
                                                scope_authorization_func=recording_check)
            outcome, exc_name, message = ("granted" if result is not None else "denied"), None, None
            if result is not None:
                assert result.scopes == seen["has_scopes"]
                assert result.client_id == M2M_CLIENT_ID
        except Exception as exc:
            outcome, exc_name, message = "error", type(exc).__name__, str(exc)
        # Same answer from the default scope_authorization_func (no recording wrapper).
        try:
            plain = sdk.m2m.authenticate_token(token, required_scopes=case["required_scopes"])
            plain_outcome = "granted" if plain is not None else "denied"
        except Exception:
            plain_outcome = "error"
        assert plain_outcome == outcome, case
        per_scope = None
        if "has_scopes" in seen:
            per_scope = []
            for required in case["required_scopes"] or []:
                try:
                    ok = m2m_authorization.perform_authorization_check(
                        m2m_authorization.AuthorizationCheckParams(
                            has_scopes=seen["has_scopes"], required_scopes=[required]))
                    per_scope.append({"scope": required, "result": "granted" if ok else "denied",
                                      "sdk_exception": None})
                except Exception as exc:
                    per_scope.append({"scope": required, "result": "error", "sdk_exception": type(exc).__name__})
        case.update({
            "outcome": outcome,
            "sdk_exception": exc_name,
            "sdk_message": message,
            "token_scopes": seen.get("has_scopes"),
            "per_required_scope": per_scope,
            "missing": (None if per_scope is None or outcome == "error"
                        else [p["scope"] for p in per_scope if p["result"] == "denied"]),
        })
        cases.append(case)
    return {
        "generator": GENERATOR,
        "sdk": SDK,
        "description": (
            "M2M scopes: stytch.consumer.api.m2m.M2M.authenticate_token(token, required_scopes=required_scopes) "
            "(the B2B client's m2m is this class) on an M2M access token whose scope claim is token_scope. "
            "token_scopes is the list the SDK parsed from the claim (scope.split(' ') minus empty strings); null "
            "if it never got that far. per_required_scope calls stytch.shared.m2m_authorization."
            "perform_authorization_check with that list and one required scope at a time; missing lists the "
            "denied ones (null when the SDK raised; the SDK itself only returns None, it never names them)."
        ),
        "outcomes": {
            "granted": "authenticate_token returned M2MJWTClaims",
            "denied": "authenticate_token returned None (insufficient scope)",
            "error": "authenticate_token raised sdk_exception (ValueError: a scope with two or more ':')",
        },
        "cases": cases,
    }


# --------------------------------------------------------------------------- connected-apps.json

CA_POLICIES = {
    "main": {
        "project_policy": {
            "resources": [
                resource("documents", "read", "write", "delete"),
                resource("reports", "read", "export"),
                resource("audit", "read"),
            ],
            "roles": [role("stytch_member", ("documents", ["read"]))],
            "scopes": [
                scope_def("read:documents", ("documents", ["read"])),
                scope_def("write:documents", ("documents", ["read", "write"])),
                scope_def("admin", ("documents", ["*"]), ("reports", ["*"])),
                scope_def("openid"),
                scope_def("empty_actions", ("documents", [])),
                scope_def("read:*", ("reports", ["read"])),
                scope_def("*", ("audit", ["read"])),
                scope_def("star_resource", ("*", ["read"])),
                scope_def("Reports:Read", ("reports", ["read"])),
                scope_def(KELVIN + "elvin", ("reports", ["export"])),
                scope_def("caf" + E_NFC, ("audit", ["read"])),
                scope_def("case", ("Documents", ["Read"])),
            ],
        },
        "org_policies": {
            # organization roles are never consulted for Connected Apps (policy_cache.get() only)
            ORG_A: {"roles": [role("auditor", ("reports", ["*"]))]},
        },
    },
}


def ca_cases():
    c = []

    def add(desc, scope, check, token_org=ORG_A):
        c.append({
            "description": desc,
            "policy": "main",
            "token": {"scope": scope, "organization_id": token_org},
            "check": {"organization_id": check[0], "resource_id": check[1], "action": check[2]},
        })

    A, B = ORG_A, ORG_B
    add("scope grants its permission", "read:documents", (A, "documents", "read"))
    add("scope lacks the action", "read:documents", (A, "documents", "write"))
    add("second scope grants", "read:documents write:documents", (A, "documents", "write"))
    add("admin: action wildcard", "admin", (A, "documents", "delete"))
    add("admin: wildcard covers undeclared actions", "admin", (A, "reports", "launch"))
    add("admin: not for resources it does not list", "admin", (A, "audit", "read"))
    add("tenancy: other organization", "admin", (B, "documents", "read"))
    add("tenancy before permission", "openid", (B, "documents", "read"))
    add("tenancy: case differs", "admin", (A.upper(), "documents", "read"))
    add("tenancy: token org empty string", "admin", (A, "documents", "read"), token_org="")
    add("scope with no permissions", "openid", (A, "documents", "read"))
    add("scope with empty actions", "empty_actions", (A, "documents", "read"))
    add("scope not in the policy", "read:reports", (A, "reports", "read"))
    add("token scope matches policy scope names literally (read:* is a name)", "read:*", (A, "reports", "read"))
    add("read:* is not a wildcard: no documents", "read:*", (A, "documents", "read"))
    add("read:documents does not match policy scope read:*", "read:documents", (A, "reports", "read"))
    add("scope * is a name", "*", (A, "audit", "read"))
    add("scope * grants nothing else", "*", (A, "documents", "read"))
    add("permission resource * is literal", "star_resource", (A, "documents", "read"))
    add("permission resource * matches check resource *", "star_resource", (A, "*", "read"))
    add("check action * is literal", "read:documents", (A, "documents", "*"))
    add("check action * granted by action wildcard", "admin", (A, "documents", "*"))
    add("empty scope string", "", (A, "documents", "read"))
    add("whitespace-only scope string", " \t ", (A, "documents", "read"))
    add("leading/trailing/repeated spaces", "  openid   read:documents  ", (A, "documents", "read"))
    add("tab separates", "openid\tread:documents", (A, "documents", "read"))
    add("newline separates", "openid\nread:documents", (A, "documents", "read"))
    add("CR separates", "openid\rread:documents", (A, "documents", "read"))
    add("vertical tab separates", "openid\x0bread:documents", (A, "documents", "read"))
    add("form feed separates", "openid\x0cread:documents", (A, "documents", "read"))
    add("U+001C (file separator) separates", "openid\x1cread:documents", (A, "documents", "read"))
    add("U+001F (unit separator) separates", "openid\x1fread:documents", (A, "documents", "read"))
    add("U+0085 NEL separates", "openid\u0085read:documents", (A, "documents", "read"))
    add("U+00A0 NBSP separates", "openid\u00a0read:documents", (A, "documents", "read"))
    add("U+2003 EM SPACE separates", "openid\u2003read:documents", (A, "documents", "read"))
    add("U+2028 LINE SEPARATOR separates", "openid\u2028read:documents", (A, "documents", "read"))
    add("U+3000 IDEOGRAPHIC SPACE separates", "openid\u3000read:documents", (A, "documents", "read"))
    add("U+200B ZERO WIDTH SPACE does not separate", "openid\u200bread:documents", (A, "documents", "read"))
    add("U+FEFF does not separate", "openid\ufeffread:documents", (A, "documents", "read"))
    add("U+180E MONGOLIAN VOWEL SEPARATOR does not separate", "openid\u180eread:documents",
        (A, "documents", "read"))
    add("scope name case differs", "reports:read", (A, "reports", "read"))
    add("scope name exact case", "Reports:Read", (A, "reports", "read"))
    add("resource case differs", "case", (A, "documents", "Read"))
    add("action case differs", "case", (A, "Documents", "read"))
    add("resource and action exact case", "case", (A, "Documents", "Read"))
    add("KELVIN SIGN scope exact", KELVIN + "elvin", (A, "reports", "export"))
    add("ASCII K vs KELVIN SIGN scope", "Kelvin", (A, "reports", "export"))
    add("NFC scope exact", "caf" + E_NFC, (A, "audit", "read"))
    add("NFD scope vs NFC policy scope", "caf" + E_NFD, (A, "audit", "read"))
    add("two colons are fine here (names only)", "read:documents:all read:documents", (A, "documents", "read"))
    add("organization roles are not used for Connected Apps", "openid", (A, "reports", "read"))
    add("duplicated scope", "read:documents read:documents", (A, "documents", "read"))
    return c


def run_ca():
    cases = []
    for case in ca_cases():
        sdk = sdk_objects(CA_POLICIES[case["policy"]])
        t = case["token"]
        payload = registered(MEMBER_ID, scope=t["scope"])
        payload[ORG_CLAIM] = {"organization_id": t["organization_id"], "slug": "acme"}
        token = sign(payload)
        check = AuthorizationCheck(**case["check"])
        seen = {}
        real_check = rbac_local.perform_scope_authorization_check

        def recording_check(**kwargs):
            seen["token_scopes"] = list(kwargs["token_scopes"])  # idp.py's own split of the claim
            return real_check(**kwargs)

        rbac_local.perform_scope_authorization_check = recording_check
        try:
            result = sdk.idp.introspect_access_token_local(token, authorization_check=check)
            if result is None:
                raise RuntimeError("SDK rejected the token itself: fix the generator")
            outcome, exc_name, message = "allowed", None, None
            assert result.scope == t["scope"]
        except rbac_local.TenancyError as exc:
            outcome, exc_name, message = "tenancy_mismatch", type(exc).__name__, str(exc)
        except rbac_local.RBACPermissionError as exc:
            outcome, exc_name, message = "permission_denied", type(exc).__name__, str(exc)
        finally:
            rbac_local.perform_scope_authorization_check = real_check
        token_scopes = seen["token_scopes"]
        try:
            rbac_local.perform_scope_authorization_check(
                policy=sdk.cache.get(), token_scopes=token_scopes,
                subject_org_id=t["organization_id"], authorization_check=check)
            direct = "allowed"
        except rbac_local.TenancyError:
            direct = "tenancy_mismatch"
        except rbac_local.RBACPermissionError:
            direct = "permission_denied"
        assert direct == outcome, (case["description"], direct, outcome)
        case.update({"outcome": outcome, "sdk_exception": exc_name, "sdk_message": message,
                     "token_scopes": token_scopes})
        cases.append(case)

    separators = [f"U+{cp:04X}" for cp in range(0x110000)
                  if 0xD800 > cp or cp > 0xDFFF
                  if len(("a" + chr(cp) + "b").split()) == 2]
    return {
        "generator": GENERATOR,
        "sdk": SDK,
        "description": (
            "Connected Apps: stytch.b2b.api.idp.IDP.introspect_access_token_local(token, "
            "authorization_check=AuthorizationCheck(**check)) on an access token with scope = token.scope and "
            "https://stytch.com/organization = {organization_id: token.organization_id, slug: 'acme'}. The policy is "
            "policies[policy].project_policy only (PolicyCache.get(): no organization roles). token_scopes is "
            "the list the SDK passed to rbac_local.perform_scope_authorization_check (idp.py: "
            "scope.split(), Python's str.split(): any str.isspace() character separates; see scope_separators)."
        ),
        "outcomes": {
            "allowed": "returned IDPTokenClaims",
            "tenancy_mismatch": "raised rbac_local.TenancyError (a ValueError)",
            "permission_denied": "raised rbac_local.RBACPermissionError (a ValueError)",
        },
        "scope_separators": separators,
        "scope_separators_note": (
            "code points c for which Python's str.split() (Unicode " + __import__("unicodedata").unidata_version
            + " database in this interpreter) splits 'a'+c+'b' in two; M2M splits on U+0020 only"
        ),
        "policies": CA_POLICIES,
        "cases": cases,
    }


# --------------------------------------------------------------------------- claims.json

def json_safe(value):
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(getattr(value, "value"), str):  # enums
        return value.value
    return value


def claims_cases():
    c = []
    ca_org = {"organization_id": ORG_A, "slug": "acme"}

    def add(desc, entry, payload, **kwargs):
        c.append({"description": desc, "entry_point": entry, "payload": payload,
                  "arguments": kwargs})

    S, M, C = "sessions.authenticate_jwt_local", "m2m.authenticate_token", "idp.introspect_access_token_local"
    base_session = session_payload(ORG_A, roles=["stytch_member"])
    add("session: reference token", S, session_payload(ORG_A, roles=["stytch_member"], extra={"my_custom_claim": "value", "jti": "j-1"}))
    add("session: aud as a plain string", S, {**base_session, "aud": PROJECT_ID})
    add("session: aud list without the project", S, {**base_session, "aud": ["other"]})
    add("session: iss is the API base URL without slash", S, {**base_session, "iss": "https://test.stytch.com"})
    add("session: iss with trailing slash", S, {**base_session, "iss": "https://test.stytch.com/"})
    add("session: roles absent, no check", S, session_payload(ORG_A, roles_present=False))
    add("session: roles null, no check", S, session_payload(ORG_A, roles=None))
    add("session: roles a string, no check", S, session_payload(ORG_A, roles="stytch_member"))
    add("session: slug absent", S, session_payload(ORG_A, roles=[], slug=None))
    add("session: unknown authentication factor type", S,
        {**base_session, SESSION_CLAIM: {**base_session[SESSION_CLAIM], "authentication_factors": [
            {"type": "passkey_v2", "delivery_method": "knowledge"}]}})
    add("session: session expires_at in the past (JWT still valid)", S,
        {**base_session, SESSION_CLAIM: {**base_session[SESSION_CLAIM], "expires_at": "2025-12-31T00:00:00Z"}})
    add("session: timestamps with nanosecond fractions", S,
        {**base_session, SESSION_CLAIM: {**base_session[SESSION_CLAIM],
                                         "last_accessed_at": "2026-01-01T00:00:00.935673870Z",
                                         "expires_at": "2026-01-01T02:00:00.999999999Z"}})
    add("session: session expires_at absent (exp used)", S,
        {**base_session, SESSION_CLAIM: {k: v for k, v in base_session[SESSION_CLAIM].items() if k != "expires_at"}})
    add("session: sub absent", S, {k: v for k, v in base_session.items() if k != "sub"})
    add("session: sub empty string", S, {**base_session, "sub": ""})
    add("session: exp == now", S, {**base_session, "exp": NOW})
    add("session: exp == now + 1", S, {**base_session, "exp": NOW + 1})
    add("session: exp == now, leeway 1", S, {**base_session, "exp": NOW}, leeway=1)
    add("session: nbf == now + 1", S, {**base_session, "nbf": NOW + 1})
    add("session: nbf == now + 1, leeway 1", S, {**base_session, "nbf": NOW + 1}, leeway=1)
    add("session: iat == now + 1", S, {**base_session, "iat": NOW + 1})
    add("session: iat as a numeric string", S, {**base_session, "iat": str(IAT)})
    add("session: exp as a float", S, {**base_session, "exp": IAT + 300.5})
    add("session: exp true (bool)", S, {**base_session, "exp": True})
    add("session: nbf null", S, {**base_session, "nbf": None})
    add("session: max_token_age == age (60)", S, base_session, max_token_age_seconds=60)
    add("session: max_token_age == age + 1", S, base_session, max_token_age_seconds=61)
    add("session: max_token_age 0", S, base_session, max_token_age_seconds=0)
    add("session: max_token_age 0 with iat == now", S, {**base_session, "iat": NOW}, max_token_age_seconds=0)
    add("session: M2M token given to sessions", S, registered(M2M_CLIENT_ID, scope="read:users"))
    add("session: unknown kid", S, {**base_session, "_kid": "jwk-test-unknown"})
    m2m_base = registered(M2M_CLIENT_ID, scope="read:users write:users")
    add("m2m: reference token with custom claims", M, {**m2m_base, "tenant": "t-1", "jti": "j-2"})
    add("m2m: scope absent", M, {k: v for k, v in m2m_base.items() if k != "scope"})
    add("m2m: scope not a string", M, {**m2m_base, "scope": ["read:users"]})
    add("m2m: session JWT given to m2m", M, base_session)
    add("m2m: Connected Apps token given to m2m", M, {**registered(MEMBER_ID, scope="openid"), ORG_CLAIM: ca_org})
    add("m2m: max_token_age == age", M, m2m_base, max_token_age=60)
    add("m2m: max_token_age == age + 1", M, m2m_base, max_token_age=61)
    add("m2m: exp far away (lifetime not 300 s)", M, {**m2m_base, "exp": IAT + 3600})
    ca_base = {**registered(MEMBER_ID, scope="openid read:documents"), ORG_CLAIM: ca_org}
    add("connected apps: reference token with custom claims", C,
        {**ca_base, "client_id": "connected-app-test-1", "tenant": "t-1", "jti": "j-3"})
    add("connected apps: aud as a plain string", C, {**ca_base, "aud": PROJECT_ID})
    add("connected apps: organization claim absent (M2M token)", C, registered(M2M_CLIENT_ID, scope="read:users"))
    add("connected apps: session JWT given to introspect", C, base_session)
    add("connected apps: scope absent", C, {k: v for k, v in ca_base.items() if k != "scope"})
    add("connected apps: organization claim without organization_id, no check", C,
        {**ca_base, ORG_CLAIM: {"slug": "acme"}})
    add("connected apps: token 1 hour old (no max age applied)", C,
        {**ca_base, "iat": NOW - 3600, "nbf": NOW - 3600, "exp": NOW + 60})
    return c


def run_claims():
    cases = []
    for case in claims_cases():
        sdk = sdk_objects()
        payload = dict(case["payload"])
        kid = payload.pop("_kid", KID)
        if kid != KID:
            case["payload"] = payload
            case["kid"] = kid
        token = sign(payload, kid=kid)
        entry = case["entry_point"]
        fn = {"sessions.authenticate_jwt_local": sdk.sessions.authenticate_jwt_local,
              "m2m.authenticate_token": sdk.m2m.authenticate_token,
              "idp.introspect_access_token_local": sdk.idp.introspect_access_token_local}[entry]
        try:
            result = fn(token, **case["arguments"])
            if result is None:
                outcome, exc_name, message, fields = "rejected", None, None, None
            else:
                outcome, exc_name, message = "returned", None, None
                fields = json_safe(result.model_dump(exclude_none=True))
        except Exception as exc:
            outcome, exc_name, message, fields = "error", type(exc).__name__, str(exc), None
            if len(message) > 300:  # pydantic's messages are long; keep the first lines
                message = message[:300] + "…"
        case.update({"outcome": outcome, "sdk_exception": exc_name, "sdk_message": message, "result": fields})
        cases.append(case)
    return {
        "generator": GENERATOR,
        "sdk": SDK,
        "description": (
            "Claims and time rules of the three local entry points, with pyjwt's and the SDK's clocks frozen at "
            "now. payload is signed RS256 with the demo key (kid " + KID + " unless kid says otherwise); "
            "entry_point is called as sessions.authenticate_jwt_local(token, **arguments), "
            "m2m.authenticate_token(token, **arguments) or idp.introspect_access_token_local(token, **arguments) "
            "of a B2BClient for project_id with base URL base_url. result is the returned model, dumped without its null fields."
        ),
        "now": NOW,
        "project_id": PROJECT_ID,
        "base_url": BASE_URL,
        "outcomes": {
            "returned": "the entry point returned a model (result)",
            "rejected": "the entry point returned None (jwt_helpers swallows every pyjwt error into None)",
            "error": "the entry point raised sdk_exception",
        },
        "cases": cases,
    }


def write(name: str, doc: dict) -> None:
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, sort_keys=True, ensure_ascii=True)
        f.write("\n")
    print(f"wrote {os.path.relpath(path, ROOT)} ({len(doc['cases'])} cases)")


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    write("rbac.json", run_rbac())
    write("m2m-scopes.json", run_m2m())
    write("connected-apps.json", run_ca())
    write("claims.json", run_claims())


if __name__ == "__main__":
    main()
