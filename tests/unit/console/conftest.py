"""Fakes for the console: a locally generated RSA key and its JWKS, tokens minted like Cognito's."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from console.ports import ConsoleServices, SignInRefused
from console.sessions import TokenVerifier, issuer_for
from console.sign_in_ports import Tokens
from orders.domain.place_order import place_order
from orders.domain.ports import OrderQuery
from orders.models.api import CreateOrderRequest, TimelineEntry
from orders.models.order import OrderRecord, OrderStatus
from tests.factories import order_body
from tests.fakes.orders import FrozenClock, InMemoryOrders
from tests.fakes.stats import InMemoryAggregates

POOL = "eu-west-1_console"
CLIENT = "console-client"
ISSUER = issuer_for("eu-west-1", POOL)
FORM_KEY = "k" * 32


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY = rsa_key()
OTHER_KEY = rsa_key()


class LocalJwks:
    """The pool's JWKS as `PyJWKClient` would fetch it: the public half of `KEY` under kid `k1`."""

    def __init__(self, key: rsa.RSAPrivateKey = KEY) -> None:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        self.jwks = jwt.PyJWKSet.from_dict({"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]})

    def get_signing_key_from_jwt(self, token: str) -> Any:
        kid = jwt.get_unverified_header(token).get("kid")
        for key in self.jwks.keys:
            if key.key_id == kid:
                return key
        raise jwt.PyJWKClientError("no such key")


def mint(clock: FrozenClock, key: rsa.RSAPrivateKey = KEY, kid: str = "k1", **overrides: Any) -> str:
    now = int(clock.now().timestamp())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "sub-agent",
        "token_use": "id",
        "cognito:username": "agent@local",
        "cognito:groups": ["agent"],
        "iat": now,
        "exp": now + 3600,
        **overrides,
    }
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


class OrdersWithStatusIndex(InMemoryOrders):
    """Orders by status, newest or oldest first, a page at a time (the cursor: the next offset)."""

    def search(self, query: OrderQuery) -> tuple[list[OrderRecord], str | None]:
        found = [
            order.model_copy(deep=True)
            for order in self.orders.values()
            if order.status.value == query.status
        ]
        found.sort(key=lambda order: (order.created_at, order.order_id), reverse=not query.oldest_first)
        start = int(query.cursor or 0)
        end = start + query.limit
        return found[start:end], (str(end) if end < len(found) else None)


@dataclass
class FakeSignIn:
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    def sign_in(self, username: str, password: str) -> Tokens:
        token = self.tokens.get((username, password))
        if token is None:
            raise SignInRefused
        return Tokens(id_token=token)

    def respond(self, challenge: Any, answer: str) -> Tokens:
        raise SignInRefused

    def refresh(self, refresh_token: str) -> Tokens:
        raise SignInRefused


class NoAlerts:
    def newest(self, since: Any, limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
        return [], None


def held_order(orders: InMemoryOrders, clock: FrozenClock, key: str = "k") -> OrderRecord:
    order = place_order(CreateOrderRequest.model_validate(order_body()), key, orders, clock).order
    entry = TimelineEntry(status="on_hold", at=order.created_at, by="system:hold-rules", details=None)
    orders.transition(order, entry, {"hold_reasons": ["first_order_high_value"]})
    stored = orders.get(order.order_id)
    assert stored is not None and stored.status == OrderStatus.ON_HOLD
    return stored


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def services(clock: FrozenClock) -> ConsoleServices:
    nonces = iter(f"nonce-{n:016d}" for n in range(1000))
    return ConsoleServices(
        verifier=TokenVerifier(LocalJwks(), ISSUER, CLIENT, clock),
        authenticator=FakeSignIn(),
        orders=OrdersWithStatusIndex(),
        aggregates=InMemoryAggregates(),
        alerts=NoAlerts(),
        form_keys=lambda: (FORM_KEY,),
        clock=clock,
        new_nonce=lambda: next(nonces),
    )


def later(clock: FrozenClock, seconds: int) -> FrozenClock:
    return FrozenClock(clock.now() + timedelta(seconds=seconds))
