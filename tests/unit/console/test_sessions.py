"""Token verification: only a genuine, current ID token of the console's client is a session."""

from __future__ import annotations

import pytest

from console.sessions import AGENT, MANAGER, Operator, TokenVerifier, may_open
from tests.fakes.orders import FrozenClock
from tests.unit.console.conftest import CLIENT, ISSUER, OTHER_KEY, LocalJwks, mint


def verifier(clock: FrozenClock) -> TokenVerifier:
    return TokenVerifier(LocalJwks(), ISSUER, CLIENT, clock)


def test_a_genuine_id_token_names_the_operator_and_groups(clock: FrozenClock) -> None:
    operator = verifier(clock).operator(mint(clock))
    assert operator == Operator(
        "agent@local", frozenset({"agent"}), "sub-agent", int(clock.now().timestamp()) + 3600
    )
    assert operator.role == AGENT


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "another-client"},
        {"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_other"},
        {"token_use": "access"},
        {"exp": None},
        {"cognito:username": None},
    ],
    ids=["wrong-audience", "wrong-issuer", "access-token", "no-expiry", "no-username"],
)
def test_a_token_for_another_client_pool_or_use_is_refused(clock: FrozenClock, overrides: dict) -> None:
    assert verifier(clock).operator(mint(clock, **overrides)) is None


def test_an_expired_token_is_refused_by_the_injected_clock(clock: FrozenClock) -> None:
    token = mint(clock)
    expiry = clock.now().timestamp() + 3600
    assert verifier(FrozenClock(clock.now().fromtimestamp(expiry - 1, clock.now().tzinfo))).operator(token)
    assert (
        verifier(FrozenClock(clock.now().fromtimestamp(expiry, clock.now().tzinfo))).operator(token) is None
    )


def test_a_token_signed_by_another_key_or_tampered_is_refused(clock: FrozenClock) -> None:
    assert verifier(clock).operator(mint(clock, key=OTHER_KEY)) is None
    assert verifier(clock).operator(mint(clock, kid="unknown")) is None
    header, payload, signature = mint(clock).split(".")
    manager = mint(clock, **{"cognito:groups": ["manager"]}).split(".")[1]
    assert verifier(clock).operator(f"{header}.{manager}.{signature}") is None
    assert verifier(clock).operator(f"{header}.{payload}.{signature[:-4]}AAAA") is None


@pytest.mark.parametrize("token", [None, "", "not-a-jwt", "a.b.c", "x" * 9000])
def test_garbage_is_no_session(clock: FrozenClock, token: str | None) -> None:
    assert verifier(clock).operator(token) is None


def test_an_unsigned_token_is_refused(clock: FrozenClock) -> None:
    import jwt

    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "s",
        "token_use": "id",
        "cognito:username": "x",
        "exp": int(clock.now().timestamp()) + 60,
    }
    assert verifier(clock).operator(jwt.encode(claims, None, algorithm="none", headers={"kid": "k1"})) is None


def test_managers_open_every_page_agents_only_theirs_and_others_none() -> None:
    agent = Operator("a", frozenset({AGENT}), "s", 0)
    manager = Operator("m", frozenset({MANAGER}), "s", 0)
    nobody = Operator("n", frozenset(), "s", 0)
    assert may_open(agent, (AGENT,)) and not may_open(agent, (MANAGER,))
    assert may_open(manager, (AGENT,)) and may_open(manager, (MANAGER,))
    assert not may_open(nobody, (AGENT,)) and nobody.role is None
