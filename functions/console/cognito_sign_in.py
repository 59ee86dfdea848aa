"""Sign-in against the console's Cognito user pool: `InitiateAuth` with USER_PASSWORD_AUTH (the
app client has no secret). A challenge (a new password to set, an MFA code) is not handled by this
first slice of the console: such an operator is refused like a wrong password (docs/console.md)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from console.ports import SignInRefused

REFUSED_CODES = frozenset(
    {
        "NotAuthorizedException",
        "UserNotFoundException",
        "UserNotConfirmedException",
        "PasswordResetRequiredException",
        "InvalidParameterException",
    }
)


class CognitoSignIn:
    def __init__(self, client_id: str, client: Any) -> None:
        self._client_id = client_id
        self._client = client

    def sign_in(self, username: str, password: str) -> str:
        if not username or not password:
            raise SignInRefused
        try:
            answer = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in REFUSED_CODES:
                raise SignInRefused from None
            raise
        result = answer.get("AuthenticationResult") or {}
        token = result.get("IdToken")
        if not token:  # a challenge: not supported in this slice
            raise SignInRefused
        return str(token)
