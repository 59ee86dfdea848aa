"""The console's Cognito calls for challenges, TOTP enrolment and sign-out against moto's cognito-idp
(in process), and the revoked-session list in a moto table.

moto 5.2.5 checks TOTP codes only with `MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true`, against its
fixed secret and its own wall clock (30 s steps, no window), so these tests compute RFC 6238 codes
at the wall clock too (`tests.fakes.totp`) and answer once more if a step boundary fell in between.
`RevokeToken` is not in moto: `infra.local.moto_cognito` adds it (as in the local moto server)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import jwt
import pytest
from botocore.exceptions import ClientError

from console.adapters.signin import DynamoRevokedSessions
from console.cognito_sign_in import CognitoAccount, CognitoSignIn
from console.ports import SignInRefused
from console.sign_in_ports import (
    NEW_PASSWORD_REQUIRED,
    SOFTWARE_TOKEN_MFA,
    AccountRefused,
    Challenge,
    ChallengeExpired,
    ChallengeRefused,
    Tokens,
)
from infra.local.cognito import DEFAULT_PASSWORD
from infra.local.moto_cognito import accept_revoke_token
from infra.local.template import Resolver
from tests.fakes.totp import STEP_SECONDS, totp
from tests.integration.console.test_cognito_sign_in import pool  # noqa: F401 - the fixture

Result = TypeVar("Result")
CHOSEN = "a-chosen-password"  # the local pool's policy: 12+ characters, lowercase


@pytest.fixture
def cognito(pool: tuple[Resolver, Any, Any], monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, Any]:  # noqa: F811
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    accept_revoke_token()
    resolver, _, client = pool
    return resolver.ref("ConsoleUserPool"), resolver.ref("ConsoleUserPoolClient"), client


def with_current_code(secret: str, answer: Callable[[str], Result]) -> Result:
    """Answer with the code of now; once more if the 30 s step changed while answering."""
    step = int(time.time()) // STEP_SECONDS
    try:
        return answer(totp(secret, time.time()))
    except ChallengeRefused:
        if int(time.time()) // STEP_SECONDS == step:
            raise
        return answer(totp(secret, time.time()))


def wrong_code(secret: str) -> str:
    now = time.time()
    near = {totp(secret, now + offset) for offset in (-STEP_SECONDS, 0, STEP_SECONDS)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in near)


def test_a_temporary_password_is_changed_through_the_challenge(cognito: tuple[str, str, Any]) -> None:
    pool_id, client_id, client = cognito
    client.admin_create_user(
        UserPoolId=pool_id,
        Username="new@local",
        TemporaryPassword="temporary-password",
        MessageAction="SUPPRESS",
    )
    client.admin_add_user_to_group(UserPoolId=pool_id, Username="new@local", GroupName="agent")
    sign_in = CognitoSignIn(client_id, client)
    challenge = sign_in.sign_in("new@local", "temporary-password")
    assert isinstance(challenge, Challenge) and challenge.name == NEW_PASSWORD_REQUIRED
    assert challenge.username == "new@local" and challenge.session

    with pytest.raises(ChallengeRefused) as refused:
        sign_in.respond(challenge, "short")
    assert refused.value.reason == "password_refused" and "policy" in refused.value.detail

    tokens = sign_in.respond(challenge, CHOSEN)
    assert isinstance(tokens, Tokens) and tokens.access_token and tokens.refresh_token
    claims = jwt.decode(tokens.id_token, options={"verify_signature": False})
    assert claims["token_use"] == "id" and claims["cognito:groups"] == ["agent"]
    assert claims["jti"] and claims["origin_jti"]  # what signing out revokes
    assert isinstance(sign_in.sign_in("new@local", CHOSEN), Tokens)  # the password is permanent now
    with pytest.raises(ChallengeExpired):  # answered: moto forgets the session, as Cognito does
        sign_in.respond(challenge, CHOSEN)


def test_an_unknown_expired_or_malformed_session_is_expired(cognito: tuple[str, str, Any]) -> None:
    _, client_id, client = cognito
    sign_in, account = CognitoSignIn(client_id, client), CognitoAccount(client_id, client)
    for session in ("0" * 36, "short"):  # one moto never issued; one botocore refuses to send
        with pytest.raises(ChallengeExpired):
            sign_in.respond(Challenge(SOFTWARE_TOKEN_MFA, session, "agent@local"), "123456")
    with pytest.raises(AccountRefused):  # an access token no Cognito issued, even malformed
        account.totp_enabled("not a token!")
    account.end_session("not a token!")


def test_an_operator_enrols_totp_and_then_signs_in_with_a_code(cognito: tuple[str, str, Any]) -> None:
    _, client_id, client = cognito
    sign_in, account = CognitoSignIn(client_id, client), CognitoAccount(client_id, client)
    tokens = sign_in.sign_in("agent@local", DEFAULT_PASSWORD)
    assert isinstance(tokens, Tokens)
    assert account.totp_enabled(tokens.access_token) is False

    secret = account.begin_totp(tokens.access_token).secret
    with pytest.raises(ChallengeRefused):
        account.confirm_totp(tokens.access_token, wrong_code(secret))
    assert account.totp_enabled(tokens.access_token) is False
    with_current_code(secret, lambda code: account.confirm_totp(tokens.access_token, code))
    assert account.totp_enabled(tokens.access_token) is True

    challenge = sign_in.sign_in("agent@local", DEFAULT_PASSWORD)
    assert isinstance(challenge, Challenge) and challenge.name == SOFTWARE_TOKEN_MFA
    with pytest.raises(ChallengeRefused) as refused:
        sign_in.respond(challenge, wrong_code(secret))
    assert refused.value.reason == "wrong_code"
    signed_in = with_current_code(secret, lambda code: sign_in.respond(challenge, code))
    assert isinstance(signed_in, Tokens)


def test_revoking_the_refresh_token_ends_it_and_its_access_tokens(cognito: tuple[str, str, Any]) -> None:
    _, client_id, client = cognito
    account = CognitoAccount(client_id, client)
    tokens = CognitoSignIn(client_id, client).sign_in("manager@local", DEFAULT_PASSWORD)
    other = CognitoSignIn(client_id, client).sign_in("manager@local", DEFAULT_PASSWORD)  # another browser
    assert isinstance(tokens, Tokens) and isinstance(other, Tokens)
    sign_in = CognitoSignIn(client_id, client)
    refreshed = sign_in.refresh(tokens.refresh_token)  # the silent refresh: the same session
    origin = jwt.decode(tokens.id_token, options={"verify_signature": False})["origin_jti"]
    assert jwt.decode(refreshed.id_token, options={"verify_signature": False})["origin_jti"] == origin
    assert refreshed.refresh_token == tokens.refresh_token and refreshed.access_token

    account.end_session(tokens.refresh_token)
    with pytest.raises(SignInRefused):
        sign_in.refresh(tokens.refresh_token)
    refresh = {"ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH"}
    with pytest.raises(ClientError) as refused:
        client.initiate_auth(**refresh, AuthParameters={"REFRESH_TOKEN": tokens.refresh_token})
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    with pytest.raises(AccountRefused):
        account.totp_enabled(tokens.access_token)
    assert account.totp_enabled(other.access_token) is False  # only this session ends
    account.end_session(tokens.refresh_token)  # twice, or an unknown token: no error
    account.end_session("")
    with pytest.raises(SignInRefused):
        sign_in.refresh("not a token!")


def test_revoked_sessions_are_kept_until_the_token_expires(orders_table: str, dynamodb: Any) -> None:
    revoked = DynamoRevokedSessions(orders_table, dynamodb)
    assert revoked.is_revoked("origin-1") is False
    revoked.revoke("origin-1", 1_795_000_000)
    assert revoked.is_revoked("origin-1") is True and revoked.is_revoked("origin-2") is False
    item = dynamodb.get_item(
        TableName=orders_table, Key={"pk": {"S": "CONSOLE_REVOKED#origin-1"}, "sk": {"S": "CONSOLE_REVOKED"}}
    )["Item"]
    assert item["expires_at"] == {"N": "1795000000"} and item["entity"] == {"S": "console_revoked_session"}
    revoked.revoke("", 1)  # a token without an id: nothing to record
    assert revoked.is_revoked("") is False
