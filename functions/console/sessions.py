"""Who is signed in to the console: the session's Cognito ID token, verified on every request.

A token is accepted only when its RS256 signature verifies under a key of the pool's JWKS (fetched
once and cached by `PyJWKClient`, refetched when a token names an unknown key id), its issuer is
the pool (`https://cognito-idp.<region>.amazonaws.com/<pool id>`), its audience is the console's
app client, `token_use` is `id`, and it has not expired by the injected clock. Anything else is
`None`: the caller sends the browser to the sign-in page and never says why.

The token's `origin_jti` (`jti` if it has none) names the session: a session signed out is refused
by the dispatcher (`console.sign_in_flow.signed_in_operator`, one read of the revoked list).

Groups come from the token's `cognito:groups` claim: `manager` opens everything, `agent` everything
but the manager-only pages, and an operator in neither group opens nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import jwt

from shared.clock import Clock

AGENT = "agent"
MANAGER = "manager"
ROLES = (AGENT, MANAGER)
ALGORITHMS = ["RS256"]


class SigningKeys(Protocol):
    """The pool's public keys: the key that signed `token` (raises `jwt.PyJWTError` if none)."""

    def get_signing_key_from_jwt(self, token: str) -> Any: ...


@dataclass(frozen=True)
class Operator:
    username: str
    groups: frozenset[str]
    subject: str
    expires: int  # Unix seconds
    session_id: str = ""  # the token's `origin_jti` (or `jti`): what signing out revokes

    @property
    def is_manager(self) -> bool:
        return MANAGER in self.groups

    @property
    def role(self) -> str | None:
        return MANAGER if self.is_manager else AGENT if AGENT in self.groups else None


def issuer_for(region: str, pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def jwks_url_for(region: str, pool_id: str, endpoint: str | None = None) -> str:
    """The pool's JWKS; `endpoint` (a local moto server) serves it at `/<pool id>/.well-known/jwks.json`."""
    base = endpoint.rstrip("/") if endpoint else issuer_for(region, pool_id)
    return f"{base}/{pool_id}/.well-known/jwks.json" if endpoint else f"{base}/.well-known/jwks.json"


class TokenVerifier:
    def __init__(self, keys: SigningKeys, issuer: str, client_id: str, clock: Clock) -> None:
        self.keys = keys
        self.issuer = issuer
        self.client_id = client_id
        self.clock = clock

    def operator(self, token: str | None) -> Operator | None:
        if not token or len(token) > 8192:
            return None
        try:
            key = self.keys.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key=getattr(key, "key", key),
                algorithms=ALGORITHMS,
                audience=self.client_id,
                issuer=self.issuer,
                # expiry is checked below against the injected clock, not the wall clock
                options={"require": ["exp", "iss", "aud", "sub"], "verify_exp": False, "verify_iat": False},
            )
        except (jwt.PyJWTError, ValueError, KeyError):
            return None
        expires = claims.get("exp")
        if not isinstance(expires, int) or expires <= int(self.clock.now().timestamp()):
            return None
        if claims.get("token_use") != "id":
            return None
        username = claims.get("cognito:username")
        groups = claims.get("cognito:groups") or []
        if not isinstance(username, str) or not username or not isinstance(groups, list):
            return None
        return Operator(
            username=username,
            groups=frozenset(str(group) for group in groups),
            subject=str(claims["sub"]),
            expires=expires,
            session_id=str(claims.get("origin_jti") or claims.get("jti") or "")[:128],
        )


def may_open(operator: Operator, required: Iterable[str]) -> bool:
    """Whether the operator's groups allow a page that requires one of `required` (manager: any)."""
    wanted = set(required)
    return operator.is_manager or bool(wanted & operator.groups)
