"""What the console's pages need, as small interfaces; `ConsoleServices` bundles them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from console.cases_ports import CaseDesk, NoCaseDesk
from console.orders_ports import OrderDesk
from console.returns_ports import AfterSales, not_wired
from console.sessions import TokenVerifier
from console.sign_in_ports import Challenge, SessionServices, SignInStep, Tokens
from console.today_ports import NoQueues, WorkQueues
from orders.domain.ports import OrderRepository
from shared.clock import Clock
from shared.form_tokens import new_nonce
from stats.domain.alerts import AlertLog
from stats.domain.ports import AggregateStore


class SignInRefused(Exception):
    """Wrong username or password, or an account that may not sign in (never says which)."""


class Authenticator(Protocol):
    def sign_in(self, username: str, password: str) -> SignInStep:
        """The session's tokens, or a challenge to answer first; raises `SignInRefused`."""
        ...

    def respond(self, challenge: Challenge, answer: str) -> SignInStep:
        """Answer a challenge (a new password, a TOTP code): tokens or the next challenge; raises
        `ChallengeRefused` (answer again) or `ChallengeExpired` (sign in again)."""
        ...

    def refresh(self, refresh_token: str) -> Tokens:
        """New ID and access tokens of the same session (REFRESH_TOKEN_AUTH); raises `SignInRefused`
        when the refresh token is revoked, expired or not one Cognito issued."""
        ...


class NotificationHistory(Protocol):
    """The notification capability's log of one order (recipients masked)."""

    def entries(self, order_id: str) -> Sequence[Any]: ...


class OrderReturns(Protocol):
    """The service capability's returns of one order."""

    def returns(self, order_id: str) -> Sequence[Any]: ...


class _Nothing:
    def entries(self, order_id: str) -> Sequence[Any]:
        return []

    def returns(self, order_id: str) -> Sequence[Any]:
        return []


@dataclass
class ConsoleServices:
    verifier: TokenVerifier
    authenticator: Authenticator
    orders: OrderRepository
    aggregates: AggregateStore
    alerts: AlertLog
    form_keys: Callable[[], Sequence[str]]  # current key first
    clock: Clock
    new_nonce: Callable[[], str] = field(default=new_nonce)
    notifications: NotificationHistory = field(default_factory=_Nothing)
    returns: OrderReturns = field(default_factory=_Nothing)
    cases: CaseDesk = field(default_factory=NoCaseDesk)
    after_sales: AfterSales = field(default_factory=not_wired)  # Exceptions and Returns pages
    sessions: SessionServices = field(default_factory=SessionServices)
    desk: OrderDesk = field(default_factory=OrderDesk)  # order actions, customers, search, stock
    queues: WorkQueues = field(default_factory=NoQueues)
