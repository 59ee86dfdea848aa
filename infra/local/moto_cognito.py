"""A patch to moto's cognito-idp, applied with the others in the local moto server
(:mod:`infra.local.moto_patches`): ``RevokeToken``, which moto 5.2.5 does not implement
("The revoke_token action has not been implemented").

On AWS, ``RevokeToken`` (``Token``: a refresh token, ``ClientId``) revokes that refresh token and
every access token it issued; an ID token it issued keeps its signature, so relying parties that
must refuse it keep their own list (the console does: docs/console.md)
(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RevokeToken.html).
Here the refresh token is marked revoked exactly as moto's own ``GlobalSignOut`` marks it (later
``REFRESH_TOKEN_AUTH`` answers "Refresh Token has been revoked") and the access tokens carrying its
``origin_jti`` are forgotten (``GetUser``, ``AssociateSoftwareToken``... then answer
``NotAuthorizedException``). A token moto does not know is answered like a known one (RFC 7009
2.2: an invalid token is no error)."""

from __future__ import annotations

from typing import Any


def _origin_jti(access_token: str) -> str | None:
    import jwt

    try:
        claims = jwt.decode(access_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    origin = claims.get("origin_jti")
    return str(origin) if origin else None


def revoke_token(backend: Any, token: str, client_id: str) -> None:
    for pool in backend.user_pools.values():
        issued = pool.refresh_tokens.get(token)
        if client_id not in pool.clients or not issued or issued[0] != client_id:
            continue
        pool.refresh_tokens[token] = None
        origin = issued[2]
        for access_token in list(pool.access_tokens):
            if _origin_jti(access_token) == origin:
                pool.access_tokens.pop(access_token, None)


def accept_revoke_token() -> None:
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult, EmptyResult

    if getattr(CognitoIdpResponse, "ordertrack_revoke_token", False):
        return

    def revoke_token_action(self: Any) -> ActionResult:
        client_id = self._get_param("ClientId")
        backend = self._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
        revoke_token(backend, self._get_param("Token") or "", client_id or "")
        return EmptyResult()

    CognitoIdpResponse.revoke_token = revoke_token_action  # type: ignore[attr-defined]
    CognitoIdpResponse.ordertrack_revoke_token = True  # type: ignore[attr-defined]
