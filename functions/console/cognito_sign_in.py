"""The console's calls to its Cognito user pool (docs/console.md, "Sign-in challenges and signing
out"). The app client has no secret, so every call here is one of Cognito's unauthenticated or
token-authorized operations (no IAM grant):

- `InitiateAuth` USER_PASSWORD_AUTH: tokens, or a challenge (`ChallengeName` + `Session`);
  REFRESH_TOKEN_AUTH: new ID and access tokens of the session (the silent refresh);
- `RespondToAuthChallenge` NEW_PASSWORD_REQUIRED (`USERNAME`, `NEW_PASSWORD`) and
  SOFTWARE_TOKEN_MFA (`USERNAME`, `SOFTWARE_TOKEN_MFA_CODE`): tokens, or the next challenge;
- `GetUser`, `AssociateSoftwareToken`, `VerifySoftwareToken`, `SetUserMFAPreference` with the
  operator's access token (TOTP enrolment on the account page);
- `RevokeToken` with the refresh token on sign-out (the client has token revocation enabled).

Cognito's error codes are mapped here, once, to the ports' exceptions; any other error raises."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError

from console.ports import SignInRefused
from console.sign_in_ports import (
    ANSWERED_CHALLENGES,
    NEW_PASSWORD_REQUIRED,
    SOFTWARE_TOKEN_MFA,
    AccountRefused,
    Challenge,
    ChallengeExpired,
    ChallengeRefused,
    SignInStep,
    Tokens,
    TotpEnrolment,
)
from shared.observability import logger

REFUSED_CODES = frozenset(
    {
        "NotAuthorizedException",
        "UserNotFoundException",
        "UserNotConfirmedException",
        "PasswordResetRequiredException",
        "InvalidParameterException",
    }
)
WRONG_CODE = frozenset({"CodeMismatchException", "EnableSoftwareTokenMFAException"})
"""A TOTP code that does not match (EnableSoftwareTokenMFAException: the enrolment's code)."""
EXPIRED_SESSION = frozenset(
    {"NotAuthorizedException", "ExpiredCodeException", "ResourceNotFoundException", "UserNotFoundException"}
)
"""A challenge session that is over: Cognito says NotAuthorized ("Invalid session for the user,
session is expired"); moto says ResourceNotFound for a session it does not know."""
UNUSABLE_REFRESH_TOKEN = frozenset(
    {
        "NotAuthorizedException",
        "InvalidParameterException",
        "UnauthorizedException",
        "UnsupportedTokenTypeException",
    }
)
ACCOUNT_REFUSED = frozenset({"NotAuthorizedException", "UserNotFoundException", "ResourceNotFoundException"})


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", ""))[:300]


def _step(answer: Mapping[str, Any], username: str) -> SignInStep:
    result = answer.get("AuthenticationResult") or {}
    if result.get("IdToken"):
        return Tokens(
            id_token=str(result["IdToken"]),
            access_token=str(result.get("AccessToken") or ""),
            refresh_token=str(result.get("RefreshToken") or ""),
        )
    name, session = answer.get("ChallengeName"), answer.get("Session")
    if name in ANSWERED_CHALLENGES and session:
        named = (answer.get("ChallengeParameters") or {}).get("USER_ID_FOR_SRP") or username
        return Challenge(str(name), str(session), str(named))
    logger.info("console sign-in challenge not answered", extra={"challenge": str(name)})
    raise SignInRefused


class CognitoSignIn:
    def __init__(self, client_id: str, client: Any) -> None:
        self._client_id = client_id
        self._client = client

    def sign_in(self, username: str, password: str) -> SignInStep:
        if not username or not password:
            raise SignInRefused
        try:
            answer = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as error:
            if _code(error) in REFUSED_CODES:
                raise SignInRefused from None
            raise
        return _step(answer, username)

    def refresh(self, refresh_token: str) -> Tokens:
        try:
            answer = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
        except ParamValidationError:  # not a token Cognito issued (a tampered cookie)
            raise SignInRefused from None
        except ClientError as error:
            if _code(error) in REFUSED_CODES:  # revoked or expired
                raise SignInRefused from None
            raise
        result = answer.get("AuthenticationResult") or {}
        if not result.get("IdToken"):
            raise SignInRefused
        return Tokens(
            id_token=str(result["IdToken"]),
            access_token=str(result.get("AccessToken") or ""),
            refresh_token=str(result.get("RefreshToken") or refresh_token),  # rotation: a new one
        )

    def respond(self, challenge: Challenge, answer: str) -> SignInStep:
        """Answer `challenge` with the new password (NEW_PASSWORD_REQUIRED) or the TOTP code."""
        responses = {"USERNAME": challenge.username}
        if challenge.name == NEW_PASSWORD_REQUIRED:
            responses["NEW_PASSWORD"] = answer
        elif challenge.name == SOFTWARE_TOKEN_MFA:
            responses["SOFTWARE_TOKEN_MFA_CODE"] = answer
        else:
            raise SignInRefused
        try:
            reply = self._client.respond_to_auth_challenge(
                ClientId=self._client_id,
                ChallengeName=challenge.name,
                Session=challenge.session,
                ChallengeResponses=responses,
            )
        except ParamValidationError:  # a session or username no Cognito issued (a tampered cookie)
            raise ChallengeExpired from None
        except ClientError as error:
            code = _code(error)
            if code == "InvalidPasswordException":
                raise ChallengeRefused("password_refused", _message(error)) from None
            if code in WRONG_CODE:
                raise ChallengeRefused("wrong_code") from None
            if code in EXPIRED_SESSION:
                raise ChallengeExpired from None
            raise
        return _step(reply, challenge.username)


class CognitoAccount:
    """The signed-in operator's account, with the session's access token."""

    def __init__(self, client_id: str, client: Any) -> None:
        self._client_id = client_id
        self._client = client

    def _call(self, operation: str, **parameters: Any) -> dict[str, Any]:
        try:
            answer: dict[str, Any] = getattr(self._client, operation)(**parameters)
        except ParamValidationError:  # a token no Cognito issued (a tampered cookie)
            raise AccountRefused from None
        except ClientError as error:
            if _code(error) in WRONG_CODE:
                raise ChallengeRefused("wrong_code") from None
            if _code(error) in ACCOUNT_REFUSED:
                raise AccountRefused from None
            raise
        return answer

    def totp_enabled(self, access_token: str) -> bool:
        if not access_token:
            raise AccountRefused
        user = self._call("get_user", AccessToken=access_token)
        return SOFTWARE_TOKEN_MFA in (user.get("UserMFASettingList") or [])

    def begin_totp(self, access_token: str) -> TotpEnrolment:
        if not access_token:
            raise AccountRefused
        answer = self._call("associate_software_token", AccessToken=access_token)
        return TotpEnrolment(secret=str(answer["SecretCode"]))

    def confirm_totp(self, access_token: str, code: str) -> None:
        if not access_token:
            raise AccountRefused
        verified = self._call(
            "verify_software_token",
            AccessToken=access_token,
            UserCode=code,
            FriendlyDeviceName="ordertrack console",
        )
        if verified.get("Status") != "SUCCESS":
            raise ChallengeRefused("wrong_code")
        self._call(
            "set_user_mfa_preference",
            AccessToken=access_token,
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        )

    def end_session(self, refresh_token: str) -> None:
        if not refresh_token:
            return
        try:
            self._client.revoke_token(Token=refresh_token, ClientId=self._client_id)
        except ParamValidationError:
            logger.info("console refresh token not one Cognito issued")
        except ClientError as error:
            # already revoked, expired or not a refresh token: the session is over either way (and
            # already on the console's revoked list); throttling and internal errors still raise
            if _code(error) not in UNUSABLE_REFRESH_TOKEN:
                raise
            logger.info("console refresh token already unusable", extra={"code": _code(error)})
