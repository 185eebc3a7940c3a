"""A FastAPI app behind the login server, reading who is asking the way co-cddo's cognito-auth apps do.

cognito_auth's FastAPIAuth (written for an AWS ALB with Cognito) takes the request headers as a dict, reads
`X-Amzn-Oidc-Data` (or its lower-case form) for the user (sub, email, username) and `X-Amzn-Oidc-Accesstoken`
for the groups (the access token's `cognito:groups`), and verifies both: the first (ES256) with the PEM public key
the ALB publishes per `kid`, the second (RS256) with the user pool's JWKS. This app does the same with PyJWT,
against the login server's keys (ALB_KEYS_URL, i.e. `<base>/auth/auth/keys`, + `/<kid>`) and the emulator's JWKS
(COGNITO_JWKS_URL). A request without valid tokens gets 401 JSON, as `FastAPIAuth.get_auth_user` answers.

Every answer also reports the identity headers as received (oauth2-proxy's names and any spelling with
underscores), so a test can check that no client-sent copy got through.

Run: python3 -m uvicorn fastapi_app:app --app-dir test/helpers --host 127.0.0.1 --port 8000
"""

from __future__ import annotations

import os
import urllib.request

import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

ALB_KEYS_URL = os.environ["ALB_KEYS_URL"]
COGNITO_JWKS_URL = os.environ["COGNITO_JWKS_URL"]

app = FastAPI()
_alb_keys: dict[str, str] = {}
_cognito_keys = jwt.PyJWKClient(COGNITO_JWKS_URL)


def _get_header(headers: dict, name: str) -> str | None:
    """cognito_auth's look-up: the name as given, then in lower case."""
    return headers.get(name) or headers.get(name.lower())


def _alb_public_key(kid: str) -> str:
    if kid not in _alb_keys:
        with urllib.request.urlopen(f"{ALB_KEYS_URL}/{kid}", timeout=10) as res:
            _alb_keys[kid] = res.read().decode()
    return _alb_keys[kid]


def _user_from_headers(headers: dict) -> dict:
    oidc_data = _get_header(headers, "X-Amzn-Oidc-Data")
    access_token = _get_header(headers, "X-Amzn-Oidc-Accesstoken")
    if not oidc_data:
        raise ValueError("x-amzn-oidc-data header is required")
    if not access_token:
        raise ValueError("x-amzn-oidc-accesstoken header is required")
    kid = jwt.get_unverified_header(oidc_data)["kid"]
    oidc_claims = jwt.decode(
        oidc_data, _alb_public_key(kid), algorithms=["ES256"], options={"verify_aud": False}
    )
    access_claims = jwt.decode(
        access_token,
        _cognito_keys.get_signing_key_from_jwt(access_token).key,
        algorithms=["RS256"],
        options={"verify_aud": False},
    )
    if oidc_claims["sub"] != access_claims["sub"]:
        raise ValueError("the two tokens name different users")
    return {
        "sub": oidc_claims["sub"],
        "email": oidc_claims.get("email", ""),
        "username": oidc_claims.get("username", ""),
        "groups": access_claims.get("cognito:groups", []),
    }


def _identity_headers(request: Request) -> dict:
    """Every identity header as received, with its raw name (Starlette keeps underscores)."""
    seen: dict = {}
    for raw_name, raw_value in request.headers.raw:
        name = raw_name.decode("latin-1").lower()
        canonical = name.replace("_", "-")
        if canonical.startswith(("x-auth-request-", "x-amzn-oidc-")) or canonical in (
            "x-forwarded-user",
            "x-forwarded-email",
            "x-forwarded-groups",
            "x-forwarded-preferred-username",
            "x-forwarded-access-token",
        ):
            seen.setdefault(name, []).append(raw_value.decode("latin-1"))
    return seen


@app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def whoami(request: Request, path: str):
    headers = dict(request.headers)
    report = {
        "path": request.url.path,
        "query": request.url.query,
        "method": request.method,
        "identityHeaders": _identity_headers(request),
    }
    try:
        report["user"] = _user_from_headers(headers)
    except Exception as err:  # as cognito_auth: any failure is "not authenticated"
        return JSONResponse(
            status_code=401,
            content={**report, "error": "Authentication failed", "reason": f"{type(err).__name__}: {err}"},
        )
    return JSONResponse(content=report)
